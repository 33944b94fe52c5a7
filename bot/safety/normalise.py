"""Turns what people type into the words the crisis rules are written in.

People in distress write fast: slang ("kms"), algospeak ("sewerslide", "su1c1de"),
typos ("kil myself", "suicidl"), stretched words ("dieee"), self-censored words
("s*icide", "k*ll"), contractions without
apostrophes ("im gonna", "dont"). The rules should not have to spell out every
variant, so each message is first rewritten into a *view*: a list of lower-case
words with lemmas from the project's lookup lemmatizer, each remembering the
characters of the original message it came from (for the evidence shown to
staff). Spelling tables live in YAML (lexicon.yml and the `spelling:`/`phrases:`
sections of the pattern files) so that a counsellor can add a new slang word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc

# Digits and symbols people use for letters ("su1c1de", "h@rm", "k!ll").
_LEET = str.maketrans(
    {"1": "i", "3": "e", "0": "o", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
_LEET_CHARS = frozenset("130457@$!")
_DOTTED = re.compile(r"^(?:[a-z]\.){2,}[a-z]?\.?$")  # "k.m.s", "s.h."
_RUN3 = re.compile(r"(.)\1{2,}")
_RUN2 = re.compile(r"(.)\1+")
_MASK = "*"  # "s*icide", "k*ll myself": each star hides one letter
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
# A number this large before "pills"/"tablets" is an overdose amount, not a dose.
MANY_THRESHOLD = 8
SENTENCE_END = frozenset({".", "!", "?", ";", "\n"})
BOUNDARY = frozenset({".", "!", "?", ";", ",", ":", "\n", "(", ")", "…"})


@dataclass(frozen=True)
class ViewToken:
    """One normalised word and the span of the original message it came from."""

    word: str
    lemma: str
    start: int
    end: int


@dataclass(frozen=True)
class Spelling:
    """The spelling tables: one typed word, or a run of words, to what the rules read.

    `fragments` rewrite the glued pieces of contractions ("im" → "i" + "m" → "am")
    only when spaCy split them off the previous word, so that a lone "s" or "m"
    elsewhere keeps its meaning.
    """

    words: Mapping[str, tuple[str, ...]]
    phrases: Mapping[tuple[str, ...], tuple[str, ...]]
    fragments: Mapping[str, str]
    fragment_heads: Mapping[str, str]
    lemmas: Mapping[str, str]
    vocabulary: frozenset[str]


def _damerau1(a: str, b: str) -> bool:
    """True when `a` and `b` differ by one edit (insert, delete, substitute, swap)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


