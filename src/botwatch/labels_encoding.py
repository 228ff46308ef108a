"""Why a hand-labels file could not be read as text, in words that say what to do.

`content evaluate`, `evaluate-accounts` and `train-bot-model` read UTF-8. A spreadsheet saved as
"Unicode text" writes UTF-16 and an older one a code page such as Windows-1252; each command then
printed the codec's own message ("'utf-8' codec can't decode byte 0xff in position 0: invalid
start byte", or "not readable as CSV text") and nothing about saving the file again.
"""

from __future__ import annotations

import gzip
import itertools
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from botwatch.ingest.formats import wide_text, wide_text_reason


def undecodable_reason(path: str | Path, exc: UnicodeDecodeError) -> str:
    """The reason to print for a labels file that is not UTF-8 text."""
    p = Path(path)
    try:
        opener = gzip.open if p.name.endswith(".gz") else open
        with opener(p, "rb") as f:
            head = f.read(4096)
    except OSError:
        head = b""
    wide = wide_text(head)
    if wide:
        # Not "and ingest that": a labels file is given to the command again, never ingested.
        return wide_text_reason(wide, "run again with that")
    return (f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at byte {exc.start:,}: another code page, such as Windows-1252?); "
            "save it as UTF-8 (a spreadsheet's \"CSV UTF-8\") and run again")


def separator_hint(header: list[str]) -> str:
    """"; its header is separated by semicolons (;) …" where a labels file's header read as one
    column holding ";" or a tab (a spreadsheet set to a European locale saves CSV with semicolons),
    else "": said after the columns a command found missing."""
    if len(header) != 1 or not (";" in header[0] or "\t" in header[0]):
        return ""
    sep = "semicolons (;)" if ";" in header[0] else "tabs"
    return (f"; its header is separated by {sep}, and botwatch reads comma-separated CSV: save it as "
            "\"CSV (comma delimited)\" (a spreadsheet set to a European locale writes semicolons)")


BLANK_LINES_READ = 1000  # blank lines `first_line_separator_hint` reads past, at most, looking for the header


def first_line_separator_hint(path: str | Path) -> str:
    """`separator_hint` of a file's first line where that line holds no comma, read from the file
    itself (gzipped too): for a reader, like `train-bot-model`'s pandas, that fails on a
    semicolon-separated file before it has a header to look at ("line 3 has 91 fields, the first
    line 25", of a file whose every line was one field as commas go), or reads it as one column.
    "" where the line cannot be read or holds a comma. Blank lines above it are read past, as the
    readers read past them (`header_row`): the blank first line was taken for the header, and no
    hint was given."""
    p = Path(path)
    try:
        opener = gzip.open if p.name.endswith(".gz") else open
        with opener(p, "rt", encoding="utf-8-sig", errors="replace", newline="") as f:
            line = ""
            for _ in range(BLANK_LINES_READ):
                line = f.readline(65536)
                if not line or line.strip():
                    break
            line = line.rstrip("\r\n")
    except (OSError, EOFError):
        return ""
    return "" if "," in line else separator_hint([line])


def blank_row(cells: list[str]) -> bool:
    """Whether a csv row is a blank line: no cell, or one of spaces alone (pandas skips both, so
    `train-bot-model` reads past them where the csv readers would not)."""
    return len(cells) <= 1 and not "".join(cells).strip()


