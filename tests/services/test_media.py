"""media service through the in-process API: add, content (token, URL), replace, get, delete."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select
from support.api import ApiHelper, is_error

from vpaas.db.tables.entry import EntryRow
from vpaas.db.tables.job import JobRow
from vpaas.domain import entries, imports
from vpaas.jobs import JobHandlers, JobRunner
from vpaas.settings import Settings

MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(2000)
ID_RE = re.compile(r"^0_[0-9a-z]{8}$")


@pytest.fixture
def api(settings: Settings) -> Iterator[ApiHelper]:
    with ApiHelper(settings) as helper:
        yield helper


@pytest.fixture
def web() -> Iterator[str]:
    """A local HTTP server: /clip.mp4 serves MP4 bytes, anything else is 404."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path != "/clip.mp4":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(MP4)))
            self.end_headers()
            self.wfile.write(MP4)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def upload(api: ApiHelper, data: bytes, name: str = "clip.mp4", final: bool = True,
           ks: str | None = None) -> str:
    """A token holding ``data`` (FULL_UPLOAD when ``final``); returns its id."""
    ks = ks or api.admin_ks
    token = api.call("uploadToken", "add", ks=ks, uploadToken={"fileName": name})
    result = api.call("uploadToken", "upload", ks=ks, files={"fileData": (name, data)},
                      uploadTokenId=token["id"], finalChunk=final)
    assert not is_error(result), result
    return str(token["id"])


def jobs_of(api: ApiHelper, entry_id: str) -> list[JobRow]:
    with api.runtime.db.system_session() as s:
        return list(s.scalars(select(JobRow).where(JobRow.object_id == entry_id)
                              .order_by(JobRow.id)))


def run_jobs(api: ApiHelper, job_type: str) -> int:
    """Run the queued jobs of ``job_type`` with the entry handlers; how many ran."""
    handlers = JobHandlers()
    imports.register_jobs(handlers)
    handlers.register(entries.DELETE_FILES_JOB, entries.delete_entry_files)
    runner = JobRunner(api.runtime.db, handlers, api.runtime)
    with api.runtime.db.system_session() as s:
        ids = list(s.scalars(select(JobRow.id).where(JobRow.type == job_type,
                                                     JobRow.status == "queued")))
    return sum(runner.run_job(job_id) for job_id in ids)


def row_of(api: ApiHelper, entry_id: str) -> EntryRow:
    with api.runtime.db.system_session() as s:
        row = s.get(EntryRow, entry_id)
        assert row is not None
        return row


def new_entry(api: ApiHelper, **fields: Any) -> dict[str, Any]:
    fields.setdefault("name", "clip")
    fields.setdefault("mediaType", 1)
    result = api.call("media", "add", entry={"objectType": "KalturaMediaEntry", **fields})
    assert not is_error(result), result
    return dict(result)


def test_add_returns_a_no_content_entry(api: ApiHelper) -> None:
    entry = new_entry(api, name="My clip", tags="a,b", referenceId="ext-1")
    assert ID_RE.match(entry["id"])
    assert entry["objectType"] == "KalturaMediaEntry"
    assert (entry["status"], entry["type"], entry["mediaType"]) == (7, 1, 1)
    assert entry["name"] == "My clip" and entry["referenceId"] == "ext-1"
    assert entry["partnerId"] == api.partner.id and entry["userId"] == "admin"
    pid = api.partner.id
    assert entry["thumbnailUrl"].endswith(f"/p/{pid}/sp/{pid}00/thumbnail/entry_id/"
                                          f"{entry['id']}/version/0")
    assert f"/playManifest/entryId/{entry['id']}/format/url/protocol/http" in entry["dataUrl"]
    assert f"/raw/entry_id/{entry['id']}/" in entry["downloadUrl"]


def test_add_rejects_read_only_fields_and_empty_names(api: ApiHelper) -> None:
    bad = api.call("media", "add", entry={"objectType": "KalturaMediaEntry", "status": 2})
    assert is_error(bad, "PROPERTY_VALIDATION_NOT_UPDATABLE")
    empty = api.call("media", "add", entry={"objectType": "KalturaMediaEntry", "name": ""})
    assert is_error(empty, "PROPERTY_VALIDATION_MIN_LENGTH")


