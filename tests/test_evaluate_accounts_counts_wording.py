"""`botwatch evaluate-accounts`: the coverage line puts its counts in the number they take.

A labels file with one account on two rows said "(1 rows name an account an earlier row named:
the first kept)"; one id shared by two platforms "(1 ids or handles name accounts ...)"."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from botwatch.cli import accounts_evaluate


def _line(monkeypatch, ambiguous: int, repeated: int) -> str:  # type: ignore[no-untyped-def]
    said: list[str] = []
    monkeypatch.setattr(accounts_evaluate.out, "print", lambda text, **_: said.append(str(text)))
    ev = SimpleNamespace(labelled=5, found=3, ambiguous=ambiguous, repeated=repeated, bot=None, bot_labelled=0, origin=None, country_labelled=0)
    accounts_evaluate._show(ev, Path("labels.csv"))
    return said[0]


def test_one_is_said_in_the_singular(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    line = _line(monkeypatch, 1, 1)
    assert "(1 id or handle names accounts of several platforms and was left out)" in line, line
    assert "(1 row names an account an earlier row named: the first kept)" in line, line


def test_several_are_said_in_the_plural(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    line = _line(monkeypatch, 2, 3)
    assert "(2 ids or handles name accounts of several platforms and were left out)" in line, line
    assert "(3 rows name an account an earlier row named: the first kept)" in line, line
