"""Validation of counsellors' edits: every mistake is reported with its file and field.

Each test starts from a small valid library in a temporary folder (the real
vocabulary and messages plus one exercise), breaks one thing, and checks the
error names where to look. `python -m bot content check` is tested the same way.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.content.check import cmd as content_cmd
from bot.content.check import run_check
from bot.content.exercise_library import (
    EXERCISES_DIR,
    MESSAGES_FILE,
    VOCABULARY_FILE,
    LibraryError,
    load_library,
)

STEPS = ["Breathe in slowly.", "Breathe out slowly."]
VALID: dict[str, Any] = {
    "id": "slow_breaths",
    "title": "Slow breaths",
    "names": ["slow breaths"],
    "duration_minutes": 2,
    "tags": {"problems": ["stress"], "moods": ["stressed"], "settings": ["anywhere"]},
    "versions": {
        "youth": {"steps": STEPS},
        "adult": {"steps": STEPS},
        "older": {"steps": ["Breathe in slowly, and then breathe out slowly."]},
    },
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in (VOCABULARY_FILE, MESSAGES_FILE):
        shutil.copy(EXERCISES_DIR / name, tmp_path / name)
    return tmp_path


def write(folder: Path, exercises: list[dict[str, Any]], category: str = "breathing") -> Path:
    path = folder / f"{category}.yml"
    path.write_text(yaml.safe_dump({"category": category, "exercises": exercises}))
    return path


def errors_for(folder: Path) -> list[str]:
    with pytest.raises(LibraryError) as caught:
        load_library(folder)
    return caught.value.errors


def one_error(folder: Path, *fragments: str) -> str:
    """The single error, which must mention the file and every fragment."""
    errors = errors_for(folder)
    assert len(errors) == 1, errors
    for fragment in ("breathing.yml", *fragments):
        assert fragment in errors[0], (fragment, errors[0])
    return errors[0]


def test_the_valid_starting_point_loads(folder: Path) -> None:
    write(folder, [VALID])
    library = load_library(folder)
    assert list(library.exercises) == ["slow_breaths"]
    assert library.get("slow_breaths").versions["older"].steps[0].text.startswith("Breathe in")


def test_missing_version_without_exclusion(folder: Path) -> None:
    broken = copy.deepcopy(VALID)
    del broken["versions"]["youth"]
    write(folder, [broken])
    one_error(folder, "slow_breaths", "versions.youth", "not_for")


def test_an_exclusion_with_its_reason_is_accepted(folder: Path) -> None:
    excluded = copy.deepcopy(VALID)
    del excluded["versions"]["youth"]
    excluded["not_for"] = ["youth"]
    excluded["not_for_reason"] = "Young people are offered another breathing exercise."
    write(folder, [excluded])
    exercise = load_library(folder).get("slow_breaths")
    assert not exercise.available_for("youth") and exercise.available_for("older")


def test_an_exclusion_needs_a_reason(folder: Path) -> None:
    excluded = copy.deepcopy(VALID)
    del excluded["versions"]["youth"]
    excluded["not_for"] = ["youth"]
    write(folder, [excluded])
    one_error(folder, "slow_breaths", "not_for_reason")


def test_a_version_and_an_exclusion_for_the_same_age_contradict(folder: Path) -> None:
    both = copy.deepcopy(VALID)
    both["not_for"], both["not_for_reason"] = ["older"], "Not for older adults, for a test."
    write(folder, [both])
    one_error(folder, "versions.older", "not_for excludes it")


def test_empty_steps(folder: Path) -> None:
    broken = copy.deepcopy(VALID)
    broken["versions"]["adult"]["steps"] = []
    write(folder, [broken])
    one_error(folder, "slow_breaths", "versions.adult.steps", "non-empty")


def test_blank_step_text(folder: Path) -> None:
    broken = copy.deepcopy(VALID)
    broken["versions"]["adult"]["steps"] = ["Breathe in.", "  "]
    write(folder, [broken])
    one_error(folder, "versions.adult.steps[2]")


def test_unknown_category(folder: Path) -> None:
    write(folder, [VALID], category="breathwork")
    errors = errors_for(folder)
    assert len(errors) == 1 and "breathwork.yml" in errors[0] and "unknown category" in errors[0]


def test_category_must_match_the_file_name(folder: Path) -> None:
    path = folder / "breathing.yml"
    path.write_text(yaml.safe_dump({"category": "grounding", "exercises": [VALID]}))
    one_error(folder, "category", "breathing.yml")


def test_unknown_tag(folder: Path) -> None:
    broken = copy.deepcopy(VALID)
    broken["tags"]["problems"] = ["stress", "slep"]
    write(folder, [broken])
    one_error(folder, "slow_breaths", "tags.problems", "'slep'")


def test_duplicate_id(folder: Path) -> None:
    twin = copy.deepcopy(VALID)
    twin["names"] = ["other breaths"]
    write(folder, [VALID, twin])
    one_error(folder, "slow_breaths", "duplicate id")


def test_duplicate_id_across_files_names_both_files(folder: Path) -> None:
    write(folder, [VALID])
    twin = copy.deepcopy(VALID)
    twin["names"] = ["other breaths"]
    write(folder, [twin], category="grounding")
    errors = errors_for(folder)
    assert len(errors) == 1
    assert "grounding.yml" in errors[0] and "also used in" in errors[0]
    assert "breathing.yml" in errors[0]


@pytest.mark.parametrize("duration", [0, 61, "five", 2.5, None])
def test_bad_duration(folder: Path, duration: object) -> None:
    broken = copy.deepcopy(VALID)
    broken["duration_minutes"] = duration
    write(folder, [broken])
    one_error(folder, "slow_breaths", "duration_minutes")


def test_misspelt_field(folder: Path) -> None:
    broken = copy.deepcopy(VALID)
    broken["versions"]["youth"]["step"] = broken["versions"]["youth"].pop("steps")
    write(folder, [broken])
    errors = errors_for(folder)
    assert any("versions.youth.step" in e and "not a version field" in e for e in errors)
    assert any("versions.youth.steps" in e for e in errors)


def test_number_where_text_is_needed(folder: Path) -> None:
    broken = copy.deepcopy(VALID)
    broken["names"] = ["slow breaths", 54321]
    write(folder, [broken])
    one_error(folder, "names[2]", "quotes")


def test_name_shared_by_two_exercises(folder: Path) -> None:
    other = copy.deepcopy(VALID)
    other["id"] = "other_breaths"
    write(folder, [VALID, other])
    one_error(folder, "other_breaths.names", "slow breaths")


def test_forbidden_phrase(folder: Path) -> None:
    broken = copy.deepcopy(VALID)
    broken["versions"]["adult"]["steps"] = ["This chat is confidential.", "Breathe out."]
    write(folder, [broken])
    one_error(folder, "versions.adult.steps[1]", "SAFETY")


def test_messages_must_cover_every_age_and_known_placeholders(folder: Path) -> None:
    write(folder, [VALID])
    messages = yaml.safe_load((folder / MESSAGES_FILE).read_text())
    del messages["lines"]["stopped"]["older"]
    messages["lines"]["start"]["youth"] = "{title} takes {mins} min."
    (folder / MESSAGES_FILE).write_text(yaml.safe_dump(messages))
    errors = errors_for(folder)
    assert len(errors) == 2, errors
    assert all(MESSAGES_FILE in e for e in errors)
    assert any("lines.stopped.older" in e for e in errors)
    assert any("lines.start.youth" in e and "mins" in e for e in errors)


def test_every_problem_needs_a_caring_line(folder: Path) -> None:
    write(folder, [VALID])
    messages = yaml.safe_load((folder / MESSAGES_FILE).read_text())
    del messages["empathy"]["grief"]
    (folder / MESSAGES_FILE).write_text(yaml.safe_dump(messages))
    errors = errors_for(folder)
    assert errors and all("empathy.grief" in e for e in errors)


def test_all_errors_are_reported_at_once(folder: Path) -> None:
    broken = copy.deepcopy(VALID)
    broken["duration_minutes"] = 0
    broken["tags"]["moods"] = ["grumpy"]
    del broken["versions"]["older"]
    write(folder, [broken])
    assert len(errors_for(folder)) == 3


def test_content_check_reports_counts_and_reading_levels(capsys: pytest.CaptureFixture) -> None:
    assert content_cmd(["check"]) == 0
    out = capsys.readouterr().out
    assert "exercises in 18 categories" in out
    assert "breathing" in out and "youth" in out and "older" in out
    assert "Hardest texts per age group" in out
    assert "OK" in out


def test_content_check_fails_on_an_invalid_library(
    folder: Path, capsys: pytest.CaptureFixture
) -> None:
    broken = copy.deepcopy(VALID)
    broken["versions"]["adult"]["steps"] = []
    write(folder, [broken])
    assert content_cmd(["check", "--dir", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "breathing.yml" in out and "versions.adult.steps" in out


def test_content_check_fails_on_text_too_hard_for_young_people(folder: Path) -> None:
    hard = copy.deepcopy(VALID)
    hard["versions"]["youth"]["steps"] = [
        "Systematically concentrate on diaphragmatic respiration, acknowledging "
        "physiological sensations without evaluation."
    ]
    write(folder, [hard])
    lines, errors = run_check(folder)
    assert lines[0] == "1 exercise in 18 categories"
    hard_errors = [e for e in errors if "reading grade" in e]
    assert len(hard_errors) == 1 and "slow_breaths.youth.steps[1]" in hard_errors[0]
    # a one-exercise library also leaves most problems without exercises
    assert any("has no exercise for" in e for e in errors)
