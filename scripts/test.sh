#!/usr/bin/env bash
# The test suite on a fresh machine: install botwatch with its Spark and test extras, the
# headless Chromium the report tests drive, then run every test (Spark and browser included).
# Pass pytest arguments through, e.g. `bash scripts/test.sh -m "not spark and not browser"` for the quick suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh spark,test,train,time
# Chromium only where the browser tests may run: its install needs root or sudo, and a contributor's
# quick suite (`-m "not spark and not browser"`) deselects them, so it must not stop there.
browser=yes
for arg in "$@"; do
  case "$arg" in *"not browser"*) browser=no ;; esac
done
if [ "$browser" = yes ] && [ -f .ci/install-browser.sh ]; then bash .ci/install-browser.sh; fi
.venv/bin/python -m pytest -n 2 --dist loadfile "$@"
