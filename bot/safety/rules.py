"""Loads the crisis patterns (bot/safety/patterns/*.yml) and compiles them for spaCy.

The rules are data, reviewable by a counsellor, in a small phrase language that
reads like the messages it describes. Each phrase is a run of items separated by
spaces; every item matches one word by its dictionary form (lemma), after the
message has been normalised (bot/safety/normalise.py):

    word       the word in any form: "cut" matches cut, cuts, cutting
    =word      exactly this form: "=took" matches "took" but not "take"
    {CLASS}    any word of a named list in lexicon.yml, e.g. {SELF}, {PERSON}
    [a|b|c]    any of these words
    item?      the item may be missing
    ~  or ~N   up to 3 (or N) other words in between, never across , . ! ?
    *          exactly one word of any kind
    $          the end of a sentence or clause (a full stop, comma, or the end)

Every problem names the file and the field, e.g.
`suicide.yml: rules[3].patterns[1]: unknown class {SLEF}`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from spacy.language import Language

from bot.safety.categories import CATEGORIES, SEVERITIES
from bot.safety.normalise import BOUNDARY, Normaliser, Spelling

PATTERNS_DIR = Path(__file__).with_name("patterns")
SUBJECTS = ("self", "other", "any")
_ITEM = re.compile(r"^(?P<body>\{[A-Z_]+\}|\[[^\]]+\]|=?[^\s?]+)(?P<opt>\?)?$")
_GAP = re.compile(r"^~(?P<n>\d+)?$")
_BOUNDARY_WORDS = sorted(BOUNDARY)


class PatternFileError(ValueError):
    """A pattern file is malformed; the message names the file and the field."""


@dataclass(frozen=True)
class Rule:
    """One reviewable crisis rule: what it means, how it is written, how it is guarded."""

    key: str  # "<category>/<id>", reported as Detection.rule
    category: str
    id: str
    severity: str
    means: str
    subject: str  # self: the writer must be the one at risk; other: someone else; any
    mention: bool  # a bare topic word: talk *about* it is not a crisis
    negatable: bool
    requires_any: frozenset[str]
    unless_next: frozenset[str]
    unless_prev: frozenset[str]
    examples: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Guard:
    """A pattern that shows a crisis word is *not* a crisis here (idiom, joke, accident)."""

    key: str
    kind: str  # "idiom"
    means: str
    # overlap: only a match it overlaps; sentence: any match in its sentence;
    # message: any match in the message ("It was years ago. I'm well now.")
    scope: str
    suppresses: frozenset[str]
    requires_any: frozenset[str]
    unless_any: frozenset[str]  # the guard does not apply when the message has one of these
    examples: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Combination:
    """A crisis told by several risk factors together, anywhere in one message.

    "The rope is in the boot of my car. I already know which tree." names no
    crisis word in either sentence; a means and a settled plan together do.
    """

    key: str  # "factors/<id>", reported as Detection.rule
    category: str
    severity: str
    means: str
    factors: tuple[tuple[str, ...], ...]  # each entry: one of these factors must be present
    unless: tuple[str, ...]  # no detection when one of these factors is present
    subject: str  # whose factors count: self (the writer), other, any
    examples: tuple[str, ...]
    source: str


@dataclass
class CompiledPatterns:
    """Everything the detector needs, ready for `Matcher.add`."""

    rules: dict[str, Rule] = field(default_factory=dict)
    guards: dict[str, Guard] = field(default_factory=dict)
    # match key -> (rule key, negatable) ; one key per phrase
    rule_patterns: dict[str, tuple[str, bool, list[list[dict[str, Any]]]]] = field(
        default_factory=dict
    )
    guard_patterns: dict[str, tuple[str, list[list[dict[str, Any]]]]] = field(default_factory=dict)
    negation_cues: frozenset[str] = frozenset()
    negation_breakers: frozenset[str] = frozenset()
    negation_window: int = 5
    clause_starters: frozenset[str] = frozenset()
    topic_cues: frozenset[str] = frozenset()
    topic_phrases: list[list[dict[str, Any]]] = field(default_factory=list)
    first_person: frozenset[str] = frozenset()
    third_person: frozenset[str] = frozenset()
    ask_words: frozenset[str] = frozenset()
    crisis_words: frozenset[str] = frozenset()
    denial_phrases: list[list[dict[str, Any]]] = field(default_factory=list)
    # match key -> (risk factor name, negatable, its phrase); combinations, in file order
    factor_patterns: dict[str, tuple[str, bool, list[list[dict[str, Any]]]]] = field(
        default_factory=dict
    )
    factor_names: set[str] = field(default_factory=set)
    # factor name -> the category a counsellor would ask about when it is the
    # only sign (risk_factors.yml `ask:`); factors without it never ask.
    factor_asks: dict[str, str] = field(default_factory=dict)
    combinations: dict[str, Combination] = field(default_factory=dict)


def _fail(path: Path, where: str, problem: str) -> PatternFileError:
    return PatternFileError(f"{path.name}: {where}: {problem}")


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PatternFileError(f"{path.name}: cannot be read as YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise _fail(path, "(top level)", "must be a mapping")
    return raw


def _str_list(path: Path, where: str, value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(path, where, "must be a list of words or phrases")
    for item in value:
        if isinstance(item, bool):
            raise _fail(
                path, where, "YAML reads a bare no/yes/on/off as true/false; put it in quotes"
            )
        if not isinstance(item, str | int):
            raise _fail(path, where, f"must be a list of words or phrases, not {item!r}")
    return [str(v) for v in value]


def _words_map(path: Path, where: str, raw: Any) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _fail(path, where, "must map typed words to what the rules read")
    out: dict[str, tuple[str, ...]] = {}
    for key, value in raw.items():
        if isinstance(value, list):
            words = tuple(str(v) for v in value)
        elif value is None or isinstance(value, str):
            words = tuple((value or "").split())
        elif isinstance(value, bool):
            raise _fail(
                path, f"{where}.{key}", "YAML reads a bare no/yes/on/off as true/false; use quotes"
            )
        else:
            raise _fail(path, f"{where}.{key}", "must be text")
        out[str(key).lower()] = words
    return out


class _SpellingBuilder:
    """Collects spelling tables from lexicon.yml and the category files."""

    def __init__(self) -> None:
        self.words: dict[str, tuple[str, ...]] = {}
        self.phrases: dict[str, tuple[str, ...]] = {}
        self.fragments: dict[str, str] = {}
        self.fragment_heads: dict[str, str] = {}
        self.lemmas: dict[str, str] = {}
        self.vocabulary: set[str] = set()
        self.origin: dict[str, str] = {}

    def add(self, path: Path, raw: dict[str, Any]) -> None:
        for word, value in _words_map(path, "spelling", raw.get("spelling")).items():
            if word in self.words and self.words[word] != value:
                raise _fail(path, f"spelling.{word}", f"also defined in {self.origin[word]}")
            self.words[word] = value
            self.origin[word] = path.name
        for phrase, value in _words_map(path, "phrases", raw.get("phrases")).items():
            self.phrases[phrase] = value
        for word, value in _words_map(path, "lemmas", raw.get("lemmas")).items():
            if len(value) != 1:
                raise _fail(path, f"lemmas.{word}", "must be exactly one word")
            self.lemmas[word] = value[0]
        for section, target in (
            ("fragments", self.fragments),
            ("fragment_heads", self.fragment_heads),
        ):
            for word, value in _words_map(path, section, raw.get(section)).items():
                if len(value) != 1:
                    raise _fail(path, f"{section}.{word}", "must be exactly one word")
                target[word] = value[0]
        self.vocabulary.update(
            w.lower() for w in _str_list(path, "vocabulary", raw.get("vocabulary"))
        )

    def build(self, phrases: Mapping[tuple[str, ...], tuple[str, ...]]) -> Spelling:
        return Spelling(
            words=dict(self.words),
            phrases=dict(phrases),
            fragments=dict(self.fragments),
            fragment_heads=dict(self.fragment_heads),
            lemmas=dict(self.lemmas),
            vocabulary=frozenset(self.vocabulary),
        )


class PatternCompiler:
    """Turns phrase strings into spaCy Matcher token patterns."""

    def __init__(self, normaliser: Normaliser, classes: Mapping[str, frozenset[str]]) -> None:
        self._normaliser = normaliser
        self._classes = classes
        self.vocabulary: set[str] = set()

    def lemmas_of(self, path: Path, where: str, words: Iterable[str]) -> frozenset[str]:
        out: set[str] = set()
        multi: list[tuple[str, list[str]]] = []
        for word in words:
            if word.startswith("{") and word.endswith("}"):
                name = word[1:-1]
                if name not in self._classes:
                    raise _fail(path, where, f"unknown class {word}")
                out |= self._classes[name]
                continue
            # A filler the spelling table drops ("honestly") can still appear as the
            # output of a phrase ("not gonna lie" -> "honestly"): keep it as typed.
            pieces = self._normaliser.words(word) or [word.lower()]
            if len(pieces) != 1:
                multi.append((word, pieces))
                continue
            out.add(self._normaliser.lemma(pieces[0]))
        for word, pieces in multi:
            # "gonna" reads as "going to": fine in a list that already has "going".
            if self._normaliser.lemma(pieces[0]) not in out:
                raise _fail(
                    path, where, f"{word!r} reads as {' '.join(pieces)!r}; list single words"
                )
        return frozenset(out)

    def _words(self, path: Path, where: str, text: str) -> list[str]:
        if text.startswith("'") and " " not in text:
            # A contraction piece ("'m", "'s") is one word in a message, but the
            # tokenizer splits it when it stands alone.
            self.vocabulary.add(text.lower())
            return [text.lower()]
        words = self._normaliser.words(text)
        if not words:
            raise _fail(path, where, f"{text!r} has no words")
        self.vocabulary.update(words)
        return words

    def _item_tokens(self, path: Path, where: str, body: str) -> list[dict[str, Any]]:
        """The Matcher token(s) for one item of a phrase (see the module docstring)."""
        if body.startswith("{"):
            name = body[1:-1]
            if name not in self._classes:
                raise _fail(path, where, f"unknown class {body}")
            return [{"LEMMA": {"IN": sorted(self._classes[name])}}]
        if body.startswith("["):
            options = [o.strip() for o in body[1:-1].split("|") if o.strip()]
            if not options:
                raise _fail(path, where, f"empty choice {body}")
            exact = [o for o in options if o.startswith("=")]
            if not exact:
                lemmas = self.lemmas_of(path, where, options)
                self.vocabulary.update(lemmas)
                for option in options:
                    self.vocabulary.update(self._normaliser.words(option))
                return [{"LEMMA": {"IN": sorted(lemmas)}}]
            if len(exact) != len(options):
                raise _fail(path, where, f"{body}: use = on every choice or on none")
            forms = set()
            for option in options:
                words = self._words(path, where, option[1:])
                if len(words) != 1:
                    raise _fail(path, where, f"{option!r} is not one word")
                forms.add(words[0])
            return [{"LOWER": {"IN": sorted(forms)}}]
        if body.startswith("="):
            return [{"LOWER": w} for w in self._words(path, where, body[1:])]
        return [{"LEMMA": self._normaliser.lemma(w)} for w in self._words(path, where, body)]

    def compile(self, path: Path, where: str, phrase: str) -> list[dict[str, Any]]:
        items = phrase.split()
        if not items:
            raise _fail(path, where, "is empty")
        tokens: list[dict[str, Any]] = []
        for item in items:
            gap = _GAP.match(item)
            if gap:
                n = int(gap.group("n") or 3)
                tokens += [{"LOWER": {"NOT_IN": _BOUNDARY_WORDS}, "OP": "?"} for _ in range(n)]
                continue
            if item == "*":
                tokens.append({"LOWER": {"NOT_IN": _BOUNDARY_WORDS}})
                continue
            if item == "$":
                tokens.append({"LOWER": {"IN": _BOUNDARY_WORDS}})
                continue
            parsed = _ITEM.match(item)
            if not parsed:
                raise _fail(path, where, f"cannot read {item!r}")
            body, optional = parsed.group("body"), bool(parsed.group("opt"))
            if body[0] not in "{[" and any(ch in body for ch in "[]{}|"):
                raise _fail(path, where, f"cannot read {item!r}: a choice [a|b] holds single words")
            new = self._item_tokens(path, where, body)
            if optional:
                for token in new:
                    token["OP"] = "?"
            tokens += new
        if all(token.get("OP") == "?" for token in tokens):
            raise _fail(path, where, "every item is optional, so it would match anything")
        return tokens


def _bool(path: Path, where: str, raw: Any, default: bool) -> bool:
    if raw is None:
        return default
    if not isinstance(raw, bool):
        raise _fail(path, where, "must be true or false")
    return raw


def _text(path: Path, where: str, raw: Any, required: bool = True) -> str:
    if raw is None and not required:
        return ""
    if not isinstance(raw, str) or not raw.strip():
        raise _fail(path, where, "must be text")
    return raw.strip()


def load_patterns(
    nlp: Language, directory: Path = PATTERNS_DIR
) -> tuple[Normaliser, CompiledPatterns]:
    """Read lexicon.yml, guards.yml and one file per category; compile them all."""
    lexicon_path = directory / "lexicon.yml"
    guards_path = directory / "guards.yml"
    factors_path = directory / "risk_factors.yml"
    category_paths = {c: directory / f"{c}.yml" for c in CATEGORIES}
    for path in [lexicon_path, guards_path, factors_path, *category_paths.values()]:
        if not path.exists():
            raise PatternFileError(f"{path.name}: missing from {directory}")

    lexicon = _read(lexicon_path)
    guards_raw = _read(guards_path)
    category_raw = {c: _read(p) for c, p in category_paths.items()}

    spelling = _SpellingBuilder()
    spelling.add(lexicon_path, lexicon)
    for c, path in category_paths.items():
        spelling.add(path, category_raw[c])

    # Phrase keys are themselves normalised, so that "not gonna lie" is written once.
    bare = Normaliser(nlp, spelling.build({}))
    phrases = {tuple(bare.words(k)): v for k, v in spelling.phrases.items()}
    normaliser = Normaliser(nlp, spelling.build(phrases))

    classes_raw = lexicon.get("classes") or {}
    if not isinstance(classes_raw, dict):
        raise _fail(lexicon_path, "classes", "must map NAMES to lists of words")
    classes: dict[str, frozenset[str]] = {}
    compiler = PatternCompiler(normaliser, classes)
    for name, words in classes_raw.items():
        if not re.fullmatch(r"[A-Z_]+", str(name)):
            raise _fail(lexicon_path, f"classes.{name}", "class names are CAPITALS")
        classes[str(name)] = compiler.lemmas_of(
            lexicon_path, f"classes.{name}", _str_list(lexicon_path, f"classes.{name}", words)
        )

    out = CompiledPatterns()
    words = _str_list(lexicon_path, "crisis_words", lexicon.get("crisis_words"))
    if not words:
        raise _fail(lexicon_path, "crisis_words", "must list the words of crisis talk")
    out.crisis_words = compiler.lemmas_of(lexicon_path, "crisis_words", words)
    _load_guards(guards_path, guards_raw, compiler, out)
    for category, path in category_paths.items():
        _load_category(path, category, category_raw[category], compiler, out)
    _load_factors(factors_path, _read(factors_path), compiler, out)
    normaliser.set_typo_targets(compiler.vocabulary)
    return normaliser, out


def _load_category(
    path: Path, category: str, raw: dict[str, Any], compiler: PatternCompiler, out: CompiledPatterns
) -> None:
    allowed_top = {
        "category", "subject", "spelling", "phrases", "lemmas", "fragments",
        "fragment_heads", "vocabulary", "rules",
    }  # fmt: skip
    unknown_top = sorted(set(raw) - allowed_top)
    if unknown_top:
        raise _fail(path, unknown_top[0], f"unknown field (allowed: {sorted(allowed_top)})")
    if raw.get("category") != category:
        raise _fail(path, "category", f"must be {category!r} (the file name)")
    default_subject = raw.get("subject", "self")
    if default_subject not in SUBJECTS:
        raise _fail(path, "subject", f"must be one of {SUBJECTS}")
    rules = raw.get("rules")
    if not isinstance(rules, list) or not rules:
        raise _fail(path, "rules", "must be a non-empty list")
    for i, rule_raw in enumerate(rules):
        where = f"rules[{i}]"
        if not isinstance(rule_raw, dict):
            raise _fail(path, where, "must be a mapping")
        rule_id = _text(path, f"{where}.id", rule_raw.get("id"))
        where = f"rules[{i}] ({rule_id})"
        key = f"{category}/{rule_id}"
        if key in out.rules:
            raise _fail(path, f"{where}.id", "is used twice")
        allowed = {
            "id", "severity", "means", "subject", "mention", "negatable", "requires_any",
            "unless_next", "unless_prev", "patterns", "examples",
        }  # fmt: skip
        unknown = sorted(set(rule_raw) - allowed)
        if unknown:
            raise _fail(
                path, f"{where}.{unknown[0]}", f"unknown field (allowed: {sorted(allowed)})"
            )
        severity = rule_raw.get("severity")
        if severity not in SEVERITIES:
            raise _fail(path, f"{where}.severity", f"must be one of {SEVERITIES}")
        subject = rule_raw.get("subject", default_subject)
        if subject not in SUBJECTS:
            raise _fail(path, f"{where}.subject", f"must be one of {SUBJECTS}")
        patterns = _str_list(path, f"{where}.patterns", rule_raw.get("patterns"))
        if not patterns:
            raise _fail(path, f"{where}.patterns", "needs at least one phrase")
        rule = Rule(
            key=key,
            category=category,
            id=rule_id,
            severity=severity,
            means=_text(path, f"{where}.means", rule_raw.get("means")),
            subject=subject,
            mention=_bool(path, f"{where}.mention", rule_raw.get("mention"), False),
            negatable=_bool(path, f"{where}.negatable", rule_raw.get("negatable"), True),
            requires_any=compiler.lemmas_of(
                path, f"{where}.requires_any", _str_list(path, where, rule_raw.get("requires_any"))
            ),
            unless_next=compiler.lemmas_of(
                path, f"{where}.unless_next", _str_list(path, where, rule_raw.get("unless_next"))
            ),
            unless_prev=compiler.lemmas_of(
                path, f"{where}.unless_prev", _str_list(path, where, rule_raw.get("unless_prev"))
            ),
            examples=tuple(_str_list(path, f"{where}.examples", rule_raw.get("examples"))),
            source=path.name,
        )
        if not rule.examples:
            raise _fail(path, f"{where}.examples", "give at least one example message")
        out.rules[key] = rule
        for j, phrase in enumerate(patterns):
            tokens = compiler.compile(path, f"{where}.patterns[{j}]", phrase)
            # A phrase that spells out its own negation ("no reason to live") must not
            # be cancelled by that same word.
            has_cue = _spells_negation(tokens, out.negation_cues)
            out.rule_patterns[f"{key}#{j}"] = (key, rule.negatable and not has_cue, [tokens])


def _spells_negation(tokens: list[dict[str, Any]], cues: frozenset[str]) -> bool:
    for token in tokens:
        lemma = token.get("LEMMA")
        if isinstance(lemma, str) and lemma in cues:
            return True
        if isinstance(lemma, dict) and set(lemma.get("IN", [])) & cues:
            return True
    return False


def _load_guards(
    path: Path, raw: dict[str, Any], compiler: PatternCompiler, out: CompiledPatterns
) -> None:
    negation = raw.get("negation")
    if not isinstance(negation, dict):
        raise _fail(path, "negation", "must hold cues, breakers and window")
    out.negation_cues = compiler.lemmas_of(
        path, "negation.cues", _str_list(path, "negation.cues", negation.get("cues"))
    )
    breakers = _str_list(path, "negation.breakers", negation.get("breakers"))
    out.negation_breakers = compiler.lemmas_of(path, "negation.breakers", breakers) | frozenset(
        BOUNDARY
    )
    window = negation.get("window", 5)
    if not isinstance(window, int) or not 1 <= window <= 10:
        raise _fail(path, "negation.window", "must be a whole number from 1 to 10")
    out.negation_window = window
    out.clause_starters = compiler.lemmas_of(
        path,
        "negation.clause_starters",
        _str_list(path, "negation.clause_starters", negation.get("clause_starters")),
    )

    topic = raw.get("topic")
    if not isinstance(topic, dict):
        raise _fail(path, "topic", "must hold cues (and optional phrases)")
    out.topic_cues = compiler.lemmas_of(
        path, "topic.cues", _str_list(path, "topic.cues", topic.get("cues"))
    )
    out.topic_phrases = [
        compiler.compile(path, f"topic.phrases[{i}]", p)
        for i, p in enumerate(_str_list(path, "topic.phrases", topic.get("phrases")))
    ]

    subject = raw.get("subject")
    if not isinstance(subject, dict):
        raise _fail(path, "subject", "must hold first_person and third_person word lists")
    out.first_person = compiler.lemmas_of(
        path,
        "subject.first_person",
        _str_list(path, "subject.first_person", subject.get("first_person")),
    )
    out.third_person = compiler.lemmas_of(
        path,
        "subject.third_person",
        _str_list(path, "subject.third_person", subject.get("third_person")),
    )

    asked = raw.get("asked_and_denied")
    if not isinstance(asked, dict):
        raise _fail(path, "asked_and_denied", "must hold ask words and denial phrases")
    out.ask_words = compiler.lemmas_of(
        path, "asked_and_denied.ask", _str_list(path, "asked_and_denied.ask", asked.get("ask"))
    )
    out.denial_phrases = [
        compiler.compile(path, f"asked_and_denied.deny[{i}]", p)
        for i, p in enumerate(_str_list(path, "asked_and_denied.deny", asked.get("deny")))
    ]

    idioms = raw.get("idioms")
    if not isinstance(idioms, list):
        raise _fail(path, "idioms", "must be a list")
    for i, idiom in enumerate(idioms):
        where = f"idioms[{i}]"
        if not isinstance(idiom, dict):
            raise _fail(path, where, "must be a mapping")
        idiom_id = _text(path, f"{where}.id", idiom.get("id"))
        where = f"idioms[{i}] ({idiom_id})"
        key = f"idiom/{idiom_id}"
        if key in out.guards:
            raise _fail(path, f"{where}.id", "is used twice")
        scope = idiom.get("scope", "overlap")
        if scope not in ("overlap", "sentence", "message"):
            raise _fail(path, f"{where}.scope", "must be overlap, sentence or message")
        suppresses = _str_list(path, f"{where}.suppresses", idiom.get("suppresses")) or list(
            CATEGORIES
        )
        if suppresses == ["none"]:
            suppresses = []  # recognise only: tells the NLU component, cancels no rule
        bad = [c for c in suppresses if c not in CATEGORIES]
        if bad:
            raise _fail(path, f"{where}.suppresses", f"unknown category {bad[0]!r}")
        guard = Guard(
            key=key,
            kind="idiom",
            means=_text(path, f"{where}.means", idiom.get("means")),
            scope=scope,
            suppresses=frozenset(suppresses),
            requires_any=compiler.lemmas_of(
                path, f"{where}.requires_any", _str_list(path, where, idiom.get("requires_any"))
            ),
            unless_any=compiler.lemmas_of(
                path, f"{where}.unless_any", _str_list(path, where, idiom.get("unless_any"))
            ),
            examples=tuple(_str_list(path, f"{where}.examples", idiom.get("examples"))),
            source=path.name,
        )
        out.guards[key] = guard
        phrases = _str_list(path, f"{where}.patterns", idiom.get("patterns"))
        if not phrases:
            raise _fail(path, f"{where}.patterns", "needs at least one phrase")
        out.guard_patterns[key] = (
            key,
            [compiler.compile(path, f"{where}.patterns[{j}]", p) for j, p in enumerate(phrases)],
        )


def _load_factors(
    path: Path, raw: dict[str, Any], compiler: PatternCompiler, out: CompiledPatterns
) -> None:
    """risk_factors.yml: named factors (phrases) and the combinations that are a crisis."""
    unknown_top = sorted(set(raw) - {"factors", "combinations"})
    if unknown_top:
        raise _fail(path, unknown_top[0], "unknown field (allowed: factors, combinations)")
    factors = raw.get("factors")
    if not isinstance(factors, dict) or not factors:
        raise _fail(path, "factors", "must map factor names to their phrases")
    for name, spec in factors.items():
        where = f"factors.{name}"
        if not re.fullmatch(r"[a-z_]+", str(name)):
            raise _fail(path, where, "factor names are lower_case")
        if not isinstance(spec, dict) or set(spec) - {"means", "phrases", "negatable", "ask"}:
            raise _fail(path, where, "needs `means` and `phrases` (and may say `negatable`, `ask`)")
        factor_negatable = _bool(path, f"{where}.negatable", spec.get("negatable"), True)
        if "ask" in spec:
            if spec["ask"] not in CATEGORIES:
                raise _fail(path, f"{where}.ask", f"must be one of {sorted(CATEGORIES)}")
            out.factor_asks[str(name)] = spec["ask"]
        _text(path, f"{where}.means", spec.get("means"))
        phrases = _str_list(path, f"{where}.phrases", spec.get("phrases"))
        if not phrases:
            raise _fail(path, f"{where}.phrases", "needs at least one phrase")
        out.factor_names.add(str(name))
        for j, phrase in enumerate(phrases):
            tokens = compiler.compile(path, f"{where}.phrases[{j}]", phrase)
            negatable = factor_negatable and not _spells_negation(tokens, out.negation_cues)
            out.factor_patterns[f"{name}#{j}"] = (str(name), negatable, [tokens])
    combinations = raw.get("combinations")
    if not isinstance(combinations, list) or not combinations:
        raise _fail(path, "combinations", "must be a non-empty list")
    allowed = {"id", "category", "severity", "means", "all", "unless", "subject", "examples"}
    for i, spec in enumerate(combinations):
        where = f"combinations[{i}]"
        if not isinstance(spec, dict):
            raise _fail(path, where, "must be a mapping")
        unknown = sorted(set(spec) - allowed)
        if unknown:
            raise _fail(
                path, f"{where}.{unknown[0]}", f"unknown field (allowed: {sorted(allowed)})"
            )
        combo_id = _text(path, f"{where}.id", spec.get("id"))
        where = f"combinations[{i}] ({combo_id})"
        key = f"factors/{combo_id}"
        if key in out.combinations:
            raise _fail(path, f"{where}.id", "is used twice")
        if spec.get("category") not in CATEGORIES:
            raise _fail(path, f"{where}.category", f"must be one of {CATEGORIES}")
        if spec.get("severity") not in SEVERITIES:
            raise _fail(path, f"{where}.severity", f"must be one of {SEVERITIES}")
        subject = spec.get("subject", "self")
        if subject not in SUBJECTS:
            raise _fail(path, f"{where}.subject", f"must be one of {SUBJECTS}")
        required = spec.get("all")
        if not isinstance(required, list) or len(required) < 2:
            raise _fail(path, f"{where}.all", "list at least two factors (a | b: either)")
        groups = tuple(tuple(x.strip() for x in str(item).split("|")) for item in required)
        unless = tuple(_str_list(path, f"{where}.unless", spec.get("unless")))
        for name in [n for group in groups for n in group] + list(unless):
            if name not in out.factor_names:
                raise _fail(path, where, f"unknown factor {name!r}")
        examples = tuple(_str_list(path, f"{where}.examples", spec.get("examples")))
        if not examples:
            raise _fail(path, f"{where}.examples", "give at least one example message")
        out.combinations[key] = Combination(
            key=key,
            category=spec["category"],
            severity=spec["severity"],
            means=_text(path, f"{where}.means", spec.get("means")),
            factors=groups,
            unless=unless,
            subject=subject,
            examples=examples,
            source=path.name,
        )
