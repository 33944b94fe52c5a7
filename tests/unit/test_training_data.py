"""`rasa data validate` stays clean.

Rasa warns about every response that no story or rule names, which includes
responses that custom actions send. Those are the only warnings allowed, and
only for responses an action really sends (its name appears in actions/).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Responses that Rasa's own default actions send (action_restart).
RASA_DEFAULT_ACTION_RESPONSES = {"utter_restart"}


def test_rasa_data_validate_is_clean() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "rasa"), "data", "validate",
         "--domain", "domain", "--data", "data", "--config", "config.yml"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={"RASA_TELEMETRY_ENABLED": "false", "PATH": "/usr/bin:/bin", "HOME": str(Path.home())},
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    sources = [*(ROOT / "actions").glob("*.py"), *(ROOT / "bot" / "dialogue").glob("*.py")]
    action_sources = "\n".join(p.read_text() for p in sources)
    problems = []
    for line in output.splitlines():
        if "UserWarning" not in line:
            continue
        unused = re.search(r"The utterance '(\w+)' is not used in any story or rule", line)
        if unused and f'"{unused.group(1)}"' in action_sources:
            continue
        if unused and unused.group(1) in RASA_DEFAULT_ACTION_RESPONSES:
            continue
        problems.append(line.split("UserWarning:", 1)[-1].strip())
    assert not problems, "\n".join(problems)
