"""Regenerate the initial migration from the tables (pre-release only).

``python -m vpaas.db.autogen`` rewrites ``migrations/versions/0001_initial.py`` by
autogenerating against an empty SQLite database. Once a release ships, new revisions
are added with ``alembic revision --autogenerate`` instead.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command

from vpaas.db.migrate import MIGRATIONS, alembic_config


def main() -> None:
    versions = MIGRATIONS / "versions"
    for old in versions.glob("0001_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        cfg = alembic_config(f"sqlite:///{Path(tmp) / 'empty.db'}")
        command.revision(cfg, message="initial", autogenerate=True, rev_id="0001")
    for new in versions.glob("0001_*.py"):
        new.rename(versions / "0001_initial.py")


if __name__ == "__main__":
    main()
