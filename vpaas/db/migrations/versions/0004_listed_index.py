"""list counts: partial index of the entries default lists show

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_LISTED = sa.text("status = 2 AND moderation_status NOT IN (1, 3) "
                  "AND display_in_search NOT IN (-2, -1)")


def upgrade() -> None:
    op.create_index("ix_entry_listed", "entry",
                    ["partner_id", "type", "media_type", "created_at"],
                    sqlite_where=_LISTED, postgresql_where=_LISTED)


def downgrade() -> None:
    op.drop_index("ix_entry_listed", table_name="entry")
