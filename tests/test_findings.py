"""Findings a journalist can quote. Each test pins one point a review found: a figure that
was wrong or misleading, or friction a new user met, so that it cannot come back unnoticed."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from botwatch import open_study
from botwatch.elections import load_election

US = load_election("us-2016")

# Three kinds of origin result: clearly home, clearly foreign, and foreign but split between
# two countries so that no single country reaches 0.5 (the case the old rule missed).
SCORES = [
    dict(platform="twitter", account_id="home", bot_probability=0.1, origin_country="US", origin_probability=0.9,
         origin_probabilities=json.dumps({"US": 0.9, "GB": 0.1})),
    dict(platform="twitter", account_id="ru", bot_probability=0.2, origin_country="RU", origin_probability=0.8,
         origin_probabilities=json.dumps({"RU": 0.8, "US": 0.2})),
    dict(platform="twitter", account_id="split", bot_probability=0.3, origin_country="RU", origin_probability=0.45,
         origin_probabilities=json.dumps({"RU": 0.45, "UA": 0.40, "US": 0.15})),
    dict(platform="twitter", account_id="nohome", bot_probability=0.3, origin_country="DE", origin_probability=0.4,
         origin_probabilities=json.dumps({"DE": 0.4, "AT": 0.3, "CH": 0.3})),
    dict(platform="twitter", account_id="unknown", bot_probability=None, origin_country=None, origin_probability=None, origin_probabilities=None),
]


def _write(study, name: str, rows: list[dict]) -> None:  # type: ignore[no-untyped-def]
    study.con.register("_t", pa.Table.from_pylist(rows))
    study.sql(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _t")
    study.con.unregister("_t")


@pytest.fixture()
def scored(tmp_path: Path):  # type: ignore[no-untyped-def]
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        _write(st, "account_scores", SCORES)
        yield st


# -- point 1: foreign = P(outside home) >= 0.5, with the expected count ----------------------------
def test_p_outside_home_is_one_minus_home_probability_in_sql_python_and_ibis(scored) -> None:  # type: ignore[no-untyped-def]
    from botwatch.origin_rule import p_outside, p_outside_ibis, p_outside_sql

    sql = dict(scored.sql(f"SELECT account_id, {p_outside_sql('US')} FROM account_scores"))
    expr = p_outside_ibis(scored.table("account_scores"), "US")
    ib = dict(scored.con.sql(__import__("ibis").to_sql(scored.table("account_scores").select("account_id", p=expr), dialect="duckdb")).fetchall())
    py = {r["account_id"]: p_outside(r["origin_probabilities"], "US") for r in SCORES}
    want = {"home": 0.1, "ru": 0.8, "split": 0.85, "nohome": 1.0, "unknown": None}
    for got in (sql, ib, py):
        assert set(got) == set(want)
        for k, v in want.items():
            assert (got[k] is None) if v is None else got[k] == pytest.approx(v), (k, got[k])


def test_foreign_counts_use_p_outside_and_give_expected_count_with_interval(scored) -> None:  # type: ignore[no-untyped-def]
    from botwatch.origin_rule import foreign_counts

    f = foreign_counts(scored, "US")
    assert f["n"] == 4  # the account without origin evidence is unknown, not home and not foreign
    assert f["k"] == 3  # ru, split and nohome; the top-country rule counts only ru
    assert f["top_country_rule"] == 1
    assert f["expected"] == pytest.approx(0.1 + 0.8 + 0.85 + 1.0)
    assert f["lo"] <= f["expected"] <= f["hi"] <= 4


def test_timeline_groups_count_split_origin_accounts_as_foreign(scored) -> None:  # type: ignore[no-untyped-def]
    from botwatch.timeline.groups import FOREIGN, build_groups

    build_groups(scored, US)
    got = dict(scored.sql("SELECT account_id, value FROM timeline_groups WHERE dimension = 'origin'"))
    assert {a for a, v in got.items() if v == FOREIGN} == {"ru", "split", "nohome"}


def test_key_number_counts_by_p_outside_and_says_which_rule(scored) -> None:  # type: ignore[no-untyped-def]
    from botwatch.report.headlines import key_numbers

    scored.con.register("_p", pa.Table.from_pylist([dict(platform="twitter", post_id="1", account_id="home", created_at=__import__("datetime").datetime(2016, 11, 1))]))
    scored.sql("INSERT INTO posts BY NAME SELECT * FROM _p")
    nums = {k.label: k for k in key_numbers(scored, {"election": US, "tables": set(scored.tables())}, set())}
    k = nums["expected foreign-origin accounts"]
    # The expected number leads (0.1 + 0.8 + 0.85 + 1.0), the count by the rule follows with its rule.
    assert k.value == "3" and "[" in k.detail and "3 of them" in k.detail
    assert "outside US" in k.detail and "1 − P(US)" in k.detail and "4 accounts with origin evidence" in k.detail
    # Where the two differ, the big number is the expected one: four accounts at P(outside) 0.55.
    _write(scored, "account_scores", [dict(platform="twitter", account_id=f"a{i}", bot_probability=0.1, origin_country="US",
                                           origin_probability=0.45, origin_probabilities=json.dumps({"US": 0.45, "GB": 0.3, "CA": 0.25}))
                                      for i in range(4)])
    k = {k.label: k for k in key_numbers(scored, {"election": US, "tables": set(scored.tables())}, set())}["expected foreign-origin accounts"]
    assert k.value == "2" and "4 of them" in k.detail, (k.value, k.detail)


# -- point 3: one nearest-event rule ---------------------------------------------------------------
def test_a_burst_far_from_every_event_has_no_nearest_event() -> None:
    from datetime import datetime

    from botwatch.timeline.bursts import NEAREST_EVENT_H, nearest_event

    evs = [(datetime(2016, 7, 22), "WikiLeaks publishes DNC emails")]
    assert nearest_event(datetime(2012, 11, 1), evs) == (None, None, None)  # years before: no label, no hours
    label, _at, hours = nearest_event(datetime(2016, 7, 23), evs)
    assert label == "WikiLeaks publishes DNC emails" and hours == pytest.approx(24.0)
    assert nearest_event(datetime(2016, 7, 22) + __import__("datetime").timedelta(hours=NEAREST_EVENT_H + 1), evs)[0] is None


def test_the_report_and_the_bursts_table_use_the_same_event_window() -> None:
    from botwatch.report.sections import ENV

    src = ENV.loader.get_source(ENV, "time.html.j2")[0]  # type: ignore[union-attr]
    assert "72" not in src  # the template reads the window from the stage's constant


# -- point 4: no cluster of one, and every member has a partner inside its own cluster -------------
def test_every_cluster_is_a_group_linked_inside_itself() -> None:
    import random

    from botwatch.coordination.clusters import leiden

    rng = random.Random(3)
    for trial in range(150):
        n = rng.randint(3, 14)
        edges = {(f"a{min(a, b)}", f"a{max(a, b)}") for a, b in (rng.sample(range(n), 2) for _ in range(rng.randint(1, 2 * n)))}
        weighted = [(a, b, rng.choice([0.05, 1.0, 5.0, 40.0])) for a, b in sorted(edges)]
        members = leiden(weighted, seed=trial, resolution=rng.choice([0.1, 1.0, 5.0]))
        by: dict[int, set[str]] = {}
        for name, cid in members.items():
            by.setdefault(cid, set()).add(name)
        for cid, names in by.items():
            assert len(names) >= 2, (trial, cid, names)
            for name in names:
                assert any((a == name and b in names) or (b == name and a in names) for a, b, _ in weighted), (trial, name, cid)


def test_explain_sentence_counts_the_accounts_of_the_cluster() -> None:
    from botwatch.accounts.signals import signal_sentences

    got = " ".join(signal_sentences({"in_unison": True, "cluster_id": "19", "cluster_size": 3}, "US"))
    assert "with at least one of the 2 other accounts of its coordination cluster 19" in got


# -- the bundled sample, analysed once for the report tests below ---------------------------------
@pytest.fixture()
def analysed(analysed_sample_path: Path) -> Path:
    """The analysed sample (shared, read it only; tests that write copy it first)."""
    return analysed_sample_path


@pytest.fixture(scope="module")
def built_report(analysed_sample_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The analysed sample's report (`build_report`, strict, with its default exports beside it),
    once for the module. Read only: the provenance test reads the page and the schema test the
    exports folder, which `write_exports` wrote with its defaults (it ran them a second time)."""
    from botwatch.report import build_report

    with open_study(analysed_sample_path, read_only=True) as st:
        return build_report(st, tmp_path_factory.mktemp("rep") / "report.html", strict=True)


