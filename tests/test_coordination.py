"""Coordination: band joins against brute force, the popularity cap, the null test, Leiden, the
stage on the bundled sample, and recovery of a planted network hidden in a generated crowd."""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import ibis
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from botwatch import open_study
from botwatch.coordination.behaviours import check_behaviours, normalise_text, normalise_url
from botwatch.coordination.clusters import leiden
from botwatch.coordination.edges import PairOptions, first_actions, null_times, pair_rows, with_popularity
from botwatch.coordination.near import near_duplicate_groups
from botwatch.coordination.network import NetworkOptions, estimate_window, sweep
from botwatch.coordination.nulltest import benjamini_hochberg, pair_pvalues, survival
from botwatch.coordination.stage import run_coordination
from testsupport.coordination_synth import CrowdSpec, generate, planted_accounts, recovery

T0 = datetime(2017, 5, 1, 12, 0, 0)


def _traces(rows: list[tuple[str, str, int]]) -> object:
    """An in-memory trace table from (trace, account, seconds after T0)."""
    return ibis.memtable(
        {
            "platform": ["twitter"] * len(rows),
            "behaviour": ["co-retweet"] * len(rows),
            "trace": [r[0] for r in rows],
            "account_id": [r[1] for r in rows],
            "post_id": [f"{r[1]}-{r[0]}-{r[2]}" for r in rows],
            "t": [T0 + timedelta(seconds=r[2]) for r in rows],
            "target": [None] * len(rows),
        },
        schema={"platform": "string", "behaviour": "string", "trace": "string", "account_id": "string", "post_id": "string", "t": "timestamp", "target": "string"},
    )


def _brute(rows: list[tuple[str, str, int]], window: int, cap: int) -> set[tuple[str, str, str]]:
    first: dict[tuple[str, str], int] = {}
    for tr, acc, s in rows:
        first[(tr, acc)] = min(s, first.get((tr, acc), s))
    by_trace: dict[str, list[tuple[str, int]]] = {}
    for (tr, acc), s in first.items():
        by_trace.setdefault(tr, []).append((acc, s))
    out = set()
    for tr, acts in by_trace.items():
        if not 2 <= len(acts) <= cap:
            continue
        for (a, sa), (b, sb) in itertools.combinations(acts, 2):
            if abs(sa - sb) <= window:
                lo, hi = sorted((a, b))
                out.add((tr, lo, hi))
    return out


@settings(max_examples=8, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(["p1", "p2", "p3"]), st.sampled_from([f"a{i}" for i in range(6)]), st.integers(0, 400)),
        min_size=0,
        max_size=40,
    ),
    window=st.sampled_from([1, 7, 60, 90]),
    cap=st.sampled_from([3, 100]),
)
def test_band_join_matches_brute_force(rows: list[tuple[str, str, int]], window: int, cap: int) -> None:
    """The bucketed equality join finds exactly the pairs an all-pairs scan finds, once each."""
    expected = _brute(rows, window, cap)
    if not rows:
        return
    f = with_popularity(first_actions(_traces(rows)))
    got = pair_rows(f, PairOptions(window_s=window, max_trace_accounts=cap)).to_pyarrow().to_pylist()
    keys = [(r["trace"], r["account_a"], r["account_b"]) for r in got]
    assert len(keys) == len(set(keys)), "a pair was produced twice"
    assert set(keys) == expected
    for r in got:
        assert r["account_a"] < r["account_b"]
        assert abs((r["t_b"] - r["t_a"]).total_seconds()) <= window


def test_window_edges_are_inclusive_across_bucket_boundaries() -> None:
    rows = [("p", "a", 59), ("p", "b", 60), ("p", "c", 119), ("p", "d", 179), ("p", "e", 240)]
    f = with_popularity(first_actions(_traces(rows)))
    got = {(r["account_a"], r["account_b"]) for r in pair_rows(f, PairOptions(window_s=60)).to_pyarrow().to_pylist()}
    assert got == {("a", "b"), ("b", "c"), ("a", "c"), ("c", "d")}


