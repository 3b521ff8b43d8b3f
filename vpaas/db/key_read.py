"""One-row reads by key outside any session or transaction, for read-only API calls.

A :class:`KeyRead` is a SELECT compiled once per dialect and run straight on a DBAPI
connection: no Session, no Core ``Connection`` (whose result setup reads the cursor
description, ~60 column objects a call with psycopg), no BEGIN / COMMIT. SQLite runs the
statement on a pooled connection, on its own (the connections have no implicit
transactions); PostgreSQL on one of the database's autocommit read connections
(:class:`vpaas.db.base.ReadConnections`: no pool checkout, no reset on return, and the
driver's prepared statement is reused). Either way it reads the latest committed data in one
round trip.

Not partner scoped: the statement must name its partner in its WHERE clause itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select

from vpaas.db.base import Database


@dataclass(frozen=True)
class _Prepared:
    sql: str
    binds: tuple[str, ...] | None  # positional bind names in order; None: named binds
    names: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]


class KeyRead:
    """``first(db, **binds)``: the statement's first row as attributes named like its
    columns (values converted as SQLAlchemy converts them), or None.

    Bind values go to the driver as given: use it for keys (strings, integers).
    """

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._prepared: dict[str, _Prepared] = {}

    def first(self, db: Database, **binds: Any) -> SimpleNamespace | None:
        prepared = self._prepare(db)
        params: Any = binds if prepared.binds is None else \
            tuple(binds[name] for name in prepared.binds)
        row = db.first_row(prepared.sql, params)
        if row is None:
            return None
        return SimpleNamespace(**{
            name: value if process is None or value is None else process(value)
            for name, process, value in zip(prepared.names, prepared.processors, row,
                                            strict=True)})

    def _prepare(self, db: Database) -> _Prepared:
        dialect = db.engine.dialect
        prepared = self._prepared.get(dialect.name)
        if prepared is None:
            compiled = self.statement.compile(dialect=dialect)
            columns = self.statement.selected_columns
            prepared = self._prepared[dialect.name] = _Prepared(
                sql=compiled.string,
                binds=tuple(compiled.positiontup) if compiled.positional else None,
                names=tuple(c.key for c in columns),
                processors=tuple(c.type.dialect_impl(dialect).result_processor(dialect, None)
                                 for c in columns))
        return prepared

