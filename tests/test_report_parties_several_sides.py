"""Posts counted as support for two parties: the report says how many, since its support counts add
each such post to every party it supports. Under a user's EU-referendum file, 9,791 of 46,571
election posts (21%) carried both sides' pro hashtags (#VoteLeave #VoteRemain) and counted once for
Leave and once for Remain, and nothing said so. Since 2026-12-07 two rivals' pro cues in one post
cancel (`rival_cues_cancel`, tests/test_content_stance_rival_cues.py); the account prior and the
model can still count a post for two parties (93 posts of that study), so the fixture below sets
such answers in `post_party` after the content stage, as the account prior would store them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from botwatch.elections import load_election
from botwatch.ingest.runner import ingest
from botwatch.pipeline import Context, analyze
from botwatch.report.section_parties import parties_section
from botwatch.study import open_study

SAID = "Posts counted for more than one party:"


def _tweet(i: int, text: str) -> dict[str, Any]:
    tags = [{"text": t} for t in re.findall(r"#(\w+)", text)]
    return {"id_str": str(i), "full_text": text, "created_at": f"Sat May {10 + i % 15:02d} 10:00:00 +0000 2017",
            "user": {"id_str": f"u{i}", "screen_name": f"fan{i}", "location": "London"}, "lang": "en", "entities": {"hashtags": tags}}


def _plain(markup: object) -> str:
    return re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", str(markup))).replace("&#39;", "'")


def _section(tmp: Path, texts: list[str], support_both: int = 0) -> tuple[Path, str]:
    """The study of `texts` (uk-ge2017, content and estimates) and its Parties section as text;
    the first `support_both` posts' Labour and Conservative pairs set to support by the account
    prior's rule before the estimates are made."""
    (tmp / "t.jsonl").write_text("".join(json.dumps(_tweet(i, t)) + "\n" for i, t in enumerate(texts)))
    uk = load_election("uk-ge2017")
    with open_study(tmp / "s.duckdb", read_only=False) as st:
        ingest(st, [str(tmp / "t.jsonl")])
        analyze(st, Context(election=uk, log=lambda m: None), only=["content"])
        if support_both:
            st.sql("UPDATE post_party SET stance = 'support', stance_rule = 'account_prior' "
                   f"WHERE party IN ('labour', 'conservative') AND CAST(post_id AS INTEGER) < {support_both}")
        analyze(st, Context(election=uk, log=lambda m: None), only=["estimates"])  # what the section reads
        return tmp / "s.duckdb", _plain(parties_section(st, {"election": uk}).html)


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    texts = ["Either way, vote #VoteLabour #VoteConservative #GE2017"] * 3 + ["Off to the polls #VoteLabour #GE2017"] * 4
    return _section(tmp_path_factory.mktemp("both"), texts, support_both=3)


def test_posts_supporting_two_parties_are_counted_and_said(both: tuple[Path, str]) -> None:
    _, both_text = both
    assert (f"{SAID} 3 of the 7 posts counted as support for a party here count as support for two parties or more") in both_text, both_text
    assert "so they add up to more than the posts" in both_text


def test_the_line_does_not_say_two_pro_cues_support_each(both: tuple[Path, str]) -> None:
    """The report and `estimate` said a post with two parties' pro hashtags "supports each" after
    `rival_cues_cancel` had made such a post neutral toward both: the reason they gave was one the
    counts no longer hold."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    res = CliRunner().invoke(app, ["estimate", str(both[0]), "--table", "parties"])
    out = " ".join(res.output.split())
    for said in (both[1], out):
        assert "supports each" not in said and "cancel to neutral" in said, said


def test_estimate_says_it_beside_its_support_column(both: tuple[Path, str]) -> None:
    """`estimate --table parties` prints the same support counts as the report, and said nothing."""
    from typer.testing import CliRunner

    from botwatch.cli import app

    res = CliRunner().invoke(app, ["estimate", str(both[0]), "--table", "parties"])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "support: 3 of the 7 posts counted as support (observed) count as support for two parties or more" in out, out


def test_no_line_where_every_post_supports_one_party(tmp_path: Path) -> None:
    _, text = _section(tmp_path, ["Off to the polls #VoteLabour #GE2017"] * 3 + ["Strong and stable #VoteConservative #GE2017"] * 2)
    assert SAID not in text
