"""Metadata advanced search: field paths, conditions and operators, run on entry SELECTs of
the pass's database."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from support.metadata_world import OR, cond, found, item, xpath

from vpaas.domain import metadata_search
from vpaas.objects.metadata import (
    KalturaMetadataSearchItem,
    KalturaSearchComparableCondition,
    KalturaSearchCondition,
    KalturaSearchConditionComparison,
    KalturaSearchOperator,
)
from vpaas.registry import ApiError


@pytest.mark.parametrize(("field", "expected"), [
    ("/*[local-name()='metadata']/*[local-name()='Color']", ("Color", False)),
    ('/*[local-name() = "metadata"]/*[local-name()="Crew"]/*[local-name()="Name"]',
     ("Crew/Name", False)),
    ("/metadata/Color", ("Color", False)),
    ("/md:metadata/md:Color", ("Color", False)),
    ("Color", ("Color", True)),
    ("//Name", ("Name", True)),
])
def test_field_paths_accept_kalturas_three_forms(field: str, expected: tuple[str, bool]
                                                 ) -> None:
    assert metadata_search.field_path(field) == expected


@pytest.mark.parametrize("field", ["", "/metadata", "/a/b[1]", "/a/../b", "x y"])
def test_bad_field_paths_are_refused(field: str) -> None:
    with pytest.raises(ApiError) as caught:
        metadata_search.field_path(field)
    assert caught.value.code == "INVALID_PARAMETER_VALUE"


def cmp(name: str, op: str, value: str) -> KalturaSearchComparableCondition:
    return KalturaSearchComparableCondition(
        field=xpath(name), value=value, comparison=KalturaSearchConditionComparison(op))


def test_list_fields_match_whole_values_text_fields_match_phrases(world: SimpleNamespace
                                                                  ) -> None:
    assert found(world, item(world, cond("Color", "red"))) == {"red"}
    assert found(world, item(world, cond("Color", "Blue"))) == set()  # whole value only
    assert found(world, item(world, cond("Color", "dark blue"))) == {"blue"}
    assert found(world, item(world, cond("Notes", "Quick"))) == {"red", "blue"}
    assert found(world, item(world, cond("Notes", "quick brown"))) == {"red"}
    assert found(world, item(world, cond("Notes", "brown quick"))) == set()
    assert found(world, item(world, cond("Notes", "qui"))) == set()  # words, not substrings
    assert found(world, item(world, cond("Notes", "*"))) == {"red", "blue"}
    assert found(world, item(world, cond("Secret", "*"))) == set()  # not searchable


def test_and_or_and_nested_operators(world: SimpleNamespace) -> None:
    both = item(world, cond("Color", "Red"), cond("Notes", "quick"))
    assert found(world, both) == {"red"}
    either = item(world, cond("Color", "Red"), cond("Notes", "dogs"), type=OR)
    assert found(world, either) == {"red", "blue"}
    nested = item(world, cond("Notes", "quick"),
                  KalturaSearchOperator(type=OR, items=[cond("Year", "2021"),
                                                        cond("Color", "nope")]))
    assert found(world, nested) == {"blue"}
    outer = KalturaSearchOperator(type=OR, items=[item(world, cond("Color", "Red")),
                                                  item(world, cond("Notes", "lazy"))])
    assert found(world, outer) == {"red", "blue"}
    assert found(world, item(world)) == {"red", "blue", "bare", "none"}


def test_comparisons_on_int_and_date_fields(world: SimpleNamespace) -> None:
    assert found(world, item(world, cmp("Year", "2", "2019"))) == {"blue"}
    assert found(world, item(world, cmp("Year", "3", "2019"))) == {"red", "blue"}
    assert found(world, item(world, cmp("Year", "5", "2020"))) == {"red"}
    assert found(world, item(world, cmp("Year", "1", "2021"))) == {"blue"}
    assert found(world, item(world, cmp("Year", "6", "2021"))) == {"red"}
    assert found(world, item(world, cmp("Shot", "2", "-3600"))) == {"red"}  # relative
    assert found(world, item(world, cmp("Shot", "4", "CURRENT_TIME"))) == {"red", "blue"}
    with pytest.raises(ApiError, match="not a number"):
        found(world, item(world, cmp("Year", "2", "soon")))


def test_conditions_stay_within_the_profile_and_the_partner(world: SimpleNamespace) -> None:
    wrong_profile = KalturaMetadataSearchItem(metadataProfileId=world.profile.id + 99,
                                              items=[cond("Color", "Red")])
    assert found(world, wrong_profile) == set()
    assert found(world, cond("Color", "Red")) == {"red"}  # a bare condition: any profile
    assert found(world, KalturaSearchCondition(field="Name", value="x")) == set()
    assert found(world, item(world, cond("Color", "Red")), world.other.id) == set()
