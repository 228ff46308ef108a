"""A user's own election file (an EU referendum, written from the preset's layout) on a scrape.

A party most of the study's posts name is likely the archive's own collection query. The ordinary brexit-2016 tweets (scraped by Brexit hashtags) under a user's EU-referendum file
that listed #Brexit as a Vote Leave hashtag named Leave in 83% of all posts, and the report
headlined "Of the 38,286 election posts naming Vote Leave, 67% supported…" with nothing to say the
count was the scrape's own query. `analyze`, `estimate` and the report now say so, naming the
hashtag most of those posts carry."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.content.party_coverage import DOMINANT_SHARE, dominant_parties, party_coverage
from botwatch.elections import load_election
from botwatch.study import open_study

ELECTION = """
key = "test-euref"
name = "A referendum"
country = "GB"
timezone = "Europe/London"
trigger_date = 2016-02-20
polling_day = 2016-06-23
hashtags = ["EURef"]

[window]
start = 2016-06-01
end = 2016-06-24

[[parties]]
key = "leave"
name = "Leave <b>side</b>"
hashtags = ["Brexit"]

[[parties]]
key = "remain"
name = "Remain"
hashtags_pro = ["StrongerIn"]
"""


def _study(tmp_path: Path, n_brexit: int, n_other: int, n_neither: int = 0) -> tuple[Path, Path]:
    from test_timeline import write_posts

    el = tmp_path / "euref.toml"
    el.write_text(ELECTION, encoding="utf-8")
    path = tmp_path / "s.duckdb"
    t0 = datetime(2016, 6, 10, 12)
    posts = []
    for i in range(n_brexit + n_other + n_neither):
        tags = (["BREXIT"] if i % 5 == 0 else ["Brexit"]) if i < n_brexit else ["StrongerIn"] if i < n_brexit + n_other else ["EURef"]
        posts.append(dict(post_id=f"p{i}", platform="twitter", account_id=f"a{i % 9}", created_at=t0 + timedelta(minutes=37 * i),
                          kind="original", lang="en", text=f"post number {i} about the vote", hashtags=tags))
    with open_study(path, read_only=False) as st:
        write_posts(st, posts)
    return path, el


def test_the_collection_hashtag_is_named_with_its_share(tmp_path: Path) -> None:
    path, el = _study(tmp_path, 30, 10)
    runner = CliRunner()
    res = runner.invoke(app, ["analyze", str(path), "--election", str(el)])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert ("party leave (Leave <b>side</b>) is named by 75% of the study's posts; #Brexit is in 75% of them: if the archive "
            "was collected with one of its hashtags or keywords") in out
    assert "party remain" not in out  # Remain (25%) is not said to dominate
    election = load_election(el)
    with open_study(path) as st:
        (d,) = dominant_parties(st, party_coverage(st, election), election)
    assert (d.key, d.tag, round(d.share, 2)) == ("leave", "Brexit", 0.75)  # written as most posts write it, not "BREXIT"
    # The report: a warning in the section and the note where the party's figures are quoted, escaped.
    res = runner.invoke(app, ["report", str(path), "-o", str(tmp_path / "r.html")])
    assert res.exit_code == 0, res.output
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<b>side</b>" not in page and "Leave &lt;b&gt;side&lt;/b&gt;" in page
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "A query's count? 75% of the study's posts name Leave <b>side</b>; #Brexit is in 75% of them" in text
    assert re.search(r"Of the [\d,]+ election posts in the study naming Leave <b>side</b>.*75% of the study's posts name Leave", text)


def test_a_conversation_no_party_dominates_is_not_warned(tmp_path: Path) -> None:
    path, el = _study(tmp_path, 15, 15, 10)
    runner = CliRunner()
    res = runner.invoke(app, ["analyze", str(path), "--election", str(el), "--only", "content"])
    assert res.exit_code == 0, res.output
    assert "is named by" not in res.output
    election = load_election(el)
    with open_study(path) as st:
        cov = party_coverage(st, election)
        assert cov is not None and cov.named["leave"] / cov.posts < DOMINANT_SHARE
        assert dominant_parties(st, cov, election) == []


def test_an_election_file_without_events_says_so_over_the_timelines(tmp_path: Path) -> None:
    """The same user's file lists no key events: the time section said "None of the preset's 0 key
    events falls in these days"."""
    path, el = _study(tmp_path, 15, 15, 10)
    runner = CliRunner()
    # The time section reads the timeline stage only; the exports are not read (about 2 of the 4
    # CPU-s a whole `analyze` and a report with exports took on these 40 posts).
    assert runner.invoke(app, ["analyze", str(path), "--election", str(el), "--only", "timeline"]).exit_code == 0
    res = runner.invoke(app, ["report", str(path), "-o", str(tmp_path / "r.html"), "--no-exports"])
    assert res.exit_code == 0, res.output
    text = " ".join(re.sub(r"<[^>]+>", " ", (tmp_path / "r.html").read_text(encoding="utf-8")).split())
    assert "The election file lists no key events, so none is marked." in text and "preset's 0 key events" not in text


