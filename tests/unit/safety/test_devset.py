"""The development set: its size and coverage, that it never leaks into training
data or rule examples, and that the rules alone meet the SAFETY.md targets on it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.nlp.training_examples import example_blocks
from bot.safety.categories import CATEGORIES
from bot.safety.devset import FRESH_DIR, SEALED_DIR, DevMessage, comparable, load_dev_set
from bot.safety.evaluation import FALSE_ESCALATION_LIMIT, RECALL_TARGET, evaluate_rules
from bot.safety.rules import PATTERNS_DIR

from .examples import CRISIS, NOT_CRISIS

NLU_DIR = PROJECT_ROOT / "data" / "nlu"


@pytest.fixture(scope="module")
def dev() -> list[DevMessage]:
    return load_dev_set()


@pytest.fixture(scope="module")
def evaluation_sets(dev: list[DevMessage]) -> list[DevMessage]:
    """The tuning, fresh and sealed splits: none may leak into what the bot learns."""
    return dev + load_dev_set(FRESH_DIR) + load_dev_set(SEALED_DIR)


def training_examples() -> list[tuple[Path, str]]:
    """Every example text in every YAML file under data/nlu (entity markup removed)."""
    return [(path, text) for _, path, text in example_blocks()]


def test_size_and_coverage(dev: list[DevMessage]) -> None:
    crisis = [m for m in dev if m.is_crisis]
    calm = [m for m in dev if not m.is_crisis]
    assert len(crisis) >= 330 and len(calm) >= 330
    assert set(Counter(m.category for m in crisis)) == set(CATEGORIES)
    for category in CATEGORIES:
        registers = {m.register for m in crisis if m.category == category}
        assert {"youth", "older"} <= registers, category


def test_no_duplicates_in_the_dev_set(evaluation_sets: list[DevMessage]) -> None:
    counts = Counter(comparable(m.text) for m in evaluation_sets)
    assert [t for t, n in counts.items() if n > 1] == []


def test_dev_set_is_never_in_the_training_data(evaluation_sets: list[DevMessage]) -> None:
    examples = training_examples()
    assert any(path.name == "crisis.yml" for path, _ in examples), "crisis.yml was not read"
    dev_texts = {comparable(m.text): m.source for m in evaluation_sets}
    leaks = [
        f"{path.name}: {text!r} (= {dev_texts[comparable(text)]})"
        for path, text in examples
        if comparable(text) in dev_texts
    ]
    assert leaks == []


def test_dev_set_is_never_a_rule_example(evaluation_sets: list[DevMessage]) -> None:
    dev_texts = {comparable(m.text) for m in evaluation_sets}
    leaks = []
    for path in PATTERNS_DIR.glob("*.yml"):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        entries = (raw.get("rules") or []) + (raw.get("idioms") or [])
        for entry in entries:
            leaks += [e for e in entry.get("examples") or [] if comparable(e) in dev_texts]
    assert leaks == []


def test_detector_test_examples_are_not_from_the_dev_set(
    evaluation_sets: list[DevMessage],
) -> None:
    dev_texts = {comparable(m.text) for m in evaluation_sets}
    assert [t for t, _ in CRISIS if comparable(t) in dev_texts] == []
    assert [t for t in NOT_CRISIS if comparable(t) in dev_texts] == []


def test_crisis_training_file_has_40_to_80_examples_per_intent() -> None:
    path = NLU_DIR / "crisis.yml"
    text = path.read_text(encoding="utf-8")
    assert "eval/safety_dev is NEVER used for training" in text
    counts = Counter()
    for block in yaml.safe_load(text)["nlu"]:
        counts[block["intent"]] = sum(
            1 for line in block["examples"].splitlines() if line.strip().startswith("- ")
        )
    assert set(counts) == {f"crisis_{c}" for c in CATEGORIES}
    for intent, n in counts.items():
        assert 40 <= n <= 80, (intent, n)


def test_comparable_ignores_case_and_punctuation() -> None:
    assert comparable("I'm NOT okay... I want to die!") == comparable("im not okay i want to die")
    assert comparable("I want to die") != comparable("I want to dine")


def test_rules_alone_meet_the_targets_on_the_dev_set(dev: list[DevMessage]) -> None:
    report = evaluate_rules(dev)
    assert report.recall >= RECALL_TARGET, report.misses
    assert report.false_escalation_rate <= FALSE_ESCALATION_LIMIT, report.false_escalations
    assert report.category_accuracy >= 0.9, report.wrong_category
