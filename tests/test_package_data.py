"""Every data file under src/botwatch is shipped by a non-editable install.

Why: `pip install -e .` (the README's commands) reads files from the source tree, so a file
missing from `[tool.setuptools.package-data]` goes unnoticed until someone installs a wheel (or a
Spark cluster's executors get one): `content/content_trees.json`, the content stage's tree blend,
was left out from 2026-12-01 to 2026-12-04, and such an install labelled stance and sentiment with
the linear models alone, not the model the published figures measure. This test needs no build:
it matches each file against the patterns setuptools reads.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "botwatch"


def _patterns() -> list[str]:
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return conf["tool"]["setuptools"]["package-data"]["botwatch"]


def _matches(path: str, pattern: str) -> bool:
    """setuptools' glob: `*` and `?` stay inside one folder (fnmatch's `*` would cross into subfolders)."""
    rx = "".join("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(rx, path) is not None


def _data_files() -> list[str]:
    out = []
    for p in PACKAGE.rglob("*"):
        if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts:
            out.append(p.relative_to(PACKAGE).as_posix())
    return sorted(out)


def test_every_data_file_is_in_package_data() -> None:
    patterns = _patterns()
    files = _data_files()
    assert "content/content_trees.json" in files and "accounts/models/bot_model.json.gz" in files
    missing = [f for f in files if not any(_matches(f, pat) for pat in patterns)]
    assert not missing, f"not shipped by a wheel install (add to [tool.setuptools.package-data]): {missing}"


def test_a_star_stays_in_its_folder() -> None:
    assert _matches("accounts/data/countries.tsv", "accounts/data/*")
    assert not _matches("accounts/data/sub/countries.tsv", "accounts/data/*")


def test_every_pattern_ships_something() -> None:
    files = _data_files()
    empty = [pat for pat in _patterns() if not any(_matches(f, pat) for f in files)]
    assert not empty, f"package-data patterns that match no file: {empty}"
