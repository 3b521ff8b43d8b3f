"""search index (FTS5 on SQLite, tsvector + GIN on PostgreSQL)

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from vpaas.db.search import SearchIndex

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    SearchIndex(conn.dialect.name).ensure_schema(conn)


def downgrade() -> None:
    conn = op.get_bind()
    SearchIndex(conn.dialect.name).drop_schema(conn)
