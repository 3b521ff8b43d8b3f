"""Accounts and sessions with the official Node client (JSON) against a real server.

``node/sessions.js`` runs every flow once per session and prints its outcomes; each test below
asserts on one flow, so a failure names the flow that broke.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from compat.helpers import node_error, node_value
from support.server import PartnerSecrets

USER_ID = "compat-node-user"
Flows = dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def flows(node: Callable[..., Flows], partner: PartnerSecrets) -> Flows:
    return node("sessions.js", partner, userId=USER_ID)


def _assert_info(info: dict[str, Any], partner: PartnerSecrets) -> None:
    assert info["objectType"] == "KalturaSessionInfo"
    assert info["partnerId"] == partner.id
    assert info["sessionType"] == 2                       # int enums are JSON numbers
    assert info["userId"] == USER_ID
    assert "disableentitlement" in info["privileges"]
    assert info["expiry"] > time.time()


def test_session_start(flows: Flows) -> None:
    ks = node_value(flows["session_start"])
    assert isinstance(ks, str) and len(ks) > 20


def test_session_get_of_own_ks(flows: Flows, partner: PartnerSecrets) -> None:
    _assert_info(node_value(flows["session_get_own"]), partner)


def test_locally_built_v2_ks(flows: Flows, partner: PartnerSecrets) -> None:
    _assert_info(node_value(flows["session_get_local_v2"]), partner)
    _assert_info(node_value(flows["local_v2_as_request_ks"]), partner)


def test_partner_get_and_ping(flows: Flows, partner: PartnerSecrets) -> None:
    got = node_value(flows["partner_get"])
    assert got["objectType"] == "KalturaPartner"
    assert got["id"] == partner.id and got["name"] == partner.name
    assert node_value(flows["system_ping"]) is True


def test_multirequest_dependency_and_failures(flows: Flows, partner: PartnerSecrets) -> None:
    results = node_value(flows["multirequest"])
    assert isinstance(results, list) and len(results) == 7, results
    ks, info, got, bad_partner, bad_service, bad_ref, pong = results
    assert isinstance(ks, str) and len(ks) > 20
    _assert_info(info, partner)                           # session.get("{1:result}")
    assert got["objectType"] == "KalturaPartner"          # partner.get with ks "{1:result}"
    assert got["id"] == partner.id
    assert bad_partner["code"] == "INVALID_PARTNER_ID"
    assert bad_service["code"] == "SERVICE_DOES_NOT_EXISTS"
    assert bad_ref["code"] == "MISSING_MANDATORY_PARAMETER"
    assert bad_ref["args"] == {"PARAM_NAME": "{4:result}"}
    assert all(r["objectType"] == "KalturaAPIException" for r in results[3:6])
    assert pong is True


def _ks_error(flows: Flows, name: str, err_code: str, err_desc: str) -> None:
    error = node_error(flows[name])
    assert error["code"] == "INVALID_KS"
    assert error["args"]["ERR_CODE"] == err_code and error["args"]["ERR_DESC"] == err_desc
    assert f"{err_code},{err_desc}" in error["message"]


def test_bad_ks(flows: Flows) -> None:
    _ks_error(flows, "err_bad_ks", "-1", "INVALID_STR")


def test_expired_ks(flows: Flows) -> None:
    _ks_error(flows, "err_expired_ks", "-5", "EXPIRED")


def test_revoked_ks(flows: Flows) -> None:
    assert node_value(flows["revoke_end"]) is None        # void → null
    _ks_error(flows, "err_revoked_ks", "-6", "LOGOUT")
    _ks_error(flows, "err_revoked_ks_other_call", "-6", "LOGOUT")


@pytest.mark.parametrize(("name", "code"), [
    ("err_missing_ks", "MISSING_KS"),
    ("err_unknown_service", "SERVICE_DOES_NOT_EXISTS"),
    ("err_unknown_action", "ACTION_DOES_NOT_EXISTS"),
    ("err_missing_parameter", "MISSING_MANDATORY_PARAMETER"),
    ("err_bad_secret", "START_SESSION_ERROR"),
])
def test_errors_reject_with_their_code(flows: Flows, name: str, code: str) -> None:
    assert node_error(flows[name])["code"] == code


def test_missing_parameter_names_it(flows: Flows) -> None:
    assert node_error(flows["err_missing_parameter"])["args"] == {"PARAM_NAME": "secret"}
