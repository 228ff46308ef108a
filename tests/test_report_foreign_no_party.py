"""Foreign-origin accounts whose election posts name no party: the parties headline said nothing
of them. Their count was dropped with their (absent) tone, where a study with none said "No
election post in the study came from an account whose probability of being run from outside ...".
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from botwatch.elections import load_election
from botwatch.ingest.runner import ingest
from botwatch.pipeline import Context, analyze
from botwatch.report.section_parties import parties_section
from botwatch.study import open_study

UK = load_election("uk-ge2017")


def test_foreign_posts_naming_no_party_are_still_counted_in_the_headline(tmp_path: Path) -> None:
    lines = [{"id_str": f"{i}{k}", "full_text": f"The general election is soon {k}", "created_at": f"Sat May 20 1{k}:0{i}:00 +0000 2017",
              "user": {"id_str": f"u{i}", "screen_name": f"fan{i}"}, "lang": "en"} for i in range(8) for k in range(3)]
    (tmp_path / "t.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(tmp_path / "t.jsonl")])
        st.sql("CREATE TABLE account_scores (platform VARCHAR, account_id VARCHAR, bot_probability DOUBLE, origin_country VARCHAR, origin_probability DOUBLE, "
               "origin_probabilities VARCHAR)")
        st.sql("INSERT INTO account_scores SELECT DISTINCT platform, account_id, 0.1, 'RU', 0.9, ? FROM posts", [json.dumps({"RU": 0.9, "GB": 0.1})])
        analyze(st, Context(election=UK, log=lambda m: None, options={"bootstrap_reps": 50}), only=["content", "estimates"])
        sec = parties_section(st, {"election": UK})
    assert sec is not None
    heads = re.sub(r"\s+", " ", " ".join(re.sub("<[^>]+>", " ", str(h)) for h in sec.headline))
    assert "Foreign-origin accounts (probability of being run from outside GB ≥ 0.5) posted 24 election posts" in heads, heads
    assert "none of their election posts names a party, so there is no tone toward the parties to give" in heads, heads
    # Every account of those days is foreign-origin: each resample draws them all, and the count
    # printed "[24–24: resampling the accounts; …]", an interval of no width read as a measured one.
    assert "[24–24" not in heads and "24 election posts in the 30 days before polling day (every resample of the accounts gave 24: no interval)" in heads, heads
