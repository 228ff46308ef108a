"""`botwatch ingest`: read archives of any supported format into a study, with progress."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table

from botwatch.cli.common import StillRunning, app, console, controls_shown, fail, finite, local_output, open_or_fail, plain, wide_when_piped
from botwatch.ingest.counts import KEPT_APART, cut_short_count, kept_apart, not_posts, notices_read, read_count, records_rejected
from botwatch.shown_text import name_shown, shell_shown
from botwatch.userfile import os_error_said

if TYPE_CHECKING:  # the runner pulls in DuckDB and the readers: imported when a command runs
    from botwatch.ingest.csv_mapping import ColumnMap
    from botwatch.ingest.runner import FileResult, IngestSummary


@app.command()
def ingest(
    location: Annotated[str, typer.Argument(metavar="STUDY", help="The study file (DuckDB), e.g. study.duckdb; with --engine spark a lake folder or URL (s3a://, hdfs://)")],
    inputs: Annotated[list[str], typer.Argument(help="Files or folders to read ('-' for stdin); .gz is detected automatically")],
    force: Annotated[bool, typer.Option(help="Read files again even if identical content was ingested before")] = False,
    max_record_mb: Annotated[float, typer.Option(callback=finite(expect="a number of megabytes above 0, below 1048576"), help="Records longer than this are rejected without being held in memory")] = 16.0,
    workers: Annotated[Optional[int], typer.Option(min=1, help="Processes parsing large files (default: all cores; 1: all in this process)")] = None,
    engine: Annotated[Optional[str], typer.Option(help="duckdb (a study file) or spark (a lake of Parquet tables, files read on the executors); default: spark for an existing lake")] = None,
    spark_master: Annotated[Optional[str], typer.Option(help="Spark master URL (default: SPARK_MASTER, spark-submit's, else local[*])")] = None,
    results_json: Annotated[Optional[Path], typer.Option("--results-json", hidden=True, callback=local_output, help="Write each input's outcome here as JSON lines (collect's follow mode reads it)")] = None,
    columns: Annotated[Optional[str], typer.Option(
        "--columns", metavar="FIELD=COLUMN,...",
        help="Read every input as your own CSV, saying which column is which field, e.g. "
             "post_id=tweet_id,account_id=user_id,created_at=created_at,text=text,location=user_location. "
             "Required: account_id (or handle alone: a handle key, lower-cased), created_at, text (post_id too when the file has ids; "
             "without it a stable id is built). A column name with a comma goes in double quotes. "
             "Optional: handle, location, lang, is_retweet, kind, ref_post_id, ref_account_id, ref_handle, in_reply_to_post_id, "
             "in_reply_to_account_id, hashtags, mentions, urls, client, display_name, description, account_lang, "
             "account_created_at, followers, following, posts_count, verified, default_profile, default_image, time_zone, "
             "utc_offset. Headers match case-insensitively (docs/ingest-csv.md)")] = None,
    column_map: Annotated[Optional[Path], typer.Option(
        "--column-map", metavar="MAP.toml",
        help="The same as --columns, from a TOML file (\\[columns] field = \"column\", optional time_format, time_zone, "
             "platform and decode_entities); --columns entries override its own, as --time-format, --time-zone, --platform "
             "and --decode-entities do its settings")] = None,
    time_format: Annotated[Optional[str], typer.Option(
        "--time-format", metavar="FORMAT",
        help="How the mapped created_at is written, when not ISO 8601, epoch seconds/ms or Twitter's form: a strptime "
             "format ('%d/%m/%Y %H:%M', UTC unless it has %z or --time-zone), or epoch / epoch_ms. Rows it does not match are rejected")] = None,
    time_zone: Annotated[Optional[str], typer.Option(
        "--time-zone", metavar="ZONE",
        help="The IANA time zone (e.g. Europe/London) of mapped times written without an offset; times with one keep it "
             "(default: UTC)")] = None,
    platform: Annotated[Optional[str], typer.Option(
        "--platform", metavar="NAME", help="The platform the mapped CSV's posts are from (default twitter)")] = None,
    decode_entities: Annotated[Optional[bool], typer.Option(
        "--decode-entities", show_default=False,
        help="The mapped text is Twitter's API text, with & < > written &amp; &lt; &gt;: decode those three, as ingest does "
             "for the formats it recognises (a text with a bare & < > is kept as written; ids never change). "
             "Default: kept as written (docs/ingest-csv.md, 'Escaped text')")] = None,
) -> None:
    """Read archives of any supported format into a study (format detected, no flag needed; your
    own CSV layout with --columns)."""
    location = str(location)  # `botwatch demo` and scripts call this function with a Path
    if location == "" or "" in inputs:
        # `botwatch ingest "$STUDY" "$FILE"` with a variable unset: an empty study path read as the
        # current folder (" is a folder"), an empty input as a file without a name ("failed : no
        # such file"); neither said what was wrong.
        fail(f"{'the study path' if location == '' else 'an input path'} is empty (an unset shell variable?)")
    from botwatch.cli.guard import kept_on_interrupt

    # Ctrl-C while the inputs are listed and checked (seconds on a loaded machine): nothing is written
    # yet. The general line sent the user to `botwatch status` ("no study at …") and a lake's lock.
    kept_on_interrupt(f"Nothing was read yet: {name_shown(location)} is as it was; run the same command again." if os.path.exists(location)
                      else f"Nothing was read yet and no study was made at {name_shown(location)}; run the same command again.")
    import duckdb

    from botwatch.engines.lake import is_lake_path
    from botwatch.ingest.runner import IngestSettingError, expand_inputs, memory_setting

    if not 0 < max_record_mb < 1024 * 1024:  # nan and inf too: int(nan * 2**20) was "a bug in botwatch"
        fail(f"--max-record-mb must be a positive number of megabytes below 1048576, got {max_record_mb}")
    docs: list[str] = []
    odd: list[str] = []  # named pipes, sockets, devices found in a folder: failed inputs, never opened
    lakes: list[str] = []  # lakes found under a folder given: not walked
    files = expand_inputs(inputs, set_aside=docs, not_files=odd, lakes=lakes)
    if docs:
        names = ", ".join(name_shown(os.path.basename(d)) for d in docs[:5]) + (" …" if len(docs) > 5 else "")
        console.print(f"left aside {len(docs)} file{'' if len(docs) == 1 else 's'} found in a folder that "
                      f"{'is' if len(docs) == 1 else 'are'} documentation, not data ({names}); name a file to read it anyway",
                      highlight=False, markup=False)
    _say_empty_folders(inputs, files + docs + odd + lakes)
    files = _without_the_study(files, location)
    walked = len(files)
    files = _without_databases(files, inputs)
    other_studies = len(files) < walked
    if lakes:
        for lake in lakes:
            mine = os.path.exists(location) and os.path.samefile(lake, location)
            console.print(f"left aside {name_shown(lake)}: "
                          f"{'the lake this command writes' if mine else 'a lake (another study) found in a folder'}, not an input",
                          highlight=False, markup=False)
    if not files:
        # Only folders expand to nothing: name them, so a wrong folder is seen at once.
        folders = ", ".join(name_shown(p) for p in inputs[:3]) + (" …" if len(inputs) > 3 else "")
        held = " and ".join(w for w, there in (("documentation", docs), ("DuckDB databases", other_studies), ("lakes", lakes),
                                               ("named pipes, sockets or devices", odd)) if there)
        fail(f"no input files in {folders}" + (f" (only {held} in the folders given; name a file to read it anyway)" if held
                                               else " (empty: hidden files are skipped)"))
    cmap = _column_map(columns, column_map, time_format, platform, time_zone, decode_entities)
    from botwatch.engines.spark_inputs import is_url

    on_spark = engine == "spark" or (engine is None and is_lake_path(location))
    # A URL (s3a://, hdfs://) is listed by Spark through Hadoop, not looked for on this disk.
    from botwatch.ingest.source import NO_SUCH_FILE, not_there

    _fail_on_file_as_folder(files)
    missing = [f for f in files if f != "-" and not (on_spark and is_url(f)) and not Path(f).exists()]
    if missing and len(missing) == len(files):
        # Nothing to read: fail before the study file is created, so no empty study is left behind.
        swapped = ""
        if len(inputs) == 1 and inputs[0].endswith(".duckdb") and Path(location).is_file() and not location.endswith(".duckdb"):
            # `ingest tweets.jsonl new.duckdb`: the arguments the wrong way round
            swapped = f"; the study comes first: botwatch ingest {shell_shown(inputs[0])} {shell_shown(location)}"
        # A link whose target is gone is there: "no such file: link.jsonl" sent the user looking for it.
        why = {f: not_there(f) or "" for f in missing[:5]}
        gone = [f for f in why if why[f] == NO_SUCH_FILE]
        said = ([f"no such file: {', '.join(name_shown(f) for f in gone)}"] if gone else []) + [f"{name_shown(f)} is {w}" for f, w in why.items() if f not in gone]
        fail("; ".join(said) + (" …" if len(missing) > 5 else "") + swapped)
    if engine not in (None, "duckdb", "spark"):
        fail(f"--engine must be duckdb or spark, not {engine!r}")
    if engine == "duckdb" and is_lake_path(location):
        fail(f"{name_shown(location)} is a lake (a folder of Parquet tables): ingest into it with --engine spark, or without --engine")
    if not on_spark and (location.endswith(("/", os.sep)) or Path(location).is_dir()):
        # A DuckDB study is one file; a folder is what a lake is, and DuckDB would fail on it (or
        # make a file of that name with the slash dropped).
        fail(f"{name_shown(location)} is a folder: a DuckDB study is a file (e.g. study.duckdb); for a lake of Parquet tables add --engine spark")
    if results_json is not None and not results_json.parent.is_dir():
        # Found before anything is read: the write after the ingest ended in "This is a bug in botwatch".
        fail(f"--results-json {name_shown(results_json)}: the folder {name_shown(results_json.parent)} does not exist; "
             f"create it first (mkdir -p {shell_shown(results_json.parent)}) or name a file in an existing folder")
    notes: list[str] = []
    if cmap is not None:
        notes = _check_columns(cmap, [f for f in files if f != "-" and not (on_spark and is_url(f)) and Path(f).is_file()])
    if on_spark:
        from botwatch.cli.ingest_spark import ingest_on_spark

        kept_on_interrupt(None)  # the lake's own lines from here (its lock, the files stored)
        ingest_on_spark(location, files, force, max_record_mb, spark_master, results_json, cmap, notes, odd)
        return
    study = Path(location)
    try:
        memory_setting()
    except IngestSettingError as exc:
        fail(str(exc))
    existed = study.exists()
    try:
        summary = _ingest_with_progress(study, inputs, files, force, max_record_mb, workers, kept=existed, columns=cmap, notes=notes,
                                        not_files=odd)
    except KeyboardInterrupt:
        from botwatch.cli.guard import kept_on_interrupt, nothing_kept

        if not existed and remove_if_nothing_stored(study):  # Ctrl-C before a file was stored: no empty study is left behind
            console.print(f"nothing was stored before the interrupt: the new study {plain(name_shown(study))} was removed", highlight=False)
            nothing_kept()
        else:  # each file is one transaction; a re-run skips stored files by hash and known posts by id
            kept_on_interrupt(f"The files reported ok above are stored in {name_shown(study)}; the file being read was rolled back. "
                              "Run the same command again to go on: files already stored are skipped and posts already in the "
                              "study are not stored twice.")
        raise
    except duckdb.Error as exc:  # the study itself failed (disk full at a checkpoint): each file is its own transaction
        reason = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
        fail(f"the study {name_shown(study)} could not be written ({reason}); files reported ok above are stored, the file being read was rolled back: free space and run the same command again", code=1)  # not a usage error (README: exit 2)
    kept_on_interrupt(None)  # read and stored: "nothing was read yet" no longer holds
    if existed or not summary.nothing_read:
        # Not for a study this command created and removes below: no input is in a study then, and an
        # `ok` line (a file whose records were all rejected) had collect's follow mode log it ingested,
        # ledger it and never offer it again, its rejected records kept nowhere. Without lines, follow
        # mode retries the files with the next batch, which creates the study and keeps them aside there.
        write_results(summary, results_json)
    if summary.nothing_read:
        why = ""
        if not existed:  # a study this command created and filled with nothing is not left behind
            why = _why_rejected(study)  # its `rejected` rows go with it: say here what they held
            for p in (study, Path(str(study) + ".wal")):
                p.unlink(missing_ok=True)
        if written := study_unwritable(summary):  # the inputs read well: it was the study that could not grow
            fail(f"the study {name_shown(study)} could not be written ({written}), so nothing was stored: free space on its disk "
                 "(or raise the file-size limit, `ulimit -f`) and run the same command again"
                 + ("" if existed else f"; no study was created at {name_shown(study)}"), code=1)
        why = why or empty_inputs(summary)  # a CSV of its header alone: say so
        fail("nothing could be read from the inputs" + why + ("" if existed else f"; no study was created at {name_shown(study)}"), code=1)
    fail_if_some_failed(summary)


def _column_map(columns: Optional[str], column_map: Optional[Path], time_format: Optional[str], platform: Optional[str] = None,
                time_zone: Optional[str] = None, decode_entities: Optional[bool] = None) -> ColumnMap | None:
    """The column map the options give (None: sniff formats as usual); a usage error exits 2."""
    from botwatch.ingest.csv_mapping import ColumnMapError, from_options

    try:
        return from_options(columns, str(column_map) if column_map is not None else None, time_format, platform, time_zone,
                            decode_entities)
    except ColumnMapError as exc:
        fail(str(exc))
        raise  # unreachable


def _without_the_study(files: list[str], location: str) -> list[str]:
    """`files` without the study being written (and its `.wal`), with a line saying so
    (`ingest.source.study_files`)."""
    from botwatch.ingest.source import study_files

    own = study_files(files, location)
    if own:
        console.print(f"left aside {', '.join(name_shown(f) for f in own)}: the study this command writes, not an input",
                      highlight=False, markup=False)
    return [f for f in files if f not in own]


def _without_databases(files: list[str], inputs: list[str]) -> list[str]:
    """`files` without the DuckDB databases a folder walk found (`ingest.source.databases_found`),
    with one line naming them."""
    from botwatch.ingest.source import databases_found

    dbs = databases_found(files, inputs)
    if dbs:
        one = len(dbs) == 1
        names = ", ".join(name_shown(f) for f in dbs[:5]) + (" …" if len(dbs) > 5 else "")
        console.print(f"left aside {names}: {'a DuckDB database (another study)' if one else 'DuckDB databases (other studies)'} "
                      f"found in a folder, not {'an input' if one else 'inputs'}",
                      highlight=False, markup=False)
    return [f for f in files if f not in dbs]


def _fail_on_file_as_folder(files: list[str]) -> None:
    """A usage error for a file named with a trailing `/` (`ira/tweets.csv.gz/`): `Path` drops the
    slash, so the file passed as there, and opening it failed as "no such file" (exit 1) beside a
    file the user could see."""
    for f in files:
        if f.endswith(("/", os.sep)) and os.path.isfile(f.rstrip("/" + os.sep)):
            fail(f"{name_shown(f)} ends in / but {name_shown(f.rstrip('/' + os.sep))} is a file, not a folder: drop the trailing /")


def _check_columns(cmap: ColumnMap, files: list[str]) -> list[str]:
    """Every local input has the mapped columns, before anything is written: a map naming a column
    a file lacks is a usage error (exit 2), not a study of rejected rows. Returns the lines to print
    under the summary (`csv_mapping.check_inputs`: the columns each file leaves unread, and times
    its first rows hold that cannot be read)."""
    from botwatch.ingest.csv_mapping import ColumnMapError, check_inputs

    try:
        return [controls_shown(n) for n in check_inputs(cmap, files)]
    except ColumnMapError as exc:
        fail(controls_shown(str(exc)))
        raise  # unreachable


def no_records(res: FileResult) -> str | None:
    """Why an input a reader knew gave nothing (a CSV of its header line alone), or None when it
    gave something or was not read. Its line said "ok … read 0, stored 0" above "error: nothing
    could be read from the inputs"; it now says what was wrong with the file."""
    if res.skipped or res.error or res.format is None or res.read or res.stored or res.accounts or res.rejected:
        return None
    from botwatch.ingest.formats import FORMATS

    fmt = FORMATS.get(res.format)
    csv = res.format == "csv-mapped" or (fmt is not None and fmt.kind == "csv")
    return "no records after its header line" if csv else "no records in it"


