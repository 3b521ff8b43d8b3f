"""Custom metadata rules: XSD and XML validation (hardened), fields, the value index and the
advanced-search conditions, run on entry SELECTs of the pass's database."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from vpaas.db.base import Database
from vpaas.db.tables.entry import EntryRow
from vpaas.db.tables.metadata import MetadataFieldValueRow, MetadataProfileRow
from vpaas.domain import entries, entry_query, metadata_search
from vpaas.domain import metadata as md
from vpaas.domain.partners import create_partner
from vpaas.objects.metadata import (
    KalturaMetadataSearchItem,
    KalturaSearchComparableCondition,
    KalturaSearchCondition,
    KalturaSearchConditionComparison,
    KalturaSearchOperator,
    KalturaSearchOperatorType,
)
from vpaas.registry import ApiError

AND, OR = KalturaSearchOperatorType.SEARCH_AND, KalturaSearchOperatorType.SEARCH_OR


def appinfo(label: str, searchable: str = "true") -> str:
    return (f"<xsd:annotation><xsd:appinfo><label>{label}</label><key>{label}</key>"
            f"<searchable>{searchable}</searchable></xsd:appinfo></xsd:annotation>")


XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">
 <xsd:element name="metadata"><xsd:complexType><xsd:sequence>
  <xsd:element name="Color" type="listType" minOccurs="0">{appinfo("Colour")}</xsd:element>
  <xsd:element name="Notes" type="textType" minOccurs="0" maxOccurs="unbounded">
   {appinfo("Notes")}</xsd:element>
  <xsd:element name="Year" type="intType" minOccurs="0">{appinfo("Year")}</xsd:element>
  <xsd:element name="Shot" type="dateType" minOccurs="0">{appinfo("Shot")}</xsd:element>
  <xsd:element name="Secret" type="textType" minOccurs="0">{appinfo("Secret", "false")}
  </xsd:element>
  <xsd:element name="Crew" minOccurs="0"><xsd:complexType><xsd:sequence>
   <xsd:element name="Name" type="xsd:string" maxOccurs="unbounded"/>
  </xsd:sequence></xsd:complexType></xsd:element>
 </xsd:sequence></xsd:complexType></xsd:element>
 <xsd:simpleType name="listType"><xsd:restriction base="xsd:string">
  <xsd:enumeration value="Red"/><xsd:enumeration value="Dark Blue"/>
 </xsd:restriction></xsd:simpleType>
 <xsd:simpleType name="textType"><xsd:restriction base="xsd:string"/></xsd:simpleType>
 <xsd:simpleType name="intType"><xsd:restriction base="xsd:long"/></xsd:simpleType>
 <xsd:simpleType name="dateType"><xsd:restriction base="xsd:long"/></xsd:simpleType>
</xsd:schema>"""


def xml(**fields: Any) -> str:
    body = "".join(f"<{k}>{v}</{k}>" for k, vs in fields.items()
                   for v in (vs if isinstance(vs, list) else [vs]))
    return f"<metadata>{body}</metadata>"


def xpath(name: str) -> str:
    return f"/*[local-name()='metadata']/*[local-name()='{name}']"


# --- validation ----------------------------------------------------------------------------


def test_a_good_xsd_compiles_and_lists_its_searchable_leaves() -> None:
    _, doc = md.compile_schema(XSD)
    fields = {f.path: f for f in md.schema_fields(doc)}
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
    ("<x/>" + " " * md.MAX_XSD_CHARS, "larger than"),
])
def test_a_bad_xsd_is_refused_with_a_reason(xsd: str, reason: str) -> None:
    with pytest.raises(ApiError) as caught:
        md.compile_schema(xsd)
    assert caught.value.code == "INVALID_METADATA_PROFILE_SCHEMA"
    assert reason in caught.value.message and "Traceback" not in caught.value.message


def test_xml_is_validated_against_the_profile_schema() -> None:
    schema, _ = md.compile_schema(XSD)
    root = md.validate_xml(schema, xml(Color="Red", Notes=["a", "b"], Year=2020))
    assert root.tag == "metadata"
    for bad, reason in [(xml(Color="Purple"), "Purple"),
                        (xml(Year="soon"), "Year"),
                        ("<other/>", "other"),
                        ("<metadata><Color>Red</Color>", "not well-formed"),
                        ('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM '
                         '"file:///etc/passwd">]><metadata><Notes>&x;</Notes></metadata>',
                         "")]:
        with pytest.raises(ApiError) as caught:
            md.validate_xml(schema, bad)
        assert caught.value.code == "INVALID_METADATA_DATA" and reason in caught.value.message
        assert "root:" not in caught.value.message  # no local file content leaks


def test_entity_expansion_never_happens() -> None:
    laughs = ('<!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
              ']><metadata><Notes>&b;</Notes></metadata>')
    with pytest.raises(ApiError, match="DOCTYPE is not allowed"):
        md.parse_xml(laughs, md.MAX_XML_CHARS, md.E.INVALID_METADATA_DATA)


