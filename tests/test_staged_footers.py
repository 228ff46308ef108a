"""`engines/staged_footers.py`: which files the Spark ingest's staging folder holds rows of, read
from Parquet footers, and the driver's match of bad records as `_Merge.retire_rejected` joins them.
The footer tests need no Spark: the folder is written by Arrow in the staging layout
(`_kind=KIND/part-*.parquet`). One test compares the driver's match with Spark's join itself."""

from __future__ import annotations

import itertools
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from botwatch.engines.lake_arrow import read_local_parts
from botwatch.engines import staged_footers
from botwatch.engines.staged_footers import MATCH_ROWS, any_matched, any_unmatched, files_holding, small_text, staged_rejected

REJ = pa.struct([("source", pa.string()), ("line", pa.int64()), ("error", pa.string()), ("raw", pa.string())])


def _given(folder: str | None, kept: list[int], sources: list[str]) -> list[tuple[object, ...]] | None:
    """`staged_rejected` as the merge calls it: with the footers' answer of which files hold bad records."""
    return staged_rejected(folder, kept, sources, files_holding(folder, "rejected", kept))


def _part(folder: Path, kind: str, name: str, files: list[int], rows: list[dict[str, object]] | None = None, **kw: object) -> None:
    (folder / f"_kind={kind}").mkdir(parents=True, exist_ok=True)
    rej = rows or [{"source": "a", "line": i, "error": "e", "raw": None} for i in range(len(files))]
    table = pa.table({"_file": pa.array(files, pa.int64()), "rej": pa.array(rej, REJ)})
    pq.write_table(table, folder / f"_kind={kind}" / name, **kw)  # type: ignore[arg-type]


def test_files_holding_reads_each_row_groups_file_range(tmp_path: Path) -> None:
    _part(tmp_path, "rejected", "part-0.parquet", [2, 2])
    _part(tmp_path, "rejected", "part-1.parquet", [5])
    assert files_holding(str(tmp_path), "rejected", [1, 2, 3]) == {2}  # 5 is not kept
    assert files_holding(str(tmp_path), "rejected", [2, 5]) == {2, 5}
    _part(tmp_path, "rejected", "part-2.parquet", [7, 9])  # one row group from 7 to 9: 8 may be there
    assert files_holding(str(tmp_path), "rejected", [8]) == {8}


def test_a_kind_without_rows_has_no_folder_and_an_unknown_folder_says_none(tmp_path: Path) -> None:
    _part(tmp_path, "rejected", "part-0.parquet", [0])
    assert files_holding(str(tmp_path), "snapshots", [0]) == set()
    assert files_holding(str(tmp_path / "gone"), "rejected", [0]) is None
    assert files_holding("s3a://bucket/staged", "rejected", [0]) is None
    assert files_holding(None, "rejected", [0]) is None
    _part(tmp_path, "posts", "part-0.parquet", [0], write_statistics=False)
    assert files_holding(str(tmp_path), "posts", [0]) is None  # no statistics: Spark decides


def test_staged_rejected_gives_the_kept_files_rows_of_the_sources(tmp_path: Path) -> None:
    rows = [{"source": "a", "line": 1, "error": "e", "raw": "x"}, {"source": "b", "line": 2, "error": "e", "raw": None},
            {"source": "a", "line": 3, "error": "e", "raw": None}]
    _part(tmp_path, "rejected", "part-0.parquet", [0, 0, 1], rows)
    assert _given(str(tmp_path), [0], ["a"]) == [("a", 1, "e", "x")]
    assert sorted(_given(str(tmp_path), [0, 1], ["a", "b"]) or [], key=str) == [("a", 1, "e", "x"), ("a", 3, "e", None), ("b", 2, "e", None)]
    assert _given(str(tmp_path), [4], ["a"]) == []  # no kept file holds any
    assert _given(None, [0], ["a"]) is None
    # The merge hands in its answer for all its files (`_Merge._footers`): the same rows for any of them.
    assert staged_rejected(str(tmp_path), [0], ["a"], {0, 1}) == [("a", 1, "e", "x")]
    assert staged_rejected(str(tmp_path), [4], ["a"], {0, 1}) == []


