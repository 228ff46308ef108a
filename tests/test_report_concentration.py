"""The Parties section says where its account-bootstrap intervals run narrow: on ordinary Brexit
tweets five accounts wrote 800 of Labour's 2,106 posts, and a half of the accounts held the whole
study's figure in its 95% interval for about three cells in four (docs/methods.md)."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from pathlib import Path

from botwatch.report.concentration import concentrated
from botwatch.study import open_study


def _study(path: Path):  # type: ignore[no-untyped-def]
    st = open_study(path, read_only=False)
    st.sql("CREATE TABLE post_party (platform VARCHAR, account_id VARCHAR, created_at TIMESTAMP, party VARCHAR, in_election BOOLEAN)")
    st.sql("CREATE TABLE estimates (period VARCHAR, period_start TIMESTAMP, period_end TIMESTAMP)")
    st.sql("INSERT INTO estimates VALUES ('campaign', '2017-04-18', '2017-06-08 23:00')")
    t0 = datetime(2017, 5, 1)
    rows = []
    for a in range(5):  # five heavy posters about Labour: 40 posts each
        rows += [("twitter", f"h{a}", t0 + timedelta(minutes=i), "labour", True) for i in range(40)]
    for a in range(200):  # 200 light ones, 1 post each about each party
        rows += [("twitter", f"l{a}", t0 + timedelta(hours=a), p, True) for p in ("labour", "conservative")]
    rows += [("twitter", "h0", datetime(2017, 7, 1), "conservative", True)] * 500  # after the window: not counted
    rows += [("twitter", "h1", t0, "conservative", False)] * 500  # not an election post: not counted
    st.sql("INSERT INTO post_party SELECT * FROM (VALUES " + ", ".join("(?, ?, ?, ?, ?)" for _ in rows) + ")", [v for r in rows for v in r])
    return st


def test_the_parties_whose_few_accounts_wrote_much_are_found(tmp_path: Path) -> None:
    with _study(tmp_path / "s.duckdb") as st:
        got = concentrated(st, ["labour", "conservative", "green"])
    assert [c.key for c in got] == ["labour"]
    lab = got[0]
    assert (lab.posts, lab.accounts, lab.top_posts) == (400, 205, 200) and lab.share == 0.5


def test_the_section_says_it_beside_the_intervals(labelled_sample_path: Path, tmp_path: Path) -> None:
    """The bundled sample (mostly IRA accounts: a few dozen accounts write every election post)."""
    import shutil

    from botwatch.elections import load_election
    from botwatch.estimates.compute import EstimateOptions, compute_estimates, write_estimates
    from botwatch.report.section_parties import parties_section

    us = load_election("us-2016")
    dst = tmp_path / "s.duckdb"
    shutil.copy(labelled_sample_path, dst)
    with open_study(dst, read_only=False) as st:
        write_estimates(st, compute_estimates(st, us, EstimateOptions(sample_rate=0.01, reps=50), log=lambda m: None))
        heavy = concentrated(st, [p.key for p in us.parties])
        sec = parties_section(st, {"election": us})
    assert heavy and sec is not None
    said = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", str(sec.html))).split())
    first = heavy[0]
    name = next(p.name for p in us.parties if p.key == first.key)
    assert f"here the 5 most active accounts wrote {round(100 * first.share)}% of the posts naming {name} (by {first.accounts:,} accounts in all)" in said
    assert "so read these as narrower than they should be" in said


def test_the_headline_quoting_a_heavy_partys_brackets_says_they_run_narrow(labelled_sample_path: Path, tmp_path: Path) -> None:
    """On the first 100,000 IRA tweets the Parties headline quoted "58% [29–69%] supported the
    party" for Republicans with no word that the section below called those brackets too narrow
    (the 5 most active of 13 accounts wrote 86% of the posts). A reader quotes the headline."""
    import shutil

    from botwatch.elections import load_election
    from botwatch.estimates.compute import EstimateOptions, compute_estimates, write_estimates
    from botwatch.report.section_parties import parties_section

    us = load_election("us-2016")
    dst = tmp_path / "s.duckdb"
    shutil.copy(labelled_sample_path, dst)
    with open_study(dst, read_only=False) as st:
        write_estimates(st, compute_estimates(st, us, EstimateOptions(reps=50), log=lambda m: None))
        heavy = {c.key: c for c in concentrated(st, [p.key for p in us.parties])}
        sec = parties_section(st, {"election": us})
    assert heavy and sec is not None
    heads = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", str(h))).split()) for h in sec.headline]
    stance = [h for h in heads if " opposed " in h]
    assert stance, heads
    for p in us.parties:
        for h in (h for h in stance if h.startswith("Of the ") and f"naming {p.name}," in h):
            c = heavy.get(p.key)
            note = (f"These brackets are likely too narrow: the 5 most active of the {c.accounts:,} accounts naming {p.name} "
                    f"wrote {round(100 * c.share)}% of those posts") if c else "These brackets are likely too narrow"
            assert (note in h) == bool(c), h
    assert any("These brackets are likely too narrow" in h for h in stance), stance


def test_a_heavy_party_none_of_whose_posts_was_read_gets_no_word_on_brackets(labelled_sample_path: Path, tmp_path: Path) -> None:
    """Where none of a concentrated party's posts could be read for stance the headline gives no
    share and no bracket ("none could be read"): the note on its brackets named brackets not there."""
    import shutil

    from botwatch.elections import load_election
    from botwatch.estimates.compute import EstimateOptions, compute_estimates, write_estimates
    from botwatch.report.section_parties import parties_section

    us = load_election("us-2016")
    dst = tmp_path / "s.duckdb"
    shutil.copy(labelled_sample_path, dst)
    with open_study(dst, read_only=False) as st:
        write_estimates(st, compute_estimates(st, us, EstimateOptions(reps=50), log=lambda m: None))
        assert "republican" in {c.key for c in concentrated(st, [p.key for p in us.parties])}  # quoted in the headline
        st.con.execute("UPDATE estimates SET observed = 0 WHERE party = 'republican' AND metric = 'stance_measured_posts'")
        sec = parties_section(st, {"election": us})
    assert sec is not None
    name = next(p.name for p in us.parties if p.key == "republican")
    heads = [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", str(h))).split()) for h in sec.headline]
    unread = [h for h in heads if h.startswith("Of the ") and f"naming {name}," in h]
    assert unread and "none could be read" in unread[0], heads
    assert "These brackets are likely too narrow" not in unread[0], unread[0]