def test_popular_traces_are_capped_not_paired() -> None:
    """A trace with more accounts than the cap yields no pairs (and is not expanded)."""
    rows = [("viral", f"u{i:03d}", i) for i in range(50)] + [("small", "u001", 0), ("small", "u002", 5)]
    f = with_popularity(first_actions(_traces(rows)))
    got = pair_rows(f, PairOptions(window_s=60, max_trace_accounts=20)).to_pyarrow().to_pylist()
    assert {r["trace"] for r in got} == {"small"}


def test_idf_discounts_common_traces() -> None:
    rows = [("rare", "a", 0), ("rare", "b", 1)] + [("common", f"u{i}", i) for i in range(8)]
    f = with_popularity(first_actions(_traces(rows))).to_pyarrow().to_pylist()
    idf = {r["trace"]: r["idf"] for r in f}
    assert idf["rare"] > idf["common"] > 0


@pytest.mark.parametrize("model", ["account-swap", "item-swap", "day-shuffle", "trace-permute"])
def test_null_models_keep_what_they_promise(model: str) -> None:
    rng = random.Random(3)
    rows = [(f"p{rng.randrange(6)}", f"a{rng.randrange(5)}", rng.randrange(0, 3 * 86400)) for _ in range(120)]
    f = with_popularity(first_actions(_traces(rows)))
    base = f.to_pyarrow().to_pylist()
    shuffled = null_times(f, seed=1, model=model).to_pyarrow().to_pylist()
    assert len(shuffled) == len(base)
    # Every model keeps each account's number of actions.
    count = lambda rs, key: sorted((r[key], sum(1 for x in rs if x[key] == r[key])) for r in rs)  # noqa: E731
    assert count(shuffled, "account_id") == count(base, "account_id")
    if model == "account-swap":  # each action keeps its item and time; each account its actions per day
        assert sorted((r["trace"], r["t"]) for r in shuffled) == sorted((r["trace"], r["t"]) for r in base)
        day = lambda t: t.date()  # noqa: E731
        assert sorted((r["account_id"], day(r["t"])) for r in shuffled) == sorted((r["account_id"], day(r["t"])) for r in base)
    elif model == "item-swap":  # each account keeps its exact times; each hour keeps its items
        assert sorted((r["account_id"], r["t"]) for r in shuffled) == sorted((r["account_id"], r["t"]) for r in base)
        hour = lambda t: t.replace(minute=0, second=0)  # noqa: E731
        assert sorted((hour(r["t"]), r["trace"]) for r in shuffled) == sorted((hour(r["t"]), r["trace"]) for r in base)
    elif model == "day-shuffle":  # each account keeps its times per day, and its items
        assert sorted((r["account_id"], r["t"]) for r in shuffled) == sorted((r["account_id"], r["t"]) for r in base)
        assert sorted((r["account_id"], r["trace"]) for r in shuffled) == sorted((r["account_id"], r["trace"]) for r in base)
    else:  # each trace keeps its set of times
        assert sorted((r["trace"], r["t"]) for r in shuffled) == sorted((r["trace"], r["t"]) for r in base)
    with pytest.raises(ValueError):
        null_times(f, seed=1, model="nope")


def test_survival_and_bh() -> None:
    assert survival({1: 5, 3: 2}) == {1: 7, 2: 2, 3: 2}
    p = np.array([1e-9, 0.01, 0.02, 0.9])
    assert benjamini_hochberg(p, 0.05).tolist() == [True, True, True, False]
    # The same p-values among a million untested pairs: only the overwhelming one survives.
    assert benjamini_hochberg(p, 0.05, m_total=1_000_000).tolist() == [True, False, False, False]


