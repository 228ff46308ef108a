"""Sentences of the report read as a journalist would quote them, on @UKLabour's first week of May
2017 (shared/data/ge2017/UKLabour-May-week1.json.gz, uk-ge2017): each test holds one sentence that
said more than its figures, or disagreed with another part of the report."""

from __future__ import annotations


def _plain(markup: object) -> str:
    """The text a reader sees: tags dropped, entities decoded, white space collapsed."""
    import html
    import re

    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", str(markup))).split())


def test_a_foreign_count_that_prints_as_the_sum_is_not_said_to_be_fewer_than_it() -> None:
    """26 accounts with origin evidence whose probabilities of being run from outside GB summed to
    0.4: "gives about 0 foreign-origin accounts [0–2 …]; 0 of them, 0% [0–13%], are more likely
    than not run from outside GB (probability ≥ 0.5), fewer than the sum of the probabilities"."""
    from botwatch.count_text import num
    from botwatch.report.section_accounts import beside_sum
    from botwatch.report.sections import render

    def said(foreign: int, expected: float) -> str:
        return _plain(render("accounts_headline.html.j2", kind="origin", foreign=foreign, n_origin=26, home="GB", share="0% [0–13%]",
                             expected=num(expected), lo="0", hi="2", weak=False, why="", training="", checked="", **beside_sum(foreign, expected)))

    same = said(0, 0.415)
    assert "gives about 0 foreign-origin accounts" in same
    assert "fewer than the sum" not in same and "overstates" not in same
    assert "are more likely than not run from outside GB (probability ≥ 0.5)." in same
    assert "fewer than the sum of the probabilities" in said(0, 0.6)  # "about 1": 0 is fewer
    assert "a count that overstates" in said(2, 1.4)  # "about 1": 2 is more
    assert "overstates" not in said(1, 1.4) and "fewer than" not in said(1, 1.4)  # both print 1


def test_the_reference_tables_supporting_posts_say_how_many_are_a_partys_own_feed(tmp_path) -> None:
    """The reference table counts all accounts, as the study it reproduces did, and so read
    "Posts supporting each party (campaign, all accounts …) | Labour | 110" where all 110 were
    @UKLabour's own posts, beside a headline and a section that say a party's own feed is no public
    support and that no other account's stance toward Labour was measured."""
    import pyarrow as pa

    from botwatch.estimates.reference import reference_rows
    from botwatch.study import Study

    def cell(group: str, party: str, observed: float, n: int) -> dict:
        return {"period": "campaign", "account_group": group, "party": party, "metric": "support_posts", "observed": observed,
                "estimate": observed, "ci_low": None, "ci_high": None, "n_accounts": n}

    rows = [cell("all", "labour", 110.0, 1), cell("all", "conservative", 0.0, 1),
            {**cell("not_party_accounts", "labour", 0.0, 0), "metric": "posts"}]
    st = Study(tmp_path / "s.duckdb")
    try:
        st.write_table("estimates", pa.Table.from_pylist(rows))
        got = {r.label: r for r in reference_rows(st, {"labour": "Labour", "conservative": "Conservatives"}) if r.block.startswith("Posts supporting")}
        # The same figures, but the own feed is named beside the party it is counted for.
        labour = got["Labour (110 of them posted by the parties' own accounts)"]
        assert labour.observed == 110 and "parties' own official and allied accounts included" in labour.block
        assert "Conservatives" in got
        # Without the group (no party account posted, or estimates from before it), as before.
        st.write_table("estimates", pa.Table.from_pylist(rows[:2]))
        labels = [r.label for r in reference_rows(st, {"labour": "Labour"}) if r.block.startswith("Posts supporting")]
        assert labels == ["Labour"]
    finally:
        st.close()


