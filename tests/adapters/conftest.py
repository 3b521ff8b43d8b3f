"""Fixtures for adapter contract tests."""

from __future__ import annotations

import sys
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parents[1])
if _TESTS not in sys.path:  # until tests/conftest.py puts tests/ on sys.path for everyone
    sys.path.insert(0, _TESTS)

from support.seaweed import s3_storage, seaweed_s3  # noqa: E402

__all__ = ["s3_storage", "seaweed_s3"]
