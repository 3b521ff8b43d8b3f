"""Access-control rules as data: rules, conditions, actions; checked on the way in.

A profile's rules are stored as a JSON list of :meth:`Rule.to_dict` dicts (keys spelled as the
Kaltura API spells them). :func:`parse_rules` turns such a list back into frozen dataclasses and
refuses anything that could not be evaluated (a bad IP range, a regex that does not compile, a
value too long) with ``INVALID_ACCESS_CONTROL_RULE`` naming where it is.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from functools import lru_cache
from typing import Any

import regex

from vpaas.registry import catalogue as E

MAX_RULES = 100
MAX_CONDITIONS = 20
MAX_ACTIONS = 10
MAX_VALUES = 100
MAX_VALUE_LENGTH = 256
MAX_REGEX_LENGTH = 512
MAX_TEXT_LENGTH = 1024
MAX_RULE_DATA_LENGTH = 4096
MAX_OR_DEPTH = 3
MATCH_ANY = 1
MATCH_ALL = 2
DEFAULT_PRIVILEGES = ("sview", "sviewplaylist")  # what an AUTHENTICATED condition asks by default


class ContextType(IntEnum):
    """Where a rule applies (Kaltura's ``ContextType``)."""

    PLAY = 1
    DOWNLOAD = 2
    THUMBNAIL = 3
    METADATA = 4
    EXPORT = 5
    SERVE = 6


class ConditionType(StrEnum):
    """The condition kinds vpaas evaluates (Kaltura's ``ConditionType`` values)."""

    AUTHENTICATED = "1"
    COUNTRY = "2"
    IP_ADDRESS = "3"
    SITE = "4"
    USER_AGENT = "5"
    OR_OPERATOR = "11"
    ENTRY_SCHEDULED = "19"
    SESSION_TYPE = "22"


class ActionType(StrEnum):
    """The action kinds vpaas applies (Kaltura's ``RuleActionType`` values)."""

    BLOCK = "1"
    PREVIEW = "2"
    LIMIT_FLAVORS = "3"
    LIMIT_THUMBNAIL_CAPTURE = "8"


MATCH_TYPES = (ConditionType.COUNTRY, ConditionType.IP_ADDRESS, ConditionType.SITE,
               ConditionType.USER_AGENT)


@dataclass(frozen=True)
class Condition:
    """One condition; ``negate`` is Kaltura's ``not``. Kind-specific fields keep defaults
    when they do not apply."""

    type: ConditionType
    negate: bool = False
    description: str = ""
    values: tuple[str, ...] = ()  # match conditions (site, country, IP ranges, UA regexes)
    match_type: int = MATCH_ALL
    privileges: tuple[str, ...] = DEFAULT_PRIVILEGES  # AUTHENTICATED
    http_header: str = ""  # IP_ADDRESS: take the address from this request header
    accept_internal_ips: bool = False  # IP_ADDRESS: private addresses in that header count
    geo_coder_type: str = "1"  # COUNTRY (all coder types use the bundled database)
    session_type: int = 2  # SESSION_TYPE (0 USER, 2 ADMIN)
    conditions: tuple[Condition, ...] = ()  # OR_OPERATOR

    def to_dict(self) -> dict[str, Any]:
        """The stored form; only fields that apply to the kind are written."""
        out: dict[str, Any] = {"type": self.type.value, "not": self.negate}
        if self.description:
            out["description"] = self.description
        if self.type in MATCH_TYPES:
            out["values"] = list(self.values)
            out["matchType"] = self.match_type
        if self.type == ConditionType.AUTHENTICATED:
            out["privileges"] = list(self.privileges)
        if self.type == ConditionType.IP_ADDRESS:
            out["httpHeader"] = self.http_header
            out["acceptInternalIps"] = self.accept_internal_ips
        if self.type == ConditionType.COUNTRY:
            out["geoCoderType"] = self.geo_coder_type
        if self.type == ConditionType.SESSION_TYPE:
            out["sessionType"] = self.session_type
        if self.type == ConditionType.OR_OPERATOR:
            out["conditions"] = [c.to_dict() for c in self.conditions]
        return out


@dataclass(frozen=True)
class Action:
    """One action a fulfilled rule adds."""

    type: ActionType
    limit: int = 0  # PREVIEW: seconds
    flavor_params_ids: tuple[int, ...] = ()  # LIMIT_FLAVORS
    is_blocked_list: bool = False  # LIMIT_FLAVORS: the ids are blocked (else: the only allowed)

    def to_dict(self) -> dict[str, Any]:
        """The stored form."""
        out: dict[str, Any] = {"type": self.type.value}
        if self.type == ActionType.PREVIEW:
            out["limit"] = self.limit
        if self.type == ActionType.LIMIT_FLAVORS:
            out["flavorParamsIds"] = ",".join(str(i) for i in self.flavor_params_ids)
            out["isBlockedList"] = self.is_blocked_list
        return out


@dataclass(frozen=True)
class Rule:
    """A rule: when every condition holds (in one of ``contexts``, or any context if none),
    its actions and message are added; ``stop_processing`` ends evaluation there.

    ``restriction`` names the legacy ``accessControl`` restriction the rule stands for
    (``site``, ``country``...), empty for rules made through ``accessControlProfile``.
    """

    description: str = ""
    rule_data: str = ""
    message: str = ""
    code: str = ""
    actions: tuple[Action, ...] = ()
    conditions: tuple[Condition, ...] = ()
    contexts: tuple[ContextType, ...] = ()
    stop_processing: bool = False
    force_admin_validation: bool = False
    restriction: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The stored form."""
        out: dict[str, Any] = {
            "description": self.description, "ruleData": self.rule_data,
            "message": self.message, "code": self.code,
            "actions": [a.to_dict() for a in self.actions],
            "conditions": [c.to_dict() for c in self.conditions],
            "contexts": [int(c) for c in self.contexts],
            "stopProcessing": self.stop_processing,
            "forceAdminValidation": self.force_admin_validation}
        if self.restriction:
            out["restriction"] = self.restriction
        return out

    def applies_to(self, context: ContextType) -> bool:
        """Whether the rule is in ``context`` (no contexts = every context)."""
        return not self.contexts or context in self.contexts


@dataclass(frozen=True)
class IpRange:
    """An inclusive address range of one IP version."""

    version: int
    first: int
    last: int

    def contains(self, addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return addr.version == self.version and self.first <= int(addr) <= self.last


# --- parsing --------------------------------------------------------------------------------


class _Where:
    """A location in the rules for error messages: ``rules:0:conditions:1:values:2``."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __truediv__(self, part: object) -> _Where:
        return _Where(f"{self.path}:{part}")

    def fail(self, reason: str) -> Exception:
        return E.INVALID_ACCESS_CONTROL_RULE(self.path, reason)


def parse_rules(items: Sequence[Mapping[str, Any]] | None, where: str = "rules") -> list[Rule]:
    """Stored (or API-converted) rule dicts to :class:`Rule` objects, validated."""
    items = list(items or [])
    at = _Where(where)
    if len(items) > MAX_RULES:
        raise at.fail(f"at most {MAX_RULES} rules per profile")
    return [parse_rule(item, at / i) for i, item in enumerate(items)]


def parse_rule(data: Mapping[str, Any], at: _Where) -> Rule:
    """One rule dict to a :class:`Rule`."""
    actions = _seq(data.get("actions"), at / "actions", MAX_ACTIONS)
    conditions = _seq(data.get("conditions"), at / "conditions", MAX_CONDITIONS)
    contexts = []
    for i, raw in enumerate(_seq(data.get("contexts"), at / "contexts", 6)):
        try:
            contexts.append(ContextType(int(raw)))
        except (TypeError, ValueError):
            raise (at / "contexts" / i).fail(f"unknown context type {raw!r}") from None
    return Rule(
        description=_text(data.get("description"), at / "description", MAX_TEXT_LENGTH),
        rule_data=_text(data.get("ruleData"), at / "ruleData", MAX_RULE_DATA_LENGTH),
        message=_text(data.get("message"), at / "message", MAX_TEXT_LENGTH),
        code=_text(data.get("code"), at / "code", 128),
        actions=tuple(parse_action(a, at / "actions" / i) for i, a in enumerate(actions)),
        conditions=tuple(parse_condition(c, at / "conditions" / i, 0)
                         for i, c in enumerate(conditions)),
        contexts=tuple(dict.fromkeys(contexts)),
        stop_processing=bool(data.get("stopProcessing")),
        force_admin_validation=bool(data.get("forceAdminValidation")),
        restriction=str(data.get("restriction") or ""))


def parse_action(data: Mapping[str, Any], at: _Where) -> Action:
    """One action dict to an :class:`Action`."""
    kind = _enum(ActionType, data.get("type"), at / "type", "action type")
    if kind == ActionType.PREVIEW:
        limit = data.get("limit")
        if not isinstance(limit, int) or isinstance(limit, bool) or not 0 <= limit <= 86400:
            raise (at / "limit").fail("preview limit must be whole seconds from 0 to 86400")
        return Action(kind, limit=limit)
    if kind == ActionType.LIMIT_FLAVORS:
        ids = parse_id_list(data.get("flavorParamsIds"), at / "flavorParamsIds")
        return Action(kind, flavor_params_ids=ids,
                      is_blocked_list=bool(data.get("isBlockedList")))
    return Action(kind)


def parse_id_list(raw: Any, at: _Where) -> tuple[int, ...]:
    """``"0,2, 7"`` to ``(0, 2, 7)``."""
    parts = [p.strip() for p in str(raw or "").split(",") if p.strip()]
    if len(parts) > MAX_VALUES or not all(p.isdigit() and len(p) < 10 for p in parts):
        raise at.fail(f"expected comma separated flavor params ids, got {str(raw)[:80]!r}")
    return tuple(dict.fromkeys(int(p) for p in parts))


def parse_condition(data: Mapping[str, Any], at: _Where, depth: int) -> Condition:
    """One condition dict to a :class:`Condition`."""
    kind = _enum(ConditionType, data.get("type"), at / "type", "condition type")
    changes: dict[str, Any] = {}
    if kind in MATCH_TYPES:
        changes.update(_match_fields(kind, data, at))
    if kind == ConditionType.AUTHENTICATED and data.get("privileges") is not None:
        names = (_text(p, at / "privileges" / i, MAX_VALUE_LENGTH).strip() for i, p in
                 enumerate(_seq(data.get("privileges"), at / "privileges", MAX_VALUES)))
        changes["privileges"] = tuple(n for n in names if n)
    if kind == ConditionType.IP_ADDRESS:
        changes["http_header"] = _text(data.get("httpHeader"), at / "httpHeader", 128).strip()
        changes["accept_internal_ips"] = bool(data.get("acceptInternalIps"))
    if kind == ConditionType.COUNTRY:
        changes["geo_coder_type"] = str(data.get("geoCoderType") or "1")
    if kind == ConditionType.SESSION_TYPE:
        changes["session_type"] = data.get("sessionType", 2)
        if changes["session_type"] not in (0, 2):
            raise (at / "sessionType").fail("sessionType is 0 (USER) or 2 (ADMIN)")
    if kind == ConditionType.OR_OPERATOR:
        if depth >= MAX_OR_DEPTH:
            raise at.fail(f"OR conditions nest at most {MAX_OR_DEPTH} deep")
        subs = _seq(data.get("conditions"), at / "conditions", MAX_CONDITIONS)
        changes["conditions"] = tuple(parse_condition(c, at / "conditions" / i, depth + 1)
                                      for i, c in enumerate(subs))
    description = _text(data.get("description"), at / "description", MAX_TEXT_LENGTH)
    return Condition(kind, negate=bool(data.get("not")), description=description, **changes)


def _match_fields(kind: ConditionType, data: Mapping[str, Any], at: _Where) -> dict[str, Any]:
    match_type = data.get("matchType") or MATCH_ALL
    if match_type not in (MATCH_ANY, MATCH_ALL):
        raise (at / "matchType").fail("matchType is 1 (any) or 2 (all)")
    return {"values": tuple(_values(kind, data.get("values"), at / "values")),
            "match_type": int(match_type)}


def _values(kind: ConditionType, raw: Any, at: _Where) -> list[str]:
    limit = MAX_REGEX_LENGTH if kind == ConditionType.USER_AGENT else MAX_VALUE_LENGTH
    out: list[str] = []
    for i, item in enumerate(_seq(raw, at, MAX_VALUES)):
        value = _text(item, at / i, limit)
        if kind == ConditionType.USER_AGENT:
            compile_regex(value, at / i)
            out.append(value)
            continue
        # Like Kaltura's restriction lists, a value may hold several comma separated items.
        for part in (p.strip() for p in value.split(",")):
            if not part:
                continue
            if kind == ConditionType.IP_ADDRESS:
                parse_ip_range(part, at / i)
            if kind == ConditionType.COUNTRY and not (len(part) == 2 and part.isalpha()):
                raise (at / i).fail(f"{part!r} is not a two-letter country code")
            out.append(part.upper() if kind == ConditionType.COUNTRY else part)
    if len(out) > MAX_VALUES:
        raise at.fail(f"at most {MAX_VALUES} values")
    return out


def parse_ip_range(text: str, at: _Where | None = None) -> IpRange:
    """A single address, ``first-last``, ``net/bits`` or ``net/dotted.mask`` (IPv4 or IPv6)."""
    where = at or _Where("ip")
    spec = text.strip()
    try:
        if "-" in spec and "/" not in spec:
            lo_text, hi_text = (p.strip() for p in spec.split("-", 1))
            lo, hi = ipaddress.ip_address(lo_text), ipaddress.ip_address(hi_text)
            if lo.version != hi.version or int(lo) > int(hi):
                raise ValueError("the range's ends differ in version or are reversed")
            return IpRange(lo.version, int(lo), int(hi))
        if "/" in spec and "-" not in spec:
            net = ipaddress.ip_network(spec.replace(" ", ""), strict=False)
            if net.prefixlen == 0:
                raise ValueError("a /0 network matches every address")
            return IpRange(net.version, int(net.network_address), int(net.broadcast_address))
        addr = ipaddress.ip_address(spec)
        return IpRange(addr.version, int(addr), int(addr))
    except ValueError as err:
        raise where.fail(f"{spec[:80]!r} is not an IP address, range or network ({err})"
                         ) from None


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern, regex.IGNORECASE)


