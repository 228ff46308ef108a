"""`botwatch evaluate-accounts`: the coverage line puts its counts in the number they take.

A labels file with one account on two rows said "(1 rows name an account an earlier row named:
the first kept)"; one id shared by two platforms "(1 ids or handles name accounts ...)"."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from botwatch.cli import accounts_evaluate


def _line(monkeypatch, ambiguous: int, repeated: int, conflicting: int = 0, bot_conflicting: int = 0, country_conflicting: int = 0) -> str:  # type: ignore[no-untyped-def]
    said: list[str] = []
    monkeypatch.setattr(accounts_evaluate.out, "print", lambda text, **_: said.append(str(text)))
    ev = SimpleNamespace(label_rows=5, labelled=5 - repeated, found=3, ambiguous=ambiguous, repeated=repeated, conflicting=conflicting, bot=None, bot_labelled=0, origin=None, country_labelled=0,
                         bot_conflicting=bot_conflicting, country_conflicting=country_conflicting)
    accounts_evaluate._show(ev, Path("labels.csv"))
    return said[0]


def test_one_is_said_in_the_singular(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    line = _line(monkeypatch, 1, 1)
    assert "(1 id or handle names accounts of several platforms and was left out)" in line, line
    assert "(1 row names an account an earlier row named: an account's labels are taken from all its rows)" in line, line


def test_several_are_said_in_the_plural(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    line = _line(monkeypatch, 2, 3)
    assert "(2 ids or handles name accounts of several platforms and were left out)" in line, line
    assert "(3 rows name an account an earlier row named: an account's labels are taken from all its rows)" in line, line


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
    # Account 1 is labelled both bot and human, account 2 placed in both RU and US: neither label is
    # read for it, as neither is more its label than the other.
    assert (ev.bot_conflicting, ev.country_conflicting) == (1, 1)
    assert ev.bot is not None and ev.bot.n == 1 and ev.origin is None


def test_an_accounts_labels_on_several_rows_are_taken_together(tmp_path: Path) -> None:
    """A file giving an account's bot label on one row and its country on another lost the second:
    only the account's first row was read, and the second was called a repeat."""
    import json

    from botwatch.accounts.evaluate import evaluate, evaluation_json, load_account_labels, match_labels
    from testsupport.csv_files import write_rows

    class Study:
        def sql(self, query: str, params: list[object]) -> list[tuple[object, ...]]:
            return [("twitter", k, k, p, "RU", json.dumps({"RU": 0.8})) for k, p in (("1", 0.9), ("2", 0.2)) if k in params]

    labels = load_account_labels(write_rows(tmp_path / "l.csv", ["account_id", "bot", "country"],
                                            [["1", "1", ""], ["2", "", "RU"], ["1", "", "RU"], ["2", "0", ""], ["1", "1", "RU"]]))
    ev = evaluate(match_labels(Study(), labels), boot=10)
    assert (ev.found, ev.repeated, ev.conflicting, ev.bot_conflicting, ev.country_conflicting) == (2, 3, 0, 0, 0)
    assert ev.bot is not None and (ev.bot.n, ev.bot.bots) == (2, 1)
    assert ev.origin is not None and (ev.origin.n, ev.origin.placed) == (2, 2)
    got = evaluation_json(ev, tmp_path / "l.csv")
    assert (got["bot_conflicting"], got["country_conflicting"]) == (0, 0)


