"""Records example conversations per age group against the real servers.

The output (Markdown) is what docs/EXAMPLES.md shows: the same requests from a
young person, an adult and an older adult, so the registers can be compared.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.integration.servers import BotServers, start_servers

SCRIPTS = {
    "youth": [
        "hi",
        "/give_consent",
        '/choose_age_group{"age_group":"youth"}',
        '/choose_region{"region":"UK"}',
        "my exams are stressing me out",
        "FIRST_RECOMMENDATION",
        "/next_step",
        "/stop_exercise",
        "/mood_checkin",
        '/give_mood_score{"mood_score":3}',
        "skip",
        "skip",
        "show my mood",
    ],
    "adult": [
        "hello",
        "/give_consent",
        '/choose_age_group{"age_group":"adult"}',
        '/choose_region{"region":"US"}',
        "I can't sleep",
        "FIRST_RECOMMENDATION",
        "/next_step",
        "/stop_exercise",
        '/start_questionnaire{"questionnaire":"gad2"}',
        '/answer{"answer_value":2}',
        '/answer{"answer_value":1}',
    ],
    "older": [
        "good morning",
        "/give_consent",
        '/choose_age_group{"age_group":"older"}',
        '/choose_region{"region":"IE"}',
        "I feel lonely since my husband died",
        "FIRST_RECOMMENDATION",
        "/next_step",
        "/stop_exercise",
        "/mood_checkin",
        "6",
        "skip",
        "skip",
        '/start_questionnaire{"questionnaire":"who5"}',
        '/answer{"answer_value":3}',
        '/answer{"answer_value":2}',
        '/answer{"answer_value":2}',
        '/answer{"answer_value":3}',
        '/answer{"answer_value":4}',
    ],
}


def render(message: dict) -> str:
    parts = []
    if message.get("text"):
        parts.append(message["text"])
    custom = message.get("custom")
    if isinstance(custom, dict):
        parts.append(f"[{custom.get('type', 'custom')} payload]")
    if message.get("buttons"):
        parts.append("buttons: " + " | ".join(b["title"] for b in message["buttons"]))
    return "\n  ".join(parts)


def run(servers: BotServers, group: str, steps: list[str]) -> list[str]:
    sender = f"example-{group}-{int(time.time())}"
    lines, last = [], []
    for step in steps:
        if step == "FIRST_RECOMMENDATION":
            choices = [b["payload"] for m in last for b in m.get("buttons") or []]
            step = next(p for p in choices if p.startswith("/choose_exercise"))
        lines.append(f"**user:** `{step}`")
        last = servers.send(sender, step)
        lines += [f"> **bot:** {render(m)}" for m in last]
    return lines


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        servers = start_servers(Path(tmp) / "var")
        try:
            for group, steps in SCRIPTS.items():
                print(f"\n### {group}\n")
                print("\n\n".join(run(servers, group, steps)))
        finally:
            servers.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
