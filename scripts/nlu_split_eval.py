"""Trains the NLU on a fixed 2/3 of data/nlu and prints intent and entity F1 on the other third.

For comparing pipeline settings (featurizers, classifiers, entity extractors): `make
nlu-eval` trains three models, and the linear proxy reads no Rasa features. One
stratified split with a fixed seed trains once, and every setting is measured
on the same held-out examples.

    .venv/bin/python scripts/nlu_split_eval.py --config my-config.yml --name trial
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.nlp.training_examples import NLU_DIR  # noqa: E402


def run(cmd: list[str], log: Path) -> None:
    with log.open("w", encoding="utf-8") as out:
        result = subprocess.run(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        raise SystemExit(f"{cmd[1]} {cmd[2]} failed; see {log}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--name", default="current")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "nlu-split")
    args = parser.parse_args()
    rasa = str(Path(sys.executable).parent / "rasa")
    split = args.out / f"split-seed{args.seed}"
    args.out.mkdir(parents=True, exist_ok=True)
    if not (split / "test_data.yml").exists():
        cmd = [rasa, "data", "split", "nlu", "-u", str(NLU_DIR), "--training-fraction", "0.67",
               "--random-seed", str(args.seed), "--out", str(split)]  # fmt: skip
        run(cmd, args.out / "split.log")
    work = args.out / args.name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    # a cache of its own, removed with the trial: a rerun of the same setting
    # trains again instead of restoring the last run's components from Rasa's cache
    os.environ["RASA_CACHE_DIRECTORY"] = str(work / "cache")
    started = time.time()
    # the split keeps the synonyms, lookup tables and regexes in both parts
    cmd = [rasa, "train", "nlu", "--nlu", str(split / "training_data.yml"),
           "--config", str(args.config), "--out", str(work),
           "--fixed-model-name", "model"]  # fmt: skip
    run(cmd, work / "train.log")
    trained = time.time()
    cmd = [rasa, "test", "nlu", "--nlu", str(split / "test_data.yml"),
           "--model", str(work / "model.tar.gz"), "--out", str(work / "results")]  # fmt: skip
    run(cmd, work / "test.log")
    report = json.loads((work / "results" / "intent_report.json").read_text(encoding="utf-8"))
    print(
        f"{args.name}: intent F1 {report['weighted avg']['f1-score']:.4f} on "
        f"{report['weighted avg']['support']} held-out examples "
        f"(training {(trained - started) / 60:.1f} min)"
    )
    for line in entity_lines(work / "results"):
        print(line)
    return 0


def entity_lines(results: Path) -> list[str]:
    """Per-entity F1 on the held-out third, from the extractor that extracts each entity.

    Rasa writes one report per extractor, each scoring every entity (token by
    token), so an entity another extractor owns shows F1 0 there; each entity's
    figure is taken from the extractor that scores best on it.
    """
    best: dict[str, tuple[float, int, str]] = {}
    for path in sorted(results.glob("*_report.json")):
        if path.name == "intent_report.json":
            continue
        extractor = path.name.removesuffix("_report.json")
        for name, row in json.loads(path.read_text(encoding="utf-8")).items():
            if not isinstance(row, dict) or name == "no_entity" or "avg" in name:
                continue
            if name not in best or row["f1-score"] > best[name][0]:
                best[name] = (row["f1-score"], row["support"], extractor)
    return [
        f"  entity {name:15} F1 {f1:.4f}  support {support:4}  ({extractor})"
        for name, (f1, support, extractor) in sorted(best.items())
    ]


if __name__ == "__main__":
    raise SystemExit(main())
