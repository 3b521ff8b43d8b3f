from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from vpaas.app import create_app
from vpaas.domain import sessions
from vpaas.domain.partners import create_partner
from vpaas.settings import Settings


class Edge:
    """An in-process server plus a partner, for exercising the api_v3 edge."""

    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)
        self.client = TestClient(self.app)
        self.runtime = self.app.state.runtime
        with self.runtime.db.system_session() as s:
            self.partner = create_partner(s, "edge test")
            self.other = create_partner(s, "other partner")
            s.commit()
        self.admin_ks = self.ks(admin=True)

    def ks(self, admin: bool = False, partner: Any = None, user: str = "u1",
           privileges: str = "", expiry: int = 3600) -> str:
        row = partner or self.partner
        return sessions.issue(row, sessions.ADMIN if admin else sessions.USER, user, expiry,
                              privileges, 86400)

    def json(self, service: str, action: str, **params: Any) -> Any:
        params.setdefault("ks", self.admin_ks)
        params["format"] = 1
        resp = self.client.post(f"/api_v3/service/{service}/action/{action}", json=params)
        assert resp.status_code == 200
        return resp.json()


@pytest.fixture
def edge(settings: Settings) -> Iterator[Edge]:
    e = Edge(settings)
    with e.client:
        yield e
