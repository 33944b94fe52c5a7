"""What the dialogue knows about a user, with the defaults the service promises.

Onboarding may be skipped, so every feature needs a safe answer for a missing
age group or region: adult wording and the configured region.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.config import REGIONS, load_settings

AGE_GROUPS = ("youth", "adult", "older", "under13")

_NUMBER_WORDS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_DIGIT_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


@dataclass(frozen=True)
class Profile:
    age_group: str
    region: str
    consent: bool | None


def profile_from_slots(slots: dict[str, Any]) -> Profile:
    age = slots.get("age_group")
    region = slots.get("region")
    return Profile(
        age_group=age if age in AGE_GROUPS else "adult",
        region=region if region in REGIONS else load_settings().region,
        consent=slots.get("consent"),
    )


def age_group_for_years(years: int) -> str | None:
    """Maps a stated age to a register; ages nobody could have are ignored."""
    if years < 5 or years > 120:
        return None
    if years < 13:
        return "under13"
    if years < 18:
        return "youth"
    if years < 65:
        return "adult"
    return "older"


def age_from_text(text: str) -> int | None:
    """Finds a stated age in free text ("I'm 15", "seventy two", "72 years old")."""
    lowered = text.lower()
    if re.search(r"\b(under|below|younger than|less than) (13|thirteen)\b", lowered):
        return 12
    # "year 10" or "grade 9" is a school year, not an age
    match = re.search(r"(?<!year )(?<!grade )(?<!yr )\b(\d{1,3})\b", lowered)
    if match:
        return int(match.group(1))
    words = re.findall(r"[a-z]+", text.lower())
    total = 0
    for word in words:
        if word in _NUMBER_WORDS:
            total += _NUMBER_WORDS[word]
        elif word in _DIGIT_WORDS:
            total += _DIGIT_WORDS.index(word) + 1
    return total or None


_STATED_AGE = re.compile(
    r"\b(?:i'?m|i am|im|age|aged)\s+(\d{1,2}|[a-z]+(?:[ -][a-z]+)?)"
    # an age ends the phrase: "I'm 11 and...", not "I'm 10 minutes away"
    r"(?=\s*(?:$|[,.!?;:&]|(?:and|but|n|so|btw|too|years?|yrs?|yo)\b))"
    r"|\b(\d{1,2})\s*(?:yo|y/o|yrs? old|years? old)\b",
    re.IGNORECASE,
)


def stated_age_group(text: str, *, asked: bool) -> str | None:
    """The age group a message states, for a crisis reply before onboarding knows it.

    When the bot has just asked for the age, any number is the answer ("11, my
    dad hits me"); otherwise only an age said as one ("I'm 11", "12 years old"),
    so that "I took 30 pills" is never read as an age.
    """
    if asked:
        years = age_from_text(text)
        return age_group_for_years(years) if years is not None else None
    for match in _STATED_AGE.finditer(text):
        years = age_from_text(match.group(1) or match.group(2))
        if years is not None and age_group_for_years(years) is not None:
            return age_group_for_years(years)
    return None
