"""Access-control rule evaluation: conditions, actions, ordering, sessions, scheduling, storage."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from vpaas.api.ks import KsData, Privileges
from vpaas.db.base import Database
from vpaas.db.tables.access_control import AccessControlProfileRow
from vpaas.db.tables.entry import EntryRow
from vpaas.domain import access
from vpaas.domain.access import AccessContext, ContextType, evaluate, parse_rules
from vpaas.domain.access import profiles as profile_db
from vpaas.registry import ApiError

NOW = 1_700_000_000
BLOCK = {"type": "1"}
UA_ANDROID = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 Mobile Safari/537.36"


def ks(partner: int = 1, admin: bool = False, privileges: str = "", user: str = "u1") -> KsData:
    return KsData(2, partner, NOW + 3600, 2 if admin else 0, user, Privileges.parse(privileges),
                  "r", "ks-string", "hash")


def cond(kind: str, *values: str, negate: bool = False, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": kind, "not": negate, **extra}
    if values:
        out["values"] = list(values)
    return out


def rule(*conditions: dict[str, Any], actions: tuple[dict[str, Any], ...] = (BLOCK,),
         **extra: Any) -> dict[str, Any]:
    return {"conditions": list(conditions), "actions": list(actions), **extra}


def decide(rules: list[dict[str, Any]], **overrides: Any) -> access.AccessDecision:
    values: dict[str, Any] = {"partner_id": 1, "entry_id": "0_entry", "client_ip": "8.8.8.8",
                              "referrer": "https://www.example.com/page", "now": NOW,
                              "user_agent": UA_ANDROID}
    values.update(overrides)
    return evaluate(parse_rules(rules), AccessContext(**values))


def fires(condition: dict[str, Any], **overrides: Any) -> bool:
    """Whether a single-condition BLOCK rule fires; checks the inverted condition too."""
    plain = decide([rule(condition)], **overrides)
    inverted = decide([rule(dict(condition, **{"not": not condition.get("not")}))], **overrides)
    assert plain.blocked != inverted.blocked, (plain.trace, inverted.trace)
    return plain.blocked


# --- conditions ---------------------------------------------------------------------------


def test_no_rules_allow() -> None:
    decision = decide([])
    assert decision.allowed and not decision.has_rules
    assert decision.reason == "allowed: no rule fired"
    assert decision.preview_seconds is None and decision.flavor_params_allowed(7)


@pytest.mark.parametrize(("values", "referrer", "expected"), [
    (("example.com",), "https://www.example.com/page", True),
    (("example.com",), "http://example.com:8080/x?y", True),
    (("*.example.com",), "https://a.b.example.com/", True),
    (("https://Example.com/",), "https://EXAMPLE.com", True),
    (("other.org,example.com",), "https://example.com", True),
    (("example.com",), "https://example.com.evil.net/", False),
    (("example.com",), "https://notexample.com/", False),
    (("example.com",), "", False),
    (("example.com",), "www.example.com/page.html", True),
    ((), "", True),
])
def test_site_condition(values: tuple[str, ...], referrer: str, expected: bool) -> None:
    assert fires(cond("4", *values), referrer=referrer) is expected


@pytest.mark.parametrize(("values", "ip", "expected"), [
    (("US",), "8.8.8.8", True),
    (("us",), "8.8.8.8", True),
    (("GB", "FR"), "81.2.69.142", True),
    (("US",), "81.2.69.142", False),
    (("US",), "10.0.0.1", False),
    (("US",), "2001:4860:4860::8888", True),
    (("DE,US",), "2a00:1450:4001:80b::200e", True),
    (("US",), "not an ip", False),
])
def test_country_condition_uses_the_offline_database(values: tuple[str, ...], ip: str,
                                                     expected: bool) -> None:
    assert fires(cond("2", *values), client_ip=ip) is expected


def test_country_unknown_is_blocked_by_an_allow_list_and_resolver_is_pluggable() -> None:
    allow_us = [rule(cond("2", "US", negate=True))]
    assert decide(allow_us, client_ip="10.0.0.1").blocked  # private: no country
    decision = decide(allow_us, client_ip="81.2.69.142")
    assert decision.blocked and "GB" in decision.trace[0].conditions[0].reason
    calls: list[str] = []

    def resolver(ip: str) -> str | None:
        calls.append(ip)
        return "us"

    twice = [rule(cond("2", "US", negate=True)), rule(cond("2", "FR"))]
    assert not decide(twice, client_ip="81.2.69.142", country_resolver=resolver).blocked
    assert calls == ["81.2.69.142"]  # looked up once per evaluation


@pytest.mark.parametrize(("values", "ip", "expected"), [
    (("8.8.8.8",), "8.8.8.8", True),
    (("8.8.8.0/24",), "8.8.8.200", True),
    (("8.8.8.1/24",), "8.8.8.200", True),
    (("8.8.0.0/255.255.0.0",), "8.8.77.1", True),
    (("8.8.8.1-8.8.8.9",), "8.8.8.9", True),
    (("8.8.8.1 - 8.8.8.9",), "8.8.8.10", False),
    (("1.1.1.1,8.8.8.8",), "8.8.8.8", True),
    (("2001:db8::/32",), "2001:db8:1::5", True),
    (("2001:db8::/32",), "8.8.8.8", False),
    (("10.0.0.0/8",), "::ffff:10.1.2.3", True),
    (("10.0.0.0/8",), "", False),
])
def test_ip_address_condition(values: tuple[str, ...], ip: str, expected: bool) -> None:
    assert fires(cond("3", *values), client_ip=ip) is expected


def test_ip_condition_can_read_a_header() -> None:
    by_header = cond("3", "81.2.69.0/24", httpHeader="X-Forwarded-For")
    headers = {"x-forwarded-for": "10.0.0.5, 81.2.69.142"}
    assert fires(by_header, client_ip="8.8.8.8", headers=headers)
    internal = cond("3", "10.0.0.0/8", httpHeader="X-Forwarded-For", acceptInternalIps=True)
    assert fires(internal, headers=headers)
    assert not fires(cond("3", "10.0.0.0/8", httpHeader="X-Forwarded-For"), headers=headers)
    assert not fires(by_header, headers={})


@pytest.mark.parametrize(("values", "agent", "expected"), [
    (("android",), UA_ANDROID, True),
    (("iPhone|iPad",), UA_ANDROID, False),
    (("^Mozilla/5\\.0 \\(Linux",), UA_ANDROID, True),
    ((UA_ANDROID,), UA_ANDROID, True),
    (("android",), "", False),
])
def test_user_agent_condition(values: tuple[str, ...], agent: str, expected: bool) -> None:
    assert fires(cond("5", *values), user_agent=agent) is expected


def test_user_agent_regex_is_time_limited() -> None:
    decision = decide([rule(cond("5", "(a|aa)+$"))], user_agent="a" * 1000 + "!")
    assert not decision.blocked
    assert "gave up" in decision.trace[0].conditions[0].reason


@pytest.mark.parametrize(("session", "privileges", "expected"), [
    (None, None, False),
    (ks(admin=True), None, True),
    (ks(), None, False),
    (ks(privileges="sview:0_entry"), None, True),
    (ks(privileges="sview:*"), None, True),
    (ks(privileges="sview:0_other"), None, False),
    (ks(privileges="*"), None, True),
    (ks(privileges="widget:1"), ["widget"], True),
    (ks(privileges="view:0_entry"), ["view"], True),
    (ks(partner=2, admin=True), None, False),
    (ks(partner=-1, admin=True), None, True),
])
def test_authenticated_condition(session: KsData | None, privileges: list[str] | None,
                                 expected: bool) -> None:
    extra = {"privileges": privileges} if privileges is not None else {}
    # forceAdminValidation so that an admin KS does not skip the rule itself
    decision = decide([rule(cond("1", **extra), forceAdminValidation=True)], ks=session)
    assert decision.blocked is expected
    inverted = decide([rule(cond("1", negate=True, **extra), forceAdminValidation=True)],
                      ks=session)
    assert inverted.blocked is not expected


def test_entry_scheduled_and_session_type_conditions() -> None:
    assert fires(cond("19"), start_date=NOW - 10, end_date=NOW + 10)
    assert not fires(cond("19"), start_date=NOW + 10)
    forced = [rule(cond("19"), forceAdminValidation=True)]
    assert not decide(forced, end_date=NOW - 1, ks=ks(admin=True)).blocked
    admin_only = cond("22", sessionType=2)
    assert decide([rule(admin_only, forceAdminValidation=True)], ks=ks(admin=True)).blocked
    assert not decide([rule(admin_only)], ks=ks()).blocked
    assert decide([rule(dict(admin_only, **{"not": True}))], ks=ks()).blocked
    # Without a KS the condition is false, with or without "not".
    assert not decide([rule(admin_only)]).blocked
    assert not decide([rule(dict(admin_only, **{"not": True}))]).blocked


def test_or_condition() -> None:
    either = cond("11", conditions=[cond("2", "FR"), cond("4", "example.com")])
    assert fires(either)
    assert not fires(either, referrer="https://other.org/")
    trace = decide([rule(either)]).trace[0].conditions[0]
    assert trace.fulfilled and "OR:" in trace.reason


def test_all_conditions_must_hold_and_evaluation_stops_at_the_first_false() -> None:
    decision = decide([rule(cond("2", "FR"), cond("4", "example.com"))])
    assert not decision.blocked
    first, second = decision.trace[0].conditions
    assert first.evaluated and not first.fulfilled
    assert not second.evaluated and "not evaluated" in second.reason
    assert decide([rule(cond("2", "US"), cond("4", "example.com"))]).blocked


# --- actions, ordering, contexts ----------------------------------------------------------


def test_preview_takes_the_shortest_firing_preview_and_clips() -> None:
    rules = [rule(actions=({"type": "2", "limit": 30},)),
             rule(cond("2", "US"), actions=({"type": "2", "limit": 10},)),
             rule(cond("2", "FR"), actions=({"type": "2", "limit": 5},))]
    decision = decide(rules)
    assert decision.allowed and not decision.blocked and decision.preview_seconds == 10
    assert decision.clip_to_ms(60_000) == 10_000 and decision.clip_to_ms(8_000) is None
    assert decision.clip_to_ms(None) == 10_000
    assert [a.limit for a in decision.actions] == [30, 10]
    assert decide(rules, ks=ks(admin=True)).preview_seconds is None  # admin: rules skipped
    forced = [dict(rules[0], forceAdminValidation=True)]
    assert decide(forced, ks=ks(admin=True)).preview_seconds is None  # never preview admins
    assert decide([*rules, rule()]).preview_seconds is None  # blocked: no preview


def test_limit_flavors_uses_the_first_action_only() -> None:
    allow = {"type": "3", "flavorParamsIds": "0, 2,3", "isBlockedList": False}
    deny = {"type": "3", "flavorParamsIds": "7", "isBlockedList": True}
    decision = decide([rule(actions=(allow,)), rule(actions=(deny,))])
    assert decision.allowed and decision.allowed_flavor_params_ids == (0, 2, 3)
    assert decision.blocked_flavor_params_ids == ()
    assert decision.filter_flavor_params([0, 2, 5, 7, 3]) == [0, 2, 3]
    blocked = decide([rule(actions=(deny,))])
    assert blocked.allowed_flavor_params_ids is None and blocked.blocked_flavor_params_ids == (7,)
    assert blocked.flavor_params_allowed(3) and not blocked.flavor_params_allowed(7)


def test_block_and_thumbnail_capture_actions() -> None:
    capture = decide([rule(actions=({"type": "8"},))], context=ContextType.THUMBNAIL)
    assert capture.allowed and capture.limit_thumbnail_capture
    blocked = decide([rule(cond("4", "example.com"), message="Not here", code="SITE")])
    assert not blocked.allowed and blocked.blocked and blocked.reason == "blocked by rule 0"
    assert blocked.messages == (access.AccessMessage("SITE", "Not here"),)
    assert blocked.rule_messages == ("Not here",)


def test_rules_run_in_order_and_stop_processing_ends_evaluation() -> None:
    allow_partner_site = rule(cond("4", "example.com"), actions=(), stopProcessing=True,
                              message="partner site", code="OK")
    block_everyone = rule(message="blocked", code="NO")
    decision = decide([allow_partner_site, block_everyone])
    assert decision.allowed and decision.messages == (access.AccessMessage("OK", "partner site"),)
    assert [t.outcome for t in decision.trace] == [access.FIRED, access.NOT_REACHED]
    assert "rule 0" in decision.trace[1].reason
    elsewhere = decide([allow_partner_site, block_everyone], referrer="https://other.org")
    assert elsewhere.blocked
    assert [t.outcome for t in elsewhere.trace] == [access.NOT_FULFILLED, access.FIRED]
    reordered = decide([block_everyone, allow_partner_site])
    assert reordered.blocked and all(t.fired for t in reordered.trace)


def test_messages_are_grouped_by_code_in_order() -> None:
    decision = decide([rule(actions=(), message="a", code="X"), rule(actions=(), message="b"),
                       rule(actions=(), message="c", code="X"), rule(actions=())])
    assert [(m.code, m.message) for m in decision.messages] == [("X", "a"), ("X", "c"),
                                                                ("", "b")]
    assert decision.rule_messages == ("a", "b", "c")


def test_rules_apply_only_in_their_contexts() -> None:
    play_only = [rule(contexts=[1])]
    assert decide(play_only).blocked and decide(play_only).has_rules
    thumb = decide(play_only, context=ContextType.THUMBNAIL)
    assert thumb.allowed and not thumb.has_rules
    assert thumb.trace[0].outcome == access.NOT_IN_CONTEXT and "PLAY" in thumb.trace[0].reason
    assert decide([rule()], context=ContextType.SERVE).blocked  # no contexts: everywhere


def test_admin_ks_skips_rules_unless_forced_and_other_partners_ks_is_ignored() -> None:
    rules = [rule(message="no")]
    admin = decide(rules, ks=ks(admin=True))
    assert admin.allowed and admin.trace[0].outcome == access.SKIPPED_FOR_ADMIN
    assert decide([rule(forceAdminValidation=True)], ks=ks(admin=True)).blocked
    foreign = decide(rules, ks=ks(partner=2, admin=True))
    assert foreign.blocked and "ignored" in foreign.notes[0]
    assert decide(rules, ks=ks()).blocked


def test_scheduling() -> None:
    late = {"start_date": NOW + 100}
    refused = decide([], **late)
    assert not refused.allowed and not refused.scheduled and not refused.blocked
    assert refused.messages[-1].code == "SCHEDULED_RESTRICTED"
    assert refused.reason == "refused: the entry is not scheduled now"
    assert decide([], end_date=NOW - 1).allowed is False
    assert decide([], start_date=NOW - 1, end_date=NOW + 1).allowed
    assert decide([], ks=ks(admin=True), **late).allowed
    assert decide([], ks=ks(privileges="sview:0_entry"), **late).allowed
    assert not decide([], ks=ks(privileges="sview:0_other"), **late).allowed
    assert decide([], context=ContextType.THUMBNAIL, **late).allowed
    assert decide([], context=ContextType.SERVE, **late).allowed
    assert not decide([], context=ContextType.DOWNLOAD, **late).allowed


def test_download_privilege_and_admin_always_download() -> None:
    rules = [rule(forceAdminValidation=True)]
    download = {"context": ContextType.DOWNLOAD}
    assert not decide(rules, **download).allowed
    assert decide(rules, ks=ks(admin=True), **download).allowed
    granted = decide(rules, ks=ks(privileges="download:0_entry"), **download)
    assert granted.allowed and not granted.blocked and "download privilege" in granted.reason
    assert not decide(rules, ks=ks(privileges="download:0_entry")).allowed  # PLAY


def test_legacy_restriction_rules_add_restriction_messages() -> None:
    rules = [dict(rule(cond("2", "US", negate=True)), restriction="country")]
    decision = decide(rules, client_ip="81.2.69.142")
    assert decision.messages[0].code == "COUNTRY_RESTRICTED"


def test_decode_referrer() -> None:
    url = "https://www.example.com/~page?a=1"
    encoded = base64.b64encode(url.encode()).decode()
    assert access.decode_referrer(encoded) == url
    assert access.decode_referrer(encoded.replace("+", " ")) == url
    safe = base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")
    assert access.decode_referrer(safe) == url
    assert access.decode_referrer("!!!") == "" and access.decode_referrer(None) == ""
    assert access.decode_referrer(base64.b64encode(b"\x00\xff\x10").decode()) == ""
    assert access.url_host("HTTPS://WWW.Example.COM.:443/x") == "www.example.com"


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(("rules", "where", "words"), [
    ([rule(cond("3", "1.2.3.4/99"))], "rules:0:conditions:0:values:0", "not an IP"),
    ([rule(cond("3", "9.9.9.9-1.1.1.1"))], "rules:0:conditions:0:values:0", "reversed"),
    ([rule(cond("3", "0.0.0.0/0"))], "rules:0:conditions:0:values:0", "every address"),
    ([rule(cond("5", "("))], "rules:0:conditions:0:values:0", "not a valid regex"),
    ([rule(cond("5", "a" * 600))], "rules:0:conditions:0:values:0", "512"),
    ([rule(cond("2", "USA"))], "rules:0:conditions:0:values:0", "two-letter"),
    ([rule(cond("7"))], "rules:0:conditions:0:type", "unsupported condition type"),
    ([rule(actions=({"type": "2", "limit": -1},))], "rules:0:actions:0:limit", "seconds"),
    ([rule(actions=({"type": "3", "flavorParamsIds": "1,x"},))],
     "rules:0:actions:0:flavorParamsIds", "flavor params ids"),
    ([rule(contexts=[9])], "rules:0:contexts:0", "unknown context"),
    ([rule()] * 101, "rules", "at most 100"),
    ([rule(cond("11", conditions=[cond("11", conditions=[cond("11", conditions=[
        cond("11", conditions=[])])])]))], "rules:0:conditions:0:conditions:0:conditions:0:"
     "conditions:0", "nest"),
])
def test_bad_rules_are_refused_with_where_and_why(rules: list[dict[str, Any]], where: str,
                                                  words: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_rules(rules)
    assert caught.value.code == "INVALID_ACCESS_CONTROL_RULE"
    assert caught.value.args_map["WHERE"] == where and words in caught.value.args_map["REASON"]


def test_rules_round_trip_through_their_stored_form() -> None:
    original = [rule(cond("4", "a.com,b.com", negate=True), cond("3", "10.0.0.0/8"),
                     cond("1", privileges=["sview", "widget"]),
                     cond("11", conditions=[cond("5", "iPhone"), cond("19")]),
                     cond("22", sessionType=0), cond("2", "us"),
                     actions=(BLOCK, {"type": "2", "limit": 3},
                              {"type": "3", "flavorParamsIds": "1,2", "isBlockedList": True}),
                     contexts=[1, 2], stopProcessing=True, message="m", code="c",
                     description="d", ruleData="x", restriction="site")]
    parsed = parse_rules(original)
    again = parse_rules([r.to_dict() for r in parsed])
    assert again == parsed
    assert parsed[0].conditions[0].values == ("a.com", "b.com")
    assert parsed[0].conditions[5].values == ("US",)


# --- profiles in the database ---------------------------------------------------------------


def _entry(session: Any, partner_id: int, entry_id: str, acl: int | None = None) -> EntryRow:
    row = EntryRow(id=entry_id, partner_id=partner_id, name=entry_id, access_control_id=acl,
                   extra={})
    session.add(row)
    session.flush()
    return row


def test_default_profile_is_created_lazily_per_partner(database: Database) -> None:
    with database.system_session() as s:
        entry = _entry(s, 1, "0_a")
        assert profile_db.profile_for_entry(s, entry) == []
        first = profile_db.profile_row_for_entry(s, entry)
        assert first.is_default and first.name == "Default" and first.partner_id == 1
        assert profile_db.default_profile(s, 1).id == first.id
        other = profile_db.default_profile(s, 2)
        assert other.id != first.id and other.partner_id == 2
        s.commit()


def test_entries_use_their_profile_else_the_default_and_partners_are_isolated(
        database: Database) -> None:
    with database.partner_session(1) as s:
        own = profile_db.default_profile(s, 1)
        row = AccessControlProfileRow(name="strict", rules=[parse_rules([rule()])[0].to_dict()])
        s.add(row)
        s.flush()
        with_profile = _entry(s, 1, "0_b", row.id)
        assert len(profile_db.profile_for_entry(s, with_profile)) == 1
        dangling = _entry(s, 1, "0_c", 99999)
        assert profile_db.profile_row_for_entry(s, dangling).id == own.id
        s.commit()
        strict_id = row.id
    with database.partner_session(2) as s:
        foreign = _entry(s, 2, "0_d", strict_id)
        chosen = profile_db.profile_row_for_entry(s, foreign)
        assert chosen.id != strict_id and chosen.partner_id == 2 and chosen.is_default
        with pytest.raises(ApiError) as caught:
            profile_db.get_profile(s, 2, strict_id)
        assert caught.value.code == "ACCESS_CONTROL_ID_NOT_FOUND"
        s.commit()
    with database.partner_session(1) as s:
        target = profile_db.get_profile(s, 1, strict_id)
        assert profile_db.delete_profile(s, target) == 1
        moved = s.get(EntryRow, "0_b")
        assert moved is not None and moved.access_control_id == own.id
        with pytest.raises(ApiError) as caught:
            profile_db.delete_profile(s, profile_db.default_profile(s, 1))
        assert caught.value.code == "CANNOT_DELETE_DEFAULT_ACCESS_CONTROL"
        s.commit()
