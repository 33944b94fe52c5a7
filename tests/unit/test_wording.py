"""Everything the bot can say avoids the phrasings SAFETY.md section 3 forbids."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
# Files whose text reaches users: responses, content, wording, contacts.
BOT_TEXT = sorted(
    [
        *ROOT.glob("domain/*.yml"),
        *ROOT.glob("bot/content/**/*.yml"),
        *ROOT.glob("bot/mood/*.yml"),
        ROOT / "bot/safety/resources.yml",
    ]
)
FORBIDDEN = [
    r"\bcommit(ted|s|ting)? suicide\b",
    r"\b(successful|unsuccessful|failed) (suicide )?attempt",
    r"\bsuicide (is|was|would be) (a |the )?(solution|answer|relief|way out)",
    r"\beveryone (feels|thinks about) (suicid|killing)",
]


def strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in strings(value)]
    return []


def test_there_is_bot_text_to_check() -> None:
    assert len(BOT_TEXT) >= 10


@pytest.mark.parametrize("path", BOT_TEXT, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_forbidden_phrasing(path: Path) -> None:
    text = "\n".join(strings(yaml.safe_load(path.read_text()))).lower()  # comments excluded
    found = [pattern for pattern in FORBIDDEN if re.search(pattern, text)]
    assert not found, f"{path.name}: {found}"
