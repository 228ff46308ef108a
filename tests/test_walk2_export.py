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


ENGLAND = "\U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F"
INVISIBLE = {"soft": "ad\xadmin", "filler": "\u3164", "halfwidth": "x\uffa0\u115f\u1160y", "tags": "vote\U000E0069\U000E0067\U000E006E", "flag": f"go {ENGLAND}!",
             "flag_and_tags": f"{ENGLAND}\U000E0041{ENGLAND}", "kept": "a\u200cb \U0001F468\u200d\U0001F469 \u200f\u05d0 \u0e40\u0e25\u0e37\u0e2d\u0e01\u200b\u0e15\u0e31\u0e49\u0e07"}


def test_csv_export_shows_the_invisible_characters_the_terminal_shows(tmp_path: Path) -> None:
    """The terminal and the report mark the soft hyphen (`ad\\xadmin` read "admin"), the Hangul and
    halfwidth fillers (a blank-looking name) and tag characters (hidden ASCII text), but the CSV
    export wrote them raw: its own list of characters had only C0, C1 and the bidi controls. Both
    are now built from `shown_text.CONTROL_RANGES`; a subdivision flag (England's) keeps its tag
    characters, and the joiners and direction marks a file keeps stay."""
    from botwatch.study import Study

    study = tmp_path / "s.duckdb"
    st = Study(str(study))
    st.sql("CREATE TABLE notes (k VARCHAR, v VARCHAR)")
    st.sql("INSERT INTO notes SELECT * FROM (VALUES " + ", ".join("(?, ?)" for _ in INVISIBLE) + ")", [x for kv in INVISIBLE.items() for x in kv])
    st.close()
    out = tmp_path / "n.csv"
    res = runner.invoke(app, ["export", str(study), "notes", "-o", str(out)])
    assert res.exit_code == 0, res.output
    with out.open(newline="", encoding="utf-8") as fh:
        got = {r["k"]: r["v"] for r in csv.DictReader(fh)}
    assert got["soft"] == "ad\\xadmin" and got["filler"] == "\\u3164" and got["halfwidth"] == "x\\uffa0\\u115f\\u1160y"
    assert got["tags"] == "vote\\U000e0069\\U000e0067\\U000e006e"
    assert got["flag"] == INVISIBLE["flag"] and got["flag_and_tags"] == f"{ENGLAND}\\U000e0041{ENGLAND}"
    assert got["kept"] == INVISIBLE["kept"]
    from botwatch.shown_text import file_shown

    assert got == {k: file_shown(v) for k, v in INVISIBLE.items()}  # the SQL and the Python escaping agree


def test_json_on_stdout_escapes_what_would_steer_the_terminal(tmp_path: Path) -> None:
    """`export STUDY posts -o -` (JSON lines, the default) put a handle's U+202E and C1 CSI (U+009B)
    on the terminal raw: DuckDB's JSON writer escapes C0 only. They are now `\\u202e` escapes, the
    same values to any JSON reader; a tag character inside England's flag stays as it is."""
    from botwatch.study import Study

    study = tmp_path / "s.duckdb"
    st = Study(str(study))
    values = ["file\u202egnp.exe", "csi\x9b2J", f"go {ENGLAND} \U000E0041"]
    st.sql("CREATE TABLE notes AS SELECT * FROM (VALUES (1, ?), (2, ?), (3, ?)) t(k, v)", values)
    st.close()
    for fmt in ("jsonl", "json"):
        res = runner.invoke(app, ["export", str(study), "notes", "-o", "-", "--format", fmt])
        assert res.exit_code == 0, res.output
        assert not any(ch in res.stdout for ch in "\u202e\x9b\U000E0041") and ENGLAND in res.stdout
        text = res.stdout[: res.stdout.rindex("wrote")] if "wrote" in res.stdout else res.stdout
        rows = [json.loads(x) for x in text.splitlines()] if fmt == "jsonl" else json.loads(text)
        assert [r["v"] for r in rows] == values


