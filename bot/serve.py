"""Starting the Rasa server with the project's settings, and saying where things listen.

`rasa run` takes its API token on the command line; building that command here
keeps the token out of the Procfile and out of the shell history.
"""

from __future__ import annotations

import os
import shutil
import sys

from bot.config import PROJECT_ROOT, Settings, load_settings

RASA_PORT = 5005
ACTIONS_PORT = 5055


def rasa_command(settings: Settings, rasa: str, argv: list[str]) -> list[str]:
    """The `rasa run` argument list.

    The token is joined to its option with "=": a url-safe token may start with
    "-", and argparse would read a separate "-abc…" as an unknown option.
    """
    return [
        rasa, "run",
        "--enable-api", f"--auth-token={settings.rasa_token}",
        "--port", str(RASA_PORT),
        "--model", str(PROJECT_ROOT / "models"),
        "--endpoints", str(PROJECT_ROOT / "endpoints.yml"),
        "--credentials", str(PROJECT_ROOT / "credentials.yml"),
        "--cors", "*",
        *argv,
    ]  # fmt: skip


def serve_rasa(argv: list[str]) -> int:
    settings = load_settings()
    rasa = shutil.which("rasa", path=str(PROJECT_ROOT / ".venv" / "bin")) or "rasa"
    os.chdir(PROJECT_ROOT)
    os.execv(rasa, rasa_command(settings, rasa, argv))
    return 1  # not reached


def where(argv: list[str]) -> int:
    settings = load_settings()
    token_hint = f"in {settings.var_dir / 'rasa_token'}" if settings.embedded else "from RASA_TOKEN"
    print(
        "\n".join(
            [
                "Coping bot starting:",
                f"  Rasa server      http://localhost:{RASA_PORT}",
                f"    REST channel   POST http://localhost:{RASA_PORT}/webhooks/rest/webhook",
                f"    HTTP API       token {token_hint}",
                f"  Action server    http://localhost:{ACTIONS_PORT}/webhook",
                f"  Transcripts      {settings.db_url}",
                f"  Trackers         {settings.tracker_db_url}",
                "  Scheduler        hand-off time-outs every few seconds",
                "  Telegram alerts  "
                + (
                    "on"
                    if settings.telegram_bot_token and settings.telegram_staff_chat_id
                    else "off"
                ),
                "Ctrl-C stops everything.",
            ]
        ),
        file=sys.stdout,
    )
    return 0
