"""The PyPI tool kaltura-uploader (unmodified) uploads a clip in chunks and creates its entry.

The tool hard-codes https://www.kaltura.com as module constants; they are pointed at the test
server (as /work/shared/compat/uploader/probe_uploader.py does) and nothing else is changed: the
tool still sends its own raw multipart chunks (KS in the query string, ``//api_v3`` URLs) and a
form-encoded ``media.addFromUploadedFile``. Skipped until the server declares uploadToken
and media.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from compat.helpers import kaltura_error, value_of
from KalturaClient import KalturaClient
from KalturaClient.Plugins.Core import KalturaMediaType, KalturaUploadTokenStatus
from support.server import PartnerSecrets, VpaasServer

pytestmark = pytest.mark.usefixtures("require_media")

CHUNK_KB = 4


def test_uploader_tool_uploads_and_creates_the_entry(
        monkeypatch: pytest.MonkeyPatch, compat_server: VpaasServer, partner: PartnerSecrets,
        make_client: Callable[..., KalturaClient], admin_ks: str, tiny_clip: Path,
        tmp_path: Path) -> None:
    import kaltura_uploader.uploader as up

    monkeypatch.setattr(up, "KALTURA_SERVICE_URL", compat_server.url + "/")  # → //api_v3
    monkeypatch.setattr(up, "KALTURA_API_URL", compat_server.url + "/api_v3/")
    clip = tmp_path / "clip.mp4"
    shutil.copyfile(tiny_clip, clip)
    size = clip.stat().st_size
    assert size > 3 * CHUNK_KB * 1024                    # three chunks or more
    tag = f"uploader{secrets.token_hex(3)}"

    tool = up.KalturaUploader(partner_id=partner.id, admin_secret=partner.admin_secret,
                              chunk_size_kb=CHUNK_KB)
    token_id = tool.upload_file(str(clip))
    assert isinstance(token_id, str) and token_id
    entry_id = tool.create_kaltura_entry(token_id, str(clip), tags=f"compat,{tag}")
    assert isinstance(entry_id, str) and entry_id

    client = make_client(admin_ks)
    token = client.uploadToken.get(token_id)
    assert int(float(token.uploadedFileSize)) == size
    assert value_of(token.status) in (KalturaUploadTokenStatus.FULL_UPLOAD,
                                      KalturaUploadTokenStatus.CLOSED)
    entry = client.media.get(entry_id)
    assert entry.name == "clip.mp4"
    assert value_of(entry.mediaType) == KalturaMediaType.VIDEO
    assert tag in {t.strip() for t in (entry.tags or "").split(",")}
    client.media.delete(entry_id)
    assert kaltura_error(lambda: client.media.get(entry_id)).code == "ENTRY_ID_NOT_FOUND"