def test_pvalues_use_null_counts_and_prior() -> None:
    lam, p = pair_pvalues(np.array([5, 5, 5]), np.array([0, 8, 0]), replicates=2, prior=np.array([0.0, 0.0, 3.0]))
    assert lam[0] < lam[2] < lam[1]
    assert p[0] < p[2] < p[1]


def test_text_and_url_normalisation() -> None:
    t = ibis.memtable({"s": ["RT @Someone: Vote NOW!!! https://t.co/xyz", "vote   now", "Голосуйте сейчас!"]})
    out = t.mutate(n=normalise_text(t.s)).to_pyarrow()["n"].to_pylist()
    assert out[0] == out[1] == "vote now"
    assert out[2] == "голосуйте сейчас"
    u = ibis.memtable({"u": ["https://WWW.Example.com/a/?utm_source=x#frag", "http://example.com/a", "https://t.co/AbC"]})
    got = u.mutate(n=normalise_url(u.u)).to_pyarrow()["n"].to_pylist()
    assert got[0] == got[1] == "example.com/a"
    assert got[2] == "t.co/AbC"  # paths stay case-sensitive (short links are)


def test_near_duplicates_group_templates_not_strangers() -> None:
    base = "Vote for Smith in {} on Thursday, the only real choice for change"
    items = [("1", base.format("Leeds")), ("2", base.format("York")), ("3", base.format("Leeds")), ("4", "A completely different message about the weather today in town")]
    groups = near_duplicate_groups(items)
    assert groups["1"] == groups["2"] == groups["3"]
    assert "4" not in groups


def test_behaviour_names_are_checked() -> None:
    assert check_behaviours(["co-link", "co-link", "co-post"]) == ["co-link", "co-post"]
    with pytest.raises(ValueError, match="unknown behaviour"):
        check_behaviours(["co-nonsense"])


def test_leiden_is_deterministic_and_separates_cliques() -> None:
    a = [(f"a{i}", f"a{j}", 1.0) for i, j in itertools.combinations(range(6), 2)]
    b = [(f"b{i}", f"b{j}", 1.0) for i, j in itertools.combinations(range(5), 2)]
    edges = a + b + [("a0", "b0", 0.1)]
    m1, m2 = leiden(edges, seed=7), leiden(edges, seed=7)
    assert m1 == m2
    assert len({m1[f"a{i}"] for i in range(6)}) == 1 and len({m1[f"b{i}"] for i in range(5)}) == 1
    assert m1["a0"] != m1["b0"]
    assert m1["a0"] == 0  # the largest cluster is number 0


@pytest.fixture(scope="module")
def crowd(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CrowdSpec]:
    spec = CrowdSpec(posts=40_000, accounts=5_000, planted=25, campaign_posts=30, mega_share=0.1, days=3)
    path = tmp_path_factory.mktemp("crowd") / "crowd.duckdb"
    with open_study(path, read_only=False) as s:
        counts = generate(s, spec)
    assert counts["mega_retweets"] > 1000  # the popular post is retweeted by thousands
    return path, spec


@pytest.mark.parametrize("window,min_recall", [(60, 0.95), (600, 0.95)])
def test_planted_network_is_recovered_in_a_crowd(crowd: tuple[Path, CrowdSpec], tmp_path: Path, window: int, min_recall: float) -> None:
    import shutil

    path, spec = crowd
    dst = tmp_path / "c.duckdb"
    shutil.copy(path, dst)
    with open_study(dst, read_only=False) as s:
        mega_accounts = s.sql("SELECT count(DISTINCT account_id) FROM posts WHERE ref_post_id = 'o0'")[0][0]
        cap = 300
        assert mega_accounts > cap
        res = run_coordination(s, NetworkOptions(window_s=window, max_trace_accounts=cap), log=lambda m: None)
        rec = recovery(s, planted_accounts(spec))
        assert rec["recall"] >= min_recall
        # Edges are kept at a 5% false discovery rate, so a few crowd accounts may slip in (and
        # the leader the network amplifies is in it by its copied texts); the cluster is the net.
        assert rec["precision"] >= 0.85
        assert rec["cluster_recall"] >= 0.9 and rec["cluster_precision"] >= 0.9
        assert res.traces_capped >= 1  # the mega post was set aside, not paired
        top = json.loads(s.sql("SELECT top_amplified FROM clusters WHERE cluster_id = (SELECT cluster_id FROM cluster_members WHERE account_id = 'planted0000')")[0][0])
        assert top[0]["account"] == "leader"


