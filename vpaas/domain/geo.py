"""Country of an IP address, from the offline IP-to-country database geoip2fast ships.

The database (IPv4 and IPv6 networks, from MaxMind GeoLite2 country data) is bundled with the
``geoip2fast`` package: nothing is downloaded. It is loaded on the first lookup, once per
process, under a lock, and takes about 0.6 s and 60 MB; :func:`preload` loads it ahead of time
(e.g. at start-up of a delivery process). Lookups then take a few microseconds.

geoip2fast keeps its tables in module globals, so the loaded database is process-wide by
nature; :class:`_Loader` only makes the one-time load safe when several threads race to it.
"""

from __future__ import annotations

import ipaddress
import threading
from dataclasses import dataclass
from typing import Any

DATA_FILE = "geoip2fast-ipv6.dat.gz"  # the bundled file holding both IPv4 and IPv6 networks
MAX_IP_LENGTH = 64

FOUND = "found"
PRIVATE = "private"  # private, loopback, link-local, reserved...
INVALID = "invalid"
NOT_FOUND = "not found"


@dataclass(frozen=True)
class GeoResult:
    """The outcome of a lookup: ``country`` (ISO 3166 alpha-2, upper case) or why there is none."""

    ip: str
    country: str | None
    status: str  # FOUND, PRIVATE, INVALID or NOT_FOUND
    network: str = ""

    def describe(self) -> str:
        """A short human explanation, e.g. ``8.8.8.8 is in US (8.8.8.0/24)``."""
        if self.country:
            return f"{self.ip} is in {self.country}" + (f" ({self.network})" if self.network
                                                         else "")
        if self.status == INVALID:
            return f"{self.ip!r} is not an IP address"
        if self.status == PRIVATE:
            return f"{self.ip} is a private or reserved address (no country)"
        return f"{self.ip} is in no known network (no country)"


class _Loader:
    """Loads the geoip2fast database once; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._db: Any = None

    def get(self) -> Any:
        db = self._db
        if db is not None:
            return db
        with self._lock:
            if self._db is None:
                from geoip2fast import GeoIP2Fast

                self._db = GeoIP2Fast(verbose=False, geoip2fast_data_file=DATA_FILE)
            return self._db

    @property
    def loaded(self) -> bool:
        return self._db is not None


_LOADER = _Loader()


def preload() -> None:
    """Load the database now rather than on the first lookup."""
    _LOADER.get()


def is_loaded() -> bool:
    """Whether this process has loaded the database."""
    return _LOADER.loaded


def normalize_ip(text: str | None) -> str | None:
    """The canonical text of an IP address (IPv4-mapped IPv6 becomes IPv4), None if invalid.

    Brackets (``[2001:db8::1]``) and an IPv6 zone (``fe80::1%eth0``) are tolerated.
    """
    value = (text or "").strip()
    if not value or len(value) > MAX_IP_LENGTH:
        return None
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    value = value.split("%", 1)[0]
    try:
        addr = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return str(addr.ipv4_mapped)
    return str(addr)


def lookup(ip: str | None) -> GeoResult:
    """Where ``ip`` is: its country, or why none is known."""
    shown = (ip or "")[:MAX_IP_LENGTH]
    canonical = normalize_ip(ip)
    if canonical is None:
        return GeoResult(shown, None, INVALID)
    addr = ipaddress.ip_address(canonical)
    if not addr.is_global:
        return GeoResult(canonical, None, PRIVATE)
    detail = _LOADER.get().lookup(canonical)
    code = str(getattr(detail, "country_code", "") or "")
    if len(code) == 2 and code.isalpha():
        return GeoResult(canonical, code.upper(), FOUND, str(getattr(detail, "cidr", "") or ""))
    if getattr(detail, "is_private", False):
        return GeoResult(canonical, None, PRIVATE)
    return GeoResult(canonical, None, NOT_FOUND)


def country_code(ip: str | None) -> str | None:
    """ISO 3166 alpha-2 code (upper case) of ``ip``; None for private, invalid or unknown."""
    return lookup(ip).country
