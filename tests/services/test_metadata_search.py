"""Entry lists find custom metadata: advancedSearch with KalturaMetadataSearchItem (AND, OR,
nested operators, comparisons) and freeText over metadata values, through media.list."""

from __future__ import annotations

import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from support.api import ApiHelper, is_error

from vpaas.settings import Settings

XSD = """<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">
 <xsd:element name="metadata"><xsd:complexType><xsd:sequence>
  <xsd:element name="Genre" type="listType" minOccurs="0" maxOccurs="unbounded">
   <xsd:annotation><xsd:appinfo><label>Genre</label><key>Genre</key>
    <searchable>true</searchable></xsd:appinfo></xsd:annotation></xsd:element>
  <xsd:element name="Synopsis" type="textType" minOccurs="0">
   <xsd:annotation><xsd:appinfo><label>Synopsis</label><key>Synopsis</key>
    <searchable>true</searchable></xsd:appinfo></xsd:annotation></xsd:element>
  <xsd:element name="Rating" type="intType" minOccurs="0">
   <xsd:annotation><xsd:appinfo><label>Rating</label><key>Rating</key>
    <searchable>true</searchable></xsd:appinfo></xsd:annotation></xsd:element>
  <xsd:element name="AirDate" type="dateType" minOccurs="0">
   <xsd:annotation><xsd:appinfo><label>Air date</label><key>AirDate</key>
    <searchable>true</searchable></xsd:appinfo></xsd:annotation></xsd:element>
 </xsd:sequence></xsd:complexType></xsd:element>
 <xsd:simpleType name="listType"><xsd:restriction base="xsd:string">
  <xsd:enumeration value="Drama"/><xsd:enumeration value="Comedy"/>
  <xsd:enumeration value="Science Fiction"/></xsd:restriction></xsd:simpleType>
 <xsd:simpleType name="textType"><xsd:restriction base="xsd:string"/></xsd:simpleType>
 <xsd:simpleType name="intType"><xsd:restriction base="xsd:long"/></xsd:simpleType>
 <xsd:simpleType name="dateType"><xsd:restriction base="xsd:long"/></xsd:simpleType>
</xsd:schema>"""
SOAP, SPACE, PLAIN = "soap", "space", "plain"


def xpath(name: str) -> str:
    return f"/*[local-name()='metadata']/*[local-name()='{name}']"


@pytest.fixture
def lib(settings: Settings) -> Iterator[SimpleNamespace]:
    with ApiHelper(settings) as api:
        profile = api.call("metadata_metadataProfile", "add", metadataProfile={
            "objectType": "KalturaMetadataProfile", "metadataObjectType": "1", "name": "Show"},
            xsdData=XSD)
        now = int(time.time())
        bodies = {
            SOAP: f"<Genre>Drama</Genre><Genre>Comedy</Genre><Synopsis>Neighbours argue "
                  f"about a hedge</Synopsis><Rating>3</Rating><AirDate>{now - 100}</AirDate>",
            SPACE: f"<Genre>Science Fiction</Genre><Synopsis>A crew repairs the hedge "
                   f"drive</Synopsis><Rating>5</Rating><AirDate>{now - 10 * 86400}</AirDate>",
            PLAIN: "",
        }
        ids: dict[str, str] = {}
        for name, body in bodies.items():
            entry = api.call("media", "add", entry={"objectType": "KalturaMediaEntry",
                                                    "name": f"show {name}", "mediaType": 1})
            ids[name] = entry["id"]
            added = api.call("metadata_metadata", "add", metadataProfileId=profile["id"],
                             objectType="1", objectId=entry["id"],
                             xmlData=f"<metadata>{body}</metadata>")
            assert not is_error(added), added
        yield SimpleNamespace(api=api, profile=profile["id"], ids=ids)


def names(lib: SimpleNamespace, **filter_props: Any) -> set[str]:
    """Entries listed by media.list (statusIn: the test entries have no content yet)."""
    result = lib.api.call("media", "list", filter={"objectType": "KalturaMediaEntryFilter",
                                                   "statusIn": "2,7", **filter_props})
    assert not is_error(result), result
    by_id = {v: k for k, v in lib.ids.items()}
    return {by_id[e["id"]] for e in result["objects"]}


def cond(field: str, value: str, comparison: str | None = None) -> dict[str, Any]:
    if comparison is None:
        return {"objectType": "KalturaSearchCondition", "field": xpath(field), "value": value}
    return {"objectType": "KalturaSearchComparableCondition", "field": xpath(field),
            "value": value, "comparison": comparison}


