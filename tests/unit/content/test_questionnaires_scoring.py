"""Scoring of PHQ-2, GAD-2 and WHO-5 against SAFETY.md §5, for every possible total.

The expected tables below are written from the rules, not from the program:
PHQ-2/GAD-2 sum two answers of 0-3 and are positive from 3; WHO-5 sums five
answers of 0-5 and multiplies by 4, and 50 or below is low well-being.
"""

from __future__ import annotations

import itertools

import pytest

from bot.content.questionnaire_library import questionnaires

# Worked examples: total -> positive (PHQ-2 and GAD-2, SAFETY.md §5: total >= 3).
TWO_ITEM_EXPECTED = {0: False, 1: False, 2: False, 3: True, 4: True, 5: True, 6: True}

# Worked examples: raw -> (score, low well-being). Score = raw x 4; low when <= 50.
WHO5_EXPECTED = {
    0: (0, True), 1: (4, True), 2: (8, True), 3: (12, True), 4: (16, True),
    5: (20, True), 6: (24, True), 7: (28, True), 8: (32, True), 9: (36, True),
    10: (40, True), 11: (44, True), 12: (48, True), 13: (52, False), 14: (56, False),
    15: (60, False), 16: (64, False), 17: (68, False), 18: (72, False), 19: (76, False),
    20: (80, False), 21: (84, False), 22: (88, False), 23: (92, False), 24: (96, False),
    25: (100, False),
}  # fmt: skip

ITEMS = {
    "phq2": ("Little interest or pleasure in doing things", "Feeling down, depressed, or hopeless"),
    "gad2": ("Feeling nervous, anxious, or on edge", "Not being able to stop or control worrying"),
    "who5": (
        "I have felt cheerful and in good spirits",
        "I have felt calm and relaxed",
        "I have felt active and vigorous",
        "I woke up feeling fresh and rested",
        "My daily life has been filled with things that interest me",
    ),
}
FOUR_POINT = ("Not at all", "Several days", "More than half the days", "Nearly every day")
SIX_POINT = (
    "At no time",
    "Some of the time",
    "Less than half of the time",
    "More than half of the time",
    "Most of the time",
    "All of the time",
)


@pytest.mark.parametrize("qid", ["phq2", "gad2", "who5"])
def test_items_are_verbatim_from_safety_md(qid: str) -> None:
    assert questionnaires()[qid].items == ITEMS[qid]


@pytest.mark.parametrize(
    ("qid", "labels"), [("phq2", FOUR_POINT), ("gad2", FOUR_POINT), ("who5", SIX_POINT)]
)
def test_answer_scales_match_safety_md(qid: str, labels: tuple[str, ...]) -> None:
    questionnaire = questionnaires()[qid]
    assert tuple(o.label for o in questionnaire.scale) == labels
    assert questionnaire.values == tuple(range(len(labels)))
    assert questionnaire.time_frame == "Over the last two weeks"


@pytest.mark.parametrize("qid", ["phq2", "gad2"])
@pytest.mark.parametrize("total", sorted(TWO_ITEM_EXPECTED))
def test_two_item_screens_every_total(qid: str, total: int) -> None:
    questionnaire = questionnaires()[qid]
    pairs = [p for p in itertools.product(range(4), repeat=2) if sum(p) == total]
    assert pairs, f"total {total} must be reachable"
    for pair in pairs:
        result = questionnaire.score(list(pair))
        assert (result.total, result.score) == (total, total)
        assert result.positive is TWO_ITEM_EXPECTED[total]
        assert result.answers == pair
        assert result.questionnaire == qid


@pytest.mark.parametrize("qid", ["phq2", "gad2"])
def test_two_item_boundary_is_between_two_and_three(qid: str) -> None:
    questionnaire = questionnaires()[qid]
    assert questionnaire.score([1, 1]).positive is False
    assert questionnaire.score([2, 1]).positive is True
    assert questionnaire.score([0, 3]).positive is True
    assert questionnaire.score_max == 6


@pytest.mark.parametrize("raw", sorted(WHO5_EXPECTED))
def test_who5_every_raw_total(raw: int) -> None:
    questionnaire = questionnaires()["who5"]
    score, low = WHO5_EXPECTED[raw]
    combos = [c for c in itertools.product(range(6), repeat=5) if sum(c) == raw]
    for answers in (combos[0], combos[-1]):  # most-front-loaded and most-back-loaded
        result = questionnaire.score(list(answers))
        assert (result.total, result.score, result.positive) == (raw, score, low)


def test_who5_boundary_and_the_unreachable_fifty() -> None:
    questionnaire = questionnaires()["who5"]
    assert questionnaire.score([3, 3, 2, 2, 2]).score == 48
    assert questionnaire.score([3, 3, 2, 2, 2]).positive is True
    assert questionnaire.score([3, 3, 3, 2, 2]).score == 52
    assert questionnaire.score([3, 3, 3, 2, 2]).positive is False
    reachable = {raw * 4 for raw in range(26)}
    assert 50 not in reachable  # raw 12.5 cannot happen; the <= 50 rule still reads right
    assert questionnaire.meaningful_change == 10
    assert questionnaire.score_max == 100


@pytest.mark.parametrize(
    ("qid", "answers"),
    [
        ("phq2", [1]),  # too few: a missing answer must not count as 0
        ("phq2", [1, 1, 1]),
        ("phq2", [4, 0]),  # off the 0-3 scale
        ("gad2", [-1, 2]),
        ("who5", [6, 0, 0, 0, 0]),
        ("who5", [True, 0, 0, 0, 0]),  # booleans are not answers
        ("who5", [1.5, 0, 0, 0, 0]),
    ],
)
def test_incomplete_or_off_scale_answers_are_refused(qid: str, answers: list) -> None:
    with pytest.raises(ValueError, match=qid):
        questionnaires()[qid].score(answers)
