"""The Rasa command line built by `bot.serve` must survive any token Rasa accepts.

Generated tokens are url-safe base64, so about one in 64 starts with "-"; passed
as a separate argument, argparse takes it for an option and `rasa run` exits.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.__main__ import create_argument_parser

from bot.config import load_settings
from bot.serve import rasa_command


@pytest.mark.parametrize("token", ["-starts-with-a-dash", "--looks-like-an-option", "plain_token"])
def test_rasa_parses_the_token_whatever_it_starts_with(tmp_path: Path, token: str) -> None:
    settings = load_settings({"COPING_VAR_DIR": str(tmp_path), "RASA_TOKEN": token})
    command = rasa_command(settings, "rasa", ["--debug"])
    parsed = create_argument_parser().parse_args(command[1:])
    assert parsed.auth_token == token
    assert parsed.enable_api and parsed.port == 5005
    assert parsed.loglevel is not None  # the caller's own arguments reach rasa


def test_generated_token_is_written_once_and_parsed(tmp_path: Path) -> None:
    settings = load_settings({"COPING_VAR_DIR": str(tmp_path)})
    parsed = create_argument_parser().parse_args(rasa_command(settings, "rasa", [])[1:])
    assert parsed.auth_token == (tmp_path / "rasa_token").read_text().strip()