class LinedReader:
    """A `csv.reader` over a file opened with newline="" whose `line_num` is the file's line where
    the last row read ends, as `grep -n`, `sed -n`, `wc -l` and an editor number lines (each "\n"
    ends one): what the three label commands (`evaluate-accounts`, `train-bot-model`, `content
    evaluate`) name a row by, the same in each. Why: the csv reader's own `line_num` counts a bare
    "\r" as a line too, and stclab's CRLF files hold one inside many a quoted description, so a row
    `grep -n` puts on line 249 was said to be on line 1,037. The file still hands the reader lines
    split at a bare "\r" too (pandas splits rows there as well), so the rows are the same. A file
    with no "\n" at all, its lines ended by a "\r" alone (Excel for Mac's "CSV (Macintosh)"), is
    numbered by those, as an editor shows it (`grep -n` puts it all on line 1): counting only "\n"
    said every row of such a file was on line 1."""

    def __init__(self, f: Iterator[str]) -> None:
        import csv

        self._ends = [0, 0]  # "\n" read so far; whether the last line read ended without one (a bare "\r", the file's end)
        self.reader = csv.reader(self._counted(f))

    def _counted(self, f: Iterator[str]) -> Iterator[str]:
        """`f`'s lines, counted as they are read (a generator: a method call per line cost about
        as much again as the csv reader's own work)."""
        ends = self._ends
        lines = iter(f)
        # Lines up to the file's first "\n" are held until it is known whether the file has one:
        # where it has none, each "\r" ends a line (`_cr_only`).
        ahead: list[str] = []
        for line in lines:
            ahead.append(line)
            if line[-1:] == "\n":
                break
        else:
            yield from self._cr_only(ahead)
            return
        for line in itertools.chain(ahead, lines):
            newline = line[-1:] == "\n"  # a file opened with newline="" gives "\n" at a line's end only
            ends[0] += newline
            ends[1] = not newline
            yield line

    def _cr_only(self, lines: list[str]) -> Iterator[str]:
        """The lines of a file with no "\n", each "\r" counted as a line's end."""
        ends = self._ends
        for line in lines:
            cr = line[-1:] == "\r"
            ends[0] += cr
            ends[1] = not cr
            yield line

    def __iter__(self) -> Iterator[list[str]]:
        return self.reader  # its rows directly: `line_num` counts the same either way

    def __next__(self) -> list[str]:
        return next(self.reader)

    @property
    def line_num(self) -> int:
        return self._ends[0] + self._ends[1]


class NonBlankRows:
    """A `csv.reader` that skips blank lines (`blank_row`), its `line_num` still the file's: what
    `csv.DictReader` reads in `evaluate-accounts`, which skips only a line with no cell, so that a
    line of spaces alone is skipped there as pandas (`train-bot-model`) and `content evaluate` skip
    it, and the three count the same rows (`row_cells` lines up with them)."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader

    def __iter__(self) -> "NonBlankRows":
        return self

    def __next__(self) -> list[str]:
        while blank_row(cells := next(self.reader)):
            pass
        return cells

    @property
    def line_num(self) -> int:
        return int(self.reader.line_num)


def header_row(reader: Iterator[list[str]]) -> list[str] | None:
    """The first row of `reader` (a `csv.reader`) that is not a blank line (`blank_row`), leaving
    the reader past it, so its `line_num` goes on counting the file's own lines; None where every
    line is blank. Why: a blank first line was taken for an empty header, and every row was then
    refused as "4 fields where the header has 0" (`content evaluate`) or the file as naming no
    account (`evaluate-accounts`)."""
    return next((cells for cells in reader if not blank_row(cells)), None)


# Said of a row that repeats the header, by every labels reader alike (`train-bot-model`'s "left
# out" line, `evaluate-accounts`' and `content evaluate`'s errors).
HEADER_AGAIN = "the header row again: two files joined with both header rows kept?"


def header_again(row: Mapping[str, str | None], header: Iterable[str]) -> bool:
    """Whether `row` (cells by column name) repeats `header` (names stripped and casefolded), in
    any case and with spaces around its cells. Why: two files joined with both header rows kept
    gave a row whose `bot` cell reads "bot" (a bot label, `evaluate-accounts`) or whose party,
    stance and sentiment were refused as labels not known (`content evaluate`)."""
    return all((row.get(h) or "").strip().casefold() == h for h in header)


def blank_file_said(name: str, needs: str) -> str:
    """One message for a labels file with no header, being empty or blank lines throughout:
    `name` as shown (escaped by the caller), `needs` the header the reader wants."""
    return f"{name} is blank throughout (no header row, no rows): a labels CSV needs a header row ({needs}) and a row per label below it"


# Said where a labels file's rows were all empty (",,"), so skipped, and none was left to score:
# `content evaluate` and `evaluate-accounts` say it alike (the latter said only "holds no labelled
# account", which sent a reader looking for a wrong column rather than at the blank rows).
ALL_ROWS_EMPTY = "every row below the header is empty"


def empty_rows_said(lines: list[int], name: str) -> str:
    """The note for rows of a labels file with every field empty, skipped as blank lines are
    (`content evaluate`, `evaluate-accounts`): how many, and where, so that none goes unsaid.
    `name` is the file's name as it may be shown (escaped by the caller)."""
    from botwatch.count_text import counted

    shown = ", ".join(str(n) for n in lines[:5]) + (", …" if len(lines) > 5 else "")
    return (f"{counted(len(lines), 'row')} of {name} with every field empty (line{'s' if len(lines) > 1 else ''} {shown}) "
            f"{'was' if len(lines) == 1 else 'were'} skipped, as blank lines are")


