"""When each network was active: the review found that neither the report's clusters table nor
`botwatch coordination` said when a network acted. `clusters` now holds each cluster's members'
first and last posts and its busiest UTC day of co-actions (computed in the stage's SQL, so both
engines give it; `tests/test_engine_parity.py` compares the table), and both outputs show them
beside the span of co-actions."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.study import open_study

from test_timeline import write_posts

BUSY = date(2017, 5, 4)


def _retweet_crowd(starts: list[datetime], rng: np.random.Generator) -> list[dict]:
    """Six accounts (b0-b5) retweeting post k within seconds of starts[k], and twenty others
    (h0-h19) retweeting it at a random minute up to two days later."""
    posts = []
    for k, t0 in enumerate(starts):
        for a in range(6):
            posts.append(dict(post_id=f"r{k}-{a}", platform="twitter", account_id=f"b{a}", created_at=t0 + timedelta(seconds=5 * a), kind="retweet",
                              text=f"t{k}", ref_post_id=f"o{k}", ref_account_id="src"))
        for h in range(20):
            posts.append(dict(post_id=f"h{k}-{h}", platform="twitter", account_id=f"h{h}", created_at=t0 + timedelta(minutes=int(rng.integers(1, 3000))),
                              kind="retweet", text=f"t{k}", ref_post_id=f"o{k}", ref_account_id="src"))
    return posts


def _network_with_a_busy_day(path: Path) -> None:
    """Six accounts retweeting 30 posts spread over nine days within seconds of each other, and
    12 more on 4 May; twenty others retweet the same posts at random."""
    rng = np.random.default_rng(5)
    starts = [datetime(2017, 5, 1, 0, 30) + timedelta(hours=7 * k) for k in range(30)]
    starts += [datetime(2017, 5, 4, 1, 0) + timedelta(minutes=50 * j) for j in range(12)]
    posts = _retweet_crowd(starts, rng)
    posts.append(dict(post_id="late", platform="twitter", account_id="b0", created_at=datetime(2017, 5, 20, 9, 15), kind="original", text="later"))
    with open_study(path, read_only=False) as st:
        write_posts(st, posts)


def test_clusters_record_when_each_network_was_active_and_both_outputs_say_it(tmp_path: Path) -> None:
    from botwatch.report.section_coordination import coordination_section

    study = tmp_path / "s.duckdb"
    _network_with_a_busy_day(study)
    res = CliRunner().invoke(app, ["coordination", str(study), "--window", "60s"], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    with open_study(study, read_only=True) as st:
        got = st.sql("SELECT cluster_id, posts_first_at, posts_last_at, peak_day, peak_day_co_actions, first_at, last_at FROM clusters ORDER BY size DESC LIMIT 1")
        assert got, "the planted network was not found"
        cid, p_first, p_last, peak, peak_n, first, last = got[0]
        members = [a for (a,) in st.sql("SELECT account_id FROM cluster_members WHERE cluster_id = ?", [cid])]
        # The expected values, counted here from the stored posts and evidence rows.
        times = [t for (t,) in st.sql(f"SELECT created_at FROM posts WHERE account_id IN ({', '.join('?' for _ in members)})", members)]
        pairs = {(pa, pb, min(ta, tb).date()) for pa, pb, ta, tb, a, b in st.sql("SELECT post_a, post_b, t_a, t_b, account_a, account_b FROM coordination_evidence")
                 if a in members and b in members}
        sec = coordination_section(st, {})
    per_day = Counter(d for _, _, d in pairs)
    want_peak = max(per_day.items(), key=lambda kv: (kv[1], -kv[0].toordinal()))
    assert set(members) >= {f"b{i}" for i in range(4)}
    assert (p_first, p_last) == (min(times), max(times)) and p_last == datetime(2017, 5, 20, 9, 15)  # a post outside any co-action counts
    assert (peak, peak_n) == want_peak and peak == BUSY
    out = " ".join(res.output.split())
    assert "busiest day (UTC)" in out and f"{BUSY:%Y-%m-%d} ({peak_n:,} co-actions)" in out
    assert f"{first:%Y-%m-%d %H:%M} – {last:%Y-%m-%d %H:%M}" in out and f"{p_first:%Y-%m-%d %H:%M} – {p_last:%Y-%m-%d %H:%M}" in out
    assert sec is not None
    html = " ".join(re.sub("<[^>]+>", " ", str(sec.html)).split())
    assert f"busiest day {BUSY:%Y-%m-%d} ({peak_n:,} co-actions)" in html
    assert f"members' posts {p_first:%Y-%m-%d %H:%M} – {p_last:%Y-%m-%d %H:%M}" in html
    head = " ".join(re.sub("<[^>]+>", "", str(sec.headline[0])).split())
    assert f"co-acting from {first:%Y-%m-%d} to {last:%Y-%m-%d} (UTC), most on {BUSY:%Y-%m-%d} ({peak_n:,} co-actions)" in head


def test_clusters_an_older_botwatch_built_say_not_recorded(tmp_path: Path) -> None:
    from botwatch.report.section_coordination import coordination_section

    study = tmp_path / "s.duckdb"
    _network_with_a_busy_day(study)
    assert CliRunner().invoke(app, ["coordination", str(study), "--window", "60s"]).exit_code == 0
    with open_study(study, read_only=False) as st:
        st.sql("CREATE OR REPLACE TABLE clusters AS SELECT * EXCLUDE (posts_first_at, posts_last_at, peak_day, peak_day_co_actions) FROM clusters")
        sec = coordination_section(st, {})
    assert sec is not None
    html = " ".join(re.sub("<[^>]+>", " ", str(sec.html)).split())
    assert "busiest day not recorded" in html and "members' posts not recorded" in html
    assert "most on" not in " ".join(str(h) for h in sec.headline)


def test_a_busiest_day_tied_with_another_is_said_to_be_tied(tmp_path: Path) -> None:
    """The stage keeps one busiest day (the earliest of a tie); the report read "most on 2016-09-12
    (5 co-actions)" where its own cluster timeline showed 5 on 2016-10-03 too (IRA tweets, us-2016),
    and `botwatch coordination` kept printing the one day after the report named both.
    Six accounts retweet ten posts within seconds on each of two days, the same way both days."""
    from botwatch.report.section_coordination import coordination_section

    rng = np.random.default_rng(11)
    starts = [datetime(2017, day, 1, 0, 30) + timedelta(hours=2 * k) for day in (5, 6) for k in range(10)]
    posts = _retweet_crowd(starts, rng)
    study = tmp_path / "s.duckdb"
    with open_study(study, read_only=False) as st:
        write_posts(st, posts)
    res = CliRunner().invoke(app, ["coordination", str(study), "--window", "60s"], env={"COLUMNS": "400"})
    assert res.exit_code == 0, res.output
    with open_study(study, read_only=True) as st:
        cid, peak, peak_n = st.sql("SELECT cluster_id, peak_day, peak_day_co_actions FROM clusters ORDER BY size DESC LIMIT 1")[0]
        members = {a for (a,) in st.sql("SELECT account_id FROM cluster_members WHERE cluster_id = ?", [cid])}
        pairs = {(pa, pb, min(ta, tb).date()) for pa, pb, ta, tb, a, b in st.sql("SELECT post_a, post_b, t_a, t_b, account_a, account_b FROM coordination_evidence")
                 if a in members and b in members}
        sec = coordination_section(st, {})
    per_day = Counter(d for _, _, d in pairs)
    assert sorted(per_day) == [date(2017, 5, 1), date(2017, 6, 1)] and len(set(per_day.values())) == 1, per_day  # the tie the test is about
    assert sec is not None
    head = " ".join(re.sub("<[^>]+>", "", str(sec.headline[0])).split())
    assert f"most on 2017-05-01 and 2017-06-01, tied at {peak_n:,} co-actions each" in head
    html = " ".join(re.sub("<[^>]+>", " ", str(sec.html)).split())
    assert f"busiest day 2017-05-01 and 2017-06-01, tied at {peak_n:,} co-actions each" in html
    # `botwatch coordination` says the same of the same cluster: it printed "2017-05-01 (N)" alone
    # (IRA tweets of November 2016: "2016-11-01 (36)" where the report named 2016-11-15 too).
    printed = " ".join(res.output.split())
    assert f"2017-05-01 and 2017-06-01, tied at {peak_n:,} co-actions each" in printed, res.output


def test_peak_words_counts_the_other_days_of_a_long_tie() -> None:
    from botwatch.report.section_coordination import peak_words

    days = [date(2017, 5, d) for d in (2, 4, 6, 9)]
    c = {"peak_day": days[0], "peak_day_co_actions": 1}
    assert peak_words(c, days) == "2017-05-02 and 3 other days, tied at 1 co-action each"
    assert peak_words(c, days[:1]) == "2017-05-02 (1 co-action)"
    assert peak_words({"peak_day": None, "peak_day_co_actions": None}, []) == ""


def test_the_stage_line_counts_one_edge_and_one_cluster_in_the_singular(tmp_path: Path) -> None:
    """`analyze` printed "coordination: 3 edges kept (threshold 2 co-actions), 1 clusters" on IRA
    tweets of April-May 2017; two accounts retweeting together make one edge and one cluster."""
    from botwatch.coordination.network import NetworkOptions
    from botwatch.coordination.stage import run_coordination

    rng = np.random.default_rng(3)
    posts = []
    for k in range(12):
        t0 = datetime(2017, 5, 1, 0, 30) + timedelta(hours=5 * k)
        for a in range(2):
            posts.append(dict(post_id=f"r{k}-{a}", platform="twitter", account_id=f"b{a}", created_at=t0 + timedelta(seconds=5 * a), kind="retweet",
                              text=f"t{k}", ref_post_id=f"o{k}", ref_account_id="src"))
        for h in range(10):
            posts.append(dict(post_id=f"h{k}-{h}", platform="twitter", account_id=f"h{h}", created_at=t0 + timedelta(minutes=int(rng.integers(1, 3000))),
                              kind="retweet", text=f"t{k}", ref_post_id=f"o{k}", ref_account_id="src"))
    lines: list[str] = []
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        write_posts(st, posts)
        res = run_coordination(st, NetworkOptions(window_s=60), log=lines.append)
        clusters = st.sql("SELECT count(*) FROM clusters")[0][0]
    assert (res.edges, clusters) == (1, 1), lines
    last = lines[-1]
    assert last.startswith("coordination: 1 edge kept (") and last.endswith("), 1 cluster"), last
    # Not "threshold N co-actions": edges are kept by the test, and N is only the fewest of the kept.
    assert "threshold" not in last and "(the fewest co-actions of a kept edge: 12)" in last, last
