"""The ordinary archives as v1.1 statuses (accounts/ordinary_archives.py): gop-debate retweets are
written as retweets (others' words are not the ordinary account's own text), and the accounts
that only appear as retweeted are told apart from the archives' own accounts."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from botwatch.accounts.ordinary_archives import gop_key, ordinary_as_v1, ordinary_posters, v1_time


def _archives(root: Path) -> Path:
    (root / "ordinary" / "brexit-2016").mkdir(parents=True)
    (root / "ordinary" / "gop-debate-2015").mkdir(parents=True)
    with gzip.open(root / "ordinary" / "brexit-2016" / "tweets.csv.gz", "wt", encoding="utf-8") as f:
        f.write("tweet_id,created_at,text,user_id,user_location\n7,2016-06-23T21:00:00+01:00,Vote leave,u1,\n")
    with gzip.open(root / "ordinary" / "gop-debate-2015" / "tweets.csv.gz", "wt", encoding="utf-8") as f:
        f.write("row_id,created_at,text,author,user_location,user_time_zone,is_retweet\n"
                "1,2015-08-07T01:00:00Z,RT @Someone: great debate,Fan,Ohio,Eastern Time (US & Canada),1\n"
                "2,2015-08-07T01:01:00Z,my own words,Fan,Ohio,,0\n")
    return root


def _statuses(p: Path) -> list[dict]:
    return [json.loads(line) for line in gzip.open(p, "rt", encoding="utf-8")]


def test_retweets_are_marked_as_retweets(tmp_path: Path) -> None:
    data = _archives(tmp_path / "data")
    assert ordinary_as_v1(data, tmp_path / "rt.jsonl.gz") == 3
    rt = _statuses(tmp_path / "rt.jsonl.gz")
    assert [s.get("retweeted_status", {}).get("user", {}).get("id_str") for s in rt] == [None, "gop-someone", None]
    assert rt[1]["retweeted_status"]["text"] == "great debate"
    assert rt[1]["text"] == "RT @Someone: great debate"  # the retweet's own text as the API sent it
    assert rt[0]["created_at"] == "Thu Jun 23 20:00:00 +0000 2016" == v1_time("2016-06-23T21:00:00+01:00")
    assert rt[1]["user"] == {"id_str": "gop-fan", "screen_name": "Fan", "location": "Ohio", "time_zone": "Eastern Time (US & Canada)"}
    assert rt[2]["user"]["id_str"] == "gop-fan" and "retweeted_status" not in rt[2]


def test_posters_are_the_archives_accounts_not_the_retweeted(tmp_path: Path) -> None:
    data = _archives(tmp_path / "data")
    assert ordinary_posters(data) == {"u1", "gop-fan"}  # not gop-someone, who was only retweeted
    assert gop_key("Fan") == "gop-fan"


def test_the_study_holds_the_retweet_as_the_posters_and_the_author_without_posts(tmp_path: Path) -> None:
    """Ingested as a user would: the retweeted handle is an account of the study with no post."""
    from botwatch import open_study
    from botwatch.ingest.runner import ingest

    data = _archives(tmp_path / "data")
    src = tmp_path / "rt.jsonl.gz"
    ordinary_as_v1(data, src)
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(src)])
        posts = st.con.execute("SELECT account_id, kind, ref_handle, text FROM posts ORDER BY post_id").fetchall()
        accounts = {a for (a,) in st.con.execute("SELECT account_id FROM accounts").fetchall()}
    assert sorted(posts) == sorted([("u1", "original", None, "Vote leave"), ("gop-fan", "retweet", "Someone", "great debate"),
                                    ("gop-fan", "original", None, "my own words")])
    assert accounts == {"u1", "gop-fan", "gop-someone"}
    assert accounts - ordinary_posters(data) == {"gop-someone"}
