#!/usr/bin/env bash
# Create (or reuse) the project's virtual environment in .venv and install botwatch into it.
# Usage: scripts/setup-venv.sh [extras]   e.g. scripts/setup-venv.sh spark,test
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
extras="${1:-}"
target="."
[ -n "$extras" ] && target=".[${extras}]"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$target" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import botwatch; print('botwatch', botwatch.__version__, 'installed in .venv')"