def test_add_content_from_a_complete_token_stores_the_source(api: ApiHelper) -> None:
    entry = new_entry(api)
    token = upload(api, MP4, "holiday.MOV")
    result = api.call("media", "addContent", entryId=entry["id"],
                      resource={"objectType": "KalturaUploadedFileTokenResource", "token": token})
    assert result["status"] == 1 and result["id"] == entry["id"]
    row = row_of(api, entry["id"])
    assert row.source_ext == "mp4" and row.source_size == len(MP4)
    assert row.source_key == entries.source_key(api.partner.id, entry["id"],
                                                row.source_key.rsplit("/", 1)[1][:-4], "mp4")
    assert api.runtime.storage.read_range(row.source_key, 0, 100) == MP4[:100]
    [job] = jobs_of(api, entry["id"])
    assert job.type == entries.PROCESS_JOB == "process_entry"
    assert job.payload == {"replacement": False, "source_key": row.source_key}
    closed = api.call("uploadToken", "get", uploadTokenId=token)
    assert closed["status"] == 3
    again = api.call("media", "addContent", entryId=entry["id"],
                     resource={"objectType": "KalturaUploadedFileTokenResource", "token": token})
    assert is_error(again, "ENTRY_ALREADY_WITH_CONTENT")


def test_add_content_with_a_token_still_uploading_waits_in_import(api: ApiHelper) -> None:
    entry = new_entry(api)
    token = api.call("uploadToken", "add", uploadToken={"fileName": "big.mp4"})["id"]
    api.call("uploadToken", "upload", files={"fileData": ("big.mp4", MP4[:1000])},
             uploadTokenId=token, finalChunk=False)
    result = api.call("media", "addContent", entryId=entry["id"],
                      resource={"objectType": "KalturaUploadedFileTokenResource", "token": token})
    assert result["status"] == 0
    last = api.call("uploadToken", "upload", files={"fileData": ("big.mp4", MP4[1000:])},
                    uploadTokenId=token, resume=True, resumeAt=1000, finalChunk=True)
    assert last["status"] == 3
    assert run_jobs(api, entries.STORE_UPLOAD_JOB) == 1
    row = row_of(api, entry["id"])
    assert row.status == 1 and row.source_size == len(MP4) and row.pending_token_id is None
    assert api.runtime.storage.read_range(row.source_key, 0, len(MP4)) == MP4
    assert [j.type for j in jobs_of(api, entry["id"])][-1] == entries.PROCESS_JOB


def test_unknown_token_and_unsupported_resources(api: ApiHelper) -> None:
    entry_id = new_entry(api)["id"]
    missing = api.call("media", "addContent", entryId=entry_id,
                       resource={"objectType": "KalturaUploadedFileTokenResource",
                                 "token": "0_nothere1"})
    assert is_error(missing, "UPLOAD_TOKEN_NOT_FOUND")
    server_file = api.call("media", "addContent", entryId=entry_id,
                           resource={"objectType": "KalturaServerFileResource",
                                     "localFilePath": "/etc/passwd"})
    assert is_error(server_file, "RESOURCE_TYPE_NOT_SUPPORTED")
    assert "KalturaServerFileResource" in server_file["message"]
    assert row_of(api, entry_id).status == 7


def test_add_content_from_url_imports_in_the_background(api: ApiHelper, web: str) -> None:
    entry = new_entry(api)
    result = api.call("media", "addContent", entryId=entry["id"],
                      resource={"objectType": "KalturaUrlResource", "url": f"{web}/clip.mp4"})
    assert result["status"] == 0
    assert run_jobs(api, imports.IMPORT_JOB) == 1
    row = row_of(api, entry["id"])
    assert row.status == 1 and row.source_type == 5 and row.source_ext == "mp4"
    assert api.runtime.storage.read_range(row.source_key, 0, len(MP4)) == MP4


def test_add_from_url_404_ends_in_error_importing_with_a_reason(api: ApiHelper,
                                                                 web: str) -> None:
    result = api.call("media", "addFromUrl", mediaEntry={"name": "x", "mediaType": 1},
                      url=f"{web}/missing.mp4")
    assert result["status"] == 0 and result["sourceType"] == 5
    run_jobs(api, imports.IMPORT_JOB)
    row = row_of(api, result["id"])
    assert row.status == -2
    assert row.status_reason and "HTTP 404" in row.status_reason
    assert api.call("media", "get", entryId=result["id"])["status"] == -2


def test_add_from_url_refuses_non_http_urls_at_once(api: ApiHelper) -> None:
    result = api.call("media", "addFromUrl", mediaEntry={"name": "x", "mediaType": 1},
                      url="file:///etc/passwd")
    assert is_error(result, "IMPORT_URL_NOT_ALLOWED")
    assert "not an http(s) URL" in result["message"]


