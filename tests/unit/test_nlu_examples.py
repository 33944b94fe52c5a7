"""The intent examples under data/nlu stay learnable and safe to learn from.

The intent classifier's cross-validated F1 (`make nlu-eval`) is too slow for
the suite, so these checks guard what usually drags it down: the same text
taught as two intents, intents left with too few examples to generalise from,
and crisis wording taught as an ordinary intent (the classifier would then learn to
answer a crisis message with, say, an exercise step).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pytest

from bot.nlp.training_examples import intent_examples
from bot.safety.detector import CrisisDetector
from bot.safety.devset import comparable

# Intents only ever sent by the server itself (trigger_intent), never typed.
TRIGGERED_ONLY = {"handoff_timeout", "handoff_resumed"}
MIN_EXAMPLES = 80


@pytest.fixture(scope="module")
def examples() -> dict[str, list[tuple[Path, str]]]:
    return intent_examples()


def test_no_text_is_taught_twice(examples: dict[str, list[tuple[Path, str]]]) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    counts: Counter[str] = Counter()
    for intent, items in examples.items():
        for _, text in items:
            owners[comparable(text)].add(intent)
            counts[" ".join(text.lower().split())] += 1
    # across intents, near-copies ("I'm sad" / "im sad") count as the same text;
    # within one, typed variants like "/help" and "help" are deliberate
    assert {t: sorted(i) for t, i in owners.items() if len(i) > 1} == {}
    assert [t for t, n in counts.items() if n > 1] == []


def test_every_typed_intent_has_enough_examples(
    examples: dict[str, list[tuple[Path, str]]],
) -> None:
    thin = {
        intent: len(items)
        for intent, items in examples.items()
        if intent not in TRIGGERED_ONLY
        and not intent.startswith("crisis_")
        and len(items) < MIN_EXAMPLES
    }
    assert thin == {}


def test_ordinary_intents_hold_no_crisis_wording(
    examples: dict[str, list[tuple[Path, str]]], detector: CrisisDetector
) -> None:
    flagged = [
        f"{path.name} {intent}: {text!r} -> {detection.category}"
        for intent, items in examples.items()
        if not intent.startswith("crisis_")
        for path, text in items
        if (detection := detector.detect(text)) is not None
    ]
    assert flagged == []
