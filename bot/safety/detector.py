"""Rule-based crisis detection over spaCy lemmas: the part of the safety net that
does not depend on a trained model.

Pure Python and spaCy, no Rasa imports, so that it can be unit-tested, run by
`python -m bot safety-eval --rules-only`, and wrapped by the Rasa NLU component.

How a message is judged:
1. It is normalised (slang, typos, contractions) and matched against the rules in
   bot/safety/patterns/<category>.yml with spaCy's `Matcher`.
2. Each match is checked against the guards in patterns/guards.yml: a negation
   in its own clause ("I'm not suicidal"), an idiom it is part of ("killing
   myself laughing"), someone else as the subject ("my friend self harms"), topic
   talk for bare topic words ("we learned about suicide prevention"), and a
   question the person answered "no" to.
3. Of the matches that survive, the most serious wins: high before medium, then
   medical (emergency services first) before suicide, violence, abuse, self-harm.

When in doubt the rules lean towards crisis (SAFETY.md §3): guards only cancel a
match when they recognise something specific, never because a match is weak.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from bot.safety.normalise import BOUNDARY, SENTENCE_END, ViewToken
from bot.safety.rules import PATTERNS_DIR, Combination, Guard, Rule, load_patterns

# Emergency first: a medical emergency needs emergency services before anything else;
# then danger to the user's life, then danger to someone else's, then abuse of the
# user, then self-harm. (All of them escalate; this only picks the category shown.)
CATEGORY_PRIORITY = ("medical", "suicide", "violence", "abuse", "self_harm")
_SEVERITY_RANK = {"high": 2, "medium": 1}
_LOOKAROUND = 2  # how many words `unless_next` / `unless_prev` look at


@dataclass(frozen=True)
class Detection:
    """A crisis found by the rules; `evidence` is the triggering words as written."""

    category: str
    severity: str
    evidence: str
    start: int
    end: int
    rule: str


@dataclass(frozen=True)
class Suppression:
    """A crisis pattern (or idiom) that the guards recognised as not a crisis here."""

    kind: str  # negation | idiom | third_party | topic | asked_and_denied
    rule: str  # the rule that was cancelled, or the idiom itself
    by: str  # the cue word or idiom that cancelled it
    evidence: str
    start: int
    end: int


@dataclass(frozen=True)
class Analysis:
    """Everything the rules saw: the detection (if any) and what was ruled out, and why.

    The NLU component uses `suppressed` to overrule the intent classifier when it
    calls an idiom, a negated statement, topic talk or someone else's story a
    crisis, and `crisis_words` to refuse a model-only crisis in a message without any word of
    crisis talk ("I went to the garden centre with my daughter").
    """

    detection: Detection | None
    suppressed: tuple[Suppression, ...]
    crisis_words: tuple[str, ...] = ()
    # No crisis, but a sign a counsellor would ask about directly (a risk factor
    # said of the writer): the category to ask about. None with a detection.
    ask: str | None = None
    # The risk factors (risk_factors.yml) present and not negated, anyone's.
    factors: tuple[str, ...] = ()

    @property
    def recognised_not_crisis(self) -> bool:
        return self.detection is None and bool(self.suppressed)


# Stands in for a rule when the guards look at a crisis word no rule matched.
_CONTEXT_RULE = Rule(
    key="context",
    category="none",
    id="context",
    severity="medium",
    means="a crisis word outside any rule",
    subject="self",
    mention=True,
    negatable=True,
    requires_any=frozenset(),
    unless_next=frozenset(),
    unless_prev=frozenset(),
    examples=(),
    source="",
)


@dataclass(frozen=True)
class _Match:
    rule: Rule
    start: int
    end: int  # exclusive, without trailing punctuation
    negatable: bool


class CrisisDetector:
    """Finds crisis messages with spaCy `Matcher` rules loaded from YAML.

    Built once per process from the project's spaCy pipeline (blank English +
    lookup lemmatizer); `analyse` then takes well under a millisecond per message.
    """

    def __init__(self, nlp: Language, patterns_dir: Path = PATTERNS_DIR) -> None:
        self.nlp = nlp
        self.normaliser, self.patterns = load_patterns(nlp, patterns_dir)
        strings = nlp.vocab.strings
        self._rule_matcher = Matcher(nlp.vocab)
        self._rule_of: dict[int, tuple[str, bool]] = {}
        for match_key, (rule_key, negatable, token_patterns) in self.patterns.rule_patterns.items():
            self._rule_matcher.add(match_key, token_patterns)
            self._rule_of[strings.add(match_key)] = (rule_key, negatable)
        self._guard_matcher = Matcher(nlp.vocab)
        self._guard_of: dict[int, str] = {}
        for guard_key, (_, token_patterns) in self.patterns.guard_patterns.items():
            self._guard_matcher.add(guard_key, token_patterns)
            self._guard_of[strings.add(guard_key)] = guard_key
        self._topic_matcher = Matcher(nlp.vocab)
        if self.patterns.topic_phrases:
            self._topic_matcher.add("topic", self.patterns.topic_phrases)
        self._denial_matcher = Matcher(nlp.vocab)
        if self.patterns.denial_phrases:
            self._denial_matcher.add("denial", self.patterns.denial_phrases)
        self._factor_matcher = Matcher(nlp.vocab)
        self._factor_of: dict[int, tuple[str, bool]] = {}
        for match_key, (name, negatable, token_patterns) in self.patterns.factor_patterns.items():
            self._factor_matcher.add(f"factor:{match_key}", token_patterns)
            self._factor_of[strings.add(f"factor:{match_key}")] = (name, negatable)

    @property
    def rules(self) -> dict[str, Rule]:
        return self.patterns.rules

    @property
    def guards(self) -> dict[str, Guard]:
        return self.patterns.guards

    def detect(self, text: str) -> Detection | None:
        """The crisis in `text`, or None when the rules see no crisis."""
        return self.analyse(text).detection

    def analyse(self, text: str, doc: Doc | None = None) -> Analysis:
        """Judge one message. `doc` may be the spaCy doc Rasa already made of `text`."""
        if doc is None:
            doc = self.nlp.make_doc(text)
        source = text if len(text) == len(doc.text) else doc.text
        view = self.normaliser.view(doc, source)
        vdoc = self.normaliser.view_doc(view)
        return _Judgement(self, view, vdoc, source).run()


class _Judgement:
    """The working state of one `analyse` call."""

    def __init__(
        self, detector: CrisisDetector, view: list[ViewToken], vdoc: Doc, text: str
    ) -> None:
        self.d = detector
        self.p = detector.patterns
        self.view = view
        self.vdoc = vdoc
        self.text = text
        self.lemmas = [t.lemma for t in view]
        self.lemma_set = frozenset(self.lemmas)
        self._found_factors: dict[str, list[tuple[int, int, str]]] | None = None
        self._guards: list[tuple[Guard, int, int]] = []
        self.sentence: list[int] = []
        current = 0
        for token in view:
            self.sentence.append(current)
            if token.word in SENTENCE_END:
                current += 1

    # -- spans ----------------------------------------------------------------------

    def _trim(self, start: int, end: int) -> int:
        while end > start + 1 and self.view[end - 1].word in BOUNDARY:
            end -= 1
        return end

    def _evidence(self, start: int, end: int) -> tuple[str, int, int]:
        first, last = self.view[start], self.view[end - 1]
        return self.text[first.start : last.end], first.start, last.end

    def _is_boundary(self, i: int) -> bool:
        return (
            self.view[i].word in self.p.negation_breakers
            or self.lemmas[i] in self.p.negation_breakers
        )

    # -- guards ---------------------------------------------------------------------

    def _negation_cue(self, match: _Match) -> int | None:
        """Index of a negation cue that governs the match, if any.

        Scans back from the end of the match through the match and up to `window`
        words before it, stopping at a clause break (comma, "but", "just", "if",
        "why"...) or, before the match, a new "I" ("i cant sleep i want to die"),
        so that "I'm not okay, I want to die" stays a crisis while "I'm not going
        to kill myself" does not.
        """
        cues = self.p.negation_cues
        for i in range(match.end - 1, match.start - 1, -1):
            if self._is_boundary(i):
                return None
            if self.lemmas[i] in cues:
                return i
        for i in range(match.start - 1, max(-1, match.start - 1 - self.p.negation_window), -1):
            if self._is_boundary(i) or self.lemmas[i] in self.p.clause_starters:
                return None
            if self.lemmas[i] in cues:
                return i
        return None

    def _subject(self, match: _Match) -> tuple[str, int | None]:
        """Whose experience the match describes: ("self"|"other", index of the word)."""
        first, third = self.p.first_person, self.p.third_person
        if self.lemmas[match.start] in first:
            return "self", match.start
        sentence = self.sentence[match.start]
        for i in range(match.start - 1, -1, -1):
            if self.sentence[i] != sentence:
                break
            if self.lemmas[i] in first:
                return "self", i
            if self.lemmas[i] in third:
                return "other", i
        return "self", None

    def _lookaround_blocks(self, match: _Match) -> bool:
        rule = match.rule
        if rule.unless_next:
            after = [
                self.lemmas[i]
                for i in range(match.end, min(len(self.view), match.end + _LOOKAROUND))
                if self.view[i].word not in BOUNDARY
            ]
            if set(after) & rule.unless_next:
                return True
        if rule.unless_prev:
            before = self.lemmas[max(0, match.start - _LOOKAROUND) : match.start]
            if set(before) & rule.unless_prev:
                return True
        return False

    # -- the judgement --------------------------------------------------------------

    def run(self) -> Analysis:
        guards = []
        for match_id, start, end in self.d._guard_matcher(self.vdoc):
            guard = self.d.guards[self.d._guard_of[match_id]]
            if guard.requires_any and not (self.lemma_set & guard.requires_any):
                continue
            if self.lemma_set & guard.unless_any:
                continue
            guards.append((guard, start, self._trim(start, end)))
        self._guards = guards
        topic_in_message = bool(self.d._topic_matcher(self.vdoc))
        denials = [start for _, start, _ in self.d._denial_matcher(self.vdoc)]

        suppressed: list[Suppression] = []
        candidates: list[_Match] = []
        seen: set[tuple[str, int, int]] = set()
        for match_id, start, end in self.d._rule_matcher(self.vdoc):
            rule_key, negatable = self.d._rule_of[match_id]
            rule = self.d.rules[rule_key]
            end = self._trim(start, end)
            if (rule_key, start, end) in seen:
                continue
            seen.add((rule_key, start, end))
            match = _Match(rule, start, end, negatable)
            if rule.requires_any and not (self.lemma_set & rule.requires_any):
                continue
            if self._lookaround_blocks(match):
                continue
            reason = self._why_not(match, guards, topic_in_message, denials)
            if reason is None:
                candidates.append(match)
            else:
                kind, by_index_or_key = reason
                evidence, s, e = self._evidence(start, end)
                by = (
                    by_index_or_key
                    if isinstance(by_index_or_key, str)
                    else self.view[by_index_or_key].word
                )
                suppressed.append(Suppression(kind, rule_key, by, evidence, s, e))
        for guard, start, end in guards:
            if not any(s.by == guard.key for s in suppressed):
                evidence, s, e = self._evidence(start, end)
                suppressed.append(Suppression("idiom", guard.key, guard.key, evidence, s, e))
        detection = self._choose(candidates) or self._combine()
        ask = None
        if detection is None:
            suppressed += self._context_of_crisis_words(topic_in_message)
            # Something the guards recognised (a negation, an idiom, topic talk,
            # someone else's story) explains the message: no question.
            ask = None if suppressed else self._ask()
        words = tuple(sorted({w for w in self.lemmas if w in self.p.crisis_words}))
        factors = tuple(sorted(self._factors())) if detection is None else ()
        return Analysis(detection, tuple(suppressed), words, ask, factors)

    def _ask(self) -> str | None:
        """The category to ask about when one sign stands alone, or None.

        A factor marked `ask:` in risk_factors.yml, not negated (and for suicide
        and self-harm, said of the writer), is not a crisis on its own, but a
        counsellor would ask directly.
        (The NLU component also asks when the intent classifier leans towards
        crisis without confirming it.)
        """
        categories = set()
        for name, hits in self._factors().items():
            category = self.p.factor_asks.get(name)
            # Suicide and self-harm are asked about when said of the writer; abuse,
            # violence and emergencies name someone else by their nature ("my
            # boyfriend checks my phone").
            if category and (
                category not in ("suicide", "self_harm")
                or any(whose != "other" for _, _, whose in hits)
            ):
                categories.add(category)
        for category in CATEGORY_PRIORITY:
            if category in categories:
                return category
        return None

    def _factors(self) -> dict[str, list[tuple[int, int, str]]]:
        """Each risk factor present: (start, end, whose) of every match not negated.

        A match inside an idiom the guards recognise ("I could strangle my brother",
        "the best rifle in COD") is not a factor either.
        """
        if self._found_factors is not None:
            return self._found_factors
        idioms = [
            (start, end)
            for guard, start, end in self._guards
            if guard.scope == "overlap" and any(c != "none" for c in guard.suppresses)
        ]
        found: dict[str, list[tuple[int, int, str]]] = {}
        for match_id, start, end in self.d._factor_matcher(self.vdoc):
            name, negatable = self.d._factor_of[match_id]
            end = self._trim(start, end)
            match = _Match(_CONTEXT_RULE, start, end, negatable)
            if negatable and self._negation_cue(match) is not None:
                continue
            if any(s < end and start < e for s, e in idioms):
                continue
            subject, _ = self._subject(match)
            found.setdefault(name, []).append((start, end, subject))
        self._found_factors = found
        return found

    def _guarded(self, category: str, spans: list[tuple[int, int, str]]) -> bool:
        """A combination one of whose parts lies inside words a guard for its category explains.

        ("cried at the vets saying goodbye to our old cat": a goodbye, to a pet.) Only
        the guard's own words count, whatever its scope: a combination's parts can lie
        far apart in a long sentence, and a guard's phrase should explain a part, not
        cancel the rest.
        """
        return any(
            category in guard.suppresses and start < e and s < end
            for guard, start, end in self._guards
            for s, e, _ in spans
        )

    def _combine(self) -> Detection | None:
        """The most serious combination of risk factors in the message, when no rule fired."""
        found = self._factors()
        if not found:
            return None
        best: tuple[tuple[int, int], Combination, int, int] | None = None
        for combo in self.p.combinations.values():
            if any(name in found for name in combo.unless):
                continue
            spans = _assign(combo, found)
            if spans is None or self._guarded(combo.category, spans):
                continue
            rank = (_SEVERITY_RANK[combo.severity], -CATEGORY_PRIORITY.index(combo.category))
            start = min(s for s, _, _ in spans)
            end = max(e for _, e, _ in spans)
            if best is None or rank > best[0]:
                best = (rank, combo, start, end)
        if best is None:
            return None
        _, combo, start, end = best
        evidence, s, e = self._evidence(start, end)
        return Detection(
            category=combo.category,
            severity=combo.severity,
            evidence=evidence,
            start=s,
            end=e,
            rule=combo.key,
        )

    def _context_of_crisis_words(self, topic_in_message: bool) -> list[Suppression]:
        """Crisis words that no rule matched, but whose context the guards recognise.

        "I didn't take any pills", "my friend's grandad died", "I'm reading a murder
        mystery": no rule fires, yet the intent classifier may still call them a
        crisis. These findings only overrule the model; they never cancel a rule match.
        """
        found: list[Suppression] = []
        for i, lemma in enumerate(self.lemmas):
            if lemma not in self.p.crisis_words:
                continue
            word = _Match(_CONTEXT_RULE, i, i + 1, True)
            evidence, s, e = self._evidence(i, i + 1)
            cue = self._negation_cue(word)
            if cue is not None:
                found.append(
                    Suppression("negation", "context", self.view[cue].word, evidence, s, e)
                )
                continue
            sentence = self.sentence[i]
            topical = topic_in_message or any(
                self.sentence[j] == sentence and lem in self.p.topic_cues
                for j, lem in enumerate(self.lemmas)
            )
            if topical:
                found.append(Suppression("topic", "context", lemma, evidence, s, e))
                continue
            subject, index = self._subject(word)
            me_after = False  # "my dad hits me": the user is the one harmed
            for j in range(i + 1, len(self.view)):
                if self.view[j].word in BOUNDARY:
                    break
                if self.lemmas[j] in self.p.first_person:
                    me_after = True
                    break
            if subject == "other" and index is not None and not me_after:
                by = self.view[index].word
                found.append(Suppression("third_party", "context", by, evidence, s, e))
        return found

    def _why_not(
        self,
        match: _Match,
        guards: list[tuple[Guard, int, int]],
        topic_in_message: bool,
        denials: list[int],
    ) -> tuple[str, int | str] | None:
        rule = match.rule
        for guard, start, end in guards:
            if rule.category not in guard.suppresses:
                continue
            if guard.scope == "overlap" and start < match.end and match.start < end:
                return "idiom", guard.key
            if guard.scope == "sentence" and self.sentence[start] == self.sentence[match.start]:
                return "idiom", guard.key
            if guard.scope == "message":
                return "idiom", guard.key
        if match.negatable:
            cue = self._negation_cue(match)
            if cue is not None:
                return "negation", cue
            if any(d >= match.end for d in denials):
                asked = [i for i in range(match.start) if self.lemmas[i] in self.p.ask_words]
                if asked:
                    return "asked_and_denied", asked[-1]
        if rule.subject != "any":
            subject, index = self._subject(match)
            if subject != rule.subject:
                return "third_party", index if index is not None else match.start
        if rule.mention:
            sentence = self.sentence[match.start]
            for i, lemma in enumerate(self.lemmas):
                if self.sentence[i] == sentence and lemma in self.p.topic_cues:
                    return "topic", i
            if topic_in_message:
                return "topic", match.start
        return None

    def _choose(self, candidates: list[_Match]) -> Detection | None:
        if not candidates:
            return None

        def within(m: _Match) -> tuple[int, int, int]:
            # The most specific reading of a category: a full phrase over a bare
            # topic word, a longer phrase over a part of it ("urge to hurt myself"
            # over "hurt myself"), then the more serious.
            return (0 if m.rule.mention else 1, m.end - m.start, _SEVERITY_RANK[m.rule.severity])

        best: dict[str, _Match] = {}
        for m in candidates:
            current = best.get(m.rule.category)
            if current is None or within(m) > within(current):
                best[m.rule.category] = m
        chosen = max(
            best.values(),
            key=lambda m: (
                _SEVERITY_RANK[m.rule.severity],
                -CATEGORY_PRIORITY.index(m.rule.category),
            ),
        )
        evidence, start, end = self._evidence(chosen.start, chosen.end)
        return Detection(
            category=chosen.rule.category,
            severity=chosen.rule.severity,
            evidence=evidence,
            start=start,
            end=end,
            rule=chosen.rule.key,
        )


Hit = tuple[int, int, str]  # start, end, whose


def _assign(combo: Combination, found: dict[str, list[Hit]]) -> list[Hit] | None:
    """One match per group of the combination, none overlapping another, or None.

    Each group needs a match of its own ("keeps my card" is one sign of control,
    not two), so the search backtracks: "going round tonight with the axe" must
    give "going round" to the intent and "axe" to the weapon, whichever group
    lists both. At least one part must be said of the subject ("my dad's pistol"
    is still the writer's means when the writer says "I know where I'll go").
    """
    groups = [
        sorted(
            (hit for name in group for hit in found.get(name, ())),
            key=lambda hit: (hit[2] != combo.subject, hit[0]),
        )
        for group in combo.factors
    ]

    def search(i: int, chosen: list[Hit]) -> list[Hit] | None:
        if i == len(groups):
            if combo.subject != "any" and all(hit[2] != combo.subject for hit in chosen):
                return None
            return chosen
        for hit in groups[i]:
            if any(hit[0] < e and s < hit[1] for s, e, _ in chosen):
                continue
            result = search(i + 1, [*chosen, hit])
            if result is not None:
                return result
        return None

    return search(0, [])