@pytest.fixture(scope="module")
def report_html(built_report: Path) -> str:
    return built_report.read_text(encoding="utf-8")


# -- point 5: the report does not contradict itself ------------------------------------------------
def test_no_claim_that_scored_accounts_lack_profile_counts(analysed: Path) -> None:
    from botwatch.report.section_accounts import accounts_section

    with open_study(analysed, read_only=True) as st:
        n_acc, n_scored = st.sql("SELECT count(*), count(bot_probability) FROM account_scores")[0]
        html = str(accounts_section(st, {"election": US}).html)  # type: ignore[union-attr]
    assert "(such as the IRA release)" not in html
    if n_scored < n_acc:
        assert f"{n_acc - n_scored:,} of the {n_acc:,} accounts have none of the profile facts the bot model needs" in html
    # analyze re-scores accounts after coordination: no advice to do by hand what it already did
    assert "--stage accounts</code> again" not in html and "run <code>botwatch analyze STUDY --stage accounts" not in html


def test_stance_figure_quoted_is_the_one_measured_on_the_studys_own_election(analysed: Path, tmp_path: Path) -> None:
    import shutil

    from botwatch.content.stage import run_content
    from botwatch.estimates.compute import EstimateOptions, compute_estimates, write_estimates
    from botwatch.report.section_parties import parties_section

    uk = load_election("uk-ge2017")
    dst = tmp_path / "uk.duckdb"
    shutil.copy(analysed, dst)
    with open_study(dst, read_only=False) as st:
        # @UKLabour's own posts are no stance finding (the party figures leave a party's own feed
        # out): the same posts by a voter are.
        st.sql("UPDATE accounts SET handle = 'a_voter' WHERE lower(handle) = 'uklabour'")
        run_content(st, uk, log=lambda m: None)
        write_estimates(st, compute_estimates(st, uk, EstimateOptions(reps=50), log=lambda m: None))
        sec = parties_section(st, {"election": uk})
    assert sec is not None and sec.headline
    stance = [str(h) for h in sec.headline if "election posts in the study naming" in str(h)]
    # and there stance is no better than the commonest label, which the headline says
    assert stance and all("is no better than always answering the commonest label (64%)" in h for h in stance)
    # a UK study quotes the UK labels' figure, never the US one or the old US-only accuracy (the US
    # figure is read from the constants: a written-out number went stale when the model was retrained)
    from botwatch.content.stance import MEASURED_BY_ELECTION

    us_f1 = f"macro-F1 {MEASURED_BY_ELECTION['us-2016']['stance_f1']:.2f}"
    uk_m = MEASURED_BY_ELECTION["uk-ge2017"]
    lo, hi = uk_m["stance_ci"]  # type: ignore[misc]
    uk_f1 = f"macro-F1 {uk_m['stance_f1']:.2f} [{lo:.2f}–{hi:.2f}] on {uk_m['pairs']} held-out"
    assert stance and all(uk_f1 in h for h in stance)
    assert all(us_f1 not in h and "not been checked" not in h for h in stance)
    with open_study(analysed, read_only=True) as st:
        us = parties_section(st, {"election": US})
    assert us is not None and any("held-out hand-labelled pairs of this election" in str(h) for h in us.headline)


