"""The rule detector: categories, severity, negation scope, idioms, other people,
topic talk, slang and typos - on messages that are not in the development set."""

from __future__ import annotations

import statistics
import time

import pytest

from bot.safety.detector import CrisisDetector

from .examples import CRISIS, NOT_CRISIS


@pytest.mark.parametrize(("text", "category"), CRISIS)
def test_crisis_messages_are_detected_with_their_category(
    detector: CrisisDetector, text: str, category: str
) -> None:
    detection = detector.detect(text)
    assert detection is not None, f"missed: {text}"
    assert detection.category == category


@pytest.mark.parametrize("text", NOT_CRISIS)
def test_non_crisis_messages_are_not_escalated(detector: CrisisDetector, text: str) -> None:
    assert detector.detect(text) is None


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        ("i'm going to kill myself tonight", "high"),  # intent
        ("ive got the rope ready", "high"),  # means
        ("how many tablets would be lethal", "high"),  # method question
        ("I took an od an hour ago and feel sick", "high"),  # acute medical
        ("my uncle hits me every weekend", "high"),  # current abuse
        ("honestly i wish i were dead", "medium"),  # passive ideation
        ("everyone would be fine without me", "medium"),  # burden
        ("the urge to cut is so strong tonight", "medium"),  # urge, no act
        ("i cut myself again this morning", "high"),  # self-harm act
    ],
)
def test_severity_follows_safety_md(detector: CrisisDetector, text: str, severity: str) -> None:
    detection = detector.detect(text)
    assert detection is not None
    assert detection.severity == severity


@pytest.mark.parametrize(
    "text",
    [
        "I'm not sleeping, I want to die",  # the negation is in another clause
        "i cant sleep i want to die",  # no comma, but a new "I" starts a clause
        "i'm not okay. i want to end it all",
        "nobody would even miss me if i was gone",  # "nobody" is part of the meaning
        "I don't want to be alive anymore",  # so is "don't"
        "I never want to wake up again, honestly",
    ],
)
def test_negation_is_scoped_to_its_clause(detector: CrisisDetector, text: str) -> None:
    assert detector.detect(text) is not None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("honestly I'm not suicidal, just tired of exams", "negation"),
        ("I'd never ever hurt myself", "negation"),
        ("my legs are killing me after that hike", "idiom"),
        ("im killing myself laughing at this", "idiom"),
        ("my cousin says she's suicidal", "third_party"),
        ("we're doing an assembly on suicide prevention", "topic"),
        ("my GP asked if I ever think about suicide and I said no", "asked_and_denied"),
    ],
)
def test_the_reason_for_not_escalating_is_reported(
    detector: CrisisDetector, text: str, kind: str
) -> None:
    analysis = detector.analyse(text)
    assert analysis.detection is None
    assert kind in {s.kind for s in analysis.suppressed}
    assert analysis.recognised_not_crisis


def test_quoted_slang_from_someone_else_is_not_the_users_crisis(detector: CrisisDetector) -> None:
    assert detector.detect("my mate keeps typing 'kms' in the group chat as a joke") is None
    assert detector.detect("i keep thinking 'kms' all day") is not None


def test_evidence_and_offsets_point_into_the_original_text(detector: CrisisDetector) -> None:
    text = "Honestly. I'm gonna K1LL MYS3LF tonight"
    detection = detector.detect(text)
    assert detection is not None
    assert text[detection.start : detection.end] == detection.evidence == "K1LL MYS3LF"
    assert detection.rule == "suicide/kill_self"


def test_offsets_survive_a_lower_cased_doc(detector: CrisisDetector, nlp) -> None:
    # Rasa's SpacyNLP lower-cases the text before making the doc.
    text = "My Dad HITS me"
    analysis = detector.analyse(text, nlp.make_doc(text.lower()))
    assert analysis.detection is not None
    assert analysis.detection.evidence == "Dad HITS me"


def test_empty_and_whitespace_messages_are_not_crises(detector: CrisisDetector) -> None:
    assert detector.detect("") is None
    assert detector.detect("   \n ") is None


def test_the_most_serious_category_wins(detector: CrisisDetector) -> None:
    # An overdose happening now needs emergency services first.
    detection = detector.detect("i took a whole bottle of pills because i want to die")
    assert detection is not None and detection.category == "medical"
    # Intent to hurt someone else outranks the abuse it answers.
    detection = detector.detect("if my stepdad hits me again i'm going to stab him")
    assert detection is not None and detection.category == "violence"


def test_detection_takes_well_under_ten_milliseconds(detector: CrisisDetector) -> None:
    texts = [t for t, _ in CRISIS] + NOT_CRISIS
    timings = []
    for text in texts:
        start = time.perf_counter()
        detector.analyse(text)
        timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 0.005
    assert max(timings) < 0.05  # generous: the machine is shared
