"""An account's repeated texts (`dup_text_share`, the "duplicates" behaviour: "N% of its posts repeat
a text it already posted") count what it wrote, not a Mastodon content warning alone: an account that
put "nsfw" over six pictures with no words read as repeating one text five times."""

from __future__ import annotations

import json
from pathlib import Path

from botwatch import open_study
from botwatch.accounts.behaviour import account_activity
from botwatch.ingest.runner import ingest
from test_coordination_mastodon_warnings import BODY, _status


def test_a_warning_alone_is_no_text_and_a_body_repeated_under_two_warnings_is_one(tmp_path: Path) -> None:
    statuses = [_status(i, "p", "nsfw", "") for i in range(6)]
    statuses += [_status(10, "q", "uspol", BODY), _status(11, "q", "UK politics", BODY), _status(12, "q", "", "something else entirely")]
    f = tmp_path / "statuses.jsonl"
    f.write_text("\n".join(json.dumps(s) for s in statuses) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(f)])
        got = {r["account_id"].rsplit("@", 1)[1]: (r["n_posts"], r["n_texts"], r["n_distinct_texts"])
               for r in account_activity(st.table("posts")).to_pyarrow().to_pylist()}
    assert got == {"p": (6, 0, 0), "q": (3, 3, 2)}
