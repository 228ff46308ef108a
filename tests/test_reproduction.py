"""A reader can reproduce a study from its record: the accounts stage records its models' SHA-256,
`elections show STUDY --toml` gives a custom election's recorded text back, and the report's
Methods section lists the version, model hashes, election, commands in order and the inputs
with their content hashes (attacker-written file names escaped)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from botwatch.cli import app

ELECTION = """\
key = "toy-2017"
name = "Toy election"
country = "GB"
timezone = "Europe/London"
trigger_date = 2016-01-01
polling_day = 2016-11-08

[[parties]]
key = "red"
name = "Red"
hashtags_pro = ["VoteRed"]
"""
HOSTILE = "<img src=x onerror=window.__pwned=9>;rm -rf ~.jsonl"
ACCOUNTS = Path(__file__).resolve().parents[1] / "src" / "botwatch" / "accounts"


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def analysed_path(sample_study_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample after `analyze --election toy.toml --only accounts` (the CLI, as a user runs it),
    once for the module: four tests each ran that same command on their own copy. The election
    file is deleted once the study has recorded it: everything here reads the study's copy of it
    (`elections show` checks that it is the copy that counts). Read only: tests copy it."""
    folder = tmp_path_factory.mktemp("toy_accounts")
    study = folder / "s.duckdb"
    shutil.copy(sample_study_path, study)
    toml = folder / "toy.toml"
    toml.write_text(ELECTION, encoding="utf-8")
    res = CliRunner().invoke(app, ["analyze", str(study), "--election", str(toml), "--only", "accounts"])
    assert res.exit_code == 0, res.output
    toml.unlink()  # the file has moved on: the study's copy is what counts
    return study


def _analysed(tmp_path: Path, analysed_path: Path) -> Path:
    """A private copy of `analysed_path` as `tmp_path/s.duckdb` (the name the report's commands show)."""
    from testsupport.study_copies import copy_study

    return copy_study(analysed_path, tmp_path / "s.duckdb")


def _accounts_params(study: Path) -> dict[str, Any]:
    from botwatch import open_study

    with open_study(study) as st:
        return json.loads(st.sql("SELECT params FROM runs WHERE stage = 'accounts' ORDER BY finished_at DESC LIMIT 1")[0][0])


