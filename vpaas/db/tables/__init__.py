"""All tables. Importing this package registers every table on ``Base.metadata``."""

from vpaas.db.tables.entry import EntryRow
from vpaas.db.tables.flavor import ConversionProfileParamsRow, ConversionProfileRow, FlavorAssetRow, FlavorParamsRow
from vpaas.db.tables.job import JobRow
from vpaas.db.tables.partner import KsUsageRow, PartnerRow, RevokedKsRow
from vpaas.db.tables.upload import UploadChunkRow, UploadTokenRow

__all__ = [
    "ConversionProfileParamsRow",
    "ConversionProfileRow",
    "EntryRow",
    "FlavorAssetRow",
    "FlavorParamsRow",
    "JobRow",
    "KsUsageRow",
    "PartnerRow",
    "RevokedKsRow",
    "UploadChunkRow",
    "UploadTokenRow",
]
