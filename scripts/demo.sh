#!/usr/bin/env bash
# The main job on a fresh machine: install botwatch, then ingest the bundled real sample,
# analyze it and write the report to botwatch-demo/report.html.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-venv.sh time
.venv/bin/botwatch demo -o botwatch-demo "$@"
