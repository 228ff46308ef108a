#!/usr/bin/env bash
# Headless Chromium for the report's browser tests (tests/test_report_browser.py, marked `browser`).
# Debian's own packages: test tools that download their own browser do not work offline here.
# Idempotent: does nothing when chromium is already installed. Needs root (or sudo) to install.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  echo "chromium already installed: $(chromium --version 2>/dev/null || echo unknown version)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else echo "install-browser: need root to apt-get install chromium" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core
chromium --version || true
