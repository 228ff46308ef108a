"""The Python blocks of README.md and docs/exports.md run as written on the analysed sample (as
test_python_api_doc.py and test_notebook_doc.py do for their pages), so an example a user pastes
keeps working: README's opens `study.duckdb`, exports.md's reads the `timeline.csv` that the
command it quotes writes. And python-api.md's table of stage options is the stages' own list."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from testsupport.doc_blocks import python_blocks, run_python_blocks

ROOT = Path(__file__).resolve().parents[1]


def test_readme_python_block_runs(analysed_sample_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(python_blocks(ROOT / "README.md")) == 1
    shutil.copy(analysed_sample_path, tmp_path / "study.duckdb")
    monkeypatch.chdir(tmp_path)
    ns = run_python_blocks(ROOT / "README.md", "readme")
    assert hasattr(ns["posts"], "aggregate")  # an Ibis table (its study is closed by now)


def test_exports_doc_timeline_example_runs(analysed_sample_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The export commands the page quotes, then its pandas examples: daily foreign-origin posts on
    the election's clock (the us-2016 sample has some), and posts read back with their ids exact.
    The page offered `pandas.read_json(lines=True)` alone, which read the sample's `ref_post_id`
    (digit-only ids with gaps) as floats: 860771133246910464 came back 8.607711332469105e+17."""
    shutil.copy(analysed_sample_path, tmp_path / "study.duckdb")
    monkeypatch.chdir(tmp_path)
    for table, out in (("timeline", "timeline.csv"), ("posts", "posts.jsonl"), ("posts", "posts.csv")):
        res = CliRunner().invoke(app, ["export", "study.duckdb", table, "-o", out])
        assert res.exit_code == 0, res.output
    ns = run_python_blocks(ROOT / "docs" / "exports.md", "exports")
    from botwatch import open_study

    with open_study("study.duckdb") as st:
        stored = sorted(r[0] for r in st.sql("SELECT ref_post_id FROM posts WHERE ref_post_id IS NOT NULL"))
        first = st.sql("SELECT min(created_at) FROM posts")[0][0]
    assert any(i.isdigit() and len(i) >= 17 for i in stored)  # the ids a float would round
    for read in (ns["posts"], ns["posts_csv"]):
        assert sorted(read["ref_post_id"].dropna()) == stored
    assert str(ns["posts"]["created_at"].min()) == f"{first}+00:00"  # UTC, as stored
    t = ns["t"]
    picked = t[(t.freq == "day") & (t.clock == "local") & (t.dimension == "origin") & (t.value == "foreign origin")]  # type: ignore[attr-defined]
    assert len(picked) > 0 and picked["posts"].sum() > 0


def test_python_api_stage_options_table_is_what_the_stages_read() -> None:
    """docs/python-api.md's "Stage options" table names, per stage, exactly the option keys
    `api.stage_options()` gives (`analyze` refuses any other): a stage option added, renamed or
    dropped must show in the table a user reads."""
    from botwatch import api

    text = (ROOT / "docs" / "python-api.md").read_text(encoding="utf-8")
    table = text[text.index("| Stage | Options (CLI flag) |"):].split("\n\n")[0].splitlines()[2:]
    documented: dict[str, set[str]] = {}
    for row in table:
        stages, options = row.strip("|").split("|")
        keys = set(re.findall(r"`([a-z][a-z0-9_]*)`", options))
        for stage in stages.split(","):
            documented.setdefault(stage.strip(), set()).update(keys)
    declared = {stage: set(keys) for stage, keys in api.stage_options().items() if keys}
    assert documented == declared


def test_readme_says_where_a_script_finds_what_status_shows(analysed_sample_path: Path) -> None:
    """`status` printed text alone; README's `--json` paragraph named no machine-readable form of it,
    so a script parsed the table. It names `status --json` and the tables to export: the `runs`
    columns it lists are the table's, and `export STUDY runs -o -` gives them as JSON lines on stdout."""
    import json

    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    said = text[text.index("`status --json` gives"):].split("(each stage run:", 1)[1].split(")", 1)[0]
    columns = re.findall(r"`([a-z_]+)`", said)
    assert columns and "status" in columns
    res = CliRunner().invoke(app, ["export", str(analysed_sample_path), "runs", "-o", "-"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines() if line.strip()]
    assert rows and all(set(columns) <= set(r) for r in rows)
    res = CliRunner().invoke(app, ["status", str(analysed_sample_path), "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["shape"] == "botwatch-status/1"  # as README says
