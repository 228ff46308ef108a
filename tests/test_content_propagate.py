"""The account prior and retweet-neighbour propagation (botwatch.content.propagate).

Small hand-built post_party rows test the code paths (which rows may change, the row's own answer
left out, which cue the evidence names, neighbours over the graph); the accuracy on real posts is
measured on the frozen test part in tests/test_content_quality.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from botwatch.content.propagate import ACCOUNT_PRIOR, NEIGHBOURS, Graph, PriorParams, apply_prior, graph_edges
from botwatch.content.tables import POST_PARTY

P = PriorParams(soft_weight=1.0, shrink=1.0, damping=1.0, threshold=0.5, rounds=3, classes=("support", "oppose", "neutral"))


def rows(spec: list[tuple[str, str, str, str]]) -> pa.Table:
    """post_party rows from (account, party, stance, rule)."""
    n = len(spec)
    return pa.table(
        {
            "platform": ["twitter"] * n,
            "post_id": [str(i) for i in range(n)],
            "account_id": [a for a, _, _, _ in spec],
            "created_at": pa.array([None] * n, POST_PARTY.field("created_at").type),
            "party": [p for _, p, _, _ in spec],
            "stance": [s for _, _, s, _ in spec],
            "stance_rule": [r for _, _, _, r in spec],
            "sentiment": pa.array([None] * n, pa.float64()),
            "election": ["us-2016"] * n,
            "in_election": [True] * n,
            "kind": ["original"] * n,
            "lang": ["en"] * n,
            "signals": pa.array([[]] * n, pa.list_(pa.string())),
            "stance_evidence": [r for _, _, _, r in spec],
        },
        schema=POST_PARTY,
    )


def edges(pairs: list[tuple[str, str]]) -> pa.Table:
    return pa.table({"account_id": [a for a, _ in pairs], "node": [n for _, n in pairs]})


def test_an_unclear_post_takes_its_accounts_side_and_says_so() -> None:
    t = rows([("a", "dem", "oppose", "anti_hashtag")] * 3 + [("a", "dem", "neutral", "model"), ("a", "rep", "neutral", "model")])
    out = apply_prior(t, Graph.from_edges(np.array(["twitter:a"]), edges([])), P)
    assert out.column("stance").to_pylist()[3] == "oppose"
    assert out.column("stance_rule").to_pylist()[3] == ACCOUNT_PRIOR
    ev = out.column("stance_evidence").to_pylist()[3]
    assert ev.startswith("account's other posts: oppose") and "this post alone read neutral" in ev
    # Another party's posts say nothing about this one; the decisive cues never change.
    assert out.column("stance").to_pylist()[4] == "neutral"
    assert out.column("stance_rule").to_pylist()[:3] == ["anti_hashtag"] * 3


def test_a_post_never_votes_for_itself() -> None:
    # One account, one unclear post: without other posts there is no prior.
    t = rows([("a", "dem", "oppose", "model"), ("b", "dem", "support", "model"), ("b", "dem", "neutral", "no_cue")])
    out = apply_prior(t, None, P)
    assert out.column("stance").to_pylist()[0] == "oppose" and out.column("stance_rule").to_pylist()[0] == "model"
    # Each of b's posts sees only the other one (share 1 / (1 + shrink 1) = 0.5): both take it.
    assert out.column("stance").to_pylist()[1:] == ["neutral", "support"]


def test_the_prior_agreeing_changes_nothing() -> None:
    t = rows([("a", "dem", "oppose", "anti_hashtag")] * 3 + [("a", "dem", "oppose", "model")])
    out = apply_prior(t, None, P)
    assert out.column("stance_rule").to_pylist()[3] == "model"
    assert out.equals(t)


def test_retweet_neighbours_decide_for_an_account_without_evidence() -> None:
    # c has one unclear post; a and b (who share retweets with c) oppose the party.
    t = rows([("a", "dem", "oppose", "anti_hashtag")] * 2 + [("b", "dem", "oppose", "anti_keyword")] * 2 + [("c", "dem", "neutral", "model")])
    g = Graph.from_edges(np.array(["twitter:a", "twitter:b", "twitter:c"]),
                         edges([("twitter:a", "t:1"), ("twitter:c", "t:1"), ("twitter:b", "h:x"), ("twitter:c", "h:x")]))
    out = apply_prior(t, g, P)
    assert out.column("stance").to_pylist()[4] == "oppose"
    assert out.column("stance_rule").to_pylist()[4] == NEIGHBOURS
    assert out.column("stance_evidence").to_pylist()[4].startswith("retweet neighbours: oppose")
    # No damping: no neighbours, so c keeps its own answer.
    out0 = apply_prior(t, g, PriorParams(soft_weight=1.0, shrink=1.0, damping=0.0, threshold=0.5))
    assert out0.column("stance").to_pylist()[4] == "neutral"


def test_neighbour_mean_leaves_the_account_out() -> None:
    g = Graph.from_edges(np.array(["a", "b"]), edges([("a", "n"), ("b", "n"), ("a", "m")]))
    mean, deg = g.neighbour_mean(np.array([[4.0], [2.0]]))
    # Node m has only a: it links nobody. a's neighbour mean is b's 2, b's is a's 4.
    assert mean[g.account_index["a"], 0] == 2.0 and mean[g.account_index["b"], 0] == 4.0
    assert list(deg[[g.account_index["a"], g.account_index["b"]]]) == [1.0, 1.0]


def test_graph_edges_from_a_study(tmp_path: Path) -> None:
    """The Ibis query: RT @handle links (the handle's own account joins), texts posted by two
    accounts link them, a text posted by one account links nobody."""
    from botwatch.study import Study

    with Study(tmp_path / "s.duckdb") as st:
        st.ensure_schema()
        st.sql("INSERT INTO accounts (platform, account_id, handle) VALUES ('twitter', '1', 'Alice'), ('twitter', '2', 'bob'), ('twitter', '3', 'carol')")
        long_text = "a text long enough to count as shared"
        st.sql(
            "INSERT INTO posts (platform, post_id, account_id, text, kind, ref_handle) VALUES "
            "('twitter', 'p1', '2', 'hello there from bob, retweeting', 'retweet', 'alice'),"
            f"('twitter', 'p2', '2', '{long_text}', 'original', NULL),"
            f"('twitter', 'p3', '3', '{long_text}', 'retweet', NULL),"
            "('twitter', 'p4', '1', 'only alice wrote this particular text', 'original', NULL)"
        )
        got = graph_edges(st.table("posts"), st.table("accounts")).to_pyarrow().to_pylist()
    pairs = {(r["account_id"], r["node"][:2]) for r in got}
    assert ("twitter:2", "h:") in pairs and ("twitter:1", "h:") in pairs  # bob retweeted alice; alice joins her node
    assert {r["account_id"] for r in got if r["node"].startswith("t:")} == {"twitter:2", "twitter:3"}
    assert len(got) == 4


def test_one_id_on_two_platforms_is_two_accounts() -> None:
    """Account ids are per platform: a Mastodon account numbered like a Twitter one lends it no prior."""
    t = rows([("a", "dem", "oppose", "anti_hashtag")] * 3 + [("a", "dem", "neutral", "model")])
    platform = ["mastodon"] * 3 + ["twitter"]
    t = t.set_column(t.schema.get_field_index("platform"), "platform", pa.array(platform, pa.string()))
    out = apply_prior(t, None, P)
    assert out.column("stance").to_pylist()[3] == "neutral" and out.column("stance_rule").to_pylist()[3] == "model"


def test_posts_without_an_author_are_left_alone() -> None:
    t = rows([(None, "dem", "oppose", "anti_hashtag")] * 3 + [(None, "dem", "neutral", "model")])  # type: ignore[list-item]
    assert apply_prior(t, None, P).equals(t)


@pytest.mark.parametrize("n", [0])
def test_no_rows(n: int) -> None:
    assert apply_prior(POST_PARTY.empty_table(), None, P).num_rows == n