def test_acting_in_unison_is_known_only_for_accounts_that_posted(tmp_path) -> None:
    """One account posted and 25 were known only as retweeted: the seed-signals table read "acting
    in unison (coordination cluster) | 26 | 0", as if 26 accounts had been checked for co-acting,
    where only the one that posted left a trace to co-act with."""
    import pyarrow as pa

    from botwatch.report.section_accounts import _signal_counts
    from botwatch.study import Study

    ids = [f"a{i}" for i in range(4)]
    flags = {c: [False] * 4 for c in ("english_female_name", "created_after_trigger", "activity_over_72", "activity_over_144", "anonymous", "amplifier")}
    st = Study(tmp_path / "s.duckdb")
    try:
        st.write_table("account_scores", pa.table({"platform": ["twitter"] * 4, "account_id": ids, "bot_probability": [0.9, 0.1, 0.2, 0.3]}))
        st.write_table("account_features", pa.table({"platform": ["twitter"] * 4, "account_id": ids, "handle_generated15": [0] * 4, **flags}))
        st.write_table("posts", pa.table({"platform": ["twitter"] * 3, "account_id": ["a0", "a0", "a1"], "post_id": ["1", "2", "3"]}))
        st.write_table("cluster_members", pa.table({"platform": ["twitter"], "account_id": ["a0"], "cluster_id": [1]}))
        got = {s["label"]: s for s in _signal_counts(st, set(st.tables()))}
    finally:
        st.close()
    unison = got["acting in unison (coordination cluster)"]
    assert (unison["known"], unison["k"], unison["k_bot"]) == (2, 1, 1)
    assert got["15-character generated-looking handle"]["known"] == 4  # a profile fact: known for every account


def test_an_account_that_never_posted_shows_0_posts_not_unknown(tmp_path) -> None:
    """@AlBrownhillsCLP, known only as retweeted by @UKLabour: the report's table of the accounts
    most likely automated and `botwatch accounts` printed its posts as "—" (unknown), where the
    explorer of the same report showed 0 and `botwatch explain` said "0 posts in the study"."""
    import pyarrow as pa
    from typer.testing import CliRunner

    from botwatch.cli import app
    from botwatch.report.section_accounts import _top_accounts
    from botwatch.study import Study

    path = tmp_path / "s.duckdb"
    st = Study(path)
    try:
        st.write_table("accounts", pa.table({"platform": ["twitter"] * 2, "account_id": ["1", "2"], "handle": ["AlBrownhillsCLP", "UKLabour"]}))
        st.write_table("account_scores", pa.table({
            "platform": ["twitter"] * 2, "account_id": ["1", "2"], "bot_probability": [0.85, 0.06], "origin_country": ["GB", "GB"],
            "origin_probability": [0.999, 0.999], "n_posts": pa.array([None, 110], pa.int64()), "bot_evidence": ["[]", "[]"], "origin_evidence": ["[]", "[]"]}))
        st.sql("CREATE VIEW accounts_scored AS SELECT a.*, s.* EXCLUDE (platform, account_id) FROM accounts a JOIN account_scores s USING (platform, account_id)")
        top = {r["handle"]: r["posts"] for r in _top_accounts(st)}
    finally:
        st.close()
    assert top == {"AlBrownhillsCLP": 0, "UKLabour": 110}
    res = CliRunner().invoke(app, ["accounts", str(path)])
    assert res.exit_code == 0, res.output
    line = next(ln for ln in res.output.splitlines() if "@AlBrownhillsCLP" in ln)
    assert "—" not in line and " 0 " in line, line


def test_the_explorer_carries_a_probability_that_reads_as_the_reports_own_table(tmp_path) -> None:
    """@JonAshworth (bot probability 0.0154, retweeted by @UKLabour): the report's table of the
    accounts most likely automated and `botwatch accounts` read 0.02, the explorer of the same
    report 0.01, because its page carried 0.015 (rounded to three places), which two decimals
    (JavaScript's toFixed, as Python's format) write as 0.01."""
    import pyarrow as pa

    from botwatch.prob_text import prob2
    from botwatch.report.section_explorer import _account_rows
    from botwatch.study import Study

    st = Study(tmp_path / "s.duckdb")
    try:
        st.write_table("accounts", pa.table({"platform": ["twitter"], "account_id": ["1"], "handle": ["JonAshworth"], "display_name": ["Jonathan Ashworth"],
                                             "created_at": pa.array([None], pa.timestamp("us")), "followers": pa.array([37814], pa.int64())}))
        st.write_table("posts", pa.table({"platform": ["twitter"], "account_id": ["2"], "post_id": ["p"]}))
        st.write_table("account_scores", pa.table({"platform": ["twitter"], "account_id": ["1"], "bot_probability": [0.0154],
                                                   "origin_country": ["GB"], "origin_probability": [0.9996]}))
        tables = set(st.tables())
        _, _, rows = _account_rows(st, {}, tables, set(st.columns("account_scores")), 10)
    finally:
        st.close()
    (row,) = rows
    assert prob2(row[4]) == prob2(0.0154) == "0.02"
    assert f"{row[4]:.2f}" == "0.02"  # as the page's p2 (toFixed(2)) writes it
    assert row[6] == 0.9996
