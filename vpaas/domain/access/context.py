"""What a request tells access control: who asks, from where, for which entry and use."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from vpaas.domain import geo
from vpaas.domain.access.model import ContextType

if TYPE_CHECKING:
    from vpaas.api.ks import KsData

BATCH_PARTNER_ID = -1
MAX_REFERRER_LENGTH = 4096
MAX_USER_AGENT_LENGTH = 1024
CountryResolver = Callable[[str], "str | None"]


@dataclass(frozen=True)
class AccessContext:
    """One request for one entry, as access-control rules see it.

    ``referrer`` is the page URL in clear (use :func:`decode_referrer` on playManifest's
    base64 ``referrer`` parameter). ``ks`` is the caller's decoded KS, if any; a KS of another
    partner is ignored, as Kaltura does. ``country_resolver`` maps an IP to an ISO country code
    (the bundled offline database by default). ``headers`` are only read by IP conditions that
    name an ``httpHeader``. ``now`` defaults to the current time.
    """

    partner_id: int
    entry_id: str
    context: ContextType = ContextType.PLAY
    start_date: int | None = None
    end_date: int | None = None
    referrer: str = ""
    client_ip: str = ""
    user_agent: str = ""
    ks: KsData | None = None
    country_resolver: CountryResolver = geo.country_code
    headers: Mapping[str, str] = field(default_factory=dict)
    now: int | None = None

    def effective_ks(self) -> KsData | None:
        """The KS rules may use: the entry partner's (or the batch partner's), else None."""
        if self.ks is None or self.ks.partner_id not in (self.partner_id, BATCH_PARTNER_ID):
            return None
        return self.ks

    def current_time(self) -> int:
        return int(time.time()) if self.now is None else self.now

    def header(self, name: str) -> str:
        """A request header, case-insensitively ("" when absent)."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return ""


def decode_referrer(value: str | None) -> str:
    """playManifest's ``referrer`` parameter (base64 of the page URL) in clear.

    URL-safe base64 (``-``/``_``), missing padding and ``+`` turned into spaces by form
    decoding are tolerated; anything that does not decode to printable text gives "".
    """
    text = (value or "").strip()[:MAX_REFERRER_LENGTH * 2]
    if not text:
        return ""
    text = text.replace("-", "+").replace("_", "/").replace(" ", "+")
    text += "=" * (-len(text) % 4)
    try:
        raw = base64.b64decode(text, validate=True)
        decoded = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return ""
    if not decoded.isprintable():
        return ""
    return decoded[:MAX_REFERRER_LENGTH]


def url_host(url: str | None) -> str | None:
    """The host of a referrer URL, lower case, without port; None when there is none.

    As Kaltura's ``parseUrlHost``, a scheme-less value (``www.example.com/page``) counts as a
    host followed by a path.
    """
    text = (url or "").strip()[:MAX_REFERRER_LENGTH]
    if not text:
        return None
    if "//" not in text:
        text = "//" + text
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    host = (host or "").strip(".").lower()
    return host or None


def site_value(value: str) -> str:
    """A SITE condition value as a bare domain: ``*.Example.com``, ``https://example.com/x``
    and ``example.com:8080`` all give ``example.com``."""
    text = value.strip().lower()
    if text.startswith("*."):
        text = text[2:]
    return url_host(text) or text.strip(".")


def site_matches(host: str, value: str) -> bool:
    """Whether ``host`` is the domain ``value`` or one of its subdomains.

    Kaltura's own check also accepts ``value`` anywhere after a dot
    (``example.com.evil.net`` for ``example.com``); vpaas only accepts the domain itself
    and its subdomains.
    """
    domain = site_value(value)
    return bool(domain) and (host == domain or host.endswith("." + domain))


def request_ip(ctx: AccessContext, http_header: str = "",
               accept_internal: bool = False) -> str | None:
    """The client address an IP condition checks: ``ctx.client_ip``, or with ``http_header``
    the first usable address listed in that header (private ones only if ``accept_internal``).
    """
    if not http_header:
        return geo.normalize_ip(ctx.client_ip)
    for part in ctx.header(http_header).split(",")[:32]:
        ip = geo.normalize_ip(part)
        if ip is None:
            continue
        if accept_internal or ipaddress.ip_address(ip).is_global:
            return ip
    return None
