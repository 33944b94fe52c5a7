"""The coping exercise library: loading and validating the YAML under exercises/.

Counsellors edit the exercises as YAML (one file per category, plus
`_vocabulary.yml` for the allowed categories and tags and `_messages.yml` for
what the bot says around an exercise). The files are read once at start-up and
validated completely, so that a typo stops the action server with a message
that names the file and the field, instead of surfacing mid-conversation as a
missing step. Every problem found is reported at once, so one run of
`python -m bot content check` shows a counsellor everything to fix.

Reading level is not checked here: it is an editorial standard, enforced by
`bot.content.check` and the tests, not a reason for the bot to refuse to start.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

EXERCISES_DIR = Path(__file__).resolve().parent / "exercises"
VOCABULARY_FILE = "_vocabulary.yml"
MESSAGES_FILE = "_messages.yml"

# The three wording registers. `under13` reads the youth wording and an unknown
# age reads the adult wording (docs/DEVELOPMENT.md, shared vocabulary).
AGE_GROUPS: tuple[str, ...] = ("youth", "adult", "older")

# Phrases no exercise text may contain (SAFETY.md §3): stigmatising language
# about suicide, and promises of secrecy the service cannot keep.
FORBIDDEN_PHRASES: tuple[str, ...] = (
    "committed suicide",
    "commit suicide",
    "successful attempt",
    "failed attempt",
    "unsuccessful attempt",
    "confidential",
    "our secret",
    "just between us",
    "no one will know",
    "nobody will know",
    "no one will ever see",
    "nobody will see",
)

# Lines the dialogue code asks for, with the placeholders each may use.
REQUIRED_LINES: dict[str, frozenset[str]] = {
    "recommend": frozenset(),
    "recommend_after_problem": frozenset(),
    "recommend_calming": frozenset(),
    "not_found": frozenset(),
    "not_for_age": frozenset({"title"}),
    "human_offer": frozenset(),
    "start": frozenset({"title", "minutes"}),
    "switch": frozenset(),
    "step_label": frozenset({"number", "total"}),
    "finished": frozenset(),
    "ask_feedback": frozenset(),
    "already_finished": frozenset(),
    "feedback_helped": frozenset(),
    "feedback_not_helped": frozenset(),
    "feedback_remembered": frozenset(),
    "stopped": frozenset(),
    "nothing_running": frozenset(),
    "option": frozenset({"title", "minutes"}),
}
REQUIRED_BUTTONS: tuple[str, ...] = (
    "next",
    "repeat",
    "stop",
    "finish",
    "helped_yes",
    "helped_no",
    "talk_to_person",
)
GENERAL_EMPATHY = "general"

_EXERCISE_KEYS = {
    "id",
    "title",
    "names",
    "duration_minutes",
    "tags",
    "versions",
    "not_for",
    "not_for_reason",
}
_VERSION_KEYS = {"title", "intro", "steps", "closing", "duration_minutes"}
_STEP_KEYS = {"text", "count"}
_TAG_KINDS = ("problems", "moods", "settings")
_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_STEP_CHARS = 400
MAX_TITLE_CHARS = 40


class LibraryError(ValueError):
    """The exercise YAML is invalid; `errors` lists every problem, each naming file and field."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = list(errors)
        super().__init__(
            "the exercise library has errors:\n" + "\n".join(f"  - {e}" for e in errors)
        )


def register_for(age_group: str | None) -> str:
    """The wording register for a slot value: under13 reads youth, unknown reads adult."""
    if age_group == "under13":
        return "youth"
    return age_group if age_group in AGE_GROUPS else "adult"


