"""Shared fixtures: the real data beside the repo (skipped with a reason when absent), a study
built from committed fixtures, and one SparkSession for every Spark test."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# One BLAS thread per test process. The suite runs two xdist workers on two cores, and the tests'
# linear algebra is small (a few hundred rows: logistic regressions, calibrations, t-tests), where
# OpenBLAS's second thread only spins against the other worker: tests/test_cv_stacking.py took
# 28.6 CPU-s (172 s wall under load) with OpenBLAS's default of two threads and 6.3 CPU-s (23 s)
# with one. Which thread adds up a product changes no value a test reads (every assertion passes
# either way). The variable reaches what the tests start (CLI subprocesses, spawned ingest and
# content workers, Spark's Python workers); threadpoolctl sets a BLAS already loaded here (numpy
# imported by a plugin first). BOTWATCH_TEST_BLAS_THREADS overrides (e.g. to measure).
_BLAS_THREADS = os.environ.get("BOTWATCH_TEST_BLAS_THREADS", "1")
for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, _BLAS_THREADS)
# `collect bluesky` looks up each kept account's profile at Bluesky's public AppView by default: no
# test may reach the network, so the suite turns the lookups off (the CLI's --profiles/--no-profiles
# reads the variable; it reaches the CLI subprocesses too). The profile tests pass --profiles and a
# fake AppView's --appview.
os.environ.setdefault("BOTWATCH_BLUESKY_PROFILES", "0")
try:
    from threadpoolctl import threadpool_limits

    threadpool_limits(int(_BLAS_THREADS), user_api="blas")
except ImportError:  # scikit-learn (the train extra) brings it; without it the variable is all there is
    pass
# In-process CLI calls reuse the Click command tree typer built for the app (about 30 ms of CPU a
# call, thousands of calls: testsupport/cli_commands.py). BOTWATCH_TEST_CLI_REBUILD=1 rebuilds it
# every call, as typer's CliRunner does by itself (to measure the difference).
if not os.environ.get("BOTWATCH_TEST_CLI_REBUILD"):
    from testsupport.cli_commands import build_commands_once

    build_commands_once()


@pytest.fixture(scope="module")
def vader_library_left_to_right() -> Iterator[None]:
    """vaderSentiment adding a post's valences left to right (`numeric.sum_left_to_right`), as
    on Python 3.11, where the shipped models were fitted: from 3.12 the library's builtin `sum`
    compensates, while `FastAnalyzer` keeps 3.11's additions on every version. The tests that
    hold the fast analyzer to the library compare it with this library, so they hold on any
    Python (on 3.11 the library's answers are unchanged)."""
    from vaderSentiment import vaderSentiment

    from botwatch.numeric import sum_left_to_right

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(vaderSentiment, "sum", sum_left_to_right, raising=False)
        yield


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or skip: the core suite must pass for someone who clones the repo alone."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not present at {SHARED_DATA} (clone with ../shared beside the repo to run this test)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def sample_files() -> list[Path]:
    """The bundled sample shipped in the package (real data, see its ATTRIBUTION.md)."""
    base = REPO / "src" / "botwatch" / "data" / "sample"
    return sorted(base.glob("*.gz"))


@pytest.fixture(scope="session")
def sample_study_path(tmp_path_factory: pytest.TempPathFactory, sample_files: list[Path]) -> Path:
    """A study with the bundled sample ingested once per test run, shared by the xdist workers
    (`built_once`; tests copy it before writing)."""
    from botwatch import open_study
    from botwatch.ingest.runner import ingest
    from testsupport.study_copies import built_once

    def build(path: Path) -> None:
        with open_study(path, read_only=False) as st:
            ingest(st, [str(p) for p in sample_files])

    return built_once(tmp_path_factory, "sample", "sample.duckdb", build)


@pytest.fixture(scope="session")
def sample_data(sample_study_path: Path) -> "object":
    """The accounts stage's inputs (`features.build`, an `AccountData`) of the sample study, built
    once per session, read only: tests that change it work on a copy."""
    from botwatch import open_study
    from botwatch.accounts import features as feats

    with open_study(sample_study_path) as st:
        return feats.build(st)


@pytest.fixture()
def sample_study(sample_study_path: Path, tmp_path: Path) -> Iterator["object"]:
    """A private, writable copy of the sample study."""
    from botwatch import open_study

    dst = tmp_path / "study.duckdb"
    shutil.copy(sample_study_path, dst)
    with open_study(dst, read_only=False) as st:
        yield st


@pytest.fixture(scope="module")
def browser() -> Iterator["object"]:
    """One headless Chromium for the browser tests of a module (`testsupport.browser`); tests open
    their own context (`Page`, or `new_page()` and its context closed) and never close the browser;
    skipped with the reason where Chromium or Playwright is absent. Module-scoped, not one per
    worker: while Playwright's sync API is open, its event loop counts as running in the thread, so
    every later `asyncio.run` of that worker (the collectors' tests) failed with "asyncio.run()
    cannot be called from a running event loop" (86 tests in a full run, docs/testing.md)."""
    from testsupport.browser import launched

    with launched() as b:
        yield b


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: "object") -> "object | None":
    """Under `--dist loadfile` (what CI runs), the files holding Spark tests are one work unit, so
    one worker starts the suite's only Spark JVM and the other runs the rest meanwhile
    (`testsupport.spark_together`; docs/testing.md, stop 74). BOTWATCH_TEST_SPARK_SPREAD=1 keeps
    xdist's own file-by-file split (to measure the difference). Other --dist modes are untouched."""
    if config.getvalue("dist") != "loadfile" or os.environ.get("BOTWATCH_TEST_SPARK_SPREAD"):
        return None
    from testsupport.spark_together import SparkFilesTogether, spark_files

    return SparkFilesTogether(config, log, spark_files(config.rootpath, Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def spark() -> Iterator["object"]:
    """One local SparkSession (JVM start-up is ~10 s) shared by every Spark test of a worker
    (under xdist, one JVM per worker). Tests must not stop it or change its session-wide
    configuration; a test that needs another setting sets it and restores it."""
    pyspark = pytest.importorskip("pyspark", reason="PySpark not installed: pip install botwatch[spark]")
    os.environ.setdefault("PYSPARK_PYTHON", os.sys.executable)  # type: ignore[attr-defined]
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("botwatch-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.memory", "2g")
        # Spark compiles each query's generated Java (Janino) and keeps 100 compiled classes; the
        # tests' JVM runs the same ingest and stage queries over and over on tiny data, where that
        # compiling is the largest part of the JVM's CPU (a quarter of it in a Flight Recorder
        # profile of tests/test_spark_ingest_rereads.py). A larger cache compiles each distinct
        # class once: the same generated code, only not compiled again (docs/testing.md).
        .config("spark.sql.codegen.cache.maxEntries", os.environ.get("BOTWATCH_TEST_SPARK_CODEGEN_CACHE", "2000"))
        # The tests' JVM lives minutes and runs thousands of tiny jobs, so HotSpot's optimising
        # (C2) tier and parallel collector cost more than they give back: the quick C1 tier and
        # the serial collector take the JVM's CPU on test_timeline_spark + test_accounts_spark
        # from 75-80 to 41-44 CPU-seconds (docs/performance.md, "Tests"). They change how the
        # JVM compiles and collects, never what a query computes, so every parity check
        # compares the same values.
        # With the C1 tier alone HotSpot reserves 48 MB for compiled code, and the JIT-compiled
        # methods of thousands of Janino-generated classes fill it: the code cache sweeper then
        # flushes and the C1 compiler compiles again, 5-7 CPU-s (the "Sweeper thread") of the
        # parity fixture's ~100 (docs/performance.md, "Tests (2026-12-04)"). 512 MB is reserved
        # address space, committed only as code is compiled. Like the options above it changes
        # how the JVM compiles, never what a query computes.
        # BOTWATCH_TEST_SPARK_JAVA_OPTIONS replaces them (set it empty for the JVM's defaults,
        # to measure the difference).
        .config("spark.driver.extraJavaOptions", os.environ.get("BOTWATCH_TEST_SPARK_JAVA_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:ReservedCodeCacheSize=512m"))
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="session")
def labelled_sample_path(sample_study_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The bundled sample with the content stage run for us-2016, once per test run (shared by the
    xdist workers, `built_once`): six modules each ran that stage for themselves. Shared and read
    only: a test that writes takes a copy (`labelled_sample_copy`, or `testsupport.study_copies.copy_study`
    for a module fixture that builds on it); each worker's session end fails if the file changed."""
    from testsupport.study_copies import built_once, digest, labelled_sample, unchanged

    path = built_once(tmp_path_factory, "labelled", "labelled.duckdb", lambda dst: labelled_sample(sample_study_path, dst))
    before = digest(path)
    yield path
    unchanged(path, before)


@pytest.fixture()
def labelled_sample_copy(labelled_sample_path: Path, tmp_path: Path) -> Path:
    """A private, writable copy of `labelled_sample_path` (its path)."""
    from testsupport.study_copies import copy_study

    return copy_study(labelled_sample_path, tmp_path / "labelled.duckdb")


@pytest.fixture(scope="session")
def analysed_sample_path(sample_study_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample analysed once per test run with us-2016, every stage, shared by the
    xdist workers (`built_once`; tests copy it before writing)."""
    from botwatch import open_study
    from botwatch.elections import load_election
    from botwatch.pipeline import Context, analyze
    from testsupport.study_copies import built_once

    def build(dst: Path) -> None:
        shutil.copy(sample_study_path, dst)
        with open_study(dst, read_only=False) as st:
            analyze(st, Context(election=load_election("us-2016"), log=lambda m: None))

    return built_once(tmp_path_factory, "analysed", "s.duckdb", build)


@pytest.fixture(scope="session")
def scored_us_sample_path(sample_study_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The bundled sample after the command line's `analyze --election us-2016 --only accounts`,
    once per test run (shared by the xdist workers, `built_once`): `test_no_election` and
    `test_recorded_election_reuse` each began with that same command on their own copies. Shared and
    read only: a test that writes takes a copy (`testsupport.study_copies.copy_study`); each worker's
    session end fails if the file changed. The study file is named `s.duckdb`, as the copies the tests made were."""
    yield from _shared_after_command(tmp_path_factory, "scored_us", sample_study_path, ["--election", "us-2016", "--only", "accounts"])


@pytest.fixture(scope="session")
def reanalysed_none_sample_path(analysed_sample_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`analysed_sample_path` (every stage, us-2016) after the command line's whole `analyze
    --no-election --sample-rate 0.01` (the rate for test_no_election's Methods test, which reads
    it; no other reader depends on it), once per test run (shared by the xdist workers,
    `built_once`): `test_no_election` and `test_report_stale_inputs` each ran that same pair of
    whole analyses (some 4 CPU-s). Shared and read only: a test that writes takes a copy
    (`testsupport.study_copies.copy_study`); each worker's session end fails if the file changed.
    The study file is named `s.duckdb`, as the copies the tests made were."""
    yield from _shared_after_command(tmp_path_factory, "reanalysed_none", analysed_sample_path, ["--no-election", "--sample-rate", "0.01"])


def _shared_after_command(tmp_path_factory: pytest.TempPathFactory, key: str, start: Path, analyze_args: list[str]) -> Iterator[Path]:
    """A copy of the study `start` after the command line's `analyze COPY *analyze_args`, built once
    per test run under `key` (shared by the xdist workers, `built_once`) and yielded read only: each
    worker's session end fails if the file changed. The session fixtures that share one such run."""
    from typer.testing import CliRunner

    from botwatch.cli import app
    from testsupport.study_copies import built_once, copy_study, digest, unchanged

    def build(path: Path) -> None:
        copy_study(start, path)
        res = CliRunner().invoke(app, ["analyze", str(path), *analyze_args])
        assert res.exit_code == 0, res.output

    path = built_once(tmp_path_factory, key, "s.duckdb", build)
    before = digest(path)
    yield path
    unchanged(path, before)


@pytest.fixture(scope="session")
def uk_analysed_v1_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`tests/fixtures/ingest/v1_uklabour.jsonl` (@UKLabour's six posts) after the command line's
    `ingest` and a whole `analyze --election uk-ge2017`, both exit 0, once per test run (shared by
    the xdist workers, `built_once`): test_report_stale_inputs' advice walk and test_cli_newuser's
    refusal of posts labelled for another election each began with that same pair (some 3 CPU-s).
    Shared and read only: a test that writes takes a copy (`testsupport.study_copies.copy_study`);
    each worker's session end fails if the file changed. The study file is named `s.duckdb`, as
    the tests' own studies were."""
    from typer.testing import CliRunner

    from botwatch.cli import app
    from testsupport.study_copies import built_once, digest, unchanged

    def build(path: Path) -> None:
        runner = CliRunner()
        for args in (["ingest", str(path), str(FIXTURES / "ingest" / "v1_uklabour.jsonl")], ["analyze", str(path), "--election", "uk-ge2017"]):
            res = runner.invoke(app, args)
            assert res.exit_code == 0, res.output

    path = built_once(tmp_path_factory, "uk_analysed_v1", "s.duckdb", build)
    before = digest(path)
    yield path
    unchanged(path, before)


@pytest.fixture(scope="session")
def hostile_report_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`testsupport.report_synthetic.build_hostile_report`'s page (hostile v1.1 statuses through the
    real ingest, every stage, the report with its exports beside it), once per test run (shared by
    the xdist workers, `built_once`): test_report_frame read it and test_report_browser built the
    same one again to open in Chromium. Shared and read only (its study is `hostile.duckdb` in the
    same folder); each worker's session end fails if the page changed."""
    from testsupport.report_synthetic import build_hostile_report
    from testsupport.study_copies import built_once, digest, unchanged

    path = built_once(tmp_path_factory, "hostile_report", "report.html", lambda dst: build_hostile_report(dst.parent))
    before = digest(path)
    yield path
    unchanged(path, before)


@pytest.fixture()
def nz_hours_study(tmp_path: Path) -> tuple[str, Path]:
    """A CSV of 3 accounts with no profile keeping New Zealand hours (216 posts tagged #vote, which
    name no party) and a New Zealand election file: (the CSV's path, the election file). Accounts
    whose only origin evidence is their hours, so their probability is the prior's."""
    import csv
    from datetime import datetime, timedelta, timezone

    f = tmp_path / "posts.csv"
    local = [8, 9, 10, 12, 13, 15, 17, 18, 19, 20, 21, 22]  # New Zealand clock hours (UTC+12 in September)
    with f.open("w", newline="") as out:
        w = csv.writer(out)
        w.writerow(["post_id", "account_id", "created_at", "text"])
        for a in range(3):
            for d in range(6):
                for i, h in enumerate(local):
                    t = datetime(2017, 9, 1 + 2 * d, h, 7 * a + i, tzinfo=timezone.utc) - timedelta(hours=12)
                    w.writerow([f"{a}-{d}-{i}", f"u{a}", t.strftime("%Y-%m-%dT%H:%M:%SZ"), f"#vote {a} {d} {i}"])
    (tmp_path / "nz.toml").write_text('key = "nz-2017"\nname = "NZ 2017"\ncountry = "NZ"\ntimezone = "Pacific/Auckland"\n'
                                      'trigger_date = 2017-06-01\npolling_day = 2017-09-23\nhashtags = ["vote"]\n\n'
                                      '[[parties]]\nkey = "a"\nname = "A"\nkeywords = ["government"]\n')
    return str(f), tmp_path / "nz.toml"


@pytest.fixture()
def x_clock(monkeypatch: pytest.MonkeyPatch) -> "object":
    """`collect x --search` tests: the collector's clock, `x_clock.shift` ahead of this machine's
    (a re-run days later; `testsupport.x_search.shifted_clock`)."""
    from testsupport.x_search import shifted_clock

    return shifted_clock(monkeypatch)
