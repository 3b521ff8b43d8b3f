"""Categories domain: the tree, counters, entry fields, and the entry filter handlers
applied to a plain SELECT of the entry table."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from vpaas.db.base import Database
from vpaas.db.tables.category import CategoryEntryRow, CategoryRow
from vpaas.db.tables.entry import EntryRow
from vpaas.domain import categories, entries
from vpaas.domain.categories import MAX_DEPTH, MembershipStatus
from vpaas.domain.entry_query import ENTRY_FILTER_HANDLERS, QueryContext
from vpaas.registry import ApiError

PID = 301


def entry(s: Session, name: str, status: int = 2) -> str:
    row = entries.new_entry(s, 1, {"name": name})
    row.status = status
    s.flush()
    return row.id


def add(s: Session, name: str, parent: CategoryRow | None = None,
        **values: Any) -> CategoryRow:
    return categories.add_category(s, name, parent.id if parent else 0, values)


def code(exc: pytest.ExceptionInfo[ApiError]) -> str:
    return exc.value.code


def test_paths_depth_and_subtree_rewrite(database: Database) -> None:
    with database.partner_session(PID) as s:
        a = add(s, "A")
        b = add(s, "B", a)
        c = add(s, "C", b)
        d = add(s, "D", c)
        assert (d.full_name, d.depth) == ("A>B>C>D", 3)
        assert categories.ancestor_ids(d) == [a.id, b.id, c.id, d.id]
        x = add(s, "X")
        categories.update_category(s, b, {}, "Bee", x.id)
        assert (c.full_name, c.full_ids, c.depth) == ("X>Bee>C", f"{x.id}>{b.id}>{c.id}", 2)
        assert d.full_name == "X>Bee>C>D" and d.depth == 3
        assert (a.direct_sub_categories_count, x.direct_sub_categories_count) == (0, 1)
        categories.update_category(s, c, {}, None, 0)
        assert (c.full_name, d.full_name, c.depth, d.depth) == ("C", "C>D", 0, 1)
        s.commit()


def test_tree_limits(database: Database) -> None:
    with database.partner_session(PID) as s:
        node = add(s, "n0")
        for i in range(1, MAX_DEPTH):
            node = add(s, f"n{i}", node)
        with pytest.raises(ApiError) as exc:
            add(s, "too deep", node)
        assert code(exc) == "MAX_CATEGORY_DEPTH_REACHED"
        other = add(s, "other")
        add(s, "leaf", other)
        root = s.scalars(select(CategoryRow).where(CategoryRow.name == f"n{MAX_DEPTH - 2}")).one()
        with pytest.raises(ApiError) as exc:
            categories.update_category(s, other, {}, None, root.id)
        assert code(exc) == "MAX_CATEGORY_DEPTH_REACHED"
        with pytest.raises(ApiError) as exc:
            categories.update_category(s, other, {"privacy_context": "x y"})
        assert code(exc) == "PRIVACY_CONTEXT_INVALID_STRING"


def test_counts_are_distinct_per_subtree_and_skip_deleted_entries(database: Database) -> None:
    with database.partner_session(PID) as s:
        root = add(s, "root")
        left, right = add(s, "left", root), add(s, "right", root)
        e1, e2 = entry(s, "one"), entry(s, "two")
        categories.add_membership(s, e1, left, "u")
        categories.add_membership(s, e1, right, "u")
        categories.add_membership(s, e2, right, "u")
        assert (root.entries_count, root.direct_entries_count) == (2, 0)
        assert (right.entries_count, right.direct_entries_count) == (2, 2)
        categories.add_membership(s, entry(s, "pending"), left, None, pending=True)
        assert (left.entries_count, left.pending_entries_count) == (1, 1)
        gone = s.get(EntryRow, e2)
        assert gone is not None
        entries.delete_entry(s, gone)
        categories.forget_entry(s, e2)
        assert (root.entries_count, right.entries_count) == (1, 1)
        assert s.scalars(select(CategoryEntryRow).where(
            CategoryEntryRow.entry_id == e2)).first() is None
        row = s.get(EntryRow, e1)
        assert row is not None and row.categories == "root>left,root>right"
        s.commit()


def test_an_entry_holds_at_most_32_categories(database: Database) -> None:
    with database.partner_session(PID) as s:
        e1 = entry(s, "busy")
        for i in range(categories.MAX_CATEGORIES_PER_ENTRY):
            categories.add_membership(s, e1, add(s, f"c{i}"), None)
        with pytest.raises(ApiError) as exc:
            categories.add_membership(s, e1, add(s, "one more"), None)
        assert code(exc) == "MAX_CATEGORIES_FOR_ENTRY_REACHED"


def test_delete_moves_members_to_the_parent_once(database: Database) -> None:
    with database.partner_session(PID) as s:
        top = add(s, "top")
        mid = add(s, "mid", top)
        low = add(s, "low", mid)
        e1 = entry(s, "one")
        for cat in (top, mid, low):
            categories.add_membership(s, e1, cat, None)
        categories.delete_category(s, mid, move_entries_to_parent=True)
        held = s.scalars(select(CategoryEntryRow.category_id)
                         .where(CategoryEntryRow.entry_id == e1)).all()
        assert held == [top.id]
        assert (mid.status, low.status) == (3, 3)
        assert (top.entries_count, top.direct_sub_categories_count) == (1, 0)
        assert categories._find(s, low.id) is None
        again = add(s, "mid", top)
        assert again.full_name == "top>mid"


def test_categories_are_partner_scoped(database: Database) -> None:
    with database.partner_session(PID) as s:
        mine = add(s, "mine")
        s.commit()
        mine_id = mine.id
    with database.partner_session(PID + 1) as s:
        with pytest.raises(ApiError) as exc:
            categories.get_category(s, mine_id)
        assert code(exc) == "CATEGORY_NOT_FOUND"
        assert add(s, "mine").full_name == "mine"
        s.commit()


class TestHandlers:
    """The registered handlers narrow a bare ``SELECT entry`` as media.list would."""

    @pytest.fixture
    def world(self, database: Database) -> dict[str, Any]:
        with database.partner_session(PID) as s:
            root = add(s, "Root")
            pets = add(s, "Pets", root)
            cats = add(s, "Cats", pets)
            fun = add(s, "Fun", root)
            ids = {k: entry(s, k) for k in ("a", "b", "c", "none")}
            for key, cat in (("a", cats), ("a", fun), ("b", pets), ("c", fun)):
                categories.add_membership(s, ids[key], cat, None)
            rejected = entry(s, "rejected")
            categories.add_membership(s, rejected, fun, None, pending=True)
            row = categories.membership(s, rejected, fun.id)
            assert row is not None
            categories.set_membership_status(s, row, MembershipStatus.REJECTED)
            ids["rejected"] = rejected
            s.commit()
            found = {"ids": ids, "root": root.id, "pets": pets.id, "cats": cats.id,
                     "fun": fun.id}
        with database.partner_session(PID + 1) as s:
            found["foreign"] = add(s, "Root").id
            s.commit()
        return found

    @staticmethod
    def run(database: Database, world: dict[str, Any], prop: str, value: Any) -> set[str]:
        with database.partner_session(PID) as s:
            q = QueryContext(s, PID)
            stmt = ENTRY_FILTER_HANDLERS[prop](select(EntryRow), value, q)
            by_id = {v: k for k, v in world["ids"].items()}
            return {by_id[r.id] for r in s.scalars(stmt)}

    CASES: list[tuple[str, Any, set[str]]] = [
        ("categoriesIdsMatchOr", "{cats},{pets}", {"a", "b"}),
        ("categoriesIdsMatchAnd", "{cats},{fun}", {"a"}),
        ("categoriesIdsMatchAnd", "{pets},{fun}", set()),
        ("categoriesIdsNotContains", "{pets}", {"c", "none", "rejected"}),
        ("categoriesIdsNotContains", "{fun}", {"b", "none"}),
        ("categoriesIdsEmpty", 1, {"none", "rejected"}),
        ("categoriesIdsEmpty", 0, {"a", "b", "c"}),
        ("categoriesIdsEmpty", -1, {"a", "b", "c", "none", "rejected"}),
        ("categoriesMatchOr", "Root>Fun", {"a", "c"}),
        ("categoriesFullNameIn", "Root>Pets,Nope", {"b"}),
        ("categoriesMatchAnd", "Root>Fun,Root>Pets>Cats", {"a"}),
        ("categoriesMatchAnd", "Root>Fun,Nope", set()),
        ("categoriesNotContains", "Root>Pets", {"c", "none", "rejected"}),
        ("categoryAncestorIdIn", "{root}", {"a", "b", "c"}),
        ("categoryAncestorIdIn", "{pets}", {"a", "b"}),
        ("categoryAncestorIdIn", "{foreign}", set()),
        ("categoriesIdsMatchOr", "{foreign}", set()),
    ]

    def test_handlers(self, database: Database, world: dict[str, Any]) -> None:
        names = {k: v for k, v in world.items() if k != "ids"}
        for prop, value, expected in self.CASES:
            shown = value.format(**names) if isinstance(value, str) else value
            got = self.run(database, world, prop, shown)
            assert got == expected, f"{prop}={value}: {sorted(got)}"

    def test_bad_ids(self, database: Database, world: dict[str, Any]) -> None:
        with pytest.raises(ApiError) as exc:
            self.run(database, world, "categoryAncestorIdIn", "1;drop")
        assert code(exc) == "PROPERTY_VALIDATION_NUMERIC_VALUE"


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
                categories.add_membership(s2, e2, categories.get_category(s2, ids[2]), None)
                s2.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    with database.partner_session(PID) as s1:
        categories.add_membership(s1, e1, categories.get_category(s1, ids[1]), None)
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