def normalize(text: str) -> str:
    """Lower-case words separated by single spaces, so that "5-4-3-2-1" matches "5 4 3 2 1"."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower().replace("'", "")))


def _contains_phrase(haystack: str, phrase: str) -> bool:
    return f" {phrase} " in f" {haystack} "


def _keyword(raw: str) -> str:
    """A normalized keyword, keeping a trailing `*` (match word starts)."""
    return normalize(raw) + ("*" if raw.strip().endswith("*") else "")


def _keyword_in(said: str, keyword: str) -> bool:
    if keyword.endswith("*"):
        return f" {keyword[:-1]}" in f" {said}"
    return _contains_phrase(said, keyword)


@dataclass(frozen=True)
class Step:
    """One step, shown on its own; `count` is an optional paced count offered after it."""

    text: str
    count: str | None = None


@dataclass(frozen=True)
class ExerciseVersion:
    """An exercise in one age group's wording, examples and pace."""

    age_group: str
    title: str
    steps: tuple[Step, ...]
    duration_minutes: int
    intro: str | None = None
    closing: str | None = None

    def texts(self) -> list[tuple[str, str]]:
        """(field, text) for every user-facing string, for reading-level and safety checks."""
        found = [("title", self.title)]
        if self.intro:
            found.append(("intro", self.intro))
        for number, step in enumerate(self.steps, start=1):
            found.append((f"steps[{number}].text", step.text))
            if step.count:
                found.append((f"steps[{number}].count", step.count))
        if self.closing:
            found.append(("closing", self.closing))
        return found


@dataclass(frozen=True)
class Exercise:
    """One exercise with its tags and its per-age versions (or reasoned exclusions)."""

    id: str
    category: str
    title: str
    duration_minutes: int
    problems: frozenset[str]
    main_problem: str  # the first problem listed: what the exercise is mainly for
    moods: frozenset[str]
    settings: frozenset[str]
    names: tuple[str, ...]
    versions: Mapping[str, ExerciseVersion]
    not_for: frozenset[str] = frozenset()
    not_for_reason: str | None = None
    source: str = ""

    def version(self, age_group: str | None) -> ExerciseVersion | None:
        """The version for a slot value (see `register_for`), or None if excluded."""
        return self.versions.get(register_for(age_group))

    def available_for(self, age_group: str | None) -> bool:
        return register_for(age_group) in self.versions


@dataclass(frozen=True)
class ProblemTag:
    """A problem the user can name; `heavy` ones also get the offer of a person."""

    name: str
    keywords: tuple[str, ...]
    heavy: bool


@dataclass(frozen=True)
class Vocabulary:
    """The categories and tags the exercise files may use."""

    categories: Mapping[str, tuple[str, ...]]  # category -> names people use for it
    problems: Mapping[str, ProblemTag]
    moods: frozenset[str]
    settings: frozenset[str]


@dataclass(frozen=True)
class Messages:
    """What the bot says around an exercise, per age group."""

    lines: Mapping[str, Mapping[str, str]]
    buttons: Mapping[str, Mapping[str, str]]
    empathy: Mapping[str, Mapping[str, str]]

    def line(self, key: str, age_group: str | None, **values: Any) -> str:
        return self.lines[key][register_for(age_group)].format(**values)

    def button(self, key: str, age_group: str | None) -> str:
        return self.buttons[key][register_for(age_group)]

    def empathy_for(self, problem: str | None, age_group: str | None) -> str:
        wording = self.empathy.get(problem or GENERAL_EMPATHY) or self.empathy[GENERAL_EMPATHY]
        return wording[register_for(age_group)]


