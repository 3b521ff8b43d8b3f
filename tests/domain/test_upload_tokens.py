"""Upload token records: the staging path stays confined."""

from __future__ import annotations

import pytest

from vpaas.domain import upload_tokens
from vpaas.settings import Settings


def test_staged_path_is_confined(settings: Settings) -> None:
    root = (settings.data_path / "uploads").resolve()
    assert upload_tokens.staged_path(settings, 7, "0_abc123") == root / "7" / "0_abc123"
    for bad in ("../x", "0_../../etc", "0_ABC", "", "0_a/b", "/etc/passwd", "0_a\x00"):
        with pytest.raises(ValueError):
            upload_tokens.staged_path(settings, 7, bad)
