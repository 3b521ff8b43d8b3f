"""Stored metadata: updates reindex, stale versions, object checks, profile deletion."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from support.metadata_world import cond, found, item, xml

from vpaas.db.tables.metadata import MetadataFieldValueRow, MetadataProfileRow, MetadataRow
from vpaas.domain import metadata as md
from vpaas.domain import metadata_profiles
from vpaas.registry import ApiError


def test_updates_reindex_and_stale_versions_are_refused(world: SimpleNamespace) -> None:
    with world.db.partner_session(world.partner.id) as session:
        row = session.scalars(select(MetadataRow).where(
            MetadataRow.object_id == world.ids["red"])).one()
        updated = md.update_metadata(session, row, xml(Color="Dark Blue"), 1)
        assert updated.version == 2
        with pytest.raises(ApiError) as caught:
            md.update_metadata(session, row, xml(Color="Red"), 1)
        assert caught.value.code == "INVALID_METADATA_VERSION"
        session.commit()
    assert found(world, item(world, cond("Color", "Dark Blue"))) == {"red", "blue"}
    assert found(world, item(world, cond("Notes", "fox"))) == set()


def test_deleting_the_profile_removes_metadata_and_index(world: SimpleNamespace) -> None:
    with world.db.partner_session(world.partner.id) as session:
        md.delete_profile(session, session.get(MetadataProfileRow, world.profile.id))
        session.commit()
        assert session.scalars(select(MetadataFieldValueRow)).all() == []
        with pytest.raises(ApiError):
            metadata_profiles.get_profile(session, world.profile.id)
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