@dataclass(frozen=True)
class ExerciseLibrary:
    """All exercises in file order, with the vocabulary and messages they were checked against."""

    exercises: Mapping[str, Exercise]
    vocabulary: Vocabulary
    messages: Messages
    _names: Mapping[str, str] = field(default_factory=dict, repr=False)

    def get(self, exercise_id: str | None) -> Exercise | None:
        return self.exercises.get(exercise_id or "")

    def for_age(self, age_group: str | None) -> list[Exercise]:
        return [e for e in self.exercises.values() if e.available_for(age_group)]

    def find_by_name(self, text: str | None) -> Exercise | None:
        """The exercise a message names ("do the 5 4 3 2 1 thing"), longest name first."""
        said = normalize(text or "")
        if not said:
            return None
        if said.replace(" ", "_") in self.exercises:
            return self.exercises[said.replace(" ", "_")]
        for name in sorted(self._names, key=len, reverse=True):
            if _contains_phrase(said, name):
                return self.exercises[self._names[name]]
        return None

    def find_category(self, text: str | None) -> str | None:
        """The category a message names ("a breathing one"), or None."""
        said = normalize(text or "")
        best: tuple[int, str] | None = None
        for category, names in self.vocabulary.categories.items():
            for name in names:
                if _contains_phrase(said, name) and (best is None or len(name) > best[0]):
                    best = (len(name), category)
        return best[1] if best else None

    def problems_in(self, text: str | None) -> list[str]:
        """Problem tags whose keywords start a word in the text, in vocabulary order.

        Keywords match whole words, or word starts when they end in `*`
        ("panic*" finds "panicking"), so that the action still understands a
        problem the NLU model did not tag.
        """
        said = normalize(text or "")
        return [
            tag.name
            for tag in self.vocabulary.problems.values()
            if any(_keyword_in(said, keyword) for keyword in tag.keywords)
        ]

    def problem_tags(self, values: Iterable[str | None]) -> list[str]:
        """Entity values as problem tags (known tags as they are, other text by keyword).

        Returned in vocabulary order, like `problems_in`, so the most specific
        situation ("grief" before "lonely") chooses the caring line.
        """
        found: set[str] = set()
        for value in values:
            if value:
                found.update(
                    [value] if value in self.vocabulary.problems else self.problems_in(value)
                )
        return [name for name in self.vocabulary.problems if name in found]


# --- loading ---------------------------------------------------------------------------------