def test_accounts_stage_records_its_model_hashes(tmp_path: Path, analysed_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    study = _analysed(tmp_path, analysed_path)
    p = _accounts_params(study)
    assert p["bot_model_sha256"] == _sha(ACCOUNTS / "models" / "bot_model.json.gz") and p["bot_model_file"] is None
    assert p["bot_behaviour_sha256"] == _sha(ACCOUNTS / "data" / "bot_behaviour.json")
    listing = "".join(f"{_sha(ACCOUNTS / 'data' / n)}  {n}\n" for n in sorted(
        ["countries.tsv", "origin_behaviour_lr.json", "origin_shifts.json", "places.tsv", "regional_languages.tsv", "regions.tsv", "time_zone_rates.tsv", "time_zones.tsv"]))
    assert p["origin_model_sha256"] == hashlib.sha256(listing.encode()).hexdigest()  # `sha256sum FILES | sha256sum`
    # A model of one's own (here a copy of the shipped one under another name) is named and hashed.
    own = tmp_path / "mine.json.gz"
    own.write_bytes((ACCOUNTS / "models" / "bot_model.json.gz").read_bytes() + b"")
    monkeypatch.setenv("BOTWATCH_BOT_MODEL", str(own))
    res = CliRunner().invoke(app, ["analyze", str(study), "--only", "accounts"])
    assert res.exit_code == 0, res.output
    p = _accounts_params(study)
    assert p["bot_model_file"] == str(own) and p["bot_model_sha256"] == _sha(own)


def test_elections_show_study_gives_the_recorded_toml_back(tmp_path: Path, sample_study_path: Path, analysed_path: Path) -> None:
    study = _analysed(tmp_path, analysed_path)
    assert not (analysed_path.parent / "toy.toml").exists()  # the file has moved on: the study's copy is what counts
    runner = CliRunner()
    toml = runner.invoke(app, ["elections", "show", str(study), "--toml"])
    assert toml.exit_code == 0 and toml.stdout == ELECTION
    shown = runner.invoke(app, ["elections", "show", str(study)])
    assert shown.exit_code == 0 and "Toy election" in shown.output and "toy-2017" in shown.output
    staged = runner.invoke(app, ["elections", "show", str(study), "--stage", "accounts", "--toml"])
    assert staged.exit_code == 0 and staged.stdout == ELECTION
    bare = tmp_path / "bare.duckdb"
    shutil.copy(sample_study_path, bare)
    none = runner.invoke(app, ["elections", "show", str(bare)])
    assert none.exit_code == 1 and "was not analysed with an election" in none.output


def _hostile_record(study: Path) -> None:
    """An ingest run and a source with an attacker's file name, as a shared study may hold."""
    from botwatch import open_study

    with open_study(study, read_only=False) as st:
        st.sql("INSERT INTO runs VALUES ('h', 'ingest', ?, '0.1.0', TIMESTAMP '2000-01-01', TIMESTAMP '2000-01-01', 'ok', 1, NULL)",
               [json.dumps({"inputs": [HOSTILE], "force": False})])
        st.sql("INSERT INTO sources (source, sha256, bytes, format, ingested_at) VALUES (?, ?, 7, 'jsonl', TIMESTAMP '2000-01-01')", [HOSTILE, "ab" * 32])


def test_report_reproduction_paragraph(tmp_path: Path, analysed_path: Path) -> None:
    from botwatch import __version__, open_study
    from botwatch.report import build_report

    study = _analysed(tmp_path, analysed_path)
    _hostile_record(study)
    # The accounts run recorded another DuckDB than this install's (in an attacker's words): said, escaped.
    p = _accounts_params(study)
    with open_study(study, read_only=False) as st:
        st.sql("UPDATE runs SET params = ? WHERE stage = 'accounts'", [json.dumps({**p, "libraries": {**p["libraries"], "duckdb": "<b>0.9</b>"}})])
        # ... and was made by other code (a label in an attacker's words): said, escaped.
        st.sql("UPDATE runs SET version = '0.1.0+code.<i>x</i>' WHERE stage = 'accounts'")
    with open_study(study) as st:
        out = build_report(st, tmp_path / "r.html", exports=False)
        sources = st.sql("SELECT source, sha256 FROM sources WHERE format IS NOT NULL AND source <> ?", [HOSTILE])
    html = out.read_text(encoding="utf-8")
    part = html[html.index('id="methods-reproduce"'):]
    part = part[: part.index("</div>")]
    p = _accounts_params(study)
    assert f"botwatch {__version__}" in part
    assert p["bot_model_sha256"] in part and p["origin_model_sha256"] in part
    assert "botwatch elections show s.duckdb --toml &gt; toy-2017.toml" in part
    # The commands in the order `runs` holds them: the hostile ingest (oldest), the fixture's, analyze.
    ingest_at = part.index("botwatch ingest s.duckdb &#39;&lt;img src=x onerror=window.__pwned=9&gt;;rm -rf ~.jsonl&#39;")
    analyze_at = part.index("botwatch analyze s.duckdb --election toy-2017.toml --only accounts")
    assert ingest_at < analyze_at
    for name, sha in sources:  # every input with its content hash
        assert sha in part
    assert "<img" not in part and "ab" * 32 in part
    # The libraries each run recorded, the hostile ingest's none (an older botwatch), and the difference.
    assert "libraries not recorded; " in part and "(the study was analysed with more than one set of library versions)" in part
    from botwatch.report.reproduce import LIBRARIES_DIFFER

    assert LIBRARIES_DIFFER in part and "duckdb &lt;b&gt;0.9&lt;/b&gt; (now " in part and "<b>0.9" not in part
    from botwatch.report.reproduce import CODE_DIFFERS

    assert CODE_DIFFERS in part and "0.1.0+code.&lt;i&gt;x&lt;/i&gt; (now " in part and "<i>x" not in part
    # The stage table points at the command that gives the recorded election back.
    assert "characters recorded: botwatch elections show STUDY --toml" in html


@pytest.mark.browser
def test_reproduction_paragraph_in_a_browser(tmp_path: Path, analysed_path: Path, browser: Any) -> None:
    """The paragraph renders as text in headless Chromium: the hostile name runs nothing."""
    from tests.test_report_browser import Page
    from botwatch import open_study
    from botwatch.report import build_report

    study = _analysed(tmp_path, analysed_path)
    _hostile_record(study)
    long = [f"/data/archive/part-{i:05d}.jsonl" for i in range(40)]  # about 1,300 characters: was cut at 600
    with open_study(study, read_only=False) as st:
        st.sql("INSERT INTO runs VALUES ('l', 'ingest', ?, '0.1.0', TIMESTAMP '2000-01-02', TIMESTAMP '2000-01-02', 'ok', 1, NULL)",
               [json.dumps({"inputs": long, "force": False})])
        for f in long:  # each file read, as a real ingest records them
            st.sql("INSERT INTO sources (source, sha256, bytes, format, ingested_at) VALUES (?, ?, 7, 'jsonl', TIMESTAMP '2000-01-02')", [f, "cd" * 32])
    with open_study(study) as st:
        out = build_report(st, tmp_path / "r.html", exports=False)
    pg = Page(browser)
    try:
        page = pg.open(out)
        page.eval_on_selector_all("details", "els => els.forEach(d => d.open = true)")
        text = page.inner_text("#methods-reproduce")
        assert "botwatch elections show s.duckdb --toml > toy-2017.toml" in text
        assert HOSTILE in text
        # A long command is there whole, wrapped in its box (nothing runs off to the side).
        assert "botwatch ingest s.duckdb " + " ".join(long) in " ".join(text.split())
        assert page.eval_on_selector_all("#methods-reproduce code.cmd", "els => els.every(e => e.scrollWidth <= e.clientWidth + 1)")
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert pg.errors == [] and pg.dialogs == []
    finally:
        pg.close()


def test_a_lakes_ingest_commands_name_the_spark_engine(sample_study_path: Path) -> None:
    """A lake's ingest run does not record its engine, and its first ingest needs `--engine spark`."""
    from botwatch import open_study
    from botwatch.report.reproduce import reproduction

    class Lake:  # the DuckDB sample seen as a lake: only `engine` differs
        engine = "spark"

        def __init__(self, st: Any) -> None:
            self.tables, self.sql, self.driver_arrow = st.tables, st.sql, st.driver_arrow

    with open_study(sample_study_path) as st:
        steps = reproduction(Lake(st), "lake")["steps"]  # type: ignore[arg-type]
        plain = reproduction(st, "s.duckdb")["steps"]
    assert steps and steps[0].startswith("botwatch ingest lake ") and steps[0].endswith(" --engine spark")
    assert "--engine" not in plain[0]


def test_the_script_writes_the_election_file_itself_in_a_fresh_folder(tmp_path: Path, analysed_path: Path) -> None:
    """The script wrote a user's election file with `botwatch elections show s.duckdb --toml >
    toy-2017.toml` before its first command: in the fresh folder it is for, the study did not exist
    yet, so that line failed and `set -e` stopped the script. The recorded text is now in the script
    (a quoted here-document: nothing in it runs, a line equal to the delimiter does not end it)."""
    import subprocess

    from botwatch import open_study
    from botwatch.report.reproduce import reproduction_script

    study = _analysed(tmp_path, analysed_path)
    with open_study(study) as st:
        script = reproduction_script(st, "s.duckdb")
    work = tmp_path / "fresh"
    work.mkdir()
    (work / "reproduce.sh").write_text(script, encoding="utf-8")
    fake = "botwatch() { echo \"$1\" >> calls; if [ \"$1\" = elections ]; then return 2; fi; }; . ./reproduce.sh"
    subprocess.run(["sh", "-c", fake], cwd=work, check=True)
    assert (work / "toy-2017.toml").read_text(encoding="utf-8") == ELECTION
    assert (work / "calls").read_text().split() == ["ingest", "analyze"]
    # A recorded text holding the delimiter's line and shell syntax is written as it is.
    hostile = ELECTION + "# BOTWATCH_ELECTION_EOF\nBOTWATCH_ELECTION_EOF\n$(touch PWNED) `touch PWNED2`\n"
    with open_study(study, read_only=False) as st:
        st.sql("UPDATE runs SET params = json_object('election', 'toy-2017', 'election_toml', ?::VARCHAR, 'only', ['accounts']) WHERE stage = 'accounts'", [hostile])
    with open_study(study) as st:
        script = reproduction_script(st, "s.duckdb")
    (work / "reproduce.sh").write_text(script, encoding="utf-8")
    subprocess.run(["sh", "-c", fake], cwd=work, check=True)
    assert (work / "toy-2017.toml").read_text(encoding="utf-8") == hostile
    assert not (work / "PWNED").exists() and not (work / "PWNED2").exists()


def test_an_election_file_edited_between_two_analyses_is_written_once_per_text(tmp_path: Path, analysed_path: Path) -> None:
    """A user analysed with toy.toml, edited it (same key) and re-ran one stage. The script wrote
    only the latest text, as toy-2017.toml, and every command named it: the first `analyze`
    re-ran with the edited file, and its tables (post_party, with another party list) were not the
    study's. Each recorded text is written to its own file, and each command names the one its
    runs recorded."""
    import subprocess

    from botwatch import open_study
    from botwatch.report.reproduce import reproduction, reproduction_script

    study = _analysed(tmp_path, analysed_path)
    edited = ELECTION + '\n[[parties]]\nkey = "blue"\nname = "Blue"\nhashtags_pro = ["VoteBlue"]\n'
    with open_study(study, read_only=False) as st:
        st.sql("""INSERT INTO runs SELECT 'later', 'coordination',
                      json_object('election', 'toy-2017', 'election_toml', ?::VARCHAR, 'command_id', 'c-later'),
                      version, finished_at + INTERVAL 1 MINUTE, finished_at + INTERVAL 2 MINUTE, status, 0, message
                  FROM runs WHERE stage = 'accounts'""", [edited])
    with open_study(study) as st:
        r = reproduction(st, "s.duckdb", max_steps=None)
        script = reproduction_script(st, "s.duckdb")
    assert [(e["file"], e["text"]) for e in r["elections"]] == [("toy-2017.1.toml", ELECTION), ("toy-2017.toml", edited)]
    analyses = [s for s in r["steps"] if not s.startswith("botwatch ingest")]
    assert analyses == ["botwatch analyze s.duckdb --election toy-2017.1.toml --only accounts",
                        "botwatch analyze s.duckdb --election toy-2017.toml --only coordination"]
    work = tmp_path / "fresh"
    work.mkdir()
    (work / "reproduce.sh").write_text(script, encoding="utf-8")
    subprocess.run(["sh", "-c", "botwatch() { :; }; . ./reproduce.sh"], cwd=work, check=True)
    assert (work / "toy-2017.1.toml").read_text(encoding="utf-8") == ELECTION
    assert (work / "toy-2017.toml").read_text(encoding="utf-8") == edited
    # `elections show s.duckdb --toml` stops on stages of two texts: not offered as the way to get either
    assert "--toml)" not in script and "one of the 2 texts" in script


def test_the_show_command_is_offered_only_where_it_gives_that_text_back(tmp_path: Path, analysed_path: Path) -> None:
    """The script and the page said `botwatch elections show s.duckdb --toml` also gives the file's
    text back; with another stage last run with a preset, that command stops (different elections),
    so the reader is sent to `report --reproduce` instead."""
    from botwatch import open_study
    from botwatch.report.reproduce import reproduction_script

    study = _analysed(tmp_path, analysed_path)
    with open_study(study) as st:
        assert "--toml)" in reproduction_script(st, "s.duckdb")  # the one election of every stage: offered
    with open_study(study, read_only=False) as st:
        st.sql("""INSERT INTO runs SELECT 'later', 'coordination', json_object('election', 'uk-ge2017', 'command_id', 'c-later'),
                      version, finished_at + INTERVAL 1 MINUTE, finished_at + INTERVAL 2 MINUTE, status, 0, message
                  FROM runs WHERE stage = 'accounts'""")
    res = CliRunner().invoke(app, ["elections", "show", str(study), "--toml"])
    assert res.exit_code == 2  # the command the hint named
    with open_study(study) as st:
        script = reproduction_script(st, "s.duckdb")
    assert "--toml)" not in script and "for the commands that name toy-2017.toml" in script


def test_a_study_or_input_named_with_a_leading_dash_is_not_read_as_an_option(sample_study_path: Path) -> None:
    """Quoted alone, `'-s.duckdb'` in a reproduced command was read by `botwatch` as an option
    ("No such option: -s") and `sh reproduce.sh` stopped at its first line; each file is `./-...`."""
    import shlex

    from botwatch import open_study
    from botwatch.report.reproduce import _ingest_command, reproduction

    with open_study(sample_study_path) as st:
        steps = reproduction(st, "-s d'été.duckdb")["steps"]
        ingest = _ingest_command(st, "-s.duckdb", {"inputs": ["-in put.csv", "b.csv"]})
    assert steps
    for step in steps:
        assert shlex.split(step)[2] == "./-s d'été.duckdb", step
    assert shlex.split(ingest)[2:5] == ["./-s.duckdb", "./-in put.csv", "b.csv"], ingest


def test_stdin_read_by_an_ingest_is_given_back_as_stdin(sample_study_path: Path) -> None:
    """`-` is `ingest`'s stdin, not a name to guard with `./`: given back as `./-`, the reproduced
    `ingest` looked for a file named `-` ("no such file") instead of reading its stdin."""
    import shlex

    from botwatch import open_study
    from botwatch.report.reproduce import _ingest_command

    with open_study(sample_study_path) as st:
        ingest = _ingest_command(st, "-s.duckdb", {"inputs": ["-", "-a.csv"]})
    assert shlex.split(ingest)[2:5] == ["./-s.duckdb", "-", "./-a.csv"], ingest


def test_a_study_re_made_by_its_script_gives_the_same_ingest_back(tmp_path: Path, sample_files: list[Path],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """reproduce.sh names `-in.json.gz` as `./-in.json.gz`; the study it makes records that in its
    run but `-in.json.gz` in `sources`, and its own script then left the input out of `ingest`
    ("inputs of which the study holds nothing"): the re-made study did not read as the original."""
    import shlex

    from botwatch import open_study
    from botwatch.ingest.runner import ingest
    from botwatch.report.reproduce import reproduction

    monkeypatch.chdir(tmp_path)
    shutil.copy(next(f for f in sample_files if f.name.startswith("ge2017")), tmp_path / "-in.json.gz")
    with open_study(tmp_path / "-s.duckdb", read_only=False) as st:
        ingest(st, ["./-in.json.gz"], workers=1)
        remade = reproduction(st, "-s.duckdb")
    assert remade["inputs_not_stored"] == [], remade
    assert shlex.split(remade["steps"][0])[:4] == ["botwatch", "ingest", "./-s.duckdb", "./-in.json.gz"], remade["steps"]
