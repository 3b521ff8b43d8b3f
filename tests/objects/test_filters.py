"""Filter classes generated from ``filters=`` declarations, named as Kaltura names them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import Enum, IntEnum
from pathlib import Path
from typing import Any

import KalturaClient
import pytest
from sqlalchemy import select
from support.databases import scratch_database

from vpaas.api.params import Caster
from vpaas.db.base import Database
from vpaas.domain.filtering import apply_filter, apply_order, count
from vpaas.objects.common import KalturaFilter, KalturaNullableBoolean, KalturaRelatedFilter
from vpaas.objects.filters import (
    FilterDeclarationError,
    filter_operators,
    make_filter_classes,
    order_by_const,
    sortable_fields,
)
from vpaas.registry import KalturaObject, Time, declare, field
from vpaas.registry.build import build_registry
from vpaas.registry.model import TypeRef


class Colour(IntEnum):
    """Colours."""

    RED = 1
    BLUE = 2


class Thing(KalturaObject):
    """A throwaway object."""

    id: str = field(filters="eq,in,notin")
    name: str = field(filters="like,mlikeor,mlikeand,eq,order", doc="Name")
    colour: Colour = field(filters="eq,not,in,notin")
    createdAt: Time = field(filters="gte,lte,order")
    tags: str = field(filters="matchor,matchand,notcontains,empty")
    hidden: bool = field(filters="eq")
    plain: str = field(doc="no filters")


class SubThing(Thing):
    """A throwaway child object."""

    size: int = field(filters="lt,gt,gteornull,order")


class ThingExtras:
    """Filter of things, with free text."""

    freeText: str = field(doc="Search words")
    _private: int = 0


def test_generated_properties_types_and_order() -> None:
    base, top = make_filter_classes(Thing, KalturaRelatedFilter, "KalturaThing",
                                    extra=ThingExtras, composites=[("mlikeor", ("id", "name"))],
                                    extra_order=("recent",), register=False)
    assert (base.__name__, top.__name__) == ("KalturaThingBaseFilter", "KalturaThingFilter")
    assert base.__bases__ == (KalturaRelatedFilter,) and top.__bases__ == (base,)
    assert list(base.__annotations__) == [
        "idEqual", "idIn", "idNotIn", "nameLike", "nameMultiLikeOr", "nameMultiLikeAnd",
        "nameEqual", "colourEqual", "colourNotEqual", "colourIn", "colourNotIn",
        "createdAtGreaterThanOrEqual", "createdAtLessThanOrEqual", "tagsMatchOr",
        "tagsMatchAnd", "tagsNotContains", "tagsEmpty", "hiddenEqual", "idNameMultiLikeOr"]
    types = base.__annotations__
    assert types["colourEqual"] is Colour and types["colourIn"] is str
    assert types["createdAtGreaterThanOrEqual"] is Time
    assert types["tagsEmpty"] is KalturaNullableBoolean
    assert types["hiddenEqual"] is KalturaNullableBoolean
    assert list(top.__annotations__) == ["freeText"] and top.__doc__.startswith("Filter of")
    assert filter_operators(top)["nameMultiLikeOr"] == ("name", "mlikeor")
    assert filter_operators(top)["idNameMultiLikeOr"] == ("idName", "mlikeor")
    assert sortable_fields(top) == {"name", "createdAt", "recent"}
    order_enum = base.__order_enum__
    assert issubclass(order_enum, str) and issubclass(order_enum, Enum)
    assert order_enum.CREATED_AT_DESC.value == "-createdAt"
    assert [m.value for m in order_enum][:3] == ["+createdAt", "+name", "+recent"]
    instance = top(nameLike="x")
    assert instance.nameLike == "x" and instance.freeText is None and instance.idIn is None


def test_chained_filters_mirror_the_object_hierarchy() -> None:
    _, thing_filter = make_filter_classes(Thing, KalturaRelatedFilter, "KalturaThing",
                                          register=False)
    sub_base, sub_filter = make_filter_classes(SubThing, thing_filter, "KalturaSubThing",
                                               register=False)
    assert sub_filter.__mro__[1:5] == (sub_base, thing_filter, thing_filter.__bases__[0],
                                       KalturaRelatedFilter)
    assert list(sub_base.__annotations__) == ["sizeLessThan", "sizeGreaterThan",
                                              "sizeGreaterThanOrEqualOrNull"]
    assert sortable_fields(sub_filter) == {"name", "createdAt", "size"}
    assert {m.value for m in sub_base.__order_enum__} >= {"+size", "-name", "+createdAt"}
    assert "nameLike" in filter_operators(sub_filter)


def test_unknown_operator_is_refused_at_declaration() -> None:
    class Bad(KalturaObject):
        """Bad."""

        name: str = field(filters="eq,fuzzy")

    with pytest.raises(FilterDeclarationError, match="fuzzy"):
        make_filter_classes(Bad, KalturaFilter, register=False)


def test_order_by_constants_follow_kaltura() -> None:
    assert order_by_const("partnerSortValue") == "PARTNER_SORT_VALUE"
    assert order_by_const("name") == "NAME"


@pytest.fixture
def scratch_registry() -> Iterator[None]:
    """Declarations made inside a test are removed afterwards."""
    objects, enums = list(declare.OBJECTS), list(declare.ENUMS)
    yield
    declare.OBJECTS[:], declare.ENUMS[:] = objects, enums


def test_registered_filters_are_cast_from_requests(scratch_registry: None) -> None:
    declare.api_object(Thing)
    declare.api_object(SubThing)
    declare.api_enum(Colour)
    _, thing_filter = make_filter_classes(Thing, KalturaRelatedFilter, "KalturaThing")
    make_filter_classes(SubThing, thing_filter, "KalturaSubThing")
    registry = build_registry(packages=())
    assert registry.objects["KalturaSubThingBaseFilter"].abstract
    assert "KalturaSubThingOrderBy" in registry.enums
    raw = {"objectType": "KalturaSubThingFilter", "colourEqual": "2", "colourIn": "1,2",
           "createdAtGreaterThanOrEqual": "-3600", "sizeLessThan": "9", "unknownIn": "x",
           "orderBy": "+size,-name"}
    cast = Caster(registry, {}).cast(raw, TypeRef("object", "KalturaThingFilter"), "filter")
    assert type(cast).__name__ == "KalturaSubThingFilter"
    assert cast.colourEqual is Colour.BLUE and cast.colourIn == "1,2"
    assert cast.sizeLessThan == 9 and cast.createdAtGreaterThanOrEqual > 1_600_000_000
    assert not hasattr(cast, "unknownIn") and cast.orderBy == "+size,-name"


def _client_properties(class_name: str) -> list[str]:
    source = (Path(KalturaClient.__file__).parent / "Plugins" / "Core.py").read_text()
    match = re.search(rf"^class {class_name}\(\w+\):(.*?)(?=^class )", source, re.S | re.M)
    assert match, class_name
    return re.findall(r"# @var \S+\n\s+self\.(\w+) = \w+", match.group(1))


def test_entry_filters_match_the_official_client() -> None:
    from vpaas.objects.entry import KalturaBaseEntry, KalturaMediaEntry, KalturaPlayableEntry

    _, base_entry = make_filter_classes(KalturaBaseEntry, KalturaRelatedFilter, register=False)
    playable_base, playable = make_filter_classes(KalturaPlayableEntry, base_entry,
                                                  register=False)
    media_base, _ = make_filter_classes(KalturaMediaEntry, playable, register=False)
    for generated in (playable_base, media_base):
        assert list(generated.__annotations__) == _client_properties(generated.__name__)
    client_base = _client_properties("KalturaBaseEntryBaseFilter")
    generated_base = [p for p in base_entry.__bases__[0].__annotations__ if p in client_base]
    assert len(generated_base) > 70
    assert generated_base == [p for p in client_base if p in generated_base]



@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_demo_media_filter_on_the_entry_table(backend: str, tmp_path: Path) -> None:
    """Generated KalturaMediaEntryFilter → entry rows, inside a partner-scoped session."""
    from vpaas.db.tables.entry import EntryRow
    from vpaas.objects.entry import KalturaBaseEntry, KalturaMediaEntry, KalturaPlayableEntry

    _, base_entry = make_filter_classes(KalturaBaseEntry, KalturaRelatedFilter, register=False)
    _, playable = make_filter_classes(KalturaPlayableEntry, base_entry, register=False)
    _, media_filter = make_filter_classes(KalturaMediaEntry, playable, register=False)
    urls = scratch_database() if backend == "postgresql" else iter([f"sqlite:///{tmp_path}/e.db"])
    db = Database(next(urls))
    try:
        EntryRow.__table__.create(db.engine)
        _demo(db, EntryRow, media_filter)
    finally:
        db.dispose()
        for _ in urls:
            pass


def _demo(db: Database, entry_row: Any, media_filter: type) -> None:
    columns = {"id": entry_row.id, "name": entry_row.name, "tags": entry_row.tags,
               "status": entry_row.status, "mediaType": entry_row.media_type,
               "createdAt": entry_row.created_at}
    with db.system_session() as session:
        for i, (pid, name, tags) in enumerate([(1, "Cats at home", "cats, pets"),
                                               (1, "Dogs outside", "dogs,pets"),
                                               (2, "Cats abroad", "cats")]):
            session.add(entry_row(id=f"0_{i}", partner_id=pid, name=name, tags=tags,
                                  status=2, media_type=1, created_at=100 + i, extra={}))
        session.commit()
    flt = media_filter(nameLike="cats", tagsMultiLikeOr="pets,cats", statusIn="2,7",
                       mediaTypeEqual=1, orderBy="-createdAt")
    with db.partner_session(1) as session:
        stmt = apply_filter(select(entry_row), flt, columns, csv_fields={"tags"})
        stmt = apply_order(stmt, flt.orderBy, columns, allowed=sortable_fields(media_filter))
        assert [e.id for e in session.scalars(stmt)] == ["0_0"]
        every = apply_filter(select(entry_row), media_filter(tagsLike="cats"), columns)
        assert session.scalar(count(every)) == 1
