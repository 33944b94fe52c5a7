#!/usr/bin/env bash
# Fresh clone to first reply, phase by phase, as a new user meets it.
#
# Clones the repository (its committed HEAD, or --rev) into a temporary folder,
# sets it up with an empty Rasa training cache of its own (the pip cache stays
# as it is), starts the bot with `make run`, sends "hi" over REST and prints how
# long each phase took: install, spaCy pipeline, database, training (with each
# trained component), server start and first reply. It stops everything it
# started and removes its folder, also when a phase fails.
#
#   scripts/cold_start.sh                 # the committed HEAD
#   scripts/cold_start.sh --rev 2b8d789   # an earlier commit, for a before/after table
#   scripts/cold_start.sh --keep-model /tmp/model.tar.gz   # keep the trained model
#
# It needs ports 5005 and 5055 free (the ports `make run` uses).
set -euo pipefail

root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
rev=HEAD
keep_model=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rev) rev=$2; shift 2 ;;
    --keep-model) keep_model=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

for port in 5005 5055; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "error: port $port is in use; stop the running bot first." >&2
    exit 1
  fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/coping-cold-start.XXXXXX")
run_pid=""
cleanup() {
  if [ -n "$run_pid" ]; then
    kill -TERM -- "-$run_pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 -- "-$run_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$run_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export RASA_CACHE_DIRECTORY="$work/rasa-cache"
export RASA_TELEMETRY_ENABLED=false
clone="$work/clone"
timings="$work/timings"
: >"$timings"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
# phase NAME COMMAND...: runs the command in the clone, logs to NAME.log, records the time
phase() {
  local name=$1; shift
  local start end
  start=$(now)
  if ! (cd "$clone" && "$@") >"$work/$name.log" 2>&1; then
    echo "error: phase '$name' failed; its log:" >&2
    tail -n 40 "$work/$name.log" >&2
    exit 1
  fi
  end=$(now)
  echo "$name $(since "$start" "$end")" >>"$timings"
  printf '%-14s %7.1f s\n' "$name" "$(since "$start" "$end")"
}

started=$(now)
git clone --quiet "$root" "$clone"
git -C "$clone" checkout --quiet "$rev"
echo "cold start of $(git -C "$clone" log -1 --format='%h %s' | cut -c1-70)"
echo "  in $clone, training cache $RASA_CACHE_DIRECTORY (empty)"

phase install make --no-print-directory .venv/.installed
phase spacy make --no-print-directory var/spacy/en_coping/meta.json
phase database .venv/bin/python -m bot init-db
phase training make --no-print-directory train

# Each trained component's time, from the timestamps of Rasa's training log
"$clone/.venv/bin/python" - "$work/training.log" <<'PY'
import re, sys
from datetime import datetime
stamp = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\S*\s.*(Starting to train|Finished training) component '(\w+)'")
starts, rows = {}, []
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = stamp.search(line)
    if not m:
        continue
    at = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S")
    if m.group(2).startswith("Starting"):
        starts[m.group(3)] = at
    elif m.group(3) in starts:
        rows.append((m.group(3), (at - starts.pop(m.group(3))).total_seconds()))
for name, seconds in rows:
    print(f"  {name:34} {seconds:6.0f} s")
PY

# Server start and first reply: `make run` itself (set-up and training are done)
start=$(now)
setsid bash -c "cd '$clone' && exec make --no-print-directory run" >"$work/run.log" 2>&1 &
run_pid=$!
up=""
for _ in $(seq 1 600); do
  if curl -sf -o /dev/null http://127.0.0.1:5005/ && curl -sf -o /dev/null http://127.0.0.1:5055/health; then
    up=$(now); break
  fi
  kill -0 "$run_pid" 2>/dev/null || { echo "error: make run stopped; its log:" >&2; tail -n 40 "$work/run.log" >&2; exit 1; }
  sleep 0.5
done
[ -n "$up" ] || { echo "error: the servers did not come up in 5 minutes" >&2; tail -n 40 "$work/run.log" >&2; exit 1; }
printf '%-14s %7.1f s\n' "server start" "$(since "$start" "$up")"
echo "server-start $(since "$start" "$up")" >>"$timings"

reply=""
for _ in $(seq 1 120); do
  reply=$(curl -s -m 30 http://127.0.0.1:5005/webhooks/rest/webhook \
    -H 'content-type: application/json' -d '{"sender": "cold-start", "message": "hi"}' || true)
  case "$reply" in \[\{*) break ;; esac
  sleep 0.5
done
done_at=$(now)
case "$reply" in
  \[\{*) ;;
  *) echo "error: no reply to \"hi\" (last answer: ${reply:-none})" >&2; tail -n 40 "$work/run.log" >&2; exit 1 ;;
esac
printf '%-14s %7.1f s\n' "first reply" "$(since "$up" "$done_at")"
echo "first-reply $(since "$up" "$done_at")" >>"$timings"
echo "  reply: $(echo "$reply" | cut -c1-150)"
total=$(since "$started" "$done_at")
printf '%-14s %7.1f s (%s min) from clone to first reply\n' total "$total" \
  "$(awk -v s="$total" 'BEGIN { printf "%.1f", s / 60 }')"

if [ -n "$keep_model" ]; then
  cp "$clone/models/coping.tar.gz" "$keep_model"
  echo "model kept at $keep_model"
fi
