#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter: $PYTHON if set, else python3.10
# on PATH, else pyenv's or the system's. Rasa 3.6 supports Python 3.8-3.10 and
# this project pins 3.10. Fails with a clear message when there is none.
set -euo pipefail

is_310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; }

if [ -n "${PYTHON:-}" ]; then
  if is_310 "$PYTHON"; then echo "$PYTHON"; exit 0; fi
  echo "error: PYTHON=$PYTHON is not a Python 3.10 interpreter (Rasa 3.6 needs 3.10 here)." >&2
  exit 1
fi
candidates=()
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
for dir in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10*; do
  [ -x "$dir/bin/python" ] && candidates+=("$dir/bin/python")
done
candidates+=(/usr/bin/python3.10 /usr/local/bin/python3.10)
for candidate in "${candidates[@]}"; do
  if [ -x "$candidate" ] && is_310 "$candidate"; then echo "$candidate"; exit 0; fi
done
cat >&2 <<'MSG'
error: no Python 3.10 found. Rasa Open Source 3.6 needs Python 3.10 here.
Install it (for example `pyenv install 3.10` or your system's python3.10 package),
or point to one with `make run PYTHON=/path/to/python3.10`.
MSG
exit 1
