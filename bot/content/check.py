"""`python -m bot content check`: validate the exercise library for the people who edit it.

A counsellor who changed a YAML file runs this to learn, before anything is
deployed, whether the library still loads, whether every exercise has a version
(or a reasoned exclusion) for each age group, whether every problem still has an
exercise for each age group, and whether the wording stays within the reading
level for its readers (SAFETY.md §6: Flesch-Kincaid grade at most 6 for youth,
8 for adults and older adults). It prints counts per category and age group and
the hardest texts per age group, and exits non-zero on any error.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from bot.content.exercise_library import (
    AGE_GROUPS,
    EXERCISES_DIR,
    ExerciseLibrary,
    LibraryError,
    load_library,
)

# Highest Flesch-Kincaid grade allowed per age group (SAFETY.md §6).
GRADE_LIMITS: dict[str, float] = {"youth": 6.0, "adult": 8.0, "older": 8.0}

# Values used to fill {placeholders} when measuring the message lines.
_SAMPLE_VALUES = {"title": "Box breathing", "minutes": 5, "number": 2, "total": 5}


def _no_cmudict(lang: str) -> None:
    return None


def _use_bundled_syllable_counts() -> None:
    """Make textstat count syllables with pyphen's bundled dictionary, never NLTK's CMU one.

    textstat 0.7.13 looks each word up in NLTK's CMU pronouncing dictionary and
    downloads it on first use. Nothing may download at run time here, and the
    dictionary is not installed, so without this textstat fails offline. Its own
    fallback for words missing from CMU is pyphen, which ships its data; using
    it for every word also makes the grades the same on every machine.
    """
    from textstat.backend.counts import _count_syllables

    _count_syllables.get_cmudict = _no_cmudict


def reading_grade(text: str) -> float:
    """Flesch-Kincaid grade of `text` (textstat.flesch_kincaid_grade), computed offline."""
    import textstat

    _use_bundled_syllable_counts()
    return float(textstat.flesch_kincaid_grade(text))


@dataclass(frozen=True)
class MeasuredText:
    """One user-facing text with its reading grade, and where it lives."""

    age_group: str
    where: str
    text: str
    grade: float

    @property
    def too_hard(self) -> bool:
        return self.grade > GRADE_LIMITS[self.age_group]


def library_texts(library: ExerciseLibrary) -> list[tuple[str, str, str]]:
    """(age group, where, text) for the sentences a user of that age group reads.

    Button labels are left out: on one to three words a readability formula
    measures nothing but syllables ("Not really" scores grade 8.8). They are
    kept short and plain by review instead.
    """
    found: list[tuple[str, str, str]] = []
    for exercise in library.exercises.values():
        for age, version in exercise.versions.items():
            for field_name, text in version.texts():
                found.append((age, f"{exercise.id}.{age}.{field_name}", text))
    messages = library.messages
    for group_name, group in (("lines", messages.lines), ("empathy", messages.empathy)):
        for key, wording in group.items():
            for age, text in wording.items():
                found.append((age, f"_messages.yml {group_name}.{key}.{age}", text))
    return found


def measure(library: ExerciseLibrary) -> list[MeasuredText]:
    """Reading grades of every text in the library, placeholders filled with sample values."""
    return [
        MeasuredText(age, where, text, reading_grade(text.format(**_SAMPLE_VALUES)))
        for age, where, text in library_texts(library)
    ]


def coverage_gaps(library: ExerciseLibrary) -> list[str]:
    """Problems with no exercise for some age group: the bot would have nothing fitting to offer."""
    gaps = []
    for problem in library.vocabulary.problems:
        for age in AGE_GROUPS:
            if not any(problem in e.problems for e in library.for_age(age)):
                gaps.append(f"problem {problem!r} has no exercise for {age}")
    return gaps


def counts(library: ExerciseLibrary) -> dict[str, dict[str, int]]:
    """Exercises available per category and age group, in vocabulary order."""
    table: dict[str, dict[str, int]] = {}
    for category in library.vocabulary.categories:
        in_category = [e for e in library.exercises.values() if e.category == category]
        table[category] = {
            age: sum(e.available_for(age) for e in in_category) for age in AGE_GROUPS
        }
    return table


def report(library: ExerciseLibrary, *, worst: int = 3) -> tuple[list[str], list[str]]:
    """The printed report and the list of errors (reading level, coverage)."""
    table = counts(library)
    lines = [
        f"{_plural(len(library.exercises), 'exercise')} in {_plural(len(table), 'category')}",
        "",
        f"{'category':<22}" + "".join(f"{age:>7}" for age in AGE_GROUPS),
    ]
    for category, row in table.items():
        lines.append(f"{category:<22}" + "".join(f"{row[age]:>7}" for age in AGE_GROUPS))
    lines.append(
        f"{'total':<22}"
        + "".join(f"{sum(r[age] for r in table.values()):>7}" for age in AGE_GROUPS)
    )
    measured = measure(library)
    lines += ["", "Hardest texts per age group (Flesch-Kincaid grade, limit in brackets):"]
    for age in AGE_GROUPS:
        mine = sorted((m for m in measured if m.age_group == age), key=lambda m: -m.grade)
        lines.append(f"  {age} (≤ {GRADE_LIMITS[age]:g}), {len(mine)} texts:")
        for m in mine[:worst]:
            lines.append(f"    {m.grade:5.1f}  {m.where}: {_shorten(m.text)}")
    errors = [
        f"{m.where}: reading grade {m.grade:.1f} is above {GRADE_LIMITS[m.age_group]:g} "
        f"for {m.age_group}; use shorter sentences and words: {_shorten(m.text)}"
        for m in measured
        if m.too_hard
    ]
    errors += coverage_gaps(library)
    return lines, errors


def _plural(count: int, noun: str) -> str:
    if count == 1:
        return f"1 {noun}"
    return f"{count} {noun[:-1] + 'ies' if noun.endswith('y') else noun + 's'}"


def _shorten(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def run_check(directory: Path = EXERCISES_DIR, *, worst: int = 3) -> tuple[list[str], list[str]]:
    """Load and check the library in `directory`: (report lines, errors)."""
    try:
        library = load_library(directory)
    except LibraryError as exc:
        return [], exc.errors
    return report(library, worst=worst)


def cmd(argv: list[str]) -> int:
    """Entry point of `python -m bot content check [--dir PATH] [--worst N]`."""
    parser = argparse.ArgumentParser(
        prog="python -m bot content", description="check the coping exercise library"
    )
    parser.add_argument("action", choices=["check"], help="what to do")
    parser.add_argument("--dir", type=Path, default=EXERCISES_DIR, help="exercise folder")
    parser.add_argument("--worst", type=int, default=3, help="hardest texts to list per age")
    args = parser.parse_args(argv)
    lines, errors = run_check(args.dir, worst=args.worst)
    if lines:
        print("\n".join(lines))
    if errors:
        print(f"\n{len(errors)} error(s):")
        print("\n".join(f"  - {e}" for e in errors))
        return 1
    print("\nOK: the exercise library is valid.")
    return 0
