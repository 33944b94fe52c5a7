"""The exercise library as shipped: complete, age-appropriate, readable and safe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.content.check import GRADE_LIMITS, library_texts, reading_grade
from bot.content.exercise_library import (
    AGE_GROUPS,
    FORBIDDEN_PHRASES,
    ExerciseLibrary,
    get_library,
    register_for,
)

ROOT = Path(__file__).resolve().parents[3]

# The topics the counsellors asked for, as category ids.
REQUIRED_CATEGORIES = {
    "breathing",
    "grounding",
    "muscle_relaxation",
    "thought_reframing",
    "worry_time",
    "problem_solving",
    "pleasant_activities",
    "self_compassion",
    "sleep",
    "gratitude_journaling",
    "connection",
    "family_talk",
    "asking_for_help",
    "school_stress",
    "online_life",
    "grief",
    "health_pain",
    "caring",
}
# The problem values the NLU entity `problem` may take (the brief's list).
PROBLEMS = {
    "sleep", "panic", "anxiety", "exams", "school", "lonely", "grief", "family", "friends",
    "online", "bullying", "health", "pain", "caring", "worry", "anger", "low_mood", "stress",
}  # fmt: skip


@pytest.fixture(scope="module")
def library() -> ExerciseLibrary:
    return get_library()


def test_library_holds_at_least_30_exercises_across_every_required_topic(
    library: ExerciseLibrary,
) -> None:
    assert len(library.exercises) >= 30
    assert set(library.vocabulary.categories) == REQUIRED_CATEGORIES
    used = {e.category for e in library.exercises.values()}
    assert used == REQUIRED_CATEGORIES


def test_named_exercises_exist_including_accessible_and_seated_versions(
    library: ExerciseLibrary,
) -> None:
    for exercise_id in ("box_breathing", "breathing_478", "belly_breathing", "grounding_54321"):
        assert library.get(exercise_id) is not None, exercise_id
    grounding = [e for e in library.exercises.values() if e.category == "grounding"]
    assert any("no_sight_needed" in e.settings for e in grounding)
    assert any("no_hearing_needed" in e.settings for e in grounding)
    relaxation = [e for e in library.exercises.values() if e.category == "muscle_relaxation"]
    assert any("seated" in e.settings for e in relaxation)
    assert library.get("thought_record") is not None
    assert library.get("talking_with_parents") is not None
    assert library.get("talking_with_adult_children") is not None


def test_every_exercise_has_each_version_or_a_reasoned_exclusion(
    library: ExerciseLibrary,
) -> None:
    for exercise in library.exercises.values():
        for age in AGE_GROUPS:
            has_version = age in exercise.versions
            excluded = age in exercise.not_for
            assert has_version != excluded, f"{exercise.id}.{age}"
        if exercise.not_for:
            assert exercise.not_for_reason and len(exercise.not_for_reason) > 20, exercise.id
        assert exercise.versions, exercise.id


def test_topics_that_do_not_fit_an_age_group_are_excluded_for_it(
    library: ExerciseLibrary,
) -> None:
    assert not library.get("talking_with_adult_children").available_for("youth")
    assert not library.get("talking_with_parents").available_for("older")
    assert not library.get("exam_stress_plan").available_for("older")


def test_versions_differ_by_age_group(library: ExerciseLibrary) -> None:
    """The versions are written for their readers, not copied between them."""
    for exercise in library.exercises.values():
        steps = {age: v.steps for age, v in exercise.versions.items()}
        assert len(set(steps.values())) == len(steps), exercise.id


def test_older_versions_take_larger_steps_than_youth_versions(library: ExerciseLibrary) -> None:
    """Older adults get fewer, fuller steps; young people get short ones."""
    youth_lengths, older_lengths, fewer = [], [], 0
    both = [e for e in library.exercises.values() if {"youth", "older"} <= set(e.versions)]
    for exercise in both:
        youth, older = exercise.versions["youth"], exercise.versions["older"]
        youth_lengths += [len(s.text.split()) for s in youth.steps]
        older_lengths += [len(s.text.split()) for s in older.steps]
        fewer += len(older.steps) <= len(youth.steps)
    assert fewer == len(both)
    assert sum(older_lengths) / len(older_lengths) > 1.5 * sum(youth_lengths) / len(youth_lengths)


def test_reading_grade_tells_plain_from_dense_text() -> None:
    """The measure itself must be able to fail, or the limits below prove nothing."""
    plain = "Breathe in slowly. Hold it. Now breathe out."
    dense = (
        "Diaphragmatic respiration facilitates parasympathetic activation, consequently "
        "attenuating physiological manifestations of generalised anxiety."
    )
    assert reading_grade(plain) < 3
    assert reading_grade(dense) > 15


@pytest.mark.parametrize("age", AGE_GROUPS)
def test_every_title_and_step_is_within_the_age_groups_reading_level(
    library: ExerciseLibrary, age: str
) -> None:
    limit = GRADE_LIMITS[age]
    assert limit == (6.0 if age == "youth" else 8.0)
    too_hard = []
    for exercise in library.exercises.values():
        version = exercise.versions.get(age)
        if version is None:
            continue
        for field_name, text in version.texts():
            grade = reading_grade(text)
            if grade > limit:
                too_hard.append(f"{exercise.id}.{age}.{field_name} ({grade:.1f}): {text}")
    assert not too_hard, "\n".join(too_hard)


@pytest.mark.parametrize("age", AGE_GROUPS)
def test_dialogue_lines_are_within_the_age_groups_reading_level(
    library: ExerciseLibrary, age: str
) -> None:
    lines = [(where, text) for a, where, text in library_texts(library) if a == age]
    assert any(where.startswith("_messages.yml empathy") for where, _ in lines)
    sample = {"title": "Box breathing", "minutes": 5, "number": 2, "total": 5}
    too_hard = [
        f"{where}: {text}"
        for where, text in lines
        if reading_grade(text.format(**sample)) > GRADE_LIMITS[age]
    ]
    assert not too_hard, "\n".join(too_hard)


def test_no_text_breaks_the_safety_never_list(library: ExerciseLibrary) -> None:
    banned = [*FORBIDDEN_PHRASES, "suicid", "overdose", "pills", "dose", "kill yourself"]
    texts = [text for _, _, text in library_texts(library)]
    texts += [b for wording in library.messages.buttons.values() for b in wording.values()]
    for text in texts:
        lowered = text.lower()
        assert not [b for b in banned if b in lowered], text


def test_paced_counts_are_offered_never_imposed(library: ExerciseLibrary) -> None:
    counts = [
        (exercise.id, step.count)
        for exercise in library.exercises.values()
        for version in exercise.versions.values()
        for step in version.steps
        if step.count
    ]
    breathing = [e for e in library.exercises.values() if e.category == "breathing"]
    assert {exercise_id for exercise_id, _ in counts} == {e.id for e in breathing}
    for exercise_id, count in counts:
        assert re.search(r"\b(if|want)\b", count, re.IGNORECASE), (exercise_id, count)
        assert "own speed" in count or "if it helps" in count.lower(), (exercise_id, count)


def test_breathing_exercises_say_what_to_do_if_it_feels_wrong(library: ExerciseLibrary) -> None:
    for exercise in library.exercises.values():
        if exercise.category != "breathing":
            continue
        for age, version in exercise.versions.items():
            words = " ".join(text for _, text in version.texts()).lower()
            assert "dizzy" in words or "lightheaded" in words, f"{exercise.id}.{age}"


@pytest.mark.parametrize("age", AGE_GROUPS)
def test_every_problem_has_at_least_two_exercises_for_each_age_group(
    library: ExerciseLibrary, age: str
) -> None:
    assert set(library.vocabulary.problems) == PROBLEMS
    for problem in PROBLEMS:
        fitting = [e.id for e in library.for_age(age) if problem in e.problems]
        assert len(fitting) >= 2, (problem, age, fitting)


def test_heavy_problems_are_grief_loneliness_low_mood_and_bullying(
    library: ExerciseLibrary,
) -> None:
    heavy = {name for name, tag in library.vocabulary.problems.items() if tag.heavy}
    assert heavy == {"grief", "lonely", "low_mood", "bullying"}


def test_every_problem_has_a_caring_line_per_age_group(library: ExerciseLibrary) -> None:
    for problem in [*PROBLEMS, None]:
        lines = {library.messages.empathy_for(problem, age) for age in AGE_GROUPS}
        assert len(lines) >= 2, problem  # worded for their readers, not one line for all


def test_exercise_ids_named_elsewhere_in_the_domain_exist(library: ExerciseLibrary) -> None:
    """The crisis menu in domain/core.yml starts exercises by id; renaming one would break it."""
    payloads = re.findall(
        r'exercise_id"\s*:\s*"(\w+)"',
        "\n".join(p.read_text() for p in (ROOT / "domain").glob("*.yml")),
    )
    assert payloads, "the crisis menu offers exercises by id"
    for exercise_id in payloads:
        assert library.get(exercise_id) is not None, exercise_id


def test_library_is_loaded_once_and_cached() -> None:
    assert get_library() is get_library()


def test_unknown_and_under13_ages_read_adult_and_youth_wording(library: ExerciseLibrary) -> None:
    box = library.get("box_breathing")
    assert register_for(None) == "adult" and register_for("martian") == "adult"
    assert box.version("under13") is box.versions["youth"]
    assert box.version(None) is box.versions["adult"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("box breathing", "box_breathing"),
        ("do the 5 4 3 2 1 thing", "grounding_54321"),
        ("can we do the 5-4-3-2-1 one", "grounding_54321"),
        ("I want to try 4-7-8 breathing", "breathing_478"),
        ("BOX BREATHING please", "box_breathing"),
        ("box_breathing", "box_breathing"),
        ("some breathing", None),
        ("", None),
    ],
)
def test_exercises_are_found_by_what_people_call_them(
    library: ExerciseLibrary, text: str, expected: str | None
) -> None:
    found = library.find_by_name(text)
    assert (found.id if found else None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I can't sleep", ["sleep"]),
        ("I'm panicking", ["panic"]),
        ("my exams are stressing me", ["exams", "stress"]),
        ("I feel lonely since my husband died", ["grief", "lonely"]),
        ("I'll be fine, my phone died", []),
        ("I like painting", []),
    ],
)
def test_problems_are_recognised_in_plain_words(
    library: ExerciseLibrary, text: str, expected: list[str]
) -> None:
    assert library.problems_in(text) == expected


def test_entity_values_map_to_problem_tags(library: ExerciseLibrary) -> None:
    assert library.problem_tags(["sleep", "panic attacks", None, "sleep"]) == ["sleep", "panic"]


def test_categories_are_found_by_name(library: ExerciseLibrary) -> None:
    assert library.find_category("a breathing exercise please") == "breathing"
    assert library.find_category("something for grief") == "grief"
    assert library.find_category("hello") is None
