"""Ingesting files into a study: one transaction per file, staged in Arrow batches, merged in SQL.

Each file is read into temporary staging tables and merged into the canonical tables inside one
transaction, so a crash (or Ctrl-C) mid-file leaves the study exactly as it was before that file,
and a re-run picks up where it stopped. An identical file (same SHA-256) is recognised and skipped;
a changed one is read again and only its new posts are stored.
"""

from __future__ import annotations

import gzip
import os
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from botwatch.ingest.formats import FORMATS, Format, UnknownFormat, sniff
from botwatch.ingest.cut_short import BROKE_OFF, BROKEN_SOURCES_SQL, UNREADABLE, read_again
from botwatch.ingest.json_records import consume_lines, first_json_char, pretty_object_start, value_stream
from botwatch.ingest.file_scan import BackgroundScan
from botwatch.ingest.merge import merge_accounts, merge_deletions, merge_rejected, merge_stream_limits, merge_stream_warnings, retire_rejected, merge_staged_posts, reduce_staged_snapshots, staged_not_utf8, staged_repairs
from botwatch.ingest.native_v1 import FORMAT as NATIVE_FORMAT
from botwatch.ingest.native_v1 import NATIVE_MIN_BYTES, bad_lines, load_native, pick_lines, reduce_native_snapshots, store_native_posts
from botwatch.ingest import read_notices
from botwatch.ingest.counts import notices_read
from botwatch.ingest.rereads import identical_said, study_conflict
from botwatch.ingest.parallel import MIN_PARALLEL_BYTES, can_parallelise, default_workers, read_parallel
from botwatch.ingest.sink import RowSink
from botwatch.ingest.source import DEFAULT_MAX_RECORD_BYTES, InputSource, NOT_A_FILE, cannot_open, file_sha256, gzip_text_size, not_a_file, not_there, shown_name, text_sha256, unreadable_folder
from botwatch.schema import DELETIONS, POSTS, REJECTED, SNAPSHOT_ROW, SOURCE_COPIES, STREAM_LIMITS, STREAM_WARNINGS, create_table_sql
from botwatch.study import Study, utcnow

if TYPE_CHECKING:
    from botwatch.ingest.csv_mapping import ColumnMap

ProgressFn = Callable[[int], None]


def _say_writing(progress: ProgressFn | None, records: int) -> None:
    """Tell `progress` that the file is read and its `records` are being written into the study,
    where it has a `writing` method to hear it (the CLI's does; a plain callable is called with
    bytes read only). Why: that write of a big archive ran some 40 s after the bar or the log's
    line said no time was left, and nothing said what the command was doing."""
    say = getattr(progress, "writing", None)
    if callable(say) and records > 0:  # (nothing read, nothing to write: an unreadable file says so at once)
        say(records)




@dataclass
class FileResult:
    """What happened to one input."""

    source: str
    format: str | None = None
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0  # `rejected` rows this read gave (its `sources.rejected`), a break's row included: `counts.records_rejected`
    repaired: int = 0  # stored after a repair, each noted in `rejected` (not counted in `rejected`)
    accounts: int = 0
    # Delete notices read (`RowSink.deletion`): records that are neither posts nor errors, so
    # neither stored nor rejected; counted here so the summary says what they were.
    deleted: int = 0
    # An X v1.1 stream's limit notices read (`RowSink.limit`): the stream said how many matching
    # posts it withheld; neither posts nor errors, counted here and kept in `stream_limits`.
    limited: int = 0
    # Its stall warnings read (`RowSink.warning`): the capture was at risk of being cut off; neither
    # posts nor errors, counted here and kept in `stream_warnings`.
    warned: int = 0
    skipped: str | None = None  # why the file was not read again
    # Skipped because reading it again would store its posts twice (`rereads.map_conflict`): not
    # held as asked, so the command's exit status counts it with the inputs that put nothing in.
    refused: bool = False
    # Skipped as identical to an earlier read that put nothing in (a header-only CSV, a file whose
    # every record was rejected): re-running the command must not turn its exit 1 into 0.
    nothing_held: bool = False
    error: str | None = None  # a failure that rolled the file back
    # A compressed stream that broke off (cut or corrupt) after some records: those are stored, the
    # rest of the file is lost. Why and where; the command exits 1 for it, as for an input that put nothing in.
    broke_off: str | None = None
    unreadable: str | None = None  # why no reader knew the file (also its row in `rejected`)
    # Of `rejected`, the records whose bytes are not UTF-8: many of them mean a file saved in another
    # encoding, which its line then says (with the conversion), not just "rejected N".
    not_utf8: int = 0
    # Of the posts read, those whose text has characters beyond ASCII, read as UTF-8: beside records
    # rejected as not UTF-8 they show a file of mixed encodings, which converting whole would garble.
    # Only the Python readers count them (DuckDB's native v1 reader does not), so engines' results
    # are compared without it.
    non_ascii: int = field(default=0, compare=False)
    # Of `repaired`, the posts dated by the platform's relay time rather than the time their author
    # wrote (a Bluesky `createdAt` far from `time_us`: `other_platforms._relay_checked`).
    redated: int = 0
    # Of `repaired`, the Mastodon records whose account was keyed `acct:user@instance`, apart from
    # its profile URL, which disagreed with its instance (`other_platforms.account_key`).
    rekeyed: int = 0
    # Edits of posts (a Bluesky post record rewritten, a Mastodon `status.update`) kept in `rejected`
    # beside the post's first text (`RowSink.edited`): neither rejected nor repaired records.
    edited: int = 0