def empty_inputs(summary: IngestSummary) -> str:
    """" (h.csv: no records after its header line)" for the inputs that held no records ("" when
    none did): the end of the "nothing could be read" line, on both engines."""
    shown = short_names([f.source for f in summary.files])
    empty = [f"{name_shown(shown[f.source])}: {n}" for f in summary.files if (n := no_records(f))]
    return f" ({'; '.join(empty[:3])})" if empty else ""


def unreadable(res: FileResult) -> bool:
    """True for an input no reader knew (nothing read from it; why is its row in `rejected`)."""
    return not res.skipped and not res.error and res.format is None and res.read == 0 and res.stored == 0 and res.accounts == 0


def outcome(res: FileResult) -> tuple[str, str]:
    """(status, reason) of one input, as its line says it: `ok`, `skipped` (already ingested),
    `refused` (read before under a column map giving other post ids: not read, and refused the
    same way on every run), `partial` (a compressed stream that broke off: the records before the
    break are stored, the reason says how many and where), `unreadable` (no reader knows it:
    reading it again gives the same answer) or `failed` (rolled back, or not opened: worth
    another try). A refused input was reported `skipped`, as if the study held it."""
    if res.refused:
        return "refused", res.skipped or "read before under a column map giving other post ids"
    if res.skipped:
        return "skipped", res.skipped
    if res.error:
        return "failed", res.error
    if unreadable(res):
        return "unreadable", res.unreadable or "not a format botwatch reads"
    if res.broke_off:
        return "partial", res.broke_off
    return "ok", ""