def test_parquet_is_not_written_to_a_terminal(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`export STUDY posts -o - --format parquet` at a terminal printed the binary file: its pages
    hold the posts' and handles' bytes (an ESC [2J among them) as they are. Refused, as curl
    refuses binary output to a terminal; a pipe or a redirect still gets the file."""
    from botwatch.cli import study as study_cli
    from botwatch.study import Study

    study = tmp_path / "s.duckdb"
    st = Study(str(study))
    st.sql("CREATE TABLE notes AS SELECT 1 AS k, 'x' || chr(27) || '[2J' AS v")
    st.close()
    monkeypatch.setattr(study_cli, "_stdout_is_terminal", lambda: True, raising=False)
    res = runner.invoke(app, ["export", str(study), "notes", "-o", "-", "--format", "parquet"])
    assert res.exit_code == 2 and "parquet is binary" in res.output and "\x1b" not in res.output, res.output
    monkeypatch.setattr(study_cli, "_stdout_is_terminal", lambda: False)
    res = runner.invoke(app, ["export", str(study), "notes", "-o", "-", "--format", "parquet"])
    assert res.exit_code == 0 and res.stdout_bytes.startswith(b"PAR1")


def test_a_verbatim_csv_is_not_written_to_a_terminal(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`export STUDY accounts -o - --format csv --verbatim` at a terminal printed a handle's ESC [2J
    raw: the one path to the terminal left unescaped. Refused there, as Parquet is; a pipe or a
    redirect still gets the exact cells."""
    from botwatch.cli import study as study_cli
    from botwatch.study import Study

    study = tmp_path / "s.duckdb"
    st = Study(str(study))
    st.sql("CREATE TABLE notes AS SELECT 1 AS k, 'x' || chr(27) || '[2J' AS v")
    st.close()
    monkeypatch.setattr(study_cli, "_stdout_is_terminal", lambda: True, raising=False)
    res = runner.invoke(app, ["export", str(study), "notes", "-o", "-", "--format", "csv", "--verbatim"])
    assert res.exit_code == 2 and "--verbatim keeps control characters raw" in " ".join(res.output.split()) and "\x1b" not in res.output, res.output
    res = runner.invoke(app, ["export", str(study), "notes", "-o", "-", "--format", "csv"])
    assert res.exit_code == 0 and "x\\x1b[2J" in res.stdout
    monkeypatch.setattr(study_cli, "_stdout_is_terminal", lambda: False)
    res = runner.invoke(app, ["export", str(study), "notes", "-o", "-", "--format", "csv", "--verbatim"])
    assert res.exit_code == 0 and "x\x1b[2J" in res.stdout


def test_a_csv_at_a_terminal_shows_a_carriage_return_as_text(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A CSV cell keeps a handle's CR (CSV quoting carries it), and `export STUDY accounts -o -
    --format csv` at a terminal sent it raw: the terminal went back to the start of the line and
    the rest of the handle overwrote the row's first cells (an account id hidden behind
    "EVIL overwrite"). At a terminal it is shown `\\x0d`, as `botwatch accounts` shows it; a pipe
    still gets the exact cell."""
    from botwatch.cli import study as study_cli
    from botwatch.study import Study

    study = tmp_path / "s.duckdb"
    st = Study(str(study))
    st.sql("CREATE TABLE notes AS SELECT 1 AS k, 'good' || chr(13) || 'EVIL' AS v")
    st.close()
    monkeypatch.setattr(study_cli, "_stdout_is_terminal", lambda: True, raising=False)
    res = runner.invoke(app, ["export", str(study), "notes", "-o", "-", "--format", "csv"])
    assert res.exit_code == 0 and "\r" not in res.stdout and "good\\x0dEVIL" in res.stdout, res.stdout
    monkeypatch.setattr(study_cli, "_stdout_is_terminal", lambda: False)
    res = runner.invoke(app, ["export", str(study), "notes", "-o", "-", "--format", "csv"])
    assert res.exit_code == 0 and "good\rEVIL" in res.stdout, res.stdout


def test_verbatim_help_says_it_also_keeps_control_characters() -> None:
    """--verbatim also writes a handle's ESC or U+202E raw into the CSV (docs/exports.md: "keeps both
    exact"), but its help named only the formula apostrophe: a user after exact handles did not
    know it was the option, one who wanted only the apostrophe gone got raw controls too."""
    res = runner.invoke(app, ["export", "--help"], env={"COLUMNS": "200"}, terminal_width=200)
    assert res.exit_code == 0
    text = " ".join(res.output.replace("│", " ").split())
    assert "--verbatim <bool> CSV: keep cells exact" in text and "control and invisible characters as text" in text, text
    assert "and a backslash as \\\\)" in text, text


def test_a_handle_written_as_an_escape_and_the_character_itself_differ_in_a_csv(tmp_path: Path) -> None:
    """The CSV wrote U+202E as the six characters `\\u202e` and left a backslash as it was, so a
    handle holding U+202E and one holding the text `\\u202e` came out the same cell. The backslash
    is now written as two: `\\\\u202e` is the text, `\\u202e` the character."""
    from botwatch.shown_text import file_shown
    from botwatch.study import Study

    study = tmp_path / "s.duckdb"
    st = Study(str(study))
    values = ["h\u202eab", "h\\u202eab", "¯\\_(ツ)_/¯"]
    st.sql("CREATE TABLE notes AS SELECT * FROM (VALUES (1, ?), (2, ?), (3, ?)) t(k, v)", values)
    st.close()
    out = tmp_path / "n.csv"
    assert runner.invoke(app, ["export", str(study), "notes", "-o", str(out)]).exit_code == 0
    with out.open(newline="", encoding="utf-8") as fh:
        got = [r["v"] for r in csv.DictReader(fh)]
    assert got == ["h\\u202eab", "h\\\\u202eab", "¯\\\\_(ツ)_/¯"]
    assert got == [file_shown(v) for v in values]  # the SQL and the Python escaping agree


def test_a_json_text_column_keeps_its_backslashes_in_a_csv(tmp_path: Path) -> None:
    """Evidence and the other columns stored as JSON text are read back from a CSV with a JSON
    parser (docs/exports.md): their backslashes are JSON's own escapes, and doubled the cell no
    longer parsed (`\\\\"`)."""
    from botwatch.study import Study

    study = tmp_path / "s.duckdb"
    st = Study(str(study))
    ev = json.dumps(['display name "Иван"', "path a\\b"], ensure_ascii=False)
    st.sql("CREATE TABLE account_scores AS SELECT 'twitter' AS platform, '1' AS account_id, ? AS bot_evidence, ? AS note", [ev, "a\\b"])
    st.close()
    out = tmp_path / "n.csv"
    assert runner.invoke(app, ["export", str(study), "account_scores", "-o", str(out)]).exit_code == 0
    with out.open(newline="", encoding="utf-8") as fh:
        row = next(csv.DictReader(fh))
    assert json.loads(row["bot_evidence"]) == json.loads(ev) and row["note"] == "a\\\\b"


def test_json_files_are_exact_and_the_docs_say_how_to_see_hidden_characters(tmp_path: Path) -> None:
    """A `.jsonl` file keeps a handle's U+202E as the character (the exact value, as Parquet does),
    which `cat` on a terminal obeys; docs/exports.md said nothing of it, nor how to look at such a
    file with the hidden characters shown."""
    from botwatch.study import Study

    study = tmp_path / "s.duckdb"
    st = Study(str(study))
    st.sql("CREATE TABLE notes AS SELECT 1 AS k, ? AS v", ["h\u202eab\x9b"])
    st.close()
    out = tmp_path / "n.jsonl"
    assert runner.invoke(app, ["export", str(study), "notes", "-o", str(out)]).exit_code == 0
    assert "\u202e" in out.read_text(encoding="utf-8") and json.loads(out.read_text(encoding="utf-8"))["v"] == "h\u202eab\x9b"
    doc = " ".join((Path(__file__).resolve().parents[1] / "docs" / "exports.md").read_text(encoding="utf-8").split())
    assert "`.jsonl` and `.json` files keep every text exactly as stored" in doc and "`jq -a . posts.jsonl`" in doc


def test_json_cells_of_a_csv_write_hidden_characters_as_json_escapes(tmp_path: Path) -> None:
    """A CSV's list cells (hashtags, mentions) are JSON text from DuckDB's `to_json`, which escapes
    C0 only: a hashtag's U+202E or C1 CSI went into the file, and with `-o - --format csv` to the
    terminal, raw. An evidence cell (JSON stored as text) got `\\x9b`, which is no JSON escape, so
    the cell no longer parsed. Both now hold JSON escapes: the same values to a JSON parser."""
    from botwatch.study import Study

    study = tmp_path / "s.duckdb"
    st = Study(str(study))
    ev = json.dumps(["name a\u202eb", "csi\x9b2J", "tag\U000E0041"], ensure_ascii=False)
    st.sql("CREATE TABLE notes AS SELECT 1 AS k, ['#x\u202ey', 'c' || chr(155) || 'd', ?] AS tags, ? AS bot_evidence", [f"go {ENGLAND}", ev])
    st.close()
    out = tmp_path / "n.csv"
    assert runner.invoke(app, ["export", str(study), "notes", "-o", str(out)]).exit_code == 0
    res = runner.invoke(app, ["export", str(study), "notes", "-o", "-", "--format", "csv"])
    assert res.exit_code == 0
    for text in (out.read_text(encoding="utf-8"), res.stdout):
        assert not any(ch in text for ch in "\u202e\x9b\U000E0041") and ENGLAND in text
    with out.open(newline="", encoding="utf-8") as fh:
        row = next(csv.DictReader(fh))
    assert json.loads(row["tags"]) == ["#x\u202ey", "c\x9bd", f"go {ENGLAND}"]
    assert json.loads(row["bot_evidence"]) == json.loads(ev)


def test_the_network_asked_for_in_another_format_says_graphml(tmp_path: Path) -> None:
    """docs/exports.md names the network `coordination`; `export STUDY coordination -o net.csv`
    said "no table 'coordination' (did you mean 'coordination_null'?)", the null model's table.
    It says the network is GraphML's, and which tables hold its edges and accounts."""
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl")]).exit_code == 0
    for args in (["coordination", "-o", str(tmp_path / "net.csv")], ["network", "-o", "-", "--format", "csv"],
                 ["clusters", "coordination", "-o", str(tmp_path / "out")]):
        res = runner.invoke(app, ["export", str(study), *args])
        said = " ".join(res.output.split())
        assert res.exit_code == 2 and "only GraphML holds" in said and "coordination_edges cluster_members" in said, (args, res.output)
        assert "coordination_null" not in said
    assert not (tmp_path / "out").exists() and not (tmp_path / "net.csv").exists()


def test_an_export_says_when_its_table_is_older_than_the_studys_analysis(tmp_path: Path) -> None:
    """After `analyze --no-election`, which skips the stages that need an election and keeps their
    earlier tables, `export STUDY post_labels` (or `estimates`) wrote the earlier election's rows
    without a word, where `estimate` refuses and the report leaves them out; and a table whose
    stage ran before more posts were ingested was written as the study's, where `accounts` and
    `status` warn. Both are said on stderr; a table of the latest analysis gets no warning."""
    fix = Path(__file__).resolve().parent / "fixtures" / "ingest"
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(fix / "v1_uklabour.jsonl")]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--only", "content", "--election", "uk-ge2017"]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--only", "coverage", "--no-election"]).exit_code == 0
    res = runner.invoke(app, ["export", str(study), "post_labels", "-o", str(tmp_path / "pl.csv")])
    assert res.exit_code == 0 and "last analysed with --no-election" in " ".join(res.output.split()), res.output
    res = runner.invoke(app, ["export", str(study), "coverage_daily", "-o", str(tmp_path / "cd.csv")])
    assert res.exit_code == 0 and "warning" not in res.output, res.output
    assert runner.invoke(app, ["ingest", str(study), str(fix / "twarc2_flat.jsonl")]).exit_code == 0
    res = runner.invoke(app, ["export", str(study), "coverage_daily", "-o", "-", "--format", "csv"])
    said = " ".join(res.output.split())
    assert res.exit_code == 0 and "coverage_daily:" in said and "were ingested" in said and "after the stage that makes this table last ran" in said, res.output


