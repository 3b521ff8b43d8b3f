"""Categories domain: the tree, its paths and limits, deletion and partner scoping."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from support.category_helpers import PID, add, code, entry

from vpaas.db.base import Database
from vpaas.db.tables.category import CategoryEntryRow, CategoryRow
from vpaas.domain import categories, category_members
from vpaas.domain.categories import MAX_DEPTH
from vpaas.registry import ApiError


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


def test_delete_moves_members_to_the_parent_once(database: Database) -> None:
    with database.partner_session(PID) as s:
        top = add(s, "top")
        mid = add(s, "mid", top)
        low = add(s, "low", mid)
        e1 = entry(s, "one")
        for cat in (top, mid, low):
            category_members.add_membership(s, e1, cat, None)
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
