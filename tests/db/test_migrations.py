"""The Alembic migrations create exactly the tables the code declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import vpaas.db.tables  # noqa: F401
from vpaas.db.base import Base, Database
from vpaas.db.search import is_search_table


def _not_search(name: str | None, type_: str, _parent: object) -> bool:
    return not (type_ == "table" and name is not None and is_search_table(name))


def test_migrations_match_the_tables(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": _not_search})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"run `python -m vpaas.db.autogen`: {diff}"
