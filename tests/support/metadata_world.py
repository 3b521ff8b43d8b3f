"""Custom-metadata test world: a profile XSD, XML helpers, entries with metadata, search helpers."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from vpaas.db.base import Database
from vpaas.db.base import now as db_now
from vpaas.db.tables.entry import EntryRow
from vpaas.db.tables.metadata import MetadataProfileRow
from vpaas.domain import (
    entries,
    entry_query,
    metadata_profiles,
)
from vpaas.domain import metadata as md
from vpaas.domain.partners import create_partner
from vpaas.objects.metadata import (
    KalturaMetadataSearchItem,
    KalturaSearchCondition,
    KalturaSearchOperatorType,
)

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


@pytest.fixture
def world(database: Database) -> Iterator[SimpleNamespace]:
    """A partner with a profile (``XSD``) and entries red, blue, bare (with metadata) and none."""
    with database.system_session() as s:
        partner, other = create_partner(s, "p"), create_partner(s, "o")
        s.commit()
    with database.partner_session(partner.id) as session:
        profile = MetadataProfileRow(partner_id=partner.id, object_type="1", name="P",
                                     status=1, create_mode=1, disable_reindexing=False)
        metadata_profiles.set_profile_xsd(session, profile, XSD)
        ids = {}
        now = db_now()
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


def item(world: SimpleNamespace, *items: Any, type: Any = AND) -> KalturaMetadataSearchItem:
    return KalturaMetadataSearchItem(metadataProfileId=world.profile.id, type=type,
                                     items=list(items))
