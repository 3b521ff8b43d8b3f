"""Declarative base, engine factory and partner-scoped sessions.

Partner isolation is structural: a session opened with :func:`partner_session` adds
``partner_id = <pid>`` to every ORM SELECT, UPDATE and DELETE on a :class:`PartnerScoped`
table, and stamps the partner on every new row. Only :func:`system_session` (CLI, workers,
start-up) is unscoped.
"""

from __future__ import annotations

import secrets
import string
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from sqlalchemy import BigInteger, Engine, Integer, QueuePool, create_engine, event, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    mapped_column,
    sessionmaker,
    with_loader_criteria,
)

_ALPHABET = string.digits + string.ascii_lowercase
CRITERIA_INFO_KEY = "partner_criteria"
MAX_CACHED_CRITERIA = 4096
PING_AFTER_IDLE_SECONDS = 2.0
SERIAL_PLANS = "-c max_parallel_workers_per_gather=0"
"""PostgreSQL session option of every connection: no parallel query plans. An API call's
scans are partner-sized; starting and gathering parallel workers costs more than they save
(counting 92,000 index entries: 17 ms with two workers, 11 ms without) and takes cores from
the other calls."""
_IDLE_SINCE = "vpaas_idle_since"
_READ_CURSOR = "vpaas_read_cursor"


def new_id(prefix: str = "0_", length: int = 8) -> str:
    """A Kaltura-style object id: ``0_`` followed by base-36 characters."""
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def now() -> int:
    return int(time.time())


class Base(DeclarativeBase):
    pass


class Timestamped:
    created_at: Mapped[int] = mapped_column(BigInteger, default=now)
    updated_at: Mapped[int] = mapped_column(BigInteger, default=now, onupdate=now)


class PartnerScoped:
    """Mixin for every table that belongs to a partner."""

    partner_id: Mapped[int] = mapped_column(Integer, index=True)


class CrossPartnerWrite(RuntimeError):
    pass


def partner_criteria(pid: int) -> Any:
    """The loader option that adds ``partner_id = pid`` to every PartnerScoped entity."""
    return with_loader_criteria(PartnerScoped, lambda cls: cls.partner_id == pid,
                                include_aliases=True)


@event.listens_for(Session, "do_orm_execute")
def _scope_to_partner(state: ORMExecuteState) -> None:
    info = state.session.info
    pid = info.get("partner_id")
    if pid is None or not (state.is_select or state.is_update or state.is_delete):
        return
    cached = info.get(CRITERIA_INFO_KEY)
    option = cached[1] if cached is not None and cached[0] == pid else partner_criteria(pid)
    state.statement = state.statement.options(option)


@event.listens_for(Session, "before_flush")
def _stamp_partner(session: Session, _ctx: Any, _instances: Any) -> None:
    pid = session.info.get("partner_id")
    if pid is None:
        return
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, PartnerScoped):
            continue
        if obj.partner_id is None:
            obj.partner_id = pid
        elif obj.partner_id != pid:
            raise CrossPartnerWrite(f"{type(obj).__name__} of partner {obj.partner_id}")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               json_deserializer=orjson.loads)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _rec: Any) -> None:
            # pysqlite's own transaction handling breaks SAVEPOINTs; SQLAlchemy emits BEGIN.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN")

        return engine
    engine = create_engine(url, pool_size=10, max_overflow=20, json_deserializer=orjson.loads,
                           connect_args={"options": _options(url, SERIAL_PLANS)})
    _ping_when_idle(engine)
    return engine


def _options(url: str, extra: str) -> str:
    """libpq ``options`` of ``url`` (``?options=...``) followed by ``extra``."""
    given = make_url(url).query.get("options")
    given = " ".join(given) if isinstance(given, tuple) else given or ""
    return f"{given} {extra}".strip()


def _ping_when_idle(engine: Engine) -> None:
    """Test a pooled connection before use if it sat idle for ``PING_AFTER_IDLE_SECONDS``
    (a server restart or idle timeout may have closed it); a dead one is replaced.

    Unlike ``pool_pre_ping``, connections in steady use pay no extra round trip per call. A
    connection that dies while in use fails its call, and the pool then drops them all.
    """
    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_conn: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(str(exc)) from exc


def pooled_first_row(engine: Engine, sql: str, params: Any) -> Any:
    """The first row of ``sql`` run on a pooled DBAPI connection outside any transaction:
    in autocommit mode for this statement (PostgreSQL); SQLite connections have no implicit
    transaction."""
    conn = engine.raw_connection()
    dbapi = conn.dbapi_connection
    switch = engine.dialect.name != "sqlite"
    try:
        if switch:
            dbapi.autocommit = True  # type: ignore[union-attr]
        cursor = conn.cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetchone()
        finally:
            cursor.close()
    finally:
        if switch and dbapi is not None and not getattr(dbapi, "closed", False):
            dbapi.autocommit = False  # type: ignore[union-attr]
        conn.close()


