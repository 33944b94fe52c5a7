"""Loads the crisis evaluation sets: the development (tuning) set and the sealed set.

- eval/safety_dev/*.yml, the tuning split: written by hand, independently of
  the rules, and tuned on: a miss there is generalised into the rules. Files
  named round*.yml are fresh rounds, each written before anyone looked at what
  the detector does with it, measured once, and then folded into tuning; they
  are also reported on their own.
- eval/safety_fresh/round*.yml: fresh rounds measured once and being tuned on,
  until the rules meet the targets on them and they move into eval/safety_dev.
- eval/safety_sealed/*.yml, the sealed split: written by a reviewer who never
  saw the rules, never tuned on and never read message by message;
  `safety-eval` prints only its figures.

Neither is ever used for training (unit tests check data/nlu and the rule
examples). The held-out test set of SAFETY.md §1 is kept by others and never
seen here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT
from bot.safety.categories import CATEGORIES

DEV_DIR = PROJECT_ROOT / "eval" / "safety_dev"
SEALED_DIR = PROJECT_ROOT / "eval" / "safety_sealed"
FRESH_DIR = PROJECT_ROOT / "eval" / "safety_fresh"
ROUND_GLOB = "round*.yml"
REGISTERS = ("youth", "adult", "older")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)


class DevSetError(ValueError):
    """A development-set file is malformed; the message names the file and entry."""


@dataclass(frozen=True)
class DevMessage:
    text: str
    category: str | None  # None: not a crisis
    register: str
    accept: tuple[str, ...]  # other categories that are also a correct reading
    source: str  # "suicide.yml#12"

    @property
    def is_crisis(self) -> bool:
        return self.category is not None

    def accepts(self, category: str | None) -> bool:
        return category == self.category or category in self.accept


def comparable(text: str) -> str:
    """Case- and punctuation-insensitive form, for the training-overlap check.

    Apostrophes are dropped rather than spaced, so "I'm" and "Im" compare equal.
    """
    text = re.sub(r"['’‘`]", "", text.lower())
    return " ".join(_NON_WORD.sub(" ", text).split())


def load_dev_set(directory: Path = DEV_DIR) -> list[DevMessage]:
    files = sorted(directory.glob("*.yml"))
    if not files:
        raise DevSetError(f"{directory}: no *.yml files")
    return [message for path in files for message in load_file(path)]


def rounds(*directories: Path) -> dict[str, list[DevMessage]]:
    """The fresh rounds in these folders, by file stem ("round5"), oldest first."""
    paths = [path for directory in directories for path in directory.glob(ROUND_GLOB)]
    paths.sort(key=lambda p: int(re.sub(r"\D", "", p.stem) or 0))
    return {path.stem: load_file(path) for path in paths}


def load_file(path: Path) -> list[DevMessage]:
    """One file's messages, validated; errors name the file and the entry."""
    out: list[DevMessage] = []
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = raw.get("messages") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise DevSetError(f"{path.name}: messages: must be a list")
    for i, entry in enumerate(entries):
        where = f"{path.name}: messages[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
            raise DevSetError(f"{where}: needs text, category and register")
        category = entry.get("category")
        if category == "none":
            category = None
        if category is not None and category not in CATEGORIES:
            raise DevSetError(f"{where}.category: {category!r} is not a crisis category or none")
        register = entry.get("register")
        if register not in REGISTERS:
            raise DevSetError(f"{where}.register: must be one of {REGISTERS}")
        accept = tuple(entry.get("accept") or ())
        if any(a not in CATEGORIES for a in accept):
            raise DevSetError(f"{where}.accept: unknown category")
        out.append(DevMessage(entry["text"], category, register, accept, f"{path.name}#{i}"))
    return out