def extra_shown(extra: list[str], most: int = 3) -> str:
    """The cells beyond the header, as an error line quotes them: the first `most`, quoted and cut
    as `count_text.values_said` quotes a bad value (its repr shows hidden characters escaped)."""
    from botwatch.count_text import VALUE_CUT

    quoted = [repr(v) if len(v) <= VALUE_CUT else repr(v[:VALUE_CUT - 1]) + "…" for v in extra[:most]]
    return ", ".join(quoted) + (f" and {len(extra) - most:,} more" if len(extra) > most else "")


def extra_cells_said(line: int, width: int, extra: list[str]) -> str:
    """How `evaluate-accounts`, `train-bot-model` and `content evaluate` say one row with cells
    beyond its header's `width` that hold something (`extra`): one wording, so that the same row of
    the same file reads alike in each."""
    return f"line {line}: {width + len(extra)} fields where the header has {width} (extra: {extra_shown(extra)})"


def extra_cells(cells: list[str], width: int) -> list[str]:
    """A csv row's cells beyond a header of `width` where any of them holds something, else []:
    trailing empty cells (a spreadsheet export's trailing comma) lose nothing, so they are not said."""
    extra = cells[width:]
    return extra if any(c.strip() for c in extra) else []


def row_cells(path: str | Path) -> tuple[int, list[tuple[int, int, list[str]]]]:
    """A labels CSV's header width and, per non-blank row below it in order (as pandas and
    `csv.DictReader` count rows, skipping blank lines), its line, how many cells it has and its
    cells beyond the header that hold something (`extra_cells`; pandas drops them unsaid). The line
    is the file's line where the row ends (`LinedReader`), as `evaluate-accounts` and
    `content evaluate` number every other row: counting rows instead put a row below a quoted cell
    holding a line break a line early, beside the next row's right line in the same message. Why:
    a field holding an unquoted line break splits its row in two, neither with a label cell, and `train-bot-model` said only "5 rows (label not 1/0)",
    `evaluate-accounts` "neither a bot label nor a country": never that the rows were cut, nor
    where. (0, []) where the file cannot be read as CSV text."""
    import csv

    p = Path(path)
    out: list[tuple[int, int, list[str]]] = []
    try:
        opener = gzip.open if p.name.endswith(".gz") else open
        with opener(p, "rt", encoding="utf-8-sig", errors="replace", newline="") as f:
            reader = LinedReader(f)
            width = len(header_row(reader) or [])
            out = [(reader.line_num, len(cells), extra_cells(cells, width)) for cells in reader if not blank_row(cells)]
    except (OSError, EOFError, csv.Error):
        return 0, []
    return width, out


def cut_short(cells: int, width: int, label_at: int) -> bool:
    """Whether a row of `cells` cells, under a header of `width`, ends before its label cell (the
    header's column `label_at`, 0-based): a row split by a line break. A row that reaches its label
    and leaves only trailing cells out (a hand-written file's "id,1" under "id,bot,country") is read."""
    return cells < width and cells <= label_at


def rows_cut_short(path: str | Path, rows: int, label_at: int) -> list[tuple[int, bool]] | None:
    """Per row of a labels file that pandas or `csv.DictReader` read (`rows` of them, in order), its
    line (`row_cells`) and whether it was cut short before its label cell, the header's column
    `label_at` (`cut_short`): what `train-bot-model` and `evaluate-accounts` both read, so that they
    say the same rows alike. None where the csv module counts the rows otherwise: nothing is then
    said rather than a wrong line."""
    read = rows_read(path, rows, label_at)
    return None if read is None else [(line, short) for line, short, _ in read]


def rows_read(path: str | Path, rows: int, label_at: int) -> list[tuple[int, bool, list[str]]] | None:
    """`rows_cut_short`, with each row's cells beyond the header that hold something (`extra_cells`)
    besides: what `train-bot-model` needs to leave out, and say, the rows whose cells pandas dropped."""
    width, cells = row_cells(path)
    if len(cells) != rows:
        return None
    return [(line, cut_short(n, width, label_at), extra) for line, n, extra in cells]


def short_rows_said(lines: list[int]) -> str:
    """How `train-bot-model` and `evaluate-accounts` say a file's rows cut short before their label
    (`cut_short`): how many, where, and what to do."""
    from botwatch.count_text import lines_said

    return (f"{lines_said(lines)} with fewer cells than the header, ending before the label (a field holding a line break "
            "must be quoted, as a spreadsheet's CSV export does)")
