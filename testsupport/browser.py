"""The headless Chromium the report's browser tests drive (Debian's, through Playwright).

One browser serves the browser tests of a module (`tests/conftest.py`'s module fixture `browser`),
also for the modules that started their own inside one test. Not one per pytest process: while
Playwright's sync API is open its event loop counts as running in the thread, and the collectors'
tests that a worker ran after it failed on `asyncio.run`. Each test opens its own context
(`Page`), so no page state, storage or listener passes from one test to the next."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("BOTWATCH_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-component-update", "--disable-sync"]


@contextmanager
def launched() -> Iterator[Any]:
    """Chromium, started; skips the test with the reason (and how to install it) when Chromium or
    Playwright is absent, as each module's own launch did."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"chromium not found at {CHROMIUM}: run `bash .ci/install-browser.sh` (Debian: apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (python) not installed: pip install botwatch[test]")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()