def test_spread_out_network_is_missed_by_a_narrow_window(tmp_path: Path) -> None:
    """Members spread over ten minutes: a 2 s window must miss most of them rather than invent."""
    spec = CrowdSpec(posts=20_000, accounts=3_000, planted=20, campaign_posts=20, days=3, planted_jitter_s=600, copy_text_p=0.0)
    with open_study(tmp_path / "wide.duckdb", read_only=False) as s:
        generate(s, spec)
        run_coordination(s, NetworkOptions(window_s=2), log=lambda m: None)
        narrow = recovery(s, planted_accounts(spec))
        run_coordination(s, NetworkOptions(window_s=900), log=lambda m: None)
        wide = recovery(s, planted_accounts(spec))
    assert narrow["recall"] < 0.5
    assert wide["recall"] >= 0.9
    assert narrow["found"] == 0 or narrow["precision"] >= 0.9


def test_stage_on_sample_writes_consistent_tables(sample_study: object, monkeypatch: pytest.MonkeyPatch) -> None:
    import botwatch.ticker as ticker
    from botwatch.coordination.network import TAIL_UNIT

    noted: list[tuple[int, int | None, str]] = []  # the stage's progress: it said only "still running"
    monkeypatch.setattr(ticker, "note_done", lambda done, total, unit: noted.append((done, total, unit)))
    s = sample_study
    res = run_coordination(s, NetworkOptions(), log=lambda m: None)  # type: ignore[arg-type]
    # The null test's pairs read, of how many, up to all of them.
    assert noted and noted[-1][0] == noted[-1][1] > 0 and {u for _, _, u in noted} == {TAIL_UNIT}, noted
    for t in ("coordination_edges", "coordination_evidence", "clusters", "cluster_members", "coordination_null", "coordination_summary"):
        assert t in s.tables()  # type: ignore[attr-defined]
    q = s.sql  # type: ignore[attr-defined]
    assert res.edges == q("SELECT count(*) FROM coordination_edges")[0][0]
    # Every evidence row belongs to a kept edge, every kept edge has evidence, counts agree.
    assert q("SELECT count(*) FROM coordination_evidence e ANTI JOIN coordination_edges g USING (platform, account_a, account_b)")[0][0] == 0
    assert q(
        "SELECT count(*) FROM coordination_edges g WHERE co_actions <> (SELECT count(DISTINCT post_a || '|' || post_b) FROM coordination_evidence e "
        "WHERE e.platform = g.platform AND e.account_a = g.account_a AND e.account_b = g.account_b)"
    )[0][0] == 0
    assert q("SELECT count(*) FROM coordination_evidence WHERE gap_s > 60")[0][0] == 0
    assert q("SELECT count(*) FROM cluster_members m ANTI JOIN clusters c USING (cluster_id)")[0][0] == 0
    assert q("SELECT count(*) FROM clusters WHERE size < 2")[0][0] == 0  # every member has a partner
    if res.edges:
        sizes = q("SELECT sum(size) FROM clusters")[0][0]
        assert sizes == q("SELECT count(*) FROM cluster_members")[0][0]
        assert q("SELECT min(density), max(density) FROM clusters WHERE size > 1")[0][1] <= 1.0
    summary = json.loads(q("SELECT summary FROM coordination_summary")[0][0])
    assert summary["options"]["window_s"] == 60


