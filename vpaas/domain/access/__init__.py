"""Access control: rules that allow, block, preview or limit an entry per request.

Delivery code (playManifest, thumbnail, download, serveFlavor, getPlaybackContext) calls::

    rules = access.profile_for_entry(session, entry_row)
    decision = access.evaluate(rules, access.AccessContext(
        partner_id=entry_row.partner_id, entry_id=entry_row.id,
        context=access.ContextType.PLAY, start_date=entry_row.start_date,
        end_date=entry_row.end_date, referrer=access.decode_referrer(b64_referrer),
        client_ip=request.client_ip, user_agent=request.user_agent, ks=ks_data))
    if not decision.allowed: ...          # ACCESS_CONTROL_RESTRICTED / not scheduled
    decision.preview_seconds, decision.flavor_params_allowed(pid), decision.messages, ...

Evaluation is pure (no HTTP, no database); only :mod:`.profiles` touches the database.
"""

from vpaas.domain.access.context import AccessContext, decode_referrer, url_host
from vpaas.domain.access.evaluate import (
    FIRED,
    NOT_FULFILLED,
    NOT_IN_CONTEXT,
    NOT_REACHED,
    SCHEDULED_RESTRICTED,
    SKIPPED_FOR_ADMIN,
    AccessDecision,
    AccessMessage,
    ConditionTrace,
    FlavorLimit,
    RuleTrace,
    evaluate,
)
from vpaas.domain.access.model import (
    Action,
    ActionType,
    Condition,
    ConditionType,
    ContextType,
    Rule,
    parse_rules,
)
from vpaas.domain.access.profiles import (
    default_profile,
    get_profile,
    profile_for_entry,
    profile_row_for_entry,
    rules_of,
)

__all__ = [
    "FIRED", "NOT_FULFILLED", "NOT_IN_CONTEXT", "NOT_REACHED", "SCHEDULED_RESTRICTED",
    "SKIPPED_FOR_ADMIN", "AccessContext", "AccessDecision", "AccessMessage", "Action",
    "ActionType", "Condition", "ConditionTrace", "ConditionType", "ContextType", "FlavorLimit",
    "Rule", "RuleTrace", "decode_referrer", "default_profile", "evaluate", "get_profile",
    "parse_rules", "profile_for_entry", "profile_row_for_entry", "rules_of", "url_host",
]
