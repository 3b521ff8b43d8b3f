"""Evaluate a profile's rules for one request: the decision and a trace of why.

Semantics follow Kaltura's ``accessControl::applyContext``, ``kRule`` and ``KSecureEntryHelper``:

- Rules run in order. A rule outside the request's context is skipped; otherwise it *fires*
  when all its conditions are fulfilled (evaluation of a rule stops at its first false
  condition). A firing rule adds its actions and message; ``stopProcessing`` ends evaluation.
- An admin KS skips every rule that does not set ``forceAdminValidation``.
- Any BLOCK action blocks. PREVIEW gives the shortest preview of all firing PREVIEW actions
  (never for an admin KS). Only the first LIMIT_FLAVORS action counts.
- Scheduling: an entry outside its ``startDate``/``endDate`` window is refused unless the KS
  is admin or holds ``sview`` for the entry; thumbnails and serveFlavor are not scheduled.
- DOWNLOAD: an admin KS or a ``download:{entryId|*}`` privilege is never refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vpaas.domain.access.conditions import Facts, check
from vpaas.domain.access.context import AccessContext
from vpaas.domain.access.model import Action, ActionType, ConditionType, ContextType, Rule

FIRED = "fired"
NOT_FULFILLED = "not fulfilled"
NOT_IN_CONTEXT = "not in context"
SKIPPED_FOR_ADMIN = "skipped for admin KS"
NOT_REACHED = "not reached"

SCHEDULED_RESTRICTED = ("SCHEDULED_RESTRICTED",
                        "Out of scheduling\nWe're sorry, this content is currently unavailable.")
RESTRICTION_MESSAGES = {  # legacy accessControl restrictions → Kaltura's RuleRestrictions
    "country": ("COUNTRY_RESTRICTED", "Un authorized country\nWe're sorry, this content is "
                "only available in certain countries."),
    "site": ("SITE_RESTRICTED", "Un authorized domain\nWe're sorry, this content is only "
             "available on certain domains."),
    "ip": ("IP_RESTRICTED", "Un authorized IP address\nWe're sorry, this content is only "
           "available for certain IP addresses."),
    "session": ("SESSION_RESTRICTED", "No KS where KS is required\nWe're sorry, access to this "
                "content is restricted."),
    "user_agent": ("USER_AGENT_RESTRICTED", "User Agent Restricted\nWe're sorry, this content "
                   "is not available for your device."),
}
UNSCHEDULED_CONTEXTS = (ContextType.THUMBNAIL, ContextType.SERVE)


@dataclass(frozen=True)
class AccessMessage:
    """A message for getPlaybackContext's ``messages`` (``KalturaAccessControlMessage``)."""

    code: str
    message: str


@dataclass(frozen=True)
class ConditionTrace:
    """What one condition gave: ``matched`` before ``not``, ``fulfilled`` after."""

    index: int
    type: ConditionType
    negate: bool
    description: str
    evaluated: bool
    fulfilled: bool
    matched: bool
    reason: str


@dataclass(frozen=True)
class RuleTrace:
    """What happened to one rule (``outcome`` is one of FIRED, NOT_FULFILLED...)."""

    index: int
    description: str
    outcome: str
    reason: str
    conditions: tuple[ConditionTrace, ...] = ()
    actions: tuple[Action, ...] = ()

    @property
    def fired(self) -> bool:
        return self.outcome == FIRED


@dataclass(frozen=True)
class FlavorLimit:
    """A LIMIT_FLAVORS action: the only allowed flavor params, or (blocked list) the refused."""

    flavor_params_ids: tuple[int, ...]
    is_blocked_list: bool

    def allows(self, flavor_params_id: int) -> bool:
        listed = int(flavor_params_id) in self.flavor_params_ids
        return not listed if self.is_blocked_list else listed


