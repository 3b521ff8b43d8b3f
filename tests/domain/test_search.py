"""freeText parsing: Kaltura's operators into a query tree; text into search tokens."""

from __future__ import annotations

import pytest

from vpaas.domain.search import Group, Query, Term, parse, tokens
from vpaas.registry import ApiError


def t(*words: str, prefix: bool = False, negated: bool = False) -> Term:
    return Term(tuple(words), prefix, negated)


def test_tokens_fold_case_diacritics_and_split_on_punctuation() -> None:
    assert tokens("Café AT&T, naïve-ÉTÉ") == ["cafe", "at", "t", "naive", "ete"]
    assert tokens("Straße ＦＵＬＬ") == ["strasse", "full"]
    assert tokens("0_abc123") == ["0", "abc123"]
    assert tokens("Ελληνικά кириллица") == ["ελληνικα", "кириллица"]
    assert tokens(None) == [] and tokens("  !!  ") == []
    assert len(tokens("x" * 500)[0]) == 64


@pytest.mark.parametrize(("text", "groups"), [
    ("cat dog", [[t("cat"), t("dog")]]),
    ("tech,sports", [[t("tech")], [t("sports")]]),
    ("cat dog, bird", [[t("cat"), t("dog")], [t("bird")]]),
    ("food !pizza", [[t("food"), t("pizza", negated=True)]]),
    ('"money ball" fans', [[t("money", "ball"), t("fans")]]),
    ('blue !"red car"', [[t("blue"), t("red", "car", negated=True)]]),
    ("test\\!", [[t("test")]]),
    ("\\!pizza", [[t("pizza")]]),
    ("a\\,b", [[t("a", "b")]]),
    ('say \\"hi\\"', [[t("say"), t("hi")]]),
    ("vid*", [[t("vid", prefix=True)]]),
    ("AT&T*", [[t("at", "t", prefix=True)]]),
    ("a*b", [[t("a", "b")]]),
    ('"vid*"', [[t("vid")]]),
    ("cat cat", [[t("cat")]]),
    ("cat,,  ,dog,", [[t("cat")], [t("dog")]]),
    ("!! cat", [[t("cat")]]),
    ("Ünï", [[t("uni")]]),
])
def test_parse(text: str, groups: list[list[Term]]) -> None:
    assert parse(text) == Query(tuple(Group(tuple(g)) for g in groups))


def test_blank_text_means_no_search() -> None:
    assert parse(None) is None and parse("   ") is None


@pytest.mark.parametrize(("text", "reason"), [
    ("!pizza", "not negated"),
    ("cat,!dog", "not negated"),
    ('"open quote', "not closed"),
    ("&&& ,", "no word"),
    ("x" * 1001, "longer than"),
    (" ".join(f"w{i}" for i in range(65)), "more than 64"),
])
def test_bad_text_is_a_clear_error(text: str, reason: str) -> None:
    with pytest.raises(ApiError) as err:
        parse(text)
    assert err.value.code == "INVALID_SEARCH_TEXT" and reason in err.value.message
