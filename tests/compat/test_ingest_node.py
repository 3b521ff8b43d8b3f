"""Ingest with the official Node client (JSON, Buffer chunks) against a real server.

``node/ingest.js`` runs the flow once; skipped until the server declares uploadToken (and
media, for the entry tests).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from compat.helpers import node_error, node_value, stored_copies
from support.server import PartnerSecrets, VpaasServer

pytestmark = pytest.mark.usefixtures("require_ingest")

Flows = dict[str, dict[str, Any]]
PENDING, PARTIAL, FULL, CLOSED = 0, 1, 2, 3
NO_CONTENT = "7"


@pytest.fixture(scope="module")
def entry_name() -> str:
    return f"compat node {secrets.token_hex(3)}"


@pytest.fixture(scope="module")
def upload_file(tiny_clip: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The clip plus 16 random bytes: its sha256 is this upload's alone."""
    path = tmp_path_factory.mktemp("node-ingest") / "clip-node.mp4"
    path.write_bytes(tiny_clip.read_bytes() + secrets.token_bytes(16))
    return path


@pytest.fixture(scope="module")
def flows(service_declared: Callable[[str], bool], node: Callable[..., Flows],
          partner: PartnerSecrets, upload_file: Path, entry_name: str) -> Flows:
    if not service_declared("uploadtoken"):
        pytest.skip("ingest service not declared yet (uploadToken → SERVICE_DOES_NOT_EXISTS)")
    return node("ingest.js", partner, file=str(upload_file), entryName=entry_name)


def test_token_add(flows: Flows) -> None:
    token = node_value(flows["token_add"])
    assert token["objectType"] == "KalturaUploadToken" and token["id"]
    assert token["status"] == PENDING                   # int enums are JSON numbers


def test_chunks_out_of_order_with_a_resent_chunk(flows: Flows, upload_file: Path,
                                                 compat_server: VpaasServer) -> None:
    size = upload_file.stat().st_size
    for token in node_value(flows["chunks_before_final"]):
        assert token["status"] in (PENDING, PARTIAL), token
    final = node_value(flows["final_chunk"])
    assert final["status"] == FULL and final["uploadedFileSize"] == size
    got = node_value(flows["token_get"])
    assert got["status"] == FULL and got["uploadedFileSize"] == size
    if not os.environ.get("VPAAS_STORAGE_URL"):
        assert stored_copies(compat_server.data_dir, upload_file.read_bytes())


@pytest.mark.usefixtures("require_media")
def test_media_add_content_get_delete(flows: Flows, entry_name: str) -> None:
    entry = node_value(flows["media_add"])
    assert entry["objectType"] == "KalturaMediaEntry" and entry["name"] == entry_name
    assert str(entry["status"]) == NO_CONTENT and str(entry["mediaType"]) == "1"
    filled = node_value(flows["add_content"])
    assert filled["id"] == entry["id"] and str(filled["status"]) != NO_CONTENT
    assert node_value(flows["token_after_add_content"])["status"] == CLOSED
    got = node_value(flows["media_get"])
    assert got["objectType"] == "KalturaMediaEntry"
    assert got["id"] == entry["id"] and got["name"] == entry_name and got["createdAt"] > 0
    assert node_value(flows["media_delete"]) is None
    assert node_error(flows["media_get_deleted"])["code"] == "ENTRY_ID_NOT_FOUND"


def test_unknown_token(flows: Flows) -> None:
    assert node_error(flows["token_get_unknown"])["code"] == "UPLOAD_TOKEN_NOT_FOUND"