def compile_regex(pattern: str, at: _Where | None = None) -> regex.Pattern[str]:
    """A user-agent pattern, compiled case-insensitively (as Kaltura's ``/value/i``)."""
    if len(pattern) > MAX_REGEX_LENGTH:
        raise (at or _Where("regex")).fail(f"a pattern holds at most {MAX_REGEX_LENGTH} chars")
    try:
        return _compiled(pattern)
    except regex.error as err:
        raise (at or _Where("regex")).fail(f"{pattern[:80]!r} is not a valid regex ({err})"
                                           ) from None


def _seq(raw: Any, at: _Where, limit: int) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, (list, tuple)):
        raise at.fail("expected a list")
    if len(raw) > limit:
        raise at.fail(f"at most {limit} items")
    return list(raw)


def _text(raw: Any, at: _Where, limit: int) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, (str, int, float)) or isinstance(raw, bool):
        raise at.fail("expected text")
    text = str(raw)
    if len(text) > limit:
        raise at.fail(f"at most {limit} characters")
    return text


def _enum(cls: Any, raw: Any, at: _Where, what: str) -> Any:
    try:
        return cls(str(raw))
    except ValueError:
        known = ", ".join(f"{m.value} ({m.name})" for m in cls)
        raise at.fail(f"unsupported {what} {raw!r}; supported: {known}") from None


__all__ = ["MATCH_ALL", "MATCH_ANY", "Action", "ActionType", "Condition", "ConditionType",
           "ContextType", "IpRange", "Rule", "compile_regex", "parse_ip_range",
           "parse_rules"]
