"""The profile facts the bot model reads beyond the canonical columns (likes, lists, website) are
kept in `extra` by every Twitter reader, with the same JSON text, and unknown stays unknown."""

from __future__ import annotations

import json

from botwatch.ingest.twitter_v1 import profile_extra, user_snapshot
from botwatch.ingest.twitter_v1_fast import _snapshot, _User
from botwatch.ingest.twitter_v2 import user_snapshot as v2_snapshot


def test_v1_lenient_and_fast_readers_write_the_same_extra() -> None:
    user = {"id_str": "1", "screen_name": "a", "favourites_count": 12, "listed_count": 3, "url": "https://t.co/x"}
    lenient = user_snapshot(user, None)["extra"]
    fast = _snapshot(_User(**{k: v for k, v in user.items()}), None)["extra"]
    assert lenient == fast == '{"likes_count":12,"listed_count":3,"has_url":true}'
    none = user_snapshot({"id_str": "2", "url": None}, None)["extra"]
    assert json.loads(none) == {"likes_count": None, "listed_count": None, "has_url": False}


def test_v2_reads_public_metrics_and_leaves_an_unrequested_url_unknown() -> None:
    with_url = v2_snapshot({"id": "5", "url": "", "public_metrics": {"listed_count": 4, "like_count": 9}}, None)
    assert json.loads(with_url["extra"]) == {"likes_count": 9, "listed_count": 4, "has_url": False}
    without = v2_snapshot({"id": "6", "public_metrics": {"followers_count": 1}}, None)
    assert json.loads(without["extra"]) == {"likes_count": None, "listed_count": None, "has_url": None}
    assert profile_extra(None, None, None) == '{"likes_count":null,"listed_count":null,"has_url":null}'


def test_text_fields_are_empty_only_where_a_reader_saw_the_whole_profile() -> None:
    """A null location or description is "empty" for a profile a reader saw whole (the v1.1
    readers always record `has_url`), "unknown" for one whose source may not carry the field (a
    --columns CSV with counts and a creation time, Mastodon): such accounts were told "no profile
    location: raised the bot score"."""
    import numpy as np
    import pandas as pd

    from botwatch.accounts.profile import profile_features

    base = {"created_at": pd.Timestamp("2016-01-01"), "followers": 10.0, "following": 5.0, "posts_count": 100.0,
            "handle": "someone", "location": None, "description": None}
    study = pd.DataFrame([{**base, "has_url": False}, {**base, "has_url": None}, {**base, "has_url": None, "location": "Leeds"}])
    got = profile_features(study, pd.Series([pd.Timestamp("2016-06-01")] * 3))
    assert got["has_location"].tolist()[0] == 0.0 and got["automation_words"].tolist()[0] == 0.0  # seen whole: empty
    assert np.isnan(got["has_location"].tolist()[1]) and np.isnan(got["automation_words"].tolist()[1])  # not known
    assert got["has_location"].tolist()[2] == 1.0  # a value is known wherever it is there
    # Labelled sets (no `has_url` column: they give the profile's `url`) read as before.
    labelled = profile_features(pd.DataFrame([base]), pd.Series([pd.Timestamp("2016-06-01")]))
    assert labelled["has_location"].tolist() == [0.0]