def test_window_estimate_and_sweep(sample_study: object) -> None:
    est = estimate_window(sample_study, ("co-retweet",))  # type: ignore[arg-type]
    assert est["window_s"] >= 1 and est["later_shares"] > 0
    rows = sweep(sample_study, [60, 3600], NetworkOptions(null_replicates=1))  # type: ignore[arg-type]
    assert [r["window_s"] for r in rows] == [60, 3600]
    assert rows[0]["pairs"] <= rows[1]["pairs"]  # a wider window can only find more co-actions


def test_near_duplicate_posts_become_a_behaviour(tmp_path: Path) -> None:
    """Templated posts that differ by one word co-act under co-post-near, not under co-post."""
    rng = random.Random(5)
    vocab = "hospital railway turnout rally budget pension school bridge harbour market council tax jobs housing river police".split()
    # Eight distinct campaign messages (their own words), each with a town slot that varies.
    messages = [" ".join(rng.sample(vocab, 9)) + " in {} this week, vote Smith" for _ in range(8)]
    towns = ["Leeds", "York", "Hull", "Bath", "Ely", "Wells"]
    with open_study(tmp_path / "near.duckdb", read_only=False) as s:
        rows = []
        for k in range(8):  # eight campaign messages; a/b/c post near-copies within seconds
            for i, acc in enumerate(["a", "b", "c"]):
                rows.append((f"{acc}{k}", acc, T0 + timedelta(hours=k, seconds=5 * i), messages[k].format(towns[(k + i) % len(towns)])))
        for j in range(30):  # unrelated chatter
            rows.append((f"x{j}", f"x{j % 7}", T0 + timedelta(minutes=13 * j), f"ordinary post {j} about the weather and the trains today"))
        s.con.executemany(
            "INSERT INTO posts (post_id, platform, account_id, created_at, text, kind, hashtags, mentions, urls) VALUES (?, 'twitter', ?, ?, ?, 'original', [], [], [])",
            [list(r) for r in rows],
        )
        # The stream is too sparse for the hourly item-swap null (the trio is all there is in its
        # hour), so the test uses the day-shuffle null.
        opts = dict(null_replicates=1, null_model="day-shuffle")
        exact = run_coordination(s, NetworkOptions(behaviours=("co-post",), **opts), log=lambda m: None)  # type: ignore[arg-type]
        near = run_coordination(s, NetworkOptions(behaviours=("co-post-near",), **opts), log=lambda m: None)  # type: ignore[arg-type]
        assert exact.edges == 0
        # A trio is a tiny sample for a permutation null: at least two of its three pairs must beat it.
        assert near.edges >= 2
        assert {r[0] for r in s.sql("SELECT account_id FROM cluster_members")} == {"a", "b", "c"}


