"""A DuckDB study written before a changed file's replaced bad records moved to `rejected_earlier`
kept them in `rejected` (counted apart by `status`, but listed under "Rejected, by error", in the
report's sample rows and `export rejected`), and no later ingest moved them unless that path was
read again with other content. The next ingest now moves them, as a lake's does
(`test_spark_ingest_older_rejected.py`), or, where the stored rows cannot tell the versions
apart, names the command that does."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from botwatch import open_study
from botwatch.cli import app

V1 = (Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
BAD = "".join(V1[:3]) + '{"id": 5, "text": "broken\n' + "".join(V1[3:])
BAD2 = "".join(V1[:4]) + '{"id": 7, "text": "cut\n' + "".join(V1[4:])


def _older(study: Path, f: Path, versions: tuple[str, ...]) -> None:
    """Each version of `f` ingested in turn, then the study's rows put as an older botwatch wrote
    them: every version's bad records in `rejected`, no `rejected_earlier`."""
    for text in versions:
        f.write_text(text, encoding="utf-8")
        assert CliRunner().invoke(app, ["ingest", str(study), str(f)]).exit_code == 0
    with open_study(study, read_only=False) as st:
        st.sql("INSERT INTO rejected SELECT source, line, error, raw FROM rejected_earlier")
        st.sql("DROP TABLE rejected_earlier")


def _rejected(study: Path) -> tuple[int, int]:
    with open_study(study) as st:
        earlier = st.sql("SELECT count(*) FROM rejected_earlier")[0][0] if "rejected_earlier" in st.tables() else 0
        return st.sql("SELECT count(*) FROM rejected")[0][0], earlier


def test_an_older_studys_replaced_bad_records_move_on_the_next_ingest(tmp_path: Path) -> None:
    study, f, g = tmp_path / "s.duckdb", tmp_path / "t.jsonl", tmp_path / "u.jsonl"
    _older(study, f, (BAD, "".join(V1)))
    assert _rejected(study) == (1, 0)  # the older study: the replaced version's record
    g.write_text("".join(V1[:2]), encoding="utf-8")
    res = CliRunner().invoke(app, ["ingest", str(study), str(g)])  # another file: the study is put right
    assert res.exit_code == 0 and "earlier version" not in res.output, res.output
    assert _rejected(study) == (0, 1)
    with open_study(study) as st:
        assert st.sql("SELECT source, line FROM rejected_earlier") == [(str(f), 4)]
    status = " ".join(CliRunner().invoke(app, ["status", str(study)]).output.split())
    assert "rejected records 0 (1 more held by earlier versions of files changed and read again since, not counted: table `rejected_earlier`)" in status
    assert "Rejected, by error" not in status
    assert CliRunner().invoke(app, ["ingest", "--force", str(study), str(g)]).exit_code == 0  # nothing more to move
    assert _rejected(study) == (0, 1)


def test_an_older_study_that_cannot_tell_the_versions_apart_names_the_command(tmp_path: Path) -> None:
    study, f = tmp_path / "s.duckdb", tmp_path / "t.jsonl"
    _older(study, f, (BAD, BAD2))  # both versions have a bad record: which is the latest's is not stored
    assert _rejected(study) == (2, 0)
    res = CliRunner().invoke(app, ["ingest", str(study), str(f)])
    said = " ".join(res.output.split())
    assert res.exit_code == 0 and "identical content already ingested" in said, res.output
    assert "bad records of an earlier version still in `rejected`" in said and f"ingest --force {study} FILE" in said, res.output
    assert _rejected(study) == (2, 0)
    fixed = CliRunner().invoke(app, ["ingest", "--force", str(study), str(f)])  # the command it names
    assert fixed.exit_code == 0 and "earlier version" not in fixed.output, fixed.output
    assert _rejected(study) == (1, 1)


def test_the_api_keeps_the_note(tmp_path: Path) -> None:
    from botwatch.api import ingest

    study, f = tmp_path / "s.duckdb", tmp_path / "t.jsonl"
    _older(study, f, (BAD, BAD2))
    summary = ingest(study, [str(f)])
    assert any("earlier version still in `rejected`" in n for n in summary.notes), summary.notes


def test_the_command_named_for_a_csv_read_through_a_map_says_to_give_the_map(tmp_path: Path) -> None:
    """`ingest --force STUDY FILE` without the column map the file was read with is refused (its post
    ids would differ): the note said to run just that."""
    head, rest = (Path(__file__).resolve().parent / "fixtures" / "ingest" / "gop_debate_2015_tweets.csv").read_text(encoding="utf-8").split("\n", 1)
    cols = ["--columns", "account_id=author,handle=author,created_at=created_at,text=text"]
    study, f = tmp_path / "s.duckdb", tmp_path / "t.csv"
    versions = [head + "\n" + bad + rest for bad in ("x,2015-08-07T01:20:33Z,a,b,c,d,e,f,g,h,i,j,k,l,m,n,o\n",
                                                     "y,2015-08-07T01:20:34Z,a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p\n")]
    for text in versions:
        f.write_text(text, encoding="utf-8")
        assert CliRunner().invoke(app, ["ingest", str(study), str(f), *cols]).exit_code == 0
    with open_study(study, read_only=False) as st:
        st.sql("INSERT INTO rejected SELECT source, line, error, raw FROM rejected_earlier")
        st.sql("DROP TABLE rejected_earlier")
    said = " ".join(CliRunner().invoke(app, ["ingest", str(study), str(f), *cols]).output.split())
    assert f"ingest --force {study} FILE` (with the column map it was read with, if any) reads each again" in said, said
    assert CliRunner().invoke(app, ["ingest", "--force", str(study), str(f), *cols]).exit_code == 0  # the command it names
    assert _rejected(study) == (1, 1)
