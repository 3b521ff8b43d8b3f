"""The api_v3 edge over HTTP: URL forms, encodings, CORS, errors, multirequest."""

from __future__ import annotations

import json
import time

from lxml import etree

from vpaas.api import ks as ks_codec


def _xml_result(text: str) -> etree._Element:
    return etree.fromstring(text.encode()).find("result")


def test_url_forms_all_reach_the_dispatcher(edge) -> None:
    c = edge.client
    assert _xml_result(c.get("/api_v3/service/system/action/ping").text).text == "1"
    assert c.post("http://testserver//api_v3/service/system/action/ping?format=1").json() is True
    assert c.get("/api_v3/index.php?service=system&action=ping&format=1").json() is True
    assert c.get("/api_v3/index.php/service/system/action/ping/format/1").json() is True
    assert c.post("/api_v3/", data={"service": "system", "action": "ping",
                                    "format": "1"}).json() is True
    assert c.get("/api_v3/service/SYSTEM/action/PING?format=1").json() is True
    assert c.get("/api/service/system/action/ping?format=1").json() is True


def test_unknown_service_and_action(edge) -> None:
    c = edge.client
    err = c.post("/api_v3/service/nope/action/x?format=1").json()
    assert err["code"] == "SERVICE_DOES_NOT_EXISTS" and err["objectType"] == "KalturaAPIException"
    err = c.post("/api_v3/service/system/action/nope?format=1").json()
    assert err["code"] == "ACTION_DOES_NOT_EXISTS"
    assert c.post("/api_v3/?format=1").json()["code"] == "SERVICE_NOT_SPECIFIED"
    resp = c.post("/api_v3/service/system?format=1")
    assert resp.status_code == 200 and resp.json()["code"] == "ACTION_NOT_SPECIFIED"
    assert resp.headers["x-kaltura"] == "error-ACTION_NOT_SPECIFIED"


def test_cors_on_responses_and_preflight(edge) -> None:
    resp = edge.client.get("/api_v3/service/system/action/ping")
    assert resp.headers["access-control-allow-origin"] == "*"
    pre = edge.client.options("/api_v3/service/media/action/list",
                              headers={"Origin": "http://x", "Access-Control-Request-Method":
                                       "POST"})
    assert pre.status_code == 200
    assert "POST" in pre.headers["access-control-allow-methods"]
    assert pre.headers["access-control-max-age"] == "86400"


def test_session_start_with_python_style_strings_and_node_style_json(edge) -> None:
    p = edge.partner
    ks_xml = edge.client.post("/api_v3/service/session/action/start", json={
        "format": "2", "secret": p.admin_secret, "type": "2", "partnerId": str(p.id),
        "expiry": "86400", "privileges__null": "", "userId": "u"}).text
    ks = _xml_result(ks_xml).text
    data = ks_codec.decode(ks, [p.admin_secret])
    assert (data.partner_id, data.session_type, data.user_id) == (p.id, 2, "u")
    ks_json = edge.client.post("/api_v3/service/session/action/start", json={
        "format": 1, "secret": p.secret, "type": 0, "partnerId": p.id}).json()
    assert ks_codec.decode(ks_json, [p.admin_secret]).session_type == 0


def test_user_secret_cannot_open_admin_session(edge) -> None:
    p = edge.partner
    err = edge.client.post("/api_v3/service/session/action/start", json={
        "format": 1, "secret": p.secret, "type": 2, "partnerId": p.id}).json()
    assert err["code"] == "START_SESSION_ERROR"


def test_missing_invalid_expired_and_revoked_ks(edge) -> None:
    assert edge.json("session", "get", ks="")["code"] == "MISSING_KS"
    bad = edge.json("session", "get", ks="garbage")
    assert bad["code"] == "INVALID_KS" and bad["args"]["ERR_CODE"] == "-1"
    p = edge.partner
    expired = ks_codec.encode_v2(p.admin_secret, p.id, int(time.time()) - 10, 2, "u", "", None)
    err = edge.json("session", "get", ks=expired)
    assert err["code"] == "INVALID_KS" and "-5,EXPIRED" in err["message"]
    ks = edge.ks(admin=True)
    assert edge.json("session", "end", ks=ks) is None
    err = edge.json("partner", "get", ks=ks)
    assert err["code"] == "INVALID_KS" and "-6,LOGOUT" in err["message"]


def test_session_get_describes_own_and_given_ks(edge) -> None:
    info = edge.json("session", "get")
    assert info["objectType"] == "KalturaSessionInfo" and info["sessionType"] == 2
    user_ks = edge.ks(user="alice", privileges="sview:*,edit:0_a")
    other = edge.json("session", "get", session=user_ks)
    assert other["userId"] == "alice" and other["privileges"] == "sview:*,edit:0_a"
    foreign = edge.ks(partner=edge.other)
    assert edge.json("session", "get", session=foreign)["code"] == "INVALID_KS"


def test_missing_parameter(edge) -> None:
    err = edge.json("session", "startWidgetSession")
    assert err["code"] == "MISSING_MANDATORY_PARAMETER" and err["args"]["PARAM_NAME"] == "widgetId"


def test_widget_session_and_its_limits(edge) -> None:
    resp = edge.json("session", "startWidgetSession", widgetId=f"_{edge.partner.id}")
    assert resp["objectType"] == "KalturaStartWidgetSessionResponse"
    info = edge.json("session", "get", ks=resp["ks"])
    assert info["sessionType"] == 0 and "widget:1" in info["privileges"]
    assert edge.json("session", "startWidgetSession", widgetId="_999")["code"] == \
        "INVALID_WIDGET_ID"


