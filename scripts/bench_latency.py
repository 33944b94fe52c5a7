"""Reply latency through the REST channel: crisis messages against everything else.

Starts the real Rasa server and action server on a scratch var dir (as the
integration tests do), sends every development-set message from a fresh
sender, and prints p50/p95 per kind. The crisis reply does more work (a flag,
staff alerts), so this checks that it still arrives as fast as any other reply.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.safety.devset import load_dev_set
from tests.integration.servers import MODEL, start_servers


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=0, help="messages per kind (0: all)")
    parser.add_argument("--model", type=Path, default=MODEL, help="trained model to serve")
    args = parser.parse_args()
    messages = load_dev_set()
    crisis = [m.text for m in messages if m.category]
    other = [m.text for m in messages if not m.category]
    if args.limit:
        crisis, other = crisis[: args.limit], other[: args.limit]
    with tempfile.TemporaryDirectory() as tmp:
        servers = start_servers(Path(tmp) / "var", model=args.model)
        try:
            servers.send("warm-up", "hi")
            servers.send("warm-up", "I want to kill myself")
            timings: dict[str, list[float]] = {"crisis": [], "other": [], "chart": []}
            for kind, texts in (("crisis", crisis), ("other", other)):
                for text in texts:
                    start = time.perf_counter()
                    servers.send(f"bench-{uuid.uuid4().hex[:10]}", text)
                    timings[kind].append((time.perf_counter() - start) * 1000)
            for score in (3, 5, 6, 4, 7, 8, 6, 5, 7, 6):  # a month of check-ins, then the chart
                for step in (
                    "/mood_checkin",
                    f'/give_mood_score{{"mood_score":{score}}}',
                    "skip",
                    "skip",
                ):
                    servers.send("bench-mood", step)
                    time.sleep(0.55)  # one person's pace stays under the channel's rate limit
            for _ in range(20):
                start = time.perf_counter()
                reply = servers.send("bench-mood", "/show_mood")
                timings["chart"].append((time.perf_counter() - start) * 1000)
                time.sleep(0.55)
            assert any((m.get("custom") or {}).get("type") == "chart" for m in reply), reply
            rss = rss_mb(servers.processes[1].pid)
        finally:
            servers.stop()
    for kind, values in timings.items():
        print(
            f"{kind:7s} n={len(values):4d}  p50 {percentile(values, 0.5):6.1f} ms  "
            f"p95 {percentile(values, 0.95):6.1f} ms  mean {statistics.fmean(values):6.1f} ms"
        )
    print(f"Rasa server resident memory after the run: {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