@dataclass
class IngestSummary:
    files: list[FileResult] = field(default_factory=list)
    # Lines for the user beside the counts: a column map's unread columns and unreadable times
    # (`csv_mapping.check_inputs`; set by `botwatch.api.ingest`, printed by the CLI).
    notes: list[str] = field(default_factory=list)

    def total(self, attr: str) -> int:
        return sum(getattr(f, attr) for f in self.files)

    @property
    def nothing_read(self) -> bool:
        """True when no input gave a single usable record (the command then exits non-zero). The
        platforms' delete and limit notices and stall warnings are kept (`deletions`, `stream_limits`,
        `stream_warnings`): a stream capture's quiet hour holding only those was read, not unreadable."""
        return all(f.stored + f.duplicates + f.accounts + notices_read(f) == 0 and f.skipped is None for f in self.files)


# A data set's folder often holds its licence and a description beside the archives: found in a
# folder walk they are documentation, not data, and reading them made the whole ingest exit 1
# ("could not be read"). Named on the command line, a file is always read.
_DOC_STEMS = ("readme", "license", "licence", "copying", "notice", "authors", "changelog", "citation")
_DOC_SUFFIXES = (".md", ".rst", ".pdf", ".sha256", ".md5", ".sha1")
_DOC_NAMES = ("sha256sums", "md5sums", "sha1sums", "checksums")
# A name that starts like documentation but ends like data is data: FiveThirtyEight's IRA archive
# ships `authors.csv.gz` beside `tweets.csv.gz`, and the stem "authors" (an AUTHORS file) left that
# readable authors file aside as "documentation, not data" in `ingest STUDY ira/`.
_DATA_SUFFIXES = (".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".gz", ".bz2", ".xz", ".zst", ".zip", ".tar",
                  ".parquet")
# Stems that name documentation whatever the suffix: a `README.csv` (a data set's codebook) or a
# `LICENSE.json` holds no posts, and read as data it failed the run as an unreadable input.
_DOC_ONLY_STEMS = ("readme", "license", "licence", "copying", "notice")


def is_documentation(name: str) -> bool:
    """Whether a file name found in a folder walk is documentation beside the data (README*,
    LICENSE*, *.md, checksum lists), not an archive to read. A documentation stem with a data
    suffix (`authors.csv.gz`) is data: the archives botwatch reads are named by what they hold; one
    named README, LICENSE, COPYING or NOTICE alone (`README.csv`) is documentation whatever its suffix."""
    low = name.lower()
    if low.endswith(_DOC_SUFFIXES) or low.split(".")[0] in _DOC_NAMES + _DOC_ONLY_STEMS:
        return True
    return low.startswith(_DOC_STEMS) and not low.endswith(_DATA_SUFFIXES)


# The file that marks a folder as a lake (`engines.lake.LAKE_MARKER`, not imported here: the walk
# must not load the engines).
_LAKE_MARKER = "_botwatch_lake.json"


def expand_inputs(paths: Iterable[str], set_aside: list[str] | None = None, not_files: list[str] | None = None,
                  lakes: list[str] | None = None) -> list[str]:
    """Files as given; directories expanded to the files under them (sorted, hidden ones skipped,
    and documentation beside the data, `is_documentation`, left out and listed in `set_aside`; a
    named pipe, socket or device found there, `source.not_a_file`, left out unopened and listed in
    `not_files`, whose callers report it as an input that failed, `not_read`).
    A folder that cannot be listed (no permission) is kept as an input of its own, which fails
    with its reason (`source.unreadable_folder`): `os.walk` passed over it in silence, and a
    folder of archives nobody may read was "no input files ... (empty)", or its files simply missing.
    A link to a folder is followed, as a link to a file is (its files were left out without a
    word); a folder already walked (a link back up the tree) is not walked again. A lake found
    under a folder given (the one being written, or another) is not walked, and listed in `lakes`:
    its Parquet tables were each an "unreadable" input, exit 1 on every run."""
    out: list[str] = []
    for p in paths:
        if p != "-" and os.path.isdir(p):
            walked: set[str] = set()
            for root, dirs, files in os.walk(p, onerror=lambda exc: out.append(str(exc.filename)), followlinks=True):
                if (real := os.path.realpath(root)) in walked:
                    dirs[:] = []
                    continue
                walked.add(real)
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                held = [d for d in dirs if os.path.isfile(os.path.join(root, d, _LAKE_MARKER))]
                if held:
                    dirs[:] = [d for d in dirs if d not in held]
                    if lakes is not None:
                        lakes.extend(os.path.join(root, d) for d in held)
                for f in sorted(files):
                    if f.startswith("."):
                        continue
                    if is_documentation(f):
                        if set_aside is not None:
                            set_aside.append(os.path.join(root, f))
                        continue
                    if not_a_file(os.path.join(root, f)):
                        if not_files is not None:
                            not_files.append(os.path.join(root, f))
                        continue
                    out.append(os.path.join(root, f))
        else:
            out.append(p)
    return out


