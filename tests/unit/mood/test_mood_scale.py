"""Reading a 0-10 mood score from what people type, and the per-age button scales."""

from __future__ import annotations

import pytest

from bot.mood.scale import OLDER_LABELS, YOUTH_FACES, older_button_title, parse_mood_score


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", 7),
        ("seven", 7),
        ("Seven!", 7),
        ("about a 6", 6),
        ("I'd say 8", 8),
        ("I am a 4 today", 4),
        ("6/10", 6),
        ("7 out of 10", 7),
        ("8 of 10", 8),
        ("nine out of ten", 9),
        ("10/10", 10),
        ("0", 0),
        ("zero", 0),
        ("6 or 7", 7),  # the middle, rounded half up
        ("6-7", 7),
        ("between 4 and 5", 5),
        ("7.5", 8),
        ("5,5", 6),
        ("😄", 10),
        ("😢 Really bad", 0),
        ("🙂", 7),
        ("quite low", 2),  # an older adult's button word typed out
        ("3 – rather low", 3),
        ("very good", 10),
    ],
)
def test_scores_people_type_are_read(text: str, expected: int) -> None:
    assert parse_mood_score(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "11",
        "-2",
        "100",
        "hello",
        "slept 8 hours, feel like a 3",  # two unrelated numbers are not guessed
        "2 to 9",  # too wide to be one answer
        "😄 but also 😢",
    ],
)
def test_unclear_or_out_of_range_replies_are_not_guessed(text: str | None) -> None:
    assert parse_mood_score(text) is None


def test_youth_faces_span_the_scale_in_order() -> None:
    scores = [face.score for face in YOUTH_FACES]
    assert scores == [0, 3, 5, 7, 10]
    assert len({face.emoji for face in YOUTH_FACES}) == 5
    for face in YOUTH_FACES:  # a typed face means the same as the button
        assert parse_mood_score(face.emoji) == face.score


def test_older_labels_cover_every_score_with_distinct_words() -> None:
    assert sorted(OLDER_LABELS) == list(range(11))
    assert len(set(OLDER_LABELS.values())) == 11
    assert older_button_title(0) == "0 – very low"
    assert older_button_title(10) == "10 – very good"
    for score in OLDER_LABELS:
        assert parse_mood_score(older_button_title(score)) == score
