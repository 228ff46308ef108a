"""A user's election in another language: a party named only in posts whose stance is not read
(not English, no pro or anti hashtag, slogan or account of its own) has no support count.

Under a German election file, CDU/CSU named in 40 German posts with no cue read "CDU/CSU | 0 | 0 |
no interval (every resample gave the same count)" among the posts supporting each party, beside
the Greens' 29 from their pro hashtag: no one supporting it, where no one's stance was read."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.estimates.reference import reference_rows
from botwatch.study import open_study

ELECTION = """
key = "de-test"
name = "Bundestagswahl"
country = "DE"
timezone = "Europe/Berlin"
trigger_date = 2021-08-01
polling_day = 2021-09-26

[[parties]]
key = "gruene"
name = "Grüne"
hashtags_pro = ["GrüneWählen"]
keywords = ["grüne"]

[[parties]]
key = "union"
name = "CDU/CSU"
keywords = ["cdu"]
"""


def test_a_party_whose_posts_stance_never_reads_has_no_support_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from test_timeline import write_posts

    el = tmp_path / "de.toml"
    el.write_text(ELECTION, encoding="utf-8")
    path = tmp_path / "s.duckdb"
    t0 = datetime(2021, 9, 1, 12)
    posts = [dict(post_id=f"p{i}", platform="twitter", account_id=f"a{i % 9}", created_at=t0 + timedelta(minutes=37 * i), kind="original",
                  lang="de", text="Grüne wählen!" if i % 2 else "Die CDU verliert", hashtags=["GrüneWählen"] if i % 2 else [])
             for i in range(40)]
    with open_study(path, read_only=False) as st:
        write_posts(st, posts)
    runner = CliRunner()
    res = runner.invoke(app, ["analyze", str(path), "--election", str(el), "--only", "content", "--only", "estimates"])
    assert res.exit_code == 0, res.output
    with open_study(path) as st:
        rows = {r.label: r for r in reference_rows(st, {"gruene": "Grüne", "union": "CDU/CSU"}) if r.block.startswith("Posts supporting")}
    assert rows["Grüne"].observed == 20 and not rows["Grüne"].note
    assert rows["CDU/CSU"].observed is None and "stance not measured: none of its 20 posts" in rows["CDU/CSU"].note
    # The CLI's console takes its width when first made: COLUMNS at invoke time did not reach it
    # under xdist, where the table wrapped "— (not measured)" over two lines. Set it for the call.
    from botwatch.cli.common import out

    monkeypatch.setattr(out, "_width", 250)
    res = runner.invoke(app, ["estimate", str(path), "--table", "parties"])
    assert res.exit_code == 0, res.output
    union = next(line for line in res.output.splitlines() if line.startswith("│ CDU/CSU"))
    assert union.count("— (not measured)") == 2, res.output
    assert "not measured: none of the party's posts is in English" in res.output


def test_estimate_says_how_many_of_a_partly_read_partys_posts_its_counts_are_of(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A party whose posts are mostly German with no cue, a few English: `estimate` printed its
    support and oppose counts beside every post naming it, with no word that most were never read
    (an IRA study of the 2017 Bundestag election: SPD "284 posts, support 0, oppose 5", 6 read)."""
    from test_timeline import write_posts

    el = tmp_path / "de.toml"
    el.write_text(ELECTION, encoding="utf-8")
    path = tmp_path / "s.duckdb"
    t0 = datetime(2021, 9, 1, 12)
    posts = [dict(post_id=f"p{i}", platform="twitter", account_id=f"a{i % 9}", created_at=t0 + timedelta(minutes=37 * i), kind="original",
                  lang="en" if i % 4 == 0 else "de", text="The CDU is losing badly" if i % 4 == 0 else "Die CDU verliert", hashtags=[])
             for i in range(40)]
    with open_study(path, read_only=False) as st:
        write_posts(st, posts)
    runner = CliRunner()
    res = runner.invoke(app, ["analyze", str(path), "--election", str(el), "--only", "content", "--only", "estimates"])
    assert res.exit_code == 0, res.output
    from botwatch.cli.common import out

    monkeypatch.setattr(out, "_width", 400)
    res = runner.invoke(app, ["estimate", str(path), "--table", "parties"])
    assert res.exit_code == 0, res.output
    assert "read, of the posts in the study naming it: CDU/CSU 10 of 40." in res.output, res.output
    assert "counted as neither support nor opposition" in res.output
    assert "not measured: none of" not in res.output  # some of its posts were read: not the wholly unread party's line
