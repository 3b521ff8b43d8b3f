"""Accounts and sessions with the official Python client (XML responses) against a real server."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable

import pytest
from compat.helpers import kaltura_error, value_of
from KalturaClient import KalturaClient
from KalturaClient.Base import KalturaParams
from KalturaClient.exceptions import KalturaException
from KalturaClient.Plugins.Core import KalturaPartner, KalturaSessionInfo, KalturaSessionType
from support.server import PartnerSecrets

from vpaas.api import ks as ks_codec

ADMIN = KalturaSessionType.ADMIN
USER = KalturaSessionType.USER
PRIVS = "disableentitlement"
MakeClient = Callable[..., KalturaClient]


def _text(ks: str | bytes) -> str:
    return ks.decode() if isinstance(ks, bytes) else ks


def _b64(ks: str) -> bytes:
    return base64.b64decode(ks.replace("-", "+").replace("_", "/") + "==")


def _assert_info(info: KalturaSessionInfo, partner: PartnerSecrets, user: str,
                 session_type: int) -> None:
    assert isinstance(info, KalturaSessionInfo)
    assert int(info.partnerId) == partner.id
    assert value_of(info.sessionType) == session_type
    assert info.userId == user
    assert PRIVS in (info.privileges or "")
    assert int(info.expiry) > time.time()


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_local_ks_is_accepted_by_session_get(make_client: MakeClient, partner: PartnerSecrets,
                                             admin_ks: str, version: str) -> None:
    generate = (KalturaClient.generateSession if version == "v1"
                else KalturaClient.generateSessionV2)
    local = _text(generate(partner.admin_secret, "py-local", ADMIN, partner.id, 3600, PRIVS))
    raw = _b64(local)
    if version == "v1":
        assert raw.split(b"|", 1)[1].startswith(b"%d;%d;" % (partner.id, partner.id))
    else:
        assert raw.startswith(b"v2|%d|" % partner.id)

    described = make_client(admin_ks).session.get(local)          # the KS as a parameter
    _assert_info(described, partner, "py-local", ADMIN)
    own = make_client(local).session.get()                         # the KS of the request
    _assert_info(own, partner, "py-local", ADMIN)


def test_session_start_get_end(make_client: MakeClient, partner: PartnerSecrets) -> None:
    client = make_client()
    ks = client.session.start(partner.admin_secret, "py-user", ADMIN, partner.id, 3600, PRIVS)
    assert isinstance(ks, str) and len(ks) > 20
    client.setKs(ks)
    info = client.session.get()
    _assert_info(info, partner, "py-user", ADMIN)

    assert client.session.end() is None
    exc = kaltura_error(client.session.get)
    assert exc.code == "INVALID_KS"
    assert "-6" in exc.message and "LOGOUT" in exc.message
    exc = kaltura_error(lambda: client.partner.get(partner.id))   # any call, not only session.*
    assert exc.code == "INVALID_KS" and "-6,LOGOUT" in exc.message


def test_user_secret_opens_user_sessions_only(make_client: MakeClient,
                                              partner: PartnerSecrets) -> None:
    client = make_client()
    ks = client.session.start(partner.secret, "py-viewer", USER, partner.id, 600, PRIVS)
    info = make_client(ks).session.get()
    _assert_info(info, partner, "py-viewer", USER)
    exc = kaltura_error(lambda: client.session.start(partner.secret, "x", ADMIN, partner.id))
    assert exc.code == "START_SESSION_ERROR"


def test_partner_get_and_ping(make_client: MakeClient, partner: PartnerSecrets,
                              admin_ks: str) -> None:
    client = make_client(admin_ks)
    got = client.partner.get(partner.id)
    assert isinstance(got, KalturaPartner)
    assert got.id == partner.id and got.name == partner.name
    assert got.adminSecret == partner.admin_secret          # admin session sees its secrets
    assert make_client().system.ping() is True


def test_ks_of_another_partner_is_not_described(make_client: MakeClient, admin_ks: str,
                                                other_partner: PartnerSecrets) -> None:
    foreign = _text(KalturaClient.generateSessionV2(other_partner.admin_secret, "x", ADMIN,
                                                    other_partner.id, 600, ""))
    exc = kaltura_error(lambda: make_client(admin_ks).session.get(foreign))
    assert exc.code == "INVALID_KS"


def test_multirequest_dependency_and_failures(make_client: MakeClient, partner: PartnerSecrets,
                                              admin_ks: str) -> None:
    client = make_client(admin_ks)
    client.startMultiRequest()
    started = client.session.start(partner.admin_secret, "py-mr", ADMIN, partner.id, 600, PRIVS)
    client.session.get(started)                                    # session="{1:result}"
    client.setKs(str(started))                                     # this call's ks="{1:result}"
    client.partner.get(partner.id)
    client.setKs(admin_ks)
    failed = client.partner.get(partner.id + 1_000_000)            # fails in its slot
    client.queueServiceActionCall("nosuchservice", "list", None, KalturaParams())
    client.session.get(failed)                                     # "{4:result}" → error
    client.system.ping()
    results = client.doMultiRequest()

    assert len(results) == 7, results
    ks, info, got, bad_partner, bad_service, bad_ref, pong = results
    assert isinstance(ks, str) and len(ks) > 20
    assert isinstance(info, KalturaSessionInfo), info
    assert info.userId == "py-mr" and int(info.partnerId) == partner.id
    assert isinstance(got, KalturaPartner) and got.id == partner.id, got
    assert isinstance(bad_partner, KalturaException)
    assert bad_partner.code == "INVALID_PARTNER_ID"
    assert isinstance(bad_service, KalturaException)
    assert bad_service.code == "SERVICE_DOES_NOT_EXISTS"
    assert isinstance(bad_ref, KalturaException)
    assert bad_ref.code == "MISSING_MANDATORY_PARAMETER"
    assert pong in ("1", True)


def _call(client: KalturaClient, service: str, action: str, **params: str) -> object:
    """A call through the client's own queue (how generated services call), for unknown names."""
    kparams = KalturaParams()
    for key, value in params.items():
        kparams.addStringIfDefined(key, value)
    client.queueServiceActionCall(service, action, None, kparams)
    return client.doQueue()