# -- point 6: "too few accounts" instead of an interval from one account ---------------------------
def _cells(accounts: int) -> pa.Table:
    rows = [dict(period="campaign", account_group="all", party="rep", platform="twitter", account_id=f"a{i}",
                 posts=4, support=2, oppose=1, neutral=1, scored=4, positive=2, negative=1, measured=4) for i in range(accounts)]
    return pa.Table.from_pylist(rows)


def test_estimates_from_one_account_have_no_interval_and_say_why() -> None:
    from botwatch.estimates.compute import MIN_ACCOUNTS_FOR_INTERVAL, EstimateOptions, bootstrap_cells
    from botwatch.report.section_parties import _count, _share

    windows = [("campaign", None, None)]
    one = bootstrap_cells(_cells(1), US, windows, EstimateOptions(reps=50)).to_pylist()
    shares = [r for r in one if r["party"] == "rep" and r["metric"] == "support_share"]
    assert shares and shares[0]["ci_low"] is None and shares[0]["ci_high"] is None
    assert "too few accounts" in shares[0]["method"]
    v = {"estimate": shares[0]["estimate"], "lo": None, "hi": None, "accounts": 1}
    assert _share(v) == "50% (too few accounts)"
    assert "too few accounts" in _count({**v, "estimate": 4.0})
    many = bootstrap_cells(_cells(MIN_ACCOUNTS_FOR_INTERVAL), US, windows, EstimateOptions(reps=50)).to_pylist()
    assert all(r["ci_low"] is not None for r in many if r["party"] == "rep" and r["metric"] == "support_share")


