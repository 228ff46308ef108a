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


def _reshare_study(path: Path, platform: str, ref_handle: str | None = "src"):  # type: ignore[no-untyped-def]
    """Six accounts sharing the same 20 posts within seconds, ten others at random; the shares
    name their author by `ref_handle`, or (None) by its id alone, as a Bluesky repost does."""
    import numpy as np

    rng = np.random.default_rng(5)
    posts = []
    for k in range(20):
        t0 = datetime(2017, 5, 1) + timedelta(hours=7 * k, seconds=5)
        for a in range(6):
            posts.append(dict(post_id=f"r{k}-{a}", platform=platform, account_id=f"b{a}", created_at=t0 + timedelta(seconds=3 * a),
                              kind="retweet", text=f"t{k}", ref_post_id=f"o{k}", ref_account_id="src", ref_handle=ref_handle))
        for h in range(10):
            posts.append(dict(post_id=f"h{k}-{h}", platform=platform, account_id=f"h{h}", created_at=t0 + timedelta(minutes=int(rng.integers(1, 3000))),
                              kind="retweet", text=f"t{k}", ref_post_id=f"o{k}", ref_account_id="src", ref_handle=ref_handle))
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


def test_a_repost_naming_its_author_by_did_is_credited_to_the_handle_the_study_knows(tmp_path: Path) -> None:
    """A Bluesky repost names the reposted account by its DID, never its handle: the headline read
    "amplified id did:plc:… most" and the picture's square "id did:plc:…" though the capture's
    identity events gave the account's handle."""
    from botwatch.coordination.clusters import top_amplified
    from botwatch.report.section_coordination import _layout, coordination_section

    with _reshare_study(tmp_path / "s.duckdb", "bluesky", ref_handle=None) as st:
        st.sql("INSERT INTO accounts (platform, account_id, handle) VALUES ('bluesky', 'src', 'leader.bsky.social')")
        analyze(st, Context(election=None, log=lambda m: None), only=["coordination"])
        (amp,) = [top_amplified(v) for (v,) in st.sql("SELECT top_amplified FROM clusters ORDER BY cluster_id LIMIT 1")]
        assert amp[0]["handle"] == "leader.bsky.social" and amp[0]["account_id"] == "src"
        cids = [c for (c,) in st.sql("SELECT DISTINCT cluster_id FROM cluster_members ORDER BY 1")]
        assert {t["label"] for t in _layout(st, cids)["targets"]} == {"@leader.bsky.social"}
        sec = coordination_section(st, {})
    assert sec is not None
    html = " ".join(str(sec.html).split())
    assert "@leader.bsky.social" in html and "id src" not in html


@pytest.mark.parametrize(("platform", "word"), [("mastodon", "boost"), ("bluesky", "repost"), ("twitter", "retweet")])
def test_the_timeline_command_by_kind_names_the_reshare_in_the_platforms_word(tmp_path: Path, platform: str, word: str) -> None:
    """`botwatch timeline STUDY -d kind` headed a Mastodon study's boosts "retweet"."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        write_posts(st, [dict(post_id="1", platform=platform, account_id="a", created_at=datetime(2017, 5, 1, 9), kind="original", text="x"),
                         dict(post_id="2", platform=platform, account_id="b", created_at=datetime(2017, 5, 1, 10), kind="retweet", text="x",
                              ref_post_id="1", ref_account_id="a")])
        st.sql("CREATE TABLE timeline (freq VARCHAR, clock VARCHAR, dimension VARCHAR, value VARCHAR, bucket TIMESTAMP, posts BIGINT, accounts BIGINT, "
               "sentiment_mean DOUBLE, sentiment_n BIGINT)")
        st.sql("INSERT INTO timeline VALUES ('day', 'utc', 'kind', 'original', TIMESTAMP '2017-05-01', 1, 1, NULL, 0), "
               "('day', 'utc', 'kind', 'retweet', TIMESTAMP '2017-05-01', 1, 1, NULL, 0)")
    res = CliRunner().invoke(app, ["timeline", str(tmp_path / "s.duckdb"), "-d", "kind"])
    assert res.exit_code == 0, res.output
    header = next(ln for ln in res.output.splitlines() if "original" in ln)
    assert [c.strip() for c in header.split("┃")[1:-1]] == ["day", "original", word], res.output


def test_the_explorers_latest_reposts_name_the_author_the_study_knows_by_did(tmp_path: Path) -> None:
    """A Bluesky repost names its author by DID alone: the explorer's latest posts read "repost: "
    with no author, though the capture gave that DID's handle."""
    from botwatch.report.section_explorer import _details

    with _reshare_study(tmp_path / "s.duckdb", "bluesky", ref_handle=None) as st:
        (d,) = _details(st, [("bluesky", "b0")])
        assert [p["ref"] for p in d["posts"]] == [None] * 3  # the handle is not known: none made up
        st.sql("INSERT INTO accounts (platform, account_id, handle) VALUES ('bluesky', 'src', 'leader.bsky.social')")
        (d,) = _details(st, [("bluesky", "b0")])
    assert [(p["kind"], p["ref"]) for p in d["posts"]] == [("repost", "leader.bsky.social")] * 3
