"""`botwatch evaluate-accounts`: the coverage line puts its counts in the number they take.

A labels file with one account on two rows said "(1 rows name an account an earlier row named:
the first kept)"; one id shared by two platforms "(1 ids or handles name accounts ...)"."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from botwatch.cli import accounts_evaluate


def _line(monkeypatch, ambiguous: int, repeated: int, conflicting: int = 0) -> str:  # type: ignore[no-untyped-def]
    said: list[str] = []
    monkeypatch.setattr(accounts_evaluate.out, "print", lambda text, **_: said.append(str(text)))
    ev = SimpleNamespace(labelled=5, found=3, ambiguous=ambiguous, repeated=repeated, conflicting=conflicting, bot=None, bot_labelled=0, origin=None, country_labelled=0)
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


def test_repeated_rows_that_contradict_the_first_are_said(tmp_path: Path) -> None:
    """One account labelled both bot and human: the figures took the first row's label, and the
    coverage line said of it what it said of a harmless repeat."""
    from botwatch.accounts.evaluate import evaluate, load_account_labels, match_labels
    from testsupport.csv_files import write_rows

    class Study:
        def sql(self, query: str, params: list[object]) -> list[tuple[object, ...]]:
            return [("twitter", k, k, 0.9, None, None) for k in params if k in ("1", "2")]

    labels = load_account_labels(write_rows(tmp_path / "l.csv", ["account_id", "bot", "country"],
                                            [["1", "1", ""], ["1", "0", ""], ["2", "1", "RU"], ["2", "", "RU"], ["2", "1", "US"], ["1", "1", ""]]))
    ev = evaluate(match_labels(Study(), labels), boot=10)
    assert (ev.repeated, ev.conflicting) == (4, 2)


def test_contradicting_rows_are_counted_in_the_line(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    line = _line(monkeypatch, 0, 3, 1)
    assert "(3 rows name an account an earlier row named: the first kept; 1 of these gives it another label)" in line, line


def test_one_training_account_is_said_in_the_singular(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """"1 of these labelled accounts was among the bot model's training accounts: their scores are
    not out of sample; over the other 159 (1 bots)"."""
    import numpy as np

    from botwatch.accounts.evaluate import bot_figures

    said: list[str] = []
    monkeypatch.setattr(accounts_evaluate.out, "print", lambda text, **_: said.append(str(text)))
    b = bot_figures(np.array([1, 0, 0]), np.array([0.9, 0.2, 0.1]), boot=10)
    held = bot_figures(np.array([1, 0]), np.array([0.9, 0.2]), boot=10)
    ev = SimpleNamespace(labelled=3, found=3, ambiguous=0, repeated=0, conflicting=0, bot=b, bot_labelled=3, origin=None, country_labelled=0,
                         bot_unscored=0, bot_training=1, bot_held_out=held, bot_training_unknown=0)
    accounts_evaluate._show(ev, Path("labels.csv"))
    line = next(t for t in said if "training accounts" in t)
    assert "1 of these labelled accounts was among the bot model's training accounts: its score is not out of sample" in line, line
    assert "over the other 2 (1 bot)" in line, line