def test_cli_interval_cell_says_too_few_accounts() -> None:
    from botwatch.estimates.reference import interval_text

    assert interval_text(None, None, True, 1) == "too few accounts"
    assert interval_text(0.4, 0.6, True, 30) == "40.0% – 60.0%"
    # No account posted: a zero, said as such (the parties table printed "0 [—]"); no account count known: a dash.
    assert interval_text(None, None, False, 0) == "no accounts"
    assert interval_text(None, None, False, None) == "—"


# -- point 2: posts over time on a real time axis --------------------------------------------------
def test_overview_chart_covers_every_post_on_a_continuous_axis(tmp_path: Path) -> None:
    from datetime import datetime, timedelta

    from botwatch.report.section_overview import overview, posts_over_time

    rows = [dict(platform="twitter", post_id=f"p{i}", account_id="a", created_at=datetime(2012, 3, 1) + timedelta(days=3 * i, hours=i % 24))
            for i in range(800)]  # 2012-03 to 2018-09, one post every three days
    rows += [dict(platform="twitter", post_id=f"q{i}", account_id="b", created_at=datetime(2016, 10, 9, 2)) for i in range(50)]
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        st.con.register("_t", pa.Table.from_pylist(rows))
        st.sql("INSERT INTO posts BY NAME SELECT * FROM _t")
        unit, buckets, counts = posts_over_time(st)
        html = str(overview(st, {}).html)
    assert unit == "week"
    assert sum(counts) == 850  # nothing silently dropped
    assert all((b - a).days == 7 for a, b in zip(buckets, buckets[1:]))  # consecutive weeks, empty ones included
    assert buckets[0].year == 2012 and buckets[-1].year == 2018
    assert "Posts per week" in html and __import__("re").search(r"max 5\d / week", html)


