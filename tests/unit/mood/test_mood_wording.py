"""wording.yml: it loads, every text fills in, reads plainly, and the loader names bad fields."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
import textstat
import textstat.backend.counts._count_syllables as syllable_counts
import yaml

from bot.mood.wording import WORDING_FILE, WordingError, load_wording, say, wording

SAMPLE_VALUES = {
    "score": 7, "feelings": "sad and tired", "recent": "your last three check-ins",
    "count": 3, "low": 2, "high": 8, "average": 5.4, "latest": 7, "date": "3 May",
    "title": "Well-being (WHO-5)", "score_max": 100, "points": 12, "direction": "higher",
    "threshold": 10, "previous": 48, "number": 1, "example": "several days",
}  # fmt: skip
NEVER = re.compile(
    r"committed suicide|successful attempt|failed attempt|you have depression|diagnos(is|ed) with"
    r"|\bconfidential\b|\bsecret\b",
    re.IGNORECASE,
)


@pytest.fixture
def offline_syllables(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """textstat would download NLTK's cmudict; count syllables with its bundled pyphen instead."""
    monkeypatch.setattr(syllable_counts, "get_cmudict", lambda lang: {})
    syllable_counts.count_syllables.cache_clear()
    yield
    syllable_counts.count_syllables.cache_clear()  # leave no pyphen counts for other tests


def test_every_text_fills_in_and_keeps_the_never_list() -> None:
    for key, registers in wording().items():
        for register, template in registers.items():
            names = {n for _, n, _, _ in string.Formatter().parse(template) if n}
            assert names <= set(SAMPLE_VALUES), (key, register, names)
            text = template.format(**SAMPLE_VALUES)
            assert "{" not in text and not NEVER.search(text), (key, register)


def test_reading_level_per_register(offline_syllables: None) -> None:
    """SAFETY.md §6: youth text at grade 6 or below, the others at 8 or below."""
    too_hard = []
    for key, registers in wording().items():
        for register, template in registers.items():
            text = template.format(**SAMPLE_VALUES)
            if len(text.split()) < 6:  # button titles and headings: no sentence to grade
                continue
            limit = 6 if register == "youth" else 8
            grade = textstat.flesch_kincaid_grade(text)
            if grade > limit:
                too_hard.append((key, register, grade))
    assert not too_hard


def test_say_picks_the_register_and_falls_back_to_adult() -> None:
    assert say("checkin.saved", "older").startswith("I have saved")
    assert say("checkin.saved", "adult").startswith("I've saved")
    assert say("checkin.saved", None) == say("checkin.saved", "adult")
    assert say("checkin.saved", "under13") == say("checkin.saved", "youth")
    # an entry without an older text uses the adult one
    assert say("button.person", "older") == "Talk to a person"


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "wording.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (["a list"], "top level must be a mapping"),
        ({"checkin": "text"}, "field 'checkin': must be a mapping"),
        ({"checkin": {"saved": {"youth": "Hi"}}}, "field 'checkin.saved.adult': is missing"),
        ({"checkin": {"saved": {"adult": "Hi", "teen": "Yo"}}}, "unknown register(s) ['teen']"),
        (
            {"checkin": {"saved": {"adult": "Hi {name}", "youth": "Yo {nick}"}}},
            "field 'checkin.saved.youth': placeholder(s) ['nick'] are not in the adult text",
        ),
        ({"checkin": {"saved": {"adult": "Hi {name"}}}, "field 'checkin.saved': has a broken"),
        ({"checkin": {"saved": {"adult": "Hi", "older": ""}}}, "'checkin.saved.older': must be"),
    ],
)
def test_loader_names_the_file_and_field(tmp_path: Path, data: object, message: str) -> None:
    with pytest.raises(WordingError) as error:
        load_wording(_write(tmp_path, data))
    assert str(error.value).startswith("wording.yml: ")
    assert message in str(error.value)


def test_the_shipped_file_is_the_one_loaded() -> None:
    assert load_wording(WORDING_FILE) == wording()