class Normaliser:
    """Builds the view of a message; shared by the rule compiler and the detector."""

    def __init__(self, nlp: Language, spelling: Spelling, typo_targets: Iterable[str] = ()) -> None:
        self._nlp = nlp
        self._spelling = spelling
        table = None
        if "lemmatizer" in nlp.pipe_names:
            lookups = nlp.get_pipe("lemmatizer").lookups
            if lookups.has_table("lemma_lookup"):
                table = lookups.get_table("lemma_lookup")
        self._table = table
        # The lookup table holds inflected forms and lemmas but not most function
        # words ("here", "me"), so spaCy's stop words count as known too: a typo is
        # only ever corrected *from* a word nobody would type on purpose.
        known = set(spelling.vocabulary) | set(spelling.words) | set(STOP_WORDS)
        if table is not None:
            known |= {value for value in table.values() if isinstance(value, str)}
        self._known_lemmas = frozenset(known)
        self._phrase_lengths = sorted({len(key) for key in spelling.phrases}, reverse=True)
        self._typo_targets: tuple[str, ...] = ()
        self._rule_words: frozenset[str] = frozenset()
        self._mask_targets: tuple[str, ...] = ()
        self.set_typo_targets(typo_targets)
        self._typo_cache: dict[str, str | None] = {}

    @property
    def nlp(self) -> Language:
        return self._nlp

    def set_typo_targets(self, words: Iterable[str]) -> None:
        """Words worth correcting a typo towards: the rules' own vocabulary."""
        words = set(words)
        # a word the rules use is never a typo of another one ("easter" is not "easier")
        self._rule_words = frozenset(words)
        self._typo_targets = tuple(sorted({w for w in words if len(w) >= 5 and w.isalpha()}))
        # Self-censored words are read against the rules' vocabulary and slang,
        # short words included ("k*ll"), since the letters left pin the word down.
        self._mask_targets = tuple(
            sorted({w for w in words | set(self._spelling.words) if len(w) >= 4 and w.isalpha()})
        )
        self._typo_cache = {}

    # -- single words -------------------------------------------------------------

    def is_known(self, word: str) -> bool:
        if word in self._known_lemmas or word in self._spelling.lemmas or word in self._rule_words:
            return True
        return self._table is not None and word in self._table

    def lemma(self, word: str) -> str:
        """The dictionary form used for matching ("cutting" → "cut", "pills" → "pill")."""
        if word in self._spelling.lemmas:
            return self._spelling.lemmas[word]
        if word.isdigit():
            return "many" if int(word) >= MANY_THRESHOLD else word
        if self._table is not None:
            found = self._table.get(word)
            if isinstance(found, str):
                return found
        return word

    def _unmask(self, word: str) -> str | None:
        """The one vocabulary word a self-censored word stands for ("s*icide")."""
        letters = word.replace(_MASK, "")
        if len(word) < 4 or len(letters) < 2 or not letters.isalpha():
            return None
        if word[0] == _MASK:
            return None  # too little left to tell which word it is
        pattern = re.compile(re.escape(word).replace(re.escape(_MASK), "[a-z]"))
        matches = [t for t in self._mask_targets if len(t) == len(word) and pattern.fullmatch(t)]
        return matches[0] if len(matches) == 1 else None

    def _correct_typo(self, word: str) -> str | None:
        if word in self._typo_cache:
            return self._typo_cache[word]
        found = None
        if _MASK in word:
            found = self._unmask(word)
        elif len(word) >= 5 and word.isalpha():
            matches = [t for t in self._typo_targets if _damerau1(word, t)]
            # "suicidl" is one edit from both "suicidal" and "suicide": either
            # reading leads to the same rules, so take the first.
            found = matches[0] if matches else None
        self._typo_cache[word] = found
        return found

    def _clean(self, word: str) -> str:
        """Undo leetspeak, dotted letters, stretched letters and typos of one word."""
        if word in self._spelling.words or self.is_known(word):
            return word
        candidates = [word]
        if _DOTTED.match(word):
            candidates.insert(0, word.replace(".", ""))
        if any(ch.isalpha() for ch in word) and any(ch in _LEET_CHARS for ch in word):
            candidates.insert(0, word.translate(_LEET))
        for candidate in candidates:
            if candidate in self._spelling.words or self.is_known(candidate):
                return candidate
            for squeezed in (
                _RUN3.sub(r"\1", candidate),
                _RUN3.sub(r"\1\1", candidate),
                _RUN2.sub(r"\1", candidate),
            ):
                if squeezed != candidate and (
                    squeezed in self._spelling.words or self.is_known(squeezed)
                ):
                    return squeezed
            corrected = self._correct_typo(candidate)
            if corrected:
                return corrected
        return word

    def _expand(self, word: str) -> tuple[str, ...]:
        replacement = self._spelling.words.get(word)
        return (word,) if replacement is None else replacement

    # -- whole messages -----------------------------------------------------------

    def view(self, doc: Doc, text: str | None = None, sentinel: bool = True) -> list[ViewToken]:
        """The normalised words of a spaCy doc, with offsets into `text` (or doc.text).

        With `sentinel`, a final "." is added when the message does not end a
        sentence, so that rules can ask for "the end of a clause" (`$`).
        """
        raw = self._raw_tokens(doc)
        words: list[tuple[str, int, int]] = []
        for low, start, end, is_fragment in self._join_spelled_out(raw):
            if is_fragment:
                words.append((low, start, end))
                continue
            for piece in self._expand(self._clean(low)):
                if piece:
                    words.append((piece, start, end))
        words = self._apply_phrases(words)
        view = [ViewToken(w, self.lemma(w), s, e) for w, s, e in words]
        if sentinel and (not view or view[-1].word not in SENTENCE_END):
            end = len(text if text is not None else doc.text)
            view.append(ViewToken(".", ".", end, end))
        return view

    def _raw_tokens(self, doc: Doc) -> list[tuple[str, int, int, bool]]:
        """Lower-cased tokens; contraction pieces already rewritten (flag True)."""
        out: list[tuple[str, int, int, bool]] = []
        tokens = list(doc)
        for i, token in enumerate(tokens):
            low = token.text.translate(_APOSTROPHES).lower()
            start, end = token.idx, token.idx + len(token.text)
            if token.is_space:
                if "\n" in low:
                    out.append(("\n", start, end, True))
                continue
            glued_prev = i > 0 and tokens[i - 1].idx + len(tokens[i - 1].text) == token.idx
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            glued_next = nxt is not None and end == nxt.idx
            if glued_prev and low in self._spelling.fragments and tokens[i - 1].is_alpha:
                out.append((self._spelling.fragments[low], start, end, True))
                continue
            if (
                glued_next
                and nxt is not None
                and low in self._spelling.fragment_heads
                and nxt.text.translate(_APOSTROPHES).lower() in self._spelling.fragments
            ):
                out.append((self._spelling.fragment_heads[low], start, end, True))
                continue
            if low == "-" and glued_prev and glued_next and out:
                continue  # "self-harm", "step-dad": read the hyphenated word as words
            if low.endswith(".") and len(low) > 1 and not _DOTTED.match(low):
                low = low.rstrip(".")
            out.append((low, start, end, False))
        return out

    def _join_spelled_out(
        self, raw: list[tuple[str, int, int, bool]]
    ) -> list[tuple[str, int, int, bool]]:
        """Read letters typed one by one ("k m s", "s u i c i d e") as one word."""
        out: list[tuple[str, int, int, bool]] = []
        i = 0
        while i < len(raw):
            j = i
            while j < len(raw) and not raw[j][3] and len(raw[j][0]) == 1 and raw[j][0].isalpha():
                j += 1
            if j - i >= 3:
                joined = self._clean("".join(low for low, _, _, _ in raw[i:j]))
                if joined in self._spelling.words or self.is_known(joined):
                    out.append((joined, raw[i][1], raw[j - 1][2], False))
                    i = j
                    continue
            out.append(raw[i])
            i += 1
        return out

    def _apply_phrases(self, words: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
        if not self._phrase_lengths:
            return words
        out: list[tuple[str, int, int]] = []
        i = 0
        while i < len(words):
            for n in self._phrase_lengths:
                key = tuple(w for w, _, _ in words[i : i + n])
                if len(key) == n and key in self._spelling.phrases:
                    start, end = words[i][1], words[i + n - 1][2]
                    out.extend((piece, start, end) for piece in self._spelling.phrases[key])
                    i += n
                    break
            else:
                out.append(words[i])
                i += 1
        return out

    def words(self, text: str) -> list[str]:
        """The normalised words of a short phrase (used to compile rule text)."""
        return [t.word for t in self.view(self._nlp.make_doc(text), sentinel=False)]

    def view_doc(self, view: list[ViewToken]) -> Doc:
        """A spaCy Doc of the view, with lemmas set, for `Matcher`/`PhraseMatcher`."""
        return Doc(
            self._nlp.vocab,
            words=[t.word for t in view],
            spaces=[True] * len(view),
            lemmas=[t.lemma for t in view],
        )
