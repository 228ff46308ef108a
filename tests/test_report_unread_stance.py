"""A stance that was never read is never shown as "neutral".

A user's file for the Russian State Duma election of 2016, run on the IRA tweets of August and
September 2016: every Russian post naming United Russia was stance "neutral" by the rule `no_cue`,
which only means that no rule fired. The report's shares and the timeline's `party_stance` leave
such pairs out as not measured, but the report's `--posts` export wrote them "ur:neutral" and the
report's "How stance was decided" table counted all 364 under "neutral", beside a paragraph saying
they are not counted as neutral.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow.parquet as pq


def _unread_copy(analysed_sample_path: Path, tmp_path: Path) -> tuple[Path, tuple[str, str], tuple[str, str, str]]:
    """A copy of the analysed sample whose first election post-party pair is made a Russian post
    that only names the party (the German and Russian files' case), and an English pair kept as
    it was: (study, the unread pair, an English pair with its stance)."""
    from testsupport.study_copies import copy_study

    from botwatch import open_study

    study = copy_study(analysed_sample_path, tmp_path / "s.duckdb")
    with open_study(study, read_only=False) as st:
        rows = st.sql("SELECT post_id, party, stance FROM post_party WHERE in_election AND lang = 'en' AND stance_rule <> 'no_cue' "
                      "AND post_id IN (SELECT post_id FROM post_party GROUP BY post_id HAVING count(*) = 1) ORDER BY post_id LIMIT 2")
        assert len(rows) == 2, rows
        (unread_post, unread_party, _), english = rows
        st.sql("UPDATE post_party SET lang = 'ru', stance = 'neutral', stance_rule = 'no_cue', signals = ['topic_kw'] WHERE post_id = ?", [unread_post])
    return study, (unread_post, unread_party), english


def test_the_posts_export_says_not_measured(analysed_sample_path: Path, tmp_path: Path) -> None:
    from botwatch import open_study
    from botwatch.report.exports import write_exports

    study, (post, party), (en_post, en_party, en_stance) = _unread_copy(analysed_sample_path, tmp_path)
    with open_study(study) as st:
        written = {e.name: e for e in write_exports(st, tmp_path / "x", formats=("parquet",), include_posts=True)}
    got = {r["post_id"]: r["party_stances"] for r in pq.read_table(written["posts"].files["parquet"], columns=["post_id", "party_stances"]).to_pylist()}
    assert got[post] == [f"{party}:not measured"]
    assert got[en_post] == [f"{en_party}:{en_stance}"]


def test_the_rules_table_counts_unread_pairs_apart(analysed_sample_path: Path, tmp_path: Path) -> None:
    from botwatch import open_study
    from botwatch.elections import load_election
    from botwatch.report.section_parties import UNREAD_MEANING, _rule_counts, parties_section

    study, _, _ = _unread_copy(analysed_sample_path, tmp_path)
    with open_study(study) as st:
        counts = _rule_counts(st)
        unread, english = st.sql("SELECT count(*) FILTER (WHERE coalesce(lang, '') <> 'en'), count(*) FILTER (WHERE lang = 'en') "
                                 "FROM post_party WHERE in_election AND stance_rule = 'no_cue'")[0]
        html = str(parties_section(st, {"election": load_election("us-2016")}).html)
    # The sample's own non-English posts (and the one made Russian here) apart from the English
    # pairs no rule decided, which are neutral, as before.
    assert unread >= 1 and ("no_cue", "not measured", unread) in counts, counts
    assert [n for r, s, n in counts if (r, s) == ("no_cue", "neutral")] == ([english] if english else [])
    table = " ".join(re.sub(r"<[^>]+>", " ", html[html.index("How stance was decided"):]).split())
    assert f"no_cue not measured {UNREAD_MEANING} {unread:,} " in table


def test_the_methods_figures_are_the_sample_s(analysed_sample_path: Path) -> None:
    """docs/methods.md quotes the bundled sample's unread pairs under us-2016: it said 48 `no_cue`
    pairs, the count of `_unread_copy` above (one pair made Russian), where the sample has 47; and
    that the export wrote every unread pair "PARTY:neutral" before, where the prior's read its answer."""
    from botwatch import open_study
    from botwatch.report.section_parties import _rule_counts

    with open_study(analysed_sample_path) as st:
        got = {r: n for r, s, n in _rule_counts(st) if s == "not measured"}
    methods = " ".join((Path(__file__).resolve().parents[1] / "docs" / "methods.md").read_text(encoding="utf-8").split())
    said = f"the bundled sample under us-2016 has {got['no_cue']} such `no_cue` pairs and {got['account_prior']} of the account prior's"
    assert said in methods, said
    # The export's history: the account prior's unread pairs read its support or oppose, not "neutral".
    said = f"or the account prior's `support` or `oppose` where it gave one ({got['account_prior']} such pairs in the bundled sample"
    assert said in methods, said