def test_contradicting_rows_are_counted_in_the_line(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    line = _line(monkeypatch, 0, 3, 1, 1)
    assert ("(3 rows name an account an earlier row named: an account's labels are taken from all its rows; 1 of these gives it another label "
            "than an earlier row, so no bot label is read for 1 account)") in line, line
    line = _line(monkeypatch, 0, 4, 3, 1, 2)
    assert "3 of these give it another label than an earlier row, so no bot label is read for 1 account and no country for 2 accounts)" in line, line
    assert "no country is read for 2 accounts)" in _line(monkeypatch, 0, 4, 2, 0, 2)


def test_one_training_account_is_said_in_the_singular(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """"1 of these labelled accounts was among the bot model's training accounts: their scores are
    not out of sample; over the other 159 (1 bots)"."""
    import numpy as np

    from botwatch.accounts.evaluate import bot_figures

    said: list[str] = []
    monkeypatch.setattr(accounts_evaluate.out, "print", lambda text, **_: said.append(str(text)))
    b = bot_figures(np.array([1, 0, 0]), np.array([0.9, 0.2, 0.1]), boot=10)
    held = bot_figures(np.array([1, 0]), np.array([0.9, 0.2]), boot=10)
    ev = SimpleNamespace(label_rows=3, labelled=3, found=3, ambiguous=0, repeated=0, conflicting=0, bot=b, bot_labelled=3, origin=None, country_labelled=0,
                         bot_unscored=0, bot_training=1, bot_held_out=held, bot_training_unknown=0)
    accounts_evaluate._show(ev, Path("labels.csv"))
    line = next(t for t in said if "training accounts" in t)
    assert "1 of these labelled accounts was among the bot model's training accounts: its score is not out of sample" in line, line
    assert "over the other 2 (1 bot)" in line, line


def test_rows_naming_one_account_are_not_counted_as_accounts(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Three accounts on six rows, all found, read "6 labelled accounts, 3 found": three labelled
    accounts seemingly not found."""
    assert _line(monkeypatch, 0, 2).startswith("labels.csv: 5 rows of labels naming 3 accounts, 3 found among the study's scored accounts (2 rows name"), _line(monkeypatch, 0, 2)


def test_the_line_says_how_many_accounts_the_rows_name(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """"15 rows of labels, 12 accounts found" left out how many accounts the rows named: one
    labelled account not found could not be told from none."""
    said: list[str] = []
    monkeypatch.setattr(accounts_evaluate.out, "print", lambda text, **_: said.append(str(text)))
    ev = SimpleNamespace(label_rows=15, labelled=13, found=12, ambiguous=0, repeated=1, conflicting=0, bot=None, bot_labelled=0, origin=None,
                         country_labelled=0, bot_conflicting=0, country_conflicting=0)
    accounts_evaluate._show(ev, Path("labels.csv"))
    assert said[0].startswith("labels.csv: 15 rows of labels naming 13 accounts, 12 found among the study's scored accounts"), said[0]
    assert _line(monkeypatch, 0, 0).startswith("labels.csv: 5 labelled accounts, 3 found among the study's scored accounts")


def test_an_account_found_whose_rows_disagree_is_not_said_unfound(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """One account on two rows, bot and human, found: "bot: none of the 2 accounts labelled bot or
    not was found with a bot probability", two accounts where there was one, and it was found."""
    said: list[str] = []
    monkeypatch.setattr(accounts_evaluate.out, "print", lambda text, **_: said.append(str(text)))
    ev = SimpleNamespace(label_rows=2, labelled=1, found=1, ambiguous=0, repeated=1, conflicting=1, bot=None, bot_labelled=1, origin=None, country_labelled=1,
                         bot_conflicting=1, country_conflicting=1)
    accounts_evaluate._show(ev, Path("labels.csv"))
    assert said[1] == "bot: no account labelled bot or not was found with a bot probability; 1 account found is labelled both bot and human by its rows", said
    assert said[2] == "origin: no account labelled with a country was found; 1 account found is given two countries by its rows", said


def test_the_origin_line_writes_its_interval_at_one_precision(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """1 of 18 placed read "(6% [1.0%–26%])": each end at its own precision, the lower one with its
    own % sign, unlike every interval the report prints ("5.6% [1.0–25.8%]")."""
    said: list[str] = []
    monkeypatch.setattr(accounts_evaluate.out, "print", lambda text, **_: said.append(str(text)))
    origin = SimpleNamespace(n=18, placed=1, no_origin=0, by_country=[])
    ev = SimpleNamespace(label_rows=18, labelled=18, found=18, ambiguous=0, repeated=0, conflicting=0, bot=None, bot_labelled=0, origin=origin,
                         country_labelled=18, bot_conflicting=0, country_conflicting=0, origin_training=0)
    accounts_evaluate._show(ev, Path("labels.csv"))
    line = next(t for t in said if t.startswith("origin:"))
    assert "1 of 18 placed in their labelled country (5.6% [1.0–25.8%])" in line, line
