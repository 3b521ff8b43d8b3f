"""Raw api_v3 HTTP against the real server (httpx): the shapes and URL forms clients rely on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from lxml import etree
from support.server import PartnerSecrets, VpaasServer

PING = "/api_v3/service/system/action/ping"


@pytest.fixture(scope="module")
def http(compat_server: VpaasServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=compat_server.url, timeout=30) as client:
        yield client


def _xml_result(response: httpx.Response) -> etree._Element:
    root = etree.fromstring(response.content)
    assert root.tag == "xml"
    assert [child.tag for child in root] == ["result", "executionTime"]
    float(root.findtext("executionTime") or "")
    result = root.find("result")
    assert result is not None
    return result


def _start_form(partner: PartnerSecrets, **extra: Any) -> dict[str, Any]:
    return {"secret": partner.admin_secret, "partnerId": partner.id, "type": 2,
            "userId": "raw-user", **extra}


def test_json_shapes(http: httpx.Client, partner: PartnerSecrets, admin_ks: str) -> None:
    started = http.post("/api_v3/service/session/action/start",
                        json={"format": 1, **_start_form(partner)})
    assert started.headers["content-type"].startswith("application/json")
    assert isinstance(started.json(), str)
    got = http.post("/api_v3/service/partner/action/get",
                    json={"format": 1, "ks": admin_ks, "id": partner.id}).json()
    assert got["objectType"] == "KalturaPartner" and got["id"] == partner.id
    assert http.post(PING, json={"format": 1}).json() is True
    error = http.post("/api_v3/service/session/action/get",
                      json={"format": 1, "ks": "bad"})
    assert error.status_code == 200                      # API errors are HTTP 200
    assert error.headers["x-kaltura"] == "error-INVALID_KS"
    assert error.json() == {"code": "INVALID_KS", "objectType": "KalturaAPIException",
                            "message": 'Invalid KS "bad", Error "-1,INVALID_STR"',
                            "args": {"KS": "bad", "ERR_CODE": "-1", "ERR_DESC": "INVALID_STR"}}


def test_xml_shapes(http: httpx.Client, partner: PartnerSecrets, admin_ks: str) -> None:
    answer = http.post(PING, json={"format": "2"})
    assert answer.headers["content-type"].startswith("text/xml")
    assert _xml_result(answer).text == "1"
    got = _xml_result(http.post("/api_v3/service/partner/action/get",
                                json={"format": "2", "ks": admin_ks}))
    assert got.findtext("objectType") == "KalturaPartner"
    assert got.findtext("id") == str(partner.id)
    error = _xml_result(http.get("/api_v3/service/partner/action/get")).find("error")
    assert error is not None
    assert error.findtext("code") == "MISSING_KS"
    assert error.findtext("objectType") == "KalturaAPIException"
    assert error.findtext("message") == "Missing KS, session not established"


def test_xml_multirequest_items(http: httpx.Client, partner: PartnerSecrets) -> None:
    body = {"format": "2", "0": {"service": "system", "action": "ping"},
            "1": {"service": "system", "action": "nosuchaction"}}
    result = _xml_result(http.post("/api_v3/service/multirequest", json=body))
    items = result.findall("item")
    assert len(items) == 2
    assert items[0].text == "1"
    assert items[1].findtext("error/code") == "ACTION_DOES_NOT_EXISTS"


def test_cors_on_responses_and_preflight(http: httpx.Client) -> None:
    answer = http.post(PING, json={"format": 1}, headers={"Origin": "http://player.example"})
    assert answer.headers["access-control-allow-origin"] == "*"
    exposed = answer.headers["access-control-expose-headers"].lower()
    assert "x-kaltura" in exposed and "x-kaltura-session" in exposed
    error = http.get("/api_v3/service/nosuch/action/x", headers={"Origin": "http://x.example"})
    assert error.headers["access-control-allow-origin"] == "*"

    preflight = http.options(PING, headers={
        "Origin": "http://player.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code in (200, 204)
    assert preflight.headers["access-control-allow-origin"] == "*"
    methods = preflight.headers["access-control-allow-methods"].upper()
    assert "POST" in methods and "GET" in methods
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    assert int(preflight.headers["access-control-max-age"]) > 0


@pytest.mark.parametrize("path", [
    PING,
    "//api_v3/service/system/action/ping",
    "/api_v3//service/system/action/ping",
    "/api_v3/index.php?service=system&action=ping",
    "/api_v3/index.php/service/system/action/ping",
    "/api_v3/?service=system&action=ping",
])
def test_url_forms_reach_the_dispatcher(http: httpx.Client, compat_server: VpaasServer,
                                        path: str) -> None:
    url = f"{compat_server.url}{path}{'&' if '?' in path else '?'}format=1"  # absolute: keep //
    assert http.get(url).json() is True
    assert http.post(url).json() is True


def test_path_pairs_carry_parameters(http: httpx.Client, partner: PartnerSecrets,
                                     admin_ks: str) -> None:
    got = http.get(f"/api_v3/service/partner/action/get/id/{partner.id}/format/1",
                   params={"ks": admin_ks}).json()
    assert got["objectType"] == "KalturaPartner" and got["id"] == partner.id
    wrong = http.get(f"/api_v3/index.php/service/partner/action/get/id/{partner.id + 5}",
                     params={"ks": admin_ks, "format": 1}).json()
    assert wrong["code"] == "INVALID_PARTNER_ID"


def test_form_body_with_service_and_action(http: httpx.Client, partner: PartnerSecrets) -> None:
    form = {"service": "session", "action": "start", "format": "1", **_start_form(partner)}
    ks = http.post("/api_v3/", data=form).json()
    assert isinstance(ks, str) and len(ks) > 20
    info = http.post("/api_v3/", data={"service": "session", "action": "get",
                                       "format": "1", "ks": ks}).json()
    assert info["objectType"] == "KalturaSessionInfo" and info["userId"] == "raw-user"


@pytest.mark.parametrize("style", ["brackets", "colons"])
def test_flat_keys_in_a_form_multirequest(http: httpx.Client, partner: PartnerSecrets,
                                          style: str) -> None:
    def key(index: int, name: str) -> str:
        return f"{index}[{name}]" if style == "brackets" else f"{index}:{name}"

    form = {key(1, "service"): "session", key(1, "action"): "start", "format": "1",
            **{key(1, k): str(v) for k, v in _start_form(partner).items()},
            key(2, "service"): "session", key(2, "action"): "get",
            key(2, "ks"): "{1:result}"}
    results = http.post("/api_v3/service/multirequest", data=form).json()
    assert isinstance(results, list) and len(results) == 2, results
    assert isinstance(results[0], str)
    assert results[1]["objectType"] == "KalturaSessionInfo"      # ran with ks "{1:result}"
    assert results[1]["partnerId"] == partner.id and results[1]["userId"] == "raw-user"


def test_multipart_with_json_field(http: httpx.Client, partner: PartnerSecrets) -> None:
    payload = {"format": 1, **_start_form(partner, userId="multipart-user")}
    ks = http.post("/api_v3/service/session/action/start",
                   files={"json": (None, json.dumps(payload))}).json()
    assert isinstance(ks, str) and len(ks) > 20
    info = http.post("/api_v3/service/session/action/get",
                     files={"json": (None, json.dumps({"format": 1, "ks": ks}))}).json()
    assert info["userId"] == "multipart-user"


def test_jsonp(http: httpx.Client) -> None:
    answer = http.get(PING, params={"format": 9, "callback": "cb_1"})
    assert answer.headers["content-type"].startswith("application/javascript")
    assert answer.text.strip() == "cb_1(true);"


def test_malformed_json_body_is_a_clean_error(http: httpx.Client) -> None:
    answer = http.post(PING, content=b'{"format": 1, ', headers={
        "Content-Type": "application/json"})
    assert answer.status_code == 200
    assert b"INVALID_REQUEST_FORMAT" in answer.content
