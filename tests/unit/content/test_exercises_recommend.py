"""Ranking: fitting problems first, past "didn't help" lower, the age group always respected."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.content.exercise_library import AGE_GROUPS, ExerciseLibrary, get_library
from bot.content.recommend import CALMING_CATEGORIES, recommend, score_exercise


@pytest.fixture(scope="module")
def library() -> ExerciseLibrary:
    return get_library()


def ids(library: ExerciseLibrary, **kwargs: object) -> list[str]:
    return [r.exercise.id for r in recommend(library, **kwargs)]


@pytest.mark.parametrize("age", [*AGE_GROUPS, "under13", None])
@pytest.mark.parametrize("problems", [[], ["sleep"], ["grief", "lonely"], ["exams"], ["caring"]])
def test_two_or_three_exercises_all_available_for_the_age_group(
    library: ExerciseLibrary, age: str | None, problems: list[str]
) -> None:
    chosen = recommend(library, age_group=age, problems=problems)
    assert 2 <= len(chosen) <= 3
    assert all(r.exercise.available_for(age) for r in chosen)
    assert len({r.exercise.id for r in chosen}) == len(chosen)


@pytest.mark.parametrize("problem", ["sleep", "panic", "lonely", "grief", "bullying", "caring"])
@pytest.mark.parametrize("age", AGE_GROUPS)
def test_every_offer_fits_the_problem(library: ExerciseLibrary, problem: str, age: str) -> None:
    for rec in recommend(library, age_group=age, problems=[problem]):
        assert problem in rec.exercise.problems, rec.exercise.id
        assert rec.reasons and problem in rec.reasons[0]


def test_a_problem_brings_its_own_exercises_first(library: ExerciseLibrary) -> None:
    assert ids(library, age_group="adult", problems=["sleep"])[:2] == [
        "breathing_478",
        "wind_down_routine",
    ]
    assert ids(library, age_group="youth", problems=["panic"])[:2] == [
        "box_breathing",
        "grounding_54321",
    ]


def test_excluded_topics_are_never_offered(library: ExerciseLibrary) -> None:
    for problems in (["exams"], ["school"], ["family"], ["exams", "school", "stress"]):
        assert "exam_stress_plan" not in ids(library, age_group="older", problems=problems)
        assert "talking_with_parents" not in ids(library, age_group="older", problems=problems)
        assert "talking_with_adult_children" not in ids(
            library, age_group="youth", problems=problems
        )
    assert "exam_stress_plan" in ids(library, age_group="youth", problems=["exams"])


def test_an_exercise_that_did_not_help_ranks_lower(library: ExerciseLibrary) -> None:
    before = ids(library, age_group="adult", problems=["panic"])
    assert before[0] == "box_breathing"
    after = ids(library, age_group="adult", problems=["panic"], feedback={"box_breathing": (0, 1)})
    assert after[0] != "box_breathing"
    assert "box_breathing" not in after or after.index("box_breathing") > 0
    fresh = score_exercise(library.get("box_breathing"), problems=["panic"])
    marked = score_exercise(
        library.get("box_breathing"), problems=["panic"], feedback={"box_breathing": (0, 1)}
    )
    assert marked.score < fresh.score
    assert any("feedback" in reason for reason in marked.reasons)


def test_an_exercise_that_helped_ranks_higher(library: ExerciseLibrary) -> None:
    before = ids(library, age_group="older", problems=["sleep"])
    assert "cant_sleep_reset" in before and before[0] != "cant_sleep_reset"
    after = ids(
        library, age_group="older", problems=["sleep"], feedback={"cant_sleep_reset": (2, 0)}
    )
    assert after[0] == "cant_sleep_reset"


def test_one_yes_does_not_outweigh_a_no(library: ExerciseLibrary) -> None:
    mixed = score_exercise(library.get("box_breathing"), feedback={"box_breathing": (1, 1)})
    fresh = score_exercise(library.get("box_breathing"))
    assert mixed.score < fresh.score


def test_a_low_last_mood_prefers_short_exercises(library: ExerciseLibrary) -> None:
    plain = recommend(library, age_group="adult", problems=["low_mood"])
    low = recommend(library, age_group="adult", problems=["low_mood"], last_mood=2)
    assert all(r.exercise.duration_minutes <= 5 for r in low)
    long_one = library.get("kind_letter")  # 10 minutes, tagged low_mood
    assert score_exercise(long_one, problems=["low_mood"], last_mood=2).score <= (
        score_exercise(long_one, problems=["low_mood"]).score
    )
    good_day = recommend(library, age_group="adult", problems=["low_mood"], last_mood=8)
    assert [r.exercise.id for r in good_day] == [r.exercise.id for r in plain]
    five_scale = recommend(
        library, age_group="adult", problems=["low_mood"], last_mood=1, mood_scale_max=5
    )
    assert [r.exercise.id for r in five_scale] == [r.exercise.id for r in low]


def test_after_a_crisis_only_calming_exercises_are_offered(library: ExerciseLibrary) -> None:
    for age in AGE_GROUPS:
        for problems in ([], ["grief"], ["exams"]):
            chosen = recommend(library, age_group=age, problems=problems, calming_only=True)
            assert len(chosen) >= 2
            assert {r.exercise.category for r in chosen} <= CALMING_CATEGORIES


def test_at_most_two_from_one_category_unless_asked_for_it(library: ExerciseLibrary) -> None:
    for age in AGE_GROUPS:
        for problems in ([], ["panic"], ["anxiety"], ["sleep"], ["stress"]):
            categories = Counter(
                r.exercise.category for r in recommend(library, age_group=age, problems=problems)
            )
            assert max(categories.values()) <= 2
    breathing = recommend(library, age_group="youth", category="breathing")
    assert [r.exercise.category for r in breathing] == ["breathing"] * 3


def test_a_category_with_nothing_for_the_age_group_is_topped_up(library: ExerciseLibrary) -> None:
    chosen = recommend(library, age_group="older", category="school_stress")
    assert len(chosen) == 2
    assert all(r.exercise.category != "school_stress" for r in chosen)


def test_the_menu_offer_is_everyday_skills_not_situational_ones(library: ExerciseLibrary) -> None:
    for age in AGE_GROUPS:
        chosen = recommend(library, age_group=age)
        assert {r.exercise.category for r in chosen}.isdisjoint(
            {"caring", "grief", "family_talk", "school_stress", "health_pain"}
        )


def test_exclude_leaves_out_an_exercise(library: ExerciseLibrary) -> None:
    assert "box_breathing" not in ids(
        library, age_group="adult", problems=["panic"], exclude=["box_breathing"]
    )


def test_the_ranking_is_deterministic(library: ExerciseLibrary) -> None:
    first = ids(library, age_group="youth", problems=["stress", "exams"])
    assert all(
        ids(library, age_group="youth", problems=["stress", "exams"]) == first for _ in range(3)
    )
