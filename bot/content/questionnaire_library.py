"""Screening questionnaires (PHQ-2, GAD-2, WHO-5): loading, validation, scoring, answers.

The questionnaires are YAML files in `questionnaires/` so that a counsellor can
check the wording against SAFETY.md §5 without reading Python. Loading
validates every field and names the file and the field in each error, because
a typo in a cut-off would silently change who is told to see a doctor.

Scoring is the one rule SAFETY.md gives for all three: sum the answers,
multiply (WHO-5: × 4), and compare with the cut-off. `at_least` cut-offs
(PHQ-2, GAD-2: total ≥ 3) and `at_most` cut-offs (WHO-5: score ≤ 50, low
well-being) both set `positive`, which always means "worth following up".
WHO-5 scores are multiples of 4, so the boundary is raw 12 → 48 (low) versus
raw 13 → 52 (not low); a score of exactly 50 cannot occur.

Results are screens, never diagnoses: the result texts say so and tests check it.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

QUESTIONNAIRE_DIR = Path(__file__).resolve().parent / "questionnaires"
AGE_REGISTERS = ("youth", "adult", "older")
TEXT_KEYS = ("intro", "flagged", "not_flagged")
TEXT_PLACEHOLDERS = frozenset({"score", "score_max", "cutoff"})
CUTOFF_KINDS = ("at_least", "at_most")

_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
_NEGATORS = ("not", "never", "no", "isn't", "wasn't", "hasn't", "haven't")


class QuestionnaireError(ValueError):
    """A questionnaire file is invalid; the message names the file and the field."""


@dataclass(frozen=True)
class ScaleOption:
    value: int
    label: str
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cutoff:
    kind: Literal["at_least", "at_most"]
    value: int

    def flags(self, score: int) -> bool:
        return score >= self.value if self.kind == "at_least" else score <= self.value


@dataclass(frozen=True)
class ScreenResult:
    """The scored answers; the field names match `Store.add_questionnaire_result`."""

    questionnaire: str
    answers: tuple[int, ...]
    total: int
    score: int
    positive: bool


@dataclass(frozen=True)
class Questionnaire:
    id: str
    name: str
    title: str
    time_frame: str
    question: str
    items: tuple[str, ...]
    scale: tuple[ScaleOption, ...]
    multiplier: int
    cutoff: Cutoff
    meaningful_change: int | None
    texts: Mapping[str, Mapping[str, str]]
    source: str

    @property
    def raw_max(self) -> int:
        return len(self.items) * max(option.value for option in self.scale)

    @property
    def score_max(self) -> int:
        return self.raw_max * self.multiplier

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(option.value for option in self.scale)

    def label_for(self, value: int) -> str:
        return next(option.label for option in self.scale if option.value == value)

    def score(self, answers: Sequence[int]) -> ScreenResult:
        """Scores a complete set of answers; refuses incomplete or out-of-scale ones.

        Refusing instead of guessing matters: a missing answer scored as 0
        could hide a positive screen.
        """
        if len(answers) != len(self.items):
            raise ValueError(f"{self.id}: expected {len(self.items)} answers, got {len(answers)}")
        for answer in answers:
            if isinstance(answer, bool) or not isinstance(answer, int):
                raise ValueError(f"{self.id}: answers must be whole numbers, got {answer!r}")
            if answer not in self.values:
                raise ValueError(f"{self.id}: answer {answer} is not on the scale {self.values}")
        total = sum(answers)
        score = total * self.multiplier
        return ScreenResult(
            questionnaire=self.id,
            answers=tuple(answers),
            total=total,
            score=score,
            positive=self.cutoff.flags(score),
        )

    def text(self, key: str, age_group: str | None, **values: Any) -> str:
        """The text for an age register (under-13 and unknown fall back sensibly)."""
        register = register_for(age_group)
        template = self.texts[key][register]
        return template.format(score_max=self.score_max, cutoff=self.cutoff.value, **values)

    def match_answer(self, text: str | None) -> int | None:
        """Maps a free-text reply to a scale value, or None if it is not clearly one.

        Accepted: the number alone ("2", "two"), a label or listed alternative
        ("several days", "nearly every day"), a longer reply containing exactly
        one of them ("I'd say several days"), small typos ("sevral days"), and
        "2 - More than half the days" when number and label agree. A negated
        phrase ("not every day") or two different answers are not guessed.
        """
        return _match_answer(self, text)


def register_for(age_group: str | None) -> str:
    """Under-13s read the youth register; unknown ages read the adult one."""
    if age_group in ("youth", "under13"):
        return "youth"
    if age_group == "older":
        return "older"
    return "adult"


# --- answers -----------------------------------------------------------------


def _normalise(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = re.sub(r"[^\w\s']", " ", text)
    return " ".join(text.split())


def _phrases(questionnaire: Questionnaire) -> list[tuple[str, int]]:
    phrases = []
    for option in questionnaire.scale:
        phrases.append((_normalise(option.label), option.value))
        phrases.extend((_normalise(alt), option.value) for alt in option.also)
    return phrases


def _number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    return _NUMBER_WORDS.get(token)


def _contained(phrase: str, text: str) -> list[tuple[int, int]]:
    return [
        (m.start(), m.end()) for m in re.finditer(rf"(?<![\w']){re.escape(phrase)}(?![\w'])", text)
    ]


def _negated(text: str, start: int) -> bool:
    before = text[:start].split()[-2:]
    return any(word in _NEGATORS for word in before)


def _match_phrases(questionnaire: Questionnaire, text: str) -> int | None:
    exact = {phrase: value for phrase, value in _phrases(questionnaire)}
    if text in exact:
        return exact[text]
    spans: list[tuple[int, int, int]] = []
    weak: set[int] = set()
    for phrase, value in _phrases(questionnaire):
        if " " not in phrase:
            # A single word alone never decides inside a longer reply, but it
            # does reveal a conflict ("sometimes, but nearly every day").
            if _contained(phrase, text):
                weak.add(value)
            continue
        for start, end in _contained(phrase, text):
            if _negated(text, start) and not phrase.startswith(("not ", "no ")):
                return None
            spans.append((start, end, value))
    outer = [
        span
        for span in spans
        if not any(o[0] <= span[0] and span[1] <= o[1] and o != span for o in spans)
    ]
    values = {value for _, _, value in outer}
    if len(values) == 1 and weak <= values:
        return values.pop()
    if values:
        return None
    return _fuzzy(exact, text)


def _fuzzy(exact: Mapping[str, int], text: str) -> int | None:
    """Forgives small typos ("sevral days"), but only when one answer is clearly closest."""
    ranked = sorted(
        (
            (difflib.SequenceMatcher(None, text, phrase).ratio(), value)
            for phrase, value in exact.items()
        ),
        reverse=True,
    )
    best_ratio, best_value = ranked[0]
    if best_ratio < 0.85:
        return None
    rival = next((ratio for ratio, value in ranked[1:] if value != best_value), 0.0)
    return best_value if best_ratio - rival >= 0.05 else None


def _match_answer(questionnaire: Questionnaire, text: str | None) -> int | None:
    if not text or re.search(r"(?<![\w])-\s?\d", text):
        return None  # "-1": below every scale
    normal = _normalise(text)
    if not normal:
        return None
    tokens = normal.split()
    number = _number(tokens[0])
    if number is not None:
        if len(tokens) == 1:
            return number if number in questionnaire.values else None
        rest = _match_phrases(questionnaire, " ".join(tokens[1:]))
        return number if rest == number else None
    return _match_phrases(questionnaire, normal)


# --- loading and validation ---------------------------------------------------


def _fail(source: str, field: str, problem: str) -> QuestionnaireError:
    return QuestionnaireError(f"{source}: field '{field}': {problem}")


def _require(data: Mapping[str, Any], key: str, source: str, prefix: str = "") -> Any:
    if key not in data or data[key] is None:
        raise _fail(source, f"{prefix}{key}", "is missing")
    return data[key]


def _text(data: Mapping[str, Any], key: str, source: str, prefix: str = "") -> str:
    value = _require(data, key, source, prefix)
    if not isinstance(value, str) or not value.strip():
        raise _fail(source, f"{prefix}{key}", "must be non-empty text")
    return value.strip()


def _whole(value: Any, source: str, field: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(source, field, f"must be a whole number, got {value!r}")
    if value < minimum:
        raise _fail(source, field, f"must be at least {minimum}, got {value}")
    return value


def _scale(raw: Any, source: str) -> tuple[ScaleOption, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise _fail(source, "scale", "must list at least two answer options")
    options = []
    seen_phrases: dict[str, str] = {}
    for index, entry in enumerate(raw):
        field = f"scale[{index}]"
        if not isinstance(entry, Mapping):
            raise _fail(source, field, "must be a mapping with value and label")
        value = _whole(_require(entry, "value", source, f"{field}."), source, f"{field}.value")
        if value != index:
            raise _fail(
                source, f"{field}.value", f"must be {index}: values run 0, 1, 2, … in order"
            )
        label = _text(entry, "label", source, f"{field}.")
        also = entry.get("also") or []
        if not isinstance(also, list) or not all(isinstance(a, str) and a.strip() for a in also):
            raise _fail(source, f"{field}.also", "must be a list of non-empty texts")
        for phrase in [label, *also]:
            key = _normalise(phrase)
            if key in seen_phrases:
                raise _fail(
                    source,
                    f"{field}.also",
                    f"'{phrase}' already means another answer ({seen_phrases[key]})",
                )
            if _number(key.split()[0]) is not None:
                raise _fail(source, f"{field}.also", f"'{phrase}' must not start with a number")
            seen_phrases[key] = f"{field}"
        options.append(ScaleOption(value=value, label=label, also=tuple(a.strip() for a in also)))
    return tuple(options)


def _texts(raw: Any, source: str) -> dict[str, dict[str, str]]:
    if not isinstance(raw, Mapping):
        raise _fail(source, "texts", f"must be a mapping with {', '.join(TEXT_KEYS)}")
    texts: dict[str, dict[str, str]] = {}
    for key in TEXT_KEYS:
        registers = _require(raw, key, source, "texts.")
        if not isinstance(registers, Mapping):
            raise _fail(source, f"texts.{key}", f"must have {', '.join(AGE_REGISTERS)}")
        texts[key] = {}
        for register in AGE_REGISTERS:
            field = f"texts.{key}.{register}"
            value = _text(registers, register, source, f"texts.{key}.")
            try:
                names = {name for _, name, _, _ in string.Formatter().parse(value) if name}
            except ValueError as exc:
                raise _fail(source, field, f"has a broken placeholder: {exc}") from exc
            unknown = names - TEXT_PLACEHOLDERS
            if unknown:
                raise _fail(
                    source,
                    field,
                    f"unknown placeholder(s) {sorted(unknown)}; "
                    f"allowed: {sorted(TEXT_PLACEHOLDERS)}",
                )
            texts[key][register] = " ".join(value.split())
    return texts


def parse_questionnaire(data: Any, source: str) -> Questionnaire:
    """Builds a Questionnaire from parsed YAML, validating every field."""
    if not isinstance(data, Mapping):
        raise _fail(source, "(top level)", "must be a mapping")
    qid = _text(data, "id", source)
    if not re.fullmatch(r"[a-z0-9_]+", qid):
        raise _fail(source, "id", f"must be lower-case letters, digits or _, got {qid!r}")
    items = _require(data, "items", source)
    if not isinstance(items, list) or not items:
        raise _fail(source, "items", "must be a non-empty list of item texts")
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise _fail(source, f"items[{index}]", "must be non-empty text")
    scale = _scale(_require(data, "scale", source), source)
    scoring = _require(data, "scoring", source)
    if not isinstance(scoring, Mapping):
        raise _fail(source, "scoring", "must be a mapping with multiplier and cutoff")
    multiplier = _whole(
        _require(scoring, "multiplier", source, "scoring."), source, "scoring.multiplier", 1
    )
    raw_cutoff = _require(scoring, "cutoff", source, "scoring.")
    if not isinstance(raw_cutoff, Mapping):
        raise _fail(source, "scoring.cutoff", "must be a mapping with kind and value")
    kind = _require(raw_cutoff, "kind", source, "scoring.cutoff.")
    if kind not in CUTOFF_KINDS:
        raise _fail(source, "scoring.cutoff.kind", f"must be one of {CUTOFF_KINDS}, got {kind!r}")
    cutoff_value = _whole(
        _require(raw_cutoff, "value", source, "scoring.cutoff."), source, "scoring.cutoff.value"
    )
    score_max = len(items) * scale[-1].value * multiplier
    if cutoff_value > score_max:
        raise _fail(
            source, "scoring.cutoff.value", f"{cutoff_value} is above the maximum score {score_max}"
        )
    change = scoring.get("meaningful_change")
    if change is not None:
        change = _whole(change, source, "scoring.meaningful_change", 1)
    return Questionnaire(
        id=qid,
        name=_text(data, "name", source),
        title=_text(data, "title", source),
        time_frame=_text(data, "time_frame", source),
        question=_text(data, "question", source),
        items=tuple(item.strip() for item in items),
        scale=scale,
        multiplier=multiplier,
        cutoff=Cutoff(kind=kind, value=cutoff_value),
        meaningful_change=change,
        texts=_texts(_require(data, "texts", source), source),
        source=source,
    )


def load_questionnaire(path: Path) -> Questionnaire:
    """Loads one file; its name must be `<id>.yml` so reviewers find it by id."""
    source = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise QuestionnaireError(f"{source}: not valid YAML: {exc}") from exc
    questionnaire = parse_questionnaire(data, source)
    if path.stem != questionnaire.id:
        raise _fail(source, "id", f"'{questionnaire.id}' must match the file name '{path.stem}'")
    return questionnaire


def load_questionnaires(directory: Path = QUESTIONNAIRE_DIR) -> dict[str, Questionnaire]:
    """Loads and validates every `*.yml` in the directory, keyed by id."""
    files = sorted(directory.glob("*.yml"))
    if not files:
        raise QuestionnaireError(f"{directory}: no questionnaire files (*.yml) found")
    return {q.id: q for q in (load_questionnaire(path) for path in files)}


@lru_cache(maxsize=1)
def questionnaires() -> dict[str, Questionnaire]:
    """The shipped questionnaires, loaded once per process."""
    return load_questionnaires()


def get_questionnaire(questionnaire_id: str) -> Questionnaire:
    try:
        return questionnaires()[questionnaire_id]
    except KeyError:
        raise KeyError(f"unknown questionnaire {questionnaire_id!r}") from None


def match_questionnaire(text: str | None) -> str | None:
    """Recognises which questionnaire a reply names ("phq 2", "the worry one", "WHO5")."""
    if not text or re.search(r"(?<![\w])-\s?\d", text):
        return None  # "-1": below every scale
    normal = _normalise(text).replace(" ", "")
    for qid, questionnaire in questionnaires().items():
        name = _normalise(questionnaire.name).replace(" ", "")
        if qid in normal or name in normal:
            return qid
    words = set(_normalise(text).split())
    topics = {
        "phq2": {"mood", "depression", "depressed", "down"},
        "gad2": {"worry", "worries", "worrying", "anxiety", "anxious", "nervous"},
        "who5": {"wellbeing", "wellness"},
    }
    if "wellbeing" in normal:
        words.add("wellbeing")
    found = [qid for qid, keys in topics.items() if words & keys and qid in questionnaires()]
    return found[0] if len(found) == 1 else None
