"""Start-up database chores."""

from __future__ import annotations

from vpaas.db.base import Database
from vpaas.db.migrate import refresh_statistics


def test_sqlite_gets_planner_statistics(database: Database) -> None:
    refresh_statistics(database)  # first time ANALYZE, afterwards PRAGMA optimize
    refresh_statistics(database)
    if database.is_sqlite:
        with database.engine.connect() as conn:
            found = conn.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first()
        assert found is not None
