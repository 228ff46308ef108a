"""The accounts stage reads whether an account's creation date is later than the study first saw it
(`frame_values.created_after_seen`) once per batch: the age, the created-after-trigger signal and
the bot evidence each computed it over the batch's accounts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from botwatch.accounts.stage import run_accounts
from botwatch.elections import load_election
from botwatch.ingest.csv_mapping import from_options
from botwatch.ingest.runner import ingest
from botwatch.study import open_study

CSV = ("post_id,account_id,handle,created_at,text,account_created_at\n"
       "p1,1,early,2017-05-20T09:00:00Z,one,2015-03-01T10:00:00Z\n"
       "p2,1,early,2017-05-21T09:00:00Z,two,2015-03-01T10:00:00Z\n"
       "p3,2,late,2017-05-20T09:00:00Z,three,2017-06-01T00:00:00Z\n"
       "p4,2,late,2017-05-21T09:00:00Z,four,2017-06-01T00:00:00Z\n")


def test_created_after_seen_is_read_once_per_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from botwatch.accounts import features, frame_values, scoring

    calls: list[int] = []

    def counting(accounts):  # type: ignore[no-untyped-def]
        calls.append(len(accounts))
        return frame_values.created_after_seen(accounts)

    monkeypatch.setattr(features, "created_after_seen", counting)
    monkeypatch.setattr(scoring, "created_after_seen", counting)
    src = tmp_path / "p.csv"
    src.write_text(CSV, encoding="utf-8")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(src)], columns=from_options({c: c for c in CSV.split("\n", 1)[0].split(",")}))
        run_accounts(st, load_election("uk-ge2017"), workers=1)
        rows = dict(st.sql("SELECT a.handle, s.bot_evidence FROM account_scores s JOIN accounts a USING (platform, account_id)"))
        trig = dict(st.sql("SELECT account_id, created_after_trigger FROM account_features"))
    assert calls == [2], calls  # one batch of two accounts, read once
    assert any("later than the study first saw the account" in s for s in json.loads(rows["late"])), rows["late"]
    assert not any("later than the study first saw" in s for s in json.loads(rows["early"] or "[]"))
    assert trig == {"1": False, "2": None}
