"""What the report shows of a Mastodon or Bluesky study says the platform's words: the coordination
section listed the behaviours tested and each cluster's as "co-retweet" (the stage's name for
sharing the same post), in a study whose accounts boost or repost and never retweet."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from botwatch.pipeline import Context, analyze
from botwatch.study import open_study

from test_timeline import write_posts


def _reshare_study(path: Path, platform: str):  # type: ignore[no-untyped-def]
    """Six accounts sharing the same 20 posts within seconds, ten others at random."""
    import numpy as np

    rng = np.random.default_rng(5)
    posts = []
    for k in range(20):
        t0 = datetime(2017, 5, 1) + timedelta(hours=7 * k, seconds=5)
        for a in range(6):
            posts.append(dict(post_id=f"r{k}-{a}", platform=platform, account_id=f"b{a}", created_at=t0 + timedelta(seconds=3 * a),
                              kind="retweet", text=f"t{k}", ref_post_id=f"o{k}", ref_account_id="src", ref_handle="src"))
        for h in range(10):
            posts.append(dict(post_id=f"h{k}-{h}", platform=platform, account_id=f"h{h}", created_at=t0 + timedelta(minutes=int(rng.integers(1, 3000))),
                              kind="retweet", text=f"t{k}", ref_post_id=f"o{k}", ref_account_id="src", ref_handle="src"))
    st = open_study(path, read_only=False)
    write_posts(st, posts)
    return st


@pytest.mark.parametrize(("platform", "word"), [("mastodon", "co-boost"), ("bluesky", "co-repost")])
def test_the_coordination_section_names_the_platforms_reshare(tmp_path: Path, platform: str, word: str) -> None:
    from botwatch.report.section_coordination import coordination_section

    with _reshare_study(tmp_path / "s.duckdb", platform) as st:
        analyze(st, Context(election=None, log=lambda m: None), only=["coordination"])
        assert st.sql("SELECT count(*) FROM clusters")[0][0] >= 1
        sec = coordination_section(st, {})
    assert sec is not None
    html = " ".join(str(sec.html).split())
    assert "retweet" not in html
    assert f"within 60 seconds of each other: {word}, co-post" in html
    assert f"<td>{word}</td>" in html  # the cluster's own behaviours


@pytest.mark.parametrize(("platform", "word"), [("mastodon", "boost"), ("bluesky", "repost"), ("twitter", "retweet")])
def test_the_explorers_latest_posts_name_a_reshare_in_the_platforms_word(tmp_path: Path, platform: str, word: str) -> None:
    """The explorer's "Latest posts in the study" read "retweet of @src" for a Mastodon boost."""
    from botwatch.report.section_explorer import _details

    with _reshare_study(tmp_path / "s.duckdb", platform) as st:
        (d,) = _details(st, [(platform, "b0")])
    assert [p["kind"] for p in d["posts"]] == [word] * 3 and d["posts"][0]["ref"] == "src"
