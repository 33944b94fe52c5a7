"""Naming feelings in a check-in: the words the bot recognises, skipping, and notes.

Recognised words are folded into a small shared vocabulary ("knackered",
"exhausted" → tired) so that trends and staff views read the same words; a
reply with no recognised word is kept as the person's own short phrase,
because their words matter more than our list. Negated words ("not stressed")
are not counted.
"""

from __future__ import annotations

import re

MAX_FEELING_CHARS = 40
MAX_NOTE_CHARS = 500

FEELING_WORDS: dict[str, tuple[str, ...]] = {
    "happy": ("happy", "glad", "cheerful", "joyful", "good", "great"),
    "excited": ("excited", "hyped", "pumped"),
    "calm": ("calm", "relaxed", "chill", "peaceful", "settled"),
    "content": ("content", "satisfied"),
    "hopeful": ("hopeful", "optimistic"),
    "grateful": ("grateful", "thankful"),
    "proud": ("proud",),
    "okay": ("okay", "ok", "alright", "fine", "meh"),
    "tired": ("tired", "exhausted", "sleepy", "drained", "worn out", "knackered", "weary"),
    "bored": ("bored",),
    "stressed": ("stressed", "stress", "stressy", "under pressure", "pressured"),
    "worried": ("worried", "worry", "concerned", "uneasy"),
    "anxious": ("anxious", "anxiety", "nervous", "panicky", "on edge"),
    "scared": ("scared", "afraid", "frightened"),
    "sad": ("sad", "unhappy", "upset", "miserable", "teary", "crying"),
    "down": ("down", "low", "depressed", "blue"),
    "lonely": ("lonely", "alone", "isolated", "left out"),
    "angry": ("angry", "mad", "annoyed", "irritated", "furious", "pissed"),
    "frustrated": ("frustrated",),
    "overwhelmed": ("overwhelmed",),
    "numb": ("numb", "empty"),
    "confused": ("confused", "lost"),
    "guilty": ("guilty", "ashamed"),
    "grieving": ("grieving", "grief", "mourning", "bereaved"),
}

_NEGATORS = {"not", "no", "never", "isn't", "aren't", "wasn't", "don't", "dont", "nt", "n't"}
_SKIP_REPLIES = {
    "skip", "no", "nope", "nah", "no thanks", "no thank you", "nothing", "none",
    "pass", "n a", "not now", "rather not", "i'd rather not", "skip it", "skip this",
}  # fmt: skip


def _words(text: str) -> list[str]:
    text = text.lower().replace("’", "'").replace("n't", " n't")
    return re.findall(r"[a-z']+", text)


def recognised_feelings(text: str | None) -> list[str]:
    """The vocabulary feelings named in the text, in order, without negated ones."""
    if not text:
        return []
    words = _words(text)
    found: list[tuple[int, str]] = []
    for feeling, forms in FEELING_WORDS.items():
        for form in forms:
            parts = form.split()
            for index in range(len(words) - len(parts) + 1):
                if words[index : index + len(parts)] != parts:
                    continue
                if set(words[max(0, index - 2) : index]) & _NEGATORS:
                    continue
                found.append((index, feeling))
    ordered: list[str] = []
    for _, feeling in sorted(found):
        if feeling not in ordered:
            ordered.append(feeling)
    return ordered


def is_skip(text: str | None) -> bool:
    if not text:
        return False
    normal = " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())
    return normal in _SKIP_REPLIES


def feelings_from_reply(text: str | None) -> list[str]:
    """Recognised feelings, or else the person's own short phrase (trimmed)."""
    recognised = recognised_feelings(text)
    if recognised or not text:
        return recognised
    phrase = " ".join(text.split()).strip(" .!?,")
    if not phrase:
        return []
    if len(phrase) > MAX_FEELING_CHARS:
        phrase = phrase[: MAX_FEELING_CHARS - 1].rstrip() + "…"
    return [phrase.lower()]


def clean_note(text: str | None) -> str:
    """A note as stored: whitespace tidied, cut at MAX_NOTE_CHARS."""
    note = " ".join((text or "").split())
    return note[:MAX_NOTE_CHARS]


def join_words(words: list[str]) -> str:
    """ "sad", "sad and tired", "sad, tired and lonely"."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
