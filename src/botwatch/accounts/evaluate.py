"""The bot probability and the origin measured against an observer's own labelled accounts.

Why: every figure botwatch ships for its account models was measured on other people's labelled
sets (leave-one-source-out for the bot model, IRA and ordinary archives for the origin), and a
researcher's archive is, by definition, a source none of them is. The only figure that tells them
how far to trust the probabilities on *their* accounts is one measured on their accounts. With a
few hundred accounts labelled by hand (a bot or not, where each is run from), `botwatch
evaluate-accounts STUDY LABELS.csv` measures it on the study as analysed, prints it, and records it
so the report quotes it beside the shipped figures.

A label names an account by `account_id` or by `handle` (either column, an "@" allowed); `bot` is
1/0 (also true/false, yes/no, bot/human), `country` an ISO 3166 code of where the account is run
from; either may be empty on a row. An account named on several rows takes each label from the
rows that give it (its bot label on one, its country on another); a label its rows give differently
(bot and human, two countries) is left out for that account, and counted (`conflicting`). Figures:

- bot: AUC, balanced accuracy and F1 at 0.5 (the report's "likely automated"), Brier score and
  expected calibration error (ECE, as the model card), each with a 95% interval from one bootstrap
  over accounts, how many accounts the study counts as likely automated against how many the labels call bots,
  and a reliability table;
- origin: the share whose most likely origin is the labelled country (Wilson interval), the mean
  probability given to it, and per labelled country how many were placed there, elsewhere or
  nowhere (an account with no origin evidence has no origin).
"""

from __future__ import annotations

import csv
import gzip
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from botwatch.accounts.json_shape import FEDIVERSE
from botwatch.accounts.loso import THRESHOLD, ece
from botwatch.count_text import counted
from botwatch.recorded_numbers import is_json_number, json_figure
from botwatch.stats import wilson
from botwatch.shown_text import name_shown
from botwatch.userfile import os_error_said

EVALUATE_STAGE = "accounts_evaluate"
ERROR_CAP = 20
TRUE = {"1", "1.0", "true", "yes", "bot", "y", "t"}  # "1.0": a column written by pandas as floats
FALSE = {"0", "0.0", "false", "no", "human", "n", "f"}
# `TRUE` and `FALSE` as the label commands say them where a label is none of them: one wording, so
# that `train-bot-model` no longer said "label not 1/0" of a file whose labels were all "maybe"
# beside rows of "bot" and "human" it read.
BOT_WORDS = "1/0, true/false, yes/no, bot/human, 1.0/0.0, t/f or y/n (in any case)"
RELIABILITY_BINS = 5
CHUNK = 2000  # ids or handles per IN list when the study is read
# Fewer bots or humans than this give the AUC no bootstrap interval: 2 bots and a human ranked
# right read "AUC 1.000 [1.000–1.000]" (every resample ranks them alike), in the report's headline too.
MIN_CLASS_FOR_INTERVAL = 10
# Column names read, first found wins: botwatch's own, then those of the public labelled sets
# (TwiBot-20, the Botometer bot repository: `id`, `screen_name`, `label`), so such a file is read as it is.
ID_COLUMNS = ("account_id", "user_id", "id_str", "id")
HANDLE_COLUMNS = ("handle", "screen_name", "username")
# The same order `train-bot-model` reads (`labelled.read_labels_csv`): the two read a file with
# `label` and `is_bot` each from another column. Two of these that disagree are refused
# (`label_columns_disagree`), never read one way here and the other there.
BOT_COLUMNS = ("bot", "is_bot", "label")


def bot_column_absent(header: list[str], read: Iterable[str | None]) -> str | None:
    """Why no bot label is read, where the file has none of `BOT_COLUMNS` but columns it does not
    read; None otherwise. Why: labels under another name ("Bot?", "type") beside a country column
    were scored on countries alone, the bot figures left out without a word (and without a country
    each row was "neither a bot label nor a country", the column never named)."""
    if any(c in header for c in BOT_COLUMNS):
        return None
    taken = set(read) | {"country"}
    other = [h for h in header if h and h not in taken]
    if not other:
        return None
    return (f"no bot column ({', '.join(BOT_COLUMNS)}), so no bot label is read; its other columns, not read: {columns_listed(other)}. "
            "If one holds your bot labels (1/0, bot/human), name it bot")


def _bad_countries_said(bad: dict[str, list[int]], shown: int = 5) -> str:
    """The rows whose country is no two-letter code, counted by the value written (the first few
    with their lines, and the code where it is a country's name or three-letter code the origin
    model knows). Why: each row was its own error, so "United Kingdom" on 300 rows listed 20
    identical ones, never the count, nor that it is written GB. A three-letter code ("RUS") is
    refused with the code to write, as a name is, and as `content evaluate` refuses a near-miss
    word with its suggestion: one rule for every value botwatch does not read as written."""
    from botwatch.accounts.gazetteer import ALPHA3, countries, fold
    from botwatch.count_text import values_said

    by_name = {fold(n): iso for iso, c in countries().items() for n in c.names}

    def hint(value: str) -> str:
        code = by_name.get(fold(value)) or ALPHA3.get(value.strip().upper())
        return f"write {code!r}" if code else ""

    n = sum(len(lines) for lines in bad.values())
    return (f"{counted(n, 'row')} {'gives' if n == 1 else 'give'} a country that is not a two-letter ISO code (RU, US, GB, …): "
            f"{values_said(bad, hint, shown)}")


