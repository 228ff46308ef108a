"""`botwatch impact` in a referendum's words: with `contest = "referendum"` (docs/elections.md, "A
referendum") the rest of botwatch says "side", and `impact --party x` refused with "no party 'x' in
uk-euref2016; parties: leave, remain"; its notes said "the posts are not labelled for parties yet"."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app
from botwatch.elections import load_election
from botwatch.pipeline import Context, PipelineError, analyze
from botwatch.timeline.labelled import require_labels_for

from test_timeline import write_posts, write_table

EUREF = Path(__file__).resolve().parents[1] / "docs" / "examples" / "uk-euref2016.toml"


@pytest.fixture(scope="module")
def unlabelled_referendum(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve posts of the referendum's window, analysed for the example file's timeline only
    (never labelled for sides)."""
    path = tmp_path_factory.mktemp("euref") / "s.duckdb"
    with open_study(path, read_only=False) as st:
        write_posts(st, [dict(post_id=f"p{i}", platform="twitter", account_id=f"a{i % 3}", created_at=datetime(2016, 5, 1) + timedelta(hours=i),
                              kind="original", text="hello") for i in range(12)])
        analyze(st, Context(election=load_election(str(EUREF)), log=lambda m: None), only=["timeline"])
    return path


def _said(args: list[str]) -> tuple[int, str]:
    res = CliRunner().invoke(app, args)
    return res.exit_code, " ".join(res.output.split())


def test_an_unknown_side_is_refused_as_a_side(unlabelled_referendum: Path) -> None:
    # `impact` refuses before reading --party without the extra: "the impact tests need statsmodels"
    pytest.importorskip("statsmodels", reason="impact needs the optional extra botwatch[time]")
    code, said = _said(["impact", str(unlabelled_referendum), "--party", "brexit"])
    assert code == 2 and "no side 'brexit' in uk-euref2016; sides: leave, remain" in said, said
    assert "party" not in said


def test_an_unknown_party_is_still_refused_as_a_party(unlabelled_referendum: Path) -> None:
    """An election of parties keeps its word (the preset's key replaces the study's file)."""
    pytest.importorskip("statsmodels", reason="impact needs the optional extra botwatch[time]")
    code, said = _said(["impact", str(unlabelled_referendum), "--party", "brexit", "--election", "uk-ge2017"])
    assert code == 2 and "no party 'brexit' in uk-ge2017; parties:" in said, said


def test_the_note_of_unlabelled_posts_says_sides(unlabelled_referendum: Path) -> None:
    pytest.importorskip("statsmodels", reason="impact needs the optional extra botwatch[time]")
    code, said = _said(["impact", str(unlabelled_referendum), "--party", "leave"])
    assert code == 1 and "No posts about Leave: the posts are not labelled for sides yet (run the content stage)." in said, said
    assert "parties" not in said


def test_posts_labelled_for_another_election_are_refused_in_sides(tmp_path: Path) -> None:
    """The refusal `impact` (and `analyze --only impact`) prints for posts labelled for another
    election: "no party of uk-euref2016 would be found"."""
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        write_table(st, "post_labels", [{"post_id": "p1", "election": "uk-ge2017"}])
        with pytest.raises(PipelineError, match="not uk-euref2016, so no side of uk-euref2016 would be found"):
            require_labels_for(st, Context(election=load_election(str(EUREF))), "impact")
