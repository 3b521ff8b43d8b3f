"""The Alembic migrations create exactly the tables the code declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import vpaas.db.tables  # noqa: F401
from vpaas.db.base import Base, Database


def test_migrations_match_the_tables(database: Database) -> None:
    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"run `python -m vpaas.db.autogen`: {diff}"