def test_each_behaviour_projects_the_right_trace(tmp_path: Path) -> None:
    rows = [
        # post_id, account, seconds, text, kind, ref_post_id, ref_account_id, ref_handle, hashtags, mentions
        ("o1", "src", 0, "the original post about the vote", "original", None, None, None, ["Vote", "GE2017"], []),
        ("r1", "a", 5, "the original post about the vote", "retweet", "o1", "src", "Src", ["Vote", "GE2017"], []),
        ("r2", "b", 400, "the original post about the vote", "retweet", "o1", "src", "Src", ["Vote", "GE2017"], []),
        ("r3", "c", 20, "RT-less IRA style retweet text", "retweet", None, None, None, [], []),
        ("p1", "a", 30, "reply text here", "reply", "o1", "src", "Src", [], ["Src"]),
        ("p2", "d", 31, "another reply", "reply", None, "src", "Src", [], ["src", "Other"]),
    ]
    with open_study(tmp_path / "b.duckdb", read_only=False) as s:
        s.con.executemany(
            "INSERT INTO posts (post_id, platform, account_id, created_at, text, kind, ref_post_id, ref_account_id, ref_handle, hashtags, mentions, urls) "
            "VALUES (?, 'twitter', ?, ?, ?, ?, ?, ?, ?, ?, ?, [])",
            [[r[0], r[1], T0 + timedelta(seconds=r[2]), *r[3:]] for r in rows],
        )
        from botwatch.coordination.behaviours import traces

        got = traces(s.table("posts"), ["co-retweet", "co-hashtags", "co-reply", "co-mention", "fast-retweet"], fast_seconds=30).to_pyarrow().to_pylist()
        by = {}
        for r in got:
            by.setdefault(r["behaviour"], set()).add((r["account_id"], r["trace"], r["target"]))
    assert by["co-retweet"] == {("a", "o1", "src"), ("b", "o1", "src"), ("c", "?|rt less ira style retweet text", None)}
    assert ("src", "#vote #ge2017", None) in by["co-hashtags"] and ("a", "#vote #ge2017", None) in by["co-hashtags"]
    assert by["co-reply"] == {("a", "o1", "src"), ("d", "@src", "src")}
    assert by["co-mention"] == {("a", "@src", "src"), ("d", "@src", "src"), ("d", "@other", "other")}
    assert by["fast-retweet"] == {("a", "o1", "src")}  # b retweeted 400 s later: not fast


HOUR = NetworkOptions(window_s=3600)


def _edges_and_members(study: object) -> tuple[object, object]:
    q = study.sql  # type: ignore[attr-defined]
    return q("SELECT * FROM coordination_edges ORDER BY ALL"), q("SELECT cluster_id, account_id FROM cluster_members ORDER BY ALL")