@dataclass(frozen=True)
class AccessDecision:
    """The result of :func:`evaluate`.

    ``allowed`` False means refuse (ACCESS_CONTROL_RESTRICTED when ``blocked``, else the
    entry is not scheduled now). ``messages`` and ``actions`` are what getPlaybackContext
    returns; ``rule_messages`` are the firing rules' messages (playManifest sends each as an
    ``X-Kaltura: access-control: …`` header). ``has_rules`` says rules apply to this context
    (responses must then not be cached publicly).
    """

    allowed: bool
    reason: str
    blocked: bool
    scheduled: bool
    preview_seconds: int | None
    flavor_limit: FlavorLimit | None
    limit_thumbnail_capture: bool
    actions: tuple[Action, ...]
    messages: tuple[AccessMessage, ...]
    rule_messages: tuple[str, ...]
    has_rules: bool
    trace: tuple[RuleTrace, ...]
    notes: tuple[str, ...] = ()

    @property
    def allowed_flavor_params_ids(self) -> tuple[int, ...] | None:
        """The only flavor params allowed, or None when there is no such list."""
        limit = self.flavor_limit
        return limit.flavor_params_ids if limit and not limit.is_blocked_list else None

    @property
    def blocked_flavor_params_ids(self) -> tuple[int, ...]:
        """Flavor params refused by a blocked list."""
        limit = self.flavor_limit
        return limit.flavor_params_ids if limit and limit.is_blocked_list else ()

    def flavor_params_allowed(self, flavor_params_id: int) -> bool:
        """Whether a flavor of these params may be served."""
        return self.flavor_limit is None or self.flavor_limit.allows(flavor_params_id)

    def filter_flavor_params(self, ids: Iterable[int]) -> list[int]:
        """``ids`` without the refused flavor params, order kept."""
        return [i for i in ids if self.flavor_params_allowed(i)]

    def clip_to_ms(self, duration_ms: int | None = None) -> int | None:
        """playManifest's ``clipTo`` for a preview: set when shorter than the entry."""
        if self.preview_seconds is None:
            return None
        limit = self.preview_seconds * 1000
        return limit if duration_ms is None or limit < duration_ms else None


def evaluate(rules: Sequence[Rule], ctx: AccessContext) -> AccessDecision:
    """Run ``rules`` (a profile's, in order) for the request ``ctx``."""
    facts = Facts(ctx)
    notes = _ks_notes(ctx, facts)
    admin = facts.ks is not None and facts.ks.is_admin
    trace = _run(rules, ctx.context, facts, skip_unforced=admin)
    actions = tuple(a for t in trace if t.fired for a in t.actions)
    blocked = any(a.type == ActionType.BLOCK for a in actions)
    scheduled, schedule_note = _schedule(ctx, facts, admin)
    notes.append(schedule_note)
    bypass = _download_bypass(ctx, facts, admin)
    if bypass:
        notes.append(bypass)
    allowed = bool(bypass) or (not blocked and scheduled)
    previews = [a.limit for a in actions if a.type == ActionType.PREVIEW]
    limit = next((a for a in actions if a.type == ActionType.LIMIT_FLAVORS), None)
    return AccessDecision(
        allowed=allowed, reason=_reason(allowed, blocked, scheduled, bypass, trace, admin),
        blocked=blocked and not bypass, scheduled=scheduled,
        preview_seconds=min(previews) if previews and allowed and not admin else None,
        flavor_limit=FlavorLimit(limit.flavor_params_ids, limit.is_blocked_list)
        if limit else None,
        limit_thumbnail_capture=any(a.type == ActionType.LIMIT_THUMBNAIL_CAPTURE
                                    for a in actions),
        actions=actions, messages=_messages(rules, trace, scheduled),
        rule_messages=tuple(rules[t.index].message for t in trace
                            if t.fired and rules[t.index].message),
        has_rules=any(r.applies_to(ctx.context) for r in rules),
        trace=tuple(trace), notes=tuple(notes))


def _run(rules: Sequence[Rule], context: ContextType, facts: Facts,
         skip_unforced: bool) -> list[RuleTrace]:
    out: list[RuleTrace] = []
    stopped_by: int | None = None
    for index, rule in enumerate(rules):
        if stopped_by is not None:
            out.append(RuleTrace(index, rule.description, NOT_REACHED,
                                 f"rule {stopped_by} fired with stopProcessing"))
        elif skip_unforced and not rule.force_admin_validation:
            out.append(RuleTrace(index, rule.description, SKIPPED_FOR_ADMIN,
                                 "an admin KS skips rules without forceAdminValidation"))
        elif not rule.applies_to(context):
            wanted = ", ".join(c.name for c in rule.contexts)
            out.append(RuleTrace(index, rule.description, NOT_IN_CONTEXT,
                                 f"request is {context.name}; rule applies to {wanted}"))
        else:
            out.append(_run_rule(index, rule, facts))
            if out[-1].fired and rule.stop_processing:
                stopped_by = index
    return out


