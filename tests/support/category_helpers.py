"""Category test helpers: a partner, entries and categories made directly in the domain."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from vpaas.db.tables.category import CategoryRow
from vpaas.domain import categories, entries
from vpaas.registry import ApiError

PID = 301


def entry(s: Session, name: str, status: int = 2) -> str:
    """A new entry of partner 1's defaults named ``name``, with ``status`` (READY)."""
    row = entries.new_entry(s, 1, {"name": name})
    row.status = status
    s.flush()
    return row.id


def add(s: Session, name: str, parent: CategoryRow | None = None,
        **values: Any) -> CategoryRow:
    """A new category under ``parent`` (a root without one)."""
    return categories.add_category(s, name, parent.id if parent else 0, values)


def code(exc: pytest.ExceptionInfo[ApiError]) -> str:
    """The error code raised."""
    return exc.value.code
