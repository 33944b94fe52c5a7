"""`python -m bot safety-eval`: measure crisis detection on the development set.

With a trained model (default: the newest models/*.tar.gz) every message goes
through the full Rasa NLU pipeline (`Agent.parse_message`) and counts as
escalated when parse_data carries a "crisis"; with `--rules-only` only the rule
detector runs, so the figures can be checked without training.

Exits non-zero when recall < 0.98 or false escalations > 0.05 (SAFETY.md §1).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.safety.categories import CATEGORIES
from bot.safety.devset import DEV_DIR, DevMessage, load_dev_set

RECALL_TARGET = 0.98
FALSE_ESCALATION_LIMIT = 0.05
MODELS_DIR = PROJECT_ROOT / "models"


@dataclass
class Outcome:
    message: DevMessage
    predicted: str | None  # predicted category, None when not escalated
    seconds: float


@dataclass
class Report:
    source: str
    n: int
    n_crisis: int
    n_not_crisis: int
    recall: float
    false_escalation_rate: float
    category_accuracy: float
    per_category_recall: dict[str, float]
    misses: list[dict[str, str]] = field(default_factory=list)
    false_escalations: list[dict[str, str]] = field(default_factory=list)
    wrong_category: list[dict[str, str]] = field(default_factory=list)
    p50_ms: float = 0.0
    p95_ms: float = 0.0

    @property
    def passed(self) -> bool:
        return self.recall >= RECALL_TARGET and self.false_escalation_rate <= FALSE_ESCALATION_LIMIT


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def summarise(outcomes: Iterable[Outcome], source: str) -> Report:
    outcomes = list(outcomes)
    crisis = [o for o in outcomes if o.message.is_crisis]
    calm = [o for o in outcomes if not o.message.is_crisis]
    detected = [o for o in crisis if o.predicted is not None]
    false = [o for o in calm if o.predicted is not None]
    right_category = [o for o in detected if o.message.accepts(o.predicted)]
    per_category = {}
    for category in CATEGORIES:
        group = [o for o in crisis if o.message.category == category]
        if group:
            per_category[category] = sum(o.predicted is not None for o in group) / len(group)

    def row(o: Outcome) -> dict[str, str]:
        return {
            "text": o.message.text,
            "expected": o.message.category or "none",
            "predicted": o.predicted or "none",
            "register": o.message.register,
            "source": o.message.source,
        }

    ms = [o.seconds * 1000 for o in outcomes]
    return Report(
        source=source,
        n=len(outcomes),
        n_crisis=len(crisis),
        n_not_crisis=len(calm),
        recall=len(detected) / len(crisis) if crisis else 1.0,
        false_escalation_rate=len(false) / len(calm) if calm else 0.0,
        category_accuracy=len(right_category) / len(detected) if detected else 1.0,
        per_category_recall=per_category,
        misses=[row(o) for o in crisis if o.predicted is None],
        false_escalations=[row(o) for o in false],
        wrong_category=[row(o) for o in detected if not o.message.accepts(o.predicted)],
        p50_ms=_percentile(ms, 50),
        p95_ms=_percentile(ms, 95),
    )


def evaluate(
    messages: list[DevMessage], classify: Callable[[str], str | None], source: str
) -> Report:
    """Run `classify` (text -> crisis category or None) over the set and summarise."""
    outcomes = []
    for message in messages:
        start = time.perf_counter()
        predicted = classify(message.text)
        outcomes.append(Outcome(message, predicted, time.perf_counter() - start))
    return summarise(outcomes, source)


def evaluate_rules(messages: list[DevMessage]) -> Report:
    """The rule detector alone, no model needed."""
    from bot.nlp.spacy_pipeline import load
    from bot.safety.detector import CrisisDetector

    detector = CrisisDetector(load())

    def classify(text: str) -> str | None:
        detection = detector.detect(text)
        return detection.category if detection else None

    return evaluate(messages, classify, "rules")


def newest_model(directory: Path = MODELS_DIR) -> Path | None:
    models = sorted(directory.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def evaluate_model(messages: list[DevMessage], model_path: Path) -> Report:
    """The full NLU pipeline of a trained model (rules + intent classifier), as the bot runs it."""
    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    # Rasa logs every parse at debug level to stdout; the report must stay readable.
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    agent = Agent.load(str(model_path))

    async def run() -> list[Outcome]:
        outcomes = []
        for message in messages:
            start = time.perf_counter()
            parse_data = await agent.parse_message(message.text)
            seconds = time.perf_counter() - start
            crisis = parse_data.get("crisis")
            outcomes.append(Outcome(message, crisis["category"] if crisis else None, seconds))
        return outcomes

    return summarise(asyncio.run(run()), str(model_path))


def format_report(report: Report) -> str:
    lines = [
        f"crisis detection on the development set ({report.source})",
        f"  messages:            {report.n} ({report.n_crisis} crisis, {report.n_not_crisis} not)",
        f"  recall:              {report.recall:.3f} (target >= {RECALL_TARGET})",
        f"  false escalations:   {report.false_escalation_rate:.3f}"
        f" (limit <= {FALSE_ESCALATION_LIMIT})",
        f"  category accuracy:   {report.category_accuracy:.3f} (among detected)",
        f"  parse latency:       p50 {report.p50_ms:.2f} ms, p95 {report.p95_ms:.2f} ms",
        "  recall per category:",
    ]
    lines += [f"    {c:<10} {r:.3f}" for c, r in report.per_category_recall.items()]
    for title, rows in (
        ("missed crises", report.misses),
        ("false escalations", report.false_escalations),
        ("detected with another category", report.wrong_category),
    ):
        lines.append(f"  {title}: {len(rows)}")
        lines += [
            f"    [{r['expected']} -> {r['predicted']}, {r['register']}] {r['text']}"
            f"  ({r['source']})"
            for r in rows
        ]
    lines.append("PASS" if report.passed else "FAIL: below the safety targets")
    return "\n".join(lines)


def cmd(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot safety-eval",
        description="Measure crisis recall and false escalations on eval/safety_dev.",
    )
    parser.add_argument(
        "--model", type=Path, help="trained model (default: newest models/*.tar.gz)"
    )
    parser.add_argument("--rules-only", action="store_true", help="run only the rule detector")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--dev-dir", type=Path, default=DEV_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    messages = load_dev_set(args.dev_dir)
    if args.rules_only:
        report = evaluate_rules(messages)
    else:
        model = args.model or newest_model()
        if model is None or not model.exists():
            print(
                "no trained model found (models/*.tar.gz); train one, pass --model, "
                "or use --rules-only",
                file=sys.stderr,
            )
            return 2
        report = evaluate_model(messages, model)
    if args.json:
        print(json.dumps({**asdict(report), "passed": report.passed}, indent=2))
    else:
        print(format_report(report))
    return 0 if report.passed else 1
