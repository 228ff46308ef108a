"""`botwatch coordination --csv` writes its edge list and `_nodes.csv` with the export command's
guarded CSV writer: the review found both files written by a bare DuckDB COPY, so a handle such
as `=HYPERLINK(...)` reached a spreadsheet as a formula and an ESC sequence in a handle reached
the terminal of whoever ran `cat` on the file."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.study import open_study

from test_timeline import write_posts

ESC_HANDLE = "\x1b[2J\x1b]0;owned\x07red"
FORMULA_HANDLE = '=HYPERLINK("http://x","y")'


def _hostile_network(path: Path) -> None:
    """Six accounts retweeting the same 30 posts within a minute of each other (a network the
    test finds), four of them with attacker-written handles or ids; twenty others at random."""
    import numpy as np

    rng = np.random.default_rng(3)
    ids = ["+b0", "@b1", "b2", "b3", "b4", "b5"]
    posts = []
    for k in range(30):
        t0 = datetime(2017, 5, 1) + timedelta(hours=7 * k, seconds=5)
        for a, acc in enumerate(ids):
            posts.append(dict(post_id=f"r{k}-{a}", platform="twitter", account_id=acc, created_at=t0 + timedelta(seconds=7 * a), kind="retweet",
                              text=f"t{k}", ref_post_id=f"o{k}", ref_account_id="src"))
        for h in range(20):
            posts.append(dict(post_id=f"h{k}-{h}", platform="twitter", account_id=f"h{h}", created_at=t0 + timedelta(minutes=int(rng.integers(1, 3000))),
                              kind="retweet", text=f"t{k}", ref_post_id=f"o{k}", ref_account_id="src"))
    with open_study(path, read_only=False) as st:
        write_posts(st, posts)
        st.sql("INSERT INTO accounts (platform, account_id, handle) VALUES ('twitter', 'b2', ?), ('twitter', 'b3', ?), ('twitter', 'b4', '-1+2')",
               [ESC_HANDLE, FORMULA_HANDLE])


def test_coordination_csv_files_are_guarded_like_the_export(tmp_path: Path) -> None:
    study = tmp_path / "s.duckdb"
    _hostile_network(study)
    out = tmp_path / "net" / "edges.csv"
    res = CliRunner().invoke(app, ["coordination", str(study), "--window", "60s", "--csv", str(out)])
    assert res.exit_code == 0, res.output
    nodes = tmp_path / "net" / "edges_nodes.csv"
    for path in (out, nodes):
        raw = path.read_bytes()
        assert b"\x1b" not in raw and b"\x07" not in raw, path.name
        with path.open(newline="", encoding="utf-8") as fh:
            cells = [c for row in csv.reader(fh) for c in row]
        assert cells, path.name
        # no cell a spreadsheet would run as a formula
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], path.name
    with nodes.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    by_id = {r["account_id"]: r for r in rows}
    assert {"'+b0", "'@b1", "b2", "b3", "b4", "b5"} <= set(by_id), sorted(by_id)
    assert by_id["b2"]["handle"] == "\\x1b[2J\\x1b]0;owned\\x07red"  # visible, as the terminal and GraphML show it
    assert by_id["b3"]["handle"] == "'" + FORMULA_HANDLE and by_id["b4"]["handle"] == "'-1+2"
    with out.open(newline="", encoding="utf-8") as fh:
        edges = list(csv.DictReader(fh))
    assert edges and {e["account_a"] for e in edges} | {e["account_b"] for e in edges} >= {"'+b0", "'@b1"}
    assert not list(out.parent.glob(".*.part"))  # written beside the target and renamed into place


def test_the_export_command_writes_control_characters_as_text_unless_verbatim(tmp_path: Path) -> None:
    """The same guard in `botwatch export`: `--verbatim` keeps the bytes exactly."""
    study = tmp_path / "s.duckdb"
    _hostile_network(study)
    runner = CliRunner()
    guarded, exact = tmp_path / "a.csv", tmp_path / "b.csv"
    assert runner.invoke(app, ["export", str(study), "accounts", "-o", str(guarded)]).exit_code == 0
    assert runner.invoke(app, ["export", str(study), "accounts", "-o", str(exact), "--verbatim"]).exit_code == 0
    assert b"\x1b" not in guarded.read_bytes() and b"\\x1b[2J" in guarded.read_bytes()
    assert ESC_HANDLE.encode() in exact.read_bytes()
