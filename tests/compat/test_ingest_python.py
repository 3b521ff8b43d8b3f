"""Ingest with the official Python client: upload tokens, chunked upload, media entries.

Skipped until the server declares the uploadToken service (``require_ingest``); the media
tests also wait for the media service (``require_media``).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

import pytest
from compat.helpers import kaltura_error, stored_copies, value_of
from KalturaClient import KalturaClient
from KalturaClient.Plugins.Core import (
    KalturaEntryStatus,
    KalturaMediaEntry,
    KalturaMediaType,
    KalturaUploadedFileTokenResource,
    KalturaUploadToken,
    KalturaUploadTokenStatus,
)
from support.server import VpaasServer

pytestmark = pytest.mark.usefixtures("require_ingest")

MakeClient = Callable[..., KalturaClient]
PENDING = KalturaUploadTokenStatus.PENDING
PARTIAL = KalturaUploadTokenStatus.PARTIAL_UPLOAD
FULL = KalturaUploadTokenStatus.FULL_UPLOAD
CLOSED = KalturaUploadTokenStatus.CLOSED


def _send(client: KalturaClient, token_id: str, tmp: Path, data: bytes, resume: bool,
          final: bool, at: int) -> KalturaUploadToken:
    part = tmp / f"part-{at}-{secrets.token_hex(3)}.bin"
    part.write_bytes(data)
    with open(part, "rb") as fh:
        return client.uploadToken.upload(token_id, fh, resume, final, at)


def _new_token(client: KalturaClient, name: str, size: int) -> KalturaUploadToken:
    token = client.uploadToken.add(KalturaUploadToken(fileName=name, fileSize=size))
    assert token.id
    assert value_of(token.status) == PENDING
    return token


def _upload_out_of_order(client: KalturaClient, token_id: str, tmp: Path,
                         data: bytes) -> KalturaUploadToken:
    """Four chunks sent A (resume=false starts the file), C (parked: B is missing), B (fills
    the gap), B again (a retried chunk), then D as the final chunk."""
    step = -(-len(data) // 4)
    chunks = [(at, data[at:at + step]) for at in range(0, len(data), step)]
    assert len(chunks) == 4
    (a_at, a), (b_at, b), (c_at, c), (d_at, d) = chunks
    for chunk, resume, at in ((a, False, a_at), (c, True, c_at), (b, True, b_at),
                              (b, True, b_at)):
        token = _send(client, token_id, tmp, chunk, resume, False, at)
        assert value_of(token.status) in (PENDING, PARTIAL), token.status
    return _send(client, token_id, tmp, d, True, True, d_at)


def test_upload_token_add_and_get(make_client: MakeClient, admin_ks: str) -> None:
    client = make_client(admin_ks)
    token = _new_token(client, "empty.bin", 1234)
    got = client.uploadToken.get(token.id)
    assert got.id == token.id and got.fileName == "empty.bin"
    assert int(float(got.fileSize)) == 1234
    assert value_of(got.status) == PENDING
    assert kaltura_error(lambda: client.uploadToken.get("0_nosuchtoken")).code == \
        "UPLOAD_TOKEN_NOT_FOUND"


def test_chunked_upload_out_of_order_with_a_resent_chunk(
        make_client: MakeClient, admin_ks: str, tiny_clip: Path, tmp_path: Path,
        compat_server: VpaasServer) -> None:
    data = tiny_clip.read_bytes() + secrets.token_bytes(16)   # unique bytes: a findable sha256
    client = make_client(admin_ks)
    token = _new_token(client, "clip.mp4", len(data))
    done = _upload_out_of_order(client, token.id, tmp_path, data)
    assert int(float(done.uploadedFileSize)) == len(data)
    assert value_of(done.status) == FULL
    again = client.uploadToken.get(token.id)
    assert int(float(again.uploadedFileSize)) == len(data)
    assert value_of(again.status) == FULL
    if not os.environ.get("VPAAS_STORAGE_URL"):       # local storage: the bytes are on disk
        assert stored_copies(compat_server.data_dir, data), "no stored copy with the sha256"


@pytest.mark.usefixtures("require_media")
def test_media_add_content_get_delete(make_client: MakeClient, admin_ks: str,
                                      tiny_clip: Path, tmp_path: Path) -> None:
    data = tiny_clip.read_bytes()
    client = make_client(admin_ks)
    token = _new_token(client, "clip.mp4", len(data))
    uploaded = _send(client, token.id, tmp_path, data, False, True, 0)
    assert value_of(uploaded.status) == FULL

    name = f"compat python {secrets.token_hex(3)}"
    entry = client.media.add(KalturaMediaEntry(name=name, mediaType=KalturaMediaType.VIDEO,
                                               tags="compat,python"))
    assert entry.id and entry.name == name
    assert value_of(entry.mediaType) == KalturaMediaType.VIDEO
    assert value_of(entry.status) == KalturaEntryStatus.NO_CONTENT

    filled = client.media.addContent(entry.id, KalturaUploadedFileTokenResource(token=token.id))
    assert filled.id == entry.id
    assert value_of(filled.status) != KalturaEntryStatus.NO_CONTENT
    assert value_of(client.uploadToken.get(token.id).status) == CLOSED

    got = client.media.get(entry.id)
    assert type(got).__name__ == "KalturaMediaEntry"
    assert got.id == entry.id and got.name == name
    assert int(got.partnerId) == int(entry.partnerId) and int(got.createdAt) > 0

    client.media.delete(entry.id)
    assert kaltura_error(lambda: client.media.get(entry.id)).code == "ENTRY_ID_NOT_FOUND"


@pytest.mark.usefixtures("require_media")
def test_add_content_twice_and_unknown_entry(make_client: MakeClient, admin_ks: str,
                                             tiny_clip: Path, tmp_path: Path) -> None:
    client = make_client(admin_ks)
    resource = KalturaUploadedFileTokenResource(token="0_nosuchtoken")
    assert kaltura_error(lambda: client.media.addContent("0_nosuchentry", resource)).code == \
        "ENTRY_ID_NOT_FOUND"
    entry = client.media.add(KalturaMediaEntry(name="twice", mediaType=KalturaMediaType.VIDEO))
    assert kaltura_error(lambda: client.media.addContent(entry.id, resource)).code == \
        "UPLOAD_TOKEN_NOT_FOUND"
    data = tiny_clip.read_bytes()
    token = _new_token(client, "clip.mp4", len(data))
    _send(client, token.id, tmp_path, data, False, True, 0)
    client.media.addContent(entry.id, KalturaUploadedFileTokenResource(token=token.id))
    other = _new_token(client, "clip.mp4", len(data))
    _send(client, other.id, tmp_path, data, False, True, 0)
    again = kaltura_error(lambda: client.media.addContent(
        entry.id, KalturaUploadedFileTokenResource(token=other.id)))
    assert again.code == "ENTRY_ALREADY_WITH_CONTENT"
    client.media.delete(entry.id)
