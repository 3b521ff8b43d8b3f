"""Partner isolation is structural: scoped sessions never see or write another partner's rows."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import String, delete, func, select, text, update
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from vpaas.db import base
from vpaas.db.base import CrossPartnerWrite, Database, PartnerScoped, new_id


class _Base(DeclarativeBase):
    pass


class Thing(PartnerScoped, _Base):
    __tablename__ = "scoping_test_thing"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))


@pytest.fixture
def things(database: Database) -> Database:
    _Base.metadata.create_all(database.engine)
    with database.system_session() as s:
        s.add_all([Thing(id="a", name="a", partner_id=1), Thing(id="b", name="b", partner_id=2)])
        s.commit()
    return database


def test_selects_are_scoped(things: Database) -> None:
    with things.partner_session(1) as s:
        assert [t.id for t in s.scalars(select(Thing))] == ["a"]
        assert s.get(Thing, "b") is None
        assert s.scalar(select(func.count()).select_from(Thing)) == 1


def test_bulk_update_and_delete_are_scoped(things: Database) -> None:
    with things.partner_session(1) as s:
        s.execute(update(Thing).values(name="changed"))
        s.execute(delete(Thing).where(Thing.id == "b"))
        s.commit()
    with things.system_session() as s:
        assert s.get(Thing, "b").name == "b"
        assert s.get(Thing, "a").name == "changed"


def test_new_rows_are_stamped_and_foreign_writes_refused(things: Database) -> None:
    with things.partner_session(2) as s:
        s.add(Thing(id="c", name="c"))
        s.commit()
        assert s.get(Thing, "c").partner_id == 2
        s.add(Thing(id="d", name="d", partner_id=1))
        with pytest.raises(CrossPartnerWrite):
            s.flush()


def test_ids_have_kaltura_form() -> None:
    assert re.fullmatch(r"0_[0-9a-z]{8}", new_id())
    assert len({new_id() for _ in range(1000)}) == 1000


def test_savepoint_rollback_is_real_on_every_backend(things: Database) -> None:
    with things.partner_session(1) as s:
        with s.begin_nested():
            s.add(Thing(id="sp", name="inner"))
        s.rollback()
    with things.system_session() as s:
        assert s.get(Thing, "sp") is None


def test_partner_criteria_are_reused_per_partner_and_stay_scoped(things: Database) -> None:
    for _ in range(2):
        for pid, expected in ((1, ["a"]), (2, ["b"])):
            with things.partner_session(pid) as s:
                assert [t.id for t in s.scalars(select(Thing))] == expected
    with things.partner_session(1) as s:
        s.info["partner_id"] = 2  # a session re-pointed by hand is not scoped by a stale option
        assert [t.id for t in s.scalars(select(Thing))] == ["b"]


def test_idle_pooled_connections_are_pinged_before_use(things: Database,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    if things.is_sqlite:
        pytest.skip("SQLite connections are files, never pinged")
    pings: list[object] = []
    dialect = things.engine.dialect
    real_ping = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda c: pings.append(c) or real_ping(c))
    for _ in range(2):
        with things.partner_session(1) as s:
            assert s.scalars(select(Thing.id)).all() == ["a"]
    assert pings == []  # in steady use: no extra round trip
    monkeypatch.setattr(base, "PING_AFTER_IDLE_SECONDS", 0.0)
    time.sleep(0.01)
    with things.partner_session(1) as s:
        assert s.scalars(select(Thing.id)).all() == ["a"]
    assert len(pings) == 1


def test_postgresql_connections_plan_serially(things: Database) -> None:
    if things.is_sqlite:
        pytest.skip("PostgreSQL setting")
    with things.engine.connect() as conn:
        assert conn.execute(text("SHOW max_parallel_workers_per_gather")).scalar() == "0"
