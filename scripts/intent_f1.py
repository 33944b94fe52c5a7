"""Prints the NLU's cross-validated intent F1 (Rasa's `rasa test nlu --cross-validation`).

Cross-validation trains one NLU model per fold on config.yml as it is. Every
component trains in seconds to a minute (the intent classifier is a logistic
regression, the entity extractors a phrase table and a small classifier), so
three folds take a few minutes on two cores.

It is a report for developers and the closing notes, not part of `make test`.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "nlu-cv")
    args = parser.parse_args()
    config = ROOT / "config.yml"
    rasa = Path(sys.executable).parent / "rasa"
    cmd = [str(rasa), "test", "nlu", "--nlu", "data", "--config", str(config),
           "--cross-validation", "--folds", str(args.folds), "--out", str(args.out)]  # fmt: skip
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    output = result.stdout + result.stderr
    if result.returncode != 0:
        print(output[-3000:])
        return result.returncode
    match = re.search(
        r"Intent evaluation results.*?test F1-score: ([0-9.]+) \(±?([0-9.]+)\)", output, re.S
    )
    if not match:
        print(output[-3000:])
        return 1
    f1 = float(match.group(1))
    print(f"intent F1 (test, {args.folds}-fold cross-validation): {f1:.3f} ± {match.group(2)}")
    report = args.out / "intent_report.json"
    if report.exists():
        data = json.loads(report.read_text())
        worst = sorted(
            (
                (name, row["f1-score"])
                for name, row in data.items()
                if isinstance(row, dict)
                and "support" in row
                and name not in {"micro avg", "macro avg", "weighted avg"}
            ),
            key=lambda item: item[1],
        )[:8]
        print("weakest intents: " + ", ".join(f"{name} {f1:.2f}" for name, f1 in worst))
    errors = args.out / "intent_errors.json"
    if errors.exists():
        # the confusions say which boundary between two intents needs examples
        pairs = Counter(
            (e["intent"], e["intent_prediction"]["name"]) for e in json.loads(errors.read_text())
        )
        print(
            "most frequent confusions (true -> predicted): "
            + ", ".join(f"{t} -> {p} {n}" for (t, p), n in pairs.most_common(8))
        )
    return 0 if float(match.group(1)) >= 0.90 else 1


if __name__ == "__main__":
    raise SystemExit(main())