def _bad_bots_said(bad: dict[str, list[int]]) -> str:
    """The rows whose bot label is no word `bot_value` reads, counted by the word written (the
    first few with their lines). Why: each row was its own error, so "maybe" on 300 rows listed
    20 identical ones and never the count, where the country item beside it was grouped."""
    from botwatch.count_text import values_said

    n = sum(len(lines) for lines in bad.values())
    return (f"{counted(n, 'row')} {'gives' if n == 1 else 'give'} a bot label that is not one of {BOT_WORDS}: "
            f"{values_said(bad, other='other word')}")


def columns_listed(header: Iterable[object], most: int = 12, longest: int = 40) -> str:
    """A CSV header's names for an error line, each cut to `longest` characters and the first
    `most` of them: a model file passed as the labels (`train-bot-model my_model.json.gz`) read its
    one JSON line as the header, and the error line quoted all 57,000 characters of it."""
    cols = [str(c) for c in header]
    names = [c if len(c) <= longest else c[:longest - 1] + "…" for c in cols[:most]]
    more = len(cols) - len(names)
    return (", ".join(names) + (f" and {more:,} more" if more > 0 else "")) if names else "none"


def bot_value(v: object) -> int | None:
    """A label cell as 1 or 0 (1/0, 1.0/0.0, true/false, yes/no, bot/human), None otherwise."""
    t = v.strip().casefold() if isinstance(v, str) else ""
    return 1 if t in TRUE else 0 if t in FALSE else None


def label_columns_disagree(columns: Iterable[str], rows: Iterable[tuple[int, Mapping[str, Any]]], unit: str = "line") -> str | None:
    """Why a file with two or more label columns (`BOT_COLUMNS`) cannot be read, or None: a row
    whose columns give different labels. The first column would be read and the other ignored
    without a word, and which was first differed between the commands. `rows`: (where, cells),
    `where` a line of the file, or with `unit` "row" a data row counted after the header (a reader
    that cannot tell lines where a quoted cell holds a line break)."""
    cols = [c for c in BOT_COLUMNS if c in set(columns)]
    if len(cols) < 2:
        return None
    lines = []
    for line, r in rows:
        got = {v for c in cols if (v := bot_value(r.get(c))) is not None}
        if len(got) > 1:
            lines.append(line)
    if not lines:
        return None
    more = f", … ({len(lines):,} rows)" if len(lines) > 5 else ""
    named = " and ".join(f"`{c}`" for c in cols)
    after = " after the header" if unit == "row" else ""
    return (f"its {named} columns give different labels on {unit}{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines[:5]))}{after}{more}: "
            f"keep the one that holds your labels (botwatch reads the first of {', '.join(BOT_COLUMNS)})")


class AccountLabelsError(ValueError):
    """A labels file that cannot be scored: its message names the file, the lines and what is wrong."""


@dataclass(frozen=True)
class AccountLabel:
    line: int
    account_id: str | None
    handle: str | None  # case-folded, without "@"
    bot: int | None
    country: str | None  # upper-case ISO code


def _handle(v: str) -> str | None:
    """A handle as the study's `lower(handle)` compares it (lower-cased, not case-folded: "ß" stays)."""
    v = v.strip().lstrip("@").strip()
    return v.lower() or None


