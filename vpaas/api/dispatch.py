"""One API call: registry lookup → KS check → typed arguments → action, in a transaction."""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy.exc import OperationalError

from vpaas.api.params import Caster
from vpaas.context import CallContext, RequestInfo
from vpaas.domain.sessions import count_action, verify
from vpaas.registry import ApiError
from vpaas.registry import catalogue as E
from vpaas.registry.declare import UploadedFile
from vpaas.registry.model import ActionSpec, KsRule
from vpaas.runtime import Runtime

log = logging.getLogger("vpaas.api")
LOCK_RETRIES = 3
KEY_READS = frozenset({("media", "get"), ("baseentry", "get")})
"""Actions that read one entry by its key and write nothing: :meth:`Dispatcher.runs_inline`."""


class Dispatcher:
    """Runs single calls; shared by plain requests and multirequests."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.registry = runtime.registry
        self._unprefixed = {
            spec.name.lower(): sid for sid, spec in self.registry.services.items() if spec.plugin
        }

    def lookup(self, service: Any, action: Any) -> ActionSpec:
        if not service:
            raise E.SERVICE_NOT_SPECIFIED()
        service_id = str(service).lower()
        spec = self.registry.services.get(service_id)
        if spec is None and service_id in self._unprefixed:
            spec = self.registry.services[self._unprefixed[service_id]]
        if spec is None:
            raise E.SERVICE_DOES_NOT_EXISTS(str(service)[:100])
        if not action:
            raise E.ACTION_NOT_SPECIFIED()
        found = spec.actions.get(str(action).lower())
        if found is None:
            raise E.ACTION_DOES_NOT_EXISTS(str(action)[:100], spec.name)
        return found

    def runs_inline(self, raw: dict[str, Any], files: dict[str, UploadedFile]) -> bool:
        """Whether this call may run on the event loop rather than in a worker thread.

        A key read costs less than the two thread switches (~0.1 ms each) of a worker
        thread, so it runs inline while the database has an open idle connection for it (so
        it never connects or waits on the loop); anything else, or a call with files, goes to
        a thread.
        """
        service, action = raw.get("service"), raw.get("action")
        if files or not isinstance(service, str) or not isinstance(action, str):
            return False
        return ((service.lower(), action.lower()) in KEY_READS
                and self.runtime.db.reads_without_waiting())

    def run(self, raw: dict[str, Any], files: dict[str, UploadedFile],
            info: RequestInfo) -> Any:
        """Run one call; return its result or raise :class:`ApiError`."""
        started = time.perf_counter()
        spec = None
        ctx = CallContext(self.runtime, info)
        try:
            spec = self.lookup(raw.get("service"), raw.get("action"))
            self._authenticate(spec, raw, ctx)
            return self._call(spec, ctx, raw, files)
        except ApiError:
            raise
        except Exception:
            log.exception("request %s failed in %s", info.request_id,
                          f"{spec.service}.{spec.name}" if spec else "dispatch")
            raise E.INTERNAL_SERVERL_ERROR(info.request_id) from None
        finally:
            if log.isEnabledFor(logging.INFO):
                log.info("request=%s call=%s partner=%s ms=%.1f", info.request_id,
                         f"{spec.service}.{spec.name}" if spec else "?", ctx.partner_id,
                         (time.perf_counter() - started) * 1000)

    def _call(self, spec: ActionSpec, ctx: CallContext, raw: dict[str, Any],
              files: dict[str, UploadedFile]) -> Any:
        """Run the action in a transaction; on SQLite, retry a call without file parts that
        lost a write race ("database is locked" while upgrading a read transaction)."""
        for attempt in range(1, LOCK_RETRIES + 1):
            args = Caster(self.registry, files).args(spec.params, raw)
            try:
                with ctx.transaction():
                    return spec.func(ctx, **args)
            except OperationalError as exc:
                if files or attempt == LOCK_RETRIES or "database is locked" not in str(exc):
                    raise
                time.sleep(0.05 * attempt)
        raise AssertionError("unreachable")

    def _authenticate(self, spec: ActionSpec, raw: dict[str, Any], ctx: CallContext) -> None:
        if spec.ks == KsRule.NONE:
            ctx.partner_id = _int_or_none(raw.get("partnerId"))
            return
        ks = str(raw.get("ks") or "")
        if not ks:
            if spec.ks == KsRule.OPTIONAL:
                ctx.partner_id = _int_or_none(raw.get("partnerId"))
                return
            raise E.MISSING_KS()
        data = verify(self.runtime.db, self.runtime.partners, ks,
                      client_ip=ctx.request.client_ip, uri=ctx.request.path or None)
        if spec.ks == KsRule.ADMIN and data.session_type < 2:
            raise E.SERVICE_FORBIDDEN(f"{spec.service}->{spec.name}")
        if spec.ks == KsRule.USER and data.privileges.is_widget:
            raise E.SERVICE_FORBIDDEN(f"{spec.service}->{spec.name}")
        count_action(self.runtime.db, data)
        ctx.ks = data
        ctx.partner_id = data.partner_id


def _int_or_none(value: Any) -> int | None:
    try:
        return int(str(value)) if value not in (None, "") else None
    except ValueError:
        return None