# -- points 9 and 10: reading never creates a study; read-only by default; a clear lock message -----
def test_reading_commands_never_create_a_study(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from botwatch.cli import app

    typo = tmp_path / "studdy.duckdb"
    for args in (["analyze", str(typo)], ["status", str(typo)], ["report", str(typo), "-o", str(tmp_path / "r.html")],
                 ["accounts", str(typo)], ["estimate", str(typo), "--preset", "us-2016"]):
        res = CliRunner().invoke(app, args)
        assert res.exit_code != 0, (args, res.output)
        assert "no study at" in res.output, (args, res.output)
        assert not typo.exists(), args
    res = CliRunner().invoke(app, ["ingest", str(typo), str(tmp_path / "missing.jsonl")])
    assert res.exit_code != 0 and "no such file" in res.output
    assert not typo.exists()  # ingest of a missing file leaves no empty study behind


def test_open_study_is_read_only_by_default_and_never_creates(tmp_path: Path, sample_study_path: Path) -> None:
    from botwatch.study import StudyError

    with pytest.raises(StudyError, match="no study at"):
        open_study(tmp_path / "nope.duckdb")
    assert not (tmp_path / "nope.duckdb").exists()
    with open_study(sample_study_path) as st:
        assert st.count("posts") > 0
        with pytest.raises(Exception, match="read-only"):
            st.sql("CREATE TABLE x (a INT)")


def test_lock_held_by_another_process_is_named(tmp_path: Path, sample_study_path: Path) -> None:
    import shutil
    import subprocess
    import sys
    import time

    from botwatch.study import StudyError

    path = tmp_path / "s.duckdb"
    shutil.copy(sample_study_path, path)
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('ready', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(StudyError) as err:
            open_study(path)
        msg = str(err.value)
        assert f"PID {holder.pid}" in msg or f"process {holder.pid}" in msg
        assert "st.close()" in msg and "Could not set lock" not in msg
    finally:
        holder.kill()
        holder.wait()
        # Its stdout pipe closed here: `err`'s traceback holds this frame in a cycle, so an open
        # pipe waited for the garbage collector and warned (ResourceWarning, unclosed FileIO)
        # inside whichever later test ran the collection, e.g. the copy-warning test below.
        assert holder.stdout is not None
        holder.stdout.close()
        time.sleep(0.1)
    assert holder.stdout.closed


# -- point 11: Arrow and Polars without DuckDB's extra-copy warning ---------------------------------
def test_arrow_and_polars_make_no_extra_copy_warning(sample_study_path: Path) -> None:
    import gc
    import warnings

    import polars  # noqa: F401 - imported first: the check is about the conversions, not the import
    gc.collect()  # a file another test left for the collector must not warn inside the block
    with open_study(sample_study_path) as st, warnings.catch_warnings():
        warnings.simplefilter("error")
        assert st.arrow("posts").num_rows > 0
        assert st.polars("accounts").height > 0
        assert len(st.pandas("sources")) > 0


# -- points 7 and 8: provenance and the models' blind spots on the first screen --------------------
def test_provenance_says_ira_accounts_were_already_attributed(report_html: str, analysed: Path) -> None:
    from botwatch.report.caveats import Provenance, attributed_only, data_provenance

    with open_study(analysed) as st:
        prov = {p.format: p for p in data_provenance(st)}
    assert "ira-538-tweets" in prov and "already attributed" in prov["ira-538-tweets"].implies
    assert "twitter-v1.1" in prov and "1%" in prov["twitter-v1.1"].implies
    assert not attributed_only(list(prov.values()))  # the sample mixes in collected data
    assert attributed_only([Provenance("ira-538-tweets", 10, "", "", "attributed"), Provenance("ira-538-authors", 0, "", "", "attributed")])
    top = report_html[: report_html.index('<section id="overview"')]  # the first screen: before any section
    assert "Where these data come from" in top and "Internet Research Agency" in top


def test_provenance_of_one_sample_in_two_formats_counts_its_posts_once_and_says_so(shared_data: Path, tmp_path: Path) -> None:
    """twarc2's flat and page files of the same 100 tweets, ingested into one study: the posts are
    stored once (100 rows, 100 ids) and the report's source list gave the flat file's format
    "(100 posts)" and the page format no figure at all, as if it were a source of its own posts;
    it now says the page file's 100 posts were already in the study."""
    import re

    from typer.testing import CliRunner

    from botwatch.cli import app
    from botwatch.report.caveats import data_provenance

    study, html = tmp_path / "s.duckdb", tmp_path / "r.html"
    flat, page = shared_data / "twarc2" / "flat.jsonl.gz", shared_data / "twarc2" / "noflat.jsonl.gz"
    assert CliRunner().invoke(app, ["ingest", str(study), str(flat), str(page)]).exit_code == 0
    with open_study(study) as st:
        assert st.sql("SELECT count(*), count(DISTINCT (platform, post_id)) FROM posts")[0] == (100, 100)
        prov = {p.format: p for p in data_provenance(st)}
    assert (prov["twitter-v2-flat"].posts, prov["twitter-v2-flat"].repeats) == (100, 0)
    assert (prov["twitter-v2-page"].posts, prov["twitter-v2-page"].repeats) == (0, 100)
    assert CliRunner().invoke(app, ["report", str(study), "-o", str(html), "--no-exports"]).exit_code == 0
    text = " ".join(re.sub(r"<[^>]+>", " ", html.read_text(encoding="utf-8")).split())
    assert "Twitter API v2 tweets (twarc2 flattened) (100 posts)" in text
    assert "Twitter API v2 responses (twarc2) (no posts of its own: its 100 were already in the study from other inputs)" in text


def test_origin_blind_spot_note_beside_the_foreign_number(tmp_path: Path) -> None:
    from botwatch.report.headlines import key_numbers

    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        scores = [dict(platform="twitter", account_id=f"a{i}", bot_probability=0.2, origin_country="US", origin_probability=0.8,
                       origin_probabilities=json.dumps({"US": 0.8, "RU": 0.2})) for i in range(8)]
        scores += [dict(platform="twitter", account_id="r", bot_probability=0.2, origin_country="RU", origin_probability=0.9,
                        origin_probabilities=json.dumps({"RU": 0.9, "US": 0.1}))]
        _write(st, "account_scores", scores)
        _write(st, "account_features", [dict(platform="twitter", account_id=s["account_id"], top_lang="en" if s["account_id"] != "r" else "ru") for s in scores])
        st.con.register("_p", pa.Table.from_pylist([dict(platform="twitter", post_id="1", account_id="a1", created_at=__import__("datetime").datetime(2016, 11, 1))]))
        st.sql("INSERT INTO posts BY NAME SELECT * FROM _p")
        nums = {k.label: k for k in key_numbers(st, {"election": US, "tables": set(st.tables())}, set())}
    cav = nums["expected foreign-origin accounts"].caveat
    from botwatch.report.caveats import ORIGIN_POSING

    own = ORIGIN_POSING["own_evidence_only"]  # origin-validation.json's figure (test above)
    assert "8 of the 9 accounts" in cav and f"201 of 303 in Russia, and {own} on each account's own evidence" in cav
    assert "AUC" in nums["likely automated accounts"].caveat  # the bot model's cross-source check


def test_origin_validation_figure_matches_the_validation_file() -> None:
    from botwatch.report.caveats import ORIGIN_POSING

    fig = json.loads((Path(__file__).resolve().parents[1] / "docs" / "figures" / "origin-validation.json").read_text())
    assert "part_studies" in fig, "origin-validation.json was written without --apart: rerun scripts/validate_origin.py with --apart"
    posing = fig["part_studies"]["test"]["shares"]["IRA posing as locals | all"]  # the test part as its own study
    own = fig["part_studies"]["test"]["own_evidence_only"]["IRA posing as locals | all"]  # no pooling, no study prior
    assert ORIGIN_POSING == {"accounts": posing["n"], "placed_russia": posing["russia"], "own_evidence_only": own["russia"]}


# -- point 13: one option name, helpful errors, no wrapping in a pipe ------------------------------
def test_estimate_takes_election_like_every_other_command(analysed: Path, tmp_path: Path) -> None:
    import shutil

    from typer.testing import CliRunner

    from botwatch.cli import app

    dst = tmp_path / "s.duckdb"
    shutil.copy(analysed, dst)
    res = CliRunner().invoke(app, ["estimate", str(dst), "--election", "us-2016", "--reps", "50"])
    assert res.exit_code == 0, res.output


def test_impact_with_an_unknown_party_lists_the_valid_ones(analysed: Path, tmp_path: Path) -> None:
    import shutil

    from typer.testing import CliRunner

    from botwatch.cli import app

    dst = tmp_path / "s.duckdb"
    shutil.copy(analysed, dst)
    res = CliRunner().invoke(app, ["impact", str(dst), "--party", "labour"])
    assert res.exit_code != 0
    for p in US.parties:
        assert p.key in res.output


def test_accounts_table_does_not_wrap_evidence_in_a_pipe(analysed: Path) -> None:
    from typer.testing import CliRunner

    from botwatch.cli import app

    with open_study(analysed) as st:
        ev = st.sql("SELECT bot_evidence FROM accounts_scored WHERE bot_evidence IS NOT NULL ORDER BY bot_probability DESC NULLS LAST, account_id LIMIT 1")[0][0]
    first = json.loads(ev)[0]
    assert len(first) > 45  # longer than an 80-column table leaves for the evidence column
    res = CliRunner().invoke(app, ["accounts", str(analysed), "--top", "1"])
    assert res.exit_code == 0, res.output
    assert first in res.output  # on one line, not cut into 80-column pieces


# -- point 15: small exports by default, posts on request -------------------------------------------
def test_report_exports_small_tables_by_default_and_posts_on_request(analysed: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from botwatch.cli import app

    res = CliRunner().invoke(app, ["report", str(analysed), "-o", str(tmp_path / "a" / "r.html")])
    assert res.exit_code == 0, res.output
    files = {p.name for p in (tmp_path / "a" / "r-data").iterdir()}
    assert {"accounts.csv", "accounts.parquet", "estimates.parquet"} <= files and not {"posts.csv", "posts.parquet"} & files
    html = (tmp_path / "a" / "r.html").read_text(encoding="utf-8")
    assert "posts were not exported" in html and "--posts" in html
    res = CliRunner().invoke(app, ["report", str(analysed), "-o", str(tmp_path / "a" / "r.html"), "--posts"])
    assert res.exit_code == 0, res.output
    assert {"posts.csv", "posts.parquet"} <= {p.name for p in (tmp_path / "a" / "r-data").iterdir()}


# -- point 12: progress per stage on a terminal, silent in a pipe -----------------------------------
def test_analyze_shows_each_stage_with_rows_and_time_only_on_a_terminal(analysed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import shutil

    from rich.console import Console
    from typer.testing import CliRunner

    import botwatch.cli.common as cli
    from botwatch.cli import app

    dst = tmp_path / "s.duckdb"
    shutil.copy(analysed, dst)
    args = ["analyze", str(dst), "-e", "us-2016", "--stage", "coverage", "--stage", "timeline"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "seconds" in res.output  # the final table gives each stage's time
    assert "ok coverage:" not in res.output and "\r" not in res.output  # no live display in a pipe
    screen = io.StringIO()
    monkeypatch.setattr(cli, "console", Console(file=screen, force_terminal=True, width=100))
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    shown = __import__("re").sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue())
    assert "ok coverage:" in shown and "ok timeline:" in shown and " rows, " in shown and " s" in shown


def test_report_build_reports_each_step() -> None:
    import inspect

    from botwatch.report.build import build_report

    assert "on_step" in inspect.signature(build_report).parameters


# -- point 14: machine-readable exports --------------------------------------------------------------
def test_evidence_exports_as_real_lists_and_structs_with_the_schema_version(analysed: Path, tmp_path: Path) -> None:
    import polars as pl
    import pyarrow.parquet as pq

    from botwatch.exports_typed import SCHEMA_VERSION

    with open_study(analysed) as st:
        assert st.schema_version == SCHEMA_VERSION
        st.export("account_scores", tmp_path / "s.parquet")
        st.export("account_scores", tmp_path / "s.jsonl")
    t = pq.read_table(tmp_path / "s.parquet")
    assert str(t.schema.field("bot_evidence").type) == "list<element: string>"
    assert "struct<country: string, probability: double>" in str(t.schema.field("origin_probabilities").type)
    assert pq.read_metadata(tmp_path / "s.parquet").metadata[b"botwatch_schema_version"] == str(SCHEMA_VERSION).encode()
    j = pl.read_ndjson(tmp_path / "s.jsonl")
    assert j.schema["bot_evidence"] == pl.List(pl.String)
    side = json.loads((tmp_path / "s.jsonl.schema.json").read_text())
    assert side["botwatch_schema_version"] == SCHEMA_VERSION and side["table"] == "account_scores"
    assert {"name": "bot_evidence", "type": "VARCHAR[]"} in side["columns"]


def test_jsonl_with_a_column_null_in_its_first_rows_reads_in_polars(tmp_path: Path) -> None:
    import polars as pl

    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        _write(st, "labels", [dict(post_id=str(i), lang_probability=None if i < 500 else 0.9, n=i) for i in range(600)])
        st.export("labels", tmp_path / "l.jsonl")
    df = pl.read_ndjson(tmp_path / "l.jsonl")  # Polars infers types from the first 100 rows
    assert df.height == 600 and df.schema["lang_probability"] == pl.Float64
    assert df["lang_probability"].drop_nulls().len() == 100


def test_export_graphml_of_the_stored_network(analysed: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from botwatch.cli import app

    res = CliRunner().invoke(app, ["export", str(analysed), "coordination", "-o", str(tmp_path / "net.graphml")])
    assert res.exit_code == 0, res.output
    import igraph as ig

    g = ig.Graph.Read_GraphML(str(tmp_path / "net.graphml"))
    with open_study(analysed) as st:
        assert g.ecount() == st.count("coordination_edges") and g.vcount() == st.count("cluster_members")
    res = CliRunner().invoke(app, ["export", str(analysed), "posts", "-o", str(tmp_path / "p.graphml")])
    assert res.exit_code != 0 and "coordination" in res.output


def test_explain_gives_the_probability_of_being_outside_home_and_the_verdict(analysed: Path) -> None:
    from typer.testing import CliRunner

    from botwatch.cli import app
    from botwatch.origin_rule import p_outside

    with open_study(analysed) as st:
        handle, ops = st.sql("SELECT handle, origin_probabilities FROM accounts_scored WHERE origin_probabilities IS NOT NULL AND handle IS NOT NULL ORDER BY account_id LIMIT 1")[0]
    res = CliRunner().invoke(app, ["explain", str(analysed), handle])
    assert res.exit_code == 0, res.output
    po = p_outside(ops, "US")
    assert f"Probability of being run from outside US: {po:.2f}" in res.output
    assert ("counted foreign-origin" if po >= 0.5 else "not counted foreign-origin") in res.output


def test_result_lines_are_not_cut_at_80_columns_in_a_pipe(analysed: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from botwatch.cli import app

    deep = tmp_path / ("a-folder-with-a-long-name-" * 3) / "report.html"
    res = CliRunner().invoke(app, ["report", str(analysed), "-o", str(deep), "--no-exports"])
    assert res.exit_code == 0, res.output
    assert f"wrote {deep}" in res.output  # the whole path on one line, copyable


def test_report_exports_carry_the_schema_version_for_csv_and_parquet(built_report: Path) -> None:
    from botwatch.exports_typed import SCHEMA_VERSION

    # `write_exports` with its defaults (csv and parquet), as the report beside them ran it
    side = json.loads((built_report.parent / f"{built_report.stem}-data" / "accounts.schema.json").read_text())
    assert side["botwatch_schema_version"] == SCHEMA_VERSION and set(side["formats"]) == {"csv", "parquet"}
    types = {c["name"]: c["type"] for c in side["formats"]["parquet"]}
    assert types["bot_evidence"] == "VARCHAR[]"
    assert {c["name"]: c["type"] for c in side["formats"]["csv"]}["bot_evidence"] == "VARCHAR"  # CSV keeps the JSON text


def test_explain_says_why_an_account_placed_at_home_is_counted_foreign(analysed: Path, tmp_path: Path) -> None:
    """A reviewer read "most likely US (p=0.43)" beside "counted foreign-origin" as a contradiction:
    the line now says that no single other country is as likely, but together they are. (The
    sample's own accounts no longer include one: since the study home share leaves out accounts
    placed abroad by their profile, its English-only accounts end above P(US) 0.5; so one account's
    stored origin is set to such a case in a copy.)"""
    import shutil

    from typer.testing import CliRunner

    from botwatch.cli import app
    from botwatch.origin_rule import p_outside

    study = tmp_path / "s.duckdb"
    shutil.copy(analysed, study)
    ops = '{"US": 0.43, "GB": 0.31, "CA": 0.26}'
    with open_study(study, read_only=False) as st:
        handle, aid = st.sql("SELECT handle, account_id FROM accounts_scored WHERE origin_country IS NOT NULL AND handle IS NOT NULL "
                             "ORDER BY account_id LIMIT 1")[0]
        st.sql("UPDATE account_scores SET origin_country = 'US', origin_probability = 0.43, origin_probabilities = ? WHERE account_id = ?", [ops, aid])
    assert (p_outside(ops, "US") or 0) >= 0.5
    res = CliRunner().invoke(app, ["explain", str(study), handle])
    flat = " ".join(res.output.split())
    assert res.exit_code == 0 and "counted foreign-origin: no single other country is as likely as US" in flat, res.output
