"""The accounts table marks an account a model was fitted on ("a training account: not held out",
`training_accounts.account_training`), but the explorer, drawn from its embedded JSON, listed the
same accounts unmarked: on the bundled sample 5 of the 262 accounts are among the bot model's
training accounts. Each row now carries `trained` (1 bot, 2 origin, 3 both), which the
server-drawn rows and the script show beside the probability."""

from __future__ import annotations

from pathlib import Path

import pytest

from botwatch.accounts.training_accounts import account_training, study_bot_training_meta
from botwatch.report.context import report_context
from botwatch.report.section_explorer import explorer, explorer_data
from botwatch.study import open_study


def test_explorer_rows_mark_training_accounts(analysed_sample_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.report import section_explorer

    monkeypatch.setattr(section_explorer, "SERVER_ROWS", 1000)  # every row drawn on the server too
    with open_study(analysed_sample_path) as st:
        ctx = report_context(st)
        data = explorer_data(st, ctx)
        own = study_bot_training_meta(st)
        raw = {(p, a[:80]): (a, h) for p, a, h in st.sql("SELECT platform, account_id, handle FROM accounts")}
        html = str(explorer(st, ctx).html)  # type: ignore[union-attr]
    col = data["cols"].index("trained")
    assert all(len(r) == len(data["cols"]) for r in data["rows"])
    for r in data["rows"]:
        aid, handle = raw[(r[0], r[1])]
        f = account_training(r[0], aid, handle, own)
        assert r[col] == (1 if f["bot"] else 0) | (2 if f["origin"] else 0), r
    marked = [r for r in data["rows"] if r[col] & 1 and r[data["cols"].index("bot")] is not None]
    assert marked  # the sample holds some of the bot model's training accounts
    # The rows drawn on the server (before the script runs) say it as the accounts table does.
    rows = data["rows"]
    shown = sum(1 for r in rows if r[col] & 1 and r[4] is not None) + sum(1 for r in rows if r[col] & 2 and r[5])
    assert shown > len(marked) and html.count("a training account: not held out") == shown