class _Errors:
    """Collects errors prefixed with the file they come from."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, field_name: str, problem: str) -> None:
        self.items.append(f"{where}: {field_name}: {problem}")


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(EXERCISES_DIR.parent.parent.parent))
    except ValueError:
        return str(path)


def _read_yaml(path: Path, errors: _Errors) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        errors.add(_display(path), "(file)", f"cannot be read as YAML: {exc}")
        return None


def _text(value: Any, where: str, field_name: str, errors: _Errors, *, limit: int = 0) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        errors.add(where, field_name, f"must be text; put {value!r} in quotes")
        return ""
    if not isinstance(value, str) or not value.strip():
        errors.add(where, field_name, "must be non-empty text")
        return ""
    text = " ".join(value.split())
    lowered = text.lower()
    for phrase in FORBIDDEN_PHRASES:
        if phrase in lowered:
            errors.add(where, field_name, f"must not say {phrase!r} (SAFETY.md §3)")
    if limit and len(text) > limit:
        errors.add(where, field_name, f"is {len(text)} characters; keep it under {limit}")
    return text


def _text_list(value: Any, where: str, field_name: str, errors: _Errors) -> list[str]:
    if not isinstance(value, list) or not value:
        errors.add(where, field_name, "must be a non-empty list")
        return []
    return [_text(v, where, f"{field_name}[{i}]", errors) for i, v in enumerate(value, 1)]


def _per_age(value: Any, where: str, field_name: str, errors: _Errors) -> dict[str, str]:
    if not isinstance(value, dict):
        errors.add(where, field_name, f"must map each of {', '.join(AGE_GROUPS)} to text")
        return {}
    for extra in sorted(set(value) - set(AGE_GROUPS)):
        errors.add(where, f"{field_name}.{extra}", "is not an age group")
    return {age: _text(value.get(age), where, f"{field_name}.{age}", errors) for age in AGE_GROUPS}


def _load_vocabulary(path: Path, errors: _Errors) -> Vocabulary:
    where = _display(path)
    data = _read_yaml(path, errors) or {}
    categories: dict[str, tuple[str, ...]] = {}
    for name, spec in (data.get("categories") or {}).items():
        names = (spec or {}).get("names") or [name.replace("_", " ")]
        categories[name] = tuple(
            normalize(n) for n in _text_list(names, where, f"categories.{name}.names", errors)
        )
    problems: dict[str, ProblemTag] = {}
    for name, spec in (data.get("problems") or {}).items():
        spec = spec or {}
        keywords = _text_list(spec.get("keywords"), where, f"problems.{name}.keywords", errors)
        if not isinstance(spec.get("heavy", False), bool):
            errors.add(where, f"problems.{name}.heavy", "must be true or false")
        problems[name] = ProblemTag(
            name, tuple(_keyword(k) for k in keywords), bool(spec.get("heavy", False))
        )
    for kind, found in (("categories", categories), ("problems", problems)):
        if not found:
            errors.add(where, kind, "must list at least one entry")
    moods = _text_list(data.get("moods"), where, "moods", errors)
    settings = _text_list(data.get("settings"), where, "settings", errors)
    return Vocabulary(categories, problems, frozenset(moods), frozenset(settings))


def _placeholders(text: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        return {"<unbalanced braces>"}


def _load_messages(path: Path, vocabulary: Vocabulary, errors: _Errors) -> Messages:
    where = _display(path)
    data = _read_yaml(path, errors) or {}
    lines: dict[str, dict[str, str]] = {}
    raw_lines = data.get("lines") or {}
    for key, allowed in REQUIRED_LINES.items():
        lines[key] = _per_age(raw_lines.get(key), where, f"lines.{key}", errors)
        for age, text in lines[key].items():
            unknown = _placeholders(text) - allowed
            if unknown:
                errors.add(
                    where,
                    f"lines.{key}.{age}",
                    f"uses unknown placeholder(s) {sorted(unknown)}; allowed: {sorted(allowed)}",
                )
    for extra in sorted(set(raw_lines) - set(REQUIRED_LINES)):
        errors.add(where, f"lines.{extra}", "is not a line the bot uses")
    raw_buttons = data.get("buttons") or {}
    buttons = {
        key: _per_age(raw_buttons.get(key), where, f"buttons.{key}", errors)
        for key in REQUIRED_BUTTONS
    }
    raw_empathy = data.get("empathy") or {}
    empathy = {
        key: _per_age(raw_empathy.get(key), where, f"empathy.{key}", errors)
        for key in (GENERAL_EMPATHY, *vocabulary.problems)
    }
    for extra in sorted(set(raw_empathy) - set(empathy)):
        errors.add(where, f"empathy.{extra}", "is not a problem tag in _vocabulary.yml")
    return Messages(lines, buttons, empathy)


def _load_step(raw: Any, where: str, field_name: str, errors: _Errors) -> Step:
    if isinstance(raw, str):
        return Step(_text(raw, where, field_name, errors, limit=MAX_STEP_CHARS))
    if not isinstance(raw, dict):
        errors.add(where, field_name, "must be text, or a mapping with text (and count)")
        return Step("")
    for extra in sorted(set(raw) - _STEP_KEYS):
        errors.add(where, f"{field_name}.{extra}", "is not a step field (text, count)")
    text = _text(raw.get("text"), where, f"{field_name}.text", errors, limit=MAX_STEP_CHARS)
    count = raw.get("count")
    if count is not None:
        count = _text(count, where, f"{field_name}.count", errors, limit=MAX_STEP_CHARS)
    return Step(text, count or None)


def _duration(value: Any, where: str, field_name: str, errors: _Errors) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 60:
        errors.add(where, field_name, f"must be whole minutes from 1 to 60, got {value!r}")
        return 1
    return value


def _load_version(
    raw: Any, age: str, default_title: str, default_duration: int, where: str, errors: _Errors
) -> ExerciseVersion | None:
    field_name = f"versions.{age}"
    if not isinstance(raw, dict):
        errors.add(where, field_name, "must be a mapping with steps")
        return None
    for extra in sorted(set(raw) - _VERSION_KEYS):
        errors.add(
            where, f"{field_name}.{extra}", f"is not a version field {sorted(_VERSION_KEYS)}"
        )
    raw_steps = raw.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        errors.add(where, f"{field_name}.steps", "must be a non-empty list of steps")
        raw_steps = []
    steps = tuple(
        _load_step(s, where, f"{field_name}.steps[{i}]", errors) for i, s in enumerate(raw_steps, 1)
    )
    title = default_title
    if "title" in raw:
        title = _text(raw["title"], where, f"{field_name}.title", errors, limit=MAX_TITLE_CHARS)
    duration = default_duration
    if "duration_minutes" in raw:
        duration = _duration(
            raw["duration_minutes"], where, f"{field_name}.duration_minutes", errors
        )
    optional = {
        key: _text(raw[key], where, f"{field_name}.{key}", errors, limit=MAX_STEP_CHARS)
        for key in ("intro", "closing")
        if key in raw
    }
    return ExerciseVersion(
        age, title, steps, duration, optional.get("intro"), optional.get("closing")
    )


def _load_tags(
    raw: Any, vocabulary: Vocabulary, where: str, errors: _Errors
) -> dict[str, tuple[str, ...]]:
    """Tags per kind, in the order written (the first problem is the exercise's main one)."""
    allowed = {
        "problems": set(vocabulary.problems),
        "moods": set(vocabulary.moods),
        "settings": set(vocabulary.settings),
    }
    if not isinstance(raw, dict):
        errors.add(where, "tags", f"must map {', '.join(_TAG_KINDS)} to lists")
        raw = {}
    for extra in sorted(set(raw) - set(_TAG_KINDS)):
        errors.add(where, f"tags.{extra}", f"is not a tag kind {list(_TAG_KINDS)}")
    tags: dict[str, tuple[str, ...]] = {}
    for kind in _TAG_KINDS:
        values = raw.get(kind)
        if not isinstance(values, list) or not values:
            errors.add(where, f"tags.{kind}", "must be a non-empty list")
            values = []
        for value in values:
            if value not in allowed[kind]:
                errors.add(where, f"tags.{kind}", f"unknown tag {value!r} (see _vocabulary.yml)")
        tags[kind] = tuple(dict.fromkeys(v for v in values if v in allowed[kind]))
    return tags


def _load_exercise(
    raw: Any, category: str, index: int, vocabulary: Vocabulary, path: Path, errors: _Errors
) -> Exercise | None:
    file_where = _display(path)
    if not isinstance(raw, dict):
        errors.add(file_where, f"exercises[{index}]", "must be a mapping")
        return None
    exercise_id = raw.get("id")
    if not isinstance(exercise_id, str) or not _ID_PATTERN.match(exercise_id):
        errors.add(file_where, f"exercises[{index}].id", "must be lower_case_with_underscores text")
        exercise_id = f"<exercise {index}>"
    where = f"{file_where}: {exercise_id}"
    for extra in sorted(set(raw) - _EXERCISE_KEYS):
        errors.add(where, extra, f"is not an exercise field {sorted(_EXERCISE_KEYS)}")
    title = _text(raw.get("title"), where, "title", errors, limit=MAX_TITLE_CHARS)
    duration = _duration(raw.get("duration_minutes"), where, "duration_minutes", errors)
    names = _text_list(raw.get("names"), where, "names", errors)
    tags = _load_tags(raw.get("tags"), vocabulary, where, errors)

    not_for_raw = raw.get("not_for") or []
    if not isinstance(not_for_raw, list):
        errors.add(where, "not_for", "must be a list of age groups, like [youth]")
        not_for_raw = []
    for age in not_for_raw:
        if age not in AGE_GROUPS:
            errors.add(where, "not_for", f"unknown age group {age!r}; use {', '.join(AGE_GROUPS)}")
    not_for = frozenset(a for a in not_for_raw if a in AGE_GROUPS)
    reason = raw.get("not_for_reason")
    if not_for:
        reason = _text(reason, where, "not_for_reason", errors)
    elif reason is not None:
        errors.add(where, "not_for_reason", "is given but not_for lists no age group")

    raw_versions = raw.get("versions")
    if not isinstance(raw_versions, dict):
        errors.add(where, "versions", "must map age groups to versions")
        raw_versions = {}
    for extra in sorted(set(raw_versions) - set(AGE_GROUPS)):
        errors.add(where, f"versions.{extra}", f"is not an age group; use {', '.join(AGE_GROUPS)}")
    versions: dict[str, ExerciseVersion] = {}
    for age in AGE_GROUPS:
        if age in not_for:
            if age in raw_versions:
                errors.add(where, f"versions.{age}", "is given although not_for excludes it")
            continue
        if age not in raw_versions:
            errors.add(
                where,
                f"versions.{age}",
                "is missing; write one, or add the age group to not_for with a not_for_reason",
            )
            continue
        version = _load_version(raw_versions[age], age, title, duration, where, errors)
        if version is not None:
            versions[age] = version
    if not_for == set(AGE_GROUPS):
        errors.add(where, "not_for", "excludes every age group; remove the exercise instead")
    return Exercise(
        id=exercise_id,
        category=category,
        title=title,
        duration_minutes=duration,
        problems=frozenset(tags["problems"]),
        main_problem=tags["problems"][0] if tags["problems"] else "",
        moods=frozenset(tags["moods"]),
        settings=frozenset(tags["settings"]),
        names=tuple(normalize(n) for n in names),
        versions=versions,
        not_for=not_for,
        not_for_reason=reason if not_for else None,
        source=file_where,
    )


def _load_category_file(path: Path, vocabulary: Vocabulary, errors: _Errors) -> list[Exercise]:
    where = _display(path)
    data = _read_yaml(path, errors)
    if data is None:
        return []
    if not isinstance(data, dict):
        errors.add(where, "(file)", "must be a mapping with category and exercises")
        return []
    for extra in sorted(set(data) - {"category", "exercises"}):
        errors.add(where, extra, "is not a file field (category, exercises)")
    category = data.get("category")
    if category not in vocabulary.categories:
        errors.add(where, "category", f"unknown category {category!r} (see _vocabulary.yml)")
    elif category != path.stem:
        errors.add(where, "category", f"is {category!r} but the file is named {path.name}")
    raw_exercises = data.get("exercises")
    if not isinstance(raw_exercises, list) or not raw_exercises:
        errors.add(where, "exercises", "must be a non-empty list")
        return []
    loaded = [
        _load_exercise(raw, str(category), i, vocabulary, path, errors)
        for i, raw in enumerate(raw_exercises, 1)
    ]
    return [e for e in loaded if e is not None]


def load_library(directory: Path = EXERCISES_DIR) -> ExerciseLibrary:
    """Read and validate every file in `directory`; raise LibraryError listing all problems."""
    errors = _Errors()
    vocabulary = _load_vocabulary(directory / VOCABULARY_FILE, errors)
    messages = _load_messages(directory / MESSAGES_FILE, vocabulary, errors)
    exercises: dict[str, Exercise] = {}
    names: dict[str, str] = {}
    for path in sorted(directory.glob("*.yml")):
        if path.name.startswith("_"):
            continue
        for exercise in _load_category_file(path, vocabulary, errors):
            if exercise.id in exercises:
                errors.add(
                    exercise.source,
                    f"{exercise.id}.id",
                    f"duplicate id, also used in {exercises[exercise.id].source}",
                )
                continue
            exercises[exercise.id] = exercise
            for name in (*exercise.names, normalize(exercise.id)):
                if names.get(name, exercise.id) != exercise.id:
                    errors.add(
                        exercise.source,
                        f"{exercise.id}.names",
                        f"name {name!r} is also a name of {names[name]}",
                    )
                names.setdefault(name, exercise.id)
    if not exercises and not errors.items:
        errors.add(_display(directory), "(folder)", "holds no exercise files")
    if errors.items:
        raise LibraryError(errors.items)
    return ExerciseLibrary(exercises, vocabulary, messages, names)


@lru_cache(maxsize=1)
def get_library() -> ExerciseLibrary:
    """The library from the package folder, loaded once per process (start-up or first use)."""
    return load_library()
