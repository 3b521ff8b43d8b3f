from __future__ import annotations

import time

import pytest

from vpaas.api.params import Caster, merge, nest, split_key
from vpaas.app import registry
from vpaas.registry import ApiError
from vpaas.registry.model import TypeRef


def test_split_key_handles_colons_and_brackets() -> None:
    assert split_key("filter:nameLike") == ["filter", "nameLike"]
    assert split_key("thumbParams[width]") == ["thumbParams", "width"]
    assert split_key("1:entry:restrictions:0:objectType") == ["1", "entry", "restrictions", "0",
                                                               "objectType"]


def test_nest_and_merge_follow_kaltura_precedence() -> None:
    body = nest([("a:b", "1"), ("a:c", "2"), ("ks", "body")])
    query = nest([("a:c", "3"), ("ks", "query")])
    merged = merge(body, query)
    assert merged == {"a": {"b": "1", "c": "3"}, "ks": "query"}


def test_nest_rejects_absurd_depth() -> None:
    with pytest.raises(ApiError) as err:
        nest([(":".join(["x"] * 50), "1")])
    assert err.value.code == "INVALID_REQUEST_FORMAT"


@pytest.fixture
def caster() -> Caster:
    return Caster(registry(), {})


@pytest.mark.parametrize("raw,expected", [("12", 12), ("12.0", 12), (12, 12), (True, 1),
                                          ("true", 1)])
def test_int_casting_accepts_every_client_style(caster: Caster, raw: object,
                                                expected: int) -> None:
    assert caster.cast(raw, TypeRef("int"), "n") == expected


def test_int_casting_rejects_garbage(caster: Caster) -> None:
    with pytest.raises(ApiError) as err:
        caster.cast("abc", TypeRef("int"), "n")
    assert err.value.code == "PROPERTY_VALIDATION_NUMERIC_VALUE"


@pytest.mark.parametrize("raw,expected", [("True", True), ("False", False), ("1", True),
                                          ("0", False), (True, True), ("", False)])
def test_bool_casting(caster: Caster, raw: object, expected: bool) -> None:
    assert caster.cast(raw, TypeRef("bool"), "b") is expected


def test_small_times_are_relative_to_now(caster: Caster) -> None:
    value = caster.cast("-86400", TypeRef("time"), "t")
    assert abs(value - (time.time() - 86400)) < 5
    assert caster.cast("1767225600", TypeRef("time"), "t") == 1767225600
    assert caster.cast("-1", TypeRef("time"), "t") == -1


def test_enum_values_are_validated(caster: Caster) -> None:
    ref = TypeRef("enum", "KalturaSessionType")
    assert caster.cast("2", ref, "type") == 2
    with pytest.raises(ApiError) as err:
        caster.cast("7", ref, "type")
    assert err.value.code == "INVALID_ENUM_VALUE"
    assert err.value.args_map == {"ENUM_VAL": "7", "PARAM_NAME": "type",
                                  "ENUM_TYPE": "KalturaSessionType"}


def test_objects_track_supplied_and_nulled_fields(caster: Caster) -> None:
    obj = caster.cast({"objectType": "KalturaFilterPager", "pageSize": "10",
                       "pageIndex__null": "", "unknownField": "x"},
                      TypeRef("object", "KalturaFilterPager"), "pager")
    assert obj.pageSize == 10 and obj.pageIndex is None
    assert obj.supplied == {"pageSize", "pageIndex"} and obj.nulled == {"pageIndex"}


def test_abstract_object_types_are_refused(caster: Caster) -> None:
    with pytest.raises(ApiError) as err:
        caster.cast({"objectType": "KalturaFilter"}, TypeRef("object", "KalturaFilter"), "f")
    assert err.value.code == "OBJECT_TYPE_ABSTRACT"


def test_unrelated_object_type_falls_back_to_declared(caster: Caster) -> None:
    obj = caster.cast({"objectType": "KalturaSessionInfo", "pageSize": 5},
                      TypeRef("object", "KalturaFilterPager"), "pager")
    assert type(obj).__name__ == "KalturaFilterPager" and obj.pageSize == 5


def test_arrays_from_numeric_keys_lists_and_empty_marker(caster: Caster) -> None:
    ref = TypeRef("array", item=TypeRef("object", "KalturaString"))
    from_map = caster.cast({"1": {"value": "b"}, "0": {"value": "a"}}, ref, "l")
    assert [s.value for s in from_map] == ["a", "b"]
    assert [s.value for s in caster.cast([{"value": "x"}], ref, "l")] == ["x"]
    assert caster.cast({"-": ""}, ref, "l") == []
