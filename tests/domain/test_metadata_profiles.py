"""Metadata profiles: an XSD change bumps the version and revalidates the metadata."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select
from support.metadata_world import XSD, cond, found, item

from vpaas.db.tables.metadata import MetadataProfileRow, MetadataRow
from vpaas.domain import (
    metadata_index,
    metadata_profiles,
)


def test_an_xsd_change_bumps_the_version_and_invalidates_misfits(world: SimpleNamespace
                                                                 ) -> None:
    stricter = XSD.replace('<xsd:enumeration value="Dark Blue"/>', "")
    with world.db.partner_session(world.partner.id) as session:
        profile = session.get(MetadataProfileRow, world.profile.id)
        metadata_profiles.set_profile_xsd(session, profile, stricter)
        assert profile.version == 2
        rows = {r.object_id: r for r in session.scalars(select(MetadataRow))}
        assert rows[world.ids["blue"]].status == metadata_index.INVALID
        assert rows[world.ids["red"]].status == metadata_index.VALID
        assert rows[world.ids["red"]].metadata_profile_version == 2
        session.commit()
    assert found(world, item(world, cond("Notes", "quick"))) == {"red"}