def write_results(summary: IngestSummary, path: Path | None) -> None:
    """Each input's outcome as a JSON line {source, status, reason} in `path` (nothing when None).

    The exit status says only whether every input was stored; a caller that ingests files as they
    appear (`collect --follow`) must tell a file no reader knows, refused the same way on every
    run, from one that failed for a passing reason, without parsing the lines meant for people.
    Written before the exit status is decided: a run that ends without the file is one to retry.
    A failed input whose failure repeats unchanged until a person acts (a dangling link, permission
    denied: `source.lasting_failure`) carries `"lasting": true`, so that the caller names it once
    and goes on instead of trying it again.
    """
    if path is None:
        return
    import json

    from botwatch.ingest.source import lasting_failure

    def row(f: FileResult) -> str:
        status, why = outcome(f)
        lasting = {"lasting": True} if status == "failed" and lasting_failure(f.error) else {}
        return json.dumps({"source": f.source, "status": status, "reason": why, **lasting})

    lines = [row(f) for f in summary.files]
    try:
        path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    except OSError as exc:  # a folder in its place, no permission, a disk full: the inputs are stored all the same
        fail(f"could not write --results-json {name_shown(path)} ({os_error_said(exc)}); the inputs reported ok above are stored")


def _say_empty_folders(inputs: list[str], found: list[str]) -> None:
    """Name each folder given that holds nothing to read (no file but hidden ones), when other
    inputs are read: given beside files, such a folder vanished without a word (the summary
    counted one input fewer than were named), so a wrong or not yet filled folder went unseen.
    Every input empty is the "no input files" error instead (exit 2). The paths found are sorted
    once and each folder looked up in them: a scan of them all per folder grew with the square of
    the folders given, and a year of hourly capture folders (`data/*/`: 8,760 folders) waited over
    a minute (on a busy 2-core machine) before anything was read."""
    if not found:
        return
    import bisect

    ordered, named = sorted(found), set(found)
    for p in inputs:
        if p == "-" or not os.path.isdir(p):
            continue
        inside = os.path.join(p, "")
        at = bisect.bisect_left(ordered, inside)  # the paths under `inside` sort together, from here
        if p not in named and not (at < len(ordered) and ordered[at].startswith(inside)):
            console.print(f"left aside {name_shown(p)}: a folder with no files to read in it (hidden files are skipped)",
                          highlight=False, markup=False)


