"""`python -m bot mood-content` passes on the shipped files and names a broken field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.content.questionnaire_library import QUESTIONNAIRE_DIR


def test_shipped_content_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mood-content"]) == 0
    out = capsys.readouterr().out
    assert "who5.yml: Well-being (WHO-5), 5 items" in out
    assert "follow-up when score <= 50" in out
    assert out.strip().endswith("ok")


def test_a_broken_questionnaire_fails_with_file_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (QUESTIONNAIRE_DIR / "gad2.yml").read_text(encoding="utf-8")
    (tmp_path / "gad2.yml").write_text(text.replace("kind: at_least", "kind: most"), "utf-8")
    assert main(["mood-content", "--questionnaires", str(tmp_path)]) == 1
    assert "gad2.yml: field 'scoring.cutoff.kind'" in capsys.readouterr().out


def test_broken_wording_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wording = tmp_path / "wording.yml"
    wording.write_text("checkin:\n  saved:\n    youth: Hi\n", encoding="utf-8")
    assert main(["mood-content", "--wording", str(wording)]) == 1
    assert "field 'checkin.saved.adult': is missing" in capsys.readouterr().out
