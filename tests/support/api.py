"""An in-process api_v3 server for service tests: a real app on a temp data dir, a partner,
an admin KS, and ``call(service, action, **params)``.

    api = ApiHelper(settings)          # the conftest fixture (SQLite or PostgreSQL pass),
                                       # or ApiHelper(tmp_path, **setting_overrides)
    token = api.call("uploadToken", "add", uploadToken={"fileName": "a.mp4"})
    api.call("uploadToken", "upload", files={"fileData": ("a.mp4", b"...")},
             uploadTokenId=token["id"])
    root = api.call("uploadToken", "get", format=2, uploadTokenId=token["id"])  # XML

Use it as a context manager (or call ``close()``) to run the app's lifespan cleanly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lxml import etree
from starlette.testclient import TestClient

from vpaas.app import create_app
from vpaas.db.tables.partner import PartnerRow
from vpaas.domain import sessions
from vpaas.domain.partners import create_partner
from vpaas.settings import Settings, load_settings

FileSpec = tuple[str, Any] | tuple[str, Any, str]


class ApiHelper:
    """A vpaas app in-process, with one partner and its admin KS."""

    def __init__(self, where: Settings | Path | str, partner_name: str = "test partner",
                 **overrides: Any) -> None:
        if isinstance(where, Settings):
            self.settings = where.replace(**overrides) if overrides else where
        else:
            self.settings = load_settings(env={}, data_dir=str(where), **overrides)
        self.app = create_app(self.settings)
        self.runtime = self.app.state.runtime
        self.client = TestClient(self.app)
        self.client.__enter__()
        self.partner = self.new_partner(partner_name)
        self.admin_ks = self.ks(admin=True, user="admin")

    def new_partner(self, name: str = "another partner") -> PartnerRow:
        """Create a partner (committed) and return its row."""
        with self.runtime.db.system_session() as s:
            row = create_partner(s, name)
            s.commit()
        return row

    def ks(self, admin: bool = False, user: str = "user1", partner: PartnerRow | None = None,
           privileges: str = "", expiry: int = 3600) -> str:
        """A KS for ``partner`` (default: the helper's partner)."""
        kind = sessions.ADMIN if admin else sessions.USER
        return sessions.issue(partner or self.partner, kind, user, expiry, privileges, 86400)

    def call(self, service: str, action: str, format: int = 1,
             files: dict[str, FileSpec] | None = None, **params: Any) -> Any:
        """POST one call the way the official Python client does; parsed JSON, or for
        ``format=2`` the XML ``<result>`` element (an ``<error>`` child on errors)."""
        params.setdefault("ks", self.admin_ks)
        params["format"] = format
        url = f"/api_v3/service/{service}/action/{action}"
        if files:
            resp = self.client.post(url, data={"json": json.dumps(params)}, files=files)
        else:
            resp = self.client.post(url, json=params)
        assert resp.status_code == 200, resp.text
        if format == 2:
            return etree.fromstring(resp.content).find("result")
        return resp.json()

    def close(self) -> None:
        self.client.__exit__(None, None, None)

    def __enter__(self) -> ApiHelper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def is_error(result: Any, code: str | None = None) -> bool:
    """Whether a JSON result is a KalturaAPIException (with ``code``, if given)."""
    return (isinstance(result, dict) and result.get("objectType") == "KalturaAPIException"
            and (code is None or result.get("code") == code))
