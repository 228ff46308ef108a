"""Running a documentation page's ```python blocks as written, for the tests that keep docs/notebook.md
and docs/python-api.md from rotting: every block in order, in one namespace, a failure naming the
block that broke."""

from __future__ import annotations

import re
from pathlib import Path

import pytest


def python_blocks(doc: Path) -> list[str]:
    """The page's ```python blocks, in order."""
    return re.findall(r"```python\n(.*?)```", doc.read_text(encoding="utf-8"), flags=re.S)


def run_python_blocks(doc: Path, name: str) -> dict[str, object]:
    """Exec every ```python block of `doc` in one namespace (`__name__` = `name`) and return it; a
    block that raises fails the test with its number, the error and its code."""
    ns: dict[str, object] = {"__name__": name}
    for i, code in enumerate(python_blocks(doc)):
        try:
            exec(compile(code, f"{doc.name}[block {i + 1}]", "exec"), ns)  # noqa: S102 - our own documentation
        except Exception as exc:  # pragma: no cover - the message names the block that broke
            pytest.fail(f"block {i + 1} of {doc.name} failed: {type(exc).__name__}: {exc}\n{code}")
    return ns
