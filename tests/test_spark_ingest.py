"""`ingest --engine spark` into a lake builds the tables a DuckDB ingest builds from the same files.

The same files go, in the same order and the same calls, into a DuckDB study and into a lake
on the shared local Spark session: the bundled sample (v1.1 JSON array, v2 pages, IRA CSVs), the
committed slices (a v2 stream ending in a cut record), an unreadable file and a missing one; then
a second call with files that overlap the first (the v1.1 statuses again as a JSON array, a
file changed since it was read, a file given twice); then a third call, through the command line, that re-reads everything.
"""

from __future__ import annotations

import gzip
import math
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from botwatch import open_study
from botwatch.engines.lake import LAKE_MARKER, naive_utc, table_path
from botwatch.ingest.runner import FileResult, IngestSummary, ingest

pytestmark = pytest.mark.spark
REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "src" / "botwatch" / "data" / "sample"
FIX = REPO / "tests" / "fixtures" / "ingest"
TABLES = ["posts", "account_snapshots", "accounts", "rejected", "sources"]


def _rows(table: pa.Table) -> list[tuple[Any, ...]]:
    """A table's rows as sorted tuples (lists as tuples, NaN as None), for an exact comparison.

    Built column by column and sorted by each row's `repr`: the same rows as converting row by
    row and sorting on every value's `str`, in a third of the time (0.22 against 0.49 CPU-s for
    the sample's 29,052 posts; this fixture converts such a table six times)."""
    def column(col: pa.ChunkedArray) -> list[Any]:
        values = col.to_pylist()
        if pa.types.is_list(col.type) or pa.types.is_large_list(col.type):
            return [None if v is None else tuple(v) for v in values]
        if pa.types.is_floating(col.type):
            return [None if v is not None and math.isnan(v) else v for v in values]
        return values

    return sorted(zip(*(column(c) for c in table.columns)), key=repr)


