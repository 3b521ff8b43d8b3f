"""Whether one condition holds for one request, and why: Kaltura's ``kCondition`` family.

A condition first computes whether its test *matched*, then ``not`` flips it into
*fulfilled*. Match conditions (site, country, IP, user agent) follow ``kMatchCondition``: no
values means fulfilled-before-``not``; a missing field (no referrer, unknown country...) means
not matched.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from vpaas.domain import geo
from vpaas.domain.access.context import (
    MAX_USER_AGENT_LENGTH,
    AccessContext,
    request_ip,
    site_matches,
    url_host,
)
from vpaas.domain.access.model import (
    Condition,
    ConditionType,
    IpRange,
    compile_regex,
    parse_ip_range,
)

if TYPE_CHECKING:
    from vpaas.api.ks import KsData

REGEX_TIMEOUT_SECONDS = 0.05
WIDGET_PRIVILEGE = "widget"


@dataclass(frozen=True)
class Outcome:
    """A condition's result: ``matched`` before ``not``, ``fulfilled`` after, and why."""

    fulfilled: bool
    matched: bool
    reason: str


class Facts:
    """What conditions read from the request, each worked out at most once per evaluation."""

    def __init__(self, ctx: AccessContext) -> None:
        self.ctx = ctx
        self.ks: KsData | None = ctx.effective_ks()
        self.now = ctx.current_time()

    @cached_property
    def host(self) -> str | None:
        return url_host(self.ctx.referrer)

    @cached_property
    def geo(self) -> geo.GeoResult:
        ip = geo.normalize_ip(self.ctx.client_ip)
        if ip is None:
            return geo.GeoResult(self.ctx.client_ip[:64], None, geo.INVALID)
        if self.ctx.country_resolver is geo.country_code:
            return geo.lookup(ip)
        country = self.ctx.country_resolver(ip)
        code = country.upper() if country else None
        return geo.GeoResult(ip, code, geo.FOUND if code else geo.NOT_FOUND)

    @property
    def scheduled_now(self) -> bool:
        start, end = self.ctx.start_date, self.ctx.end_date
        return (not start or start <= self.now) and (not end or end >= self.now)


def check(cond: Condition, facts: Facts) -> Outcome:
    """Evaluate one condition (``not`` applied)."""
    if cond.type == ConditionType.SESSION_TYPE and facts.ks is None:
        # Kaltura: without a KS a session-type condition is false, with or without ``not``.
        return Outcome(False, False, "no KS, so the session type condition is false")
    matched, reason = _CHECKS[cond.type](cond, facts)
    fulfilled = not matched if cond.negate else matched
    if cond.negate:
        reason += f"; 'not' makes it {'true' if fulfilled else 'false'}"
    return Outcome(fulfilled, matched, reason)


def _site(cond: Condition, facts: Facts) -> tuple[bool, str]:
    if not cond.values:
        return True, "no sites listed (always true)"
    host = facts.host
    if host is None:
        return False, "no referrer host"
    hit = next((v for v in cond.values if site_matches(host, v)), None)
    if hit is not None:
        return True, f"referrer host {host!r} matches site {hit!r}"
    return False, f"referrer host {host!r} matches none of {_shown(cond.values)}"


def _country(cond: Condition, facts: Facts) -> tuple[bool, str]:
    if not cond.values:
        return True, "no countries listed (always true)"
    found = facts.geo
    if found.country is None:
        return False, f"country unknown: {found.describe()}"
    wanted = {v.upper() for v in cond.values}
    verdict = "is" if found.country in wanted else "is not"
    return found.country in wanted, f"{found.describe()}, which {verdict} in {_shown(wanted)}"


def _ip(cond: Condition, facts: Facts) -> tuple[bool, str]:
    if not cond.values:
        return True, "no IP ranges listed (always true)"
    ip = request_ip(facts.ctx, cond.http_header, cond.accept_internal_ips)
    source = f"header {cond.http_header!r}" if cond.http_header else "client address"
    if ip is None:
        return False, f"no usable IP address in the {source}"
    addr = ipaddress.ip_address(ip)
    for value in cond.values:
        if _ip_range(value).contains(addr):
            return True, f"{source} {ip} is in {value!r}"
    return False, f"{source} {ip} is in none of {_shown(cond.values)}"