def not_read(path: str) -> FileResult:
    """The result of a named pipe, socket or device a folder walk found (`expand_inputs`): failed,
    saying what it is, and never opened."""
    return FileResult(source=path, error=not_a_file(path) or NOT_A_FILE)


# The per-file counts a Python reader's `RowSink` keeps that its `FileResult` carries under the
# same names (`not_utf8` apart: the DuckDB ingest counts it from the staged rows, `stage_into`,
# for Spark, from the sink).
SINK_COUNTS = ("non_ascii", "redated", "rekeyed", "edited", "deleted", "limited", "warned")


# What a file's result counts of the rows its transaction put in: all rolled back when the file
# fails, so all 0 then (`_forget_counts`). Resetting only some of them, a file whose merge failed
# midway still said "edits kept 1" (and posts redated) in its line, the summary and the runs
# message, though nothing of it was stored.
STORED_COUNTS = ("stored", "duplicates", "rejected", "repaired", "accounts", "not_utf8", *SINK_COUNTS)


def _forget_counts(result: FileResult) -> None:
    """Zero every `STORED_COUNTS` of a file whose transaction was rolled back."""
    for name in STORED_COUNTS:
        setattr(result, name, 0)


def _take_counts(result: FileResult, sink: RowSink, names: tuple[str, ...] = SINK_COUNTS) -> None:
    """Copy `names` of the sink's counts onto the file's result, where the read's rows were flushed."""
    for name in names:
        setattr(result, name, sink.counts[name])


_STAGES = {"posts": ("_stage_posts", POSTS), "snapshots": ("_stage_snapshots", SNAPSHOT_ROW), "rejected": ("_stage_rejected", REJECTED),
           "deletions": ("_stage_deletions", DELETIONS), "stream_limits": ("_stage_stream_limits", STREAM_LIMITS),
           "stream_warnings": ("_stage_stream_warnings", STREAM_WARNINGS)}


class _Stager:
    """Receives the sink's Arrow batches and appends them to temp staging tables with `_seq`."""

    def __init__(self, study: Study) -> None:
        self.study = study
        self.seq = 0
        for table, schema in _STAGES.values():
            self.study.sql(create_table_sql(table, schema.append(pa.field("_seq", pa.int64())), temp=True, replace=True))

    def __call__(self, kind: str, batch: pa.Table) -> None:
        table, _ = _STAGES[kind]
        n = batch.num_rows
        batch = batch.append_column("_seq", pa.array(range(self.seq, self.seq + n), pa.int64()))
        self.seq += n
        # Not register/unregister: inside the file's transaction DuckDB keeps every unregistered
        # view, and the Arrow batch it holds, until COMMIT, so memory grew with the file's size.
        self.study.con.from_arrow(batch).insert_into(table)


def ingest_file(
    study: Study,
    path: str,
    *,
    force: bool = False,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    progress: ProgressFn | None = None,
    workers: int | None = None,
    columns: ColumnMap | None = None,
    earlier: EarlierInputs | None = None,
) -> FileResult:
    """Ingest one file (or '-' for stdin) in its own transaction.

    `workers` > 1 parses large files in that many processes (see ingest/parallel.py); None uses
    every available core. `columns` reads the file as a CSV through that column map instead of
    sniffing its format (ingest/csv_mapping.py). `earlier`: the inputs read before, kept across
    the files of one ingest call (`EarlierInputs`; None: looked at afresh).
    """
    if workers is None:
        workers = default_workers()
    result = FileResult(source=path)
    src = _open_or_say(path, result)
    if src is None:
        return result
    try:
        return _ingest_source(study, path, src, result, force, max_record_bytes, progress, workers, columns, earlier)
    finally:
        src.close()


def _open_or_say(path: str, result: FileResult) -> InputSource | None:
    """The input opened, or None with `result.error` saying why (a missing file, an unreadable one):
    one file's problem is its own result line, never an exception that stops the others."""
    if path != "-" and (gone := not_there(path)):
        result.error = gone
        return None
    if path != "-" and (folder := unreadable_folder(path)):
        result.error = folder
        return None
    try:
        return InputSource.open(path)
    except OSError as exc:
        result.error = cannot_open(exc)
        return None