def put_nothing_in(res: FileResult) -> str | None:
    """Why an input is not wholly in the study although the study does not already hold it (the
    summary's "failed" kinds, below), or None: it stored posts or accounts, met only posts already
    stored (duplicates), or was skipped as content already ingested. A script running `ingest`
    must be able to tell a complete ingest from one with a file missing, broken off, unreadable,
    empty, wholly rejected or refused, or a compressed file cut short after some of its records
    were stored (`cut short`: what came before the break is kept, the rest is lost): each of
    those exits 1, however many other inputs were stored."""
    if res.refused:
        return "refused"
    if res.skipped:
        return "nothing held" if res.nothing_held else None
    from botwatch.ingest.source import BROKEN_LINK, CANNOT_OPEN, FOLDER_UNREADABLE, NO_SUCH_FILE, NOT_A_FILE  # loaded by then: the ingest ran

    if res.error == NO_SUCH_FILE:  # never there: "broke off" sent the user looking for a cut file
        return "missing"
    if res.error and res.error.startswith(BROKEN_LINK):  # the link is there, its target is not
        return "broken link"
    if res.error and res.error.startswith(FOLDER_UNREADABLE):  # a folder walk could not list it
        return "unreadable folder"
    if res.error and res.error.startswith(NOT_A_FILE):  # a named pipe or device in a folder: never opened
        return "not a file"
    if res.error and res.error.startswith(CANNOT_OPEN):  # never opened (permission denied): "broke off" sent the
        return "cannot open"  # user looking for a cut file
    if res.error and write_failure(res.error):  # the input read well; the study's file could not grow
        return "not written"
    if res.error:
        return "broke off"
    if unreadable(res):
        return "unreadable"
    if res.broke_off:
        return "cut short"
    if res.stored + res.duplicates + res.accounts + notices_read(res):  # a stream's quiet hour: its notices are kept
        return None
    if no_records(res) is not None:
        return "empty"
    return "all rejected" if res.rejected else "no posts"


