"""list indexes: category members and entry state by id

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_category_entry_partner_category", "category_entry",
                    ["partner_id", "category_id", "status", "entry_id"])
    op.create_index("ix_entry_partner_id_state", "entry",
                    ["partner_id", "id", "type", "status", "moderation_status",
                     "display_in_search", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_entry_partner_id_state", table_name="entry")
    op.drop_index("ix_category_entry_partner_category", table_name="category_entry")
