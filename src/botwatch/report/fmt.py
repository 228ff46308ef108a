"""Formatting shared by every section: numbers, shares with intervals, hostile text and URLs.

Sections register nothing here; importing `botwatch.report` installs these as Jinja filters
(`num`, `pct`, `pct_ci`, `interval`, `auc`, `user_text`, `account_label`, `safe_url`) so that every section writes "71%
[66–75%]" the same way and every attacker-written string goes through the same two guards:

* `user_text` shows every control and invisible format character as a visible ⟨U+XXXX⟩ tag
  (`shown_text.shown_in_page`, which the template environment also applies to every plain value
  it prints, so a string gets the same treatment with or without the filter). Autoescaping stops
  markup, but U+202E (right-to-left override) in a handle can make "moc.elgoog" read as
  "google.com", and an ESC can repaint a terminal that cats the file; a reader deserves to see
  that the account used that trick.
* `safe_url` keeps only http(s) URLs; anything else (``javascript:``, ``data:``, relative
  paths) is returned as None so the template prints it as text, never as a link.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from botwatch import stats
from botwatch.accounts.json_shape import shown_handle
from botwatch.shown_text import has_hidden, shown_in_page, shown_in_page_json
from botwatch.auc_text import auc, auc_interval  # noqa: F401 - report filters; live below the report (botwatch.model_used uses them)
from botwatch.count_text import count_range, counted, num  # noqa: F401 - report filters; below the report (origin evidence and impact notes use them)
from botwatch.prob_text import interval_digits, percent, prob2, prob2_rest  # noqa: F401 - prob2 a report filter: a probability at two decimals, never "1.00"

def user_text(value: Any, limit: int | None = None) -> str:
    """Attacker-written text made safe to *display* (escaping is still the template's job):
    `shown_text.shown_in_page`, cut to `limit` characters when given."""
    return shown_in_page(value, limit)


def show_hidden(text: str) -> str:
    """`user_text` without truncation over a whole serialized JSON payload at once (one regex pass
    is much cheaper than one call per field for 100k accounts): `shown_text.shown_in_page_json`,
    which also tags the JSON escapes of control characters, so the explorer's rows show them as
    the server-rendered rows do."""
    return shown_in_page_json(text)


# The most characters of a handle or id the report prints where it names an account (the account
# explorer's copy is as long). A handle is attacker-written: a 10 kB one, printed whole as a
# cluster's most central member, made the coordination section about 46,000 px tall.
HANDLE_SHOWN = 80


def account_label(handle: Any, account_id: Any, platform: Any = None) -> str:
    """How the report names an account: "@handle", or "id N" for one without a handle (as the
    accounts table and the explorer write it); the coordination picture wrote "@N" for those, a
    handle no one has. A Mastodon handle of the instance it was collected on is written with that
    instance, "@alice@a.social", as `botwatch accounts` lists it (`json_shape.shown_handle`): two
    instances' local alices were both "@alice". Display text only (controls tagged): the template
    still escapes it. Cut to `HANDLE_SHOWN` characters, the last "…"."""
    shown = shown_handle(platform, handle, account_id)
    if shown:
        return "@" + user_text(shown, HANDLE_SHOWN)
    return "id " + user_text(account_id, HANDLE_SHOWN)


def path_breaks(value: Any) -> Markup:
    """A file's path (attacker-chosen: `user_text`, escaped) with a break allowed after each folder
    separator: in a cell that breaks anywhere (`td`), the input-files table's File column was 45 px
    wide on a 375-px phone, one letter a line; with `td.file` (report.css) it breaks only there, so
    the column is as wide as the file's own name."""
    shown = escape(user_text(value))
    return Markup(str(shown).replace("/", "/<wbr>").replace("\\", "\\<wbr>"))


def marked_cell(value: Any) -> Markup:
    """`report.cell_marks.marked_cell`, imported when a template uses it: that module reads the
    estimates stage's wording, whose module imports numpy and pyarrow."""
    from botwatch.report.cell_marks import marked_cell as cell

    return cell(value)


def safe_url(value: Any) -> str | None:
    """The URL if it is an absolute http(s) URL a reader may follow, else None."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    if has_hidden(url) or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def pct(p: Any, digits: int = 0) -> str:
    """A share 0..1 as a percentage (`prob_text.percent`): a share strictly between 0 and 1 never
    reads as 0% or 100%, so shares under 1% keep a decimal and 0.04% is "<0.1%"."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "—"
    return percent(p, digits)


def interval(lo: Any, hi: Any, digits: int = 0) -> str:
    """'[66–75%]' for a 0..1 interval; empty when either end is unknown."""
    if lo is None or hi is None or (isinstance(lo, float) and math.isnan(lo)) or (isinstance(hi, float) and math.isnan(hi)):
        return ""  # an unknown end is no interval, not "[–—]"
    d = interval_digits(float(lo), float(hi), digits)  # "[2–2%]" for 1.6% to 2.4% read as certainty
    a, b = pct(lo, d), pct(hi, d)
    return f"[{a[:-1]}–{b}]"


def pct_ci(p: Any, lo: Any = None, hi: Any = None, digits: int = 0, accounts: Any = None) -> str:
    """'71% [66–75%]': a share with its interval, the form every headline uses.

    A bootstrap interval with no width (`stats.degenerate_interval`: every resample gave the
    same share, as for a share of 0 or 1 over a few accounts) is never printed as "[0–0%]":
    with the number of `accounts` behind a share of 0 or 1 it becomes the exact 95% bound over
    those accounts, said to be one; otherwise the share is said to have no interval."""
    n = int(accounts) if accounts is not None and not (isinstance(accounts, float) and math.isnan(accounts)) else 0
    bound = None
    if stats.exact_edge_interval(p, lo, hi) and n:  # the estimates stage's exact bound, stored (`cell_rows`)
        bound = (lo, hi)
    elif stats.degenerate_interval(p, lo, hi):
        bound = stats.exact_edge_bound(float(p), n) if n else None
        if bound is None:
            return f"{pct(p, digits)} (every resample of the accounts gave {pct(p, digits)}: no interval)"
    shown = bound if bound is not None else (lo, hi)
    ci = interval(*shown, digits)
    if ci:  # the share at the decimals of its interval's ends ("5.6% [1.0–25.8%]", not "6% [1.0–26%]")
        digits = interval_digits(float(shown[0]), float(shown[1]), digits)
    if bound is not None:
        return f"{pct(p, digits)} {ci[:-1]}: an exact bound over {n:,} account{'s' if n != 1 else ''}]"
    return f"{pct(p, digits)} {ci}".strip()


def f1_ci(f1: Any, ci: Any) -> str:
    """'0.72 [0.65–0.79]': a macro-F1 with its bootstrap interval, as the report quotes a recorded
    `content evaluate`. An interval with no width (a few labelled posts that all agree: every
    resample gives 1.00 again) is said to be none, not "[1.00–1.00]", which read as certainty
    from three labels (as `pct_ci` says of a share). It is said in the brackets an interval would
    take: every use sits inside a sentence and most inside a parenthesis, where "macro-F1 1.00
    (every resample of the labelled posts gave 1.00: no interval) on 3 pairs (mine.csv, ...)"
    nested one aside in another (the bootstrap resamples posts, each with its pairs). A figure
    whose record holds no interval says so, rather than standing bare beside one that has one."""
    lo, hi = (ci if ci is not None else (None, None))
    if lo is None or hi is None:  # a record written before intervals were (sentiment of an older evaluate)
        return f"{float(f1):.2f} [no interval recorded]"
    if stats.degenerate_interval(f1, lo, hi):
        return f"{float(f1):.2f} [no interval: every resample of the labelled posts gave {float(lo):.2f} again]"
    return f"{float(f1):.2f} [{float(lo):.2f}–{float(hi):.2f}]"


def no_interval(row: Any, shown: str, plural: bool = False) -> str:
    """Why an estimates row (`ci_low`, `ci_high`, `n_accounts`) has no interval, to be said after
    the claim it is quoted in ("" where it has one or nothing says why): the foreign-origin
    headline put it inside the count, "posted 12 election posts (from 2 accounts: too few for an
    interval) in the 30 days before polling day", where the scaled party headline says "about
    11,000 posts supported Labour during the campaign (from 2 accounts: too few for a 95%
    interval)". `shown` is the figure as the sentence prints it; `plural` for two shares at once."""
    from botwatch.estimates.compute import MIN_ACCOUNTS_FOR_INTERVAL

    lo, hi = getattr(row, "ci_low", None), getattr(row, "ci_high", None)
    if stats.degenerate_interval(getattr(row, "estimate", None), lo, hi):
        return f"every resample of the accounts gave {shown}: no interval"
    n = getattr(row, "n_accounts", None)
    if lo is None and n is not None and not (isinstance(n, float) and math.isnan(n)) and 0 < n < MIN_ACCOUNTS_FOR_INTERVAL:
        return f"from {counted(int(n), 'account')}: too few for {'95% intervals' if plural else 'a 95% interval'}"
    return ""


def wilson(k: int, n: int, z: float = stats.Z95) -> tuple[float | None, float | None, float | None]:
    """`stats.wilson` with None rather than NaN for n = 0, as the templates' filters expect."""
    if not n:
        return None, None, None
    return stats.wilson(k, n, z)


def signed_hours(hours: float) -> str:
    """Hours from an event, signed ("+3", "-24"), and "0" for a peak hour within half an hour of
    it: a peak at 18:00 UTC beside a debate at 18:15 read "-0" (German election file, 2017)."""
    whole = round(float(hours))
    return "0" if whole == 0 else f"{whole:+d}"


def utc_offset(hours: float) -> str:
    """A zone's offset as people write it: "UTC+1", "UTC+5:30", "UTC-3:30", "UTC+12:45"."""
    minutes = round(float(hours) * 60)
    h, m = divmod(abs(minutes), 60)
    return f"UTC{'-' if minutes < 0 else '+'}{h}" + (f":{m:02d}" if m else "")


FILTERS = {
    "utc_offset": utc_offset,
    "signed_hours": signed_hours,
    "num": num,
    "counted": counted,
    "count_range": count_range,
    "pct": pct,
    "pct_ci": pct_ci,
    "no_interval": no_interval,
    "f1_ci": f1_ci,
    "auc": auc,
    "auc_interval": auc_interval,
    "interval": interval,
    "user_text": user_text,
    "account_label": account_label,
    "safe_url": safe_url,
    "path_breaks": path_breaks,
    "marked_cell": marked_cell,  # a per-party figure's reason for no interval as a mark (report.cell_marks)
    "prob2": prob2,
    "prob2_rest": prob2_rest,  # one minus a stored probability (P(outside home)), as `explain` writes it
}
