"""Choosing a page's language from ``?lang=``, ``Accept-Language`` and the default."""

from __future__ import annotations

import pytest

from skydd.domain.errors import UnknownLanguageError
from skydd.web.language import accepted_tags, choose_language, negotiate_language


@pytest.mark.parametrize(
    ("header", "tags"),
    [
        ("en-GB,en;q=0.9,sv;q=0.5", ["en-gb", "en", "sv"]),
        ("sv;q=0.2, en;q=0.8, de", ["de", "en", "sv"]),
        ("fr;q=0, *;q=0.5, sv", ["sv"]),
        ("en;q=abc, sv;q=2, da;q=nan, nb", ["nb"]),
        ("", []),
        (" , ;q=1", []),
    ],
)
def test_accepted_tags_are_ordered_by_quality(header: str, tags: list[str]) -> None:
    assert accepted_tags(header) == tags


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-GB,en;q=0.9,sv;q=0.5", "en"),
        ("de", None),
        ("sv-FI;q=0.4, en-US;q=0.3", "sv"),
        (None, None),
    ],
)
def test_negotiate_language_matches_primary_subtags(
    header: str | None, expected: str | None
) -> None:
    assert negotiate_language(header, ["sv", "en"]) == expected


def test_explicit_language_wins_over_the_header() -> None:
    assert choose_language("sv", "en", ["sv", "en"], "en") == "sv"


def test_default_language_when_nothing_matches() -> None:
    assert choose_language(None, "de, fr;q=0.5", ["sv", "en"], "sv") == "sv"


def test_unknown_explicit_language_is_refused_with_the_published_ones() -> None:
    with pytest.raises(UnknownLanguageError, match="choose one of: sv, en"):
        choose_language("de", "sv", ["sv", "en"], "sv")
