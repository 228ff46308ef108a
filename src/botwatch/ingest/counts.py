"""How much an ingest read, in honest units, for every place that says it (the CLI, the runs
table's message on both engines, the report's Methods)."""

from __future__ import annotations

import re
from typing import Any, Iterable


# Records read that are neither posts stored, duplicates nor rejected, yet no loss, each counted on
# its own: (`FileResult` field, the words the ingest line, its summary table and the runs message
# say it with). Edits of posts are kept beside the post's first text; the platforms' delete notices
# (a stream sample holds thousands) and an X v1.1 stream's limit notices were counted as rejected
# though nothing was wrong. Absent from a `sources` row, so `not_posts` leaves them out too.
KEPT_APART = (("edited", "edits kept"), ("deleted", "delete notices"), ("limited", "limit notices"), ("warned", "stream warnings"))


# Of those, the platform's own notices (all but the edits): `notices_read`.
NOTICE_FIELDS = tuple(field for field, _ in KEPT_APART if field != "edited")


def notices_read(res: Any) -> int:
    """The platform's delete and limit notices and stall warnings one result (or summary-like
    object) read: records kept (`deletions`, `stream_limits`, `stream_warnings`), not lost, and
    counted as one wherever a read's notices are (a quiet hour of a stream holds only those)."""
    return sum(getattr(res, field, 0) for field in NOTICE_FIELDS)


def kept_apart(res: Any) -> list[tuple[str, int]]:
    """`KEPT_APART`'s (words, count) for one result or summary-like object, those counted only."""
    return [(words, n) for field, words in KEPT_APART if (n := getattr(res, field, 0))]


def read_count(results: Iterable[Any], sep: str = ",") -> str:
    """What `results` (objects with `format` and `read`, e.g. `FileResult`) read, honest about
    units: a twarc2 page is one record of up to 100 posts, so "read 1, stored 100" read as a loss
    the wrong way round; pages are counted as pages ("1 page", "6 + 2 pages" beside records of
    other formats). `sep`: the thousands separator ("" for the runs table's plain numbers)."""
    results = list(results)
    return read_words(sum(r.read for r in results if not is_page_format(r.format)),
                      sum(r.read for r in results if is_page_format(r.format)),
                      any(is_page_format(r.format) for r in results), sep)


def read_words(records: int, pages: int, any_pages: bool, sep: str = ",") -> str:
    """`records` plain records and `pages` response pages as one phrase ("5,099 + 19 pages")."""
    def n(v: int) -> str:
        return f"{v:,}".replace(",", sep)

    if not any_pages:
        return n(records)
    paged = f"{n(pages)} page{'' if pages == 1 else 's'}"
    return paged if records == 0 else f"{n(records)} + {paged}"


def not_posts(res: Any) -> int:
    """How many of the records `res` (a `FileResult`) read were no post: profile rows (an authors or
    users file), account and identity events, likes and follows. Neither stored, duplicate nor
    rejected, they read as missing: a Jetstream file of 280 posts and two identity events said
    "read 282, stored 280, duplicates 0, rejected 0". 0 for response pages (a page holds many
    posts). A stream that broke off keeps one `rejected` row for the break that is no record read.
    Delete notices (`FileResult.deleted`), stream limit notices and warnings (`limited`, `warned`) and edits of
    posts kept beside their first text (`FileResult.edited`), absent from a `sources` row, are
    counted on their own: an edit counted here too read "read 2 (1 of them not a post: ...), stored
    1, ..., edits kept 1", the edit said twice."""
    if is_page_format(res.format) or getattr(res, "error", None):
        # A file rolled back (the study could not be written, `ulimit -f`) is counted as failed;
        # its records as "not posts" too, a full disk read "not posts 200,000" for 200,000 tweets.
        return 0
    apart = sum(n for _, n in kept_apart(res))
    return max(res.read - res.stored - res.duplicates - records_rejected(res) - apart, 0)


def records_rejected(res: Any) -> int:
    """The records `res` (a `FileResult`) rejected: its `rejected` count without the row that
    records where a compressed stream broke off, which is no record but a note that the file ended
    early (counted apart, `cut_short_count`). Counted with them, a cut .gz of one bad record said
    "rejected 2" at ingest where the report's Methods said 1 could not be read. Nor the row that
    locates a file no reader knew (`FileResult.unreadable`): that input is counted as failed, and
    counted here too the summary said "rejected 1" while every file's own line said 0."""
    note = getattr(res, "broke_off", None) or getattr(res, "unreadable", None)
    return res.rejected - (1 if note and res.rejected else 0)


def cut_short_count(results: Iterable[Any]) -> int:
    """How many of `results` (`FileResult`s) broke off (a cut or corrupt compressed stream)."""
    return sum(1 for r in results if getattr(r, "broke_off", None))


def is_page_format(fmt: str | None) -> bool:
    """Whether a source format's records are response pages (twarc2), not single posts."""
    from botwatch.ingest.formats import PAGE_FORMATS

    return fmt in PAGE_FORMATS


# The runs table's message of an ingest, on both engines. An input skipped as already read (an
# identical file, `FileResult.skipped` but not `refused`) is counted in it: a re-run that skipped
# every input wrote "stored 0" and `status` showed its rows as a bare 0, as if the input were empty.
_SKIPPED = re.compile(r", skipped (\d+) already read")
# Inputs not wholly in the study (missing, unreadable, cut short, refused...: the CLI's "failed"
# column, `cli.ingest.put_nothing_in`). Without it `status` said "ingest ok" and the rows stored
# after a run that exited 1 with a file cut short or missing, as if every input were in.
_FAILED = re.compile(r", failed (\d+)")


def run_message(results: Iterable[Any]) -> str:
    """The `runs` message of an ingest of `results` (`FileResult`s): what it read, stored, found
    twice and rejected, how many broke off (cut short) and how many inputs it skipped as already read."""
    results = list(results)
    total = lambda attr: sum(getattr(r, attr) for r in results)  # noqa: E731
    from botwatch.cli.ingest import put_nothing_in

    skipped = sum(1 for r in results if r.skipped is not None and not r.refused)
    failed = sum(1 for r in results if put_nothing_in(r))
    other = sum(not_posts(r) for r in results)
    cut = cut_short_count(results)  # a break's `rejected` row is no record: counted apart
    return (f"read {read_count(results, sep='')}, stored {total('stored')}, duplicates {total('duplicates')}, "
            f"rejected {sum(records_rejected(r) for r in results)}" + (f", cut short {cut}" if cut else "")
            + "".join(f", {words} {total(field)}" for field, words in KEPT_APART if total(field))
            + (f", not posts {other}" if other else "") + (f", skipped {skipped} already read" if skipped else "") + (f", failed {failed}" if failed else ""))


def rows_shown(stage: str, rows: int | None, message: str | None) -> str:
    """A run's rows as `status` shows them: an ingest that skipped inputs as already read says so
    beside its count ("0 new, 1 input already read"), so a re-run is not read as an empty input."""
    if rows is None:
        return ""
    m = _SKIPPED.search(message or "") if stage == "ingest" else None
    f = _FAILED.search(message or "") if stage == "ingest" else None
    failed = "" if f is None else f", {int(f.group(1)):,} input{'' if f.group(1) == '1' else 's'} failed (not stored, or not whole)"
    if m is None:
        return f"{rows:,}{failed}"
    n = int(m.group(1))
    return f"{rows:,} new, {n:,} input{'' if n == 1 else 's'} already read{failed}"