def test_partner_get_is_scoped_and_hides_secrets_from_users(edge) -> None:
    mine = edge.json("partner", "get", id=edge.partner.id)
    assert mine["id"] == edge.partner.id and mine["adminSecret"] == edge.partner.admin_secret
    assert edge.json("partner", "get", id=edge.other.id)["code"] == "INVALID_PARTNER_ID"
    as_user = edge.json("partner", "get", ks=edge.ks())
    assert "adminSecret" not in as_user and as_user["name"] == "edge test"


def test_form_brackets_and_multipart_json_field(edge) -> None:
    c = edge.client
    form = c.post("/api_v3/service/session/action/get",
                  data={"ks": edge.admin_ks, "format": "1"}).json()
    assert form["partnerId"] == edge.partner.id
    multipart = c.post("/api_v3/service/session/action/get",
                       data={"json": json.dumps({"ks": edge.admin_ks, "format": 1})},
                       files={"unused": ("x.bin", b"123", "application/octet-stream")}).json()
    assert multipart["partnerId"] == edge.partner.id


def test_malformed_json_is_a_clean_error(edge) -> None:
    resp = edge.client.post("/api_v3/service/system/action/ping?format=1", content=b"{oops",
                            headers={"Content-Type": "application/json"})
    assert resp.status_code == 200 and resp.json()["code"] == "INVALID_REQUEST_FORMAT"


def test_multirequest_json_with_dependency_and_failure(edge) -> None:
    p = edge.partner
    body = {"format": 1,
            "0": {"service": "session", "action": "start", "secret": p.admin_secret, "type": 2,
                  "partnerId": p.id, "userId": "mr"},
            "1": {"service": "session", "action": "get", "ks": "{1:result}"},
            "2": {"service": "nope", "action": "x"},
            "3": {"service": "session", "action": "get", "ks": "{3:result:ks}"},
            "4": {"service": "partner", "action": "get", "ks": "{2:result:userId}",
                  "id": "{2:result:partnerId}"}}
    results = edge.client.post("/api_v3/service/multirequest", json=body).json()
    assert isinstance(results[0], str)
    assert results[1]["userId"] == "mr"
    assert results[2]["code"] == "SERVICE_DOES_NOT_EXISTS"
    assert results[3]["code"] == "MISSING_MANDATORY_PARAMETER"
    assert results[4]["code"] == "INVALID_KS"


def test_multirequest_legacy_form_one_based_xml(edge) -> None:
    data = {"1:service": "system", "1:action": "getVersion", "2:service": "session",
            "2:action": "get", "ks": edge.admin_ks}
    text = edge.client.post("/api_v3/index.php?service=multirequest&action=null",
                            data=data).text
    items = _xml_result(text).findall("item")
    assert len(items) == 2 and items[1].findtext("objectType") == "KalturaSessionInfo"


def test_internal_errors_hide_the_traceback(edge, monkeypatch) -> None:
    from vpaas.services import system

    def boom(ctx):
        raise RuntimeError("secret detail")

    spec = edge.runtime.registry.services["system"].actions["gettime"]
    monkeypatch.setattr(spec, "func", boom) if False else None
    object.__setattr__(spec, "func", boom)
    try:
        err = edge.client.get("/api_v3/service/system/action/getTime?format=1").json()
    finally:
        object.__setattr__(spec, "func", system.getTime)
    assert err["code"] == "INTERNAL_SERVERL_ERROR"
    assert "secret detail" not in json.dumps(err) and err["args"]["REQUEST_ID"]


def test_jsonp_and_gzip(edge) -> None:
    resp = edge.client.get("/api_v3/service/system/action/ping?format=9&callback=cb")
    assert resp.text == "cb(true);"
    big = edge.client.get("/api_v3/api_schema.php")
    assert big.status_code == 200


def test_ip_and_uri_restrictions(edge) -> None:
    locked = edge.ks(admin=True, privileges="iprestrict:10.9.8.7")
    err = edge.json("session", "get", ks=locked)
    assert err["code"] == "INVALID_KS" and err["args"]["ERR_CODE"] == "-9"
    uri = edge.ks(admin=True, privileges="urirestrict:/api_v3/service/partner/*")
    assert edge.json("partner", "get", ks=uri)["id"] == edge.partner.id
    assert edge.json("session", "get", ks=uri)["args"]["ERR_CODE"] == "-11"


def test_actions_limit(edge) -> None:
    limited = edge.ks(admin=True, privileges="actionslimit:2")
    assert edge.json("session", "get", ks=limited)["objectType"] == "KalturaSessionInfo"
    assert edge.json("session", "get", ks=limited)["objectType"] == "KalturaSessionInfo"
    err = edge.json("session", "get", ks=limited)
    assert err["code"] == "INVALID_KS" and err["args"]["ERR_CODE"] == "-8"


def test_sqlite_write_race_is_retried(edge) -> None:
    from sqlalchemy.exc import OperationalError

    from vpaas.services import system

    calls = []

    def flaky(ctx):
        calls.append(1)
        if len(calls) < 2:
            raise OperationalError("UPDATE", {}, Exception("database is locked"))
        return 42

    spec = edge.runtime.registry.services["system"].actions["gettime"]
    object.__setattr__(spec, "func", flaky)
    try:
        assert edge.client.get("/api_v3/service/system/action/getTime?format=1").json() == 42
    finally:
        object.__setattr__(spec, "func", system.getTime)
    assert len(calls) == 2