def test_a_name_without_an_extension_says_a_folder_needs_format_and_graphml_is_taken(tmp_path: Path) -> None:
    """`export STUDY accounts -o exports/` (no such folder, no --format) said "cannot export to
    exports: use one of .csv, …": not that a folder export needs --format, and the list left out
    .graphml, which `-o` takes for the network."""
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl")]).exit_code == 0
    res = runner.invoke(app, ["export", str(study), "accounts", "-o", str(tmp_path / "exports") + "/"])
    said = " ".join(res.output.split())
    assert res.exit_code == 2 and ".graphml" in said and "add --format" in said, res.output
    assert not (tmp_path / "exports").exists()
    res = runner.invoke(app, ["export", str(study), "accounts", "-o", str(tmp_path / "a.txt")])
    said = " ".join(res.output.split())
    assert res.exit_code == 2 and ".graphml" in said and "--format" not in said, res.output


def test_a_graphml_export_says_when_the_network_is_older_than_the_posts(tmp_path: Path) -> None:
    """The out-of-date warning covered tables only: `export STUDY coordination -o net.graphml`
    (or `-o - --format graphml`) of a network built before the latest ingest said nothing. The
    network is the coordination stage's tables, so it warns by the same rule as they do."""
    fix = Path(__file__).resolve().parent / "fixtures" / "ingest"
    study = tmp_path / "s.duckdb"
    assert runner.invoke(app, ["ingest", str(study), str(fix / "v1_uklabour.jsonl")]).exit_code == 0
    assert runner.invoke(app, ["analyze", str(study), "--only", "coordination", "--no-election"]).exit_code == 0
    res = runner.invoke(app, ["export", str(study), "coordination", "-o", str(tmp_path / "a.graphml")])
    assert res.exit_code == 0 and "warning" not in res.output, res.output
    assert runner.invoke(app, ["ingest", str(study), str(fix / "twarc2_flat.jsonl")]).exit_code == 0
    for args in (["-o", str(tmp_path / "b.graphml")], ["-o", "-", "--format", "graphml"]):
        res = runner.invoke(app, ["export", str(study), "coordination", *args])
        said = " ".join(res.output.split())
        assert res.exit_code == 0 and "coordination_edges, cluster_members:" in said and "were ingested" in said, (args, res.output)