def _ingest_source(
    study: Study, path: str, src: InputSource, result: FileResult, force: bool, max_record_bytes: int,
    progress: ProgressFn | None, workers: int, columns: ColumnMap | None = None, earlier: EarlierInputs | None = None,
) -> FileResult:
    q = study.sql
    regular = path != "-" and os.path.isfile(path)
    # DuckDB reads the native path by name: a name that is not UTF-8 goes to the Python readers
    # (not `src.name == path`: the name is normalised, so "./d/x.jsonl" would have gone there too).
    native_candidate = columns is None and regular and shown_name(path) == path and (src.size or 0) >= NATIVE_MIN_BYTES and _sniff_quietly(src) == NATIVE_FORMAT \
        and first_json_char(src.head()) == "{" and not pretty_object_start(src.head()) and not value_stream(src.read_ahead())
    # Only regular files are hashed: a FIFO or device would be consumed by the hash. A large file
    # of a size the study has never seen cannot be a re-ingest, so its hash is computed alongside
    # DuckDB's parse instead of before it.
    sha = None
    defer_hash = native_candidate and (force or not _size_seen(study, src.size))
    if regular and not defer_hash:
        sha = file_sha256(path)
    # A `.gz` of a file read before (or the file decompressed after its `.gz`) has another file
    # SHA-256: it holds the same text, so it is recorded under the SHA-256 of that read, as a
    # plain copy is: skipped as identical, or with --force a re-read, not one more input.
    # `_ingested_as` by SHA-256, asked once: the `sources` rows it reads stay as they are until this file's
    known: dict[str, tuple[str, bool] | None] = {}

    def ingested_as(digest: str) -> tuple[str, bool] | None:
        if digest not in known:
            known[digest] = _ingested_as(study, digest)
        return known[digest]

    same = _same_text_read(study, path, src, sha, earlier) if regular and (sha is None or ingested_as(sha) is None) else None
    own = sha  # the file's own SHA-256 (None: hashed later, if at all)
    if same is not None:
        sha = same
    if regular and sha is not None:
        if not force and (seen := ingested_as(sha)) and not _cut_again(study, path, seen[0], src) \
                and not _changed_back(study, src.name, sha):
            result.skipped = identical_said(seen[0], src.name)
            result.nothing_held = not seen[1]
            if same is not None:
                _record_copy(study, src, own or file_sha256(path), seen[0], same)
            if columns is not None:  # a corrected map reads nothing again here: its posts are stored by id already
                result.skipped += ("; a study keeps the rows it first read, so to read this file with another column map, "
                                   "ingest it into a new study")
            return result
    if regular and (conflict := study_conflict(study, src.name, sha, columns)):  # a re-read under another map would store every post twice
        result.skipped, result.refused = conflict, True
        return result
    native = None
    if native_candidate:
        scan = BackgroundScan(path, src.compressed, max_record_bytes, with_sha=defer_hash)
        native = load_native(study, path, src.compressed, max_record_bytes, scan, progress, src.size or 0)  # outside the transaction: may fail harmlessly
        try:
            sha = same or scan.result().sha256 or sha
        except OSError as exc:
            result.error = f"cannot read: {exc}"
            return result
    q("BEGIN TRANSACTION")
    try:
        stager = _Stager(study)
        if native is not None:
            result.format, result.read = NATIVE_FORMAT, native.rows
            if native.bad:
                # The lines SQL could not take as they are (control messages, malformed JSON,
                # odd values) go to the Python readers, which store, coerce or reject each as
                # they would anywhere; their snapshots stay unfolded so they order by line.
                sink = RowSink(stager, src.name, NATIVE_FORMAT, fold=False)
                fmt = FORMATS[NATIVE_FORMAT]
                consume_lines(pick_lines(src.stream, bad_lines(study, native)), sink, fmt.handler, max_record_bytes, fmt.fast)
                sink.flush()
                _take_counts(result, sink, ("deleted", "limited", "warned"))  # the notices among the lines it hands back
            _say_writing(progress, result.read)
            stored, total = store_native_posts(study, native, src.name)
            reduce_native_snapshots(study, native, src.name)
        else:
            sink = RowSink(stager, src.name, "unknown")
            # The Python readers hold batches, chunks in flight and the interpreter beside DuckDB's
            # staging tables: DuckDB gets half the budget here so the process keeps to the whole
            # one (a 787k-post CSV peaked at 1.62 GB with DuckDB given all of it).
            q(f"SET memory_limit = '{python_path_memory()}'")
            _read_with_python(src, sink, stager, result, max_record_bytes, progress, workers, columns)
            sink.flush()
            _take_counts(result, sink)
            _say_writing(progress, result.read)
            stored, total = merge_staged_posts(study)
            reduce_staged_snapshots(study)
        result.stored, result.duplicates = stored, total - stored
        read_notices.prepare(study, result, earlier.reads if earlier else ())  # before this read's notices are merged: none is taken for an earlier read's
        result.accounts = merge_accounts(study)
        merge_deletions(study)
        if sha is not None and result.broke_off is None:  # the whole of a file on disk was read: its bad records are this version's
            retire_rejected(study, src.name)
        # The same content read before under another name (`--force`, a copy): a re-read, not
        # another input (`rereads.RE_READS`), so its bad records are those already kept under
        # that name; stored again under this one, `status` and the report counted each twice.
        held_as = ingested_as(sha) if sha is not None else None
        if (held_as is None or held_as[0] == src.name) and sha is not None and result.broke_off is None:
            held_as = _same_text_as(study, path, src, earlier, None if src.compressed or same is not None else sha) \
                or held_as  # (its own name's: read with --force)
        kept_here = held_as is None or held_as[0] == src.name  # not a copy of content kept under another name
        result.rejected = merge_rejected(study, store=kept_here)
        # Keyed by file (warnings; limit notices without a time): a copy's are kept under its first name.
        merge_stream_limits(study, store=kept_here)
        merge_stream_warnings(study, store=kept_here)
        result.repaired = staged_repairs(study)
        result.not_utf8 = staged_not_utf8(study)
        if result.format is None:  # refused again on a re-run: one `sources` row for it, not one per run
            read_notices.forget_refused(study, src.name, sha)  # and one per-read row, as the lake keeps
            q("DELETE FROM sources WHERE source = ? AND sha256 IS NOT DISTINCT FROM ? AND format IS NULL", [src.name, sha])
        at = utcnow()
        q(
            "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [src.name, sha, src.size, result.format, result.read, result.stored, result.duplicates, result.rejected, result.accounts, at],
        )
        read_notices.record(study, src.name, at, result)
        if same is not None and (first := ingested_as(same)) is not None:  # a `.gz` read again with --force
            _record_copy(study, src, own or file_sha256(path), first[0], same)
        q("COMMIT")
        if earlier is not None:
            earlier.reads.append((src.name, at))
    except BaseException as exc:
        try:
            q("ROLLBACK")
        except Exception:  # noqa: BLE001 - after a failed COMMIT (disk full) DuckDB has rolled back itself
            pass
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        if query_interrupted(exc):
            # Ctrl-C while DuckDB ran a statement: DuckDB runs the SIGINT handler, drops the
            # KeyboardInterrupt it raised and gives this error instead. Taken for a failure of the
            # file, the command said "failed FILE: RuntimeError: Query interrupted" and went on
            # to read the next inputs after the user had pressed Ctrl-C.
            raise KeyboardInterrupt from exc
        result.error = f"{type(exc).__name__}: {exc}"
        _forget_counts(result)
    finally:
        try:
            q(f"SET memory_limit = '{memory_setting()}'")
        except Exception:  # noqa: BLE001 - the connection may be unusable after a fatal error
            pass
        for table in [t for t, _ in _STAGES.values()] + ["_flat", "_lines", "_reduced", "_known", "_accounts"]:
            try:
                q(f"DROP TABLE IF EXISTS {table}")
            except Exception:  # noqa: BLE001 - the connection may be unusable after a fatal error
                pass
    if progress and src.size:
        progress(src.size)
    return result


