"""Access-control profiles in the database: the default profile, lookups, defaults, deletion.

Every partner has a default profile, created on first use as "Default" with no rules. An
entry uses the profile its ``access_control_id`` names, else (none set, or the profile is
gone) its partner's default. Deleting a profile moves its entries to the default, as Kaltura
does. Queries name the partner explicitly, so these helpers also work in a system session.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, select, update
from sqlalchemy.orm import Session

from vpaas.db.base import now
from vpaas.db.tables.access_control import AccessControlProfileRow
from vpaas.db.tables.entry import EntryRow
from vpaas.domain.access.model import Rule, parse_rules
from vpaas.registry import catalogue as E

MAX_PROFILES_PER_PARTNER = 200
DEFAULT_NAME = "Default"


def _live(partner_id: int) -> ColumnElement[bool]:
    return and_(AccessControlProfileRow.partner_id == partner_id,
                AccessControlProfileRow.deleted_at.is_(None))


def default_profile(session: Session, partner_id: int) -> AccessControlProfileRow:
    """The partner's default profile, created (named "Default", no rules) on first use."""
    row = session.scalars(
        select(AccessControlProfileRow)
        .where(_live(partner_id), AccessControlProfileRow.is_default.is_(True))
        .order_by(AccessControlProfileRow.id)
    ).first()
    if row is not None:
        return row
    row = AccessControlProfileRow(partner_id=partner_id, name=DEFAULT_NAME,
                                  system_name=DEFAULT_NAME, description="Default access control",
                                  is_default=True, rules=[])
    session.add(row)
    session.flush()
    return row


def find_profile(session: Session, partner_id: int,
                 profile_id: int | None) -> AccessControlProfileRow | None:
    """A live profile of the partner, or None."""
    if profile_id is None:
        return None
    return session.scalars(select(AccessControlProfileRow).where(
        _live(partner_id), AccessControlProfileRow.id == int(profile_id))).first()


def get_profile(session: Session, partner_id: int, profile_id: int) -> AccessControlProfileRow:
    """A live profile of the partner, else ACCESS_CONTROL_ID_NOT_FOUND."""
    row = find_profile(session, partner_id, profile_id)
    if row is None:
        raise E.ACCESS_CONTROL_ID_NOT_FOUND(profile_id)
    return row


def rules_of(row: AccessControlProfileRow) -> list[Rule]:
    """The profile's rules, in evaluation order."""
    return parse_rules(row.rules or [], f"accessControlProfile:{row.id}:rules")


def profile_row_for_entry(session: Session, entry: EntryRow) -> AccessControlProfileRow:
    """The profile that governs ``entry``: its own, else its partner's default."""
    row = find_profile(session, entry.partner_id, entry.access_control_id)
    return row if row is not None else default_profile(session, entry.partner_id)


def profile_for_entry(session: Session, entry: EntryRow) -> list[Rule]:
    """The rules that govern ``entry`` (see :func:`profile_row_for_entry`)."""
    return rules_of(profile_row_for_entry(session, entry))


def check_can_add(session: Session, partner_id: int) -> None:
    """Refuse a new profile past MAX_PROFILES_PER_PARTNER."""
    count = session.scalar(select(func.count()).select_from(AccessControlProfileRow)
                           .where(_live(partner_id))) or 0
    if count >= MAX_PROFILES_PER_PARTNER:
        raise E.MAX_NUMBER_OF_ACCESS_CONTROLS_REACHED(MAX_PROFILES_PER_PARTNER)


def new_profile(session: Session, partner_id: int) -> AccessControlProfileRow:
    """A new, empty, non-default profile (after making sure the partner default exists and
    the partner is under its profile limit); the caller fills it in."""
    default_profile(session, partner_id)
    check_can_add(session, partner_id)
    row = AccessControlProfileRow(partner_id=partner_id, name="", is_default=False, rules=[])
    session.add(row)
    session.flush()
    return row


def check_system_name(session: Session, partner_id: int, system_name: str | None,
                      exclude_id: int | None = None) -> None:
    """Refuse a system name another live profile of the partner already has."""
    if not system_name:
        return
    query = select(AccessControlProfileRow.id).where(
        _live(partner_id), AccessControlProfileRow.system_name == system_name)
    if exclude_id is not None:
        query = query.where(AccessControlProfileRow.id != exclude_id)
    if session.scalars(query).first() is not None:
        raise E.SYSTEM_NAME_ALREADY_EXISTS(system_name)


def set_default(session: Session, row: AccessControlProfileRow) -> None:
    """Make ``row`` its partner's only default profile."""
    for other in session.scalars(select(AccessControlProfileRow).where(
            _live(row.partner_id), AccessControlProfileRow.is_default.is_(True),
            AccessControlProfileRow.id != row.id)):
        other.is_default = False
    row.is_default = True


def delete_profile(session: Session, row: AccessControlProfileRow) -> int:
    """Delete a (non-default) profile; its entries move to the default. Returns their count."""
    if row.is_default:
        raise E.CANNOT_DELETE_DEFAULT_ACCESS_CONTROL()
    default = default_profile(session, row.partner_id)
    row.deleted_at = now()
    moved = session.execute(
        update(EntryRow)
        .where(EntryRow.partner_id == row.partner_id, EntryRow.access_control_id == row.id)
        .values(access_control_id=default.id)
        .execution_options(synchronize_session="fetch"))
    return int(getattr(moved, "rowcount", 0) or 0)