def test_staged_rejected_leaves_many_rows_to_spark(tmp_path: Path) -> None:
    _part(tmp_path, "rejected", "part-0.parquet", [0] * (MATCH_ROWS + 1))
    assert _given(str(tmp_path), [0], ["a"]) is None


def test_staged_rejected_leaves_much_text_to_spark(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A few rows whose raw text is long (up to 16,000 bytes each) took hundreds of MB at the
    driver: past `MATCH_BYTES` of text, as the footers give it, Spark compares them (the bound
    is lowered here so the rows stay small)."""
    rows = [{"source": "a", "line": i, "error": "e", "raw": "\U0001f600" * 100} for i in range(3)]  # 400 bytes each
    _part(tmp_path, "rejected", "part-0.parquet", [0, 0, 0], rows)
    monkeypatch.setattr(staged_footers, "MATCH_BYTES", 10_000)
    assert _given(str(tmp_path), [0], ["a"]) is not None
    monkeypatch.setattr(staged_footers, "MATCH_BYTES", 1_000)
    assert _given(str(tmp_path), [0], ["a"]) is None


def test_small_text_sums_a_columns_bytes_from_the_footers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The footers' uncompressed size of the column, summed over parts (page headers and
    statistics count too: an upper bound of the text)."""
    monkeypatch.setattr(staged_footers, "MATCH_BYTES", 5_000)
    (tmp_path / "t").mkdir()
    pq.write_table(pa.table({"raw": ["x" * 100]}), tmp_path / "t" / "part-0.parquet")
    assert small_text(str(tmp_path / "t"), "raw") and not small_text(str(tmp_path / "t"), "other")  # a column it lacks: cannot say
    pq.write_table(pa.table({"raw": ["y" * 5_000]}), tmp_path / "t" / "part-1.parquet")
    assert not small_text(str(tmp_path / "t"), "raw")  # over 5,000 bytes over the two parts
    assert not small_text(str(tmp_path / "gone"), "raw")


def test_the_match_is_the_joins_raw_null_safe_and_nothing_else() -> None:
    given = [("a", 1, "e", None), ("a", 2, "e", "x")]
    assert not any_unmatched([("a", 1, "e", None), ("a", 2, "e", "x")], given)
    assert any_unmatched([("a", 2, "e", "y")], given)  # another text at that line
    assert any_unmatched([("a", None, "e", None)], [("a", None, "e", None)])  # a NULL line equals nothing
    assert not any_unmatched([], given)
    assert any_matched([("a", 1, "e", None)], given) and not any_matched([("a", None, "e", None)], [("a", None, "e", None)])
    assert not any_matched([("a", 3, "e", None)], given)


@pytest.mark.spark
def test_the_drivers_match_is_sparks_join_on_adversarial_rows(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Row by row, the bad records `any_unmatched` and `any_matched` find are those Spark's
    anti- and semi-join in `_Merge.retire_rejected` find, on rows that differ by case, trailing
    space, Unicode normalisation, an empty string or NULL in each column, a NUL character, a
    duplicate: both sides written by Spark and read back as the ingest reads them."""
    from pyspark.sql import functions as F

    key = ["source", "line", "error", "raw"]
    pool = list(itertools.product(["a", "a ", "A", "\u00e9", "e\u0301", "", None], [1, None, 2**62], ["e", "E", "", None, "e\x00"],
                                  [None, "", "x", "x ", "X", "\u00e9", "e\u0301", "nan"]))
    given, held = pool[::3] + pool[:2], pool[::2]  # every other row of `held` has an equal in `given`, or would but for a NULL
    rej = "struct<source:string,line:bigint,error:string,raw:string>"
    staged = spark.createDataFrame([(i % 2, dict(zip(key, r)), "rejected") for i, r in enumerate(given)], f"_file bigint, rej {rej}, _kind string")
    staged.write.partitionBy("_kind").parquet(str(tmp_path / "staged"))
    spark.createDataFrame([(i, *r) for i, r in enumerate(held)], "id bigint, source string, line bigint, error string, raw string") \
        .write.parquet(str(tmp_path / "held"))
    names = ["", "A", "a", "a ", "e\u0301", "\u00e9"]
    g = spark.read.parquet(str(tmp_path / "staged")).where(F.col("_kind") == "rejected") \
        .select(*(F.col(f"rej.{c}").alias(c) for c in key)).where(F.col("source").isin(names))
    h = spark.read.parquet(str(tmp_path / "held"))
    h = h.where(F.coalesce(h["source"].isin(names), F.lit(False)))
    on = [h[c] == g[c] for c in key[:-1]] + [h["raw"].eqNullSafe(g["raw"])]
    gone, back = ({r.id for r in h.join(g, on, how).select("id").collect()} for how in ("left_anti", "left_semi"))

    given_rows = _given(str(tmp_path / "staged"), [0, 1], names)
    table = read_local_parts(str(tmp_path / "held"), ["id", *key], {}, {"source": set(names)})
    assert given_rows is not None and table is not None
    rows = list(zip(*(table[c].to_pylist() for c in ["id", *key]), strict=True))
    assert gone and back  # both kinds of row are there to compare
    assert {r[0] for r in rows if any_unmatched([r[1:]], given_rows)} == gone
    assert {r[0] for r in rows if any_matched([r[1:]], given_rows)} == back


def _truncate(part: Path) -> None:
    """Cut a Parquet part short, as a full disk or a killed writer leaves it: its footer is gone."""
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])


def test_a_truncated_part_leaves_every_answer_to_spark(tmp_path: Path) -> None:
    """pyarrow says a part without its footer is not Parquet (`ArrowInvalid`, not an `OSError`):
    `files_holding` let it through and the merge stopped on it, where "cannot say" (None) hands the
    question to Spark. Each reader of the staging footers gives up on it the same way."""
    _part(tmp_path, "rejected", "part-0.parquet", [0])
    _part(tmp_path, "rejected", "part-1.parquet", [1])
    _truncate(tmp_path / "_kind=rejected" / "part-1.parquet")
    assert files_holding(str(tmp_path), "rejected", [0, 1]) is None
    assert _given(str(tmp_path), [0, 1], ["a"]) is None
    # Cut after the merge read the footers (`_Merge._footers`): the rows' read gives up too.
    assert staged_rejected(str(tmp_path), [0, 1], ["a"], {0, 1}) is None
    assert not small_text(str(tmp_path / "_kind=rejected"), "rej.raw")


@pytest.mark.spark
def test_a_truncated_part_of_a_spark_staging_folder_leaves_the_merge_to_spark(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The same on the folder the ingest's staging write makes (`spark_ingest._stage`): two files
    with a bad record each, one `_kind=rejected` part cut short; the merge then takes every kept
    file as holding bad records (`_Merge._holding`), as where the footers cannot tell."""
    from botwatch.engines.spark_ingest import _Merge, _stage
    from botwatch.ingest.source import DEFAULT_MAX_RECORD_BYTES

    fix = Path(__file__).resolve().parent / "fixtures" / "ingest" / "v1_uklabour.jsonl"
    v1 = fix.read_text(encoding="utf-8").splitlines(keepends=True)
    files = []
    for i in range(2):
        files.append(str(tmp_path / f"t{i}.jsonl"))
        Path(files[-1]).write_text("".join(v1[:2]) + f'{{"id": {i}, "text": "broken\n' + "".join(v1[2:]), encoding="utf-8")
    folder = str(tmp_path / "staged")
    _stage(spark, files, {}, False, DEFAULT_MAX_RECORD_BYTES, folder, None)
    assert files_holding(folder, "rejected", [0, 1]) == {0, 1}  # readable: the footers answer
    parts = sorted((tmp_path / "staged" / "_kind=rejected").glob("*.parquet"))
    assert parts
    _truncate(parts[0])
    assert files_holding(folder, "rejected", [0, 1]) is None
    assert staged_rejected(folder, [0, 1], ["a"], {0, 1}) is None  # the footers read before the cut
    merge = _Merge.__new__(_Merge)  # only what `_holding` reads: no lake, no Ibis backend
    merge.folder, merge.files, merge._held = folder, [0, 1], {}
    assert merge._holding("rejected") == {0, 1} and merge._footers("rejected") is None
