"""Country lookups from the bundled offline database (no network)."""

from __future__ import annotations

import threading

import pytest

from vpaas.domain import geo


@pytest.mark.parametrize(("ip", "country"), [
    ("8.8.8.8", "US"),
    ("81.2.69.142", "GB"),
    ("2001:4860:4860::8888", "US"),
    ("2a00:1450:4001:80b::200e", "DE"),
    ("::ffff:81.2.69.142", "GB"),
    ("[2001:4860:4860::8888]", "US"),
])
def test_public_addresses_have_their_country(ip: str, country: str) -> None:
    assert geo.country_code(ip) == country
    found = geo.lookup(ip)
    assert found.status == geo.FOUND and found.country == country
    assert country in found.describe() and found.network


@pytest.mark.parametrize("ip", ["10.0.0.1", "192.168.1.20", "127.0.0.1", "::1", "fe80::1%eth0",
                                "100.64.0.1"])
def test_private_and_reserved_addresses_have_no_country(ip: str) -> None:
    found = geo.lookup(ip)
    assert found.country is None and found.status == geo.PRIVATE
    assert "private" in found.describe()


@pytest.mark.parametrize("ip", ["", "garbage", "999.1.1.1", "1.2.3", None, "1" * 500])
def test_invalid_addresses_are_reported_not_raised(ip: str | None) -> None:
    found = geo.lookup(ip)
    assert found.country is None and found.status == geo.INVALID
    assert len(found.ip) <= geo.MAX_IP_LENGTH


def test_normalize_ip() -> None:
    assert geo.normalize_ip(" ::FFFF:8.8.8.8 ") == "8.8.8.8"
    assert geo.normalize_ip("2001:DB8::1") == "2001:db8::1"
    assert geo.normalize_ip("8.8.8.8:80") is None


def test_concurrent_first_lookups_load_once_and_agree() -> None:
    results: list[str | None] = []
    threads = [threading.Thread(target=lambda: results.append(geo.country_code("8.8.8.8")))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["US"] * 8 and geo.is_loaded()
    loader = geo._LOADER
    first = loader.get()
    geo.preload()
    assert loader.get() is first
