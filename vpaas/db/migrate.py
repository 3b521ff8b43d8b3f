"""Alembic, driven programmatically: ``vpaas db upgrade`` and start-up call :func:`upgrade`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from vpaas.db.base import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(db: Database, revision: str = "head") -> None:
    cfg = alembic_config(db.url)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def refresh_statistics(db: Database) -> None:
    """SQLite plans freeText and list queries well only with statistics: ANALYZE once, then
    ``PRAGMA optimize`` keeps them current. PostgreSQL's autovacuum does this by itself."""
    if not db.is_sqlite:
        return
    with db.engine.connect() as conn:
        have = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first()
        conn.exec_driver_sql("PRAGMA optimize" if have else "ANALYZE")
        conn.commit()
