"""A record's own text on the terminal: a handle (or a post's language tag) holding the four
typed characters `\\x07` and one holding a real BEL printed alike, `\\x07`, since the escape of
control characters was applied to whole lines and left backslashes as they were. The record's
part is now escaped where it enters a message (`shown_text.record_shown`): a typed backslash is
shown as two, while botwatch's own text (the hint `tr '\\r' '\\n'`) keeps its single ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.shown_text import controls_shown, record_shown

runner = CliRunner()
TYPED, REAL = "\\x07", "\x07"  # four characters a user typed; one BEL character


def _status(i: int, handle: str, location: str, lang: str) -> dict[str, object]:
    return {"id_str": str(1000 + i), "created_at": f"Wed May 10 20:{10 + i}:24 +0000 2017", "text": "post", "lang": lang,
            "user": {"id_str": str(50 + i), "screen_name": handle, "location": location, "followers_count": 10, "utc_offset": 3600,
                     "created_at": "Thu Apr 03 08:57:48 +0000 2008"},
            "entities": {"hashtags": [], "user_mentions": [], "urls": []}}


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("backslashes")
    src, path = d / "in.jsonl", d / "s.duckdb"
    src.write_text("".join(json.dumps(_status(i, f"h{mark}er", f"Moskva {mark}", f"x{mark}")) + "\n"
                           for i, mark in enumerate((TYPED, REAL))), encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(path), str(src)]).exit_code == 0
    res = runner.invoke(app, ["analyze", str(path), "-e", "uk-ge2017", "--only", "accounts"])
    assert res.exit_code == 0, res.output
    return path


def test_record_shown_doubles_a_typed_backslash_and_escapes_a_real_control() -> None:
    assert record_shown("h" + TYPED) == "h\\\\x07" and record_shown("h" + REAL) == "h\\x07"
    assert controls_shown(record_shown("h" + TYPED)) == record_shown("h" + TYPED)  # `fail` / `warn` after it change nothing


def test_accounts_tells_a_typed_backslash_from_a_control_character(study: Path) -> None:
    res = runner.invoke(app, ["accounts", str(study)], env={"COLUMNS": "300"})
    assert res.exit_code == 0, res.output
    assert "@h\\\\x07er " in res.output and "@h\\x07er " in res.output, res.output
    assert REAL not in res.output


def test_explain_tells_a_typed_backslash_from_a_control_character(study: Path) -> None:
    typed = runner.invoke(app, ["explain", str(study), "50"], env={"COLUMNS": "300"})
    real = runner.invoke(app, ["explain", str(study), "51"], env={"COLUMNS": "300"})
    assert typed.exit_code == real.exit_code == 0, typed.output + real.output
    assert "@h\\\\x07er (twitter 50)" in typed.output and "@h\\x07er (twitter 51)" in real.output
    assert "mostly x\\\\x07\n" in typed.output and "mostly x\\x07\n" in real.output
    # Evidence sentences quote the profile as Python's repr, the same convention: not doubled again.
    assert "profile location 'Moskva \\\\x07'" in typed.output and "profile location 'Moskva \\x07'" in real.output
    assert REAL not in typed.output + real.output


def test_the_clusters_table_tells_a_typed_backslash_from_a_control_character() -> None:
    """The most central account's handle labels its cluster: printed alike for `\\x07` and BEL."""
    import io

    from rich.console import Console

    from botwatch.cli.coordination import clusters_table

    con = Console(width=200, record=True, file=io.StringIO())
    con.print(clusters_table([(i, 4, 4, 0.67, "co-retweet", f"h{mark}er", None, None, None, None, None, None) for i, mark in enumerate((TYPED, REAL))],
                             "Clusters"))
    text = con.export_text()
    assert "h\\\\x07er" in text and "h\\x07er" in text.replace("h\\\\x07er", "") and REAL not in text, text