@lru_cache(maxsize=1024)
def _ip_range(value: str) -> IpRange:
    return parse_ip_range(value)


def _user_agent(cond: Condition, facts: Facts) -> tuple[bool, str]:
    if not cond.values:
        return True, "no user-agent patterns listed (always true)"
    agent = facts.ctx.user_agent[:MAX_USER_AGENT_LENGTH]
    if not agent:
        return False, "no user agent"
    timed_out = []
    for value in cond.values:
        if agent == value:
            return True, f"user agent equals {value!r}"
        try:
            if compile_regex(value).search(agent, timeout=REGEX_TIMEOUT_SECONDS):
                return True, f"user agent matches /{value}/i"
        except TimeoutError:
            timed_out.append(value)
    note = f" ({_shown(timed_out)} gave up after {REGEX_TIMEOUT_SECONDS}s)" if timed_out else ""
    return False, f"user agent {agent[:120]!r} matches none of {_shown(cond.values)}{note}"


def _authenticated(cond: Condition, facts: Facts) -> tuple[bool, str]:
    ks = facts.ks
    if ks is None:
        return False, "no KS of the entry's partner"
    if ks.is_admin:
        return True, "admin KS"
    entry_id = facts.ctx.entry_id
    for name in cond.privileges:
        target = "1" if name == WIDGET_PRIVILEGE else entry_id
        if ks.privileges.allows_entry(name, target):
            return True, f"KS holds privilege {name}:{target}"
    wanted = ", ".join(f"{n}:{'1' if n == WIDGET_PRIVILEGE else entry_id}"
                       for n in cond.privileges)
    return False, f"user KS without any of [{wanted}]"


def _scheduled(cond: Condition, facts: Facts) -> tuple[bool, str]:
    start, end = facts.ctx.start_date, facts.ctx.end_date
    window = f"startDate={start or '-'}, endDate={end or '-'}, now={facts.now}"
    if facts.scheduled_now:
        return True, f"entry is scheduled now ({window})"
    return False, f"entry is outside its schedule ({window})"


def _session_type(cond: Condition, facts: Facts) -> tuple[bool, str]:
    assert facts.ks is not None
    kind = "ADMIN" if cond.session_type == 2 else "USER"
    actual = facts.ks.session_type
    return actual == cond.session_type, f"KS type is {actual}, condition wants {kind}"


def _or(cond: Condition, facts: Facts) -> tuple[bool, str]:
    if not cond.conditions:
        return False, "empty OR"
    parts = []
    for i, sub in enumerate(cond.conditions):
        outcome = check(sub, facts)
        parts.append(f"[{i}] {'true' if outcome.fulfilled else 'false'}: {outcome.reason}")
        if outcome.fulfilled:
            return True, "OR: " + "; ".join(parts)
    return False, "OR: " + "; ".join(parts)


def _shown(values: Iterable[str]) -> str:
    items = sorted(values) if isinstance(values, set) else list(values)
    text = ", ".join(repr(v) for v in items[:10])
    return f"[{text}{', ...' if len(items) > 10 else ''}]"


_CHECKS: dict[ConditionType, Callable[[Condition, Facts], tuple[bool, str]]] = {
    ConditionType.SITE: _site,
    ConditionType.COUNTRY: _country,
    ConditionType.IP_ADDRESS: _ip,
    ConditionType.USER_AGENT: _user_agent,
    ConditionType.AUTHENTICATED: _authenticated,
    ConditionType.ENTRY_SCHEDULED: _scheduled,
    ConditionType.SESSION_TYPE: _session_type,
    ConditionType.OR_OPERATOR: _or,
}

__all__ = ["Facts", "Outcome", "check"]
