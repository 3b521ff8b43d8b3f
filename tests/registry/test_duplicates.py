from __future__ import annotations

import pytest

from vpaas.registry.build import RegistryError, _no_duplicates


def test_a_class_declared_twice_is_refused() -> None:
    _no_duplicates(["KalturaA", "KalturaB"])
    with pytest.raises(RegistryError, match="KalturaA"):
        _no_duplicates(["KalturaA", "KalturaB", "KalturaA"])
