"""A server SIGKILLed in the middle of a chunk, then restarted: the client resumes with resumeAt
and the stored file is byte-identical (official Python client for every API call)."""

from __future__ import annotations

import hashlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from compat.conftest import _server_env
from KalturaClient import KalturaClient, KalturaConfiguration
from KalturaClient.Plugins.Core import KalturaSessionType, KalturaUploadToken
from support.server import VpaasServer

CHUNK = 256 * 1024


def _client(server: VpaasServer, pid: int, secret: str) -> KalturaClient:
    config = KalturaConfiguration(pid)
    config.serviceUrl = server.url
    client = KalturaClient(config)
    client.setKs(client.session.start(secret, "kill-test", KalturaSessionType.ADMIN, pid))
    return client


def _slow_body(boundary: str, json_part: bytes, data: bytes, sent_half: threading.Event,
               killed: threading.Event) -> Iterator[bytes]:
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"json\"\r\n\r\n").encode()
    yield json_part + b"\r\n"
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"fileData\"; "
           "filename=\"part.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    yield data[: len(data) // 2]
    sent_half.set()
    killed.wait(20)
    yield data[len(data) // 2:]


def _send_half_then_die(server: VpaasServer, ks: str, token: str, data: bytes,
                        offset: int) -> None:
    """Stream a chunk, SIGKILL the server once half of it is out."""
    import json

    boundary = "killtestboundary"
    json_part = json.dumps({"ks": ks, "uploadTokenId": token, "resume": True,
                            "resumeAt": offset, "finalChunk": False, "format": 1}).encode()
    sent_half, killed = threading.Event(), threading.Event()

    def killer() -> None:
        sent_half.wait(20)
        time.sleep(0.3)
        assert server.process is not None
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(10)
        killed.set()

    threading.Thread(target=killer, daemon=True).start()
    with pytest.raises(httpx.HTTPError):
        httpx.post(f"{server.url}/api_v3/service/uploadtoken/action/upload",
                   content=_slow_body(boundary, json_part, data[offset:offset + CHUNK],
                                      sent_half, killed),
                   headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
                   timeout=30)
    server.process.wait(10)  # type: ignore[union-attr]
    server.process = None


@pytest.mark.slow
def test_resume_after_the_server_was_killed_mid_chunk(tmp_path: Path) -> None:
    data = os.urandom(4 * CHUNK + 1234)
    server = VpaasServer(tmp_path / "data", env=_server_env())
    with server:
        secrets_ = server.create_partner("kill test")
        client = _client(server, secrets_.id, secrets_.admin_secret)
        token = client.uploadToken.add(KalturaUploadToken(fileName="big.bin",
                                                          fileSize=len(data))).id
        for i in range(2):
            part = tmp_path / f"p{i}.bin"
            part.write_bytes(data[i * CHUNK:(i + 1) * CHUNK])
            with part.open("rb") as fh:
                client.uploadToken.upload(token, fh, i > 0, False, i * CHUNK)
        _send_half_then_die(server, client.getKs(), token, data, 2 * CHUNK)

        server.start()
        client = _client(server, secrets_.id, secrets_.admin_secret)
        resumed = client.uploadToken.get(token)
        assert resumed.uploadedFileSize == 2 * CHUNK  # the half chunk was never recorded
        rest = tmp_path / "rest.bin"
        rest.write_bytes(data[2 * CHUNK:])
        with rest.open("rb") as fh:
            done = client.uploadToken.upload(token, fh, True, True, resumed.uploadedFileSize)
        assert done.status.getValue() == 2 and done.uploadedFileSize == len(data)
        staged = server.data_dir / "uploads" / str(secrets_.id) / token
        assert hashlib.sha256(staged.read_bytes()).digest() == hashlib.sha256(data).digest()
