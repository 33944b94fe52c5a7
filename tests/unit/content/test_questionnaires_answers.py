"""Free-text answers, choosing a questionnaire by name, and the wording of results."""

from __future__ import annotations

import re

import pytest

from bot.content.questionnaire_library import (
    AGE_REGISTERS,
    match_questionnaire,
    questionnaires,
    register_for,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Not at all", 0),
        ("not at all", 0),
        ("never", 0),
        ("Several days", 1),
        ("several days!", 1),
        ("I'd say several days", 1),
        ("sometimes", 1),
        ("More than half the days", 2),
        ("more than half", 2),
        ("most days", 2),
        ("Nearly every day", 3),
        ("every day", 3),
        ("all the time", 3),
        ("0", 0),
        ("2", 2),
        ("3", 3),
        ("two", 2),
        ("2 - More than half the days", 2),  # a button title echoed back as text
        ("sevral days", 1),  # typos within reach
        ("nearly evry day", 3),
    ],
)
def test_phq2_accepts_answers_that_match_an_option(text: str, expected: int) -> None:
    assert questionnaires()["phq2"].match_answer(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "4",  # off the 0-3 scale
        "-1",
        "banana",
        "no idea",  # contains "no" but is not an answer
        "not every day",  # negated: never guess the opposite
        "sometimes, but also nearly every day",  # two different answers
        "2 - several days",  # number and label disagree
        "2 i guess",
        "/answer",
    ],
)
def test_phq2_refuses_what_is_not_clearly_one_option(text: str | None) -> None:
    assert questionnaires()["phq2"].match_answer(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("At no time", 0),
        ("some of the time", 1),
        ("Less than half of the time", 2),
        ("more than half of the time", 3),
        ("Most of the time", 4),
        ("all of the time", 5),
        ("always", 5),
        ("5", 5),
        ("les than half of the time", 2),  # a typo, but clearly closer to "less"
    ],
)
def test_who5_accepts_its_six_point_scale(text: str, expected: int) -> None:
    assert questionnaires()["who5"].match_answer(text) == expected


def test_who5_refuses_six() -> None:
    assert questionnaires()["who5"].match_answer("6") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PHQ-2", "phq2"),
        ("the phq 2 please", "phq2"),
        ("GAD2", "gad2"),
        ("the worry one", "gad2"),
        ("Well-being", "who5"),
        ("who 5", "who5"),
        ("mood", "phq2"),
        ("something else", None),
        ("mood and worry", None),  # two named: ask which
        (None, None),
    ],
)
def test_questionnaires_are_recognised_by_name(text: str | None, expected: str | None) -> None:
    assert match_questionnaire(text) == expected


@pytest.mark.parametrize("qid", ["phq2", "gad2", "who5"])
@pytest.mark.parametrize("key", ["flagged", "not_flagged"])
@pytest.mark.parametrize("age_group", ["youth", "adult", "older", "under13", None])
def test_results_are_screens_never_diagnoses(qid: str, key: str, age_group: str | None) -> None:
    questionnaire = questionnaires()[qid]
    text = questionnaire.text(key, age_group, score=4)
    assert "not a diagnosis" in text
    assert f"out of {questionnaire.score_max}" in text
    forbidden = (
        r"\byou (have|suffer from) (depression|anxiety|an? )|\bdisorder\b|\bdiagnosed\b"
        r"|\bcommitted suicide\b"
    )
    assert not re.search(forbidden, text, re.IGNORECASE)


def test_positive_screens_point_to_a_professional() -> None:
    for qid in ("phq2", "gad2"):
        for register in AGE_REGISTERS:
            text = questionnaires()[qid].texts["flagged"][register]
            assert re.search(r"doctor|counsellor", text), (qid, register)
    for register in AGE_REGISTERS:
        text = questionnaires()["who5"].texts["flagged"][register]
        assert "PHQ-2" in text and "talk" in text, register


def test_registers_fall_back_sensibly() -> None:
    assert register_for("under13") == "youth"
    assert register_for(None) == "adult"
    assert register_for("something") == "adult"
    assert register_for("older") == "older"


def test_explanations_read_plainly_per_register(monkeypatch: pytest.MonkeyPatch) -> None:
    """SAFETY.md §6: youth grade 6 or below, others 8 or below (the verbatim items excepted)."""
    import textstat
    import textstat.backend.counts._count_syllables as syllable_counts

    # textstat would download NLTK's cmudict; its bundled pyphen counts offline.
    monkeypatch.setattr(syllable_counts, "get_cmudict", lambda lang: {})
    syllable_counts.count_syllables.cache_clear()
    try:
        too_hard = []
        for questionnaire in questionnaires().values():
            for key in ("intro", "flagged", "not_flagged"):
                for register in AGE_REGISTERS:
                    text = questionnaire.text(key, register, score=4)
                    grade = textstat.flesch_kincaid_grade(text)
                    if grade > (6 if register == "youth" else 8):
                        too_hard.append((questionnaire.id, key, register, grade))
        assert not too_hard
    finally:
        syllable_counts.count_syllables.cache_clear()