def test_a_csv_without_a_location_column_is_not_told_it_has_none(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from botwatch.cli import app

    src = tmp_path / "c.csv"
    src.write_text("post_id,account_id,handle,created_at,text,account_created_at,followers,following,posts_count\n"
                   "1,a1,alice_w,2016-10-01T12:00:00Z,Vote today,2016-09-20T10:00:00Z,12,500,4000\n"
                   "2,a1,alice_w,2016-10-01T13:00:00Z,Debate tonight,2016-09-20T10:00:00Z,12,500,4001\n", encoding="utf-8")
    study = str(tmp_path / "s.duckdb")
    cols = "post_id=post_id,account_id=account_id,handle=handle,created_at=created_at,text=text," \
           "account_created_at=account_created_at,followers=followers,following=following,posts_count=posts_count"
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", study, str(src), "--columns", cols]).exit_code == 0
    assert runner.invoke(app, ["analyze", study, "--election", "us-2016", "--only", "accounts"]).exit_code == 0
    out = runner.invoke(app, ["explain", study, "alice_w"])
    assert out.exit_code == 0 and "Bot probability:" in out.output
    assert "no profile location" not in out.output and "no automation words" not in out.output


def test_a_mastodon_profile_flagged_bot_calls_itself_a_bot(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Mastodon profiles carry a `bot` flag the account sets to say it is automated (the reader
    keeps it in `extra`), but the bot model read only handle, name and description for "calls
    itself a bot": a flagged account with a plain description was told "does not call itself a
    bot: lowered the bot score". An unflagged one stays as its texts say."""
    import pandas as pd

    from botwatch import open_study
    from botwatch.accounts.features import with_profile_extra
    from botwatch.accounts.profile import profile_features
    from botwatch.ingest.runner import ingest

    def status(n: int, user: str, bot: bool) -> dict:
        acct = {"id": user, "username": user, "acct": f"{user}@example.social", "display_name": user.title(),
                "url": f"https://example.social/@{user}", "note": "<p>Election news</p>", "created_at": "2016-11-01T00:00:00.000Z",
                "followers_count": 10, "following_count": 3, "statuses_count": 99, "bot": bot}
        return {"id": str(n), "uri": f"https://example.social/users/{user}/statuses/{n}", "created_at": "2017-06-01T10:00:00.000Z",
                "content": "<p>Vote #GE2017</p>", "language": "en", "account": acct, "reblog": None, "tags": [{"name": "ge2017"}]}

    f = tmp_path / "masto.json"
    f.write_text(json.dumps([status(1, "feedy", True), status(2, "alice", False)]))
    st = open_study(tmp_path / "s.duckdb", read_only=False)
    ingest(st, [str(f)])
    acc = st.pandas("accounts").sort_values("handle").reset_index(drop=True)
    got = profile_features(with_profile_extra(acc), pd.Series([pd.Timestamp("2017-06-09")] * len(acc)))
    assert dict(zip(acc["handle"], got["self_declared_bot"])) == {"alice@example.social": 0.0, "feedy@example.social": 1.0}


def test_only_an_http_or_https_profile_url_is_a_website_on_the_profile(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A profile `url` of "javascript:alert(3)" counted as "a website on the profile", which
    lowers the bot score: an account could so look more human. Every reader (the lenient and fast
    v1.1 readers, v2, and DuckDB's native v1.1 path) counts only an http(s) address."""
    from botwatch import open_study
    from botwatch.ingest import runner

    urls = {"1": "javascript:alert(3)", "2": "HTTPS://t.co/x", "3": "http://t.co/y", "4": "data:text/html,hi", "5": "ftp://a.b/c", "6": "t.co/z"}
    want = {"1": False, "2": True, "3": True, "4": False, "5": False, "6": False}

    def has(extra: str) -> bool:
        return json.loads(extra)["has_url"]

    assert {k: has(user_snapshot({"id_str": k, "url": u}, None)["extra"]) for k, u in urls.items()} == want
    assert {k: has(_snapshot(_User(id_str=k, url=u), None)["extra"]) for k, u in urls.items()} == want
    assert {k: has(v2_snapshot({"id": k, "url": u}, None)["extra"]) for k, u in urls.items()} == want
    statuses = [{"id_str": str(10 + int(k)), "created_at": "Wed Oct 10 20:19:24 +0000 2018", "text": "x",
                 "user": {"id_str": k, "screen_name": f"u{k}", "url": u, "created_at": "Wed Oct 10 20:19:24 +0000 2012"}} for k, u in urls.items()]
    f = tmp_path / "v1.jsonl"
    f.write_text("\n".join(json.dumps(s) for s in statuses) + "\n")
    monkeypatch.setattr(runner, "NATIVE_MIN_BYTES", 0)  # DuckDB's reader, as for a large file
    calls: list = []
    real = runner.load_native
    monkeypatch.setattr(runner, "load_native", lambda *a, **k: (r := real(*a, **k), calls.append(r))[0])
    st = open_study(tmp_path / "s.duckdb", read_only=False)
    runner.ingest(st, [str(f)])
    assert calls and None not in calls  # read natively, not handed back to the Python readers
    assert {k: has(e) for k, e in st.sql("SELECT account_id, extra FROM accounts")} == want
