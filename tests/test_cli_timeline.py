"""`botwatch timeline`: the README advertises timelines, and there was no command to see one
without building the HTML report ("No such command 'timeline'")."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app


def _study(tmp_path: Path) -> Path:
    path = tmp_path / "s.duckdb"
    with open_study(path, read_only=False) as st:
        st.sql("CREATE TABLE timeline (freq VARCHAR, clock VARCHAR, dimension VARCHAR, value VARCHAR, bucket TIMESTAMP, posts BIGINT, accounts BIGINT, sentiment_mean DOUBLE, sentiment_n BIGINT)")
        st.sql("""INSERT INTO timeline VALUES
            ('day', 'utc', 'all', 'all posts', TIMESTAMP '2016-10-01', 12, 3, NULL, 0),
            ('day', 'utc', 'all', 'all posts', TIMESTAMP '2016-10-02', 7, 2, NULL, 0),
            ('day', 'utc', 'origin', 'foreign origin', TIMESTAMP '2016-10-01', 9, 2, NULL, 0),
            ('day', 'utc', 'origin', 'not foreign (or unknown)', TIMESTAMP '2016-10-02', 7, 2, NULL, 0),
            ('hour', 'utc', 'all', 'all posts', TIMESTAMP '2016-10-01 05:00', 12, 3, NULL, 0)""")
    return path


def test_timeline_prints_the_stored_series(tmp_path: Path) -> None:
    path = _study(tmp_path)
    res = CliRunner().invoke(app, ["timeline", str(path)])
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.output.splitlines() if "2016-10-0" in ln]
    assert len(lines) == 2 and "12" in lines[0] and "3" in lines[0] and "7" in lines[1]
    res = CliRunner().invoke(app, ["timeline", str(path), "-d", "origin", "--since", "2016-10-02"])
    assert res.exit_code == 0, res.output
    assert "foreign origin" in res.output and "not foreign (or unknown)" in res.output  # every group is a column
    rows = [ln for ln in res.output.splitlines() if "2016-10-0" in ln]
    assert len(rows) == 1 and rows[0].split("│")[2].strip() == "0" and rows[0].split("│")[3].strip() == "7", res.output


def test_timeline_bad_options_are_one_line_errors(tmp_path: Path) -> None:
    path = _study(tmp_path)
    res = CliRunner().invoke(app, ["timeline", str(path), "-d", "nope"])
    assert res.exit_code == 2 and "dimensions: all, origin" in res.output
    res = CliRunner().invoke(app, ["timeline", str(path), "--freq", "week"])
    assert res.exit_code == 2 and "day, hour" in res.output


def test_until_a_date_keeps_that_days_hours(tmp_path: Path) -> None:
    """`--freq hour --until 2016-10-01` kept only the 00:00 bucket of that day (the widening to the
    day's end was applied to daily buckets only, where it changes nothing)."""
    path = _study(tmp_path)
    res = CliRunner().invoke(app, ["timeline", str(path), "--freq", "hour", "--until", "2016-10-01"])
    assert res.exit_code == 0, res.output
    assert "2016-10-01 05:00" in res.output, res.output


def test_a_study_without_posts_says_so(tmp_path: Path) -> None:
    """A study of profiles alone (TwiBot-20's, analysed) said "no dimension 'all' in the timeline
    of s.duckdb; dimensions: " (an empty list), exit 2: it now says the study holds no posts, with
    the command that adds some, exit 1 as `estimate` and `coordination` do."""
    path = tmp_path / "s.duckdb"
    with open_study(path, read_only=False) as st:
        st.sql("CREATE TABLE timeline (freq VARCHAR, clock VARCHAR, dimension VARCHAR, value VARCHAR, bucket TIMESTAMP, posts BIGINT, accounts BIGINT, sentiment_mean DOUBLE, sentiment_n BIGINT)")
    res = CliRunner().invoke(app, ["timeline", str(path)])
    said = " ".join(res.output.split())
    assert res.exit_code == 1 and "holds no posts" in said and "botwatch ingest" in said and "dimensions:" not in said, res.output


def test_cluster_columns_are_in_number_order(tmp_path: Path) -> None:
    """`-d cluster` had its columns in text order: cluster 0, 1, 10, 11, 2, ..."""
    path = _study(tmp_path)
    with open_study(path, read_only=False) as st:
        for c in (0, 1, 2, 10, 11):
            st.sql(f"INSERT INTO timeline VALUES ('day', 'utc', 'cluster', 'cluster {c}', TIMESTAMP '2016-10-01', {c + 1}, 1, NULL, 0)")
    res = CliRunner().invoke(app, ["timeline", str(path), "-d", "cluster"], terminal_width=200)
    assert res.exit_code == 0, res.output
    header = next(ln for ln in res.output.splitlines() if "cluster 0" in ln)
    assert [h.strip() for h in header.split("┃")[2:-1]] == ["cluster 0", "cluster 1", "cluster 2", "cluster 10", "cluster 11"], res.output


def test_cluster_columns_say_when_the_timeline_keeps_only_the_largest(tmp_path: Path) -> None:
    """`-d cluster` showed 10 columns of a study with 37 clusters and did not say there were more."""
    path = _study(tmp_path)
    with open_study(path, read_only=False) as st:
        st.sql("INSERT INTO timeline VALUES ('day', 'utc', 'cluster', 'cluster 0', TIMESTAMP '2016-10-01', 4, 2, NULL, 0)")
        st.sql("CREATE TABLE cluster_members AS SELECT range AS cluster_id, 'twitter' AS platform, 'a' || range AS account_id FROM range(3)")
    res = CliRunner().invoke(app, ["timeline", str(path), "-d", "cluster"])
    assert res.exit_code == 0, res.output
    assert "the timeline keeps the 1 largest of the study's 3 clusters" in " ".join(res.output.split()), res.output