def test_field_values_are_the_searchable_leaves_in_document_order() -> None:
    schema, doc = md.compile_schema(XSD)
    types = {f.path: f.type for f in md.schema_fields(doc)}
    root = md.validate_xml(schema, "<metadata><Color>Red</Color><Notes> one </Notes>"
                                   "<Notes/><Secret>hidden</Secret>"
                                   "<Crew><Name>Ann</Name><Name>Bo</Name></Crew></metadata>")
    assert md.field_values(root, types) == [("Color", "Red"), ("Notes", "one"),
                                            ("Crew/Name", "Ann"), ("Crew/Name", "Bo")]


@pytest.mark.parametrize(("field", "expected"), [
    ("/*[local-name()='metadata']/*[local-name()='Color']", ("Color", False)),
    ('/*[local-name() = "metadata"]/*[local-name()="Crew"]/*[local-name()="Name"]',
     ("Crew/Name", False)),
    ("/metadata/Color", ("Color", False)),
    ("/md:metadata/md:Color", ("Color", False)),
    ("Color", ("Color", True)),
    ("//Name", ("Name", True)),
])
def test_field_paths_accept_kalturas_three_forms(field: str, expected: tuple[str, bool]
                                                 ) -> None:
    assert metadata_search.field_path(field) == expected


@pytest.mark.parametrize("field", ["", "/metadata", "/a/b[1]", "/a/../b", "x y"])
def test_bad_field_paths_are_refused(field: str) -> None:
    with pytest.raises(ApiError) as caught:
        metadata_search.field_path(field)
    assert caught.value.code == "INVALID_PARAMETER_VALUE"


# --- stored metadata and search on entries -------------------------------------------------


@pytest.fixture
def world(database: Database) -> Iterator[SimpleNamespace]:
    with database.system_session() as s:
        partner, other = create_partner(s, "p"), create_partner(s, "o")
        s.commit()
    with database.partner_session(partner.id) as session:
        profile = MetadataProfileRow(partner_id=partner.id, object_type="1", name="P",
                                     status=1, create_mode=1, disable_reindexing=False)
        md.set_profile_xsd(session, profile, XSD)
        ids = {}
        now = md.now()
        for name, values in {
            "red": dict(Color="Red", Notes="the quick brown fox", Year=2019, Shot=now - 10),
            "blue": dict(Color="Dark Blue", Notes=["lazy dogs", "quick"], Year=2021,
                         Shot=now - 90_000),
            "bare": dict(),
        }.items():
            row = entries.new_entry(session, 1, {"name": name})
            md.add_metadata(session, partner.id, profile.id, "1", row.id, xml(**values))
            ids[name] = row.id
        ids["none"] = entries.new_entry(session, 1, {"name": "none"}).id
        session.commit()
        yield SimpleNamespace(session=session, partner=partner, other=other,
                              profile=profile, ids=ids, db=database)


def found(world: SimpleNamespace, item: Any, partner_id: int | None = None) -> set[str]:
    pid = partner_id or world.partner.id
    with world.db.partner_session(pid) as session:
        qctx = entry_query.QueryContext(session=session, partner_id=pid)
        handler = entry_query.ADVANCED_SEARCH_HANDLERS[type(item).__name__]
        stmt = handler(select(EntryRow.id), item, qctx)
        names = {v: k for k, v in world.ids.items()}
        return {names[i] for i in session.scalars(stmt)}


def cond(name: str, value: str) -> KalturaSearchCondition:
    return KalturaSearchCondition(field=xpath(name), value=value)


def cmp(name: str, op: str, value: str) -> KalturaSearchComparableCondition:
    return KalturaSearchComparableCondition(
        field=xpath(name), value=value, comparison=KalturaSearchConditionComparison(op))


def item(world: SimpleNamespace, *items: Any, type: Any = AND) -> KalturaMetadataSearchItem:
    return KalturaMetadataSearchItem(metadataProfileId=world.profile.id, type=type,
                                     items=list(items))


def test_list_fields_match_whole_values_text_fields_match_phrases(world: SimpleNamespace
                                                                  ) -> None:
    assert found(world, item(world, cond("Color", "red"))) == {"red"}
    assert found(world, item(world, cond("Color", "Blue"))) == set()  # whole value only
    assert found(world, item(world, cond("Color", "dark blue"))) == {"blue"}
    assert found(world, item(world, cond("Notes", "Quick"))) == {"red", "blue"}
    assert found(world, item(world, cond("Notes", "quick brown"))) == {"red"}
    assert found(world, item(world, cond("Notes", "brown quick"))) == set()
    assert found(world, item(world, cond("Notes", "qui"))) == set()  # words, not substrings
    assert found(world, item(world, cond("Notes", "*"))) == {"red", "blue"}
    assert found(world, item(world, cond("Secret", "*"))) == set()  # not searchable


