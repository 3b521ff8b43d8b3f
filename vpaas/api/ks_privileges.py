"""KS privileges: the ``name:value`` list a KS carries, and what it grants."""

from __future__ import annotations

import re
from dataclasses import dataclass

from vpaas.api.ks_errors import invalid_ks

INT_RE = re.compile(r"-?[0-9]{1,18}")


@dataclass(frozen=True)
class Privileges:
    """The privileges of a KS: an ordered list of ``name`` / ``name:value`` items.

    A value may hold several ids joined with ``/`` (``edit:0_a/0_b``); a name may repeat, and
    :meth:`values` merges all of them (as Kaltura's ``parsePrivileges`` does). ``value is None``
    means the item had no colon at all.
    """

    items: tuple[tuple[str, str | None], ...] = ()

    @classmethod
    def parse(cls, text: str | None) -> Privileges:
        """Parse a comma list; empty segments are dropped, nothing else is altered."""
        items: list[tuple[str, str | None]] = []
        for part in (text or "").split(","):
            if not part:
                continue
            name, sep, value = part.partition(":")
            items.append((name, value if sep else None))
        return cls(tuple(items))

    def to_string(self) -> str:
        """The comma list again (``Privileges.parse(s).to_string() == s`` for canonical ``s``)."""
        return ",".join(name if value is None else f"{name}:{value}" for name, value in self.items)

    def has(self, name: str) -> bool:
        """True when an item called ``name`` is present (with or without a value)."""
        return any(item_name == name for item_name, _ in self.items)

    def values(self, name: str) -> list[str]:
        """All ``/``-separated values of every ``name`` item, in order."""
        out: list[str] = []
        for item_name, value in self.items:
            if item_name == name and value:
                out.extend(value.split("/"))
        return out

    @property
    def is_all(self) -> bool:
        """True for the ``*`` privilege (or its v2 spelling ``all:*``)."""
        return self.has("*") or "*" in self.values("all")

    def allows_entry(self, priv_name: str, entry_id: str) -> bool:
        """True if ``priv_name`` covers ``entry_id``: its value ``*``, the id itself, or ``*``."""
        if self.is_all:
            return True
        values = self.values(priv_name)
        return "*" in values or entry_id in values

    @property
    def actions_limit(self) -> int | None:
        """The ``actionslimit`` value, None when absent (decode rejects non-positive values)."""
        if not self.has("actionslimit"):
            return None
        values = self.values("actionslimit")
        if len(values) != 1 or not INT_RE.fullmatch(values[0]) or int(values[0]) <= 0:
            raise invalid_ks("actionslimit must be one positive integer")
        return int(values[0])

    @property
    def ip_restrict(self) -> list[str]:
        """Allowed client addresses (exact string match, as in Kaltura)."""
        return self.values("iprestrict")

    @property
    def uri_restrict(self) -> list[str]:
        """Allowed request URIs; alternatives are ``|``-separated, a ``*`` suffix = prefix."""
        out: list[str] = []
        for name, value in self.items:
            if name == "urirestrict" and value:
                out.extend(uri for uri in value.split("|") if uri)
        return out

    @property
    def is_widget(self) -> bool:
        """True when ``widget:1`` is present."""
        return "1" in self.values("widget")


def privileges_text(privileges: str | Privileges | None) -> str:
    """Privileges as the comma list a KS carries."""
    if isinstance(privileges, Privileges):
        return privileges.to_string()
    return privileges or ""
