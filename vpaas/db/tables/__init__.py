"""All tables. Importing this package registers every table on ``Base.metadata``."""

from vpaas.db.tables.access_control import AccessControlProfileRow
from vpaas.db.tables.caption import CaptionAssetRow
from vpaas.db.tables.category import CategoryEntryRow, CategoryRow
from vpaas.db.tables.entry import EntryRow
from vpaas.db.tables.flavor import (
    ConversionProfileParamsRow,
    ConversionProfileRow,
    FlavorAssetRow,
    FlavorParamsRow,
)
from vpaas.db.tables.job import JobRow
from vpaas.db.tables.metadata import (
    MetadataFieldValueRow,
    MetadataProfileFieldRow,
    MetadataProfileRow,
    MetadataRow,
)
from vpaas.db.tables.partner import KsUsageRow, PartnerRow, RevokedKsRow
from vpaas.db.tables.thumb import ThumbAssetRow
from vpaas.db.tables.ui_conf import UiConfRow
from vpaas.db.tables.upload import UploadChunkRow, UploadTokenRow
from vpaas.db.tables.user import UserRow

__all__ = [
    "AccessControlProfileRow",
    "CaptionAssetRow",
    "CategoryEntryRow",
    "CategoryRow",
    "ConversionProfileParamsRow",
    "ConversionProfileRow",
    "EntryRow",
    "FlavorAssetRow",
    "FlavorParamsRow",
    "JobRow",
    "KsUsageRow",
    "MetadataFieldValueRow",
    "MetadataProfileFieldRow",
    "MetadataProfileRow",
    "MetadataRow",
    "PartnerRow",
    "RevokedKsRow",
    "ThumbAssetRow",
    "UiConfRow",
    "UploadChunkRow",
    "UploadTokenRow",
    "UserRow",
]
