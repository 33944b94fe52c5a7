"""`python -m bot mood-content`: validate the questionnaires and the mood wording.

For the people who edit bot/content/questionnaires/*.yml or bot/mood/wording.yml:
it loads both the way the action server does, prints what it found (items,
answer options, cut-off per questionnaire; entries per section of the
wording) and exits 1 with the file and field of the first problem, before
anything is deployed.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from bot.content.questionnaire_library import (
    QUESTIONNAIRE_DIR,
    QuestionnaireError,
    load_questionnaires,
)
from bot.mood.wording import WORDING_FILE, WordingError, load_wording


def cmd(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot mood-content", description=__doc__)
    parser.add_argument("--questionnaires", type=Path, default=QUESTIONNAIRE_DIR)
    parser.add_argument("--wording", type=Path, default=WORDING_FILE)
    args = parser.parse_args(argv)
    try:
        library = load_questionnaires(args.questionnaires)
        entries = load_wording(args.wording)
    except (QuestionnaireError, WordingError) as error:
        print(f"error: {error}")
        return 1
    for questionnaire in library.values():
        sign = ">=" if questionnaire.cutoff.kind == "at_least" else "<="
        print(
            f"{questionnaire.source}: {questionnaire.title}, {len(questionnaire.items)} items, "
            f"answers 0-{questionnaire.values[-1]}, score 0-{questionnaire.score_max}, "
            f"follow-up when score {sign} {questionnaire.cutoff.value}"
        )
    sections = Counter(key.split(".", 1)[0] for key in entries)
    print(f"{args.wording.name}: " + ", ".join(f"{n} {s}" for s, n in sections.items()))
    print("ok")
    return 0
