"""Metadata XSD and XML: hardened parsing, schema checks, searchable fields and their values."""

from __future__ import annotations

import pytest
from support.metadata_world import XSD, xml

from vpaas.domain import metadata_xsd
from vpaas.registry import ApiError
from vpaas.registry import catalogue as E


def test_a_good_xsd_compiles_and_lists_its_searchable_leaves() -> None:
    _, doc = metadata_xsd.compile_schema(XSD)
    fields = {f.path: f for f in metadata_xsd.schema_fields(doc)}
    assert list(fields) == ["Color", "Notes", "Year", "Shot", "Crew/Name"]
    assert fields["Color"].label == "Colour" and fields["Color"].type == "listType"
    assert fields["Year"].type == "intType" and fields["Shot"].type == "dateType"
    assert fields["Crew/Name"].xpath == (
        "/*[local-name()='metadata']/*[local-name()='Crew']/*[local-name()='Name']")


@pytest.mark.parametrize(("xsd", "reason"), [
    ("<xsd:schema", "not well-formed"),
    ("<metadata/>", "xs:schema"),
    ('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="a" '
     'type="xs:nope"/></xs:schema>', "nope"),
    ('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>', "no global xs:element"),
    ('<!DOCTYPE x [<!ENTITY e "boom">]><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
     '<xs:element name="a"/></xs:schema>', "DOCTYPE"),
    ('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:include '
     'schemaLocation="file:///etc/passwd"/><xs:element name="a"/></xs:schema>', "include"),
    ('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:import namespace="urn:x" '
     'schemaLocation="http://169.254.169.254/x.xsd"/><xs:element name="a"/></xs:schema>',
     "import"),
    ("<x/>" + " " * metadata_xsd.MAX_XSD_CHARS, "larger than"),
])
def test_a_bad_xsd_is_refused_with_a_reason(xsd: str, reason: str) -> None:
    with pytest.raises(ApiError) as caught:
        metadata_xsd.compile_schema(xsd)
    assert caught.value.code == "INVALID_METADATA_PROFILE_SCHEMA"
    assert reason in caught.value.message and "Traceback" not in caught.value.message


def test_xml_is_validated_against_the_profile_schema() -> None:
    schema, _ = metadata_xsd.compile_schema(XSD)
    root = metadata_xsd.validate_xml(schema, xml(Color="Red", Notes=["a", "b"], Year=2020))
    assert root.tag == "metadata"
    for bad, reason in [(xml(Color="Purple"), "Purple"),
                        (xml(Year="soon"), "Year"),
                        ("<other/>", "other"),
                        ("<metadata><Color>Red</Color>", "not well-formed"),
                        ('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM '
                         '"file:///etc/passwd">]><metadata><Notes>&x;</Notes></metadata>',
                         "")]:
        with pytest.raises(ApiError) as caught:
            metadata_xsd.validate_xml(schema, bad)
        assert caught.value.code == "INVALID_METADATA_DATA" and reason in caught.value.message
        assert "root:" not in caught.value.message  # no local file content leaks


def test_entity_expansion_never_happens() -> None:
    laughs = ('<!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
              ']><metadata><Notes>&b;</Notes></metadata>')
    with pytest.raises(ApiError, match="DOCTYPE is not allowed"):
        metadata_xsd.parse_xml(laughs, metadata_xsd.MAX_XML_CHARS, E.INVALID_METADATA_DATA)


def test_field_values_are_the_searchable_leaves_in_document_order() -> None:
    schema, doc = metadata_xsd.compile_schema(XSD)
    types = {f.path: f.type for f in metadata_xsd.schema_fields(doc)}
    root = metadata_xsd.validate_xml(schema, "<metadata><Color>Red</Color><Notes> one </Notes>"
                                   "<Notes/><Secret>hidden</Secret>"
                                   "<Crew><Name>Ann</Name><Name>Bo</Name></Crew></metadata>")
    assert metadata_xsd.field_values(root, types) == [("Color", "Red"), ("Notes", "one"),
                                            ("Crew/Name", "Ann"), ("Crew/Name", "Bo")]
