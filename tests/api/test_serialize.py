from __future__ import annotations

import json

from lxml import etree

from vpaas.api.serialize import JsonEncoder, XmlEncoder
from vpaas.app import registry
from vpaas.objects.common import KalturaFilterPager, KalturaString
from vpaas.objects.session import KalturaSessionInfo, KalturaSessionType
from vpaas.registry import catalogue as E


def test_xml_object_has_object_type_and_null_elements() -> None:
    info = KalturaSessionInfo(ks="abc", sessionType=KalturaSessionType.ADMIN, partnerId=101)
    doc = XmlEncoder(registry()).document(info, 0.01)
    assert doc.startswith('<?xml version="1.0" encoding="utf-8"?><xml><result>')
    root = etree.fromstring(doc.encode())
    result = root.find("result")
    assert result.findtext("objectType") == "KalturaSessionInfo"
    assert result.findtext("sessionType") == "2"
    assert result.find("userId") is not None and result.findtext("userId") == ""


def test_xml_arrays_maps_bools_and_escaping() -> None:
    enc = XmlEncoder(registry())
    doc = enc.document([KalturaString(value="a<b&c"), True, {"k": 1}], 0)
    result = etree.fromstring(doc.encode()).find("result")
    items = result.findall("item")
    assert items[0].findtext("value") == "a<b&c"
    assert items[1].text == "1"
    assert items[2].find("item").findtext("itemKey") == "k"


def test_xml_error_shape_matches_the_python_client() -> None:
    doc = XmlEncoder(registry()).document(E.ENTRY_ID_NOT_FOUND("0_x"), 0)
    err = etree.fromstring(doc.encode()).find("result/error")
    assert err.findtext("code") == "ENTRY_ID_NOT_FOUND"
    assert err.findtext("message") == 'Entry id "0_x" not found'
    arg = err.find("args/item")
    assert arg.findtext("objectType") == "KalturaApiExceptionArg"
    assert (arg.findtext("name"), arg.findtext("value")) == ("ENTRY_ID", "0_x")


def test_json_omits_nulls_and_puts_object_type_last() -> None:
    pager = KalturaFilterPager(pageSize=10)
    text = JsonEncoder(registry()).document(pager)
    assert text == '{"pageSize":10,"objectType":"KalturaFilterPager"}'


def test_json_error_and_enum_numbers() -> None:
    enc = JsonEncoder(registry())
    err = json.loads(enc.document(E.MISSING_KS()))
    assert err == {"code": "MISSING_KS", "message": "Missing KS, session not established",
                   "objectType": "KalturaAPIException", "args": []}
    info = json.loads(enc.document(KalturaSessionInfo(sessionType=KalturaSessionType.USER)))
    assert info["sessionType"] == 0


def test_json_keeps_text_as_utf8_and_scalars_as_json_types() -> None:
    enc = JsonEncoder(registry())
    text = enc.document(KalturaString(value='Müller "日本" \\ / \n'))
    assert text == '{"value":"Müller \\"日本\\" \\\\ / \\n","objectType":"KalturaString"}'
    assert enc.document([1, 2.5, True, None, {"a": "é"}]) == '[1,2.5,true,null,{"a":"é"}]'