def _duck_tables(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with open_study(path) as st:
        out = {t: _rows(_comparable(t, st.arrow(t))) for t in TABLES}
        if "rejected_earlier" in st.tables():
            # A DuckDB study moves the bad records a grown or changed file no longer gives (here the
            # cut last line of `stream.jsonl`, merged with the line appended to it) to
            # `rejected_earlier`, as a lake does (docs/ingest-csv.md).
            earlier = st.arrow("rejected_earlier").drop_columns(["replaced_at"])
            out["rejected"] = sorted(out["rejected"] + _rows(_comparable("rejected", earlier)), key=repr)
        return out


def _lake_tables(lake: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The lake's tables as stored (Parquet read by Arrow: Spark's part files and Arrow's alike),
    with `rejected_earlier` added to `rejected` as for a DuckDB study: a lake moves a changed
    file's earlier bad records there too."""
    out = {t: _rows(_comparable(t, naive_utc(pq.read_table(table_path(str(lake), t))))) for t in TABLES}
    earlier_path = Path(table_path(str(lake), "rejected_earlier"))
    if earlier_path.exists():
        earlier = naive_utc(pq.read_table(earlier_path)).drop_columns(["replaced_at"])
        out["rejected"] = sorted(out["rejected"] + _rows(_comparable("rejected", earlier)), key=repr)
    return out


def _comparable(name: str, table: pa.Table) -> pa.Table:
    """`ingested_at` is when a file was stored: the one column the two runs cannot share."""
    from botwatch.schema import CANONICAL

    table = table.select(CANONICAL[name].names).cast(CANONICAL[name])
    return table.drop_columns(["ingested_at"]) if name == "sources" else table


def _results(summary: IngestSummary) -> list[FileResult]:
    return list(summary.files)


@pytest.fixture(scope="module")
def calls(spark, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Three ingest calls into a DuckDB study and into a lake, with each engine's tables after each."""
    from botwatch.engines.spark_ingest import ingest_lake

    work = tmp_path_factory.mktemp("spark_ingest")
    changing = work / "stream.jsonl"  # read in call 1, grown by one (repeated) page before call 2
    lines = gzip.open(FIX / "twarc2_stream_with_error.jsonl.gz", "rt", encoding="utf-8").read().splitlines(keepends=True)
    changing.write_text("".join(lines), encoding="utf-8")
    unreadable = work / "noise.bin"
    unreadable.write_bytes(bytes(range(256)) * 8)
    first = [*(str(p) for p in sorted(SAMPLE.glob("*.gz"))), str(FIX / "v1_uklabour.jsonl"), str(changing), str(unreadable), str(work / "missing.jsonl")]
    second = [str(FIX / "v1_uklabour_array.json.gz"), str(FIX / "twarc2_flat.jsonl"), str(FIX / "twarc2_users.jsonl"), str(changing),
              str(FIX / "ira_authors.csv"), str(FIX / "ira_authors.csv")]
    lake, duck = work / "lake", work / "study.duckdb"
    out: dict[str, Any] = {"lake": lake, "duck": duck}
    for n, files in enumerate([first, second], start=1):
        if n == 2:
            with changing.open("a", encoding="utf-8") as f:
                f.write(lines[0])
        with open_study(duck, read_only=False) as st:
            out[f"duck{n}"] = _results(ingest(st, files, workers=1))
        out[f"lake{n}"] = _results(ingest_lake(spark, str(lake), files))
        out[f"duck_tables{n}"], out[f"lake_tables{n}"] = _duck_tables(duck), _lake_tables(lake)
    # Call 3, through the command line on both engines: everything again (all skipped or failed).
    from typer.testing import CliRunner

    from botwatch.cli import app

    # Without progress lines: the two outputs are compared whole, and the Spark ingest prints one
    # every 30 s in a pipe (`ReadingLog`), which a loaded machine reaches.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BOTWATCH_PROGRESS_SECONDS", "inf")
        out["duck_cli"] = CliRunner().invoke(app, ["ingest", str(duck), *first, *second, "--results-json", str(work / "duck.results")])
        out["lake_cli"] = CliRunner().invoke(app, ["ingest", "--engine", "spark", str(lake), *first, *second, "--results-json", str(work / "lake.results")])
    out["duck_results"], out["lake_results"] = ((work / f"{e}.results").read_text(encoding="utf-8") for e in ("duck", "lake"))
    out["duck_tables3"], out["lake_tables3"] = _duck_tables(duck), _lake_tables(lake)
    return out


@pytest.mark.parametrize("call", [1, 2])
def test_lake_tables_equal_duckdb_tables(calls: dict[str, Any], call: int) -> None:
    duck, lake = calls[f"duck_tables{call}"], calls[f"lake_tables{call}"]
    assert len(duck["posts"]) > 29_000 and duck["rejected"], "the files must give posts and bad records to compare"
    for name in TABLES:
        assert len(lake[name]) == len(duck[name]), name
        assert lake[name] == duck[name], name


@pytest.mark.parametrize("call", [1, 2])
def test_each_file_reports_what_duckdb_reports(calls: dict[str, Any], call: int) -> None:
    assert calls[f"lake{call}"] == calls[f"duck{call}"]


def test_the_command_prints_what_the_duckdb_command_prints(calls: dict[str, Any]) -> None:
    duck, lake = calls["duck_cli"], calls["lake_cli"]
    # One input (missing.jsonl) failed beside the skipped ones, and the unreadable one is refused
    # again with its reason (not skipped as "already ingested"): both engines exit 1 and say so.
    assert lake.exit_code == duck.exit_code == 1, lake.output
    flat = " ".join(lake.output.split())
    assert "2 of 14 inputs failed (1 missing: no such file; 1 unreadable: not a format botwatch reads)" in flat, lake.output
    assert "Traceback" not in lake.output and "Ingest summary" in lake.output
    lines = lake.output.splitlines()
    assert sum(ln.startswith("skipped ") for ln in lines) == 12 and sum(ln.startswith("failed ") for ln in lines) == 1
    assert sum(ln.startswith("unreadable ") and "noise.bin" in ln and "binary file" in ln for ln in lines) == 1
    assert lake.output.replace(str(calls["lake"]), "STUDY") == duck.output.replace(str(calls["duck"]), "STUDY")
    # The outcomes collect's follow mode reads (`--results-json`): the same on both engines.
    import json

    status = [json.loads(line)["status"] for line in calls["lake_results"].splitlines()]
    assert calls["lake_results"] == calls["duck_results"]
    assert (status.count("skipped"), status.count("failed"), status.count("unreadable")) == (12, 1, 1), status


def test_a_second_call_merges_and_a_third_adds_nothing(calls: dict[str, Any]) -> None:
    second = {Path(r.source).name: r for r in calls["lake2"]}
    # The v1.1 statuses stored in call 1 stay first: the array file's copies are duplicates.
    assert second["v1_uklabour_array.json.gz"].stored == 0 and second["v1_uklabour_array.json.gz"].duplicates == 6
    assert second["stream.jsonl"].skipped is None and second["stream.jsonl"].stored == 0  # changed, read again, nothing new
    assert calls["lake2"][-1].skipped is not None  # the same file twice in one call: read once
    assert calls["lake_tables3"] == calls["lake_tables2"] and calls["duck_tables3"] == calls["duck_tables2"]
    runs = pq.read_table(table_path(str(calls["lake"]), "runs")).to_pylist()
    assert sorted(r["stage"] + r["status"] for r in runs) == ["ingestok"] * 3
    assert (calls["lake"] / LAKE_MARKER).is_file()


def test_unreadable_and_missing_files_are_reported_not_raised(calls: dict[str, Any]) -> None:
    first = {Path(r.source).name: r for r in calls["lake1"]}
    assert first["missing.jsonl"].error == "no such file"
    assert first["noise.bin"].rejected == 1 and first["noise.bin"].error is None
    rejected = calls["lake_tables1"]["rejected"]
    assert any(r[0].endswith("noise.bin") and r[1] == 0 for r in rejected)
    assert any(r[0].endswith("stream.jsonl") and r[1] > 0 for r in rejected)
