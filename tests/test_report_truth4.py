"""Report truth, fourth pass: a study whose truth is known (the validation's development IRA
handles with ordinary accounts, 2026-12-04), read as a journalist would read its report.

- The seed-signal table read "English woman's first name as display name: known for 21,278
  accounts, showing it 0" on a study where no account had a display name (the IRA release has
  none): the name test is unknown without a name, and a row known for no account says "unknown".
- The methods section described the origin model as the profile claims, post languages, a
  best-fit offset and client apps: it left out every behaviour item that now decides most
  posing accounts (office shifts on the Moscow clock, summer-time moves, Russian holidays,
  English articles, shared texts) and the study prior.
- The creation table read "all: all accounts posting in the election window".
- The coordination headline named one account a cluster "amplified most (1 shares)" where three
  accounts tied at one share each: a tie is said as a tie, and one share is "1 share"."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

from botwatch import open_study
from botwatch.report.section_accounts import _signal_counts, accounts_section
from botwatch.report.section_coordination import amplified_words, coordination_section

FEMALE = "English woman's first name as display name"


def _words(markup: object) -> str:
    return " ".join(html.unescape(re.sub("<[^>]+>", " ", str(markup))).split())


def test_the_female_name_is_unknown_without_a_display_name(analysed_sample_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, path)
    with open_study(path) as st:
        named, total = st.sql("SELECT count(display_name), count(*) FROM accounts a JOIN account_scores s USING (platform, account_id)")[0]
        nulls = st.sql("SELECT count(*) FROM account_features f JOIN accounts a USING (platform, account_id) "
                       "WHERE a.display_name IS NULL AND f.english_female_name IS NOT NULL")[0][0]
        mismatch = st.sql("SELECT count(*) FROM account_features f JOIN accounts a USING (platform, account_id) "
                          "WHERE a.display_name IS NULL AND f.female_name_mismatch IS NOT NULL")[0][0]
        rows = {r["label"]: r for r in _signal_counts(st, set(st.tables()))}
    assert 0 < named < total  # the sample holds IRA handles (no names) and twarc2 users (names)
    assert nulls == 0 and mismatch == 0
    assert rows[FEMALE]["known"] == named


def test_a_signal_known_for_no_account_reads_unknown(analysed_sample_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, path)
    with open_study(path, read_only=False) as st:
        st.sql("UPDATE account_features SET english_female_name = NULL")  # as on the IRA release: no names
        words = _words(accounts_section(st, {}).html)  # type: ignore[union-attr]
    assert f"{FEMALE} 0 unknown unknown" in words
    assert re.search(r"15-character generated-looking handle [\d,]+ \d+ \d+", words)


def _entries(*shares: int) -> list[dict]:
    return [{"label": f"@t{i}", "shares": n} for i, n in enumerate(shares)]


def test_the_most_amplified_account_is_named_only_where_it_leads_alone() -> None:
    assert amplified_words([]) == ""
    assert amplified_words(_entries(7, 3, 3)) == "amplified @t0 most (7 shares)"
    assert amplified_words(_entries(1)) == "amplified @t0 most (1 share)"
    assert amplified_words(_entries(1, 1, 1)) == "amplified no one account most: @t0, @t1 and @t2 tie at 1 share each"
    assert amplified_words(_entries(4, 4, 2)) == "amplified no one account most: @t0 and @t1 tie at 4 shares each"
    assert amplified_words(_entries(2, 2, 2, 2, 2)) == "amplified no one account most: @t0, @t1, @t2, @t3, @t4, possibly more tie at 2 shares each"


def test_the_headline_says_a_tie_and_escapes_the_names(analysed_sample_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    shutil.copy(analysed_sample_path, path)
    with open_study(path, read_only=False) as st:
        big = st.sql("SELECT cluster_id FROM clusters ORDER BY size DESC, cluster_id LIMIT 1")[0][0]
        tie = '[{"account":"<b>x","handle":"<b>x","account_id":null,"shares":1},{"account":"y","handle":"y","account_id":null,"shares":1}]'
        st.sql("UPDATE clusters SET top_amplified = ? WHERE cluster_id = ?", [tie, big])
        # The members' shares name whom they shared (the sample's, as the IRA release, name no one, and
        # then no ranking is said at all: tests/test_report_coordination_unnamed_shares.py).
        st.sql("UPDATE posts SET ref_handle = 'y' WHERE kind IN ('retweet', 'quote') AND account_id IN "
               "(SELECT account_id FROM cluster_members WHERE cluster_id = ?)", [big])
        sec = coordination_section(st, {})
    headline = " ".join(str(h) for h in sec.headline)  # type: ignore[union-attr]
    assert "amplified no one account most: @&lt;b&gt;x and @y tie at 1 share each" in headline, headline
    assert "shares)" not in headline


def test_the_methods_name_what_the_origin_model_reads(analysed_sample_path: Path) -> None:
    from botwatch.report.section_methods import methods

    with open_study(analysed_sample_path) as st:
        how = _words(methods(st, {}).html)
    for item in ("office shifts on the Moscow clock", "summer-time change", "Russian public holidays", "use articles",
                 "the same texts as an account placed in Russia", "a prior estimated from this study", "calibrated"):
        assert item in how, item


def test_the_creation_table_names_its_population_once(analysed_sample_path: Path) -> None:
    """The creation table's first row read "all: all accounts posting in the election window"."""
    from botwatch.elections import load_election
    from botwatch.timeline.report import time_section

    with open_study(analysed_sample_path) as st:
        words = _words(time_section(st, {"election": load_election("us-2016")}).html)  # type: ignore[union-attr]
    assert "all accounts posting in the election window" in words
    assert "all: all accounts" not in words


def test_one_share_is_not_drawn_as_amplified(tmp_path: Path) -> None:
    """The picture drew a cluster's two first-ranked targets as squares captioned "the accounts each
    cluster amplifies most" where each had one share (a tie, broken by name)."""
    from botwatch.pipeline import Context, analyze
    from botwatch.report.section_coordination import MIN_SHARES_DRAWN, _layout
    from test_report_coordination_labels import _study

    with _study(tmp_path / "s.duckdb") as st:
        analyze(st, Context(election=None, log=lambda m: None), only=["coordination"])
        cids = [c for (c,) in st.sql("SELECT DISTINCT cluster_id FROM cluster_members ORDER BY 1")]
        assert _layout(st, cids)["targets"]  # the shared leader, many shares: drawn
        st.sql("UPDATE posts SET ref_handle = 'x' || post_id, ref_account_id = 'x' || post_id WHERE kind = 'retweet'")  # one share each
        picture = _layout(st, cids)
    assert MIN_SHARES_DRAWN == 2 and picture["targets"] == [] and picture["links"] == [] and picture["nodes"]
