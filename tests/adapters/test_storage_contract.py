"""One contract for media storage, run against local disk and a real SeaweedFS S3 server."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from support.seaweed import SeaweedS3, scratch_storage

from vpaas.adapters.storage import (
    InvalidKey,
    LocalStorage,
    NotFound,
    S3Storage,
    Storage,
    StorageError,
    content_disposition,
    open_storage,
    validate_key,
)
from vpaas.adapters.storage.s3 import MULTIPART_CHUNK

BIG = 20 * 1024 * 1024  # > the 8 MiB multipart threshold: three parts
PAGE = 4


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    if request.param == "local":
        yield LocalStorage(tmp_path / "media")
        return
    server: SeaweedS3 = request.getfixturevalue("seaweed_s3")
    with scratch_storage(server, page_size=PAGE) as backend:  # small pages: paginate
        yield backend


@pytest.fixture(scope="module")
def big_data() -> bytes:
    return os.urandom(BIG)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_all(storage: Storage, key: str) -> bytes:
    with storage.open_read(key) as handle:
        return handle.read()


def test_backends_satisfy_the_protocol(storage: Storage) -> None:
    assert isinstance(storage, Storage)


def test_put_bytes_round_trip_and_overwrite(storage: Storage) -> None:
    key = "p/101/entry/0_abc/flavor_2.mp4"
    assert storage.put_bytes(key, b"hello world") == 11
    assert _read_all(storage, key) == b"hello world"
    assert storage.put_bytes(key, b"replaced") == 8
    assert _read_all(storage, key) == b"replaced"
    assert storage.put_bytes("p/101/empty", b"") == 0
    assert _read_all(storage, "p/101/empty") == b""


def test_put_file_round_trip_and_move(storage: Storage, tmp_path: Path) -> None:
    src = tmp_path / "src.bin"
    src.write_bytes(b"0123456789" * 1000)
    assert storage.put_file("a/copy.bin", src) == 10000
    assert src.exists()
    assert storage.put_file("a/moved.bin", src, move=True) == 10000
    assert not src.exists()
    assert _read_all(storage, "a/copy.bin") == _read_all(storage, "a/moved.bin")
    assert _read_all(storage, "a/moved.bin") == b"0123456789" * 1000
    with pytest.raises(FileNotFoundError):
        storage.put_file("a/x", tmp_path / "missing")


def test_large_stream_and_file_round_trip(
    storage: Storage, big_data: bytes, tmp_path: Path
) -> None:
    sizes = [700_001, 1, 3 * 1024 * 1024, 0, 65_536]
    chunks, pos, i = [], 0, 0
    while pos < len(big_data):
        step = sizes[i % len(sizes)]
        chunks.append(big_data[pos : pos + step])
        pos, i = pos + step, i + 1
    assert len(chunks) > 20
    assert storage.put_stream("big/stream.bin", iter(chunks)) == BIG
    assert storage.size("big/stream.bin") == BIG
    assert _sha(_read_all(storage, "big/stream.bin")) == _sha(big_data)
    if isinstance(storage, S3Storage):  # a multipart upload's ETag ends in -<part count>
        assert storage.stat("big/stream.bin").etag.endswith(f"-{-(-BIG // MULTIPART_CHUNK)}")
    src = tmp_path / "big.bin"
    src.write_bytes(big_data)
    assert storage.put_file("big/file.bin", src) == BIG
    dest = storage.fetch_to_local("big/file.bin", tmp_path / "fetched.bin")
    assert _sha(dest.read_bytes()) == _sha(big_data)


def test_failed_stream_leaves_no_object(storage: Storage, big_data: bytes) -> None:
    def broken() -> Iterator[bytes]:
        yield big_data[: 10 * 1024 * 1024]
        raise OSError("client went away")

    with pytest.raises(OSError, match="client went away"):
        storage.put_stream("p/1/partial.bin", broken())
    assert not storage.exists("p/1/partial.bin")
    assert list(storage.list("p/")) == []


def test_ranged_reads(storage: Storage) -> None:
    data = bytes(range(256)) * 40
    size = len(data)
    storage.put_bytes("r/data.bin", data)
    assert storage.read_range("r/data.bin", 0, 10) == data[:10]
    assert storage.read_range("r/data.bin", 5000, 5100) == data[5000:5100]
    assert storage.read_range("r/data.bin", size - 10, size) == data[-10:]
    assert storage.read_range("r/data.bin", size - 1, size) == data[-1:]
    assert storage.read_range("r/data.bin", size - 5, size + 100) == data[-5:]
    assert storage.read_range("r/data.bin", size, size + 10) == b""
    assert storage.read_range("r/data.bin", 7, 7) == b""
    pieces = list(storage.iter_range("r/data.bin", 100, 3100, chunk=1000))
    assert b"".join(pieces) == data[100:3100]
    assert all(0 < len(piece) <= 1000 for piece in pieces)
    with pytest.raises(ValueError):
        storage.read_range("r/data.bin", 10, 5)
    with pytest.raises(ValueError):
        storage.read_range("r/data.bin", -1, 5)


def test_open_read_streams_in_pieces(storage: Storage) -> None:
    data = os.urandom(300_000)
    storage.put_bytes("s/x.bin", data)
    with storage.open_read("s/x.bin") as handle:
        first = handle.read(1000)
        rest = handle.read()
    assert first + rest == data


def test_size_stat_exists(storage: Storage) -> None:
    before = time.time()
    storage.put_bytes("st/a.txt", b"abc")
    stat = storage.stat("st/a.txt")
    assert stat.size == 3 == storage.size("st/a.txt")
    assert before - 300 < stat.mtime < time.time() + 300
    assert stat.etag
    storage.put_bytes("st/a.txt", b"abcd")
    assert storage.stat("st/a.txt").etag != stat.etag
    assert storage.exists("st/a.txt")
    assert not storage.exists("st/b.txt")
    assert not storage.exists("st")  # a folder is not an object


def test_list_by_prefix(storage: Storage) -> None:
    keys = ["p/1/entry/0_ab/f.mp4", "p/1/entry/0_abc/f.mp4", "p/1/entry/0_abc/thumb/1.jpg",
            "p/1/entry/0_b/x", "p/2/entry/0_c/x", "p-1/y"]
    for key in keys:
        storage.put_bytes(key, b"x")
    assert sorted(storage.list("p/1/entry/0_abc/")) == sorted(keys[1:3])
    assert sorted(storage.list("p/1/entry/0_ab")) == sorted(keys[0:3])
    assert sorted(storage.list("p/1/")) == sorted(keys[0:4])
    assert sorted(storage.list("")) == sorted(keys)
    assert sorted(storage.list()) == sorted(keys)
    assert list(storage.list("nothing/here/")) == []


def test_list_and_delete_prefix_span_many_pages(storage: Storage) -> None:
    keys = [f"m/{i % 3}/k{i:02d}" for i in range(5 * PAGE + 3)]
    for key in keys:
        storage.put_bytes(key, b"x")
    storage.put_bytes("m2/keep", b"x")
    assert sorted(storage.list("m/")) == sorted(keys)
    assert storage.delete_prefix("m/") == len(keys)
    assert list(storage.list("m/")) == []
    assert list(storage.list()) == ["m2/keep"]


def test_delete_and_delete_prefix(storage: Storage) -> None:
    keys = ["p/1/entry/0_ab/f.mp4", "p/1/entry/0_abc/f.mp4", "p/1/entry/0_abc/t/1.jpg",
            "p/1/entry/0_abcd/g.mp4"]
    for key in keys:
        storage.put_bytes(key, b"x")
    storage.delete("p/1/entry/0_ab/f.mp4")
    assert not storage.exists("p/1/entry/0_ab/f.mp4")
    storage.delete("p/1/entry/0_ab/f.mp4")  # deleting again is fine
    assert storage.delete_prefix("p/1/entry/0_abc/") == 2
    assert list(storage.list("p/")) == ["p/1/entry/0_abcd/g.mp4"]
    assert storage.delete_prefix("p/1/entry/0_abc/") == 0
    with pytest.raises(InvalidKey, match="ending in '/'"):
        storage.delete_prefix("p/1/entry/0_abcd")
    with pytest.raises(InvalidKey):
        storage.delete_prefix("")
    assert storage.exists("p/1/entry/0_abcd/g.mp4")


def test_missing_keys_raise_not_found(storage: Storage, tmp_path: Path) -> None:
    missing = "p/1/none.bin"
    with pytest.raises(NotFound):
        storage.open_read(missing)
    with pytest.raises(NotFound):
        storage.read_range(missing, 0, 10)
    with pytest.raises(NotFound):
        storage.iter_range(missing, 0, 10)  # raised by the call, before iterating
    with pytest.raises(NotFound):
        storage.iter_range(missing, 3, 3)
    with pytest.raises(NotFound):
        storage.size(missing)
    with pytest.raises(NotFound, match=r"none\.bin"):
        storage.stat(missing)
    with pytest.raises(NotFound):
        storage.fetch_to_local(missing, tmp_path / "out")


BAD_KEYS = ["../x", "/etc/passwd", "a//b", "a\\b", "", "a/../b", "a/./b", "..", ".hidden",
            "a/", "a b", "é.mp4", "a\x00b", "x" * 600, "a/" + "y" * 256]


@pytest.mark.parametrize("key", BAD_KEYS)
def test_invalid_keys_are_rejected(storage: Storage, key: str, tmp_path: Path) -> None:
    src = tmp_path / "f"
    src.write_bytes(b"x")
    calls = [
        lambda: storage.put_bytes(key, b"x"),
        lambda: storage.put_file(key, src),
        lambda: storage.put_stream(key, [b"x"]),
        lambda: storage.open_read(key),
        lambda: storage.read_range(key, 0, 1),
        lambda: storage.exists(key),
        lambda: storage.stat(key),
        lambda: storage.delete(key),
        lambda: storage.local_path(key),
        lambda: storage.presigned_url(key, 60),
    ]
    for call in calls:
        with pytest.raises(InvalidKey):
            call()
    assert list(storage.list()) == []


@pytest.mark.parametrize("prefix", ["../", "/etc/", "a//", "a\\", "..", "a/../"])
def test_invalid_prefixes_are_rejected(storage: Storage, prefix: str) -> None:
    with pytest.raises(InvalidKey):
        storage.list(prefix)
    with pytest.raises(InvalidKey):
        storage.delete_prefix(prefix)


def test_invalid_key_message_says_why() -> None:
    with pytest.raises(InvalidKey, match=r"starts with '\.'"):
        validate_key("../x")
    with pytest.raises(InvalidKey, match="relative"):
        validate_key("/etc/passwd")
    with pytest.raises(InvalidKey, match="empty path segment"):
        validate_key("a//b")
    with pytest.raises(InvalidKey, match="backslash"):
        validate_key("a\\b")
    assert validate_key("p/101/entry/0_abc/flavor_2.mp4") == "p/101/entry/0_abc/flavor_2.mp4"
    assert isinstance(InvalidKey("k", "r"), ValueError)


def test_presigned_url(storage: Storage) -> None:
    storage.put_bytes("dl/v.mp4", b"video bytes")
    url = storage.presigned_url("dl/v.mp4", 300)
    if isinstance(storage, LocalStorage):
        assert url is None
        assert storage.local_path("dl/v.mp4") == storage.root / "dl" / "v.mp4"
        return
    assert url is not None
    assert storage.local_path("dl/v.mp4") is None
    reply = httpx.get(url)
    assert reply.status_code == 200 and reply.content == b"video bytes"
    named = storage.presigned_url("dl/v.mp4", 300, filename='My "clip" é.mp4',
                                  content_type="video/mp4")
    assert named is not None
    reply = httpx.get(named)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "video/mp4"
    assert 'filename="My clip .mp4"' in reply.headers["content-disposition"]
    assert "filename*=UTF-8''My%20clip%20%C3%A9.mp4" in reply.headers["content-disposition"]
    forged = url.replace("dl/v.mp4", "dl/other.mp4")
    assert httpx.get(forged).status_code == 403
    with pytest.raises(ValueError):
        storage.presigned_url("dl/v.mp4", 0)
    with pytest.raises(ValueError):
        storage.presigned_url("dl/v.mp4", 8 * 24 * 3600)


def test_content_disposition_strips_dangerous_characters() -> None:
    value = content_disposition('a"\r\nb/..\\c;.mp4')
    assert "\r" not in value and "\n" not in value
    assert value.startswith('attachment; filename="ab..c.mp4"')
    assert content_disposition("///").startswith('attachment; filename="download"')


def test_wrong_credentials_are_rejected_by_the_server(seaweed_s3, s3_storage: S3Storage) -> None:
    s3_storage.put_bytes("cred/x", b"secret")
    prefix = s3_storage.prefix
    common = {"endpoint_url": seaweed_s3.endpoint_url, "region": seaweed_s3.region}
    bad_secret = S3Storage(s3_storage.bucket, prefix, access_key=seaweed_s3.access_key,
                           secret_key=seaweed_s3.secret_key + "x", **common)
    with pytest.raises(StorageError, match="SignatureDoesNotMatch"):
        bad_secret.put_bytes("cred/y", b"nope")
    with pytest.raises(StorageError, match="SignatureDoesNotMatch"):
        bad_secret.read_range("cred/x", 0, 6)
    unknown = S3Storage(s3_storage.bucket, prefix, access_key="NOSUCHKEY",
                        secret_key=seaweed_s3.secret_key, **common)
    with pytest.raises(StorageError, match=r"InvalidAccessKeyId|AccessDenied"):
        list(unknown.list())
    assert not s3_storage.exists("cred/y")
    assert s3_storage.read_range("cred/x", 0, 6) == b"secret"


def test_unreachable_endpoint_is_a_storage_error() -> None:
    storage = S3Storage("b-unreachable", endpoint_url="http://127.0.0.1:9", access_key="k",
                        secret_key="s")
    with pytest.raises(StorageError, match="failed"):
        storage.exists("a/b")


def test_local_refuses_symlinks_escaping_root(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"secret")
    storage = LocalStorage(tmp_path / "media")
    (storage.root / "p").mkdir()
    (storage.root / "p" / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InvalidKey, match="outside the storage root"):
        storage.open_read("p/link/secret.txt")
    with pytest.raises(InvalidKey, match="outside the storage root"):
        storage.put_bytes("p/link/new.txt", b"x")
    with pytest.raises(InvalidKey, match="outside the storage root"):
        storage.list("p/link/")
    assert list(storage.list("p/")) == []
    assert not (outside / "new.txt").exists()
    assert (outside / "secret.txt").read_bytes() == b"secret"


def test_local_writes_are_atomic_and_tidy(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "media", fsync=True)
    storage.put_bytes("p/1/a/b.bin", b"x")
    assert (storage.root / "p/1/a/b.bin").stat().st_mode & 0o777 == 0o644
    with pytest.raises(StorageError, match="parent path is a file"):
        storage.put_bytes("p/1/a/b.bin/c", b"y")
    with pytest.raises(StorageError, match="folder of other keys"):
        storage.put_bytes("p/1/a", b"y")
    assert [p.name for p in (storage.root / "p/1").iterdir()] == ["a"]  # no temp file left
    storage.delete("p/1/a/b.bin")
    assert list(storage.root.iterdir()) == []  # emptied folders are pruned


def test_open_storage_factory(tmp_path: Path, seaweed_s3) -> None:
    def settings(**values: str) -> SimpleNamespace:
        base = {"storage_url": "", "data_dir": str(tmp_path), "s3_endpoint_url": "",
                "s3_access_key": "", "s3_secret_key": "", "s3_region": "us-east-1"}
        return SimpleNamespace(**{**base, **values})

    local = open_storage(settings())
    assert isinstance(local, LocalStorage) and local.root == (tmp_path / "media").resolve()
    other = open_storage(settings(storage_url=f"file://{tmp_path}/elsewhere"))
    assert isinstance(other, LocalStorage) and other.root == (tmp_path / "elsewhere").resolve()
    remote = open_storage(settings(**seaweed_s3.settings_overrides("vpaas-factory", "pre/fix")))
    assert isinstance(remote, S3Storage) and remote.prefix == "pre/fix"
    remote.put_bytes("k/v", b"via factory")
    direct = seaweed_s3.storage("vpaas-factory")
    assert direct.read_range("pre/fix/k/v", 0, 100) == b"via factory"
    assert remote.delete_prefix("k/") == 1
    for bad in ("ftp://x/y", "s3://UPPER/x", "s3:///nobucket", "file://host/x"):
        with pytest.raises(ValueError):
            open_storage(settings(storage_url=bad))


def test_open_storage_accepts_real_settings(tmp_path: Path) -> None:
    from vpaas.settings import load_settings

    storage = open_storage(load_settings(env={}, data_dir=str(tmp_path)))
    assert isinstance(storage, LocalStorage)
    assert storage.root == (tmp_path / "media").resolve()
