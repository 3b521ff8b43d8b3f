"""Category memberships: counters, the entry fields, limits and concurrent writers."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select, text
from support.category_helpers import PID, add, code, entry

from vpaas.db.base import Database
from vpaas.db.tables.category import CategoryEntryRow
from vpaas.db.tables.entry import EntryRow
from vpaas.domain import categories, category_members, entries
from vpaas.registry import ApiError


def test_counts_are_distinct_per_subtree_and_skip_deleted_entries(database: Database) -> None:
    with database.partner_session(PID) as s:
        root = add(s, "root")
        left, right = add(s, "left", root), add(s, "right", root)
        e1, e2 = entry(s, "one"), entry(s, "two")
        category_members.add_membership(s, e1, left, "u")
        category_members.add_membership(s, e1, right, "u")
        category_members.add_membership(s, e2, right, "u")
        assert (root.entries_count, root.direct_entries_count) == (2, 0)
        assert (right.entries_count, right.direct_entries_count) == (2, 2)
        category_members.add_membership(s, entry(s, "pending"), left, None, pending=True)
        assert (left.entries_count, left.pending_entries_count) == (1, 1)
        gone = s.get(EntryRow, e2)
        assert gone is not None
        entries.delete_entry(s, gone)
        category_members.forget_entry(s, e2)
        assert (root.entries_count, right.entries_count) == (1, 1)
        assert s.scalars(select(CategoryEntryRow).where(
            CategoryEntryRow.entry_id == e2)).first() is None
        row = s.get(EntryRow, e1)
        assert row is not None and row.categories == "root>left,root>right"
        s.commit()


def test_an_entry_holds_at_most_32_categories(database: Database) -> None:
    with database.partner_session(PID) as s:
        e1 = entry(s, "busy")
        for i in range(category_members.MAX_CATEGORIES_PER_ENTRY):
            category_members.add_membership(s, e1, add(s, f"c{i}"), None)
        with pytest.raises(ApiError) as exc:
            category_members.add_membership(s, e1, add(s, "one more"), None)
        assert code(exc) == "MAX_CATEGORIES_FOR_ENTRY_REACHED"


def test_concurrent_additions_keep_ancestor_counts_exact(database: Database) -> None:
    """Two transactions placing entries under the same ancestor: the second waits for the
    first's row locks, so neither count misses the other's entry (PostgreSQL; SQLite has a
    single writer)."""
    if database.is_sqlite:
        pytest.skip("SQLite serializes writers")
    with database.partner_session(PID) as s:
        root = add(s, "root")
        left, right = add(s, "left", root), add(s, "right", root)
        e1, e2 = entry(s, "one"), entry(s, "two")
        s.commit()
        ids = (root.id, left.id, right.id)
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with database.partner_session(PID) as s2:
                category_members.add_membership(s2, e2, categories.get_category(s2, ids[2]), None)
                s2.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    with database.partner_session(PID) as s1:
        category_members.add_membership(s1, e1, categories.get_category(s1, ids[1]), None)
        worker = threading.Thread(target=second)
        worker.start()
        for _ in range(400):
            with database.engine.connect() as probe:
                waiting = probe.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()")).scalar()
            if waiting or not worker.is_alive():
                break
            time.sleep(0.025)
        assert worker.is_alive(), "the second writer did not wait for the first"
        s1.commit()
    worker.join()
    assert not errors
    with database.partner_session(PID) as s:
        assert categories.get_category(s, ids[0]).entries_count == 2
