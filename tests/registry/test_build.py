from __future__ import annotations

import pytest

from vpaas.app import registry
from vpaas.registry import catalogue as E
from vpaas.registry.build import _param_docs, check
from vpaas.registry.model import KsRule


def test_registry_holds_core_services_and_passes_checks() -> None:
    reg = registry()
    check(reg)
    assert {"session", "partner", "system"} <= set(reg.services)
    start = reg.services["session"].actions["start"]
    assert start.ks == KsRule.NONE
    assert [p.name for p in start.params] == ["secret", "userId", "type", "partnerId", "expiry",
                                              "privileges"]
    assert start.params[0].optional is False and start.params[1].optional is True
    assert start.params[0].doc.startswith("The admin secret")
    assert start.returns.kind == "string"


def test_inherited_fields_come_first() -> None:
    names = [f.name for f in registry().all_fields("KalturaFilterPager")]
    assert names[0] == "relatedObjects" and names[-2:] == ["pageSize", "pageIndex"]


def test_error_templates_fill_arguments() -> None:
    err = E.INVALID_KS("abc", -5, "EXPIRED")
    assert err.message == 'Invalid KS "abc", Error "-5,EXPIRED"'
    with pytest.raises(TypeError):
        E.ENTRY_ID_NOT_FOUND()


def test_seed_error_codes_are_declared() -> None:
    codes = set(registry().errors)
    assert {"INTERNAL_SERVERL_ERROR", "MISSING_KS", "INVALID_KS", "SERVICE_NOT_SPECIFIED",
            "SERVICE_DOES_NOT_EXISTS", "ACTION_NOT_SPECIFIED", "ACTION_DOES_NOT_EXISTS",
            "MISSING_MANDATORY_PARAMETER"} <= codes


def test_param_docs_parsing() -> None:
    summary, docs = _param_docs("Do it.\n\nArgs:\n    a: first\n        continued\n    b: two")
    assert summary == "Do it." and docs == {"a": "first continued", "b": "two"}
