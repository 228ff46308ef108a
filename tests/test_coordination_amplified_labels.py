"""The clusters table's "Amplifies most" and the headline's "amplified X most" name an amplified
account as the rest of the report does: "@handle", or "id N" when the posts named it by id
alone. The coordination stage stored only the name counted, so the report wrote "@N" for those, a
handle no one has; it now stores the handle (or null) and the id. Handles are attacker-written:
they stay escaped. A study whose clusters an older botwatch built must still render."""

from __future__ import annotations

import json
from pathlib import Path

from botwatch.pipeline import Context, analyze

from test_report_coordination_labels import _study


def _analysed(path: Path):  # type: ignore[no-untyped-def]
    """The labels test's study (members b0..b5 retweet "src": by handle "<i>Leader" in the even
    posts, by id alone in the odd ones), with two even posts moved to id-only so the id leads."""
    st = _study(path)
    st.sql("UPDATE posts SET ref_handle = NULL WHERE ref_post_id IN ('o0', 'o2')")
    analyze(st, Context(election=None, log=lambda m: None), only=["coordination"])
    return st


def test_stage_stores_whether_the_amplified_name_is_a_handle(tmp_path: Path) -> None:
    with _analysed(tmp_path / "s.duckdb") as st:
        top = json.loads(st.sql("SELECT top_amplified FROM clusters ORDER BY cluster_id LIMIT 1")[0][0])
    assert [(a["account"], a["handle"], a["account_id"]) for a in top] == [("src", None, "src"), ("<i>leader", "<i>leader", "src")], top
    assert top[0]["shares"] > top[1]["shares"], top


def test_report_names_an_id_only_account_id_n_and_a_handle_at_handle(tmp_path: Path) -> None:
    from botwatch.report.section_coordination import coordination_facts, coordination_section

    with _analysed(tmp_path / "s.duckdb") as st:
        facts = coordination_facts(st)
        sec = coordination_section(st, {})
    assert facts is not None and [a["label"] for a in facts["clusters"][0]["top_amplified"]] == ["id src", "@<i>leader"]
    assert sec is not None
    html = str(sec.html)
    table = html.split("Amplifies most")[1]
    assert "id src (" in table and "@&lt;i&gt;leader (" in table, table
    assert "@src" not in html and "<i>" not in html, html
    headline = " ".join(str(h) for h in sec.headline)
    assert "amplified id src most" in headline and "@src" not in headline, headline


def test_report_reads_clusters_an_older_botwatch_stored(tmp_path: Path) -> None:
    """Old entries hold only `account` and `shares`: the report cannot tell an id from a handle
    there and prints them as before ("@name"); odd entries are skipped, nothing crashes."""
    from botwatch.report.section_coordination import coordination_facts, coordination_section

    with _analysed(tmp_path / "s.duckdb") as st:
        old = json.dumps([{"account": "<i>leader", "shares": 9}, {"account": "src", "shares": 3}, 7, {"shares": 1}])
        st.sql("UPDATE clusters SET top_amplified = ?", [old])
        facts = coordination_facts(st)
        sec = coordination_section(st, {})
        st.sql("UPDATE clusters SET top_amplified = 'not json'")
        assert coordination_section(st, {}) is not None
    assert facts is not None and [a["label"] for a in facts["clusters"][0]["top_amplified"]] == ["@<i>leader", "@src"]
    assert sec is not None and "amplified @&lt;i&gt;leader most" in " ".join(str(h) for h in sec.headline)
