"""The 0–10 mood scale, the way each age group sees it, and reading a score from free text.

Everyone's score is stored on the same 0–10 scale so that trends compare; only
the buttons differ:

- youth: five faces, 😢 0 · 🙁 3 · 😐 5 · 🙂 7 · 😄 10 (quick to tap on a phone;
  the gaps are even enough that a trend still shows);
- older adults: eleven buttons with words, "0 – very low" … "10 – very good"
  (a number alone is abstract; a word says what it means);
- adults: the numbers 0–10.

The buttons themselves live in domain/mood.yml (utter_ask_mood_score), and a
unit test checks they agree with the tables here. Typed replies are read by
`parse_mood_score`: "7", "seven", "about a 6", "6/10", "7 out of 10", "6 or 7"
(the middle, rounded half up), one of the face emoji or an older-adult label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MOOD_MIN = 0
MOOD_MAX = 10


@dataclass(frozen=True)
class Face:
    emoji: str
    title: str
    score: int


YOUTH_FACES: tuple[Face, ...] = (
    Face("😢", "Really bad", 0),
    Face("🙁", "Not great", 3),
    Face("😐", "Okay", 5),
    Face("🙂", "Good", 7),
    Face("😄", "Great", 10),
)

# Emoji people type themselves, mapped to the nearest face.
_EXTRA_EMOJI = {"😭": 0, "☹": 3, "😞": 3, "😔": 3, "😕": 5, "😊": 7, "😀": 10, "😁": 10, "🥰": 10}

OLDER_LABELS: dict[int, str] = {
    0: "very low",
    1: "low",
    2: "quite low",
    3: "rather low",
    4: "a little low",
    5: "in the middle",
    6: "okay",
    7: "fairly good",
    8: "good",
    9: "really good",
    10: "very good",
}

_NUMBER_WORDS = {
    "zero": 0, "nought": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
_NUMBER = r"\d+(?:[.,]\d+)?|" + "|".join(_NUMBER_WORDS)
_OUT_OF_TEN = re.compile(rf"(?<![\w.])({_NUMBER})\s*(?:/|out of|of)\s*(?:10|ten)(?![\w])")
_ANY_NUMBER = re.compile(rf"(?<![\w.])-?({_NUMBER})(?![\w])")
_RANGE = re.compile(rf"(?<![\w.])({_NUMBER})\s*(?:-|–|to|or|and|/)\s*({_NUMBER})(?![\w])")


def older_button_title(score: int) -> str:
    return f"{score} – {OLDER_LABELS[score]}"


def _value(token: str) -> float:
    token = token.replace(",", ".")
    return float(_NUMBER_WORDS[token]) if token in _NUMBER_WORDS else float(token)


def _round(value: float) -> int:
    """Rounds half up (6.5 → 7): people who say "6 or 7" lean neither way, so pick one rule."""
    return int(value + 0.5)


def _in_range(value: float) -> int | None:
    rounded = _round(value)
    return rounded if MOOD_MIN <= value <= MOOD_MAX else None


def _emoji_score(text: str) -> int | None:
    scores = {face.score for face in YOUTH_FACES if face.emoji in text}
    scores |= {score for emoji, score in _EXTRA_EMOJI.items() if emoji in text}
    return scores.pop() if len(scores) == 1 else None


def _label_score(text: str) -> int | None:
    normal = " ".join(re.sub(r"[^\w\s]", " ", text).split())
    for score, label in OLDER_LABELS.items():
        if normal in (label, f"{score} {label}"):
            return score
    return None


def parse_mood_score(text: str | None) -> int | None:
    """Reads a 0–10 mood score from a reply, or None when it is not clearly one.

    Two unrelated numbers ("slept 8 hours, feel like a 3") are not guessed,
    and numbers outside 0–10 are refused so the question can be asked again.
    """
    if not text:
        return None
    lowered = text.lower().strip()
    emoji = _emoji_score(lowered)
    if emoji is not None:
        return emoji
    label = _label_score(lowered)
    if label is not None:
        return label
    out_of_ten = _OUT_OF_TEN.findall(lowered)
    if len(out_of_ten) == 1:
        return _in_range(_value(out_of_ten[0]))
    if re.search(r"(?<![\w.])-\s?\d", lowered):
        return None  # "-2": below the scale
    numbers = [_value(match.group(1)) for match in _ANY_NUMBER.finditer(lowered)]
    if len(numbers) == 1:
        return _in_range(numbers[0])
    ranged = _RANGE.fullmatch(lowered) or _RANGE.search(lowered)
    if len(numbers) == 2 and ranged:
        low, high = _value(ranged.group(1)), _value(ranged.group(2))
        if abs(high - low) <= 2:
            return _in_range((low + high) / 2)
    return None
