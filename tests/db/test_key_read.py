"""Key reads: one row by key, converted as the ORM converts it, scoped by their statement."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import JSON, Boolean, String, bindparam, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from vpaas.db.base import Database, PartnerScoped
from vpaas.db.key_read import KeyRead


class _Base(DeclarativeBase):
    pass


class Item(PartnerScoped, _Base):
    __tablename__ = "key_read_test_item"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    flag: Mapped[bool] = mapped_column(Boolean)
    extra: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)


_ITEM = Item.__table__.c
BY_KEY = KeyRead(select(Item.__table__).where(_ITEM.id == bindparam("id"),
                                               _ITEM.partner_id == bindparam("pid")))


@pytest.fixture
def items(database: Database) -> Database:
    _Base.metadata.create_all(database.engine)
    with database.system_session() as s:
        s.add_all([Item(id="a", flag=True, extra={"k": [1, 2]}, partner_id=1),
                   Item(id="b", flag=False, extra=None, partner_id=2)])
        s.commit()
    return database


def test_reads_the_row_with_orm_values(items: Database) -> None:
    row = BY_KEY.first(items, id="a", pid=1)
    assert row is not None
    assert (row.id, row.flag, row.extra, row.partner_id) == ("a", True, {"k": [1, 2]}, 1)
    other = BY_KEY.first(items, id="b", pid=2)
    assert other is not None and other.flag is False and other.extra is None


def test_another_partners_row_is_not_found(items: Database) -> None:
    assert BY_KEY.first(items, id="b", pid=1) is None
    assert BY_KEY.first(items, id="missing", pid=1) is None


def test_sees_committed_writes_and_leaves_no_transaction_open(items: Database) -> None:
    for _ in range(3):
        assert BY_KEY.first(items, id="a", pid=1) is not None
    with items.partner_session(1) as s:
        s.get(Item, "a").flag = False
        s.commit()
    row = BY_KEY.first(items, id="a", pid=1)
    assert row is not None and row.flag is False
    with items.engine.connect() as conn:  # the pooled connection is reusable as before
        conn.execute(Item.__table__.update().values(flag=True))
        conn.commit()
    row = BY_KEY.first(items, id="a", pid=1)
    assert row is not None and row.flag is True


def test_reads_reuse_one_autocommit_connection_outside_the_pool(items: Database) -> None:
    if items.is_sqlite:
        pytest.skip("SQLite reads on its pooled connections")
    assert items.readers is not None
    for _ in range(3):
        assert BY_KEY.first(items, id="a", pid=1) is not None
    pool = items.engine.pool
    assert pool.checkedout() == 0
    idle = items.readers._idle
    assert len(idle) == 1 and idle[0].dbapi_connection.autocommit is True


def test_a_read_connection_the_server_closed_is_replaced(items: Database) -> None:
    if items.is_sqlite:
        pytest.skip("SQLite connections are files")
    assert items.readers is not None
    assert BY_KEY.first(items, id="a", pid=1) is not None
    backend = items.readers._idle[0].dbapi_connection.info.backend_pid
    with items.engine.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
    time.sleep(0.05)
    row = BY_KEY.first(items, id="a", pid=1)
    assert row is not None and row.id == "a"
    assert items.readers._idle[0].dbapi_connection.info.backend_pid != backend


def test_reads_beyond_the_limit_run_on_a_pooled_connection(items: Database) -> None:
    if items.is_sqlite:
        pytest.skip("SQLite reads on its pooled connections")
    readers = items.readers
    assert readers is not None
    taken = 0
    while readers._slots.acquire(blocking=False):  # every own connection busy
        taken += 1
    try:
        row = BY_KEY.first(items, id="a", pid=1)
        assert row is not None and row.id == "a"
        assert readers._idle == []
        with items.engine.connect() as conn:  # the pooled connection is back in transactions
            assert conn.connection.dbapi_connection.autocommit is False
    finally:
        for _ in range(taken):
            readers._slots.release()