def query_interrupted(exc: BaseException) -> bool:
    """Whether `exc` is DuckDB's word for a statement stopped by an interrupt (SIGINT)."""
    return isinstance(exc, (RuntimeError, duckdb.InterruptException)) and str(exc).startswith("Query interrupted")


def _read_with_python(
    src: InputSource, sink: RowSink, stager: "_Stager", result: FileResult, max_record_bytes: int,
    progress: ProgressFn | None, workers: int, columns: ColumnMap | None = None,
) -> None:
    """Sniff and read `src` with the Python readers (in worker processes when large), staging its
    rows; with `columns`, read it as a CSV through that map instead of sniffing."""
    try:
        fmt = _mapped(src, columns) if columns is not None else FORMATS[sniff(src, max_record_bytes)]
    except (UnknownFormat, OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        why = f"{exc}; compressed stream is corrupt or truncated: {src.error}" if src.error is not None else str(exc)
        result.unreadable = why
        sink.reject(0, f"{UNREADABLE}{why}", src_head(src))
        return
    fmt_name = fmt.name
    result.format = sink.source_format = fmt_name
    threshold = MIN_PARALLEL_BYTES // (4 if src.compressed else 1)
    parallel = workers > 1 and (src.size is None or src.size >= threshold) and can_parallelise(fmt.kind, src)
    try:
        if parallel:
            tick = (lambda: progress(src.bytes_consumed())) if progress else None
            handler = fmt.handler if columns is not None else None  # a map's reader is not in FORMATS: workers get it whole
            result.read, counts = read_parallel(fmt_name, fmt.kind, src, stager, max_record_bytes, workers, tick, handler)
            sink.counts.update(counts)
        else:
            wrapped = _ProgressSink(sink, src, progress) if progress else sink
            result.read = fmt.read(src, wrapped, max_record_bytes)  # type: ignore[arg-type]
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        _stream_broke(src, sink, result, exc)
    else:
        if src.error is not None:
            _stream_broke(src, sink, result, src.error)


def _mapped(src: InputSource, columns: ColumnMap) -> Format:
    """The reader of `src` under a column map; `UnknownFormat` (the file is unreadable, one
    `rejected` row) when its header lacks a mapped column or it is not CSV text."""
    from botwatch.ingest.csv_mapping import mapped_format, source_problem

    problem = source_problem(src, columns)
    if problem:
        raise UnknownFormat(problem)
    return mapped_format(columns)


def _stream_broke(src: InputSource, sink: RowSink, result: FileResult, exc: BaseException) -> None:
    """Record a cut or corrupt gzip stream: every record before the cut was read as usual and is
    stored; one `rejected` row and `result.broke_off` say how much was kept and where it broke
    (the bytes of text the stream gave), so the command can count it and exit 1."""
    at = src.decompressed_bytes()
    where = f", at byte {at:,} of its text" if at is not None else ""
    why = f"{BROKE_OFF} {sink.counts['posts']:,} posts{where}: {exc}"
    sink.reject(0, why, b"")
    result.broke_off = why


def _cut_again(study: Study, path: str, seen: str, src: InputSource) -> bool:
    """Whether an identical compressed file is read again: its earlier read broke off and it is
    still cut (`cut_short`), so the re-run says so again instead of "already ingested"."""
    if not src.compressed:
        return False
    broken = [s for (s,) in study.sql(BROKEN_SOURCES_SQL)]
    return read_again(path, (seen, src.name), broken)


def _changed_back(study: Study, source: str, sha: str) -> bool:
    """Whether the file at `source` holds other content than its latest read found, content read
    before (an earlier version put back, or a copy of another input saved under this name). Such
    a file is read again, adding no post twice, so the bad records counted for this name are
    its own (`merge.retire_rejected`): skipped as already ingested, the name kept the replaced
    version's bad records, or none where the restored version has some."""
    latest = _latest_sha(study, source)
    return latest is not None and latest != sha


def _latest_sha(study: Study, source: str) -> str | None:
    """The SHA-256 the latest read of `source` found (None: no read of it recorded one)."""
    latest = study.sql("SELECT sha256 FROM sources WHERE source = ? AND sha256 IS NOT NULL ORDER BY ingested_at DESC LIMIT 1", [source])
    return latest[0][0] if latest else None


def _same_text_as(study: Study, path: str, src: InputSource, earlier: EarlierInputs | None = None,
                  text: str | None = None) -> tuple[str, bool] | None:
    """(the other input whose text this file holds, True) when one of the two is a `.gz` of the
    other (or both are, packed differently), else None: their file SHA-256s differ, so
    `_ingested_as` misses the copy, and a `.gz` of a file read before stored its bad records a
    second time under its own name (`status` counted each twice). Only the inputs holding a bad
    record this read gave too are compared, so a file without one is hashed no further; of them,
    only a plain file whose latest read had this text, or a `.gz` holding text of this size
    (`EarlierInputs`): a folder of files sharing a bad record (the same broken first line)
    opened every earlier one again for each file. `text`: this file's text SHA-256, when known."""
    shared = ("SELECT r.source FROM rejected r SEMI JOIN _stage_rejected s ON r.line = s.line AND r.error = s.error "
              "AND r.raw IS NOT DISTINCT FROM s.raw WHERE r.source <> ?")
    if not study.sql(f"{shared} LIMIT 1", [src.name]):
        return None
    mine = text or text_sha256(path)
    size = gzip_text_size(path) if src.compressed else src.size
    if mine is None or size is None:
        return None
    packed = (earlier or EarlierInputs()).packed(study, size)
    candidates = study.sql("SELECT source, arg_max(sha256, ingested_at) AS held FROM sources WHERE sha256 IS NOT NULL "
                           f"AND source IN ({shared}) GROUP BY source HAVING held = ? OR source IN (SELECT unnest(?)) ORDER BY source",
                           [src.name, mine, packed])
    for other, held in candidates:
        if held == mine:  # a plain file read before, of this one's text
            return other, True
        # a `.gz` read before: its text is known only from the file, while it is still the one read
        # (a plain file's text hash is its file hash, `held`, not `mine`: not read twice to learn it)
        if os.path.isfile(other) and file_sha256(other) == held and text_sha256(other) == mine:
            return other, True
    return None


class EarlierInputs:
    """The inputs a study has read, by the size of the text each holds when it is a gzip file
    (`gzip_text_size`), each file looked at once per ingest call: what `_same_text_read` compares
    a new input with. Looked at afresh for every input, the earlier files were opened again for
    each one, so a folder of N files cost N*(N-1)/2 opens (800 tiny files: 320,000)."""

    def __init__(self) -> None:
        self._since: object = None  # the latest `ingested_at` looked at
        # This call's reads, by their `sources` key (source, ingested_at): not an earlier call's
        # (`read_notices.prepare`). Not "rows from the call's start time on": a study copied from a
        # machine whose clock ran ahead holds earlier reads dated after it.
        self.reads: list[tuple[str, datetime]] = []
        self._seen: set[str] = set()
        self._by_size: dict[int, list[str]] = {}

    def packed(self, study: Study, size: int) -> list[str]:
        """The earlier inputs of known content (in the order first read; a file no reader knew
        included) that are gzip files holding `size` bytes of text, modulo 2**32, when last
        looked at; only inputs read since the last call are opened."""
        since = "" if self._since is None else " AND ingested_at >= ?"
        rows = study.sql("SELECT source, min(ingested_at) AS first, max(ingested_at) FROM sources "
                         f"WHERE sha256 IS NOT NULL{since} GROUP BY source ORDER BY first, source", [] if self._since is None else [self._since])
        for other, _, latest in rows:
            self._since = latest if self._since is None else max(self._since, latest)  # type: ignore[call-overload]
            if other not in self._seen:
                self._seen.add(other)
                if os.path.isfile(other) and (n := gzip_text_size(other)) is not None:
                    self._by_size.setdefault(n, []).append(other)
        return self._by_size.get(size % (1 << 32), [])


def _same_text_read(study: Study, path: str, src: InputSource, sha: str | None, earlier: EarlierInputs | None = None) -> str | None:
    """The SHA-256 recorded for an earlier read of the text this file holds, when one of the two
    is a `.gz` of the other (or both are, packed differently), else None. Cheap: the gzip
    trailer's text size (`gzip_text_size`) is compared with the size of the other first, and the
    files are decompressed and hashed only when it matches. `sha`: this file's own, when known;
    `earlier`: the ingest call's record of the earlier inputs' text sizes (None: look afresh)."""
    read = "FROM sources WHERE format IS NOT NULL AND sha256 IS NOT NULL"
    mine: list[str | None] = []  # this file's text SHA-256, computed once when first needed

    def my_text() -> str | None:
        if not mine:
            mine.append((sha or file_sha256(path)) if not src.compressed else text_sha256(path))
        return mine[0]

    size = gzip_text_size(path) if src.compressed else src.size
    if size is None:
        return None
    if src.compressed:  # a plain file read before, of the size this `.gz`'s text has
        held = {h for (h,) in study.sql(f"SELECT DISTINCT sha256 {read} AND bytes % 4294967296 = ?", [size])}
        if held and (text := my_text()) in held:
            return text
    for other in (earlier or EarlierInputs()).packed(study, size):  # a `.gz` read before, still the file read then, whose text this one's is
        if other == src.name or not os.path.isfile(other):
            continue
        shas = {h for (h,) in study.sql(f"SELECT DISTINCT sha256 {read} AND source = ?", [other])}
        if (held_sha := file_sha256(other)) in shas and (text := my_text()) is not None and text_sha256(other) == text:
            return held_sha
    return None


def _record_copy(study: Study, src: InputSource, own: str, same_as: str, text_sha: str) -> None:
    """Keep the own SHA-256 of a file taken as the text of an earlier read (`_same_text_read`): its
    `sources` row, if any, holds that read's (schema.SOURCE_COPIES). Once per (source, SHA-256)."""
    if own == text_sha:
        return
    study.sql(create_table_sql("source_copies", SOURCE_COPIES))
    study.sql("INSERT INTO source_copies SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS "
              "(SELECT 1 FROM source_copies WHERE source = ? AND sha256 = ?)",
              [src.name, own, src.size, same_as, text_sha, utcnow(), src.name, own])


def _size_seen(study: Study, size: int | None) -> bool:
    return bool(study.sql("SELECT count(*) FROM sources WHERE bytes = ?", [size])[0][0])


def _ingested_as(study: Study, sha: str) -> tuple[str, bool] | None:
    """(the source an identical file was ingested from, whether any such read put posts or
    accounts in), None when none was. A file no reader knew (`format` NULL) was recorded but
    nothing of it taken: it does not count, so a re-run refuses it again with the same reason
    instead of skipping it as "already ingested" with exit 0."""
    seen = next(iter(study.sql("SELECT source, coalesce(posts_stored + duplicates + accounts_seen, 1) > 0 AS held FROM sources "
                               "WHERE sha256 = ? AND format IS NOT NULL ORDER BY held DESC LIMIT 1", [sha])), None)
    return (seen[0], bool(seen[1])) if seen else None


def stage_into(path: str, emit: Callable[[str, pa.Table], None], max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
               name: str | None = None, columns: ColumnMap | None = None) -> FileResult:
    """Read one input with the Python readers, handing each staged batch to `emit(kind, table)`.

    The same reading (sniffing, rejects for an unreadable or cut file) as a DuckDB ingest's
    Python path, without a study, so another engine (Spark, on its executors) streams the same
    rows and merges them by the same `canonical` expressions. `read` and `format` are filled in;
    `error` says why a file could not be opened at all (then nothing was emitted). `name` is
    the source its rows record when `path` is a local copy (of an object-store file, say);
    `columns` reads it through a column map, as `ingest_file` does.
    """
    result = FileResult(source=name or path)
    src = _open_or_say(path, result)
    if src is None:
        return result
    try:
        if name:
            src.name = name
        result.source = src.name
        sink = RowSink(emit, src.name, "unknown")
        _read_with_python(src, sink, None, result, max_record_bytes, None, 1, columns)  # type: ignore[arg-type] # one process: no stager
        sink.flush()
        _take_counts(result, sink, ("not_utf8", *SINK_COUNTS))
    finally:
        src.close()
    return result


def stage_file(path: str, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES) -> dict[str, pa.Table]:
    """Read one input into staged Arrow tables (with `_seq`), without a study.

    This is what another engine (Spark) starts from: the same readers, the same rows, merged
    there by the same `canonical` expressions.
    """
    parts: dict[str, list[pa.Table]] = {k: [] for k in _STAGES}
    seq = 0

    def collect(kind: str, batch: pa.Table) -> None:
        nonlocal seq
        parts[kind].append(batch.append_column("_seq", pa.array(range(seq, seq + batch.num_rows), pa.int64())))
        seq += batch.num_rows

    res = stage_into(path, collect, max_record_bytes)
    if res.error:
        raise OSError(f"{path}: {res.error}")
    out = {}
    for kind, (_, schema) in _STAGES.items():
        full = schema.append(pa.field("_seq", pa.int64()))
        out[kind] = pa.concat_tables(parts[kind]) if parts[kind] else full.empty_table()
    return out


def _sniff_quietly(src: InputSource) -> str | None:
    try:
        return sniff(src)
    except (UnknownFormat, ValueError):
        return None


def src_head(src: InputSource) -> bytes:
    try:
        return src.head(2000)
    except (OSError, EOFError, zlib.error):
        return b""


class _ProgressSink:
    """A sink wrapper that reports compressed bytes consumed every few thousand records."""

    def __init__(self, sink: RowSink, src: InputSource, progress: ProgressFn) -> None:
        self._sink, self._src, self._progress, self._n = sink, src, progress, 0

    def __getattr__(self, name: str) -> object:
        return getattr(self._sink, name)

    def post(self, row: dict, line: int) -> None:  # type: ignore[type-arg]
        self._sink.post(row, line)
        self._n += 1
        if self._n % 5000 == 0:
            self._progress(self._src.bytes_consumed())


class IngestSettingError(ValueError):
    """A setting (environment variable) ingest cannot use; the message names it and the fix."""


_MEMORY = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)\s*", re.IGNORECASE)