def test_and_or_and_nested_operators(world: SimpleNamespace) -> None:
    both = item(world, cond("Color", "Red"), cond("Notes", "quick"))
    assert found(world, both) == {"red"}
    either = item(world, cond("Color", "Red"), cond("Notes", "dogs"), type=OR)
    assert found(world, either) == {"red", "blue"}
    nested = item(world, cond("Notes", "quick"),
                  KalturaSearchOperator(type=OR, items=[cond("Year", "2021"),
                                                        cond("Color", "nope")]))
    assert found(world, nested) == {"blue"}
    outer = KalturaSearchOperator(type=OR, items=[item(world, cond("Color", "Red")),
                                                  item(world, cond("Notes", "lazy"))])
    assert found(world, outer) == {"red", "blue"}
    assert found(world, item(world)) == {"red", "blue", "bare", "none"}


def test_comparisons_on_int_and_date_fields(world: SimpleNamespace) -> None:
    assert found(world, item(world, cmp("Year", "2", "2019"))) == {"blue"}
    assert found(world, item(world, cmp("Year", "3", "2019"))) == {"red", "blue"}
    assert found(world, item(world, cmp("Year", "5", "2020"))) == {"red"}
    assert found(world, item(world, cmp("Year", "1", "2021"))) == {"blue"}
    assert found(world, item(world, cmp("Year", "6", "2021"))) == {"red"}
    assert found(world, item(world, cmp("Shot", "2", "-3600"))) == {"red"}  # relative
    assert found(world, item(world, cmp("Shot", "4", "CURRENT_TIME"))) == {"red", "blue"}
    with pytest.raises(ApiError, match="not a number"):
        found(world, item(world, cmp("Year", "2", "soon")))


def test_conditions_stay_within_the_profile_and_the_partner(world: SimpleNamespace) -> None:
    wrong_profile = KalturaMetadataSearchItem(metadataProfileId=world.profile.id + 99,
                                              items=[cond("Color", "Red")])
    assert found(world, wrong_profile) == set()
    assert found(world, cond("Color", "Red")) == {"red"}  # a bare condition: any profile
    assert found(world, KalturaSearchCondition(field="Name", value="x")) == set()
    assert found(world, item(world, cond("Color", "Red")), world.other.id) == set()


def test_metadata_text_feeds_free_text(world: SimpleNamespace) -> None:
    with world.db.partner_session(world.partner.id) as session:
        text = " ".join(md.entry_metadata_text(session, world.partner.id, world.ids["blue"]))
        assert "lazy dogs" in text and "dark blue" in text and "2021" in text


def test_updates_reindex_and_stale_versions_are_refused(world: SimpleNamespace) -> None:
    with world.db.partner_session(world.partner.id) as session:
        row = session.scalars(select(md.MetadataRow).where(
            md.MetadataRow.object_id == world.ids["red"])).one()
        updated = md.update_metadata(session, row, xml(Color="Dark Blue"), 1)
        assert updated.version == 2
        with pytest.raises(ApiError) as caught:
            md.update_metadata(session, row, xml(Color="Red"), 1)
        assert caught.value.code == "INVALID_METADATA_VERSION"
        session.commit()
    assert found(world, item(world, cond("Color", "Dark Blue"))) == {"red", "blue"}
    assert found(world, item(world, cond("Notes", "fox"))) == set()


def test_an_xsd_change_bumps_the_version_and_invalidates_misfits(world: SimpleNamespace
                                                                 ) -> None:
    stricter = XSD.replace('<xsd:enumeration value="Dark Blue"/>', "")
    with world.db.partner_session(world.partner.id) as session:
        profile = session.get(MetadataProfileRow, world.profile.id)
        md.set_profile_xsd(session, profile, stricter)
        assert profile.version == 2
        rows = {r.object_id: r for r in session.scalars(select(md.MetadataRow))}
        assert rows[world.ids["blue"]].status == md.INVALID
        assert rows[world.ids["red"]].status == md.VALID
        assert rows[world.ids["red"]].metadata_profile_version == 2
        session.commit()
    assert found(world, item(world, cond("Notes", "quick"))) == {"red"}


def test_deleting_the_profile_removes_metadata_and_index(world: SimpleNamespace) -> None:
    with world.db.partner_session(world.partner.id) as session:
        md.delete_profile(session, session.get(MetadataProfileRow, world.profile.id))
        session.commit()
        assert session.scalars(select(MetadataFieldValueRow)).all() == []
        with pytest.raises(ApiError):
            md.get_profile(session, world.profile.id)
    assert found(world, cond("Color", "Red")) == set()


def test_object_checks_and_duplicates(world: SimpleNamespace) -> None:
    session: Session
    with world.db.partner_session(world.partner.id) as session:
        for object_id, code in [("0_missing", "INVALID_METADATA_OBJECT"),
                                (world.ids["red"], "METADATA_ALREADY_EXISTS"),
                                (" x", "INVALID_METADATA_OBJECT")]:
            with pytest.raises(ApiError) as caught:
                md.add_metadata(session, world.partner.id, world.profile.id, "1", object_id,
                                xml())
            assert caught.value.code == code
        with pytest.raises(ApiError) as caught:
            md.add_metadata(session, world.partner.id, world.profile.id, "2", "5", xml())
        assert caught.value.code == "INCOMPATIBLE_METADATA_PROFILE_OBJECT_TYPE"
