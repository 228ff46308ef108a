"""The ordinary archives as v1.1 statuses (accounts/ordinary_archives.py): the one switch in which
the origin validation and the behaviour fit differ (gop-debate retweets) does only that."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from botwatch.accounts.ordinary_archives import ordinary_as_v1, v1_time


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


def test_retweets_are_marked_only_when_asked(tmp_path: Path) -> None:
    data = _archives(tmp_path / "data")
    assert ordinary_as_v1(data, tmp_path / "plain.jsonl.gz") == 3
    assert ordinary_as_v1(data, tmp_path / "rt.jsonl.gz", retweets=True) == 3
    plain, rt = _statuses(tmp_path / "plain.jsonl.gz"), _statuses(tmp_path / "rt.jsonl.gz")
    assert not any("retweeted_status" in s for s in plain)
    assert [s.get("retweeted_status", {}).get("user", {}).get("id_str") for s in rt] == [None, "gop-someone", None]
    assert rt[1]["retweeted_status"]["text"] == "great debate"
    for a, b in zip(plain, rt):  # otherwise the same statuses
        b.pop("retweeted_status", None)
        assert a == b
    assert plain[0]["created_at"] == "Thu Jun 23 20:00:00 +0000 2016" == v1_time("2016-06-23T21:00:00+01:00")
    assert plain[1]["user"] == {"id_str": "gop-fan", "screen_name": "Fan", "location": "Ohio", "time_zone": "Eastern Time (US & Canada)"}
