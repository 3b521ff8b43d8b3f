"""freeText: Kaltura's search operators parsed into a small query tree; text into tokens.

Syntax (Kaltura's "search behavior and commands"):

- a space is AND: ``cat dog``; a comma is OR between space-separated groups:
  ``cat dog,bird`` = (cat AND dog) OR bird;
- ``!`` before a word or phrase is AND-NOT: ``food !pizza``; a group needs one positive
  term, so a lone ``!pizza`` is an error;
- ``"money ball"`` is an exact phrase; ``\\`` escapes the next character (``test\\!``, ``\\"``,
  ``a\\,b``); a trailing unescaped ``*`` makes the word a prefix (``vid*``).

Text is tokenized here, in Python, both for indexing and for queries, so that every search
backend sees the same tokens: runs of letters, digits and combining marks, NFKC-normalized,
case-folded, with diacritics removed (``Café`` → ``cafe``). A query word made of several
tokens (``AT&T``, ``0_abc123``) is searched as a phrase of them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from vpaas.registry import catalogue as E

MAX_QUERY_LENGTH = 1000
MAX_QUERY_TERMS = 64
MAX_TOKEN_LENGTH = 64


def tokens(text: str | None) -> list[str]:
    """Normalized search tokens of ``text``, in order."""
    if not text:
        return []
    folded = unicodedata.normalize("NFKC", text).casefold()
    out: list[str] = []
    current: list[str] = []
    for ch in unicodedata.normalize("NFKD", folded):
        category = unicodedata.category(ch)
        if category[0] in "LN":
            current.append(ch)
        elif category[0] == "M":
            continue  # diacritics and other marks are dropped, the word goes on
        elif current:
            out.append(_finish(current))
            current = []
    if current:
        out.append(_finish(current))
    return out


def _finish(chars: list[str]) -> str:
    return unicodedata.normalize("NFC", "".join(chars))[:MAX_TOKEN_LENGTH]


@dataclass(frozen=True)
class Term:
    """Consecutive tokens (one token, or a phrase); ``prefix`` widens the last one."""

    words: tuple[str, ...]
    prefix: bool = False
    negated: bool = False


@dataclass(frozen=True)
class Group:
    """Terms that must all match (negated ones must not)."""

    terms: tuple[Term, ...]

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.negated)

    @property
    def negative(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.negated)


@dataclass(frozen=True)
class Query:
    """Groups of which at least one must match."""

    groups: tuple[Group, ...]


@dataclass
class _Word:
    text: str
    quoted: bool = False
    negated: bool = False
    prefix: bool = False


def parse(text: str | None) -> Query | None:
    """Parse a freeText value; None when it is blank. Bad syntax → ``INVALID_SEARCH_TEXT``."""
    if text is None or not text.strip():
        return None
    if len(text) > MAX_QUERY_LENGTH:
        raise E.INVALID_SEARCH_TEXT(text[:50] + "...", f"longer than {MAX_QUERY_LENGTH}")
    groups = []
    for raw_group in _lex(text):
        group = _group(raw_group, text)
        if group is not None:
            groups.append(group)
    if not groups:
        raise E.INVALID_SEARCH_TEXT(text, "no word to search for")
    if sum(len(g.terms) for g in groups) > MAX_QUERY_TERMS:
        raise E.INVALID_SEARCH_TEXT(text[:50], f"more than {MAX_QUERY_TERMS} terms")
    return Query(tuple(groups))


def _group(words: list[_Word], text: str) -> Group | None:
    terms = []
    for word in words:
        found = tokens(word.text)
        if found:
            terms.append(Term(tuple(found), word.prefix and not word.quoted, word.negated))
    if not terms:
        return None
    group = Group(tuple(dict.fromkeys(terms)))
    if not group.positive:
        raise E.INVALID_SEARCH_TEXT(text, "a group needs a word that is not negated (!)")
    return group


def _lex(text: str) -> list[list[_Word]]:
    """Split into comma groups of words, honouring quotes, ``!`` and backslash escapes."""
    groups: list[list[_Word]] = [[]]
    word: _Word | None = None
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            word = word or _Word("")
            word.text += text[i + 1]
            i += 2
            continue
        if ch == '"' and (word is None or word.text == ""):
            end = _closing_quote(text, i + 1)
            phrase = _Word(_unescape(text[i + 1:end]), quoted=True,
                           negated=word is not None and word.negated)
            groups[-1].append(phrase)
            word = None
            i = end + 1
            continue
        if ch in " \t\r\n,":
            if word is not None and word.text:
                groups[-1].append(word)
            word = None
            if ch == ",":
                groups.append([])
        elif ch == "!" and (word is None or (word.text == "" and not word.negated)):
            word = _Word("", negated=True)
        elif ch == "*" and word is not None and word.text and _word_ends(text, i + 1):
            word.prefix = True
        else:
            word = word or _Word("")
            word.text += ch
        i += 1
    if word is not None and word.text:
        groups[-1].append(word)
    return groups


def _closing_quote(text: str, start: int) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    raise E.INVALID_SEARCH_TEXT(text, "a double quote is not closed")


def _unescape(body: str) -> str:
    out = []
    i = 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            i += 1
        out.append(body[i])
        i += 1
    return "".join(out)


def _word_ends(text: str, at: int) -> bool:
    return at >= len(text) or text[at] in " \t\r\n,"
