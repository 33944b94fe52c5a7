"""The sentences of check-ins, trends and questionnaire results, per age register.

They live in wording.yml so that a counsellor can review and change them
without reading Python. Loading checks that every entry has an adult text and
that youth/older texts use no placeholder the adult text lacks, so a text
change can never make a reply crash mid-conversation.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.content.questionnaire_library import register_for

WORDING_FILE = Path(__file__).resolve().parent / "wording.yml"
REGISTERS = ("youth", "adult", "older")


class WordingError(ValueError):
    """wording.yml is invalid; the message names the file and the entry."""


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def parse_wording(data: Any, source: str) -> dict[str, dict[str, str]]:
    """Flattens `section: key: register: text` into {"section.key": {register: text}}."""
    if not isinstance(data, Mapping):
        raise WordingError(f"{source}: the top level must be a mapping of sections")
    entries: dict[str, dict[str, str]] = {}
    for section, keys in data.items():
        if not isinstance(keys, Mapping):
            raise WordingError(f"{source}: field '{section}': must be a mapping of entries")
        for key, registers in keys.items():
            field = f"{section}.{key}"
            if not isinstance(registers, Mapping):
                raise WordingError(f"{source}: field '{field}': must map registers to texts")
            unknown = set(registers) - set(REGISTERS)
            if unknown:
                raise WordingError(
                    f"{source}: field '{field}': unknown register(s) {sorted(unknown)}; "
                    f"use {', '.join(REGISTERS)}"
                )
            if not isinstance(registers.get("adult"), str) or not registers["adult"].strip():
                raise WordingError(f"{source}: field '{field}.adult': is missing")
            try:
                allowed = _placeholders(registers["adult"])
                for register, text in registers.items():
                    if not isinstance(text, str) or not text.strip():
                        raise WordingError(
                            f"{source}: field '{field}.{register}': must be non-empty text"
                        )
                    extra = _placeholders(text) - allowed
                    if extra:
                        raise WordingError(
                            f"{source}: field '{field}.{register}': placeholder(s) "
                            f"{sorted(extra)} are not in the adult text"
                        )
            except ValueError as exc:
                if isinstance(exc, WordingError):
                    raise
                raise WordingError(
                    f"{source}: field '{field}': has a broken placeholder: {exc}"
                ) from exc
            entries[field] = {register: text.strip() for register, text in registers.items()}
    return entries


def load_wording(path: Path = WORDING_FILE) -> dict[str, dict[str, str]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise WordingError(f"{path.name}: not valid YAML: {exc}") from exc
    return parse_wording(data, path.name)


@lru_cache(maxsize=1)
def wording() -> dict[str, dict[str, str]]:
    return load_wording()


def say(key: str, age_group: str | None, **values: Any) -> str:
    """The text of `key` ("checkin.saved") for the person's age group, filled in."""
    entry = wording()[key]
    register = register_for(age_group)
    return entry.get(register, entry["adult"]).format(**values)
