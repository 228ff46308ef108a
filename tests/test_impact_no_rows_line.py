"""`botwatch analyze` says why the impact stage wrote no rows: it printed "impact ok 0" and nothing
else, and only the report said why (posts not labelled for parties, too few posts, ...)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from botwatch import open_study

pytest.importorskip("statsmodels", reason="impact needs the optional extra botwatch[time]")
from botwatch.impact.stage import no_rows_line
from botwatch.pipeline import Context, analyze

from test_timeline import election, write_posts


def _timeline_and_impact_of_unlabelled_posts(tmp_path: Path) -> tuple[list[tuple[str, str, int | None]], list[str]]:
    """`analyze`'s results and log lines for the timeline and impact stages over twelve posts
    never labelled for parties."""
    said: list[str] = []
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        write_posts(st, [dict(post_id=f"p{i}", platform="twitter", account_id=f"a{i % 3}", created_at=datetime(2017, 5, 1) + timedelta(hours=i),
                              kind="original", text="hello") for i in range(12)])
        results = analyze(st, Context(election=election(), log=said.append), only=["timeline", "impact"])
    return results, said


def test_a_run_writing_no_rows_says_why_in_one_line(tmp_path: Path) -> None:
    """Posts never labelled for parties: one line, said once for every party, with the next step."""
    results, said = _timeline_and_impact_of_unlabelled_posts(tmp_path)
    assert ("impact", "ok", 0) in results
    lines = [s for s in said if s.startswith("impact:")]
    assert lines == ["impact: no test was run: no posts about each party: the posts are not labelled for parties yet (run the content stage)."]


def test_differing_notes_give_the_first_and_where_the_rest_are() -> None:
    names = ["Labour", "Conservatives"]
    notes = ["Labour: too few posts for a lead-lag test (likely automated 3; needs 30 each).", "No posts about Conservatives in the window."]
    assert no_rows_line(notes, names) == ("no test was run: Labour: too few posts for a lead-lag test (likely automated 3; needs 30 each). "
                                          "(1 more note: the report's \"When\" section lists them)")
    assert no_rows_line(["No posts about Labour in the window.", "No posts about Conservatives in the window."], names) == \
        "no test was run: no posts about each party in the window."
    assert no_rows_line([], []) == "no test was run: the election lists no parties."


def test_one_party_is_named_not_each_party() -> None:
    """An election of one party read "no posts about each party"; a referendum's sides are sides."""
    from botwatch.elections.contest import CONTESTS, ContestWords

    assert no_rows_line(["No posts about Labour in the window."], ["Labour"]) == "no test was run: no posts about Labour in the window."
    sides = ContestWords(*CONTESTS["referendum"])
    assert no_rows_line(["No posts about Leave in the window.", "No posts about Remain in the window."], ["Leave", "Remain"], sides) == \
        "no test was run: no posts about each side in the window."


def test_a_run_without_statsmodels_says_so_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the optional extra the stage wrote no rows and `analyze` said only "impact ok 0":
    the one reason most users meet was the one not said."""
    import botwatch.impact.stage as stage

    monkeypatch.setattr(stage, "statsmodels_available", lambda: False)
    results, said = _timeline_and_impact_of_unlabelled_posts(tmp_path)
    assert ("impact", "ok", 0) in results
    assert [s for s in said if s.startswith("impact:")] == [
        "impact: statsmodels is not installed (pip install botwatch[time]): the impact tests were not run."]
