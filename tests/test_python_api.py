"""The public Python API (`botwatch.api`, docs/python-api.md): a reviewer using botwatch as a
library found option names silently ignored yet recorded in `runs`, CLI wording and raw DuckDB
errors from a read-only study, no Python door to an account's evidence, foreign counts against
a country the study was not scored for, a `Study` constructor that creates files from typos, and
a lock message that sent a notebook user in a circle. Each test here fails without its fix."""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import botwatch
from botwatch import api


def _runs(path: Path) -> list[tuple[str, dict]]:
    with botwatch.open_study(path) as st:
        return [(s, json.loads(p)) for s, p in st.sql("SELECT stage, params FROM runs ORDER BY finished_at")]


@pytest.fixture()
def raw(sample_study_path: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "s.duckdb"
    shutil.copy(sample_study_path, dst)
    return dst


@pytest.fixture()
def analysed(analysed_sample_path: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "a.duckdb"
    shutil.copy(analysed_sample_path, dst)
    return dst


def test_public_names_are_exported() -> None:
    assert {"open_study", "load_election", "analyze", "account", "stage_options", "StudyError"} <= set(botwatch.__all__)
    assert {"ingest", "sample_files", "foreign_counts", "StageResult", "ACCOUNT_SHAPE"} <= set(api.__all__)
    assert botwatch.analyze is api.analyze and api.ACCOUNT_SHAPE == "botwatch-account/1"
    assert all(getattr(api, n).__doc__ for n in api.__all__ if callable(getattr(api, n)))


# -- F-PY2: option names are the stages' own, checked, and recorded only where read ----------------
def test_unknown_option_is_refused_naming_the_real_key_and_nothing_is_recorded(raw: Path) -> None:
    before = _runs(raw)
    with pytest.raises(ValueError, match="coordination_window_s"):
        api.analyze(raw, only=["coordination"], options={"window": "5m"}, log=None)
    with pytest.raises(ValueError, match="read only by coordination"):  # a real key no chosen stage reads
        api.analyze(raw, only=["coverage"], options={"coordination_window_s": 300}, log=None)
    with pytest.raises(ValueError, match="whole number of seconds"):
        api.analyze(raw, only=["coordination"], options={"coordination_window_s": "5m"}, log=None)
    assert _runs(raw) == before


def test_every_option_a_stage_reads_is_declared() -> None:
    """The declared keys are the ones the stages' code reads: coordination's from NetworkOptions."""
    from botwatch.coordination.network import NetworkOptions

    opts = api.stage_options()
    assert set(opts["coordination"]) == {f"coordination_{f}" for f in NetworkOptions.__dataclass_fields__}
    assert "workers" in opts["content"] and "origin_study_prior" in opts["accounts"] and "sample_rate" in opts["estimates"]
    assert opts["coverage"] == ()
    from botwatch.cli import app

    listed = json.loads(CliRunner().invoke(app, ["stages", "--json"]).output)  # the same list, from the CLI
    assert {s["stage"]: tuple(s["options"]) for s in listed} == opts


def test_a_stage_records_only_the_options_it_read(raw: Path) -> None:
    res = api.analyze(raw, only=["coverage", "coordination"], options={"coordination_window_s": 120}, log=None)
    assert [r.stage for r in res] == ["coverage", "coordination"] and all(r.ok for r in res)
    recorded = dict(_runs(raw)[-2:])
    # coverage reads no option; the command id (runs_table.COMMAND_ID) is bookkeeping, one per call
    assert recorded["coverage"].pop("command_id") == recorded["coordination"]["command_id"]
    assert recorded["coverage"].pop("libraries")  # bookkeeping too: the library versions (library_versions)
    assert recorded["coverage"] == {"election": None, "engine": "duckdb"}
    assert recorded["coordination"]["coordination_window_s"] == 120
    with botwatch.open_study(raw) as st:  # and the stage did read it
        assert json.loads(st.sql("SELECT summary FROM coordination_summary")[0][0])["options"]["window_s"] == 120


def test_numpy_option_values_are_taken_and_recorded_as_plain_python(raw: Path) -> None:
    """A notebook's numbers come from NumPy: `np.int64(120)` was refused as "must be a whole
    number ..., got np.int64(120)", and an array of behaviours went into `runs` as its text."""
    np = pytest.importorskip("numpy")
    options = {"coordination_window_s": np.int64(120), "coordination_behaviours": np.array(["co-retweet", "co-post"])}
    res = api.analyze(raw, only=["coordination"], options=options, log=None)
    assert [r.stage for r in res] == ["coordination"] and res[0].ok
    recorded = dict(_runs(raw))["coordination"]
    assert recorded["coordination_window_s"] == 120 and recorded["coordination_behaviours"] == ["co-retweet", "co-post"]



def test_numpy_times_in_nanoseconds_are_taken_as_the_times_they_hold(raw: Path) -> None:
    """pandas hands out times as `datetime64[ns]`, whose `.item()` is an integer of nanoseconds:
    `impact_start` from a DataFrame was refused as "must be a UTC time ..., got 1477958400000000000".
    Read as times, an end before the start is the refusal that applies."""
    np = pytest.importorskip("numpy")
    options = {"impact_start": np.datetime64("2016-11-01T00:00:00.000000000"), "impact_end": np.array(["2016-10-01"], dtype="datetime64[ns]")[0]}
    with pytest.raises(ValueError, match=r"impact_start datetime\.datetime\(2016, 11, 1, 0, 0\) is after impact_end"):
        api.analyze(raw, election="us-2016", only=["impact"], with_deps=True, options=options, log=None)

def test_stages_of_different_elections_are_refused_in_python_terms(raw: Path, tmp_path: Path) -> None:
    """Without `election=`, a study whose stages recorded different elections is refused; the
    message told a Python caller to "pass --election"."""
    api.analyze(raw, election="us-2016", only=["coverage"], log=None)
    api.analyze(raw, election="uk-ge2017", only=["creation"], log=None)
    with pytest.raises(api.ElectionError, match=r"different elections .*; pass election= to say which one to use$") as got:
        api.analyze(raw, only=["coverage"], log=None)
    assert "--election" not in str(got.value)


# -- F-PY3: an election by key, a clear refusal without one, a read-only study refused --------------
def test_election_by_key_or_path_and_typed_results(raw: Path, tmp_path: Path) -> None:
    res = api.analyze(raw, election="us-2016", only=["creation"], log=None)
    assert res == [api.StageResult("creation", "ok", res[0].rows, None, res[0].seconds)] and res[0].ok
    preset = api.load_election("us-2016")
    assert api.load_election(preset) is preset and preset.country == "US"
    with pytest.raises(botwatch.StudyError, match="no study at"):
        api.analyze(tmp_path / "typo.duckdb", only=["coverage"], log=None)
    assert not (tmp_path / "typo.duckdb").exists()


def test_a_stage_needing_an_election_without_one_says_so_in_python_terms(raw: Path) -> None:
    with pytest.raises(ValueError, match="needs an election: pass election="):
        api.analyze(raw, only=["creation"], log=None)
    res = {r.stage: r for r in api.analyze(raw, skip=["content", "accounts", "coordination", "accounts_clusters", "timeline", "bursts", "circadian", "impact", "estimates"], log=None)}
    assert res["creation"].status == "skipped" and "--election" not in (res["creation"].reason or "")
    assert res["coverage"].ok


def test_analyze_refuses_a_study_opened_read_only(raw: Path) -> None:
    with botwatch.open_study(raw) as st:
        with pytest.raises(botwatch.StudyError, match=r"open read-only, and analyze writes.*read_only=False"):
            api.analyze(st, only=["coverage"], log=None)
        with pytest.raises(botwatch.StudyError, match=r"open read-only, and ingest writes"):  # it said "analyze" here too
            api.ingest(st, api.sample_files()[:1])
    with botwatch.open_study(raw, read_only=False) as st:  # one opened for writing is used as it is
        assert api.analyze(st, only=["coverage"], log=None)[0].ok


def test_account_not_found_offers_the_close_handles(tmp_path: Path) -> None:
    """`account(st, "@ten_gop1")` said only "no account", where `botwatch explain` offers close
    handles: `NoSuchAccount` (still a `LookupError`) carries them raw and names them in its
    message with `repr`, so a handle's ESC does not reach a terminal printing it."""
    path = tmp_path / "m.duckdb"
    with botwatch.open_study(path, read_only=False) as st:
        st.sql("CREATE TABLE accounts_scored AS SELECT * FROM (VALUES ('twitter', '1', 'TEN_GOP', 5), ('twitter', '2', e'ten_gop\\x1b', 3)) "
               "t(platform, account_id, handle, n_posts)")
        with pytest.raises(LookupError) as got:
            api.account(st, "@ten_gop1")
        assert isinstance(got.value, api.NoSuchAccount) and got.value.key == "@ten_gop1"
        assert got.value.close_handles == ["TEN_GOP", "ten_gop\x1b"]
        assert str(got.value).endswith("did you mean '@TEN_GOP', '@ten_gop\\x1b'?") and "\x1b" not in str(got.value), str(got.value)
        again = pickle.loads(pickle.dumps(got.value))  # as from a process pool's worker: the same error, not a TypeError
        assert (str(again), again.key, again.close_handles) == (str(got.value), got.value.key, got.value.close_handles)
        with pytest.raises(api.NoSuchAccount, match=r"\(by handle or account id\)$") as got:
            api.account(st, "@zzzzzzzz")
        assert got.value.close_handles == []


# -- F-PY1: an account's evidence as the documented shape -----------------------------------------
def test_account_is_what_explain_json_prints(analysed: Path) -> None:
    from botwatch.cli import app

    with botwatch.open_study(analysed) as st:
        handle, aid = st.sql("SELECT handle, account_id FROM accounts_scored WHERE handle IS NOT NULL AND origin_country IS NOT NULL "
                             "ORDER BY n_posts DESC, account_id LIMIT 1")[0]
        got = api.account(st, "@" + handle.upper())
        with pytest.raises(LookupError, match="no account"):
            api.account(st, "@no_such_account_here")
    cli = CliRunner().invoke(app, ["explain", str(analysed), f"@{handle}", "--json"])
    assert cli.exit_code == 0, cli.output
    assert got == json.loads(cli.stdout) == api.account(analysed, aid)
    assert got["shape"] == "botwatch-account/1" and got["origin"]["home_country"] == "US"
    # Pasted with a space or a newline, as `botwatch explain` reads it: it was NoSuchAccount here.
    assert api.account(analysed, f" @{handle}\n") == got
    pasted = CliRunner().invoke(app, ["explain", str(analysed), f" @{handle}\n", "--json"])
    assert pasted.exit_code == 0 and json.loads(pasted.stdout) == got


# -- F-PY4: foreign counts only against the country the scores were made for ----------------------
def test_foreign_counts_refuse_another_home_or_a_private_use_code(analysed: Path) -> None:
    from botwatch.origin_rule import foreign_counts, scoring_home

    with botwatch.open_study(analysed) as st:
        assert scoring_home(st) == "US"
        us = foreign_counts(st, "US")
        assert 0 < us["k"] < us["n"] and foreign_counts(st, "us") == us
        with pytest.raises(ValueError, match=r"made for an election in US.*P\(outside NZ\) is not measured"):
            foreign_counts(st, "NZ")  # was 'every scored account is foreign', [n-n]
        with pytest.raises(ValueError, match="not a country"):
            foreign_counts(st, "ZZ")  # was n = 0 with no word
        assert foreign_counts(st, " us ") == us  # read as `accounts --country` reads a country (`country_code`)


def test_foreign_counts_refuse_every_home_when_the_accounts_were_scored_without_an_election(reanalysed_none_sample_path: Path) -> None:
    """Scored with no election, no country had the home prior and each account kept only its top
    countries, yet any home was taken: on a real twarc2 capture, "NZ" gave every account foreign
    with the interval [n-n]. The study is only read (the fixture is shared)."""
    assert [p.get("election") for s, p in _runs(reanalysed_none_sample_path) if s == "accounts"][-1] is None
    with botwatch.open_study(reanalysed_none_sample_path) as st:
        for home in ("US", "NZ"):
            with pytest.raises(ValueError, match=rf"made without an election.*P\(outside {home}\) is not measured.*election in {home}"):
                api.foreign_counts(st, home)


def test_foreign_counts_read_uk_as_gb(analysed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """"UK" on a study scored for GB was refused ("use 'GB', or re-run the accounts stage with an
    election in UK", which scores for GB again), where `accounts --country UK` reads it as GB."""
    import botwatch.origin_rule as rule

    monkeypatch.setattr(rule, "scoring_home", lambda _st: "GB")  # the sample is scored for US: only the check is under test
    with botwatch.open_study(analysed) as st:
        assert rule.foreign_counts(st, "UK") == rule.foreign_counts(st, "GB") and rule.foreign_counts(st, "UK")["home"] == "GB"


# -- F-PY5: the constructor says what it does; the read side has docstrings ------------------------
def test_study_constructor_and_readers_are_documented() -> None:
    from botwatch.study import Study, StudyBase

    assert "open_study" in (Study.__init__.__doc__ or "")
    assert "empty study" in (Study.__init__.__doc__ or "")
    for name in ("arrow", "tables", "count", "sql", "columns", "table"):
        assert getattr(Study, name).__doc__, name
    for name in ("pandas", "polars", "export"):
        assert getattr(StudyBase, name).__doc__, name
    assert "runs nothing" in (StudyBase.run.__doc__ or "")


# -- F-PY6: a reader holding the study is named as a reader ----------------------------------------
def test_lock_message_when_a_reader_holds_the_study(raw: Path) -> None:
    from botwatch.study import Study, StudyError

    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, botwatch
            st = botwatch.open_study({str(raw)!r})
            st.sql("SELECT 1")
            print("open", flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(StudyError) as err:
            Study(raw, read_only=False, create=False)
    finally:
        holder.communicate("")
    msg = str(err.value)
    assert f"open for reading in process {holder.pid}" in msg and "st.close()" in msg
    assert "holds it for writing" not in msg and "read-only by default" not in msg


def test_no_election_is_a_choice_the_api_records_and_keeps(raw: Path) -> None:
    """The API had no `--no-election`, and on a study last analysed with it a call without an
    election ran with none but did not record so, letting an older stage's election come back on the
    next plain `analyze`."""
    with botwatch.open_study(raw, read_only=False) as st:  # as an earlier `analyze --election us-2016` of content left it
        st.sql("INSERT INTO runs VALUES ('old', 'coverage', '{\"election\": \"us-2016\"}', '0', now() - INTERVAL 1 HOUR, now() - INTERVAL 1 HOUR, 'ok', 0, NULL)")
    with pytest.raises(ValueError, match="contradict"):
        api.analyze(raw, election="us-2016", no_election=True, only=["coverage"], log=None)
    api.analyze(raw, no_election=True, only=["coverage"], log=None)
    assert _runs(raw)[-1] == ("coverage", {**_runs(raw)[-1][1], "no_election": True})
    api.analyze(raw, only=["coverage"], log=None)  # none, as last recorded: recorded again
    stage, params = _runs(raw)[-1]
    assert stage == "coverage" and params.get("no_election") is True and params.get("election") is None


# -- one process, one mode: a notebook's read-only study, then a call that writes the same file ----
def test_a_study_this_process_holds_the_other_way_is_a_study_error(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    botwatch.Study(path).close()  # an empty study
    with botwatch.open_study(path):
        with pytest.raises(botwatch.StudyError, match=r"open for reading in this process.*st\.close\(\)"):
            api.analyze(path, only=["coverage"], log=None)
        with pytest.raises(botwatch.StudyError, match="open for reading in this process"):
            api.ingest(path, api.sample_files()[:1])
    with botwatch.open_study(path, read_only=False):
        with pytest.raises(botwatch.StudyError, match="open for writing in this process"):
            botwatch.open_study(path)
    with botwatch.open_study(path) as st:  # all closed: both modes open again
        assert "posts" in st.tables()



def test_a_study_this_process_holds_for_reading_names_no_command_to_run_again_from_python(tmp_path: Path) -> None:
    """`api.analyze(path)` under a notebook's open `open_study(path)` ended "then run this again",
    where no command ran; a command (`for_command`) keeps its wording."""
    path = tmp_path / "s.duckdb"
    botwatch.Study(path).close()
    with botwatch.open_study(path):
        with pytest.raises(botwatch.StudyError) as err:
            api.analyze(path, only=["coverage"], log=None)
    said = str(err.value)
    assert said.endswith("first, then open the study again") and "run this" not in said, said
    assert err.value.for_command().endswith("first, then run this again"), err.value.for_command()


def test_a_statement_that_writes_a_study_opened_read_only_is_a_study_error(tmp_path: Path) -> None:
    """`open_study(path)` (read-only) then `st.sql("CREATE ...")` raised DuckDB's own
    InvalidInputException about database "study" "attached in read-only mode"."""
    path = tmp_path / "s.duckdb"
    botwatch.Study(path).close()
    with botwatch.open_study(path) as st:
        with pytest.raises(botwatch.StudyError, match=r"s\.duckdb is open read-only.*read_only=False"):
            st.sql("CREATE TABLE my_notes AS SELECT 1 AS n")
        with pytest.raises(duckdb.CatalogException):  # other SQL mistakes are DuckDB's own, as before
            st.sql("SELECT * FROM no_such_table")
        assert "my_notes" not in st.tables()


def test_a_closed_study_used_again_is_a_study_error(tmp_path: Path) -> None:
    """A notebook cell run again after `st.close()` (or after its `with` block) raised DuckDB's
    "Connection already closed!" from every reader and from `api.account`."""
    path = tmp_path / "s.duckdb"
    botwatch.Study(path).close()
    with botwatch.open_study(path) as st:
        pass
    for use in (lambda: st.sql("SELECT 1"), lambda: st.polars("posts"), lambda: st.table("posts"), lambda: api.foreign_counts(st, "US")):
        with pytest.raises(botwatch.StudyError, match=r"s\.duckdb was closed.*open it again with botwatch\.open_study"):
            use()



def test_an_ibis_table_run_after_its_study_closed_is_a_study_error(tmp_path: Path) -> None:
    """An Ibis expression is lazy: taken inside a `with open_study` block and run after it (the
    next notebook cell), it raised DuckDB's raw "ConnectionException: Connection has already been
    closed" from `execute`, `to_pyarrow` and the backend alike, naming no study."""
    path = tmp_path / "s.duckdb"
    botwatch.Study(path).close()
    with botwatch.open_study(path) as st:
        posts = st.table("posts")
        assert posts.count().execute() == 0  # usable while open
    for use in (lambda: posts.count().execute(), lambda: posts.to_pyarrow(), lambda: st.ibis.list_tables()):
        with pytest.raises(botwatch.StudyError, match=r"s\.duckdb was closed.*open it again with botwatch\.open_study"):
            use()
    with botwatch.open_study(path) as again:  # a fresh study's tables run as before
        assert again.table("posts").count().execute() == 0

def test_build_report_takes_the_studys_path_too(tmp_path: Path) -> None:
    """`build_report("study.duckdb", ...)`, the path as every api call takes it, said
    "AttributeError: 'str' object has no attribute 'tables'"."""
    from botwatch.report import build_report

    path = tmp_path / "s.duckdb"
    botwatch.Study(path).close()
    page = build_report(str(path), tmp_path / "r.html", exports=False)
    assert page.exists()
    with botwatch.open_study(path, read_only=False):  # closed after the call: writable again
        pass

# -- a name given alone is one name, not a sequence of letters ----------------------------------------
def test_one_string_where_a_list_goes_is_one_item(tmp_path: Path) -> None:
    assert api.stage_options("accounts") == api.stage_options(["accounts"])
    export = tmp_path / "export.csv"
    export.write_text("account_id,created_at,text\na1,2017-05-20T09:15:00Z,hello\n", encoding="utf-8")
    summary = api.ingest(tmp_path / "s.duckdb", str(export), columns="account_id=account_id,created_at=created_at,text=text")
    assert [f.source for f in summary.files] == [str(export)] and summary.total("stored") == 1
    assert api.ingest(tmp_path / "s.duckdb", export).files[0].skipped  # a Path alone too (already read)
    results = api.analyze(tmp_path / "s.duckdb", only="coverage", skip="content", log=None)
    assert [r.stage for r in results] == ["coverage"]


# -- foreign_counts: a path as the other calls take one, and no scores said as such -----------------
def test_foreign_counts_takes_a_path_and_says_when_nothing_is_scored(raw: Path, scored_us_sample_path: Path) -> None:
    with botwatch.open_study(scored_us_sample_path) as st:
        opened = api.foreign_counts(st, "US")
    assert api.foreign_counts(scored_us_sample_path, "US") == opened == api.foreign_counts(str(scored_us_sample_path), "US")
    with pytest.raises(botwatch.StudyError, match=r"no account scores in .*only=\['accounts'\]"):
        api.foreign_counts(raw, "US")


# -- nothing to read: said before a study is made, as `botwatch ingest` does ----------------------------
def test_ingest_of_only_missing_files_creates_no_study(tmp_path: Path) -> None:
    study = tmp_path / "new.duckdb"
    with pytest.raises(FileNotFoundError, match=r"no such file: .*tweets\.jsonll"):
        api.ingest(study, [tmp_path / "tweets.jsonll"])
    assert not study.exists()  # was an empty study, which analyze() then ran every stage on


def test_ingest_of_nothing_creates_no_study(tmp_path: Path) -> None:
    """`api.ingest(study, [])` (a glob that matched nothing) or an empty folder made a new empty
    study and returned a summary of no files, where `botwatch ingest` says "no input files"."""
    study, empty = tmp_path / "new.duckdb", tmp_path / "tweets"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match=r"no input files given \(nothing read, no study created"):
        api.ingest(study, [])
    with pytest.raises(FileNotFoundError, match=r"no input files in .*tweets \(nothing read"):
        api.ingest(study, empty)
    assert not study.exists()


# -- a stage that cannot run as asked is a ValueError, as the plan's refusals are -----------------------
def test_a_stage_refusing_the_election_is_a_value_error(analysed: Path) -> None:
    with pytest.raises(ValueError, match="labelled for us-2016, not uk-ge2017"):  # was botwatch.pipeline.PipelineError
        api.analyze(analysed, election="uk-ge2017", only=["timeline"], log=None)
    # what to run, in Python as docs/python-api.md says: it named `botwatch analyze ... --only content`
    with pytest.raises(ValueError, match=r"botwatch\.api\.analyze\(study, election='uk-ge2017', only=\['content'\]\).*election='us-2016'\)$"):
        api.analyze(analysed, election="uk-ge2017", only=["timeline"], log=None)
    # A refusal before the stage ran is no failed run: it was recorded "failed" (by the CLI too),
    # and `status` listed the timeline as failed though its table was the earlier run's, untouched.
    with botwatch.open_study(analysed) as st:
        assert st.sql("SELECT status FROM runs WHERE stage = 'timeline' ORDER BY finished_at DESC LIMIT 1") == [("ok",)]
        assert st.sql("SELECT count(*) FROM runs WHERE status <> 'ok'") == [(0,)]
    from botwatch.cli import app

    said = CliRunner().invoke(app, ["status", str(analysed)])
    assert said.exit_code == 0 and "failed" not in said.output, said.output



def test_a_stage_lacking_its_inputs_is_refused_in_python_terms(tmp_path: Path) -> None:
    """`analyze(path, only=["bursts"])` on a study without a timeline said "... or add --with-deps",
    a command-line flag, to a Python caller."""
    export = tmp_path / "export.csv"
    export.write_text("account_id,created_at,text\na1,2017-05-20T09:15:00Z,hello\n", encoding="utf-8")
    api.ingest(tmp_path / "s.duckdb", export, columns="account_id=account_id,created_at=created_at,text=text")
    with pytest.raises(ValueError, match=r"needs table 'timeline', which the study lacks: run .*timeline first, or pass with_deps=True$") as got:
        api.analyze(tmp_path / "s.duckdb", only=["bursts"], log=None)
    assert "--with-deps" not in str(got.value)


def test_options_that_are_not_a_dict_are_refused_plainly(tmp_path: Path) -> None:
    """`options=["coordination_window_s"]` said "dictionary update sequence element #0 has length 1; 2 is required"."""
    path = tmp_path / "s.duckdb"
    botwatch.Study(path).close()
    with pytest.raises(TypeError, match=r"options must be a dict of option name to value.*not list"):
        api.analyze(path, only=["coverage"], options=["coordination_window_s"], log=None)

# -- every stage's option values checked before anything runs, not only coordination's ----------------
@pytest.mark.parametrize(("options", "said"), [
    ({"impact_parties": "dem"}, r"impact_parties is a list, e\.g\. \['dem'\]"),  # ran parties 'd', 'e', 'm': "ok", 0 rows
    ({"windows": "w=2016-10-01..2016-10-31"}, "windows is a list"),
    ({"workers": "4"}, "workers must be a whole number"),  # was "'<' not supported between 'int' and 'str'" mid-run
    ({"impact_start": "yesterday"}, "impact_start must be a UTC time"),  # was DuckDB's "Conversion Error"
    ({"impact_start": "2016-11-01", "impact_end": "2016-10-01"}, "is after impact_end"),
    ({"impact_maxlags": 0}, "impact_maxlags must be a whole number of at least 1"),
    ({"impact_freq": "zz"}, "frequency 'zz' not understood"),
    ({"bootstrap_reps": 0}, "at least 10 bootstrap replicates"),
    ({"seed": "x"}, "seed must be a whole number"),
    ({"sample_rate": True}, r"sample_rate must be a number in \(0, 1\]"),
])
def test_option_values_are_checked_before_anything_runs(raw: Path, options: dict, said: str) -> None:
    before = _runs(raw)
    with pytest.raises(ValueError, match=said):
        api.analyze(raw, election="us-2016", only=["impact", "estimates"], with_deps=True, options=options, log=None)
    assert _runs(raw) == before


def test_an_impact_party_the_election_lacks_is_refused(raw: Path) -> None:
    before = _runs(raw)
    with pytest.raises(ValueError, match=r"no party 'labour' in us-2016; parties: .*dem"):  # was "ok", 0 rows
        api.analyze(raw, election="us-2016", only=["impact"], with_deps=True, options={"impact_parties": ["labour"]}, log=None)
    assert _runs(raw) == before


# -- pandas: counts stay whole numbers and flags stay true/false where some are missing ---------------
def test_pandas_keeps_whole_numbers_and_flags_with_missing_values(tmp_path: Path) -> None:
    import pandas as pd

    path = tmp_path / "s.duckdb"
    with botwatch.Study(path) as st:
        st.sql("CREATE TABLE flags AS SELECT * FROM (VALUES ('1', 3::BIGINT, true), ('2', NULL, NULL), ('3', 0, false)) t(account_id, n_posts, likely_automated)")
    with botwatch.open_study(path) as st:
        df = st.pandas("flags")
    assert str(df["n_posts"].dtype) == "Int64" and df["n_posts"].tolist()[::2] == [3, 0]  # was float64: 3.0, NaN, 0.0
    assert str(df["likely_automated"].dtype) == "boolean"
    assert df[df["likely_automated"]]["account_id"].tolist() == ["1"]  # was "Cannot mask with non-boolean array containing NA"
    assert df["n_posts"].isna().tolist() == [False, True, False] and df["n_posts"][1] is pd.NA


def test_analyze_of_a_study_with_nothing_in_it_runs_no_stage(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    botwatch.Study(path).close()
    with pytest.raises(botwatch.StudyError, match="holds no posts .*nothing to analyze, no stage was run"):
        api.analyze(path, election="us-2016", log=None)  # was every stage "ok", and 72 estimates rows of nothing
    assert _runs(path) == []


@pytest.mark.parametrize("workers", ["2", 0, 2.5])
def test_ingest_workers_of_the_wrong_kind_is_a_value_error(tmp_path: Path, workers: object) -> None:
    export = tmp_path / "export.csv"
    export.write_text("account_id,created_at,text\na1,2017-05-20T09:15:00Z,hello\n", encoding="utf-8")
    with pytest.raises(ValueError, match="workers must be a whole number of at least 1"):  # "2": every file failed with a TypeError
        api.ingest(tmp_path / "s.duckdb", [export], workers=workers, columns="account_id=account_id,created_at=created_at,text=text")
    assert not (tmp_path / "s.duckdb").exists()


def test_analyze_says_the_clis_warnings_to_log(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text("account_id,created_at,text\na1,2017-05-20T09:15:00Z,hello there\n", encoding="utf-8")
    api.ingest(tmp_path / "s.duckdb", [export], columns="account_id=account_id,created_at=created_at,text=text")
    lines: list[str] = []
    api.analyze(tmp_path / "s.duckdb", election="us-2016", only=["content"], log=lines.append)
    said = [line for line in lines if line.startswith("warning: ")]  # botwatch analyze warns; the API said nothing
    assert any("falls in the US presidential election 2016 window" in line for line in said)
    # With every post outside the window the party line blames the window, not the parties' terms (2026-12-07).
    assert any("no post in the study falls in the US presidential election 2016 window, so none names its parties" in line for line in said)


def test_ingest_of_a_folder_holding_the_study_leaves_the_study_aside(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "export.csv").write_text("account_id,created_at,text\na1,2017-05-20T09:15:00Z,hello\n", encoding="utf-8")
    study = folder / "s.duckdb"
    cols = "account_id=account_id,created_at=created_at,text=text"
    api.ingest(study, [folder], columns=cols)
    again = api.ingest(study, folder, columns=cols)  # the study (and its log) were read as inputs here
    assert [Path(f.source).name for f in again.files] == ["export.csv"]
    assert any("the study this call writes" in n for n in again.notes)
    with botwatch.open_study(study) as st:
        assert st.count("rejected") == 0 and st.count("posts") == 1


def test_account_warns_when_the_name_may_mean_other_accounts(tmp_path: Path) -> None:
    """`account(st, "@alice")` returned the account with most posts with no word of the others the
    name answers to (on another platform, or a Mastodon namesake of another instance), where
    `botwatch explain` warns and lists them: a notebook could not tell it had picked one of several."""
    import warnings

    path = tmp_path / "m.duckdb"
    with botwatch.open_study(path, read_only=False) as st:
        st.sql("CREATE TABLE accounts_scored AS SELECT * FROM (VALUES "
               "('mastodon', 'https://a.social/@alice', 'alice', 0.2::DOUBLE, 3), ('mastodon', 'https://b.social/@bob', 'bob@b.social', 0.4::DOUBLE, 2), "
               "('mastodon', 'https://c.social/@alice', 'alice@c.social', 0.3::DOUBLE, 9), ('twitter', '5', 'bob', 0.1::DOUBLE, 7), "
               "('twitter', '6', 'carol', 0.1::DOUBLE, 1)) t(platform, account_id, handle, bot_probability, n_posts)")
        with pytest.warns(api.AmbiguousAccountWarning) as said:
            got = api.account(st, "@alice")
        assert got["account_id"] == "https://a.social/@alice" and said[0].message.others == [("mastodon", "https://c.social/@alice")]
        with pytest.warns(api.AmbiguousAccountWarning) as said:
            got = api.account(st, "@bob")
        w = said[0].message
        assert (got["account_id"], w.chosen, w.others) == ("5", ("twitter", "5"), [("mastodon", "https://b.social/@bob")]), str(w)
        assert "call account(study, 'https://b.social/@bob', platform='mastodon')" in str(w) and w.key == "@bob"
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # one account so named: no warning
            assert api.account(st, "carol")["account_id"] == "6"
            assert api.account(st, "alice@a.social")["account_id"] == "https://a.social/@alice"  # named with its instance: no other


def test_account_not_found_names_the_mastodon_accounts_it_may_mean(tmp_path: Path) -> None:
    """`account(st, "@alice")` where the study holds only alice@b.social was a bare "no account",
    where `botwatch explain` names the Mastodon account it may mean."""
    path = tmp_path / "m.duckdb"
    with botwatch.open_study(path, read_only=False) as st:
        st.sql("CREATE TABLE accounts_scored AS SELECT 'mastodon' AS platform, 'https://b.social/@alice' AS account_id, "
               "'alice@b.social' AS handle, 0.2::DOUBLE AS bot_probability, 3 AS n_posts")
        with pytest.raises(LookupError, match=r"no account '@alice' .*may mean, by account id: https://b\.social/@alice$"):
            api.account(st, "@alice")
        with pytest.raises(LookupError, match=r"\(by handle or account id\)$"):
            api.account(st, "@bob")
