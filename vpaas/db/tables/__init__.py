"""All tables. Importing this package registers every table on ``Base.metadata``."""

from vpaas.db.tables.partner import PartnerRow, RevokedKsRow

__all__ = ["PartnerRow", "RevokedKsRow"]
