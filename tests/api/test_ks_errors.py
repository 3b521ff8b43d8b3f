"""KS errors: the INVALID_KS message and template arguments."""

from __future__ import annotations

from support.ks_vectors import (
    assert_invalid,
)

from vpaas.api import ks
from vpaas.api.ks import KsError


def test_error_message_matches_invalid_ks_template() -> None:
    error = assert_invalid("garbage!")
    assert error.message("garbage!") == 'Invalid KS "garbage!", Error "-1,INVALID_STR"'
    assert KsError(-5).message("abc") == 'Invalid KS "abc", Error "-5,EXPIRED"'
    assert KsError(-11).template_args("abc") == {
        "KSID": "abc", "ERR_CODE": "-11", "ERR_DESC": "EXCEEDED_RESTRICTED_URI"}
    assert len(KsError(-1).message("x" * 100_000)) < ks.MAX_KS_LENGTH + 100
