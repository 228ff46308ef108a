"""The accounts stage scores batches of accounts (`accounts.batches`): the tables must not depend
on how the accounts are cut into batches (the study prior is fitted over all of them, the rows
keep one order), and the per-account facts computed in the engine must be those the whole-study
helpers give."""

from __future__ import annotations

import pyarrow as pa

from botwatch.accounts.stage import run_accounts
from botwatch.elections import load_election

TABLES = ("account_features", "account_scores", "account_evidence")


def _tables(st) -> dict[str, pa.Table]:  # type: ignore[no-untyped-def]
    return {t: st.query_arrow(f"SELECT * FROM {t}") for t in TABLES}


def test_batch_size_changes_no_value(sample_study) -> None:  # type: ignore[no-untyped-def]
    st = sample_study
    election = load_election("us-2016")
    run_accounts(st, election, with_clusters=False)
    whole = _tables(st)
    logged: list[str] = []
    run_accounts(st, election, with_clusters=False, batch_rows=37, log=logged.append)  # 262 accounts: 8 batches
    cut = _tables(st)
    for t in TABLES:
        assert cut[t].schema == whole[t].schema, t
        for name in whole[t].column_names:
            a, b = whole[t].column(name).to_pylist(), cut[t].column(name).to_pylist()
            # DuckDB's parallel stddev of gaps may differ in the last bits between runs.
            same = [x == y or (isinstance(x, float) and isinstance(y, float) and abs(x - y) <= 1e-12 * max(abs(x), 1)) for x, y in zip(a, b, strict=True)]
            assert all(same), f"{t}.{name}"
    # The study prior is the study's (all its accounts), not the last batch's: the accounts near Russia
    # (`origin_prior.apply_stratified`) and the rest together are every account with origin evidence.
    import re

    said = [int(m.group(1).replace(",", "")) for line in logged if "study prior" in line
            for m in [re.search(r"of (?:the )?([\d,]+) accounts with origin evidence", line)] if m]
    assert said and sum(said) == st.sql("SELECT count(*) FROM account_scores WHERE origin_country IS NOT NULL")[0][0], logged
    assert st.sql("SELECT count(*) FROM account_scores")[0][0] == st.count("accounts")
    assert not [t for t in st.tables() if t.startswith("_botwatch")]


def test_engine_side_office_hours_equal_shift_counts(sample_study) -> None:  # type: ignore[no-untyped-def]
    from botwatch.accounts import origin_shifts
    from botwatch.accounts.features import SHIFT_SQL, _hour_list, _pairs

    want = origin_shifts.shift_counts(sample_study)
    rows = sample_study.query_arrow(SHIFT_SQL)
    got = {(p, a): _hour_list(v) for p, a, v in zip(rows.column("platform").to_pylist(), rows.column("account_id").to_pylist(), _pairs(rows.column("shift").to_pylist()))}
    assert want and got == want


def test_account_features_have_their_declared_types(sample_study) -> None:  # type: ignore[no-untyped-def]
    """Typed by declaration, not by the data: counts stay integers when an account has no posts,
    and the cluster columns are typed before any cluster exists."""
    from botwatch.accounts.batches import feature_schema

    run_accounts(sample_study, None, with_clusters=False)
    got = sample_study.query_arrow("SELECT * FROM account_features").schema
    assert got.names == feature_schema().names
    assert [f.type for f in got] == [f.type for f in feature_schema()]
    # accounts without posts: 0 posts, and NULL (not NaN) in what needs a post
    assert sample_study.sql("SELECT count(*) FROM account_features WHERE n_posts = 0 AND retweet_share IS NULL")[0][0] > 0


