"""A party's stance shares in the headline say how few posts they rest on when most of its posts
could not be read.

A user's file for the German federal election of 2017, run on the IRA release: "Of the 586
election posts in the study naming AfD, 0% (every resample of the accounts gave 0%: no interval)
supported the party and 20% [0–50%] opposed it (of those whose stance was measured: 581 not in
English and without a party cue are left out)". The shares rest on 5 posts, said last, in a
parenthesis. Where most of a party's posts could not be read, the headline now leads with it.
"""

from __future__ import annotations

from botwatch.report.sections import render


def _said(observed: int, unread: int) -> str:
    r = {"name": "AfD", "observed_posts": observed, "unread": unread, "support_share": "0% (every resample of the accounts gave 0%: no interval)",
         "oppose_share": "20% [0–50%]", "positive": "0%", "negative": "60% [0–100%]"}
    return " ".join(str(render("parties_headline.html.j2", kind="stance", r=r, own_n=0, handles=[], stale_own=False, no_better=False, kin=None,
                                election=None, measured={}, measured_here=False, measured_on="us-2016", lab=None, labs={}, pct=str)).split())


def test_most_posts_unread_lead_the_sentence() -> None:
    text = _said(586, 581)
    assert text.startswith("Of the 586 election posts in the study naming AfD, only 5 could be read for stance (581 are not in English and "
                           "carry no party cue): of those 5, 0% (every resample of the accounts gave 0%: no interval) supported AfD "
                           "and 20% [0–50%] opposed AfD ("), text
    assert "of those whose stance was measured" not in text
    assert "of that one, " in _said(586, 585)


def test_a_few_unread_posts_stay_a_parenthesis() -> None:
    text = _said(1_310, 300)
    assert ("supported AfD and 20% [0–50%] opposed AfD (of those whose stance was measured: 300 not in English and without a party "
            "cue are left out)") in text and "could be read" not in text
    assert "left out" not in _said(1_310, 0)


def test_the_table_says_what_each_share_is_of(analysed_sample_path, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """"SPD: 452 posts … support share 0%, oppose share 0%" where 4 posts were read for stance,
    all neutral. Where some party's posts were not all read, the table has a "Read for stance"
    column, and an "In English" one where some are not all in English (the sentiment shares'
    posts); where every post was read, neither (they would repeat "Posts")."""
    import re
    import shutil

    from botwatch import open_study
    from botwatch.elections import load_election
    from botwatch.report.section_parties import parties_section, read_columns

    assert read_columns([{"observed_posts": 10, "read": 10, "english": 10}]) == {"stance": False, "english": False}
    assert read_columns([{"observed_posts": 10, "read": 4, "english": 10}, {"observed_posts": 5, "read": None, "english": None}]) == {"stance": True, "english": False}
    us = load_election("us-2016")
    study = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, study)
    with open_study(study, read_only=False) as st:
        party, posts = st.sql("SELECT party, observed FROM estimates WHERE period = 'campaign' AND account_group = 'all' AND metric = 'posts' "
                              "AND party NOT IN ('*', 'any_party') ORDER BY observed DESC LIMIT 1")[0]
        # Every post read and in English: the shares are of every post, and no column says so again.
        st.sql("UPDATE estimates e SET observed = p.observed, estimate = p.observed FROM estimates p WHERE e.metric IN ('stance_measured_posts', 'scored_posts') "
               "AND p.metric = 'posts' AND p.period = e.period AND p.account_group = e.account_group AND p.party = e.party")
        every = " ".join(re.sub(r"<[^>]+>", " ", str(parties_section(st, {"election": us}).html)).split())
        # As on the German file: most of the party's posts neither read for stance nor in English.
        st.sql("UPDATE estimates SET observed = 4, estimate = 4 WHERE period = 'campaign' AND account_group = 'all' AND party = ? "
               "AND metric IN ('stance_measured_posts', 'scored_posts')", [party])
        few = " ".join(re.sub(r"<[^>]+>", " ", str(parties_section(st, {"election": us}).html)).split())
    assert posts > 4
    assert "Read for stance" not in every and "In English" not in every
    assert "Read for stance" in few and "In English" in few