# How the error line words each kind of `put_nothing_in`, one input or several.
_KINDS = {
    "missing": lambda n: "no such file",
    "broken link": lambda n: "a link whose target is missing",
    "unreadable folder": lambda n: "a folder that cannot be read, so its files were not",
    "not a file": lambda n: "a named pipe, socket or device found in a folder, not opened",
    "unreadable": lambda n: "not a format botwatch reads",
    "cannot open": lambda n: f"the system would not open {'it' if n == 1 else 'them'} (permission denied or the like: see {'its line' if n == 1 else 'their lines'})",
    "broke off": lambda n: f"nothing from {'it' if n == 1 else 'them'} was stored",
    "not written": lambda n: f"the study could not grow (a full disk, a quota or the file-size limit), so nothing from {'it' if n == 1 else 'them'} was stored",
    "empty": lambda n: "no records in " + ("it" if n == 1 else "them"),
    "all rejected": lambda n: "every record was rejected",
    "no posts": lambda n: "records read, none of them a post or account",
    "refused": lambda n: "read before under a column map giving other post ids",
    "cut short": lambda n: "the compressed stream broke off; the records before the break are stored, the rest is lost",
    "nothing held": lambda n: "read before, and nothing in " + ("it" if n == 1 else "them") + " could be stored",
}


# What DuckDB's errors say when the study's file (or its journal) may not grow: the input was read,
# so "nothing could be read from the inputs" sent the user looking at a good file.
_WRITE_FAILURES = ("Could not write file", "No space left on device", "File too large", "Disk quota exceeded")


def write_failure(error: str) -> bool:
    """Whether an input's error (`FileResult.error`) is the study's file that could not grow (`_WRITE_FAILURES`)."""
    return any(words in error for words in _WRITE_FAILURES)


def study_unwritable(summary: IngestSummary) -> str | None:
    """The first write failure an input's rollback reports (`_WRITE_FAILURES`), as one line, or None."""
    for res in summary.files:
        if res.error and write_failure(res.error):
            return res.error.strip().splitlines()[0][:300]  # `fail` shows its controls escaped
    return None


def failed_inputs(summary: IngestSummary) -> int:
    """Inputs that put nothing in although not already held (`put_nothing_in`). The summary's
    "failed" column and the error line under it count the same inputs; counting only some made
    the table say "failed 0" above "1 of 4 inputs could not be read"."""
    return sum(1 for f in summary.files if put_nothing_in(f))


def fail_if_some_failed(summary: IngestSummary) -> None:
    """Exit 1 when an input put nothing in (`put_nothing_in`) although others were stored or
    already held; exit status 0 needs every input stored or already in the study (a whole CSV of
    posts skipped with exit 0 would be lost without anyone noticing; the table alone says it)."""
    got = [k for f in summary.files if (k := put_nothing_in(f))]
    if got:
        counts = {k: got.count(k) for k in _KINDS if k in got}
        kinds = "; ".join(f"{n} {k}: {_KINDS[k](n)}" for k, n in counts.items())
        what = f"{len(got)} of {len(summary.files)} inputs failed ({kinds})"
        # A study that filled up after some files were stored: "Fix or remove those inputs" sent
        # the user to a good input; the next step is room on the disk (`ulimit -f`: the limit).
        todo = "Fix or remove those inputs" if "not written" not in counts else (
            "Free space on the study's disk (or raise the file-size limit, `ulimit -f`)"
            + (", fix or remove the other inputs," if len(counts) > 1 else ""))
        fail(
            f"{what}, as listed above; the rest are stored or were already. {todo} and run the same command again: "
            "stored files are skipped, not duplicated",
            code=1,
        )