def test_an_unreadable_csvs_column_names_tell_a_typed_backslash_from_a_control_character(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reason for a CSV of no known layout quotes its first column names, unquoted: a header
    typed `b\\x07` and one holding a BEL read alike in `ingest`'s line and `status`'s table."""
    from botwatch.cli import common

    # `status`'s table on a wide console: Rich reads COLUMNS once, when `out` is made, so the
    # invoke's env does not widen it, and at 80 columns the reason's cell wraps inside the quote.
    monkeypatch.setattr(common.out, "_width", 400)
    study = tmp_path / "s.duckdb"
    for name, mark in (("typed.csv", TYPED), ("real.csv", REAL)):
        (tmp_path / name).write_text(f"foo,b{mark}ar\n1,2\n", encoding="utf-8")
    v1 = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"  # a readable file: the study is made
    (tmp_path / "mac.csv").write_bytes(b"foo,bar\r1,2\r3,4\r")  # botwatch's own hint, `tr '\\r' '\\n'`, keeps its backslashes
    res = runner.invoke(app, ["ingest", str(study), str(v1), *(str(tmp_path / n) for n in ("typed.csv", "real.csv", "mac.csv"))], env={"COLUMNS": "400"})
    assert res.exit_code == 1, res.output
    said = " ".join(res.output.split())
    assert "typed.csv: not a format botwatch reads: not JSON and not a known CSV header (first columns: foo, b\\\\x07ar)" in said, said
    assert "real.csv: not a format botwatch reads: not JSON and not a known CSV header (first columns: foo, b\\x07ar)" in said, said
    status = runner.invoke(app, ["status", str(study)], env={"COLUMNS": "400"})
    assert "first columns: foo, b\\\\x07ar" in status.output and "first columns: foo, b\\x07ar)" in status.output, status.output
    assert "(`tr '\\r' '\\n' < FILE > FILE-lf`)" in said
    assert REAL not in res.output + status.output
    # The table cuts a long reason at 100 characters, and says so: cut bare, the hint ended "(`tr '".
    assert "convert it first (`tr …" in status.output and "(`tr ' │" not in status.output, status.output


def test_analyzes_dominant_party_line_tells_a_typed_backslash_in_its_hashtag_from_a_control_character() -> None:
    """The line names the hashtag most of a dominant party's posts carry, as a post wrote it."""
    from botwatch.cli.common import console, warn
    from botwatch.content.party_coverage import Dominant

    with console.capture() as got:
        for mark in (TYPED, REAL):
            warn(Dominant("gop", "Republicans", 0.6, f"Gop{mark}Debate", 0.5).line())
    said = got.get()
    assert "#Gop\\\\x07Debate is in 50%" in said and "#Gop\\x07Debate is in 50%" in said and REAL not in said, said


def test_a_column_map_error_lists_the_files_columns_telling_a_typed_backslash_from_a_control_character(tmp_path: Path) -> None:
    """`--columns` naming a column the file lacks lists the file's own columns, unquoted."""
    said = []
    for name, mark in (("typed.csv", TYPED), ("real.csv", REAL)):
        (tmp_path / name).write_text(f"id,b{mark}ar\n1,2\n", encoding="utf-8")
        res = runner.invoke(app, ["ingest", str(tmp_path / "s.duckdb"), str(tmp_path / name), "--columns", "account_id=id,created_at=id,text=body"],
                            env={"COLUMNS": "400"})
        assert res.exit_code == 2, res.output
        said.append(" ".join(res.output.split()))
    assert "(its columns: id, b\\\\x07ar)" in said[0] and "(its columns: id, b\\x07ar)" in said[1], said
    assert REAL not in "".join(said)


def test_explain_finds_a_handle_pasted_as_the_tables_show_it(study: Path) -> None:
    """`accounts` shows the typed handle `h\\x07er` as `@h\\\\x07er`; pasted into `explain` that
    form found no account. It is read with each doubled backslash as one, and said to be."""
    pasted = runner.invoke(app, ["explain", str(study), "@h" + "\\\\x07" + "er"], env={"COLUMNS": "300"})
    assert pasted.exit_code == 0, pasted.output
    assert "@h\\\\x07er (twitter 50)" in pasted.output and "read with each doubled backslash as one" in " ".join(pasted.output.split())
    as_json = runner.invoke(app, ["explain", str(study), "h" + "\\\\x07" + "er", "--json"])
    assert as_json.exit_code == 0 and json.loads(as_json.stdout)["account_id"] == "50", as_json.output
    assert runner.invoke(app, ["explain", str(study), "@h" + "\\\\\\\\x07" + "er"]).exit_code == 2  # no account either way
