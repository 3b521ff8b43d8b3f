"""Key reads: one row by key, converted as the ORM converts it, scoped by their statement."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import JSON, Boolean, String, bindparam, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from vpaas.db import base
from vpaas.db.base import Database
from vpaas.db.key_read import KeyRead


class _Base(DeclarativeBase):
    pass


class Item(base.PartnerScoped, _Base):
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


def test_idle_connections_are_pinged_before_use(items: Database,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    if items.is_sqlite:
        pytest.skip("SQLite connections are files, never pinged")
    pings: list[object] = []
    dialect = items.engine.dialect
    real_ping = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda c: pings.append(c) or real_ping(c))
    BY_KEY.first(items, id="a", pid=1)
    BY_KEY.first(items, id="a", pid=1)
    assert pings == []  # in steady use: no extra round trip
    monkeypatch.setattr(base, "PING_AFTER_IDLE_SECONDS", 0.0)
    time.sleep(0.01)
    assert BY_KEY.first(items, id="a", pid=1) is not None
    assert len(pings) == 1