def remove_if_nothing_stored(study: Path) -> bool:
    """Remove a study this command created when no file was committed to it (its `sources` table,
    written in each file's transaction, is empty); True when removed. A study that cannot be read
    is kept: deleting what might hold data is worse than leaving an empty file."""
    from botwatch.study import Study

    try:
        with Study(study, read_only=True) as st:
            stored = st.sql("SELECT (SELECT count(*) FROM sources) + (SELECT count(*) FROM posts) + (SELECT count(*) FROM accounts)")[0][0]
    except Exception:  # noqa: BLE001 - unsure what it holds: keep it
        return False
    if stored:
        return False
    for p in (study, Path(str(study) + ".wal")):
        p.unlink(missing_ok=True)
    return True


def _why_rejected(study: Path) -> str:
    """The first reasons in a study's `rejected` table, as " (file: reason; ...)" ("" when none)."""
    from botwatch.study import Study

    try:
        with Study(study, read_only=True) as st:
            rows = st.sql("SELECT source, error FROM rejected ORDER BY source, line LIMIT 3")
    except Exception:  # noqa: BLE001 - only a better message is at stake
        return ""
    # The reason quotes the file's own header or first bytes: an ESC there must not reach the terminal raw.
    # The file's name by `name_shown` (as stored: `sources`' form), as its own line above named it.
    shown = short_names([str(src) for src, _ in rows])
    return " (" + "; ".join(f"{name_shown(shown[str(src)], stored=True)}: {controls_shown(err)}" for src, err in rows) + ")" if rows else ""


def short_names(paths: list[str]) -> dict[str, str]:
    """Each path by its file name, or whole where two of `paths` share a file name: a folder of
    data sets (`ordinary/brexit-2016/tweets.csv.gz`, `ordinary/gop-debate-2015/tweets.csv.gz`)
    was summed up as "(tweets.csv.gz: ...; tweets.csv.gz: ...)", which named neither."""
    holders: dict[str, set[str]] = {}
    for p in paths:
        holders.setdefault(os.path.basename(p), set()).add(p)
    return {p: p if len(holders[os.path.basename(p)]) > 1 else os.path.basename(p) for p in paths}


def _ingest_with_progress(study: Path, inputs: list[str], files: list[str], force: bool, max_record_mb: float, workers: Optional[int], kept: bool = True,
                          columns: ColumnMap | None = None, notes: list[str] | None = None, not_files: list[str] | None = None) -> IngestSummary:
    """The ingest command's work: progress bars, a line per file and the summary table."""
    from botwatch.ingest.runner import ingest as run_ingest

    with open_or_fail(study, create=True) as st, Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn(),
        console=console, transient=True, disable=not console.is_terminal,
    ) as progress:
        task_ids: dict[str, int] = {}
        drawn = console.is_terminal
        now: list[FileProgress] = []  # the file being read, whose "writing" lines must stop with it

        def start(path: str, size: int | None) -> FileProgress:
            if not drawn:  # a pipe or a log file: no bar, so a line now and then
                now[:] = [FileProgress(progress_lines(path, size), name_shown(path))]
                return now[0]
            short = name_shown(os.path.basename(path)[:40])
            tid = progress.add_task(escape(short), total=size)
            task_ids[path] = tid
            return FileProgress(lambda done: progress.update(tid, completed=done), short,
                                on_bar=lambda said: progress.update(tid, description=escape(said)))

        def done(res: FileResult) -> None:
            for p in now:
                p.stop()
            tid = task_ids.get(res.source)
            if tid is not None:
                progress.remove_task(tid)
            print_file_result(res)

        try:
            summary = run_ingest(st, files, force=force, max_record_bytes=int(max_record_mb * 1024 * 1024), on_file_start=start, on_file_done=done, workers=workers,
                                 columns=columns, not_files=not_files or ())
        finally:  # Ctrl-C or a failure mid-write: no line after the command's own last one
            for p in now:
                p.stop()
        from botwatch.collect.study_link import record_captures  # a capture folder's sampling rate and filter travel with its posts

        record_captures(st, inputs)
        print_summary(summary, study, kept=kept or not summary.nothing_read, notes=[*(notes or []), *summary.notes])
    return summary


class FileProgress:
    """One input's progress as `runner.ingest` hears it: the bytes read (a call), then the write
    of its records into the study (`writing`), which for a big archive runs some 40 s after the
    bar, or the log's line, said no time was left. On a terminal the bar's words say it; in a pipe
    or a log file a line says it every `BOTWATCH_PROGRESS_SECONDS` while it runs, as a long
    stage's are (`StillRunning`: "ira.csv: writing N records into the study: still
    running, 31 s so far"), all on stderr."""

    def __init__(self, read: Callable[[int], None], name: str, on_bar: Callable[[str], None] | None = None) -> None:
        self._read, self._name, self._on_bar = read, name, on_bar
        self._still: StillRunning | None = None

    def __call__(self, done: int) -> None:
        self._read(done)

    def writing(self, records: int) -> None:
        said = f"{self._name}: writing {records:,} record{'' if records == 1 else 's'} into the study"
        if self._on_bar is not None:
            self._on_bar(said)
            return
        from botwatch.ticker import interval_from_env

        self.stop()
        self._still = StillRunning(lambda line: console.print(line, highlight=False, markup=False), interval_from_env()).start()
        self._still.begin(said)

    def stop(self) -> None:
        """No more lines for this file (its result line follows)."""
        if self._still is not None:
            self._still.end()
            self._still.stop()
            self._still = None


