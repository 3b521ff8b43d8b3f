"""Entries domain: ids, lookup scoping, storing sources (and undoing it), sniffing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vpaas.adapters.storage import LocalStorage
from vpaas.db.base import Database
from vpaas.db.tables.entry import EntryRow
from vpaas.db.tables.job import JobRow
from vpaas.domain import entries
from vpaas.domain.entries import EntryType, MediaType, guess_media_type, sniff_extension
from vpaas.domain.entry_state import EntryStatus
from vpaas.registry import ApiError


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "media")


def _file(tmp_path: Path, data: bytes, name: str = "in.bin") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("head,name,ext", [
    (b"\x00\x00\x00\x18ftypisom", "x.bin", "mp4"),
    (b"\x00\x00\x00\x14ftypqt  ", None, "mov"),
    (b"\x00\x00\x00\x20ftypM4A ", "a.mp4", "m4a"),
    (b"\x1aE\xdf\xa3\x01\x00webm", None, "webm"),
    (b"\x1aE\xdf\xa3\x01\x00matroska", None, "mkv"),
    (b"RIFF\x00\x00\x00\x00AVI ", None, "avi"),
    (b"RIFF\x00\x00\x00\x00WAVE", None, "wav"),
    (b"ID3\x03", None, "mp3"),
    (b"\x89PNG\r\n", "photo.jpg", "png"),
    (b"\xff\xd8\xff\xe0", None, "jpg"),
    (b"%PDF-1.7", "doc.docx", "pdf"),
    (b"PK\x03\x04", "slides.pptx", "pptx"),
    (b"PK\x03\x04", "archive", "zip"),
    (b"plain text", "notes.TXT", "txt"),
    (b"plain text", "../../evil.p/hp", "bin"),
    (b"plain text", None, "bin"),
])
def test_sniff_extension(tmp_path: Path, head: bytes, name: str | None, ext: str) -> None:
    assert sniff_extension(_file(tmp_path, head + bytes(300)), name) == ext


def test_media_type_guess() -> None:
    assert guess_media_type("png") == MediaType.IMAGE
    assert guess_media_type("mp3") == MediaType.AUDIO
    assert guess_media_type("mkv") == MediaType.VIDEO == guess_media_type("bin")


def test_ids_keys_and_partner_scoped_lookup(database: Database) -> None:
    with database.partner_session(101) as s:
        row = entries.new_entry(s, EntryType.MEDIA_CLIP, {"name": "a"})
        s.commit()
    assert re.fullmatch(r"0_[0-9a-z]{8}", row.id)
    assert row.status == EntryStatus.NO_CONTENT and row.partner_id == 101
    assert entries.source_key(101, row.id, "0_x", "mp4") == f"p/101/entry/{row.id}/source/0_x.mp4"
    with database.partner_session(101) as s:
        assert entries.get_entry(s, row.id, EntryType.MEDIA_CLIP).id == row.id
        with pytest.raises(ApiError, match=r"not found"):
            entries.get_entry(s, row.id, EntryType.DOCUMENT)
    with database.partner_session(102) as s, pytest.raises(ApiError) as info:
        entries.get_entry(s, row.id)
    assert info.value.code == "ENTRY_ID_NOT_FOUND"


def test_store_file_makes_media_preconvert_and_enqueues_processing(
        database: Database, storage: LocalStorage, tmp_path: Path) -> None:
    src = _file(tmp_path, b"\x00\x00\x00\x18ftypisom" + bytes(100), "clip.mov")
    with database.partner_session(101) as s:
        row = entries.new_entry(s, EntryType.MEDIA_CLIP, {"name": "a"})
        entries.store_file(s, storage, row, src, "My Clip.mov")
        s.commit()
        job = s.query(JobRow).one()
    assert not src.exists() and storage.size(row.source_key or "") == 112
    assert (row.status, row.media_type, row.source_ext) == (EntryStatus.PRECONVERT, 1, "mp4")
    assert row.source_name == "My Clip.mov"
    assert (job.type, job.object_id, job.payload["replacement"]) == ("process_entry", row.id,
                                                                     False)


def test_store_file_is_undone_when_the_transaction_rolls_back(
        database: Database, storage: LocalStorage, tmp_path: Path) -> None:
    src = _file(tmp_path, b"%PDF-1.4" + bytes(50), "doc.pdf")
    with database.partner_session(101) as s:
        row = entries.new_entry(s, EntryType.DOCUMENT, {"name": "d"})
        s.commit()
        entries.store_file(s, storage, row, src, "doc.pdf")
        key = row.source_key or ""
        assert storage.exists(key) and not src.exists()
        s.rollback()
    assert src.read_bytes().startswith(b"%PDF") and not storage.exists(key)


def test_documents_are_ready_at_once_and_replacements_swap(
        database: Database, storage: LocalStorage, tmp_path: Path) -> None:
    with database.partner_session(101) as s:
        row = entries.new_entry(s, EntryType.DOCUMENT, {"name": "d"})
        entries.store_file(s, storage, row, _file(tmp_path, b"%PDF-1" + bytes(9)), None)
        s.commit()
        first = row.source_key or ""
        assert (row.status, row.document_type, row.version) == (EntryStatus.READY, 13, 1)
        entries.store_file(s, storage, row, _file(tmp_path, b"PK\x03\x04", "b.docx"),
                           "b.docx", replacement=True)
        s.commit()
    assert row.source_ext == "docx" and row.version == 2 and row.replacement_status == 0
    assert not storage.exists(first) and storage.exists(row.source_key or "")


def test_finish_replacement_failure_keeps_the_current_source() -> None:
    row = EntryRow(id="0_aaaaaaaa", source_key="old", replacement_key="new",
                   replacement_status=1, version=3)
    assert entries.finish_replacement(row, ok=False, reason="bad file") == "new"
    assert (row.source_key, row.replacement_status, row.replacement_reason) == ("old", 4,
                                                                                "bad file")
    row.replacement_key, row.replacement_status = "newer", 1
    assert entries.finish_replacement(row, ok=True) == "old"
    assert (row.source_key, row.replacement_key, row.version) == ("newer", None, 4)
