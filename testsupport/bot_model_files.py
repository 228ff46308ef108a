"""Bot model files changed from the shipped one, and the one-line refusal a test expects of them.

Tests of `BOTWATCH_BOT_MODEL` files that are not botwatch's to read (damaged JSON, a feature this
botwatch does not compute) each wrote the shipped file back with one change and ran `analyze`'s
upfront check (`cli.analyze.bot_model_or_fail`) the same way; both steps are here once."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import typer


def shipped_with(tmp_path: Path, change: Callable[[dict[str, Any]], None], name: str = "changed.json.gz") -> Path:
    """The shipped bot model file, `change`d in place as a dict, written to `tmp_path / name`."""
    from botwatch.accounts.botmodel import SHIPPED

    data = json.loads(gzip.decompress((resources.files("botwatch.accounts") / "models" / SHIPPED).read_bytes()))
    change(data)
    path = tmp_path / name
    path.write_bytes(gzip.compress(json.dumps(data).encode()))
    return path


def refused_by_analyze(path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    """What `analyze`'s upfront check said on stderr (whitespace joined) refusing `path` as
    `BOTWATCH_BOT_MODEL`; fails the test unless it exits 2."""
    from botwatch.cli.analyze import bot_model_or_fail

    monkeypatch.setenv("BOTWATCH_BOT_MODEL", str(path))
    with pytest.raises(typer.Exit) as e:
        bot_model_or_fail()
    assert e.value.exit_code == 2
    return " ".join(capsys.readouterr().err.split())