def progress_lines(path: str, size: int | None, every: float | None = None):  # type: ignore[no-untyped-def]
    """Where no bar is drawn (stderr a pipe or a log file): a line on stderr every `every` seconds
    (`BOTWATCH_PROGRESS_SECONDS`, 30 s, as Spark's progress lines) while a file is read, with the
    bytes read of its size, the rate and the time left. A 1.7M-row CSV read in a log file said
    nothing for two minutes, then its result line; a bigger archive, nothing for hours."""
    import time

    from botwatch.engines.spark_progress import interval_from_env
    every = interval_from_env() if every is None else every
    name = name_shown(path)
    began = last = time.monotonic()

    def tick(done: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last < every or (size and done >= size):  # (the whole file read: its result line follows)
            return
        last = now
        rate = done / max(now - began, 1e-9)
        said = f"reading {name}: {done / 1e6:,.1f}"
        if size:
            left = int((size - done) / rate) if rate > 0 else None
            said += f" of {size / 1e6:,.1f} MB ({100 * done / size:.0f}%), {rate / 1e6:,.1f} MB/s"
            said += f", about {left // 3600}:{left // 60 % 60:02d}:{left % 60:02d} left" if left is not None else ""
        else:
            said += f" MB, {rate / 1e6:,.1f} MB/s"
        console.print(said, markup=False, highlight=False)

    return tick


def print_file_result(res: FileResult) -> None:
    """One line per input: skipped (and why), failed (and why), or what was read and stored."""
    from botwatch.ingest.source import FOLDER_UNREADABLE

    # The name as `name_shown` writes it (a non-UTF-8 byte as `\xff`, a typed backslash as two); an
    # ESC or other control character in a reason quoting one as `\x1b`, never sent to the terminal raw.
    res = dataclasses.replace(res, source=escape(name_shown(res.source)))
    if res.refused and res.skipped:
        console.print(f"[red]refused[/red] {res.source}: {plain(res.skipped)}", highlight=False)
    elif res.skipped:
        then = ", where nothing in it could be stored" if res.nothing_held else ""
        console.print(f"[yellow]skipped[/yellow] {res.source}: {plain(res.skipped)}{then}", highlight=False)
    elif res.error:
        # "study unchanged" was wrong beside other inputs that were stored; this file's part is what was undone.
        nothing = "none of its files was read" if (res.error or "").startswith(FOLDER_UNREADABLE) else "nothing from this file was stored"
        console.print(f"[red]failed[/red] {res.source}: {plain(res.error)} ({nothing})", highlight=False)
    elif unreadable(res):
        # Not "ok": no reader knew the file. Why (its header or first bytes) is said here, since a
        # study that stored nothing is removed with its `rejected` table; the reason quotes the
        # file's own bytes, so its control characters are shown escaped.
        why = plain(res.unreadable) if res.unreadable else "why is its row in the study's `rejected` table"
        console.print(f"[yellow]unreadable[/yellow] {res.source}: not a format botwatch reads: {why}", highlight=False)
    elif (empty := no_records(res)) is not None:
        console.print(f"[yellow]empty[/yellow] {res.source} {escape('[' + str(res.format) + ']')}: {empty}, nothing to store", highlight=False)
    else:
        # A compressed file that broke off is not "ok": what came before the break is stored, and the line says where it broke.
        head, tail = ("[red]cut short[/red]", f"; {plain(res.broke_off)}") if res.broke_off else ("[green]ok[/green]", "")
        console.print(
            f"{head} {res.source} {escape('[' + (res.format or 'unreadable') + ']')}: read {read_count([res])}{_not_posts_said(res)}, stored {res.stored:,}, "
            f"duplicates {res.duplicates:,}, rejected {records_rejected(res):,}, {_repaired_said(res)}{''.join(f'{words} {n:,}, ' for words, n in kept_apart(res))}accounts {res.accounts:,}{tail}",
            highlight=False,
        )


def _repaired_said(res: FileResult) -> str:
    """"repaired N, " for a file with records stored after a repair, naming those redated among
    them (posts dated when the network relayed them, not when they claimed: `FileResult.redated`)
    and those rekeyed (a Mastodon account keyed apart from a profile URL off its instance:
    `FileResult.rekeyed`), since those are no mended bytes but what a sender chose; "" where none."""
    if not res.repaired:
        return ""
    which = [f"{n:,}{' of them' if not k else ''} {word}" for k, (n, word) in
             enumerate((n, word) for n, word in ((res.redated, "redated"), (res.rekeyed, "rekeyed")) if n)]
    return f"repaired {res.repaired:,}" + (f" ({', '.join(which)})" if which else "") + ", "


def _not_posts_said(res: FileResult) -> str:
    """" (2 of them not posts: profiles, account events and the like)" after the records read, when
    some were no post (`counts.not_posts`): "read 282, stored 280, duplicates 0, rejected 0" left
    two records unaccounted for."""
    n = not_posts(res)
    if not n:
        return ""
    return f" ({n:,} of them {'not a post' if n == 1 else 'not posts'}: profiles, account events and the like)"


def other_encoding(res: FileResult) -> str | None:
    """A line for an input many of whose records were rejected as not UTF-8 (at least 5, or 5% of
    those read), else None. Such rows stay rejected (never "repaired" into other text); the line
    names the likely cause, a file saved in another encoding (Excel's CSV on Windows is cp1252),
    and the conversion: the converted file then adds the rows, those already stored not twice."""
    if not res.not_utf8 or (res.not_utf8 < 5 and res.not_utf8 * 20 < max(res.read, 1)):
        return None
    if res.unreadable:  # no reader knew the file (binary, packed): its own line says so, not "convert it"
        return None
    name = name_shown(res.source)
    if res.non_ascii:
        # Most of the file is UTF-8 with characters beyond ASCII: iconv over the whole file would turn
        # those into other text (stored again under new ids where the file has none), or stop at
        # the first byte CP1252 lacks and leave a file cut short.
        many = f"{res.non_ascii:,} record{'' if res.non_ascii == 1 else 's'}"
        return (f"{name}: {res.not_utf8:,} record{'' if res.not_utf8 == 1 else 's'} rejected as not UTF-8, while {many} with characters beyond "
                f"ASCII were read as UTF-8: the file mixes encodings, so do not convert it whole (that would garble those {many}); "
                "the rejected records' line numbers are in the study's `rejected` table: convert those lines alone")
    return (f"{name}: {res.not_utf8:,} record{'' if res.not_utf8 == 1 else 's'} rejected as not UTF-8: if the file was saved in another encoding "
            f"(Excel's CSV on Windows is Windows-1252), convert it (`iconv -f CP1252 -t UTF-8 FILE > FILE-utf8`) "
            "and ingest the converted file; the records already stored are not stored twice")


def print_summary(summary: IngestSummary, study: Path | str, kept: bool = True, notes: list[str] | None = None) -> None:
    """The summary table on stdout, and where the rejected records are kept (`kept=False`: the
    study is about to be removed, having stored nothing, so they are not); then `notes`, one line
    each (a column map's unread columns and unreadable times: `_check_columns`)."""
    tbl = Table(title="Ingest summary", show_header=True)
    # Records that were no post (profiles, account events) have a column when there are any: the
    # row "read 282, stored 280, duplicates 0, rejected 0" left them unaccounted for.
    other = sum(not_posts(f) for f in summary.files)
    # A cut .gz's break (its row in `rejected`) is no record: counted apart, in a column of its own when any.
    cut = cut_short_count(summary.files)
    # Edits of posts, delete and limit notices, stream warnings (`counts.KEPT_APART`): no post and no loss, each its own
    # column when any, so the row accounts for every record the files' own lines name.
    apart = [(words, n) for field, words in KEPT_APART if (n := summary.total(field))]
    cols = ("files", "read", *(("not posts",) if other else ()), *(words for words, _ in apart),
            "stored", "duplicates", "rejected", *(("cut short",) if cut else ()), "failed", "skipped")
    for col in cols:
        tbl.add_column(col, justify="right")
    tbl.add_row(
        str(len(summary.files)), read_count(summary.files), *((f"{other:,}",) if other else ()), *(f"{n:,}" for _, n in apart),
        f"{summary.total('stored'):,}", f"{summary.total('duplicates'):,}",
        f"{sum(records_rejected(f) for f in summary.files):,}", *((f"{cut:,}",) if cut else ()), str(failed_inputs(summary)),
        str(sum(1 for f in summary.files if f.skipped and not put_nothing_in(f))),
    )
    wide_when_piped().print(tbl)  # in a pipe, a header is not cut to "duplicat…" at 80 columns
    if (mended := summary.total("repaired") - summary.total("redated") - summary.total("rekeyed")) and kept:
        console.print(f"{mended:,} records were stored after a repair (a lone UTF-16 surrogate became U+FFFD); "
                      "each original is kept in `rejected` beside a note starting 'repaired, record kept'", highlight=False, markup=False)
    if (redated := summary.total("redated")) and kept:
        console.print(f"{redated:,} Bluesky post{'' if redated == 1 else 's'} claimed a time (createdAt) more than a day before, or minutes "
                      f"after, the network relayed {'it' if redated == 1 else 'them'}: dated when relayed, so an author cannot move a post "
                      "into or out of the election window; each claimed time is kept in `rejected` beside a note starting "
                      "'repaired, record kept: record.createdAt'", highlight=False, markup=False)
    if (rekeyed := summary.total("rekeyed")) and kept:
        console.print(f"{rekeyed:,} Mastodon record{'' if rekeyed == 1 else 's'} named an account whose profile url (or uri) is not http/https "
                      "or not on the instance its acct and status name: keyed acct:user@instance, apart from any instance's account, "
                      "so a sending instance cannot merge its accounts into another's; each original is kept in `rejected` beside a "
                      "note starting 'repaired, record kept: Mastodon account'", highlight=False, markup=False)
    if summary.total("rejected") and kept:
        # Only the rows that locate a failed input (unreadable, cut short): "Rejected records are kept"
        # under "rejected 0" read as a contradiction; those rows say what was wrong with each input.
        kept_what = "Rejected records are" if sum(records_rejected(f) for f in summary.files) else "What was wrong with each failed input is"
        console.print(f"{kept_what} kept in the study: `botwatch export {shell_shown(study)} rejected -o rejected.csv`", highlight=False, markup=False)
    for res in summary.files:
        if encoding_note := other_encoding(res):
            console.print(encoding_note, highlight=False, markup=False)
    for note in notes or []:
        console.print(controls_shown(note), highlight=False, markup=False)
