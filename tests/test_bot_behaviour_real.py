"""The shipped behaviour ratios on the real accounts of the frozen test part (../shared/data).

The ratios were measured on the fit part (`scripts/fit_bot_behaviour.py`); here the test part goes
through ingest and the stage's own feature code, and the component must stay quiet on ordinary
election accounts (measured: 2 of 367 with 10+ posts; brexit-2016 alone 0 of 353) while it still sees the IRA accounts'
bursts (measured: 24 of 66). Skips when ../shared is absent.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pandas as pd
import pytest

from botwatch.accounts import bot_behaviour as bb
from botwatch.accounts.ordinary_archives import v1_time
from botwatch.accounts.validation import split_of

from testsupport.scripts import load_script


@pytest.fixture(scope="module")
def test_part_features(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    from botwatch import open_study
    from botwatch.accounts.features import build
    from botwatch.ingest.runner import ingest

    fit = load_script("fit_bot_behaviour")
    tmp = tmp_path_factory.mktemp("bbreal")
    # Ordinary: brexit-2016 accounts of the test part with 10+ posts (the bin the component reads).
    b = pd.read_csv(shared_data / "ordinary" / "brexit-2016" / "tweets.csv.gz", dtype=str, keep_default_na=False)
    counts = b["user_id"].value_counts()
    keep = {u for u, n in counts.items() if n >= bb.MIN_POSTS and split_of(u) == "test"}
    ordinary = tmp / "ordinary.jsonl.gz"
    with gzip.open(ordinary, "wb") as out:
        for r in b[b["user_id"].isin(keep)].itertuples(index=False):
            out.write(orjson.dumps({"id_str": r.tweet_id, "created_at": v1_time(r.created_at), "text": r.text, "user": {"id_str": r.user_id}}) + b"\n")
    # IRA: the test part's handles, their posts naming the race in the window.
    cut = tmp / "ira-cut.csv.gz"
    fit.cut_ira(shared_data / "ira" / "tweets.csv.gz", cut)
    ira = pd.read_csv(cut, dtype=str, keep_default_na=False)
    ira = ira[[split_of(a) == "test" for a in ira["author_id"].str.strip().str.lower()]]
    ira_path = tmp / "ira-test.csv.gz"
    ira.to_csv(ira_path, index=False, compression="gzip")
    with open_study(tmp / "s.duckdb", read_only=False) as st:
        ingest(st, [str(ira_path), str(ordinary)])
        f = build(st, None).features
    f = f[f["n_posts"].fillna(0) >= bb.MIN_POSTS].copy()
    f["ira"] = ~f["account_id"].isin(keep)
    return f.reset_index(drop=True)


def test_the_component_is_quiet_on_ordinary_accounts_and_sees_ira_bursts(test_part_features: pd.DataFrame) -> None:
    f = test_part_features
    r = bb.likelihood_ratios(f)
    ordinary, ira = ~f["ira"].to_numpy(), f["ira"].to_numpy()
    assert ordinary.sum() >= 200 and ira.sum() >= 40
    assert r.applied[ordinary].mean() <= 0.03
    assert r.applied[ira].mean() >= 0.2