def search(lib: SimpleNamespace, *items: dict[str, Any], type: int = 1) -> dict[str, Any]:
    return {"objectType": "KalturaMetadataSearchItem", "metadataProfileId": lib.profile,
            "type": type, "items": list(items)}


def test_and_or_conditions_through_media_list(lib: SimpleNamespace) -> None:
    assert names(lib, advancedSearch=search(lib, cond("Genre", "Comedy"))) == {SOAP}
    assert names(lib, advancedSearch=search(lib, cond("Genre", "science fiction"))) == {SPACE}
    assert names(lib, advancedSearch=search(lib, cond("Synopsis", "hedge"))) == {SOAP, SPACE}
    both = search(lib, cond("Synopsis", "hedge"), cond("Genre", "Drama"))
    assert names(lib, advancedSearch=both) == {SOAP}
    either = search(lib, cond("Genre", "Drama"), cond("Genre", "Science Fiction"), type=2)
    assert names(lib, advancedSearch=either) == {SOAP, SPACE}
    wrapped = {"objectType": "KalturaSearchOperator", "type": 1, "items": [
        search(lib, cond("Synopsis", "hedge")),
        search(lib, cond("Genre", "Comedy"), cond("Rating", "5"), type=2)]}
    assert names(lib, advancedSearch=wrapped) == {SOAP, SPACE}
    narrowed = names(lib, advancedSearch=search(lib, cond("Synopsis", "hedge")),
                     nameLike="space")
    assert narrowed == {SPACE}


def test_comparisons_on_numbers_and_relative_dates(lib: SimpleNamespace) -> None:
    assert names(lib, advancedSearch=search(lib, cond("Rating", "4", "2"))) == {SPACE}
    assert names(lib, advancedSearch=search(lib, cond("Rating", "3", "5"))) == {SOAP}
    recent = search(lib, cond("AirDate", "-86400", "3"))
    assert names(lib, advancedSearch=recent) == {SOAP}
    bad = lib.api.call("media", "list", filter={"objectType": "KalturaMediaEntryFilter",
                                                "advancedSearch": search(
                                                    lib, cond("Rating", "many", "2"))})
    assert is_error(bad, "INVALID_PARAMETER_VALUE")


def test_free_text_finds_metadata_values(lib: SimpleNamespace) -> None:
    assert names(lib, freeText="neighbours") == {SOAP}
    assert names(lib, freeText="hedge") == {SOAP, SPACE}
    metadata = lib.api.call("metadata_metadata", "list", filter={
        "objectType": "KalturaMetadataFilter", "objectIdEqual": lib.ids[SPACE]})["objects"][0]
    lib.api.call("metadata_metadata", "update", id=metadata["id"],
                 xmlData="<metadata><Synopsis>Quiet evening</Synopsis></metadata>")
    assert names(lib, freeText="hedge") == {SOAP}
    assert names(lib, freeText="quiet") == {SPACE}
    lib.api.call("metadata_metadata", "delete", id=metadata["id"])
    assert names(lib, freeText="quiet") == set()
    assert names(lib, advancedSearch=search(lib, cond("Synopsis", "quiet"))) == set()


def test_other_partners_never_match(lib: SimpleNamespace) -> None:
    api = lib.api
    other_ks = api.ks(admin=True, partner=api.new_partner())
    profile = api.call("metadata_metadataProfile", "add", ks=other_ks, metadataProfile={
        "objectType": "KalturaMetadataProfile", "metadataObjectType": "1", "name": "Show"},
        xsdData=XSD)
    entry = api.call("media", "add", ks=other_ks, entry={
        "objectType": "KalturaMediaEntry", "name": "theirs", "mediaType": 1})
    api.call("metadata_metadata", "add", ks=other_ks, metadataProfileId=profile["id"],
             objectType="1", objectId=entry["id"], xmlData="<metadata><Genre>Drama</Genre>"
             "<Synopsis>hedge</Synopsis></metadata>")

    def theirs(profile_id: int) -> list[str]:
        result = api.call("media", "list", ks=other_ks, filter={
            "objectType": "KalturaMediaEntryFilter", "statusIn": "2,7", "advancedSearch": {
                "objectType": "KalturaMetadataSearchItem", "metadataProfileId": profile_id,
                "items": [cond("Genre", "Drama")]}})
        return [e["id"] for e in result["objects"]]

    assert theirs(lib.profile) == [] and theirs(profile["id"]) == [entry["id"]]
    assert names(lib, advancedSearch=search(lib, cond("Genre", "Drama"))) == {SOAP}
    assert names(lib, freeText="hedge") == {SOAP, SPACE}
