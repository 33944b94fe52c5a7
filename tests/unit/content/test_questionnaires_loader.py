"""Loading questionnaire files: the shipped ones load, and every broken field is named."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.content.questionnaire_library import (
    QUESTIONNAIRE_DIR,
    QuestionnaireError,
    load_questionnaire,
    load_questionnaires,
)


def shipped(name: str) -> dict[str, Any]:
    return yaml.safe_load((QUESTIONNAIRE_DIR / f"{name}.yml").read_text(encoding="utf-8"))


def write(tmp_path: Path, data: Any, name: str = "phq2.yml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_shipped_questionnaires_load() -> None:
    library = load_questionnaires()
    assert set(library) == {"phq2", "gad2", "who5"}
    assert [q.title for q in library.values()] == [
        "Worry (GAD-2)",
        "Mood (PHQ-2)",
        "Well-being (WHO-5)",
    ]


def _break(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `data` with the dotted `path` set to `value` (or deleted for ...)."""
    broken = copy.deepcopy(data)
    *parents, last = path.split(".")
    node: Any = broken
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is ...:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return broken


@pytest.mark.parametrize(
    ("path", "value", "field", "problem"),
    [
        ("items", ..., "items", "is missing"),
        ("items", [], "items", "non-empty list"),
        ("items.1", "  ", "items[1]", "non-empty text"),
        ("title", ..., "title", "is missing"),
        ("time_frame", 3, "time_frame", "non-empty text"),
        ("scale", [{"value": 0, "label": "Never"}], "scale", "at least two"),
        ("scale.1.value", 2, "scale[1].value", "must be 1"),
        ("scale.2.value", "two", "scale[2].value", "whole number"),
        ("scale.1.label", ..., "scale[1].label", "is missing"),
        ("scale.1.also", ["never"], "scale[1].also", "already means another answer"),
        ("scale.3.also", ["3 days"], "scale[3].also", "must not start with a number"),
        ("scoring.cutoff.kind", "above", "scoring.cutoff.kind", "must be one of"),
        ("scoring.cutoff.value", 7, "scoring.cutoff.value", "above the maximum score 6"),
        ("scoring.cutoff.value", -1, "scoring.cutoff.value", "at least 0"),
        ("scoring.multiplier", 0, "scoring.multiplier", "at least 1"),
        ("scoring.meaningful_change", 0, "scoring.meaningful_change", "at least 1"),
        ("texts.flagged.older", ..., "texts.flagged.older", "is missing"),
        ("texts.not_flagged", ..., "texts.not_flagged", "is missing"),
        ("texts.intro.youth", "Hi {name}", "texts.intro.youth", "unknown placeholder"),
        ("texts.intro.adult", "Broken {score", "texts.intro.adult", "broken placeholder"),
        ("id", "PHQ 2", "id", "lower-case"),
    ],
)
def test_errors_name_the_file_and_the_field(
    tmp_path: Path, path: str, value: Any, field: str, problem: str
) -> None:
    with pytest.raises(QuestionnaireError) as error:
        load_questionnaire(write(tmp_path, _break(shipped("phq2"), path, value)))
    message = str(error.value)
    assert message.startswith("phq2.yml: ")
    assert f"field '{field}'" in message
    assert problem in message


def test_the_id_must_match_the_file_name(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError, match=r"gad2\.yml: field 'id'.*'phq2'"):
        load_questionnaire(write(tmp_path, shipped("phq2"), name="gad2.yml"))


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "who5.yml"
    path.write_text("id: who5\nitems: [unclosed\n", encoding="utf-8")
    with pytest.raises(QuestionnaireError, match=r"^who5\.yml: not valid YAML"):
        load_questionnaire(path)


def test_a_top_level_list_is_refused(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError, match=r"phq2\.yml: field '\(top level\)'"):
        load_questionnaire(write(tmp_path, ["not", "a", "mapping"]))


def test_an_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError, match="no questionnaire files"):
        load_questionnaires(tmp_path)


def test_a_valid_copy_loads_from_another_directory(tmp_path: Path) -> None:
    write(tmp_path, shipped("who5"), name="who5.yml")
    library = load_questionnaires(tmp_path)
    assert list(library) == ["who5"]
    assert library["who5"].cutoff.kind == "at_most"