def _run_rule(index: int, rule: Rule, facts: Facts) -> RuleTrace:
    conditions: list[ConditionTrace] = []
    failed: int | None = None
    for i, cond in enumerate(rule.conditions):
        if failed is not None:
            conditions.append(ConditionTrace(i, cond.type, cond.negate, cond.description, False,
                                             False, False, f"not evaluated: condition "
                                             f"{failed} is false"))
            continue
        outcome = check(cond, facts)
        conditions.append(ConditionTrace(i, cond.type, cond.negate, cond.description, True,
                                         outcome.fulfilled, outcome.matched, outcome.reason))
        if not outcome.fulfilled:
            failed = i
    if failed is not None:
        return RuleTrace(index, rule.description, NOT_FULFILLED,
                         f"condition {failed} is false", tuple(conditions))
    why = "all conditions are true" if rule.conditions else "no conditions (always fires)"
    return RuleTrace(index, rule.description, FIRED, why, tuple(conditions), rule.actions)


def _ks_notes(ctx: AccessContext, facts: Facts) -> list[str]:
    if ctx.ks is None:
        return ["no KS"]
    if facts.ks is None:
        return [f"the KS is of partner {ctx.ks.partner_id}, not of the entry's partner "
                f"{ctx.partner_id}: ignored"]
    kind = "admin" if facts.ks.is_admin else "user"
    return [f"{kind} KS of user {facts.ks.user_id or '(anonymous)'}"]


def _schedule(ctx: AccessContext, facts: Facts, admin: bool) -> tuple[bool, str]:
    if ctx.context in UNSCHEDULED_CONTEXTS:
        return True, f"scheduling is not checked for {ctx.context.name}"
    if facts.scheduled_now:
        return True, "the entry is within its schedule"
    window = f"startDate={ctx.start_date or '-'}, endDate={ctx.end_date or '-'}"
    if admin:
        return True, f"outside its schedule ({window}), allowed for an admin KS"
    if facts.ks is not None and facts.ks.privileges.allows_entry("sview", ctx.entry_id):
        return True, f"outside its schedule ({window}), allowed by the sview privilege"
    return False, f"the entry is outside its schedule ({window}, now={facts.now})"


def _download_bypass(ctx: AccessContext, facts: Facts, admin: bool) -> str:
    if ctx.context != ContextType.DOWNLOAD or facts.ks is None:
        return ""
    if admin:
        return "an admin KS is never refused a download"
    if facts.ks.privileges.allows_entry("download", ctx.entry_id):
        return "the download privilege allows the download"
    return ""


def _messages(rules: Sequence[Rule], trace: Sequence[RuleTrace],
              scheduled: bool) -> tuple[AccessMessage, ...]:
    by_code: dict[str, list[str]] = {}
    restricted: list[str] = []
    for t in trace:
        if not t.fired:
            continue
        rule = rules[t.index]
        if rule.message:
            by_code.setdefault(rule.code, []).append(rule.message)
        if rule.restriction in RESTRICTION_MESSAGES and rule.restriction not in restricted:
            restricted.append(rule.restriction)
    out = [AccessMessage(code, m) for code, texts in by_code.items() for m in texts]
    out += [AccessMessage(*RESTRICTION_MESSAGES[r]) for r in restricted]
    if not scheduled:
        out.append(AccessMessage(*SCHEDULED_RESTRICTED))
    return tuple(out)


def _reason(allowed: bool, blocked: bool, scheduled: bool, bypass: str,
            trace: Sequence[RuleTrace], admin: bool) -> str:
    blockers = [t.index for t in trace if t.fired
                and any(a.type == ActionType.BLOCK for a in t.actions)]
    if bypass:
        return f"allowed: {bypass}"
    if blocked:
        return f"blocked by rule {', '.join(str(i) for i in blockers)}"
    if not scheduled:
        return "refused: the entry is not scheduled now"
    fired = [str(t.index) for t in trace if t.fired]
    if fired:
        return f"allowed; rules fired without blocking: {', '.join(fired)}"
    return "allowed: " + ("admin KS skips the rules" if admin and trace else "no rule fired")