def test_elections_check_warns_of_a_hashtag_that_names_a_party_in_every_collected_post(tmp_path: Path) -> None:
    """The user's file listed #Brexit for the referendum and for Vote Leave, and #ProjectFear for
    both sides: `elections check` said "ok" and nothing else."""
    text = ELECTION.replace('hashtags = ["EURef"]', 'hashtags = ["EURef", "brexit"]').replace(
        'hashtags_pro = ["StrongerIn"]', 'hashtags_pro = ["StrongerIn"]\nhashtags_anti = ["Project_Fear"]').replace(
        'hashtags = ["Brexit"]', 'hashtags = ["Brexit"]\nhashtags_anti = ["ProjectFear"]')
    path = tmp_path / "e.toml"
    path.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(app, ["elections", "check", str(path)])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "hashtag #Brexit is listed for the election and for party leave: every post carrying it names the party" in out
    assert "hashtag #ProjectFear (leave), #Project_Fear (remain) is one tag listed for parties leave, remain" in out  # each as written
    for preset in ("uk-ge2017", "us-2016"):  # the shipped presets list none
        res = CliRunner().invoke(app, ["elections", "check", str(Path(__file__).resolve().parents[1] / "src" / "botwatch" / "elections" / "presets" / f"{preset}.toml")])
        assert res.exit_code == 0 and "is listed for" not in res.output, res.output


def test_the_tag_named_beside_a_dominant_party_is_one_that_names_it(tmp_path: Path) -> None:
    """The file keeps #Brexit, the scrape's query, for the referendum itself, and Leave is named by
    its own #VoteLeave in part of its posts: the line named #Brexit, a tag that names no party, in
    a sentence about the party's own hashtags."""
    from test_timeline import write_posts

    text = ELECTION.replace('hashtags = ["EURef"]', 'hashtags = ["EURef", "Brexit"]').replace(
        'hashtags = ["Brexit"]', 'hashtags_pro = ["VoteLeave"]\ntag_fragments = ["leaveeu"]')
    el = tmp_path / "euref.toml"
    el.write_text(text, encoding="utf-8")
    t0 = datetime(2016, 6, 10, 12)
    tags = [["Brexit", "VoteLeave2016"]] * 4 + [["Brexit", "GoLeaveEUNow"]] * 3 + [["Brexit", "StrongerIn"]] * 3
    posts = [dict(post_id=f"p{i}", platform="twitter", account_id=f"a{i % 4}", created_at=t0 + timedelta(minutes=37 * i),
                  kind="original", lang="en", text=f"post number {i} about the vote " + " ".join(f"#{x}" for x in t), hashtags=t)
             for i, t in enumerate(tags)]
    path = tmp_path / "s.duckdb"
    with open_study(path, read_only=False) as st:
        write_posts(st, posts)
    res = CliRunner().invoke(app, ["analyze", str(path), "--election", str(el), "--only", "content"])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "party leave (Leave <b>side</b>) is named by 70% of the study's posts; #VoteLeave2016 is in 40% of them" in out
    election = load_election(el)
    with open_study(path, read_only=False) as st:
        (d,) = dominant_parties(st, party_coverage(st, election), election)
        assert (d.tag, d.tag_share) == ("VoteLeave2016", 0.4)
        # a fragment names the party too, where no listed tag is carried
        st.sql("UPDATE posts SET hashtags = ['Brexit', 'GoLeaveEUNow'] WHERE post_id IN ('p0', 'p1', 'p2', 'p3')")
        assert dominant_parties(st, party_coverage(st, election), election)[0].tag == "GoLeaveEUNow"


def test_a_dominant_partys_hidden_characters_are_shown_in_the_headline(tmp_path: Path) -> None:
    """The note said where a dominant party's figures are quoted was added to the headline as
    Markup, past the template's `finalize`: a party name holding a right-to-left override (U+202E)
    reached the page raw in it, reversing the text after it."""
    path, el = _study(tmp_path, 30, 10)
    el.write_text(ELECTION.replace("Leave <b>side</b>", "Leave \u202eside"), encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(app, ["analyze", str(path), "--election", str(el)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["report", str(path), "-o", str(tmp_path / "r.html")])
    assert res.exit_code == 0, res.output
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "\u202e" not in page
    assert "75% of the study's posts name Leave ⟨U+202E⟩side; #Brexit is in 75% of them" in html.unescape(page)
