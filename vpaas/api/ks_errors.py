"""KS error codes (Kaltura's ``kSessionBase`` numbers) and :class:`KsError`."""

from __future__ import annotations

INVALID_STR = -1
EXPIRED = -5
LOGOUT = -6
EXCEEDED_ACTIONS_LIMIT = -8
EXCEEDED_RESTRICTED_IP = -9
EXCEEDED_RESTRICTED_URI = -11
MAX_KS_LENGTH = 8192

_ERROR_DESC = {
    INVALID_STR: "INVALID_STR",
    EXPIRED: "EXPIRED",
    LOGOUT: "LOGOUT",
    EXCEEDED_ACTIONS_LIMIT: "EXCEEDED_ACTIONS_LIMIT",
    EXCEEDED_RESTRICTED_IP: "EXCEEDED_RESTRICTED_IP",
    EXCEEDED_RESTRICTED_URI: "EXCEEDED_RESTRICTED_URI",
}


class KsError(Exception):
    """A KS that cannot be used; ``code``/``desc`` are Kaltura's (``-1``/``INVALID_STR`` ...).

    ``reason`` is a human-readable detail for logs; it is never part of the API message.
    """

    def __init__(self, code: int, desc: str | None = None, reason: str = "") -> None:
        self.code = code
        self.desc = desc if desc is not None else _ERROR_DESC.get(code, "?")
        self.reason = reason
        super().__init__(f"{code},{self.desc}" + (f" ({reason})" if reason else ""))

    def template_args(self, ks: str) -> dict[str, str]:
        """Arguments for the ``INVALID_KS`` error template (KSID, ERR_CODE, ERR_DESC)."""
        shown = ks if len(ks) <= MAX_KS_LENGTH else ks[:MAX_KS_LENGTH] + "..."
        return {"KSID": shown, "ERR_CODE": str(self.code), "ERR_DESC": self.desc}

    def message(self, ks: str) -> str:
        """``Invalid KS "<ks>", Error "<code>,<desc>"`` (over-long KS strings are cut)."""
        args = self.template_args(ks)
        return f'Invalid KS "{args["KSID"]}", Error "{args["ERR_CODE"]},{args["ERR_DESC"]}"'


def invalid_ks(reason: str) -> KsError:
    """An INVALID_STR error with ``reason`` for the log."""
    return KsError(INVALID_STR, reason=reason)
