"""docs/python-api.md is run as written: every ```python block, in order, in one namespace, in an
empty folder (the first block builds the study from the bundled sample). An API example that no
longer runs is a broken promise to the researchers who copy it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "python-api.md"


def blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_python_api_doc_has_code() -> None:
    assert len(blocks()) >= 4


def test_python_api_doc_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    ns: dict[str, object] = {"__name__": "python_api_doc"}
    for i, code in enumerate(blocks()):
        try:
            exec(compile(code, f"{DOC.name}[block {i + 1}]", "exec"), ns)  # noqa: S102 - our own documentation
        except Exception as exc:  # pragma: no cover - the message names the block that broke
            pytest.fail(f"block {i + 1} of {DOC.name} failed: {type(exc).__name__}: {exc}\n{code}")
    out = capsys.readouterr().out
    assert "botwatch-account/1" in out and "unknown option 'window'" in out and "coordination_window_s" in out
    assert "P(outside NZ) is not measured" in out and "open read-only" in out
