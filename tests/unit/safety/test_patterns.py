"""The reviewable pattern files: every rule catches its own examples, every idiom
recognises its own, and mistakes in the YAML are reported with file and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from spacy.language import Language

from bot.safety.detector import CrisisDetector
from bot.safety.rules import PATTERNS_DIR, PatternFileError, load_patterns

_RAW = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in PATTERNS_DIR.glob("*.yml")}
RULE_EXAMPLES = [
    (f"{stem}/{rule['id']}", example)
    for stem, raw in _RAW.items()
    for rule in raw.get("rules", [])
    for example in rule["examples"]
]
IDIOM_EXAMPLES = [
    (f"idiom/{idiom['id']}", example)
    for idiom in _RAW["guards"]["idioms"]
    for example in idiom.get("examples", [])
]


def test_there_is_one_pattern_file_per_category() -> None:
    assert {"suicide", "self_harm", "abuse", "violence", "medical"} <= set(_RAW)


@pytest.mark.parametrize(("rule", "example"), RULE_EXAMPLES)
def test_every_rule_example_is_detected_in_its_category(
    detector: CrisisDetector, rule: str, example: str
) -> None:
    detection = detector.detect(example)
    assert detection is not None, f"{rule} misses its own example {example!r}"
    assert detection.category == rule.split("/")[0]


SUPPRESSES = {
    f"idiom/{idiom['id']}": set(idiom.get("suppresses") or []) for idiom in _RAW["guards"]["idioms"]
}


@pytest.mark.parametrize(("idiom", "example"), IDIOM_EXAMPLES)
def test_every_idiom_example_is_recognised_and_not_escalated_for_it(
    detector: CrisisDetector, idiom: str, example: str
) -> None:
    analysis = detector.analyse(example)
    assert idiom in {s.by for s in analysis.suppressed}
    if analysis.detection is not None:
        # e.g. "people keep telling me to kill myself" is not suicide, but it is
        # bullying (abuse): the idiom only rules out the categories it names.
        assert SUPPRESSES[idiom], f"{example!r} escalated as {analysis.detection}"
        assert analysis.detection.category not in SUPPRESSES[idiom]


@pytest.fixture()
def patterns_copy(tmp_path: Path) -> Path:
    target = tmp_path / "patterns"
    shutil.copytree(PATTERNS_DIR, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_unknown_class_is_reported_with_file_and_rule(nlp: Language, patterns_copy: Path) -> None:
    _edit(patterns_copy / "suicide.yml", '"finish {SELF} off"', '"finish {SLEF} off"')
    with pytest.raises(
        PatternFileError,
        match=r"suicide\.yml: rules\[0\] \(kill_self\)\.patterns\[\d+\]: unknown class \{SLEF\}",
    ):
        load_patterns(nlp, patterns_copy)


def test_bad_severity_is_reported(nlp: Language, patterns_copy: Path) -> None:
    _edit(patterns_copy / "violence.yml", "severity: high", "severity: urgent")
    with pytest.raises(
        PatternFileError, match=r"violence\.yml: rules\[0\] \(intent_to_hurt\)\.severity"
    ):
        load_patterns(nlp, patterns_copy)


def test_a_bare_yaml_no_is_caught(nlp: Language, patterns_copy: Path) -> None:
    # YAML 1.1 reads a bare `no` as false; the cue would silently vanish.
    _edit(patterns_copy / "guards.yml", '"no", noone', "no, noone")
    with pytest.raises(
        PatternFileError, match=r"guards\.yml: negation\.cues: YAML reads a bare no"
    ):
        load_patterns(nlp, patterns_copy)


def test_a_rule_without_examples_is_refused(nlp: Language, patterns_copy: Path) -> None:
    raw = yaml.safe_load((patterns_copy / "medical.yml").read_text(encoding="utf-8"))
    raw["rules"][0]["examples"] = []
    (patterns_copy / "medical.yml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(PatternFileError, match=r"medical\.yml: rules\[0\] \(overdose\)\.examples"):
        load_patterns(nlp, patterns_copy)


def test_a_broken_choice_is_refused(nlp: Language, patterns_copy: Path) -> None:
    _edit(patterns_copy / "self_harm.yml", '"hurt my body"', '"[hurt|harm my] body"')
    with pytest.raises(
        PatternFileError, match=r"self_harm\.yml: .*a choice \[a\|b\] holds single words"
    ):
        load_patterns(nlp, patterns_copy)


def test_a_missing_category_file_is_reported(nlp: Language, patterns_copy: Path) -> None:
    (patterns_copy / "abuse.yml").unlink()
    with pytest.raises(PatternFileError, match=r"abuse\.yml: missing"):
        load_patterns(nlp, patterns_copy)


def test_a_new_slang_word_needs_only_yaml(nlp: Language, patterns_copy: Path) -> None:
    text = "gonna yeetus deletus tonight"
    assert CrisisDetector(nlp, patterns_copy).detect(text) is None
    _edit(
        patterns_copy / "suicide.yml",
        "spelling:\n",
        "spelling:\n  yeetus: kill\n  deletus: myself\n",
    )
    detection = CrisisDetector(nlp, patterns_copy).detect(text)
    assert detection is not None and detection.category == "suicide"


COMBINATION_EXAMPLES = [
    (f"factors/{combo['id']}", combo["category"], example)
    for combo in _RAW["risk_factors"]["combinations"]
    for example in combo["examples"]
]


@pytest.mark.parametrize(("combo", "category", "example"), COMBINATION_EXAMPLES)
def test_every_combination_example_is_detected_in_its_category(
    detector: CrisisDetector, combo: str, category: str, example: str
) -> None:
    detection = detector.detect(example)
    assert detection is not None, f"{combo} misses its own example {example!r}"
    assert detection.category == category, (combo, example, detection)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # a means and a time, in two sentences, with no crisis word in either
        ("The shotgun is in the hall cupboard. Saturday.", "suicide"),
        # a goodbye act and a last time, told gently
        ("I've written my funeral wishes down for my son. This will be my last Easter.", "suicide"),
        # despair, then a factual question about a method
        ("I can't take this any more. How deep is the lake at the quarry?", "suicide"),
        # someone else, now
        ("my friend is on the bridge and she's not answering her phone", "suicide"),
        # the same factor listed in both groups: the search gives each group its own match
        ("Going round to his flat tonight with a crowbar, he's going to pay for it.", "violence"),
        # a decision said as final, with a time
        ("Sunday after church. That's when.", "suicide"),
        # thanks said as a farewell, with words of not being here
        ("thanks for everything. you won't hear from me again after tonight", "suicide"),
        # someone else harming themself behind a locked door
        (
            "my sister locked herself in her room with a razor and she won't open the door",
            "self_harm",
        ),
    ],
)
def test_risk_factors_together_are_a_crisis(
    detector: CrisisDetector, text: str, category: str
) -> None:
    detection = detector.detect(text)
    assert detection is not None and detection.category == category, (text, detection)
    assert detection.rule.startswith("factors/")


@pytest.mark.parametrize(
    "text",
    [
        "I left the rope at the climbing wall",  # a means, nothing else
        "We're going over the bridge tomorrow to see my aunt",  # a place and a time
        "I would never buy a gun, I'm just fed up tonight",  # the means is negated
        "How deep is the pool at the leisure centre?",  # a question, no despair
        "Years ago I gave my things away and wrote letters. I'm well now, and grateful.",
        "I take my tablets every morning with breakfast",
        "I went to my uncle's funeral today",  # someone else's funeral, a day
        "Thank you for listening to me today",  # thanks, not a farewell
        "I've chosen my funeral hymns and put them with my will, purely for peace of mind",
        "My stepdad used to hit me years ago, but he's long gone and I'm safe now.",
        "How many paracetamol can I safely take in a day for my arthritis?",
        "how do i kill a process on linux",
        "Where should I keep my tablets out of reach of the grandchildren?",
        "my cousin died last year and it still hits me at random times",
        "I'm going to end it with him tonight",  # a relationship
    ],
)
def test_one_factor_alone_or_a_past_told_as_over_is_not_a_crisis(
    detector: CrisisDetector, text: str
) -> None:
    assert detector.detect(text) is None, text


def test_an_unknown_factor_in_a_combination_is_refused(nlp: Language, patterns_copy: Path) -> None:
    _edit(patterns_copy / "risk_factors.yml", "[despair, method_question]", "[despair, methods]")
    with pytest.raises(
        PatternFileError,
        match=r"risk_factors\.yml: combinations\[\d+\] \(method_after_despair\)"
        r": unknown factor 'methods'",
    ):
        load_patterns(nlp, patterns_copy)


def test_a_combination_of_one_factor_is_refused(nlp: Language, patterns_copy: Path) -> None:
    _edit(patterns_copy / "risk_factors.yml", "[despair, method_question]", "[despair]")
    with pytest.raises(PatternFileError, match=r"risk_factors\.yml: .*\.all: list at least two"):
        load_patterns(nlp, patterns_copy)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I've sorted out my will and who gets the cat", "suicide"),  # affairs in order
        ("I feel like such a burden to everyone", "suicide"),  # despair
        ("my boyfriend checks my phone every night", "abuse"),  # control
        ("I stopped taking my heart tablets last week", "suicide"),  # treatment stopped
    ],
)
def test_a_lone_sign_is_asked_about_not_escalated(
    detector: CrisisDetector, text: str, category: str
) -> None:
    analysis = detector.analyse(text)
    assert analysis.detection is None, text
    assert analysis.ask == category, text


@pytest.mark.parametrize(
    "text",
    [
        "I'm not thinking of ending it, I just feel low",  # negated
        "my friend feels like a burden, how do I help her",  # someone else
        "can we do the grounding one",  # nothing at all
    ],
)
def test_nothing_is_asked_when_the_guards_explain_it(detector: CrisisDetector, text: str) -> None:
    analysis = detector.analyse(text)
    assert analysis.detection is None and analysis.ask is None, (text, analysis)
