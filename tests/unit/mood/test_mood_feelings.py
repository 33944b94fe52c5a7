"""Naming feelings and notes in a check-in."""

from __future__ import annotations

import pytest

from bot.mood.feelings import (
    MAX_FEELING_CHARS,
    MAX_NOTE_CHARS,
    clean_note,
    feelings_from_reply,
    is_skip,
    join_words,
    recognised_feelings,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sad", ["sad"]),
        ("I feel sad and tired", ["sad", "tired"]),
        ("kinda lonely ngl", ["lonely"]),
        ("knackered and worn out", ["tired"]),  # folded into one shared word
        ("stressed af, also worried", ["stressed", "worried"]),
        ("not stressed, just tired", ["tired"]),  # negated words do not count
        ("I'm not anxious", []),
        ("I don't feel happy", []),
        ("on edge", ["anxious"]),
        ("", []),
    ],
)
def test_recognised_feelings(text: str, expected: list[str]) -> None:
    assert recognised_feelings(text) == expected


def test_unrecognised_replies_keep_the_persons_own_short_words() -> None:
    assert feelings_from_reply("Kind of blah") == ["kind of blah"]
    long = feelings_from_reply("something happened at the garden centre that I keep thinking of")
    assert len(long) == 1 and len(long[0]) <= MAX_FEELING_CHARS and long[0].endswith("…")
    assert feelings_from_reply("  ...  ") == []


@pytest.mark.parametrize("text", ["skip", "Skip!", "no", "No thanks", "nothing", "pass", "nah"])
def test_skip_replies(text: str) -> None:
    assert is_skip(text)


@pytest.mark.parametrize("text", ["sad", "no energy today", "", None])
def test_not_skip_replies(text: str | None) -> None:
    assert not is_skip(text)


def test_notes_are_tidied_and_capped() -> None:
    assert clean_note("  work   was\n a lot ") == "work was a lot"
    assert len(clean_note("x" * 2000)) == MAX_NOTE_CHARS
    assert clean_note(None) == ""


def test_join_words_reads_naturally() -> None:
    assert join_words([]) == ""
    assert join_words(["sad"]) == "sad"
    assert join_words(["sad", "tired"]) == "sad and tired"
    assert join_words(["sad", "tired", "lonely"]) == "sad, tired and lonely"
