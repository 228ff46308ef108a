"""What the Spark ingest's staging folder holds, read at the driver from Parquet footers and small
columns, so that the merge can leave out a Spark job whose answer they already give.

The staging write (`spark_ingest._stage`) partitions the staged rows by `_kind`; each file's rows
carry its index `_file`. Which files gave rows of a kind is in each row group's `_file` min/max
statistics: where at most one kept file did, the window that keeps the earliest file's copy of a
row (`_earliest_file`, a shuffle job) has nothing to choose; where none did, there is nothing to
append. The bad records a re-read gives, and those `rejected` holds for its sources, are few in
any lake whose files mostly parse: compared at the driver (bounded by `MATCH_ROWS`), they say
whether any must move to `rejected_earlier` without the count Spark ran for it (three jobs).

Every answer is None where the folder cannot tell (a staging folder behind a URL, a part without
statistics, a part whose footer cannot be read, more rows or text than the bounds): the caller
then asks Spark as before, and Spark says what is wrong with the part in its own words.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable
from typing import Any

# Bad records compared at the driver, on either side; beyond, Spark compares them.
MATCH_ROWS = 10_000
# And their text, as the footers give its bytes (uncompressed). A row's raw text is at most
# `schema.RAW_LIMIT` (4,000) characters, but up to 16,000 bytes of UTF-8, and the driver holds it
# several times over (Arrow as read, filtered, Python strings): rows of 4,000 four-byte characters
# read by `staged_rejected` raised the process's peak RSS by 740 MB for 10,000 rows (one side),
# by 40 MB for the 250 this bound lets through. Bad records are mostly short lines: they stay at
# the driver; long text goes to Spark.
MATCH_BYTES = 4 * 2**20


def files_holding(folder: str | None, kind: str, kept: Collection[int]) -> set[int] | None:
    """The files of `kept` that may have staged rows of `kind` in the staging `folder` (a superset:
    a row group's min..max range of `_file` counts whole); empty when the kind has no partition
    folder (Spark writes none for a kind without rows). None when the footers cannot say."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from botwatch.engines.spark_inputs import is_url

    if folder is None or is_url(folder) or not os.path.isdir(folder):
        return None
    part_folder = os.path.join(folder, f"_kind={kind}")
    if not os.path.isdir(part_folder):
        return set()
    wanted, found = set(kept), set()
    try:
        for entry in sorted(os.scandir(part_folder), key=lambda e: e.name):
            if entry.name.startswith((".", "_")):
                continue
            if not entry.is_file() or not entry.name.endswith(".parquet"):
                return None
            meta = pq.read_metadata(entry.path)
            col = meta.schema.to_arrow_schema().get_field_index("_file")
            if col < 0:
                return None
            for g in range(meta.num_row_groups):
                group = meta.row_group(g)
                if group.num_rows == 0:
                    continue
                stats = group.column(col).statistics
                if stats is None or not stats.has_min_max:
                    return None
                found |= {i for i in wanted if stats.min <= i <= stats.max}
    except (OSError, pa.ArrowException):  # a truncated or corrupt part: pyarrow's ArrowInvalid, not an OSError
        return None
    return found


def staged_rejected(folder: str | None, kept: Collection[int], sources: Collection[str],
                    holding: Collection[int] | None) -> list[tuple[Any, ...]] | None:
    """The (source, line, error, raw) of the bad records the files `kept` gave for `sources`, read
    from the staging folder at the driver; None where it cannot be read so, holds more than
    `MATCH_ROWS` such rows of those files, or more than `MATCH_BYTES` of their text.

    `holding` is `files_holding(folder, "rejected", ...)`'s answer for `kept` or more files, which
    the merge has read already (`_Merge._footers`): passed in, not read from the footers again."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from botwatch.engines.lake_arrow import read_local_parts

    if holding is None or folder is None:
        return None
    if not set(holding) & set(kept):
        return []
    part_folder = os.path.join(folder, "_kind=rejected")
    ids = read_local_parts(part_folder, ["_file"], {}, {"_file": set(kept)})
    if ids is None or ids.num_rows > MATCH_ROWS or not small_text(part_folder, "rej.raw"):
        return None
    rows = read_local_parts(part_folder, ["rej"], {}, {"_file": set(kept)})
    if rows is None:
        return None
    rej = rows.column("rej").combine_chunks()
    table = pa.Table.from_arrays([rej.field(c) for c in ("source", "line", "error", "raw")], names=["source", "line", "error", "raw"])
    table = table.filter(pc.fill_null(pc.is_in(table["source"], value_set=_strings(sources)), False))
    return list(zip(*(table[c].to_pylist() for c in table.column_names), strict=True))


def small_text(folder: str, column: str) -> bool:
    """Whether the text of `column` (a Parquet column path, `rej.raw` for a field of a struct) in
    the local `folder`'s Parquet parts is at most `MATCH_BYTES`, read from the footers (each row
    group's uncompressed size of that column); False where they cannot say."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from botwatch.engines.lake_arrow import plain_parquet_parts

    parts = plain_parquet_parts(folder)
    if parts is None:
        return False
    total = 0
    try:
        for path in parts:
            meta = pq.read_metadata(path)
            paths = [meta.schema.column(i).path for i in range(meta.num_columns)]
            if column not in paths:
                return False
            col = paths.index(column)
            total += sum(meta.row_group(g).column(col).total_uncompressed_size for g in range(meta.num_row_groups))
    except (OSError, pa.ArrowException):
        return False
    return total <= MATCH_BYTES


def any_unmatched(held: Iterable[tuple[Any, ...]], given: Iterable[tuple[Any, ...]]) -> bool:
    """Whether a row of `held` has no equal in `given` as `_Merge.retire_rejected` joins them:
    source, line and error by `=` (a NULL equals nothing), raw NULL-safe."""
    keys = set(given)
    return any(None in row[:3] or tuple(row) not in keys for row in held)


def any_matched(held: Iterable[tuple[Any, ...]], given: Iterable[tuple[Any, ...]]) -> bool:
    """Whether a row of `held` has an equal in `given`, matched as `any_unmatched` matches."""
    keys = set(given)
    return any(None not in row[:3] and tuple(row) in keys for row in held)


def _strings(values: Collection[str]) -> Any:
    import pyarrow as pa

    return pa.array(sorted(values), pa.string())
