"""The entry-list filters on categories (``categoriesIdsMatchOr``...).

Importing this module registers its handlers with :mod:`vpaas.domain.entry_query`; the
modules that run entry lists (:mod:`vpaas.domain.library`, :mod:`vpaas.domain.playlists`)
import it. Only ACTIVE memberships place an entry in a category; the ``...NotContains``
filters exclude entries with a membership of any status.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, false, func, or_, select

from vpaas.domain.categories import C, M, MembershipStatus, live, parse_ids, path_contains
from vpaas.domain.entry_query import QueryContext, filter_handler
from vpaas.registry import catalogue as E


def ids_by_full_names(names: Iterable[str]) -> Select[Any]:
    """SELECT of the live category ids with these full names."""
    wanted = [n.strip() for n in names if n.strip()]
    return select(C.id).where(C.full_name.in_(wanted), live())


def subtree_ids(category_ids: Iterable[int]) -> Select[Any]:
    """SELECT of the live ids of these categories and all their descendants."""
    ids = list(category_ids)
    if not ids:
        return select(C.id).where(false())
    return select(C.id).where(or_(*(path_contains(C.full_ids, i) for i in ids)), live())


_ACTIVE = int(MembershipStatus.ACTIVE)


def _members_of(category_ids: Select[Any] | list[int], qctx: QueryContext,
                statuses: tuple[int, ...] = (_ACTIVE,)) -> Select[Any]:
    return select(M.entry_id).where(M.partner_id == qctx.partner_id,
                                    M.category_id.in_(category_ids), M.status.in_(statuses))


def _in_any(stmt: Select[Any], qctx: QueryContext, ids: Select[Any] | list[int]) -> Select[Any]:
    return stmt.where(qctx.entry.id.in_(_members_of(ids, qctx)))


def _in_all(stmt: Select[Any], qctx: QueryContext, ids: list[int]) -> Select[Any]:
    wanted = sorted(set(ids))
    if not wanted:
        return stmt.where(false())
    holders = (_members_of(wanted, qctx).group_by(M.entry_id)
               .having(func.count(func.distinct(M.category_id)) == len(wanted)))
    return stmt.where(qctx.entry.id.in_(holders))


def _in_none(stmt: Select[Any], qctx: QueryContext, ids: Select[Any]) -> Select[Any]:
    every = (_ACTIVE, int(MembershipStatus.PENDING), int(MembershipStatus.REJECTED))
    return stmt.where(qctx.entry.id.not_in(_members_of(ids, qctx, every)))


def _names(value: Any) -> list[str]:
    names = [n.strip() for n in str(value).split(",") if n.strip()]
    if len(names) > 500:
        raise E.INVALID_PARAMETER_VALUE(f"({len(names)} names, at most 500)", "filter")
    return names


def _name_ids(names: list[str], qctx: QueryContext) -> list[int]:
    return list(qctx.session.scalars(ids_by_full_names(names)
                                     .where(C.partner_id == qctx.partner_id)))


def _empty(stmt: Select[Any], value: Any, qctx: QueryContext) -> Select[Any]:
    flag = int(getattr(value, "value", value))
    if flag not in (0, 1):
        return stmt
    placed = qctx.entry.id.in_(select(M.entry_id).where(M.partner_id == qctx.partner_id,
                                                        M.status == _ACTIVE))
    return stmt.where(~placed if flag else placed)


def _all_names(stmt: Select[Any], value: Any, qctx: QueryContext) -> Select[Any]:
    names = set(_names(value))
    ids = _name_ids(sorted(names), qctx)
    return _in_all(stmt, qctx, ids) if len(ids) == len(names) else stmt.where(false())


def _ids(name: str) -> Any:
    return lambda value: parse_ids(value, f"filter:{name}")


_HANDLERS: dict[str, Any] = {
    # entries placed (ACTIVE) in any / every one of these categories (ids)
    "categoriesIdsMatchOr": lambda s, v, q: _in_any(s, q, _ids("categoriesIdsMatchOr")(v)),
    "categoriesIdsMatchAnd": lambda s, v, q: _in_all(s, q, _ids("categoriesIdsMatchAnd")(v)),
    # entries in none of these categories nor below them (any membership status)
    "categoriesIdsNotContains": lambda s, v, q: _in_none(
        s, q, subtree_ids(_ids("categoriesIdsNotContains")(v))),
    # 1: entries in no category; 0: in at least one; -1: no condition
    "categoriesIdsEmpty": _empty,
    # the same by full names
    "categoriesMatchOr": lambda s, v, q: _in_any(s, q, _name_ids(_names(v), q)),
    "categoriesFullNameIn": lambda s, v, q: _in_any(s, q, _name_ids(_names(v), q)),
    "categoriesMatchAnd": _all_names,
    "categoriesNotContains": lambda s, v, q: _in_none(
        s, q, subtree_ids(_name_ids(_names(v), q))),
    # entries placed in any of these categories or anywhere below them
    "categoryAncestorIdIn": lambda s, v, q: _in_any(
        s, q, subtree_ids(_ids("categoryAncestorIdIn")(v))),
}
for _prop, _handler in _HANDLERS.items():
    filter_handler(_prop)(_handler)

ENTRY_FILTERS = tuple(_HANDLERS)
"""The entry filter properties this module handles."""