class ReadConnections:
    """DBAPI connections of their own, in autocommit mode, for one-statement reads outside
    any transaction (PostgreSQL): taking one and giving it back runs no pool events, no
    reset and no round trip, and a statement the driver prepared stays prepared.

    At most ``limit`` are open, outside the pool (detached from it); while all are busy, a
    read runs on a pooled connection switched to autocommit for it. A connection that fails
    is closed, never reused.
    """

    def __init__(self, engine: Engine, limit: int = 4) -> None:
        self.engine = engine
        self._idle: list[Any] = []  # pool fairies, detached; list.pop/append are atomic
        self._slots = threading.BoundedSemaphore(limit)

    def has_idle(self) -> bool:
        """Whether an open connection is waiting to be used."""
        return bool(self._idle)

    def first_row(self, sql: str, params: Any) -> Any:
        """The first row of ``sql`` (None if none). A failure on a connection that sat idle
        (the server may have closed them all) closes the idle ones and is retried once on a
        new connection."""
        try:
            conn = self._idle.pop()
        except IndexError:
            if not self._slots.acquire(blocking=False):
                return pooled_first_row(self.engine, sql, params)
            return self._row_on(self._connect(), sql, params)
        try:
            return self._row_on(conn, sql, params)
        except self.engine.dialect.loaded_dbapi.Error:
            self.close()
            if not self._slots.acquire(blocking=False):
                return pooled_first_row(self.engine, sql, params)
            return self._row_on(self._connect(), sql, params)

    def close(self) -> None:
        """Close the idle connections."""
        while self._idle:
            self._discard(self._idle.pop())

    def _connect(self) -> Any:
        try:
            conn = self.engine.raw_connection()
        except BaseException:
            self._slots.release()
            raise
        conn.detach()
        conn.dbapi_connection.autocommit = True  # type: ignore[union-attr]
        return conn

    def _row_on(self, conn: Any, sql: str, params: Any) -> Any:
        try:
            cursor = conn.info.get(_READ_CURSOR)
            if cursor is None:
                cursor = conn.info[_READ_CURSOR] = conn.dbapi_connection.cursor()
            cursor.execute(sql, params)
            row = cursor.fetchone()
        except BaseException:
            self._discard(conn)
            raise
        self._idle.append(conn)
        return row

    def _discard(self, conn: Any) -> None:
        conn.close()
        self._slots.release()

class Database:
    """The engine plus session factories; one per app, passed down explicitly."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.readers = None if self.is_sqlite else ReadConnections(self.engine)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)
        self.session_info: dict[str, Any] = {}  # copied into every session, e.g. the job queue
        self._criteria: dict[int, Any] = {}  # partner id -> its (immutable) criteria option

    def new_session(self, partner_id: int | None) -> Session:
        session = self._factory()
        session.info.update(self.session_info)
        if partner_id is not None:
            session.info["partner_id"] = partner_id
            session.info[CRITERIA_INFO_KEY] = (partner_id, self._criteria_for(partner_id))
        return session

    def _criteria_for(self, partner_id: int) -> Any:
        option = self._criteria.get(partner_id)
        if option is None:
            if len(self._criteria) >= MAX_CACHED_CRITERIA:
                self._criteria.clear()
            option = self._criteria[partner_id] = partner_criteria(partner_id)
        return option

    def first_row(self, sql: str, params: Any) -> Any:
        """The first row of one DBAPI statement run outside any transaction (None if none):
        on a read connection (PostgreSQL), else on a pooled connection."""
        if self.readers is not None:
            return self.readers.first_row(sql, params)
        return pooled_first_row(self.engine, sql, params)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def partner_session(self, partner_id: int) -> Iterator[Session]:
        with self.new_session(partner_id) as session:
            yield session

    def reads_without_waiting(self) -> bool:
        """Whether a key read (:meth:`first_row`) would find an open, idle connection now:
        PostgreSQL's read connections, else the pool's (no connecting, no waiting)."""
        if self.readers is not None:
            return self.readers.has_idle()
        pool = self.engine.pool
        return isinstance(pool, QueuePool) and pool.checkedin() > 0

    @contextmanager
    def system_session(self) -> Iterator[Session]:
        with self.new_session(None) as session:
            yield session

    def dispose(self) -> None:
        if self.readers is not None:
            self.readers.close()
        self.engine.dispose()
