"""constraints-tested.txt pins the versions the suite last passed with; a dependency added to
pyproject.toml without a pin there would be installed at its newest release even by a user who
asked for the tested environment, so every name pyproject.toml lists must be pinned (`==`)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    """The normalised project name of a requirement (`ibis-framework[duckdb]>=10` → ibis-framework)."""
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement).group(0)).lower()  # type: ignore[union-attr]


def test_every_dependency_pyproject_names_is_pinned() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    for extra in ("spark", "test", "train", "time"):
        wanted |= {_name(r) for r in project["optional-dependencies"][extra]}
    pinned = {}
    for line in (ROOT / "constraints-tested.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, sep, version = line.partition("==")
            assert sep and version.strip(), f"not an exact pin: {line!r}"
            pinned[_name(name)] = version.strip()
    assert not wanted - set(pinned), f"pyproject.toml names these without a pin: {sorted(wanted - set(pinned))}"
