"""The account prior run by the engine (botwatch.content.prior_engine) gives the numpy reference's
rows (botwatch.content.propagate.apply_prior), and the content stage brings no `post_party` row
or retweet link to the driver for it.

The reference is the prior as it was fitted (scripts/fit_stance_prior.py still runs it); the
engine path is what the stage runs. Both read the same `post_party` input here; the sample's
rows run under the shipped weights and under weights that let the neighbours and the neutral
class decide far more often, so every branch is compared on real posts.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from botwatch.content.prior_engine import propagate_in_engine
from botwatch.content.propagate import NEIGHBOURS, PARAMS, Graph, PriorParams, account_keys, apply_prior, study_graph
from botwatch.content.tables import POST_PARTY
from tests.test_content_propagate import P, rows

# Weights under which retweet neighbours decide many rows of the sample, and neutral may be given.
LOOSE = PriorParams(soft_weight=0.3, shrink=0.5, damping=1.0, threshold=0.45, rounds=3, classes=("support", "oppose", "neutral"))
KEY = ["platform", "post_id", "party"]


def _sorted(t: pa.Table) -> pa.Table:
    return t.select(POST_PARTY.names).sort_by([(k, "ascending") for k in KEY])


def _reference(st: Any, params: PriorParams) -> pa.Table:
    parties = st.arrow("post_party")
    accounts = pc.unique(account_keys(parties).combine_chunks()).to_numpy(zero_copy_only=False)
    return apply_prior(parties, study_graph(st, accounts), params)


def assert_same_rows(want: pa.Table, got: pa.Table) -> None:
    want, got = _sorted(want), _sorted(got)
    assert want.num_rows == got.num_rows
    for col in POST_PARTY.names:
        a, b = want.column(col).to_pylist(), got.column(col).to_pylist()
        diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y and not (x != x and y != y)]
        assert not diff, f"{col}: {len(diff)} rows differ, e.g. {a[diff[0]]!r} != {b[diff[0]]!r}"


@pytest.fixture(scope="module")
def labelled(labelled_sample_path: Path) -> Path:
    """The sample with its content labels (post_party as the stage writes it), once per session
    (tests copy it before writing)."""
    return labelled_sample_path


@pytest.mark.parametrize("params", [PARAMS, LOOSE], ids=["shipped", "loose"])
def test_engine_equals_the_numpy_reference_on_the_sample(labelled: Path, tmp_path: Path, params: PriorParams) -> None:
    from botwatch import open_study

    path = tmp_path / "s.duckdb"
    shutil.copy(labelled, path)
    with open_study(path, read_only=False) as st:
        want = _reference(st, params)
        n = propagate_in_engine(st, params, out_name="post_party_engine")
        got = st.arrow("post_party_engine")
        leftovers = [r[0] for r in st.sql("SELECT table_name FROM information_schema.tables WHERE table_name LIKE '_prior%'")]
    assert n == want.num_rows > 1000
    rules = pc.value_counts(want.column("stance_rule")).to_pylist()
    changed = {r["values"]: r["counts"] for r in rules if r["values"] in ("account_prior", NEIGHBOURS)}
    assert changed.get("account_prior", 0) > 50 and changed.get(NEIGHBOURS, 0) > 0, changed
    if params is LOOSE:
        assert changed[NEIGHBOURS] > 50, changed  # the neighbour rounds decide many rows here
    assert_same_rows(want, got)
    assert not leftovers  # the temp tables are dropped


def _study_with(tmp_path: Path, parties: pa.Table, posts: list[tuple[str, str, str, str | None]] = (), handles: list[tuple[str, str]] = ()) -> Any:  # type: ignore[assignment]
    """A DuckDB study holding `parties` as post_party, and posts (id, account, text, RT handle) and
    account handles from which the retweet graph is built."""
    from botwatch.study import Study

    st = Study(tmp_path / "h.duckdb")
    st.write_table("post_party", parties)
    for pid, acc, text, rt in posts:
        st.sql("INSERT INTO posts (platform, post_id, account_id, text, kind, ref_handle) VALUES ('twitter', ?, ?, ?, ?, ?)",
               [pid, acc, text, "retweet" if rt else "original", rt])
    for acc, handle in handles:
        st.sql("INSERT INTO accounts (platform, account_id, handle) VALUES ('twitter', ?, ?)", [acc, handle])
    return st


SHARED = "a text long enough to count as shared between accounts"


def test_neighbours_decide_through_the_study_graph(tmp_path: Path) -> None:
    """c has one unclear post; a shares a text with c and b retweets the handle c retweets: the
    neighbours' opposition decides c's post, as in the reference over the same graph."""
    t = rows([("a", "dem", "oppose", "anti_hashtag")] * 2 + [("b", "dem", "oppose", "anti_keyword")] * 2 + [("c", "dem", "neutral", "model")])
    posts = [("p1", "a", SHARED, None), ("p2", "c", SHARED, None), ("p3", "b", "RT @x: hello", "x"), ("p4", "c", "RT @x: hello", "x")]
    with _study_with(tmp_path, t, posts, [("x1", "x")]) as st:
        propagate_in_engine(st, P)
        got = _sorted(st.arrow("post_party"))
        g = Graph.from_edges(pa.array(["twitter:a", "twitter:b", "twitter:c"]).to_numpy(zero_copy_only=False),
                             pa.table({"account_id": ["twitter:a", "twitter:c", "twitter:b", "twitter:c", "twitter:x1"],
                                       "node": ["t:1", "t:1", "h:x", "h:x", "h:x"]}))
    want = _sorted(apply_prior(t, g, P))
    assert got.column("stance_rule").to_pylist()[4] == NEIGHBOURS and got.column("stance").to_pylist()[4] == "oppose"
    assert got.column("stance_evidence").to_pylist()[4].startswith("retweet neighbours: oppose")
    assert_same_rows(want, got)


@pytest.mark.parametrize(
    "spec, platforms",
    [
        ([("a", "dem", "oppose", "anti_hashtag")] * 3 + [("a", "dem", "neutral", "model"), ("a", "rep", "neutral", "model")], None),
        ([("a", "dem", "oppose", "model"), ("b", "dem", "support", "model"), ("b", "dem", "neutral", "no_cue")], None),
        ([("a", "dem", "oppose", "anti_hashtag")] * 3 + [("a", "dem", "oppose", "model")], None),
        ([("a", "dem", "oppose", "anti_hashtag")] * 3 + [("a", "dem", "neutral", "model")], ["mastodon"] * 3 + ["twitter"]),
        ([(None, "dem", "oppose", "anti_hashtag")] * 3 + [(None, "dem", "neutral", "model")], None),
        ([("a", "dem", "oppose", "anti_hashtag")] * 3 + [("a", "dem", None, "no_cue")], None),
    ],
    ids=["own-posts", "never-itself", "agreeing", "two-platforms", "authorless", "no-own-stance"],
)
def test_hand_built_rows_equal_the_reference(tmp_path: Path, spec: list, platforms: list | None) -> None:
    t = rows(spec)
    if platforms:
        t = t.set_column(t.schema.get_field_index("platform"), "platform", pa.array(platforms, pa.string()))
    with _study_with(tmp_path, t) as st:
        propagate_in_engine(st, P)
        got = st.arrow("post_party")
    assert_same_rows(apply_prior(t, None, P), got)
    changed = [e for e, r in zip(got.column("stance_evidence").to_pylist(), got.column("stance_rule").to_pylist()) if r in ("account_prior", NEIGHBOURS)]
    # Every answer the prior gives says why, also for a row that had no answer of its own.
    assert all(e and "this post alone read " in e for e in changed)


def test_no_rows(tmp_path: Path) -> None:
    with _study_with(tmp_path, POST_PARTY.empty_table()) as st:
        assert propagate_in_engine(st, P) == 0
        assert st.count("post_party") == 0


def test_the_content_stage_collects_nothing_for_the_prior(sample_study: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every way a whole result reaches Python refuses: the stage used to read all of post_party
    (`arrow`) and the retweet edges (an Ibis `to_pyarrow`) into the driver for the prior."""
    import ibis.expr.types as ir

    from botwatch.content.stage import run_content
    from botwatch.elections import load_election

    def refuse(*a: Any, **k: Any) -> Any:
        raise AssertionError("collected to the driver")

    for name in ("arrow", "expr_arrow", "query_arrow", "query_pandas", "group_map_arrow"):
        monkeypatch.setattr(sample_study, name, refuse)
    monkeypatch.setattr(ir.Table, "to_pyarrow", refuse)
    n, n_party = run_content(sample_study, load_election("us-2016"), log=lambda m: None)
    assert n_party > 1000
    got = sample_study.sql("SELECT count(*) FROM post_party WHERE stance_rule IN ('account_prior', 'retweet_neighbours')")[0][0]
    assert got > 50