def test_add_from_uploaded_file_needs_a_complete_token(api: ApiHelper) -> None:
    token = upload(api, MP4)
    result = api.call("media", "addFromUploadedFile", uploadTokenId=token,
                      mediaEntry={"objectType": "KalturaMediaEntry", "name": "f", "mediaType": 1})
    assert result["status"] == 1 and result["objectType"] == "KalturaMediaEntry"
    partial = upload(api, MP4[:100], final=False)
    refused = api.call("media", "addFromUploadedFile", uploadTokenId=partial,
                       mediaEntry={"name": "f", "mediaType": 1})
    assert is_error(refused, "UPLOAD_TOKEN_INVALID_STATUS_FOR_ADD_ENTRY")
    unknown = api.call("media", "addFromUploadedFile", uploadTokenId="0_zzzzzzzz",
                       mediaEntry={"name": "f", "mediaType": 1})
    assert is_error(unknown, "UPLOADED_FILE_NOT_FOUND_BY_TOKEN")


def test_update_content_keeps_the_ready_content_until_processed(api: ApiHelper) -> None:
    entry_id = new_entry(api)["id"]
    api.call("media", "addContent", entryId=entry_id,
             resource={"objectType": "KalturaUploadedFileTokenResource",
                       "token": upload(api, MP4)})
    with api.runtime.db.system_session() as s:  # processing (another module) made it READY
        row = s.get(EntryRow, entry_id)
        assert row is not None
        entries.transition(row, entries.EntryStatus.READY)
        s.commit()
    old_key = row_of(api, entry_id).source_key
    new_bytes = b"\x1aE\xdf\xa3" + b"webm" + bytes(500)
    result = api.call("media", "updateContent", entryId=entry_id,
                      resource={"objectType": "KalturaUploadedFileTokenResource",
                                "token": upload(api, new_bytes, "new.webm")})
    assert result["status"] == 2 and result["replacementStatus"] == 1
    row = row_of(api, entry_id)
    assert row.source_key == old_key and row.replacement_ext == "webm"
    assert row.replacement_key and row.replacement_key != old_key
    job = jobs_of(api, entry_id)[-1]
    assert job.payload == {"replacement": True, "source_key": row.replacement_key}
    twice = api.call("media", "updateContent", entryId=entry_id,
                     resource={"objectType": "KalturaUploadedFileTokenResource",
                               "token": upload(api, MP4)})
    assert is_error(twice, "ENTRY_REPLACEMENT_ALREADY_EXISTS")


def test_get_delete_and_partner_isolation(api: ApiHelper) -> None:
    entry_id = new_entry(api)["id"]
    api.call("media", "addContent", entryId=entry_id,
             resource={"objectType": "KalturaUploadedFileTokenResource",
                       "token": upload(api, MP4)})
    other_ks = api.ks(admin=True, partner=api.new_partner())
    for action in ("get", "delete"):
        assert is_error(api.call("media", action, ks=other_ks, entryId=entry_id),
                        "ENTRY_ID_NOT_FOUND")
    assert api.call("media", "get", entryId=entry_id, version=3)["id"] == entry_id
    key = row_of(api, entry_id).source_key
    assert api.call("media", "delete", entryId=entry_id) is None
    assert is_error(api.call("media", "get", entryId=entry_id), "ENTRY_ID_NOT_FOUND")
    assert row_of(api, entry_id).status == 3
    assert run_jobs(api, entries.DELETE_FILES_JOB) == 1
    assert not api.runtime.storage.exists(key)


def test_user_sessions_edit_only_their_own_entries(api: ApiHelper) -> None:
    alice, bob = api.ks(user="alice"), api.ks(user="bob")
    entry = api.call("media", "add", ks=alice, entry={"name": "a", "mediaType": 1,
                                                      "userId": "mallory"})
    assert entry["userId"] == "alice" and entry["creatorId"] == "alice"
    assert is_error(api.call("media", "delete", ks=bob, entryId=entry["id"]), "INVALID_KS")
    assert api.call("media", "get", ks=bob, entryId=entry["id"])["id"] == entry["id"]
    admin_only = api.call("media", "add", ks=alice, entry={"name": "a", "adminTags": "x"})
    assert is_error(admin_only, "PROPERTY_VALIDATION_ADMIN_PROPERTY")
    assert api.call("media", "delete", ks=alice, entryId=entry["id"]) is None


def test_xml_format(api: ApiHelper) -> None:
    entry_id = new_entry(api, name="xml clip")["id"]
    root = api.call("media", "get", format=2, entryId=entry_id)
    assert root.findtext("objectType") == "KalturaMediaEntry"
    assert root.findtext("id") == entry_id and root.findtext("status") == "7"
    assert root.findtext("name") == "xml clip" and root.findtext("mediaType") == "1"
    err = api.call("media", "get", format=2, entryId="0_missing0")
    assert err.findtext("error/code") == "ENTRY_ID_NOT_FOUND"