def test_the_read_columns_are_scaled_as_the_posts_beside_them(analysed_sample_path, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """At --sample-rate 0.01 the sample's table read "Posts 317,000 … Support 224,500 … Read for
    stance 3,153 … In English 3,150": the read columns were the study's counts beside scaled ones,
    as if 1% of the posts had been read (and 224,500 / 3,153 is no share). They are in the
    table's units now, here and in the foreign-origin group's table."""
    import re
    import shutil

    from botwatch import open_study
    from botwatch.elections import load_election
    from botwatch.estimates.compute import EstimateOptions, compute_estimates, write_estimates
    from botwatch.report.fmt import num
    from botwatch.report.section_parties import parties_section

    us = load_election("us-2016")
    study = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, study)
    with open_study(study, read_only=False) as st:
        write_estimates(st, compute_estimates(st, us, EstimateOptions(sample_rate=0.01, reps=20), log=lambda m: None))
        cells = {(g, m): (o, e) for g, m, o, e in st.sql(
            "SELECT account_group, metric, observed, estimate FROM estimates WHERE period = 'campaign' AND party = 'republican' "
            "AND metric IN ('stance_measured_posts', 'scored_posts')")}
        html = str(parties_section(st, {"election": us}).html)
    rows = {g: " ".join(re.sub(r"<[^>]+>", " ", m).split()) for g, m in (
        ("all", re.search(r"Per party, campaign window.*?</table>", html, re.S).group(0)),  # type: ignore[union-attr]
        ("foreign_origin", re.search(r"Per party: foreign-origin.*?</table>", html, re.S).group(0)))}  # type: ignore[union-attr]
    # The note under the table counts the study's own pairs, and says so beside the scaled columns.
    assert re.search(r"[\d,]+ post-party pairs? of the study \(not scaled\) in other languages", " ".join(re.sub(r"<[^>]+>", " ", html).split()))
    for g, text in rows.items():
        row = re.search(r"Republicans \(Trump\) (.*?)(?: Democrats|$)", text).group(1)  # type: ignore[union-attr]
        read, english = cells[(g, "stance_measured_posts")], cells[(g, "scored_posts")]
        assert english[1] == english[0] * 100 and read[1] == read[0] * 100
        assert num(round(english[1])) in row.split() and num(round(english[0])) not in row.split(), (g, row)
        if g == "all":
            assert "Read for stance" in text and num(round(read[1])) in row.split() and num(round(read[0])) not in row.split(), row


def test_the_scaled_read_columns_carry_their_intervals(analysed_sample_path, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """"Read for stance 315,300" and "In English 315,000" stood bare beside "Posts 317,000
    [194,400–444,200]": scaled platform counts stated without the interval the estimates table
    holds for them. Each read column now gives its stored bounds, as Posts, Support and Oppose do."""
    import re
    import shutil

    from botwatch import open_study
    from botwatch.elections import load_election
    from botwatch.estimates.compute import EstimateOptions, compute_estimates, write_estimates
    from botwatch.report.fmt import num
    from botwatch.report.section_parties import parties_section

    us = load_election("us-2016")
    study = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, study)
    with open_study(study, read_only=False) as st:
        write_estimates(st, compute_estimates(st, us, EstimateOptions(sample_rate=0.01, reps=20), log=lambda m: None))
        cells = {m: (e, lo, hi) for m, e, lo, hi in st.sql(
            "SELECT metric, estimate, ci_low, ci_high FROM estimates WHERE period = 'campaign' AND party = 'republican' "
            "AND account_group = 'all' AND metric IN ('stance_measured_posts', 'scored_posts')")}
        html = str(parties_section(st, {"election": us}).html)
    table = " ".join(re.sub(r"<[^>]+>", " ", re.search(r"Per party, campaign window.*?</table>", html, re.S).group(0)).split())  # type: ignore[union-attr]
    row = re.search(r"Republicans \(Trump\) (.*?)(?: Democrats|$)", table).group(1)  # type: ignore[union-attr]
    for metric in ("stance_measured_posts", "scored_posts"):
        e, lo, hi = cells[metric]
        assert lo is not None and hi is not None
        assert f"{num(round(e))} [{num(lo)}–{num(hi)}]" in row, (metric, row)


def test_the_sentence_names_a_candidate_not_a_party() -> None:
    """A primary debate's file lists candidates as its parties: the headline read "Of the 588
    election posts in the study naming Donald Trump, 9% supported the party and 49% opposed it".
    It names whoever the file lists, so it reads right for a party, a candidate or a referendum's
    side, and the name stays escaped (it is the user's file's text)."""
    r = {"name": "Donald Trump", "observed_posts": 588, "unread": 0, "support_share": "9% [6–11%]", "oppose_share": "49% [45–54%]",
         "positive": "22%", "negative": "45%", "english": 588}
    text = " ".join(str(render("parties_headline.html.j2", kind="stance", r=r, own_n=0, handles=[], stale_own=False, no_better=False, kin=None,
                                election=None, measured={}, measured_here=False, measured_on="us-2016", lab=None, labs={}, pct=str)).split())
    assert "9% [6–11%] supported Donald Trump and 49% [45–54%] opposed Donald Trump (" in text, text
    assert "the party" not in text and "opposed it" not in text, text
    hostile = " ".join(str(render("parties_headline.html.j2", kind="stance", r={**r, "name": "<b>Jeb!</b>", "english": 0}, own_n=0, handles=[],
                                  stale_own=False, no_better=False, kin=None, election=None, measured={}, measured_here=False,
                                  measured_on="us-2016", lab=None, labs={}, pct=str)).split())
    assert "<b>" not in hostile and "opposed &lt;b&gt;Jeb!&lt;/b&gt;" in hostile and "the tone toward &lt;b&gt;Jeb!&lt;/b&gt; is not measured" in hostile, hostile