def test_bad_ks(make_client: MakeClient) -> None:
    exc = kaltura_error(make_client("definitely-not-a-ks").session.get)
    assert exc.code == "INVALID_KS" and "-1,INVALID_STR" in exc.message


def test_missing_ks(make_client: MakeClient, partner: PartnerSecrets) -> None:
    exc = kaltura_error(lambda: make_client().partner.get(partner.id))
    assert exc.code == "MISSING_KS"


@pytest.mark.parametrize("version", ["client-v1", "client-v2", "codec-v2"])
def test_expired_ks(make_client: MakeClient, partner: PartnerSecrets, version: str) -> None:
    if version == "codec-v2":
        expired = ks_codec.encode_v2(partner.admin_secret, partner.id, int(time.time()) - 60,
                                     2, "py-old", PRIVS)
    else:
        generate = (KalturaClient.generateSession if version == "client-v1"
                    else KalturaClient.generateSessionV2)
        expired = _text(generate(partner.admin_secret, "py-old", ADMIN, partner.id, -3600, PRIVS))
    exc = kaltura_error(make_client(expired).session.get)
    assert exc.code == "INVALID_KS" and "-5,EXPIRED" in exc.message


def test_tampered_ks(make_client: MakeClient, partner: PartnerSecrets) -> None:
    wrong_secret = _text(KalturaClient.generateSessionV2("0" * 32, "x", ADMIN, partner.id, 600,
                                                         ""))
    exc = kaltura_error(make_client(wrong_secret).session.get)
    assert exc.code == "INVALID_KS" and "-1,INVALID_STR" in exc.message


def test_unknown_service_and_action(make_client: MakeClient, admin_ks: str) -> None:
    exc = kaltura_error(lambda: _call(make_client(admin_ks), "nosuchservice", "list"))
    assert exc.code == "SERVICE_DOES_NOT_EXISTS" and "nosuchservice" in exc.message
    exc = kaltura_error(lambda: _call(make_client(admin_ks), "system", "nosuchaction"))
    assert exc.code == "ACTION_DOES_NOT_EXISTS" and "nosuchaction" in exc.message


def test_missing_parameter(make_client: MakeClient, partner: PartnerSecrets) -> None:
    exc = kaltura_error(lambda: _call(make_client(), "session", "start",
                                      partnerId=str(partner.id)))
    assert exc.code == "MISSING_MANDATORY_PARAMETER" and '"secret"' in exc.message
