"""The coordination test reads the whole archive; the report says how much of it fell in the
election window.

On the IRA release under us-2016 the headline read "1,076 accounts in 174 clusters acted in
unison", its largest cluster co-acting in Russian from 2015 to 2017: a reader took the networks
for the election's. 27 of the 174 clusters co-acted inside the window, with 1% of the clusters'
co-actions. The headline and the section now say so (`section_coordination.window_activity`).
"""

from __future__ import annotations

import re
from pathlib import Path

from botwatch import open_study
from botwatch.elections import load_election
from botwatch.report.section_coordination import coordination_section, window_activity


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_share_of_co_acting_inside_the_window_is_counted_and_said(analysed_sample_path: Path) -> None:
    election = load_election("us-2016")
    with open_study(analysed_sample_path) as st:
        n = st.sql("SELECT count(*) FROM clusters")[0][0]
        got = window_activity(st, election, n)
        assert got is not None and got["of"] == n
        # The count by hand: pairs of posts of two members of one cluster, dated by the earlier post.
        lo, hi = election.window_utc()
        pairs = st.sql(
            "SELECT DISTINCT m.cluster_id, e.post_a, e.post_b, least(e.t_a, e.t_b) FROM coordination_evidence e "
            "JOIN cluster_members m ON m.platform = e.platform AND m.account_id = e.account_a "
            "JOIN cluster_members mb ON mb.platform = e.platform AND mb.account_id = e.account_b AND mb.cluster_id = m.cluster_id"
        )
        inside = [p for p in pairs if lo <= p[3] < hi]
        assert got["all"] == len({(a, b) for _, a, b, _ in pairs}) > 0
        assert got["co_actions"] == len({(a, b) for _, a, b, _ in inside})
        assert got["clusters"] == len({c for c, *_ in inside})
        sec = coordination_section(st, {"election": election})
    assert sec is not None
    from botwatch.report.sections import render

    said = _text(render("coordination_window.html.j2", in_window=got))
    assert "election window (2016-09-01 to 2016-11-15)" in said
    assert said in _text(sec.html) and said in _text(" ".join(str(h) for h in sec.headline))
    # Without an election there is no window to count in, and nothing is said.
    with open_study(analysed_sample_path) as st:
        assert window_activity(st, None, n) is None
        assert "election window" not in _text(coordination_section(st, {}).html)


def test_the_sentence_for_each_case() -> None:
    """None inside, all inside, some clusters, every cluster with part of its co-acting."""
    from datetime import date

    from botwatch.report.sections import render

    def said(clusters: int, of: int, inside: int, total: int) -> str:
        w = {"clusters": clusters, "of": of, "co_actions": inside, "all": total, "start": date(2016, 9, 1), "end": date(2016, 11, 15)}
        return " ".join(render("coordination_window.html.j2", in_window=w).split())

    # "None of these clusters" gave no count, and one cluster read "None of the cluster co-acted".
    assert said(0, 174, 0, 187_158) == ("None of the 174 clusters co-acted inside the election window (2016-09-01 to 2016-11-15): all 187,158 of "
                                        "their co-actions fall outside it, and the test reads the whole archive, so these are networks of the "
                                        "archive, not of this election's talk.")
    assert said(0, 1, 0, 12) == ("The cluster did not co-act inside the election window (2016-09-01 to 2016-11-15): all 12 of its co-actions "
                                 "fall outside it, and the test reads the whole archive, so this is a network of the archive, not of this "
                                 "election's talk.")
    assert "its one co-action falls outside it" in said(0, 1, 0, 1)
    assert said(5, 5, 40, 40) == "Every co-action of these clusters (40) falls inside the election window (2016-09-01 to 2016-11-15)."
    assert said(27, 174, 2_592, 187_158) == ("27 of the 174 clusters co-acted inside the election window (2016-09-01 to 2016-11-15): 2,592 of the "
                                             "187,158 co-actions of all clusters (1%) fall in it; the test reads the whole archive.")
    assert said(3, 3, 10, 40).startswith("All 3 clusters co-acted inside the election window")
    # One cluster read "All 1 cluster co-acted ...: 20 of the 54 co-actions of all clusters" (IRA slice, us-2016).
    assert said(1, 1, 20, 54) == ("The cluster co-acted inside the election window (2016-09-01 to 2016-11-15): 20 of its 54 co-actions (37%) "
                                  "fall in it; the test reads the whole archive.")
    assert render("coordination_window.html.j2", in_window=None).strip() == ""


def test_how_much_of_the_co_acting_touches_an_election_post_is_said(analysed_sample_path: Path) -> None:
    """In the window is not about the election. The GE2017 sample beside the IRA's tweets of
    May–June 2017 headlined "63 accounts in 22 clusters acted in unison …; 582 of the 1,914
    co-actions of all clusters (30%) fall in [the election window]", where 8 of the 1,914 touched
    an election post: a journalist would have printed US-news and Russian-language co-acting of the
    same weeks as networks in the UK election's talk. The count is said beside the window's."""
    from datetime import date

    from botwatch.report.sections import render

    election = load_election("us-2016")
    with open_study(analysed_sample_path) as st:
        got = window_activity(st, election, st.sql("SELECT count(*) FROM clusters")[0][0])
        election_posts = {p for (p,) in st.sql("SELECT post_id FROM post_labels WHERE in_election")}
        pairs = st.sql(
            "SELECT DISTINCT e.post_a, e.post_b FROM coordination_evidence e "
            "JOIN cluster_members m ON m.platform = e.platform AND m.account_id = e.account_a "
            "JOIN cluster_members mb ON mb.platform = e.platform AND mb.account_id = e.account_b AND mb.cluster_id = m.cluster_id"
        )
    assert got is not None and got["talk"] == sum(1 for a, b in pairs if a in election_posts or b in election_posts)

    def said(talk: int | None, total: int = 1_914, of: int = 22) -> str:
        w = {"clusters": 21, "of": of, "co_actions": 582, "all": total, "start": date(2017, 4, 18), "end": date(2017, 6, 9), "talk": talk}
        return " ".join(render("coordination_window.html.j2", in_window=w).split()).replace("&#39;", "'")

    assert said(8).endswith("fall in it; the test reads the whole archive. 8 of the clusters' 1,914 co-actions (0.4%) involve an election "
                            "post: most of this co-acting is outside this election's talk."), said(8)
    assert said(0).endswith(" None of the clusters' 1,914 co-actions involves an election post: most of this co-acting is outside this "
                            "election's talk."), said(0)
    assert said(1_500).endswith(" 1,500 of the clusters' 1,914 co-actions (78%) involve an election post."), said(1_500)
    assert said(None).endswith("the test reads the whole archive.")  # no content stage: nothing said
