"""Small assertion helpers shared by the compat tests (imported as ``compat.helpers``)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from KalturaClient.exceptions import KalturaClientException, KalturaException


def value_of(v: Any) -> Any:
    """An enum object of the Python client → its plain value (other values unchanged)."""
    return v.getValue() if hasattr(v, "getValue") else v


def kaltura_error(call: Callable[[], Any]) -> KalturaException:
    """Run a Python client call that must fail with a server error; return the exception."""
    try:
        result = call()
    except KalturaException as exc:
        return exc
    except KalturaClientException as exc:
        pytest.fail(f"expected a KalturaException (server error), got a client error: {exc}")
    pytest.fail(f"expected a KalturaException, the call returned {result!r}")


def node_value(outcome: dict[str, Any]) -> Any:
    """The resolved value of a node flow, or a readable failure."""
    if "ok" not in outcome:
        pytest.fail(f"node flow did not resolve: {outcome}")
    return outcome["ok"]


def node_error(outcome: dict[str, Any]) -> dict[str, Any]:
    """The Kaltura error a node flow's promise was rejected with, or a readable failure."""
    if "rejected" not in outcome:
        pytest.fail(f"node flow was expected to reject with an API error: {outcome}")
    error: dict[str, Any] = outcome["rejected"]
    assert error["objectType"] == "KalturaAPIException", error
    return error


def stored_copies(root: Path, data: bytes, limit: int = 20_000) -> list[Path]:
    """Files under ``root`` whose bytes are exactly ``data`` (size first, then sha256)."""
    want = hashlib.sha256(data).hexdigest()
    found: list[Path] = []
    for index, path in enumerate(p for p in root.rglob("*") if p.is_file()):
        if index >= limit:
            break
        try:
            if path.stat().st_size == len(data) and \
                    hashlib.sha256(path.read_bytes()).hexdigest() == want:
                found.append(path)
        except OSError:
            continue
    return found