def memory_setting() -> str:
    """DuckDB's memory limit while ingesting: BOTWATCH_INGEST_MEMORY (e.g. 2GB), default 1GB.

    Checked here, so `lots` is one clear message before any file is touched rather than a
    DuckDB parser error with a traceback.
    """
    raw = os.environ.get("BOTWATCH_INGEST_MEMORY", "1GB")
    m = _MEMORY.fullmatch(raw)
    if m is None or float(m.group(1)) <= 0:
        raise IngestSettingError(f"BOTWATCH_INGEST_MEMORY={raw!r} is not a memory size: use a number and a unit, e.g. 2GB or 512MB")
    return f"{m.group(1)}{m.group(2).upper()}"


_UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12, "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


def python_path_memory() -> str:
    """DuckDB's share of the ingest budget while the Python readers run: half of it."""
    m = _MEMORY.fullmatch(memory_setting())
    assert m is not None
    return f"{int(float(m.group(1)) * _UNITS[m.group(2).upper()] / 2 / 2**20)}MiB"


def ingest(
    study: Study,
    paths: Iterable[str],
    *,
    force: bool = False,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    on_file_start: Callable[[str, int | None], ProgressFn | None] | None = None,
    on_file_done: Callable[[FileResult], None] | None = None,
    workers: int | None = None,
    columns: ColumnMap | None = None,
    not_files: Iterable[str] = (),
) -> IngestSummary:
    """Ingest many inputs; each file is its own transaction. Records the whole call in `runs`
    (with the column map, when `columns` reads the inputs as CSVs through one). `not_files`: the
    named pipes, sockets and devices the caller's own folder walk left out (`expand_inputs`),
    each a failed input here."""
    odd = list(not_files)
    files = expand_inputs(paths, not_files=odd)
    # DuckDB's default (80% of RAM) would let one huge file's staging tables crowd the machine;
    # a fixed budget makes it spill to disk instead, which keeps ingest lean at any archive size.
    limit = memory_setting()
    previous = study.sql("SELECT current_setting('memory_limit')")[0][0]
    study.sql(f"SET memory_limit = '{limit}'")
    try:
        return _ingest_files(study, files, force, max_record_bytes, on_file_start, on_file_done, workers, columns, odd)
    finally:
        try:
            study.sql(f"SET memory_limit = '{previous}'")
        except duckdb.Error:  # the connection died (disk full at a checkpoint): the caller reports why
            pass


