"""Full-text search backends for freeText: SQLite FTS5 and PostgreSQL tsvector + GIN.

Each searchable object kind (``entry``...) has a search document of named fields (name,
tags, description, ids, custom-metadata text), kept up to date by explicit
:meth:`SearchIndex.upsert`/:meth:`SearchIndex.delete` calls from the domain on write.

Both backends receive tokens made by :func:`vpaas.domain.search.tokens`, never raw text, so
they agree on what matches; user text only ever travels as a bound parameter.

- SQLite: ``search_<kind>_key`` (rowid ↔ partner, object id) and an FTS5 table
  ``search_<kind>_fts`` with one column per field (a phrase cannot span two fields).
- PostgreSQL: ``search_<kind>(partner_id, object_id, document tsvector)`` with a GIN index;
  the tsvector literal is built here with positions, leaving a one-position gap between
  fields so that ``a <-> b`` cannot match across them.

All these tables start with :data:`TABLE_PREFIX`; the schema check of the migrations must
skip them (:func:`is_search_table`), because Alembic cannot describe FTS5 tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, Select, bindparam, cast, column, select, table, text
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session
from sqlalchemy.sql import literal_column

from vpaas.db.base import Database
from vpaas.domain.search import Group, Query, Term, tokens

TABLE_PREFIX = "search_"
ENTRY_FIELDS = ("name", "tags", "description", "ids", "metadata")
"""Fields of the entry search document (``ids``: id, referenceId, root entry, owner)."""
MAX_DOCUMENT_TOKENS = 10_000  # PostgreSQL positions stop at 16383
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,40}$")

FieldValue = str | Iterable[str] | None


def is_search_table(name: str) -> bool:
    """True for tables (and FTS5 shadow tables) owned by the search index."""
    return name.startswith(TABLE_PREFIX)


def layout(fields: Sequence[str], values: Mapping[str, FieldValue]) -> list[list[str]]:
    """Tokens per field, in ``fields`` order, cut to :data:`MAX_DOCUMENT_TOKENS` in all."""
    unknown = set(values) - set(fields)
    if unknown:
        raise ValueError(f"unknown search fields {sorted(unknown)}")
    budget = MAX_DOCUMENT_TOKENS
    out = []
    for name in fields:
        value = values.get(name)
        joined = value if isinstance(value, str) or value is None else " ".join(value)
        found = tokens(joined)[:budget]
        budget -= len(found)
        out.append(found)
    return out


def fts5_query(query: Query) -> str:
    """The FTS5 MATCH expression of a parsed freeText query."""
    return " OR ".join(_fts5_group(g) for g in query.groups)


def _fts5_group(group: Group) -> str:
    positive = " AND ".join(_fts5_term(t) for t in group.positive)
    if not group.negative:
        return f"({positive})"
    negative = " OR ".join(_fts5_term(t) for t in group.negative)
    return f"(({positive}) NOT ({negative}))"


def _fts5_term(term: Term) -> str:
    phrase = '"' + " ".join(term.words).replace('"', '""') + '"'
    return phrase + (" *" if term.prefix else "")


def tsquery_text(query: Query) -> str:
    """The PostgreSQL ``tsquery`` literal of a parsed freeText query (lexemes quoted)."""
    return " | ".join(_ts_group(g) for g in query.groups)


def _ts_group(group: Group) -> str:
    parts = [_ts_term(t) for t in group.positive]
    parts += ["!" + _ts_term(t) for t in group.negative]
    return "(" + " & ".join(parts) + ")"


def _ts_term(term: Term) -> str:
    lexemes = [_ts_quote(w) for w in term.words]
    if term.prefix:
        lexemes[-1] += ":*"
    return "(" + " <-> ".join(lexemes) + ")"


def _ts_quote(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_text(field_tokens: Sequence[Sequence[str]]) -> str:
    """A ``tsvector`` literal with positions; a gap of one position between fields."""
    positions: dict[str, list[int]] = {}
    position = 0
    for found in field_tokens:
        for word in found:
            position += 1
            positions.setdefault(word, []).append(position)
        position += 1
    return " ".join(_ts_quote(w) + ":" + ",".join(map(str, p[:256]))
                    for w, p in positions.items())


class SearchIndex:
    """The search documents of one object kind, on the database's own engine."""

    def __init__(self, db: Database | Engine | str, kind: str = "entry",
                 fields: Sequence[str] = ENTRY_FIELDS) -> None:
        if isinstance(db, Database):
            db = db.engine
        self.dialect = db if isinstance(db, str) else db.dialect.name
        if self.dialect not in ("sqlite", "postgresql"):
            raise ValueError(f"no search backend for {self.dialect}")
        for name in (kind, *fields):
            if not _IDENTIFIER.match(name):
                raise ValueError(f"bad search identifier {name!r}")
        self.kind = kind
        self.fields = tuple(fields)
        self.table = TABLE_PREFIX + kind
        self._key = table(self.table + "_key", column("id"), column("partner_id"),
                          column("object_id"))
        self._fts = table(self.table + "_fts", column("rowid"))
        self._docs = table(self.table, column("partner_id"), column("object_id"),
                           column("document"))

    def ensure_schema(self, conn: Connection) -> None:
        """Create the index tables if missing (idempotent; call from a migration step)."""
        for statement in self._ddl():
            conn.execute(text(statement))

    def drop_schema(self, conn: Connection) -> None:
        """Drop the index tables (used when a migration is rolled back)."""
        names = [self.table + "_fts", self.table + "_key"] if self.dialect == "sqlite" \
            else [self.table]
        for name in names:
            conn.execute(text(f"DROP TABLE IF EXISTS {name}"))

    def _ddl(self) -> list[str]:
        if self.dialect == "sqlite":
            columns = ", ".join(self.fields)
            return [
                f"CREATE TABLE IF NOT EXISTS {self.table}_key (id INTEGER PRIMARY KEY, "
                "partner_id INTEGER NOT NULL, object_id VARCHAR(64) NOT NULL, "
                "UNIQUE (partner_id, object_id))",
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.table}_fts USING fts5({columns}, "
                "tokenize = 'unicode61 remove_diacritics 0')",
            ]
        return [
            f"CREATE TABLE IF NOT EXISTS {self.table} (partner_id INTEGER NOT NULL, "
            "object_id VARCHAR(64) NOT NULL, document TSVECTOR NOT NULL, "
            "PRIMARY KEY (partner_id, object_id))",
            f"CREATE INDEX IF NOT EXISTS {self.table}_document_gin ON {self.table} "
            "USING GIN (document)",
        ]

    def upsert(self, session: Session | Connection, partner_id: int, object_id: str,
               fields: Mapping[str, FieldValue]) -> None:
        """Index (or re-index) one object's document; fields not given are empty."""
        conn = _connection(session)
        per_field = layout(self.fields, fields)
        params: dict[str, Any] = {"pid": partner_id, "oid": object_id}
        if self.dialect == "postgresql":
            params["doc"] = tsvector_text(per_field)
            conn.execute(text(
                f"INSERT INTO {self.table} (partner_id, object_id, document) "
                "VALUES (:pid, :oid, CAST(:doc AS tsvector)) ON CONFLICT (partner_id, "
                "object_id) DO UPDATE SET document = EXCLUDED.document"), params)
            return
        key = self._sqlite_key(conn, partner_id, object_id, create=True)
        conn.execute(text(f"DELETE FROM {self.table}_fts WHERE rowid = :key"), {"key": key})
        names = ", ".join(self.fields)
        slots = ", ".join(f":f{i}" for i in range(len(self.fields)))
        values = {f"f{i}": " ".join(found) for i, found in enumerate(per_field)}
        conn.execute(text(f"INSERT INTO {self.table}_fts (rowid, {names}) "
                          f"VALUES (:key, {slots})"), {"key": key, **values})

    def delete(self, session: Session | Connection, partner_id: int, object_id: str) -> None:
        """Remove one object's document (nothing happens if it has none)."""
        conn = _connection(session)
        params = {"pid": partner_id, "oid": object_id}
        if self.dialect == "postgresql":
            conn.execute(text(f"DELETE FROM {self.table} WHERE partner_id = :pid "
                              "AND object_id = :oid"), params)
            return
        key = self._sqlite_key(conn, partner_id, object_id, create=False)
        if key is not None:
            conn.execute(text(f"DELETE FROM {self.table}_fts WHERE rowid = :key"),
                         {"key": key})
            conn.execute(text(f"DELETE FROM {self.table}_key WHERE id = :key"), {"key": key})

    def _sqlite_key(self, conn: Connection, partner_id: int, object_id: str,
                    create: bool) -> int | None:
        params = {"pid": partner_id, "oid": object_id}
        found = conn.execute(text(f"SELECT id FROM {self.table}_key WHERE partner_id = :pid "
                                  "AND object_id = :oid"), params).scalar()
        if found is None and create:
            found = conn.execute(text(f"INSERT INTO {self.table}_key (partner_id, object_id) "
                                      "VALUES (:pid, :oid) RETURNING id"), params).scalar()
        return None if found is None else int(found)

    def matching_ids_clause(self, partner_id: int, query: Query) -> Select[Any]:
        """``SELECT object_id`` of the partner's documents matching ``query``.

        Use it as ``EntryRow.id.in_(index.matching_ids_clause(pid, query))``.
        """
        if self.dialect == "postgresql":
            docs = self._docs
            tsq = cast(bindparam("free_text", tsquery_text(query), unique=True), TSQUERY)
            return select(docs.c.object_id).where(docs.c.partner_id == partner_id,
                                                  docs.c.document.op("@@")(tsq))
        key, fts = self._key, self._fts
        expression: Any = bindparam("free_text", fts5_query(query), unique=True)
        match = literal_column(fts.name).op("MATCH")(expression)
        return (select(key.c.object_id).select_from(key.join(fts, fts.c.rowid == key.c.id))
                .where(key.c.partner_id == partner_id, match))


def _connection(session: Session | Connection) -> Connection:
    """The session's connection: index writes bypass the ORM (and its partner hooks)."""
    return session.connection() if isinstance(session, Session) else session
