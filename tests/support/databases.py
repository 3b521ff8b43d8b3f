"""A fresh database per test app: SQLite by default, PostgreSQL in the PostgreSQL pass.

``make test`` runs the suite twice; the second pass sets ``VPAAS_TEST_DATABASE=postgresql``.
PostgreSQL missing in that pass is a failure, never a skip.
"""

from __future__ import annotations

import atexit
import os
import secrets
from collections.abc import Iterator

import psycopg

_CREATED: list[str] = []


def backend() -> str:
    return os.environ.get("VPAAS_TEST_DATABASE", "sqlite")


def admin_url() -> str:
    return os.environ.get("VPAAS_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def fresh_database_url() -> str:
    """An empty database URL for one app ("" means SQLite inside the app's data dir)."""
    if backend() != "postgresql":
        return ""
    name = "vpaas_t_" + secrets.token_hex(6)
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    _CREATED.append(name)
    base = admin_url().rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}"


@atexit.register
def _drop_all() -> None:
    if not _CREATED:
        return
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        for name in _CREATED:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def scratch_database() -> Iterator[str]:
    """A throwaway PostgreSQL database URL for one module, dropped when the generator ends
    (for tests that compare both backends in the same pass)."""
    name = "vpaas_t_" + secrets.token_hex(6)
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin_url().rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
