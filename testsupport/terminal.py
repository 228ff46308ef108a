"""What the tests of names and record text on the terminal share: the control characters that
must never reach it raw, a command's output read as one line, and a console wide enough that Rich
does not wrap a long name (Rich reads COLUMNS once, when botwatch's consoles are made, so a test
sets their width itself)."""

from __future__ import annotations

import re
from typing import Any

import pytest

# C0 and C1 controls but the newline (a message may span lines).
RAW = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def flat(output: str) -> str:
    """`output` as one line of words, after checking that no control character reached it raw."""
    assert not RAW.search(output), repr(output)
    return " ".join(output.split())


def said(res: Any, code: int = 2) -> str:
    """A CliRunner result's output as `flat` gives it, after checking the command exited `code`."""
    assert res.exit_code == code, res.output
    return flat(res.output)


def wide_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Botwatch's two consoles 400 columns wide for this test."""
    from botwatch.cli import common

    monkeypatch.setattr(common.out, "_width", 400)
    monkeypatch.setattr(common.console, "_width", 400)