def test_study_prior_from_batches_is_the_whole_study_estimate(sample_study) -> None:  # type: ignore[no-untyped-def]
    """The prior pass sums per-batch log-likelihoods of the stored, pooled P(Russia); the estimate
    must be the one made over every account at once, pooled in memory (to rounding in the last bits)."""
    import math

    from botwatch.accounts import batches, features
    from botwatch.accounts import origin_textpool as tp
    from botwatch.accounts.origin_prior import NEAR_MIN, estimate, evidence_p_russia, study_base
    from testsupport.accounts_reference import origin_results

    election = load_election("us-2016")
    data = features.build(sample_study, election, with_clusters=False)
    keys = list(zip(data.features["platform"], data.features["account_id"]))
    own = origin_results(data, "US")
    pooled = tp.apply(own, keys, tp.neighbours(sample_study))
    near = tp.near_russia(own, keys, tp.neighbours(sample_study), NEAR_MIN)
    assert near.any() and not near.all()  # the sample has both strata (`origin_prior.apply_stratified`)
    whole = evidence_p_russia([r for r, x in zip(pooled, near) if not x])
    want = estimate(whole, study_base("US"))  # type: ignore[arg-type]
    want_near = estimate(evidence_p_russia([r for r, x in zip(pooled, near) if x]), study_base("US"))  # type: ignore[arg-type]
    source = features.prepare(sample_study, with_clusters=False)
    try:
        stored = batches.stored_origins(sample_study, f"SELECT * FROM {source} ORDER BY platform, account_id", election, tp.base_mix(), batch_rows=50)
        assert stored == batches.POOL_TABLE
        got = batches.study_prior(sample_study, stored, study_base("US"), tp.base_mix(), batch_rows=50)  # type: ignore[arg-type]
    finally:
        for t in batches._TEMPS:
            sample_study.sql(f"DROP TABLE IF EXISTS {t}")
        features.drop_inputs(sample_study)
    assert got is not None and got.accounts == want.accounts == len(whole) > 50
    for a, b in ((got.share, want.share), (got.lo, want.lo), (got.hi, want.hi)):
        assert math.isclose(a, b, rel_tol=1e-9)
    assert got.near is not None and got.near.accounts == want_near.accounts
    for a, b in ((got.near.share, want_near.share), (got.near.lo, want_near.lo), (got.near.hi, want_near.hi)):
        assert math.isclose(a, b, rel_tol=1e-9)


