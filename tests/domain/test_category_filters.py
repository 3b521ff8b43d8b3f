"""The category entry filters: registered handlers applied to a plain SELECT of the
entry table."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from support.category_helpers import PID, add, code, entry

from vpaas.db.base import Database
from vpaas.db.tables.entry import EntryRow
from vpaas.domain import category_filters, category_members
from vpaas.domain.categories import MembershipStatus
from vpaas.domain.entry_query import ENTRY_FILTER_HANDLERS, QueryContext
from vpaas.registry import ApiError


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
                category_members.add_membership(s, ids[key], cat, None)
            rejected = entry(s, "rejected")
            category_members.add_membership(s, rejected, fun, None, pending=True)
            row = category_members.membership(s, rejected, fun.id)
            assert row is not None
            category_members.set_membership_status(s, row, MembershipStatus.REJECTED)
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

    def test_every_filter_is_registered_and_covered(self) -> None:
        assert set(category_filters.ENTRY_FILTERS) <= set(ENTRY_FILTER_HANDLERS)
        assert {prop for prop, _, _ in self.CASES} == set(category_filters.ENTRY_FILTERS)

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