@pytest.fixture(scope="module")
def coordinated_hourly(sample_study_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A copy of the ingested sample after `run_coordination` with every behaviour and a one-hour
    window (`HOUR`), once for the module: the determinism test and the combining test each ran
    that very run on their own copy of the sample (about 1.4 CPU-s). Read only (digest-checked at
    the module's end); a test that runs the stage again copies it first."""
    from testsupport.study_copies import copy_study, digest, unchanged

    path = copy_study(sample_study_path, tmp_path_factory.mktemp("coordinated_hourly") / "s.duckdb")
    with open_study(path, read_only=False) as s:
        run_coordination(s, HOUR, log=lambda m: None)
    before = digest(path)
    yield path
    unchanged(path, before)


def test_stage_is_deterministic(coordinated_hourly: Path, tmp_path: Path) -> None:
    """Re-running gives the same edges and clusters (seeded null, seeded Leiden, full tie-breaks):
    the stage run again on a copy of the study it wrote (`coordinated_hourly`)."""
    from testsupport.study_copies import copy_study

    study = copy_study(coordinated_hourly, tmp_path)
    with open_study(study, read_only=False) as s:
        first = _edges_and_members(s)
        run_coordination(s, HOUR, log=lambda m: None)
        assert first == _edges_and_members(s)


def test_popular_traces_are_thinned_to_the_pair_budget() -> None:
    """A trace dense enough to exceed the pair budget is sampled (rate < 1 on its rows), not dropped."""
    rows = [("viral", f"u{i:03d}", i // 4) for i in range(400)] + [("small", "u001", 0), ("small", "u002", 5)]
    f = with_popularity(first_actions(_traces(rows)))
    full = pair_rows(f, PairOptions(window_s=60, max_trace_pairs=0)).to_pyarrow().to_pylist()
    thin = pair_rows(f, PairOptions(window_s=60, max_trace_pairs=2_000)).to_pyarrow().to_pylist()
    assert {r["trace"] for r in thin} == {"viral", "small"}
    viral = [r for r in thin if r["trace"] == "viral"]
    assert 0 < viral[0]["rate"] < 1 and all(r["rate"] == viral[0]["rate"] for r in viral)
    assert len(viral) < 0.2 * sum(r["trace"] == "viral" for r in full)
    assert {r["rate"] for r in thin if r["trace"] == "small"} == {1.0}
    # The sample is a subset of the full pairs (the band join is unchanged on what is kept).
    key = lambda r: (r["trace"], r["account_a"], r["account_b"])  # noqa: E731
    assert {key(r) for r in thin} <= {key(r) for r in full}


def _recover(tmp_path: Path, spec: object, opts: NetworkOptions | None = None) -> tuple[dict, object, int]:
    """Generate the popular-post stream, run the stage; (recovery, result, superfans clustered)."""
    from testsupport.coordination_popular import generate_popular, network_accounts

    tmp_path.mkdir(parents=True, exist_ok=True)
    with open_study(tmp_path / "popular.duckdb", read_only=False) as s:
        generate_popular(s, spec)  # type: ignore[arg-type]
        res = run_coordination(s, opts or NetworkOptions(), log=lambda m: None)
        fans = int(s.sql("SELECT count(*) FROM cluster_members WHERE account_id LIKE 'superfan%'")[0][0])
        return recovery(s, network_accounts(spec)), res, fans  # type: ignore[arg-type]


def test_network_amplifying_only_the_most_popular_posts_is_found_with_defaults(tmp_path: Path) -> None:
    """30 accounts retweet only the 12 most popular posts (hundreds to thousands of ordinary
    retweeters each): found with the default settings; the 50 superfans who retweet most of the
    same posts at ordinary delays are not. The former defaults (popular posts set aside, hourly
    item-swap null) kept no edge at all."""
    from testsupport.coordination_popular import PopularSpec

    spec = PopularSpec(retweets=40_000, accounts=5_000, originals=2_000, top_max=2_500, top_min=500, superfans=50, network=30)
    rec, res, fans = _recover(tmp_path, spec)
    assert rec["cluster_precision"] >= 0.95 and rec["cluster_recall"] >= 0.95
    assert fans <= 2
    assert res.traces_capped == 0  # type: ignore[attr-defined]


def test_sparse_stream_burst_is_found_with_defaults(tmp_path: Path) -> None:
    """20 accounts retweeting one party within 5-25 s in a small, sparse stream (the burst is
    most of its hour): found with the defaults. Under the hourly item-swap null it was not."""
    from testsupport.coordination_popular import sparse_spec

    rec, _, _ = _recover(tmp_path, sparse_spec())
    assert rec["cluster_precision"] >= 0.95 and rec["cluster_recall"] >= 0.95
    old, _, _ = _recover(tmp_path / "old", sparse_spec(), NetworkOptions(null_model="item-swap", null_unit="h", null_replicates=2))
    assert old["recall"] < 0.5


def test_closed_form_expectation_matches_the_permutation_null(tmp_path: Path) -> None:
    """The analytic λ of account-swap is the mean of its random copies (within 5% in total over
    the tested pairs: drawing with replacement is the one approximation), and it does not move
    between runs or seeds."""
    from botwatch.coordination.network import _per_test_counts, analytic_expectation, materialise, prepare_first_actions
    from testsupport.coordination_popular import generate_popular, sparse_spec

    with open_study(tmp_path / "a.duckdb", read_only=False) as s:
        generate_popular(s, sparse_spec())
        opts = NetworkOptions(behaviours=("co-retweet",))
        first = prepare_first_actions(s, opts)
        popts = PairOptions(window_s=60)
        materialise(s, "_coord_pairs", pair_rows(first, popts), temp=True)
        _per_test_counts(s, "_coord_pairs", "_coord_obs", False)
        s.sql("CREATE OR REPLACE TEMP TABLE _coord_tested AS SELECT * FROM _coord_obs WHERE co_actions >= 2")
        analytic_expectation(s, opts, False)
        lam = dict(((a, b), l) for a, b, l in s.sql("SELECT account_a, account_b, lam FROM _coord_lam"))
        analytic_expectation(s, NetworkOptions(behaviours=("co-retweet",), seed=99), False)
        assert lam == dict(((a, b), l) for a, b, l in s.sql("SELECT account_a, account_b, lam FROM _coord_lam"))
        reps, total = 8, 0
        for r in range(reps):
            materialise(s, "_np", pair_rows(null_times(first, 100 + r, "account-swap"), popts), temp=True)
            _per_test_counts(s, "_np", "_nc", False)
            total += s.sql("SELECT coalesce(sum(n.co_actions), 0) FROM _nc n JOIN _coord_tested t USING (platform, test, account_a, account_b)")[0][0]
    assert len(lam) > 100
    assert abs(total / reps / sum(lam.values()) - 1) < 0.05


def test_combining_behaviours_never_hides_an_edge(sample_study: object, coordinated_hourly: Path) -> None:
    """Every edge one behaviour keeps alone is kept by the default set, and says which carry it
    (the default set's run: `coordinated_hourly`, the same sample and window)."""
    q = sample_study.sql  # type: ignore[attr-defined]
    alone: set[tuple[str, str]] = set()
    for b in ("co-retweet", "co-link", "co-hashtags"):
        run_coordination(sample_study, NetworkOptions(behaviours=(b,), window_s=3600), log=lambda m: None)  # type: ignore[arg-type]
        got = {(a, c) for a, c, carried in q("SELECT account_a, account_b, carried_by FROM coordination_edges")}
        assert all(carried == [b] for *_, carried in q("SELECT account_a, account_b, carried_by FROM coordination_edges"))
        alone |= {(b, a, c) for a, c in got}  # type: ignore[arg-type]
    with open_study(coordinated_hourly) as every:  # the default set at the same window, on the sample
        combined = {(a, c): set(carried) for a, c, carried in every.sql("SELECT account_a, account_b, carried_by FROM coordination_edges")}
        # Evidence rows say whether their behaviour carries the edge.
        assert every.sql("SELECT count(*) FROM coordination_evidence WHERE carries")[0][0] > 0
    assert alone, "the sample should have edges one behaviour finds"
    for b, a, c in alone:  # type: ignore[misc]
        assert b in combined[(a, c)]


def test_cli_runs_with_new_options_and_refuses_a_bad_unit(sample_study_path: Path, tmp_path: Path) -> None:
    """The CLI takes the new knobs, prints what the test could not see, and refuses a bad unit
    with a message rather than a traceback."""
    import shutil

    from typer.testing import CliRunner

    from botwatch.cli import app

    study = tmp_path / "s.duckdb"
    shutil.copy(sample_study_path, study)
    runner = CliRunner()
    bad = runner.invoke(app, ["coordination", str(study), "--null-unit", "week"])
    assert bad.exit_code == 2 and "unknown null unit" in bad.output and "Traceback" not in bad.output
    ok = runner.invoke(app, ["coordination", str(study), "--max-trace-pairs", "1", "--window", "1h", "--memory-mb", "300", "--null-unit", "h"])
    assert ok.exit_code == 0, ok.output
    assert "not seen" in ok.output and "sample of their accounts" in ok.output
    with open_study(study) as s:
        summary = json.loads(s.sql("SELECT summary FROM coordination_summary")[0][0])
        assert summary["traces_thinned"] > 0 and summary["unseen"]
        assert summary["options"]["null_unit"] == "h" and summary["null_analytic"]
        # Through the pipeline runner: one `runs` row carrying the command's options.
        assert s.sql("SELECT count(*) FROM runs WHERE stage = 'coordination' AND params LIKE ? AND params LIKE ?",
                     ['%"coordination_null_unit": "h"%', '%"engine": "duckdb"%'])[0][0] == 1  # "engine": the runner's
        assert summary["p_value_stability"].startswith("exact")
        assert s.sql("SELECT min(sample_rate) > 0 AND max(sample_rate) <= 1 FROM coordination_evidence")[0][0] in (True, None)
