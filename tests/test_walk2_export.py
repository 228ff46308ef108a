"""A new user's second walk through `botwatch export`: attacker-written text in a CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from botwatch.cli import app

runner = CliRunner()


def test_csv_export_shows_bidi_overrides_as_text_and_keeps_joiners(tmp_path: Path) -> None:
    """A handle or post holding a right-to-left override (U+202E) reached the CSV raw: `cat`,
    `less` or a spreadsheet then shows `exe.png` for `gnp.exe`, as the terminal lines (which show
    it as \\u202e) were made not to. The guarded CSV writes the bidi embeddings, overrides and
    isolates as text; the zero-width joiners emoji and Persian words need are kept."""
    f = tmp_path / "b.jsonl"
    texts = {"1": "file\u202egnp.exe", "2": "a\u2066b\u2069c\u202ad\u202c", "3": "family \U0001F468\u200d\U0001F469 \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"}
    f.write_text("".join(json.dumps({"id_str": k, "created_at": "Wed Oct 10 20:19:24 +0000 2018", "full_text": v,
                                     "user": {"id_str": "u", "screen_name": "h\u202eab"}}) + "\n" for k, v in texts.items()))
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(f)]).exit_code == 0
    out = tmp_path / "p.csv"
    res = runner.invoke(app, ["export", str(study), "posts", "-o", str(out)])
    assert res.exit_code == 0, res.output
    with out.open(newline="", encoding="utf-8") as fh:
        got = {r["post_id"]: r["text"] for r in csv.DictReader(fh)}
    assert got["1"] == "file\\u202egnp.exe"
    assert got["2"] == "a\\u2066b\\u2069c\\u202ad\\u202c"
    assert got["3"] == texts["3"]
    acc = tmp_path / "a.csv"
    assert runner.invoke(app, ["export", str(study), "accounts", "-o", str(acc)]).exit_code == 0
    with acc.open(newline="", encoding="utf-8") as fh:
        assert [r["handle"] for r in csv.DictReader(fh)] == ["h\\u202eab"]
    verbatim = tmp_path / "v.csv"
    assert runner.invoke(app, ["export", str(study), "posts", "-o", str(verbatim), "--verbatim"]).exit_code == 0
    assert "\u202e" in verbatim.read_text(encoding="utf-8")


def test_an_unknown_table_names_the_nearest_one(tmp_path: Path) -> None:
    """`export s.duckdb Posts` or `account` said only "no table", above a list of thirty names."""
    from botwatch.study import no_table

    known = ["account_scores", "accounts", "posts", "rejected"]
    assert no_table(["Posts"], known, "s.duckdb") == "no table 'Posts' in s.duckdb (did you mean 'posts'?); tables: " + ", ".join(known)
    assert "(did you mean 'accounts'?)" in no_table(["account", "zzz"], known, "s.duckdb")
    assert no_table(["zzz"], known, "s.duckdb") == "no table 'zzz' in s.duckdb; tables: " + ", ".join(known)
    assert no_table(["posts"], [], "bare") == "no table 'posts' in bare; tables: none"
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl")]).exit_code == 0
    res = runner.invoke(app, ["export", str(study), "Posts", "-o", str(tmp_path / "p.csv")])
    assert res.exit_code == 2 and "(did you mean 'posts'?)" in " ".join(res.output.split()), res.output
