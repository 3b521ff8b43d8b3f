"""Shared fixtures: settings, databases (SQLite or PostgreSQL per pass), apps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.databases import fresh_database_url
from support.seaweed import s3_storage, seaweed_s3  # noqa: F401  (shared fixtures)

from vpaas.db.base import Database
from vpaas.settings import Settings, load_settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for one app: its own data dir and database, no embedded workers."""
    return load_settings(env={}, data_dir=str(tmp_path / "data"),
                         database_url=fresh_database_url(), workers=0)


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    """A migrated, empty database of the pass's backend."""
    from vpaas.db import migrate

    settings.data_path.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url)
    migrate.upgrade(db)
    yield db
    db.dispose()
