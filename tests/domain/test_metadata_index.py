"""The metadata value index: searchable values feed the entries' free text."""

from __future__ import annotations

from types import SimpleNamespace

from vpaas.domain import metadata_index


def test_metadata_text_feeds_free_text(world: SimpleNamespace) -> None:
    with world.db.partner_session(world.partner.id) as session:
        values = metadata_index.entry_metadata_text(session, world.partner.id, world.ids["blue"])
        text = " ".join(values)
        assert "lazy dogs" in text and "dark blue" in text and "2021" in text