def _ingest_files(
    study: Study,
    files: list[str],
    force: bool,
    max_record_bytes: int,
    on_file_start: Callable[[str, int | None], ProgressFn | None] | None,
    on_file_done: Callable[[FileResult], None] | None,
    workers: int | None,
    columns: ColumnMap | None = None,
    not_files: Iterable[str] = (),
) -> IngestSummary:
    summary = IngestSummary()
    for path in not_files:  # never opened: a named pipe with no writer blocked the ingest for ever
        summary.files.append(not_read(path))
        if on_file_done:
            on_file_done(summary.files[-1])
    params = {"inputs": files, "force": force, "max_record_bytes": max_record_bytes, **(columns.as_params() if columns else {})}
    earlier = EarlierInputs()
    with study.run("ingest", params) as info:
        for path in files:
            size = Path(path).stat().st_size if path != "-" and os.path.isfile(path) else None
            progress = on_file_start(path, size) if on_file_start else None
            res = ingest_file(study, path, force=force, max_record_bytes=max_record_bytes, progress=progress, workers=workers, columns=columns,
                              earlier=earlier)
            summary.files.append(res)
            # Each file is committed as it ends: a run cut off later (Ctrl-C) still stored these,
            # and its `runs` row must say so, or the analysis is not known to be stale (`staleness`);
            # stored in the row now, for a run killed later (SIGKILL, a power cut) that never ends.
            info["rows_written"] = summary.total("stored")
            try:
                study.record_rows(info)
            except duckdb.Error:
                if res.error is None:
                    raise
                # The file failed with the study itself (disk full at its COMMIT): its own line says
                # why (below); the dead connection's next error would have hidden that reason.
            if on_file_done:
                on_file_done(res)
        from botwatch.ingest.counts import run_message

        info["message"] = run_message(summary.files)
        _retire_older(study, summary)
    return summary


def _retire_older(study: Study, summary: IngestSummary) -> None:
    """An older study's replaced bad records moved to `rejected_earlier` (`merge.retire_older`), as
    a lake's next ingest does; where the stored rows cannot tell which are the latest read's, a
    note names the files and the re-read that moves them."""
    from botwatch.ingest.merge import retire_older
    from botwatch.shown_text import shell_word

    if unsure := retire_older(study):
        n = len(unsure)
        summary.notes.append(
            f"{n} file{'' if n == 1 else 's'} ({', '.join(unsure[:3])}{', ...' if n > 3 else ''}) ha{'s' if n == 1 else 've'} bad records of an "
            "earlier version still in `rejected`, where an older botwatch kept them (counted apart, but listed with the others): "
            f"`botwatch ingest --force {shell_word(study.path)} FILE` (with the column map it was read with, if any) reads each again and moves them to `rejected_earlier`")
