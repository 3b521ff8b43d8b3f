"""Regenerate the initial migration from the tables (pre-release only).

Later hand-written revisions (``0002_...``) are kept; they build on ``0001``.

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
        later = [p.rename(Path(tmp) / p.name) for p in versions.glob("0*.py")]
        try:
            cfg = alembic_config(f"sqlite:///{Path(tmp) / 'empty.db'}")
            command.revision(cfg, message="initial", autogenerate=True, rev_id="0001")
        finally:
            for moved in later:
                moved.rename(versions / moved.name)
    for new in versions.glob("0001_*.py"):
        new.rename(versions / "0001_initial.py")


if __name__ == "__main__":
    main()