def test_shared_text_pooling_crosses_batches_and_equals_the_whole_study_pooling(sample_study) -> None:  # type: ignore[no-untyped-def]
    """Pooling reads every neighbour's own evidence, wherever its batch is: the batched stage (37
    accounts a batch, neighbour means joined in the engine) gives the origin columns that scoring
    the whole study at once with the pairs in memory (`score(..., text_neighbours=...)`) gives."""
    from botwatch.accounts import features as feats
    from botwatch.accounts import origin_textpool as tp
    from botwatch.accounts.botmodel import shipped_model
    from botwatch.accounts.scoring import score

    st = sample_study
    election = load_election("us-2016")
    nb = tp.neighbours(st)
    run_accounts(st, election, with_clusters=False, batch_rows=37)
    got = st.query_arrow("SELECT account_id, origin_country, origin_probability, origin_probabilities, origin_evidence "
                         "FROM account_scores ORDER BY platform, account_id").to_pylist()
    batch_of = {r["account_id"]: i // 37 for i, r in enumerate(got)}
    pooled = {r["account_id"] for r in got if "shared texts:" in (r["origin_evidence"] or "")}
    crossing = {a for a, b in zip(nb.account_id, nb.other_id) if a in pooled and batch_of.get(a) != batch_of.get(b)}
    assert crossing, "the sample should have pooled accounts with neighbours in another batch"
    data = feats.build(st, election, with_clusters=False)
    want, _ = score(data, shipped_model(), election.country, study_prior=True, text_neighbours=nb)
    want_rows = {r["account_id"]: r for r in want.to_dict("records")}
    for r in got:
        w = want_rows[r["account_id"]]
        for c in ("origin_country", "origin_probability", "origin_probabilities", "origin_evidence"):
            assert r[c] == w[c] or (r[c] is None and w[c] != w[c]), (r["account_id"], c, r[c], w[c])


def test_posts_without_a_time_do_not_stop_the_stage(sample_study) -> None:  # type: ignore[no-untyped-def]
    """A post may lack its time (`created_at` NULL; content counts it outside the window): its
    hour is unknown, so it adds to no hour of the day, and the accounts are scored as before."""
    st = sample_study
    st.sql("UPDATE posts SET created_at = NULL WHERE post_id IN (SELECT post_id FROM posts ORDER BY post_id LIMIT 5)")
    assert run_accounts(st, load_election("us-2016"), with_clusters=False) == st.count("accounts")


def test_passes_sort_by_account_on_duckdb_only(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Each pass's source is read in account order on DuckDB (the order its tables keep) and
    unsorted on a lake: Spark writes the batches in its own order whatever the source's, and the
    sort cost a sampling and a shuffle job per pass. Every value is per account whatever the
    batch (test_batch_size_changes_no_value); the parity files compare the lake's tables."""
    from types import SimpleNamespace

    from botwatch.accounts import batches

    def sources(engine: str) -> list[str]:
        got: list[str] = []
        study = SimpleNamespace(engine=engine, sql=lambda q, *a: [(0,)])  # (a count of accounts: the passes' progress asks on DuckDB)
        monkeypatch.setattr(batches.feats, "prepare", lambda st, **kw: "_in")
        monkeypatch.setattr(batches.feats, "drop_inputs", lambda st: None)
        monkeypatch.setattr(batches, "study_prior", lambda *a, **kw: None)
        monkeypatch.setattr(batches, "map_pass", lambda st, source, *a, **kw: got.append(source) or {"account_scores": 0})
        batches.run(study, load_election("us-2016"), model=None, workers=1)  # type: ignore[arg-type]
        return got

    duck, lake = sources("duckdb"), sources("spark")
    assert len(duck) == len(lake) == 2  # the origins pass and the scoring pass
    assert all(s.endswith("ORDER BY platform, account_id") or s.endswith("ORDER BY i.platform, i.account_id") for s in duck), duck
    assert not any("ORDER BY" in s for s in lake), lake


def test_prepare_writes_the_three_lists_in_one_statement(sample_study, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The posts per hour, language and client of each account are one stored table, written by
    one statement: a stored table per list, then their join, was three more Spark jobs per list
    on a lake. Every account has its lists (or NULL) as the join gave them."""
    from botwatch.accounts import features as feats

    written: list[str] = []
    real = sample_study.write_expr
    monkeypatch.setattr(sample_study, "write_expr", lambda name, expr, **kw: written.append(name) or real(name, expr, **kw))
    feats.prepare(sample_study, with_clusters=False, election=load_election("us-2016"))
    assert "_botwatch_acc_lists" in written
    assert not [n for n in written if n.endswith(("_hours", "_langs", "_clients"))], written
    got = sample_study.sql(f"SELECT count(*), count(hours), count(langs), count(clients) FROM {feats.INPUT}")[0]
    assert got[0] == sample_study.sql("SELECT count(*) FROM accounts")[0][0] and min(got[1:]) > 0, got


def test_both_passes_count_their_accounts_for_the_progress_lines(sample_study, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The stage's "still running" lines and spinner said only that it ran (51 s on the whole IRA
    archive): each pass now notes its accounts read, of how many (`ticker.note_done`), named so
    that the count starting again for the second pass does not read as going backwards."""
    import botwatch.ticker as ticker
    from botwatch.accounts.batches import ORIGIN_PASS_UNIT, SCORING_PASS_UNIT

    noted: list[tuple[int, int | None, str]] = []
    monkeypatch.setattr(ticker, "note_done", lambda done, total, unit: noted.append((done, total, unit)))
    run_accounts(sample_study, load_election("us-2016"), with_clusters=False, batch_rows=100, workers=1)
    n = sample_study.count("accounts")
    origin = [x for x in noted if x[2] == ORIGIN_PASS_UNIT]
    scoring = [x for x in noted if x[2] == SCORING_PASS_UNIT]
    assert origin and origin[-1] == (n, n, ORIGIN_PASS_UNIT) and scoring[-1] == (n, n, SCORING_PASS_UNIT), noted
    assert [d for d, _, _ in scoring] == sorted(d for d, _, _ in scoring) and scoring[0][0] < n  # batch by batch


def test_a_lake_with_a_progress_line_gives_its_passes_their_total(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A lake's progress line says "N of M accounts (origin pass) read" (docs/spark.md): the total
    is the source's count, taken only where a line will say it (a count can be a Spark job)."""
    from types import SimpleNamespace

    from botwatch.accounts import batches

    def totals(progress: object) -> list[object]:
        got: list[object] = []
        study = SimpleNamespace(engine="spark", progress=progress, count=lambda name: 7 if name == "_in" else -1, sql=lambda q, *a: [(0,)])
        monkeypatch.setattr(batches.feats, "prepare", lambda st, **kw: "_in")
        monkeypatch.setattr(batches.feats, "drop_inputs", lambda st: None)
        monkeypatch.setattr(batches, "study_prior", lambda *a, **kw: None)
        monkeypatch.setattr(batches, "map_pass", lambda st, source, *a, **kw: got.append(kw.get("total")) or {"account_scores": 0})
        batches.run(study, load_election("us-2016"), model=None, workers=1)  # type: ignore[arg-type]
        return got

    assert totals(object()) == [7, 7]
    assert totals(None) == [None, None]
