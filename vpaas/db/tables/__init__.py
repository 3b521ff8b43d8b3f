"""All tables. Importing this package registers every table on ``Base.metadata``."""

from vpaas.db.tables.partner import KsUsageRow, PartnerRow, RevokedKsRow

__all__ = ["KsUsageRow", "PartnerRow", "RevokedKsRow"]
