"""The per-call context every action receives as ``ctx``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from vpaas.runtime import Runtime

if TYPE_CHECKING:
    from vpaas.api.ks import KsData, Privileges


@dataclass
class RequestInfo:
    """What an action may know about the HTTP request that carried it."""

    client_ip: str = ""
    base_url: str = ""  # e.g. http://127.0.0.1:8080, no trailing slash
    user_agent: str = ""
    referrer: str = ""
    request_id: str = ""
    path: str = ""


@dataclass
class CallContext:
    """Partner, session and adapters of one API call; opens the partner-scoped DB session."""

    runtime: Runtime
    request: RequestInfo
    ks: KsData | None = None
    partner_id: int | None = None
    _session: Session | None = None
    _after_commit: list[Callable[[], None]] = field(default_factory=list)

    @property
    def user_id(self) -> str:
        return self.ks.user_id if self.ks else ""

    @property
    def is_admin(self) -> bool:
        return bool(self.ks and self.ks.session_type >= 1)

    @property
    def privileges(self) -> Privileges | None:
        return self.ks.privileges if self.ks else None

    @property
    def session(self) -> Session:
        """The partner-scoped database session of this call (opened on first use)."""
        if self._session is None:
            if self.partner_id is None:
                raise RuntimeError("no partner for this call")
            self._session = self.runtime.db.new_session(self.partner_id)
        return self._session

    def after_commit(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` once the call's transaction has committed (e.g. dispatch a job)."""
        self._after_commit.append(fn)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        try:
            yield
            if self._session is not None:
                self._session.commit()
        except BaseException:
            if self._session is not None:
                self._session.rollback()
            self._after_commit.clear()
            raise
        finally:
            if self._session is not None:
                self._session.close()
                self._session = None
        callbacks, self._after_commit = self._after_commit, []
        for fn in callbacks:
            fn()

    def url(self, path: str) -> str:
        base = self.runtime.settings.public_url.rstrip("/") or self.request.base_url
        return base + path

    @property
    def settings(self) -> Any:
        return self.runtime.settings
