"""user through the API: CRUD, the KS's own user created on first sight, sessions' rights,
list filters, partner isolation, the official client's names."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support.api import ApiHelper, is_error

from vpaas.settings import Settings

U = {"objectType": "KalturaUser"}
F = {"objectType": "KalturaUserFilter"}


@pytest.fixture
def api(settings: Settings) -> Iterator[ApiHelper]:
    with ApiHelper(settings) as helper:
        yield helper


def _add(api: ApiHelper, user_id: str, ks: str | None = None, **fields: Any) -> Any:
    return api.call("user", "add", user={**U, "id": user_id, **fields},
                    **({"ks": ks} if ks else {}))


def _ids(result: Any) -> list[str]:
    return [o["id"] for o in result["objects"]]


def test_add_get_update_delete(api: ApiHelper) -> None:
    added = _add(api, "alice@example.com", firstName="Alice", lastName="Liddell",
                 email="alice@example.com", tags="a,b", partnerData="{}", gender=2)
    assert added["objectType"] == "KalturaUser" and added["id"] == "alice@example.com"
    assert added["partnerId"] == api.partner.id and added["status"] == 1
    assert added["fullName"] == "Alice Liddell" and added["screenName"] == "alice@example.com"
    assert (added["type"], added["isAdmin"], added["gender"]) == (0, False, 2)
    got = api.call("user", "get", userId="alice@example.com")
    assert got["email"] == "alice@example.com" and got["tags"] == "a,b"

    updated = api.call("user", "update", userId="alice@example.com",
                       user={**U, "screenName": "Alice", "status": 0, "company": "Wonder"})
    assert updated["screenName"] == "Alice" and updated["status"] == 0
    assert updated["company"] == "Wonder" and updated["firstName"] == "Alice"
    assert updated["statusUpdatedAt"] >= added["createdAt"]

    deleted = api.call("user", "delete", userId="alice@example.com")
    assert deleted["status"] == 2 and deleted["deletedAt"] >= added["createdAt"]
    for action, extra in (("get", {}), ("delete", {}), ("update", {"user": {**U, "city": "x"}})):
        assert is_error(api.call("user", action, userId="alice@example.com", **extra),
                        "INVALID_USER_ID")
    again = _add(api, "alice@example.com", firstName="New")
    assert again["status"] == 1 and again["fullName"] == "New" and again["company"] == ""


def test_add_refuses_duplicates_and_bad_values(api: ApiHelper) -> None:
    _add(api, "bob")
    dup = _add(api, "bob")
    assert is_error(dup, "DUPLICATE_USER_BY_ID") and "[bob]" in dup["message"]
    assert is_error(_add(api, "has space"), "INVALID_FIELD_VALUE")
    assert is_error(_add(api, "x" * 321), "INVALID_FIELD_VALUE")
    assert is_error(api.call("user", "add", user=U), "PROPERTY_VALIDATION_CANNOT_BE_NULL")
    assert is_error(_add(api, "carol", screenName="s" * 256), "PROPERTY_VALIDATION_MAX_LENGTH")
    assert is_error(_add(api, "carol", status=9), "INVALID_ENUM_VALUE")
    assert is_error(_add(api, "carol", status=2), "INVALID_FIELD_VALUE")
    assert is_error(_add(api, "carol", createdAt=5), "PROPERTY_VALIDATION_NOT_UPDATABLE")
    assert is_error(api.call("user", "update", userId="bob", user={**U, "id": "robert"}),
                    "PROPERTY_VALIDATION_NOT_UPDATABLE")
    assert is_error(api.call("user", "get", userId="nobody"), "INVALID_USER_ID")


def test_the_ks_user_is_created_on_first_get(api: ApiHelper) -> None:
    user_ks = api.ks(user="viewer-7")
    me = api.call("user", "get", ks=user_ks)
    assert me["id"] == "viewer-7" and me["status"] == 1 and me["screenName"] == "viewer-7"
    assert api.call("user", "get", userId="viewer-7", ks=user_ks)["createdAt"] == me["createdAt"]
    assert _ids(api.call("user", "list")) == ["viewer-7"]
    # the admin KS's own user too; other unknown ids stay unknown
    assert api.call("user", "get")["id"] == "admin"
    assert is_error(api.call("user", "get", userId="ghost"), "INVALID_USER_ID")
    # a deleted user is not brought back by its KS
    api.call("user", "delete", userId="viewer-7")
    assert is_error(api.call("user", "get", ks=user_ks), "INVALID_USER_ID")


def test_anonymous_and_widget_sessions_have_no_user(api: ApiHelper) -> None:
    anonymous = api.ks(user="")
    assert is_error(api.call("user", "get", ks=anonymous), "INVALID_USER_ID")
    widget = api.call("session", "startWidgetSession", widgetId=f"_{api.partner.id}", ks="")
    assert is_error(api.call("user", "get", ks=widget["ks"]), "INVALID_USER_ID")
    assert api.call("user", "list")["totalCount"] == 0


def test_user_sessions_see_and_change_only_themselves(api: ApiHelper) -> None:
    _add(api, "other")
    mine = api.ks(user="me")
    refused = api.call("user", "get", userId="other", ks=mine)
    assert is_error(refused, "CANNOT_RETRIEVE_ANOTHER_USER_USING_NON_ADMIN_SESSION")
    assert is_error(api.call("user", "update", userId="other", user={**U, "city": "x"},
                             ks=mine), "ACTION_FORBIDDEN")
    updated = api.call("user", "update", userId="me", user={**U, "city": "Paris"}, ks=mine)
    assert updated["city"] == "Paris" and updated["status"] == 1
    for field, value in (("isAdmin", True), ("status", 0), ("adminTags", "x"), ("roleIds", "1")):
        assert is_error(api.call("user", "update", userId="me", user={**U, field: value},
                                 ks=mine), "PROPERTY_VALIDATION_ADMIN_PROPERTY")
    for action, params in (("add", {"user": {**U, "id": "x"}}), ("delete", {"userId": "me"}),
                           ("list", {})):
        result = api.call("user", action, ks=mine, **params)
        assert is_error(result) and result["code"] in ("SERVICE_FORBIDDEN", "ACTION_FORBIDDEN")


def test_list_filters_order_and_paging(api: ApiHelper) -> None:
    _add(api, "u1", screenName="Ann Smith", email="ann@a.org", tags="news", isAdmin=True)
    _add(api, "u2", screenName="Bob Stone", email="bob@b.org", tags="sports", firstName="Bo")
    _add(api, "u3", screenName="Cy Smith", email="cy@a.org", tags="news,sports", status=0)
    _add(api, "u4")
    api.call("user", "delete", userId="u4")
    assert _ids(api.call("user", "list")) == ["u1", "u2", "u3"]
    assert api.call("user", "list")["totalCount"] == 3
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"idEqual": "u2"}, ["u2"]), ({"idIn": "u1,u3,nope"}, ["u1", "u3"]),
        ({"screenNameLike": "smith"}, ["u1", "u3"]), ({"emailLike": "@a.org"}, ["u1", "u3"]),
        ({"screenNameStartsWith": "Bob"}, ["u2"]), ({"firstNameStartsWith": "B"}, ["u2"]),
        ({"statusEqual": 0}, ["u3"]), ({"statusIn": "1,0"}, ["u1", "u2", "u3"]),
        ({"statusEqual": 2}, ["u4"]), ({"statusIn": "1,2"}, ["u1", "u2", "u4"]),
        ({"tagsMultiLikeAnd": "news,sports"}, ["u3"]), ({"isAdminEqual": 1}, ["u1"]),
        ({"orderBy": "-createdAt,-id"}, ["u3", "u2", "u1"]),
        ({"orderBy": "-id"}, ["u3", "u2", "u1"]),
    ]
    for conditions, expected in cases:
        assert _ids(api.call("user", "list", filter={**F, **conditions})) == expected, conditions
    page = api.call("user", "list", filter={**F, "orderBy": "+id"},
                    pager={"objectType": "KalturaFilterPager", "pageSize": 2, "pageIndex": 2})
    assert _ids(page) == ["u3"] and page["totalCount"] == 3
    assert is_error(api.call("user", "list", filter={**F, "orderBy": "+email"}),
                    "INVALID_ORDER_BY")


def test_partner_isolation(api: ApiHelper) -> None:
    _add(api, "shared-id", screenName="mine")
    other_ks = api.ks(admin=True, partner=api.new_partner("other"))
    assert is_error(api.call("user", "get", userId="shared-id", ks=other_ks), "INVALID_USER_ID")
    theirs = _add(api, "shared-id", ks=other_ks, screenName="theirs")
    assert theirs["screenName"] == "theirs" and theirs["partnerId"] != api.partner.id
    api.call("user", "delete", userId="shared-id", ks=other_ks)
    assert api.call("user", "get", userId="shared-id")["screenName"] == "mine"
    assert _ids(api.call("user", "list", ks=other_ks)) == []


def test_the_official_python_client_round_trips_a_user(api: ApiHelper) -> None:
    """Field names and types as the official client declares them (KalturaUser)."""
    from KalturaClient.Plugins.Core import KalturaBaseUser, KalturaUser, KalturaUserFilter

    added = _add(api, "dora", firstName="Dora", roleIds="3", title="Editor")
    names = set(KalturaUser.PROPERTY_LOADERS) | set(KalturaBaseUser.PROPERTY_LOADERS)
    assert set(added) - {"objectType"} <= names | {"relatedObjects"}
    filter_names = set(vars(KalturaUserFilter()))
    for name in ("idEqual", "idIn", "screenNameLike", "emailLike", "statusEqual", "statusIn"):
        assert name in filter_names
