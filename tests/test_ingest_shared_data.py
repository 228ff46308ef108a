"""Ingest of the real files in ../shared/data (skipped, with the reason, when they are absent)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from botwatch import open_study
from botwatch.ingest.runner import ingest


def _tweet_ids(path: Path) -> set[str]:
    """Post ids in a twarc2 file, computed independently of botwatch's readers."""
    ids: set[str] = set()
    for line in gzip.open(path, "rt"):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        data = obj.get("data", obj)
        items = data if isinstance(data, list) else [data]
        ids.update(t["id"] for t in items if isinstance(t, dict) and "text" in t and "author_id" in t)
    return ids


def test_every_real_twarc2_file_and_the_ge2017_file(shared_data: Path, tmp_path: Path) -> None:
    files = sorted((shared_data / "twarc2").glob("*.jsonl.gz")) + [shared_data / "ge2017" / "UKLabour-May-week1.json.gz"]
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        summary = ingest(st, [str(f) for f in files], workers=1)
        assert all(r.error is None for r in summary.files)
        expected: set[str] = set()
        for f in files[:-1]:
            expected |= _tweet_ids(f)
        expected |= {s["id_str"] for s in json.loads(gzip.open(files[-1]).read())}
        got = {r[0] for r in st.sql("SELECT post_id FROM posts")}
        assert got == expected
        # The only unreadable record in the real data is the stream's truncated last line.
        assert st.sql("SELECT source, error FROM rejected") == [
            (str(shared_data / "twarc2" / "streaming_output_with_error.jsonl.gz"), st.sql("SELECT error FROM rejected")[0][0])
        ]
        uklabour = st.sql("SELECT handle, account_lang, time_zone, utc_offset FROM accounts WHERE handle = 'UKLabour'")
        assert uklabour and uklabour[0][1] is not None  # the old v1.1 user fields survive


def test_ira_authors_and_twibot_profiles(shared_data: Path, tmp_path: Path) -> None:
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        summary = ingest(st, [str(shared_data / "ira" / "authors.csv.gz"), str(shared_data / "twibot20" / "TwiBot-20_sample.json.gz")], workers=1)
        assert [r.format for r in summary.files] == ["ira-538-authors", "twibot20"]
        assert summary.files[0].rejected == 0 and summary.files[1].rejected == 0
        cats = dict(st.sql("SELECT json_extract_string(extra, '$.account_category') c, count(*) FROM accounts WHERE c IS NOT NULL GROUP BY c"))
        assert {"RightTroll", "LeftTroll", "NewsFeed", "HashtagGamer"} <= set(cats)
        # TwiBot pads every value with a space: counts come back as numbers, "None" as NULL.
        row = st.sql("SELECT handle, followers, time_zone FROM accounts WHERE account_id = '17461978'")
        assert row == [("SHAQ", 15349596, None)]
