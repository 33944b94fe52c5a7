"""Prints the intent classifier's cross-validated F1 (Rasa's `rasa test nlu --cross-validation`).

Cross-validation trains one NLU model per fold. By default the folds train the
pipeline of config.yml without the parts that cannot change an intent: DIET,
which only extracts entities here (`intent_classification: false`), and the
synonym mapper behind it. Training DIET three times takes over two hours on two
cores, and the intents it would not touch come out the same; the intent-only
run takes about 12 minutes. `--full` trains config.yml as it is. A DIET that
classifies intents is always kept.

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
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
ENTITY_ONLY = {"EntitySynonymMapper"}


def intent_pipeline(config: dict[str, Any]) -> dict[str, Any]:
    """config.yml without its entity-only components (DIET without intents, synonyms)."""
    kept = []
    for component in config["pipeline"]:
        name = component["name"]
        if name == "DIETClassifier" and component.get("intent_classification", True) is False:
            continue
        if name in ENTITY_ONLY:
            continue
        kept.append(component)
    return {**config, "pipeline": kept}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "nlu-cv")
    parser.add_argument("--full", action="store_true", help="train DIET's entities too")
    args = parser.parse_args()
    config = ROOT / "config.yml"
    if not args.full:
        args.out.mkdir(parents=True, exist_ok=True)
        pipeline = intent_pipeline(yaml.safe_load(config.read_text(encoding="utf-8")))
        config = args.out / "config-intents.yml"
        config.write_text(yaml.safe_dump(pipeline, sort_keys=False), encoding="utf-8")
        names = [c["name"].rsplit(".", 1)[-1] for c in pipeline["pipeline"]]
        print("pipeline: " + " -> ".join(names))
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
