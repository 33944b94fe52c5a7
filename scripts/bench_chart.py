"""Times the 30-day mood chart: `python scripts/bench_chart.py [N]` prints p50/p95 over N renders.

The data is a busy month (two check-ins a day and a few questionnaire results),
so the figures are an upper bound for a real person's chart. The first render
pays for importing matplotlib and building its font cache; it is reported on
its own and left out of the percentiles, which describe a warm action server.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.mood.chart import render_chart
from bot.mood.summary import PERIOD_DAYS, MoodPoint, ScreenPoint


def month_of_data(end: datetime) -> tuple[list[MoodPoint], list[ScreenPoint]]:
    rng = random.Random(7)
    start = end - timedelta(days=PERIOD_DAYS)
    mood = [
        MoodPoint(start + timedelta(days=day, hours=hour), float(rng.randint(0, 10)))
        for day in range(PERIOD_DAYS)
        for hour in (9, 20)
    ]
    screens = [
        ScreenPoint("phq2", "Mood (PHQ-2)", start + timedelta(days=3), 4, 6, True),
        ScreenPoint("phq2", "Mood (PHQ-2)", start + timedelta(days=24), 2, 6, False),
        ScreenPoint("gad2", "Worry (GAD-2)", start + timedelta(days=10), 3, 6, True),
        ScreenPoint("who5", "Well-being (WHO-5)", start + timedelta(days=12), 48, 100, True),
        ScreenPoint("who5", "Well-being (WHO-5)", start + timedelta(days=27), 60, 100, False),
    ]
    return mood, screens


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("renders", nargs="?", type=int, default=30, help="renders to time")
    args = parser.parse_args(argv)
    if args.renders < 1:
        parser.error("renders must be at least 1")

    end = datetime.now(timezone.utc)
    mood, screens = month_of_data(end)
    start = end - timedelta(days=PERIOD_DAYS)

    began = time.perf_counter()
    png = render_chart(mood, screens, start=start, end=end)
    cold_ms = (time.perf_counter() - began) * 1000

    timings = []
    for _ in range(args.renders):
        began = time.perf_counter()
        render_chart(mood, screens, start=start, end=end)
        timings.append((time.perf_counter() - began) * 1000)

    print(f"chart: {len(mood)} check-ins, {len(screens)} questionnaire results, {len(png)} bytes")
    print(f"first render (imports matplotlib): {cold_ms:.0f} ms")
    print(
        f"{args.renders} warm renders: p50 {statistics.median(timings):.0f} ms, "
        f"p95 {percentile(timings, 0.95):.0f} ms, max {max(timings):.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