def load_account_labels(path: str | Path, empty_lines: "list[int] | None" = None, notes: "list[str] | None" = None) -> list[AccountLabel]:
    """Rows of a labels CSV, checked; every bad row is listed (up to ERROR_CAP) in one error. Rows
    with every field empty (",,", as a spreadsheet saves rows it once formatted) are skipped like
    blank lines, and their lines added to `empty_lines` when given: each was "no account_id and
    no handle", and the whole file was refused. `notes`, when given, is added what the caller should
    say of a file read (`bot_column_absent`): the file is scored, but not as its writer meant."""
    from botwatch.labels_encoding import LinedReader, NonBlankRows, blank_file_said, header_again, header_row

    p = Path(path)
    try:
        opener = gzip.open if p.name.endswith(".gz") else open  # the public labelled sets ship gzipped
        with opener(p, "rt", newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            # A line of spaces alone is a blank line, as pandas reads it; lines numbered as `grep -n` numbers them (`LinedReader`).
            reader.reader = NonBlankRows(LinedReader(f))
            # Blank lines above the header skipped (`header_row`): `DictReader` took the first for
            # an empty header. Its `line_num` goes on counting the file's own lines.
            first = reader.fieldnames = header_row(reader.reader)
            header = [h.strip().casefold() for h in (first or [])]
            raw = [(reader.line_num, _row_cells(r)) for r in reader]
    except UnicodeDecodeError as exc:
        from botwatch.labels_encoding import undecodable_reason

        raise AccountLabelsError(f"cannot read {name_shown(p)}: {undecodable_reason(p, exc)}") from None
    except csv.Error as exc:  # the line too: "field larger than field limit (131072)" named no row
        raise AccountLabelsError(f"cannot read {name_shown(p)}: line {reader.reader.line_num:,}: {exc}") from None
    except (OSError, EOFError) as exc:
        why = os_error_said(exc)
        raise AccountLabelsError(f"cannot read {name_shown(p)}: {why}") from None
    if first is None:
        raise AccountLabelsError(blank_file_said(name_shown(p), "an account_id or handle column, and a bot or country column"))
    id_col = next((c for c in ID_COLUMNS if c in header), None)
    handle_col = next((c for c in HANDLE_COLUMNS if c in header), None)
    bot_col = next((c for c in BOT_COLUMNS if c in header), None)
    if why := label_columns_disagree(header, raw):
        raise AccountLabelsError(f"{name_shown(p)}: {why}")
    if id_col is None and handle_col is None:
        from botwatch.labels_encoding import separator_hint

        # A semicolon-separated export read as one column "handle;bot": the columns were listed,
        # not why (`content evaluate` said it).
        raise AccountLabelsError(f"{name_shown(p)} names no account: it needs an account_id or a handle column (its columns: {columns_listed(header)})"
                                 f"{separator_hint(header)}")
    if bot_col is None and "country" not in header:
        raise AccountLabelsError(f"{name_shown(p)} has no label: it needs a bot column (1/0) or a country column (an ISO code such as RU), or both")
    from botwatch.elections.model import country_code

    out: list[AccountLabel] = []
    errors: list[str] = []
    empty = 0  # rows with every field empty: a file of only those says so, not just "no account"
    bad_countries: dict[str, list[int]] = {}  # a country written that is no two-letter code → its lines
    bad_bots: dict[str, list[int]] = {}  # a bot label written that is no 1/0 word → its lines
    short = _short_lines(p, len(raw), header.index(bot_col or "country"))
    short = {i: line for i, line in short.items() if any(v.strip() for v in raw[i][1].values())}  # ",," is an empty row, skipped
    for i, (line, r) in enumerate(raw):
        if i in short:  # cut short by a field's unquoted line break: said in its own item
            continue
        if (extra := r.get(None)) is not None:  # more fields than the header, beyond trailing empty ones (`_row_cells`)
            from botwatch.labels_encoding import extra_cells_said

            errors.append(extra_cells_said(line, len(header), extra))
            continue
        if header_again(r, header):  # as `train-bot-model` leaves it out: its `bot` cell reads "bot"
            from botwatch.labels_encoding import HEADER_AGAIN

            errors.append(f"line {line}: {HEADER_AGAIN} (delete it)")
            continue
        if not any(v.strip() for v in r.values()):
            empty += 1
            if empty_lines is not None:
                empty_lines.append(line)
            continue
        acct = ((r.get(id_col) or "").strip() or None) if id_col else None
        handle = _handle(r.get(handle_col) or "") if handle_col else None
        b = (r.get(bot_col) or "").strip().casefold() if bot_col else ""
        bot = bot_value(b)
        if b and bot is None:
            bad_bots.setdefault(b, []).append(line)
        c = country_code(r.get("country") or "") or None  # "UK" is GB, as the origin model names it
        country_bad = c is not None and not (len(c) == 2 and c.isascii() and c.isalpha())
        if country_bad:
            bad_countries.setdefault((r.get("country") or "").strip(), []).append(line)
            c = None
        if acct is None and handle is None:
            errors.append(f"line {line}: no account_id and no handle")
            continue
        if bot is None and c is None and not b and not country_bad:  # a bad country is said in its own item
            errors.append(f"line {line}: neither a bot label nor a country (give the row one, or delete it)")
            continue
        out.append(AccountLabel(line, acct, handle, bot, c))
    absent = bot_column_absent(header, (id_col, handle_col))
    said = ([_bad_bots_said(bad_bots)] if bad_bots else []) + ([_bad_countries_said(bad_countries)] if bad_countries else [])
    if short:
        from botwatch.labels_encoding import short_rows_said

        said.insert(0, short_rows_said(list(short.values())))
    if errors:
        more = f"; … and {len(errors) - ERROR_CAP:,} more" if len(errors) > ERROR_CAP else ""
        said.append(f"{len(errors):,} bad row(s): " + "; ".join(errors[:ERROR_CAP]) + more)
    if said:
        why = f"; the file has {absent}" if absent and errors else ""
        raise AccountLabelsError(f"{name_shown(p)}: " + "; ".join(said) + why)
    if absent and notes is not None:
        notes.append(f"{name_shown(p.name)} has {absent}")
    if not out:
        from botwatch.labels_encoding import ALL_ROWS_EMPTY

        raise AccountLabelsError(f"{name_shown(p)} holds no labelled account" + (f": {ALL_ROWS_EMPTY}" if empty else ""))
    return out


def _row_cells(row: dict[Any, Any]) -> dict[Any, Any]:
    """A `csv.DictReader` row by header name (stripped, case-folded), a cell a short row lacks as "".
    Cells beyond the header are kept under None where any of them holds something: a row
    `alice,1,extra` under `handle,bot` was read as `alice,1` without a word (they were mapped to ""
    with the rest), while trailing empty cells (`alice,1,`, a spreadsheet export's trailing comma)
    are dropped, as nothing is lost with them."""
    from botwatch.labels_encoding import extra_cells

    beyond = row.pop(None, None) or []  # already the cells beyond the header: none of them is the header's
    cells: dict[Any, Any] = {(k or "").strip().casefold(): (v if isinstance(v, str) else "") for k, v in row.items()}
    if extra := extra_cells(beyond, 0):
        cells[None] = extra
    return cells


def _short_lines(path: Path, rows: int, label_at: int) -> dict[int, int]:
    """The rows of a labels file cut short before their label cell (the column at `label_at`), by
    their place among the `rows` `csv.DictReader` read, with their lines: found as `train-bot-model`
    finds them (`labels_encoding.rows_cut_short`), so that the two say the same rows alike.
    Empty where the two readers count the rows otherwise."""
    from botwatch.labels_encoding import rows_cut_short

    read = rows_cut_short(path, rows, label_at) or []
    return {i: line for i, (line, short) in enumerate(read) if short}


@dataclass
class Matched:
    """The labels joined to the study: per label, its scores row (None when not found)."""

    labels: list[AccountLabel]
    rows: list[dict[str, Any] | None]
    ambiguous: int = 0  # labels whose id or handle names accounts of several platforms
    repeated: int = 0  # labels naming an account an earlier label already named (merged into the first)
    conflicting: int = 0  # of those, labels that say otherwise (another bot label or country) than the first row that gave it
    # Per label, the account's labels merged over its rows (`match_labels`), on the account's first
    # found row; None elsewhere. Empty: each label is read as it is.
    merged: list[AccountLabel | None] = field(default_factory=list)
    bot_conflicting: int = 0  # accounts whose rows give both bot and human: no bot label
    country_conflicting: int = 0  # accounts whose rows give two countries: no country
    # Per label, the account it names: (platform, account_id) where found, else the label's own id
    # and handle (rows that name an account not found the same way are one account). Empty: each
    # label is an account of its own.
    keys: list[tuple[str | None, ...]] = field(default_factory=list)


def match_labels(study: Any, labels: list[AccountLabel]) -> Matched:
    """Each label's row of the study's scored accounts: by account id, else (no id, or an id naming
    no account) by handle (compared lower-cased). An id or handle that names accounts of several
    platforms is ambiguous and left out."""
    cols = "s.platform, s.account_id, lower(a.handle) AS handle, s.bot_probability, s.origin_country, s.origin_probabilities"
    ids = sorted({lab.account_id for lab in labels if lab.account_id})
    base = ("SELECT " + cols + " FROM account_scores s LEFT JOIN accounts a ON a.platform = s.platform AND a.account_id = s.account_id WHERE ")
    by_id: dict[str, list[dict[str, Any]]] = {}
    by_handle: dict[str, list[dict[str, Any]]] = {}
    names = ["platform", "account_id", "handle", "bot_probability", "origin_country", "origin_probabilities"]
    # Keys are bound as parameters, which both engines take as values whatever they hold (a lake
    # binds them as literal nodes: `engines.lake_sql.literal`).
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        for row in study.sql(base + f"s.account_id IN ({', '.join('?' * len(chunk))})", chunk):
            by_id.setdefault(str(row[1]), []).append(dict(zip(names, row)))
    # A label whose id names no account is looked for by its handle: a spreadsheet that wrote the
    # ids as "7.35E+17" left every such label unfound, and the error then asked for the handles the
    # file already held.
    handles = sorted({lab.handle for lab in labels if lab.handle and not (lab.account_id and lab.account_id in by_id)})
    for i in range(0, len(handles), CHUNK):
        chunk = handles[i:i + CHUNK]
        for row in study.sql(base + f"lower(a.handle) IN ({', '.join('?' * len(chunk))})", chunk):
            by_handle.setdefault(str(row[2]), []).append(dict(zip(names, row)))
    # A Mastodon account collected on its own instance has the local handle ("alice"), and labelled
    # as it is written everywhere else ("@alice@mastodon.social") matched nothing, where `botwatch
    # explain` finds it (`json_shape.account_match`): such a label also answers to the account of
    # that local handle whose id, its profile URL, is on that instance.
    fediverse = {}
    for h in handles:
        m = FEDIVERSE.fullmatch(h)
        if m and h not in by_handle:
            fediverse[f"https://{m[2]}/@{m[1]}"] = (h, m[1])
    urls = sorted(fediverse)
    for i in range(0, len(urls), CHUNK):
        chunk = urls[i:i + CHUNK]
        for row in study.sql(base + f"s.platform = 'mastodon' AND lower(s.account_id) IN ({', '.join('?' * len(chunk))})", chunk):
            h, local = fediverse.get(str(row[1]).lower(), (None, None))
            if h is not None and row[2] == local:
                by_handle.setdefault(h, []).append(dict(zip(names, row)))
    rows: list[dict[str, Any] | None] = []
    # An account's labels are taken from every row that names it: a file giving its bot label on one
    # row and its country on another lost the second (the first row alone was kept). A label two of
    # its rows give differently is left out for that account, and counted.
    first_at: dict[tuple[str, str], int] = {}
    bots: dict[tuple[str, str], set[int]] = {}
    countries: dict[tuple[str, str], set[str]] = {}
    first_bot: dict[tuple[str, str], int] = {}
    first_country: dict[tuple[str, str], str] = {}
    ambiguous = repeated = conflicting = 0
    keys: list[tuple[str | None, ...]] = []
    for i, lab in enumerate(labels):
        row: dict[str, Any] | None
        got = by_id.get(lab.account_id, []) if lab.account_id else []
        got = got or by_handle.get(lab.handle or "", [])
        row = got[0] if len(got) == 1 else None
        ambiguous += len(got) > 1
        keys.append(("found", str(row["platform"]), str(row["account_id"])) if row is not None else ("label", lab.account_id, lab.handle))
        if row is not None:
            key = (str(row["platform"]), str(row["account_id"]))
            if key in first_at:
                repeated += 1
                conflicting += ((lab.bot is not None and first_bot.setdefault(key, lab.bot) != lab.bot)
                                or (lab.country is not None and first_country.setdefault(key, lab.country) != lab.country))
                row = None
            else:
                first_at[key] = i
                if lab.bot is not None:
                    first_bot[key] = lab.bot
                if lab.country is not None:
                    first_country[key] = lab.country
            if lab.bot is not None:
                bots.setdefault(key, set()).add(lab.bot)
            if lab.country is not None:
                countries.setdefault(key, set()).add(lab.country)
        rows.append(row)
    merged: list[AccountLabel | None] = [None] * len(labels)
    bot_conflicting = country_conflicting = 0
    for key, i in first_at.items():
        b, c = bots.get(key, set()), countries.get(key, set())
        bot_conflicting += len(b) > 1
        country_conflicting += len(c) > 1
        lab = labels[i]
        merged[i] = AccountLabel(lab.line, lab.account_id, lab.handle, next(iter(b)) if len(b) == 1 else None, next(iter(c)) if len(c) == 1 else None)
    return Matched(labels, rows, ambiguous, repeated, conflicting, merged, bot_conflicting, country_conflicting, keys)


def auc(y: np.ndarray, p: np.ndarray) -> float:
    """Area under the ROC curve from ranks (ties count half: the Mann–Whitney statistic); NaN
    unless both classes are present."""
    y = np.asarray(y, int)
    n1 = int(y.sum())
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        return float("nan")
    from scipy.stats import rankdata  # here, not at the top: `botwatch.cli` says why

    r = rankdata(p)
    return float((r[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


# The figures besides the AUC given a bootstrap interval from the same resamples: the terminal's
# table, `--json` (`<name>_ci`), the recording and the report name them so. Not the calibration
# error: a resample repeats some accounts and drops others, which adds noise to every bin's gap, so
# the resamples' ECE runs above the sample's (a perfectly calibrated model's 0.056 on 200 accounts
# had the percentile interval [0.058, 0.134], and the report read "off by 0.06 [0.06–0.13]" of a
# model off by nothing). Its interval would say more than the bootstrap measures (`ECE_NO_INTERVAL`).
INTERVAL_FIGURES = ("balanced_accuracy", "f1", "brier")
ECE_NO_INTERVAL = "no interval: a bootstrap of the calibration error runs above it, since resampled accounts add error to every bin"
NO_INTERVAL = (float("nan"), float("nan"))


@dataclass
class BotFigures:
    n: int
    bots: int
    auc: float
    auc_ci: tuple[float, float]
    balanced_accuracy: float
    f1: float
    brier: float
    ece: float
    counted: int  # accounts at or above the threshold
    reliability: list[dict[str, float]] = field(default_factory=list)  # per bin: n, mean p, bot share
    # `INTERVAL_FIGURES` name → its 95% interval from the AUC's resamples; absent or NaN: none.
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)

    def interval(self, name: str) -> tuple[float, float]:
        """The 95% interval of figure `name` (one of `INTERVAL_FIGURES`), (NaN, NaN) where it has none."""
        return self.intervals.get(name, NO_INTERVAL)


def _threshold_figures(y: np.ndarray, p: np.ndarray, with_ece: bool = True) -> dict[str, float]:
    """Balanced accuracy and F1 at the threshold, Brier score and ECE of `y` against `p`, each NaN
    where it has nothing to measure. One rule for the figures and each bootstrap resample of them."""
    n = len(y)
    pred = p >= THRESHOLD
    tp = int((pred & (y == 1)).sum())
    fp = int((pred & (y == 0)).sum())
    fn = int((~pred & (y == 1)).sum())
    tn = n - tp - fp - fn
    bal = (tp / (tp + fn) + tn / (tn + fp)) / 2 if tp + fn and tn + fp else float("nan")
    # No labelled bot: F1 (the bots found among those called bots, and among the bots) has nothing
    # to measure, and a model that called none of these humans a bot was shown "F1 0.000".
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fn else float("nan")
    out = {"balanced_accuracy": bal, "f1": f1, "brier": float(np.mean((p - y) ** 2)) if n else float("nan")}
    if with_ece:  # (not on resamples: the calibration error has no interval, `INTERVAL_FIGURES`)
        out["ece"] = ece(y, p) if n else float("nan")
    return out


def _percentile_interval(stats: list[float]) -> tuple[float, float]:
    """The 2.5th and 97.5th percentiles of a figure's resamples (NaN ones left out); (NaN, NaN)
    where none is left, or where every resample gave one value: no spread measured, not a certainty."""
    kept = [s for s in stats if s == s]
    if not kept:
        return NO_INTERVAL
    lo, hi = float(np.percentile(kept, 2.5)), float(np.percentile(kept, 97.5))
    return NO_INTERVAL if lo == hi else (lo, hi)


def bot_figures(y: np.ndarray, p: np.ndarray, boot: int = 1000, seed: int = 14) -> BotFigures:
    """The figures of `y` (1 = bot) against bot probabilities `p`, each with its interval from one
    bootstrap over accounts: a resample with one class only gives no AUC (and no balanced
    accuracy), and is left out of those figures' intervals only. With fewer than
    `MIN_CLASS_FOR_INTERVAL` bots or humans no figure has an interval (`no_interval_words`)."""
    y = np.asarray(y, int)
    p = np.asarray(p, float)
    n = len(y)
    point = _threshold_figures(y, p)
    rng = np.random.default_rng(seed)
    stats: dict[str, list[float]] = {"auc": [], **{k: [] for k in INTERVAL_FIGURES}}
    if min(int(y.sum()), n - int(y.sum())) >= MIN_CLASS_FOR_INTERVAL:
        for _ in range(boot):
            i = rng.integers(0, n, n)
            stats["auc"].append(auc(y[i], p[i]))
            for k, v in _threshold_figures(y[i], p[i], with_ece=False).items():
                stats[k].append(v)
    rel = []
    idx = np.minimum((p * RELIABILITY_BINS).astype(int), RELIABILITY_BINS - 1)
    for b in range(RELIABILITY_BINS):
        m = idx == b
        if m.any():
            rel.append({"low": b / RELIABILITY_BINS, "high": (b + 1) / RELIABILITY_BINS, "n": int(m.sum()),
                        "mean_p": float(p[m].mean()), "bot_share": float(y[m].mean())})
    return BotFigures(n, int(y.sum()), auc(y, p), _percentile_interval(stats["auc"]), point["balanced_accuracy"], point["f1"], point["brier"],
                      point["ece"], int((p >= THRESHOLD).sum()), rel, {k: _percentile_interval(stats[k]) for k in INTERVAL_FIGURES})


def no_interval_words(n: int, bots: int) -> str:
    """Why an AUC measured on `n` labelled accounts (`bots` of them bots) has no interval."""
    humans = n - bots
    if min(bots, humans) < MIN_CLASS_FOR_INTERVAL:
        return f"no interval: {counted(bots, 'bot')} and {counted(humans, 'human')}, where one needs at least {MIN_CLASS_FOR_INTERVAL} of each"
    return "no interval: every bootstrap resample ranked them the same way, which says nothing of how far the AUC may be off"


def few_for_calibration(n: int, bots: int) -> str | None:
    """Why a calibration error or reliability table measured on `n` labelled accounts (`bots` of
    them bots) says little, by the AUC's rule (fewer than `MIN_CLASS_FOR_INTERVAL` bots or
    humans); None with enough of each. Three accounts read "off by 0.27 on average" as firmly as
    thousands: each bin's share of bots then rests on one or two accounts."""
    humans = n - bots
    if min(bots, humans) < MIN_CLASS_FOR_INTERVAL:
        return (f"too few to say: {counted(bots, 'bot')} and {counted(humans, 'human')}, "
                f"where one needs at least {MIN_CLASS_FOR_INTERVAL} of each")
    return None


@dataclass
class OriginFigures:
    n: int  # labelled with a country and found
    placed: int  # most likely origin is the labelled country
    no_origin: int  # no origin evidence: no most likely country
    mean_p: float  # mean probability given to the labelled country (0 where none)
    by_country: list[dict[str, Any]] = field(default_factory=list)  # per labelled country


def _probabilities(text: object) -> dict[str, float]:
    try:
        d = json.loads(text) if isinstance(text, str) else {}
    except ValueError:
        return {}
    return {str(k).upper(): float(v) for k, v in d.items() if isinstance(v, (int, float)) and not isinstance(v, bool)} if isinstance(d, dict) else {}


def origin_figures(countries: list[str], rows: list[dict[str, Any]]) -> OriginFigures:
    """Labelled countries against each row's most likely origin and probabilities."""
    placed = no_origin = 0
    ps = []
    per: dict[str, Counter] = {}
    for c, row in zip(countries, rows):
        got = row.get("origin_country")
        got = str(got).upper() if got else None
        probs = _probabilities(row.get("origin_probabilities"))
        ps.append(probs.get(c, 0.0) if got else 0.0)
        k = per.setdefault(c, Counter())
        k["n"] += 1
        if got is None:
            no_origin += 1
            k["none"] += 1
        elif got == c:
            placed += 1
            k["placed"] += 1
        else:
            k["elsewhere"] += 1
            k[f"to:{got}"] += 1
        k["p"] += ps[-1]  # type: ignore[assignment]
    by = []
    for c, k in sorted(per.items(), key=lambda kv: (-kv[1]["n"], kv[0])):
        top = Counter({key[3:]: v for key, v in k.items() if key.startswith("to:")}).most_common(1)
        by.append({"country": c, "n": k["n"], "placed": k["placed"], "elsewhere": k["elsewhere"], "none": k["none"],
                   "mean_p": k["p"] / k["n"], "most_often_instead": top[0][0] if top else None})
    return OriginFigures(len(rows), placed, no_origin, float(np.mean(ps)) if ps else float("nan"), by)


@dataclass
class AccountEvaluation:
    # `labelled`, `bot_labelled` and `country_labelled` count accounts, as `found` and `bot_scored`
    # do (`Matched.keys`): counted over rows, an account on two rows was two labelled accounts, and
    # "none of the 2 labelled accounts is among the study's scored accounts" was said of one.
    labelled: int
    found: int
    bot_labelled: int
    bot_scored: int  # labelled bot or not, found, and given a bot probability
    country_labelled: int
    bot: BotFigures | None
    origin: OriginFigures | None
    ambiguous: int
    repeated: int
    # Labelled accounts the model that scored them was fitted on (`training_accounts`): their
    # figures are not out of sample, so the figures over the others are given too (None when no
    # labelled account was a training account, or every one was).
    bot_training: int = 0
    origin_training: int = 0
    bot_held_out: BotFigures | None = None
    origin_held_out: OriginFigures | None = None
    # Labelled bot or not and found (an account's rows taken together), but with no bot probability: not
    # `bot_labelled - bot_scored`, which also counts the labels not found and the repeats.
    bot_unscored: int = 0
    # Of the repeated rows, those whose bot label or country differs from the one the account's first
    # row giving it gave; and the accounts whose bot label, or country, is left out so.
    conflicting: int = 0
    # Labelled accounts with a bot probability for which it is unknown whether the scoring model was
    # trained on them: a user's model whose file is not at hand (moved, deleted), so its list of
    # training accounts cannot be read. Their figures were given as out of sample, without a word.
    bot_training_unknown: int = 0
    bot_conflicting: int = 0
    country_conflicting: int = 0
    label_rows: int = 0  # rows of the labels file read


def evaluate(matched: Matched, boot: int = 1000, own_bot_model: Any = None) -> AccountEvaluation:
    """The figures of the labels that were found in the study. `own_bot_model`: the meta of the
    user's bot model that scored it (`training_accounts.study_bot_training_meta`), whose own list
    of training accounts then decides which labelled accounts it was fitted on."""
    from botwatch.accounts.training_accounts import account_training

    y, p, bot_trained, countries, orows, origin_trained = [], [], [], [], [], []
    unscored = unknown = 0
    for i, (lab, row) in enumerate(zip(matched.labels, matched.rows)):
        if row is None:
            continue
        lab = (matched.merged[i] or lab) if matched.merged else lab  # the account's labels over all its rows
        trained = account_training(row.get("platform"), row.get("account_id"), row.get("handle"), own_bot_model)
        bp = row.get("bot_probability")
        if lab.bot is not None and bp is not None and not (isinstance(bp, float) and math.isnan(bp)):
            y.append(lab.bot)
            p.append(float(bp))
            bot_trained.append(bool(trained.get("bot")))
            unknown += trained.get("bot") is None
        elif lab.bot is not None:
            unscored += 1
        if lab.country is not None:
            countries.append(lab.country)
            orows.append(row)
            origin_trained.append(bool(trained.get("origin")))
    ya, pa_, bt = np.asarray(y, int), np.asarray(p, float), np.asarray(bot_trained, bool)
    held_bot = bot_figures(ya[~bt], pa_[~bt], boot) if 0 < bt.sum() < len(bt) else None
    kept = [i for i, t in enumerate(origin_trained) if not t]
    held_origin = origin_figures([countries[i] for i in kept], [orows[i] for i in kept]) if 0 < len(kept) < len(orows) else None
    keys = matched.keys or [("row", str(i)) for i in range(len(matched.labels))]
    return AccountEvaluation(
        labelled=len(set(keys)), found=sum(r is not None for r in matched.rows),
        bot_labelled=len({k for k, lab in zip(keys, matched.labels) if lab.bot is not None}), bot_scored=len(y),
        country_labelled=len({k for k, lab in zip(keys, matched.labels) if lab.country is not None}), label_rows=len(matched.labels),
        bot=bot_figures(ya, pa_, boot) if y else None,
        origin=origin_figures(countries, orows) if orows else None,
        ambiguous=matched.ambiguous, repeated=matched.repeated, conflicting=matched.conflicting,
        bot_conflicting=matched.bot_conflicting, country_conflicting=matched.country_conflicting,
        bot_training=int(bt.sum()), origin_training=sum(origin_trained), bot_held_out=held_bot, origin_held_out=held_origin,
        bot_unscored=unscored, bot_training_unknown=unknown,
    )


def evaluation_params(ev: AccountEvaluation, *, labels_path: str | Path, boot: int) -> dict[str, Any]:
    """The `runs.params` of one evaluation: the labels file's name and SHA-256 and the figures the
    report quotes."""
    import hashlib

    p = Path(labels_path)
    out: dict[str, Any] = {"labels_file": p.name, "labels_sha256": hashlib.sha256(p.read_bytes()).hexdigest(), "evaluate_boot": boot,
                           "labelled": ev.labelled, "found": ev.found, "bot_scored": ev.bot_scored}
    # The figures `--json` prints, less the per-bin and per-country detail the report never quotes.
    for key, block in (("bot", _bot_json(ev.bot)), ("bot_held_out", _bot_json(ev.bot_held_out))):
        if block is not None:
            out[key] = {k: v for k, v in block.items() if k != "reliability"}
    for key, block in (("origin", _origin_json(ev.origin)), ("origin_held_out", _origin_json(ev.origin_held_out))):
        if block is not None:
            out[key] = {k: v for k, v in block.items() if k != "by_country"}
    out["bot_training"], out["origin_training"] = ev.bot_training, ev.origin_training
    out["bot_training_unknown"] = ev.bot_training_unknown
    return out


def _bot_json(b: BotFigures | None) -> dict[str, Any] | None:
    if b is None:
        return None
    return {"n": b.n, "bots": b.bots, "auc": json_figure(b.auc), "auc_ci": [json_figure(b.auc_ci[0]), json_figure(b.auc_ci[1])],
            "balanced_accuracy": json_figure(b.balanced_accuracy), "f1": json_figure(b.f1), "brier": json_figure(b.brier), "ece": json_figure(b.ece),
            **{f"{k}_ci": [json_figure(x) for x in b.interval(k)] for k in INTERVAL_FIGURES},
            "counted": b.counted, "reliability": [{k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()} for r in b.reliability]}


def _origin_json(o: OriginFigures | None) -> dict[str, Any] | None:
    if o is None:
        return None
    return {"n": o.n, "placed": o.placed, "no_origin": o.no_origin, "mean_p": json_figure(o.mean_p),
            "by_country": [{**r, "mean_p": json_figure(r["mean_p"])} for r in o.by_country]}


def evaluation_json(ev: AccountEvaluation, labels_path: str | Path) -> dict[str, Any]:
    """What `evaluate-accounts --json` prints: every figure of the tables, in one object whose
    shape docs/model-card-bot.md gives (NaN as null)."""
    return {"labels_file": Path(labels_path).name, "label_rows": ev.label_rows, "labelled": ev.labelled, "found": ev.found, "ambiguous": ev.ambiguous, "repeated": ev.repeated,
            "conflicting": ev.conflicting, "bot_conflicting": ev.bot_conflicting, "country_conflicting": ev.country_conflicting,
            "bot_labelled": ev.bot_labelled, "bot_scored": ev.bot_scored, "bot": _bot_json(ev.bot), "bot_training": ev.bot_training,
            "bot_training_unknown": ev.bot_training_unknown,
            "bot_held_out": _bot_json(ev.bot_held_out), "country_labelled": ev.country_labelled, "origin": _origin_json(ev.origin),
            "origin_training": ev.origin_training, "origin_held_out": _origin_json(ev.origin_held_out)}


def _readable_bot(bot: object) -> bool:
    """Whether a recorded `bot` block can be quoted: counts and calibration error as numbers; AUC
    and its interval numbers together, or all None (labels of one class give no AUC)."""
    if not isinstance(bot, dict) or not all(is_json_number(bot.get(k)) for k in ("n", "bots", "ece", "counted")):
        return False
    ci = bot.get("auc_ci")
    if bot.get("auc") is None or (isinstance(ci, list) and len(ci) == 2 and all(x is None for x in ci)):  # no AUC, or no interval
        return ci is None or (isinstance(ci, list) and all(x is None for x in ci))
    return is_json_number(bot.get("auc")) and isinstance(ci, list) and len(ci) == 2 and all(is_json_number(x) for x in ci)


def _intervals_kept(bot: dict[str, Any]) -> dict[str, Any]:
    """A readable recorded `bot` block (`_readable_bot`) whose `<figure>_ci` entries
    (`INTERVAL_FIGURES`) are each two numbers or taken out: a recording made before they were
    recorded has none, and a damaged one is quoted without that interval, not refused whole."""
    out = dict(bot)
    for k in INTERVAL_FIGURES:
        ci = out.get(f"{k}_ci")
        if not (isinstance(ci, list) and len(ci) == 2 and all(is_json_number(x) for x in ci)):
            out.pop(f"{k}_ci", None)
    return out


def _readable_origin(origin: object) -> bool:
    return isinstance(origin, dict) and all(isinstance(origin.get(k), int) and not isinstance(origin.get(k), bool) for k in ("n", "placed", "no_origin"))


def recorded_evaluation(study: Any) -> dict[str, Any] | None:
    """The latest recorded `evaluate-accounts` of the study, if no accounts stage ran after it (a
    later run scored the accounts again, perhaps with another model: the figures no longer describe
    the scores the report shows). Its params plus `date`; None when there is none or it is damaged."""
    from botwatch.runs_table import evaluations_since

    current = evaluations_since(study, EVALUATE_STAGE, "accounts")
    if not current:
        return None
    p, finished = current[0]  # the latest only: an older one measured against other labels
    if not isinstance(p, dict) or not isinstance(p.get("labels_file"), str):
        return None
    got: dict[str, Any] = {"labels_file": p["labels_file"], "date": str(finished)[:10] if finished is not None else ""}
    for key in ("bot", "bot_held_out"):
        got[key] = _intervals_kept(p[key]) if _readable_bot(p.get(key)) else None
    for key in ("origin", "origin_held_out"):
        got[key] = p.get(key) if _readable_origin(p.get(key)) else None
    for key in ("bot_training", "origin_training", "bot_training_unknown"):
        v = p.get(key)
        got[key] = v if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else 0
    if got["bot"] is None and got["origin"] is None:
        return None
    return got


def quoted(own: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the report quotes of a recorded evaluation (`recorded_evaluation`): where some labelled
    accounts trained the model that scored them, the figures over the others, with a note saying
    so; where all did, the figures with a note that they are not out of sample."""
    if own is None:
        return None
    out = dict(own)
    for model, what in (("bot", "bot"), ("origin", "origin")):
        n_trained = own.get(f"{model}_training") or 0
        if own.get(model) is not None and not n_trained and own.get(f"{model}_training_unknown"):
            out[f"{model}_note"] = (f"which of them the {what} model was trained on is unknown (its file was not at hand when they were "
                                    "measured, or the study does not record which model scored it), so this may be no out-of-sample figure")
        if own.get(model) is None or not n_trained:
            continue
        held = own.get(f"{model}_held_out")
        if held is not None:
            out[model] = held
            out[f"{model}_note"] = f"leaving out the {counted(n_trained, 'labelled account')} the {what} model was trained on"
        else:
            out[f"{model}_note"] = f"every one of them was among the {what} model's training accounts, so this is no out-of-sample figure"
    b = out.get("bot")
    if b is not None and b.get("auc") is not None and (b.get("auc_ci") or [None])[0] is None:
        out["bot_no_interval"] = no_interval_words(int(b["n"]), int(b["bots"]))
    if b is not None and is_json_number(b.get("n")) and is_json_number(b.get("bots")) and (few := few_for_calibration(int(b["n"]), int(b["bots"]))):
        out["bot_few"] = few
    return out
