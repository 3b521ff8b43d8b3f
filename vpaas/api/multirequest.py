"""Multirequest: numbered calls in one request, with ``{N:result:path}`` references."""

from __future__ import annotations

import re
from typing import Any

from vpaas.api.dispatch import Dispatcher
from vpaas.api.serialize import _scalar_text
from vpaas.context import RequestInfo
from vpaas.registry import ApiError, KalturaObject
from vpaas.registry import catalogue as E
from vpaas.registry.declare import UploadedFile

TOKEN = re.compile(r"\{(\d+):result(?::([^{}]*))?\}")
COMMON = ("ks", "partnerId", "clientTag")
MAX_CALLS = 200


class Unresolved(Exception):
    def __init__(self, token: str) -> None:
        self.token = token


def sub_requests(raw: dict[str, Any]) -> list[str]:
    keys = sorted((k for k in raw if k.isdigit() and isinstance(raw[k], dict)), key=int)
    if len(keys) > MAX_CALLS:
        raise E.MULTIREQUEST_TOO_LARGE(MAX_CALLS)
    return keys


def run_multirequest(dispatcher: Dispatcher, raw: dict[str, Any],
                     files: dict[str, UploadedFile], info: RequestInfo) -> list[Any]:
    """Run each call in key order; a failed call leaves an error in its place."""
    results: list[Any] = []
    for key in sub_requests(raw):
        call = {k: v for k, v in raw[key].items() if k != "format"}
        for name in COMMON:
            if name in raw and name not in call:
                call[name] = raw[name]
        call_files = {k.split(":", 1)[1]: f for k, f in files.items()
                      if k.split(":", 1)[0] == key and ":" in k}
        try:
            call = substitute(call, results)
            results.append(dispatcher.run(call, call_files, info))
        except Unresolved as missing:
            results.append(E.MISSING_MANDATORY_PARAMETER(missing.token))
        except ApiError as err:
            results.append(err)
    return results


def substitute(value: Any, results: list[Any]) -> Any:
    if isinstance(value, str) and "{" in value:
        return TOKEN.sub(lambda m: _resolve(m, results), value)
    if isinstance(value, dict):
        return {k: substitute(v, results) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, results) for v in value]
    return value


def _resolve(match: re.Match[str], results: list[Any]) -> str:
    index = int(match.group(1))
    if not 1 <= index <= len(results) or isinstance(results[index - 1], ApiError):
        raise Unresolved(match.group(0))
    value = results[index - 1]
    for part in (match.group(2) or "").split(":"):
        if part == "":
            continue
        value = _step(value, part)
        if value is None:
            raise Unresolved(match.group(0))
    if value is None or value == "" or isinstance(value, (KalturaObject, list, dict)):
        raise Unresolved(match.group(0))
    return _scalar_text(value)


def _step(value: Any, part: str) -> Any:
    if isinstance(value, KalturaObject):
        return getattr(value, part, None)
    if isinstance(value, list):
        return value[int(part)] if part.isdigit() and int(part) < len(value) else None
    if isinstance(value, dict):
        return value.get(part)
    return None
