"""The account prior's evidence names a post's reshare links in its platform's word: a Mastodon
post decided by its account's neighbours read "retweet neighbours: oppose … shared retweet links"
in `post_party.stance_evidence`, of accounts that boost and never retweet. The rule key stays
`retweet_neighbours`."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from botwatch.content.prior_engine import propagate_in_engine
from botwatch.content.propagate import NEIGHBOURS, Graph, apply_prior
from botwatch.study import Study
from tests.test_content_prior_engine import SHARED, _sorted, assert_same_rows
from tests.test_content_propagate import P, rows


def test_a_mastodon_posts_neighbours_are_boost_neighbours(tmp_path: Path) -> None:
    t = rows([("a", "dem", "oppose", "anti_hashtag")] * 2 + [("b", "dem", "oppose", "anti_keyword")] * 2 + [("c", "dem", "neutral", "model")])
    t = t.set_column(t.schema.get_field_index("platform"), "platform", pa.array(["mastodon"] * t.num_rows, pa.string()))
    with Study(tmp_path / "h.duckdb") as st:
        st.write_table("post_party", t)
        for pid, acc, text, rt in [("p1", "a", SHARED, None), ("p2", "c", SHARED, None), ("p3", "b", "hello", "x"), ("p4", "c", "hello", "x")]:
            st.sql("INSERT INTO posts (platform, post_id, account_id, text, kind, ref_handle) VALUES ('mastodon', ?, ?, ?, ?, ?)",
                   [pid, acc, text, "retweet" if rt else "original", rt])
        st.sql("INSERT INTO accounts (platform, account_id, handle) VALUES ('mastodon', 'x1', 'x')")
        propagate_in_engine(st, P)
        got = _sorted(st.arrow("post_party"))
    g = Graph.from_edges(pa.array(["mastodon:a", "mastodon:b", "mastodon:c"]).to_numpy(zero_copy_only=False),
                         pa.table({"account_id": ["mastodon:a", "mastodon:c", "mastodon:b", "mastodon:c", "mastodon:x1"],
                                   "node": ["t:1", "t:1", "h:x", "h:x", "h:x"]}))
    want = _sorted(apply_prior(t, g, P))
    assert got.column("stance_rule").to_pylist()[4] == NEIGHBOURS
    said = got.column("stance_evidence").to_pylist()[4]
    assert said.startswith("boost neighbours: oppose") and "shared boost links); this post alone read " in said and "retweet" not in said, said
    assert_same_rows(want, got)  # the engine and the numpy reference say it alike
