"""Reads the example texts under data/nlu, for the data tests and the NLU scripts."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import yaml

from bot.config import PROJECT_ROOT

NLU_DIR = PROJECT_ROOT / "data" / "nlu"
_ENTITY = re.compile(r"\[([^\]]+)\]\([^)]*\)|\[([^\]]+)\]\{[^}]*\}")


def nlu_blocks() -> list[tuple[dict, Path]]:
    """Every block under data/nlu (intents, synonyms, lookup tables, regexes) with its file."""
    found = []
    for path in sorted(NLU_DIR.rglob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found += [(block, path) for block in raw.get("nlu") or [] if isinstance(block, dict)]
    return found


def example_blocks() -> list[tuple[dict, Path, str]]:
    """Every example text of every block (intents, synonyms) with entity markup removed."""
    return [
        (block, path, _ENTITY.sub(lambda m: m.group(1) or m.group(2), entry))
        for block, path in nlu_blocks()
        if "lookup" not in block and "regex" not in block
        for entry in block_entries(block)
    ]


def intent_examples() -> dict[str, list[tuple[Path, str]]]:
    """Every intent's example texts, by intent."""
    found: dict[str, list[tuple[Path, str]]] = defaultdict(list)
    for block, path, text in example_blocks():
        if "intent" in block:
            found[block["intent"]].append((path, text))
    return found


def pattern_blocks() -> list[tuple[str, str, list[str]]]:
    """Every lookup table and regex under data/nlu as (kind, name, entries)."""
    return [
        (kind, block[kind], block_entries(block))
        for block, _ in nlu_blocks()
        for kind in ("lookup", "regex")
        if kind in block
    ]


def block_entries(block: dict) -> list[str]:
    """The raw "- " entries of one block (markup kept)."""
    return [
        line.strip()[2:].strip()
        for line in str(block.get("examples") or "").splitlines()
        if line.strip().startswith("- ")
    ]
