"""`botwatch evaluate-accounts`: labels not found in the study are not "found without a bot probability".

The line counted `bot_labelled - bot_scored`, so the botwiki + verified labels with two ids the study
does not hold said "2 labelled accounts found without a bot probability (no profile facts the model
reads)", and 29 repeated rows said 29 such accounts: neither kind was found without a score. The
coverage line already counts both; this line counts only accounts found with no probability."""

from __future__ import annotations

from pathlib import Path

from botwatch.accounts.evaluate import AccountLabel, Matched, evaluate
from botwatch.cli import accounts_evaluate


def _row(aid: str, p: float | None) -> dict[str, object]:
    return {"platform": "test", "account_id": aid, "handle": f"h{aid}", "bot_probability": p, "origin_country": None, "origin_probabilities": None}


def _said(monkeypatch, matched: Matched) -> str:  # type: ignore[no-untyped-def]
    said: list[str] = []
    monkeypatch.setattr(accounts_evaluate.out, "print", lambda text, **_: said.append(str(text)))
    ev = evaluate(matched, boot=20)
    accounts_evaluate._show(ev, Path("labels.csv"))
    return " ".join(said)


def test_labels_not_found_or_repeated_are_not_called_unscored(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    labels = [AccountLabel(i + 2, f"a{i}", None, i % 2, None) for i in range(6)]
    labels += [AccountLabel(8, "missing-1", None, 1, None), AccountLabel(9, "missing-2", None, 0, None), AccountLabel(10, "a0", None, 1, None)]
    rows = [_row(f"a{i}", 0.2 + 0.1 * i) for i in range(6)] + [None, None, None]  # two not found, one repeat
    text = _said(monkeypatch, Matched(labels, rows, 0, 1))
    assert "found without a bot probability" not in text, text


def test_an_account_found_without_a_probability_is_still_counted(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    labels = [AccountLabel(i + 2, f"a{i}", None, i % 2, None) for i in range(6)] + [AccountLabel(8, "missing-1", None, 1, None)]
    rows = [_row(f"a{i}", 0.2 + 0.1 * i) for i in range(5)] + [_row("a5", None), None]
    text = _said(monkeypatch, Matched(labels, rows))
    assert "1 labelled account found without a bot probability" in text, text
