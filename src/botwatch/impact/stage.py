"""The `impact` stage and the function behind `botwatch impact`.

Series come from the `timeline` table's `party_group` rows (posts about a party by likely
automated accounts vs by accounts scored below the threshold), resampled to the chosen frequency.
Accounts without a bot score are in neither series: on a real study that was most of the posts,
so every test carries how many posts and accounts each series holds and how many were left out
and why (`Coverage`, stored in the `impact` rows, printed by `botwatch impact` and the report).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from botwatch.count_text import counted
from botwatch.elections.contest import PARTY_WORDS, ContestWords, contest_words, contest_words_for, current_contest_words
from botwatch.impact.leadlag import LeadLag, lead_lag
from botwatch.pipeline import Context, register
from botwatch.prob_text import percent
from botwatch.schema import register_output
from botwatch.study import Study
from botwatch.timeline.groups import AUTOMATED, BOT_THRESHOLD, NOT_AUTOMATED
from botwatch.timeline.labelled import require_labels_for

GROUPS = {"automated": AUTOMATED, "rest": NOT_AUTOMATED}
# The two series in words: "rest" is stored (cause/effect) but is only the accounts scored below
# the bot threshold, not the rest of the conversation (unscored accounts are in neither).
SERIES_WORDS = {"automated": "likely automated", "rest": "other scored accounts"}
TS = pa.timestamp("us")
IMPACT_SCHEMA = pa.schema([
    ("party", pa.string()), ("freq", pa.string()), ("measure", pa.string()), ("cause", pa.string()), ("effect", pa.string()),
    ("n_obs", pa.int64()), ("differences", pa.int64()), ("lag", pa.int64()), ("criterion", pa.string()),
    ("adf_p_cause", pa.float64()), ("adf_p_effect", pa.float64()), ("f_stat", pa.float64()), ("df_num", pa.int64()),
    ("df_den", pa.int64()), ("p_value", pa.float64()), ("irf_peak_h", pa.int64()), ("irf_peak", pa.float64()),
    ("irf_peak_low", pa.float64()), ("irf_peak_high", pa.float64()), ("notes", pa.string()),
    # What the two series hold and what neither does (`Coverage`), the same on every row of a party.
    ("posts_automated", pa.int64()), ("posts_rest", pa.int64()), ("posts_unscored", pa.int64()),
    ("accounts_automated", pa.int64()), ("accounts_rest", pa.int64()), ("accounts_unscored", pa.int64()), ("unscored_why", pa.string()),
    # The window the test covered, trimmed to whole buckets (NULL bound: open, from the first or to
    # the last post), and whether it was set with --start/--end (`impact_start`/`impact_end`)
    # rather than the election's. Rows from before these columns read NULL: the election's window,
    # which every run then used. `botwatch impact --start` replaced the party's rows at that
    # frequency, and the report called them "posts naming X in the window", the election's.
    ("window_start", TS), ("window_end", TS), ("window_custom", pa.bool_()),
])
COVERAGE_COLUMNS = ("posts_automated", "posts_rest", "posts_unscored", "accounts_automated", "accounts_rest", "accounts_unscored", "unscored_why")
IRF_SCHEMA = pa.schema([
    ("party", pa.string()), ("freq", pa.string()), ("measure", pa.string()), ("cause", pa.string()), ("effect", pa.string()),
    ("h", pa.int64()), ("response", pa.float64()), ("low", pa.float64()), ("high", pa.float64()),
])
register_output("impact", IMPACT_SCHEMA)
register_output("impact_irf", IRF_SCHEMA)


MAX_BUCKET = pd.Timedelta(days=366)  # one bucket longer than a year holds every campaign: no series to test


def pandas_freq(freq: str) -> str:
    """'1h', '6h', '1d', 'hour', 'day' → a pandas offset alias."""
    f = freq.strip().lower()
    f = {"hour": "1h", "day": "1d", "h": "1h", "d": "1d"}.get(f, f)
    if f.endswith("d"):
        return _usable(freq, f[:-1].upper() + "D" if f[:-1] else "1D")
    if f.endswith("h") or f.endswith("min"):
        return _usable(freq, f)
    raise ValueError(f"frequency {freq!r} not understood: use e.g. 1h, 6h, 1d")


def _usable(freq: str, alias: str) -> str:
    """`alias` when pandas reads it as a bucket of some time up to a year, else a ValueError in
    words. Why: any text ending in d, h or min was passed on, and `impact --freq -1h`, `1e9h` or
    `99999999999d` failed inside pandas ("Invalid length for values or for binner", "Cannot cast
    ... without overflow"), said as a bug in botwatch."""
    from pandas.tseries.frequencies import to_offset

    try:
        length = pd.Timedelta(to_offset(alias))
    except (ValueError, OverflowError):
        raise ValueError(f"frequency {freq!r} not understood: use e.g. 1h, 6h, 1d") from None
    if length == pd.Timedelta(0):
        raise ValueError(f"frequency {freq!r} is a bucket of no time: use e.g. 1h, 6h, 1d")
    if length < pd.Timedelta(0):
        raise ValueError(f"frequency {freq!r} is a negative length of time: use e.g. 1h, 6h, 1d")
    if length > MAX_BUCKET:
        raise ValueError(f"frequency {freq!r} is a bucket longer than a year: use e.g. 1h, 6h, 1d")
    if length % pd.Timedelta(hours=1):
        # The series are read from the timeline's hourly counts, which cannot be split: at 30min
        # every other bucket was empty, at 90min a bucket held one or two hours, by turns.
        raise ValueError(f"frequency {freq!r} is not a whole number of hours: the series are built from hourly counts; use e.g. 1h, 6h, 1d")
    return alias


MIN_POSTS_PER_GROUP = 100  # fewer posts than this in either series is mostly empty buckets: no test
MAX_BUCKETS = 20_000  # beyond this a VAR with 12 lags gets slow and an hourly test means little: use a coarser freq


_EPOCH = datetime(1970, 1, 1)


def _naive_utc(t: Any) -> datetime:
    """A bound as naive UTC: the Python API passes text ('2016-10-09 00:00') or aware datetimes."""
    if not isinstance(t, datetime):
        t = datetime.fromisoformat(str(t))
    if t.tzinfo is not None:
        from datetime import timezone

        t = t.astimezone(timezone.utc).replace(tzinfo=None)
    return t


def whole_buckets(start: datetime | None, end: datetime | None, freq: str) -> tuple[datetime | None, datetime | None]:
    """[start, end] (end inclusive, as `campaign_window` gives it) narrowed to the buckets of `freq`
    (placed from the epoch, as `party_series` places them) that lie wholly inside it. Why: a UK
    window starts at 23:00 UTC, so its first 3h bucket held one hour of posts and its last two,
    and an unaligned --start or --end did the same; a bucket short of hours reads as a drop in
    volume that the lead-lag test then explains. A bound left None stays None."""
    step = pd.Timedelta(pd.tseries.frequencies.to_offset(pandas_freq(freq))).to_pytimedelta()
    tick = timedelta(microseconds=1)
    # In datetime arithmetic, not pandas': a bound such as --start 1500-01-01 or --end 9999-01-01
    # is past what a pandas timestamp holds, and the SQL the bounds go to takes any datetime.
    if start is not None:
        s = _naive_utc(start)
        try:  # the first bucket boundary at or after start
            start = _EPOCH + -((_EPOCH - s) // step) * step
        except OverflowError:  # none before the end of time: no whole bucket
            start = datetime.max
    if end is not None:
        e = _naive_utc(end)
        try:  # the last bucket boundary at or before the first instant after the window, less one tick
            end = _EPOCH + ((e + tick - _EPOCH) // step) * step - tick
        except OverflowError:  # a window to the end of time: its last bucket is left as it is
            end = e
    return start, end


def party_series(study: Study, party: str, freq: str = "1h", start: datetime | None = None, end: datetime | None = None) -> pd.DataFrame:
    """Columns automated_volume, rest_volume (log1p posts) and *_sentiment (mean; carried forward
    over empty buckets) per bucket, from the first to the last bucket in which either group posted
    about the party, within [start, end] when given (the campaign window), narrowed to the buckets
    that lie wholly inside it (`whole_buckets`)."""
    return parties_series(study, [party], freq, start, end)[party]


def parties_series(study: Study, parties: list[str], freq: str = "1h", start: datetime | None = None,
                   end: datetime | None = None) -> dict[str, pd.DataFrame]:
    """`party_series` of each of `parties`, from one query of the timeline for all of them: the
    stage asked one per party, each a Spark job on a lake."""
    pf = pandas_freq(freq)
    start, end = whole_buckets(start, end, freq)
    # The timeline's day rows only for whole days: 1.5d buckets of day rows held one or two days by turns.
    base = "day" if pd.Timedelta(pd.tseries.frequencies.to_offset(pf)) % pd.Timedelta(days=1) == pd.Timedelta(0) else "hour"
    wanted = list(dict.fromkeys(parties))
    values = [f"{party} | {label}" for party in wanted for label in GROUPS.values()]
    rows = study.sql(
        "SELECT value, bucket, posts, sentiment_mean, sentiment_n FROM timeline WHERE freq = ? AND clock = 'utc' AND dimension = 'party_group' "
        f"AND value IN ({', '.join('?' * len(values))}) AND bucket >= coalesce(?, bucket) AND bucket <= coalesce(?, bucket)",
        [base, *values, start, end],
    ) if values else []
    every = pd.DataFrame(rows, columns=["value", "bucket", "posts", "sentiment_mean", "sentiment_n"])
    return {party: _series(every[every["value"].isin([f"{party} | {label}" for label in GROUPS.values()])].reset_index(drop=True), party, pf)
            for party in wanted}


def _series(df: pd.DataFrame, party: str, pf: str) -> pd.DataFrame:
    """`party_series` from the timeline rows of `party`'s two groups (`df`), at pandas frequency `pf`."""
    out = pd.DataFrame()
    if df.empty:
        return out
    df = df.copy()
    out.attrs["posts"] = {key: int(df.loc[df["value"] == f"{party} | {label}", "posts"].sum()) for key, label in GROUPS.items()}
    df["bucket"] = pd.to_datetime(df["bucket"])
    df["sent_sum"] = df["sentiment_mean"].fillna(0) * df["sentiment_n"].fillna(0)
    idx = pd.date_range(df["bucket"].min().floor(pf), df["bucket"].max(), freq=pf)
    for key, label in GROUPS.items():
        g = df[df["value"] == f"{party} | {label}"].set_index("bucket")[["posts", "sent_sum", "sentiment_n"]].astype(float)
        # origin "epoch", as `floor` placed `idx`: resample's own default (midnight of the first
        # day) put 5h or 7h buckets elsewhere, and the reindex then found none: an all-zero series.
        r = g.resample(pf, origin="epoch").sum().reindex(idx, fill_value=0.0)
        out[f"{key}_volume"] = np.log1p(r["posts"])
        sent = (r["sent_sum"] / r["sentiment_n"]).where(r["sentiment_n"] > 0)
        out[f"{key}_sentiment"] = sent.ffill()
    return out


@dataclass(frozen=True)
class Coverage:
    """Posts naming a party in the test's window, and their accounts, split three ways: by likely
    automated accounts (bot probability >= 0.5: the first series), by accounts scored below it
    (the second series, "the other scored accounts", not "the rest of the conversation"), and by
    accounts without a bot probability, which are in neither series; `why` says why those have none."""

    party: str
    posts_automated: int
    posts_rest: int
    posts_unscored: int
    accounts_automated: int
    accounts_rest: int
    accounts_unscored: int
    why: str
    # How the accounts without a bot probability split, for the note when none has one
    # (`_why_no_series`): it gave every reason at once ("no profile facts …, or the accounts
    # stage has not run") on a study whose accounts stage had run.
    scored: bool = True
    accounts_no_facts: int = 0
    accounts_unlisted: int = 0

    @property
    def posts(self) -> int:
        return self.posts_automated + self.posts_rest + self.posts_unscored

    def columns(self) -> dict[str, Any]:
        """The `impact` row's coverage columns."""
        return dict(zip(COVERAGE_COLUMNS, (self.posts_automated, self.posts_rest, self.posts_unscored, self.accounts_automated,
                                           self.accounts_rest, self.accounts_unscored, self.why or None)))

    def sentence(self, name: str | None = None) -> str:
        """What the two series compare and what they leave out, with the numbers; the party called
        `name` (its display name, `elections.party_name`), else its key."""
        return coverage_sentence(name or self.party, self.columns())


def coverage_sentence(name: str, c: dict[str, Any]) -> str:
    """`Coverage.sentence` from an `impact` row's coverage columns (the report and `botwatch impact`
    read them back). `name` is the party as a reader knows it (`elections.party_name`): the rows
    store the key, and the sentence said "posts naming labour"."""
    pa_, pr, pu = (int(c.get(k) or 0) for k in ("posts_automated", "posts_rest", "posts_unscored"))
    aa, ar, au = (int(c.get(k) or 0) for k in ("accounts_automated", "accounts_rest", "accounts_unscored"))
    total = pa_ + pr + pu
    within = window_words(c)
    head = (f"{name}: the test compares {pa_:,} post{'s' if pa_ != 1 else ''} by {aa:,} likely automated account{'s' if aa != 1 else ''} "
            f"(bot probability ≥ 0.5) with {pr:,} post{'s' if pr != 1 else ''} by {ar:,} account{'s' if ar != 1 else ''} scored below 0.5")
    if not pu:
        return head + f"; every post naming {name} {within} is by a scored account."
    why = c.get("unscored_why") or "they have no bot probability"
    return (head + f"; {pu:,} of the {total:,} posts naming {name} {within} ({percent(pu / total)}), by {au:,} account{'s' if au != 1 else ''}, "
            f"are in neither series and so in neither side of the comparison: {why}.")


def window_bounds(start: datetime | None, end: datetime | None) -> tuple[str, str]:
    """An `impact` row's window bounds in words: ("2017-05-03 12:00 UTC", "2017-05-20 09:00 UTC"),
    the end the first instant after the last bucket (the stored end is that less a microsecond,
    and read "08:59"); an open bound is the first or the last post."""
    a = f"{start:%Y-%m-%d %H:%M} UTC" if start is not None else "the first post"
    if end is None:
        return a, "the last post"
    try:
        return a, f"{end + timedelta(microseconds=1):%Y-%m-%d %H:%M} UTC"
    except OverflowError:  # a window to the end of time
        return a, f"{end:%Y-%m-%d %H:%M} UTC"


def window_span(start: datetime | None, end: datetime | None) -> str:
    """"2017-05-03 12:00 UTC to 2017-05-20 09:00 UTC" (`window_bounds`)."""
    return " to ".join(window_bounds(start, end))


def window_words(c: dict[str, Any]) -> str:
    """Where the posts an `impact` row counts lie: "in the window" for the election's window (and
    rows from before the window columns, which only ever covered it); "between" the bounds for
    one set with --start/--end, which the report and `botwatch impact` had called "the window"
    as well."""
    if not c.get("window_custom"):
        return "in the window"
    a, b = window_bounds(c.get("window_start"), c.get("window_end"))
    return f"between {a} and {b}"


def coverage(study: Study, party: str, start: datetime | None = None, end: datetime | None = None) -> Coverage | None:
    """`Coverage` of `party`'s posts in [start, end] (None without `post_party` or without such
    posts). Counted from `post_party`, as the timeline's party rows are; an account's group is its
    bot probability in `account_scores`, as `timeline_groups` places it."""
    return coverages(study, [party], start, end)[party]


def coverages(study: Study, parties: list[str], start: datetime | None = None, end: datetime | None = None) -> dict[str, Coverage | None]:
    """`coverage` of each of `parties`, from one query grouped by party: the stage asked one per
    party, each a Spark job or more on a lake."""
    tables = set(study.tables())
    if "post_party" not in tables or not parties:
        return dict.fromkeys(parties)
    scored = "account_scores" in tables and "bot_probability" in study.columns("account_scores")
    if scored:
        group = ("CASE WHEN s.bot_probability IS NULL THEN (CASE WHEN s.account_id IS NULL THEN 'unlisted' ELSE 'unscored' END) "
                 f"WHEN s.bot_probability >= {BOT_THRESHOLD} THEN 'automated' ELSE 'rest' END")
        join = " LEFT JOIN account_scores s ON s.platform = pp.platform AND s.account_id = pp.account_id"
    else:
        group, join = "'unscored'", ""
    wanted = list(dict.fromkeys(parties))
    rows = study.sql(
        f"SELECT pp.party, {group} AS grp, count(DISTINCT pp.platform || ':' || pp.post_id), count(DISTINCT pp.platform || ':' || pp.account_id) "
        f"FROM post_party pp{join} WHERE pp.party IN ({', '.join('?' * len(wanted))}) "
        "AND pp.created_at >= coalesce(?, pp.created_at) AND pp.created_at <= coalesce(?, pp.created_at) GROUP BY 1, 2",
        [*wanted, start, end],
    )
    by_party: dict[str, dict[str, tuple[int, int]]] = {}
    for party, g, p, a in rows:
        by_party.setdefault(party, {})[g] = (int(p), int(a))
    return {party: _coverage_of(party, by_party.get(party, {}), scored) for party in parties}


def _coverage_of(party: str, got: dict[str, tuple[int, int]], scored: bool) -> Coverage | None:
    """`Coverage` from one party's (posts, accounts) per group ('automated', 'rest', 'unscored', 'unlisted')."""
    if not got:
        return None
    (pa_, aa), (pr, ar) = got.get("automated", (0, 0)), got.get("rest", (0, 0))
    (pn, an), (pl, al) = got.get("unscored", (0, 0)), got.get("unlisted", (0, 0))
    why = []
    if not scored:
        why.append("no account has a bot probability (the accounts stage has not run on this study)")
    else:
        if an:
            why.append(f"{an:,} of those account{'s have' if an != 1 else ' has'} no profile facts the bot model reads (account age, likes, "
                       "posts per day, default profile or image: archives such as the FiveThirtyEight IRA files carry none), so no bot probability")
        if al:
            why.append(f"{al:,} {'are' if al != 1 else 'is'} not in the account scores (added after the accounts stage last ran: run it again)")
    return Coverage(party, pa_, pr, pn + pl, aa, ar, an + al, "; ".join(why), scored, an, al)


def named_posts(study: Study, parties: list[str], start: datetime | None, end: datetime | None) -> dict[str, int] | None:
    """How many `post_party` rows name each of `parties` in [start, end], from one query grouped
    by party (None without `post_party`)."""
    if "post_party" not in set(study.tables()):
        return None
    wanted = list(dict.fromkeys(parties))
    if not wanted:
        return {}
    rows = study.sql(
        f"SELECT party, count(*) FROM post_party WHERE party IN ({', '.join('?' * len(wanted))}) "
        "AND created_at >= coalesce(?, created_at) AND created_at <= coalesce(?, created_at) GROUP BY 1",
        [*wanted, start, end],
    )
    got = {party: int(n) for party, n in rows}
    return {party: got.get(party, 0) for party in parties}


class PartyCounts:
    """The coverage and the named-post counts of every party a stage run tests, each read for all
    of them in one grouped query when first asked for (in [start, end], the window after
    `whole_buckets`). Why: `coverage` and `_why_no_series` asked one query per party, 24 of the
    impact stage's 42 Spark jobs on the bundled sample's lake."""

    def __init__(self, study: Study, parties: list[str], start: datetime | None, end: datetime | None) -> None:
        self.study, self.parties, self.window = study, list(parties), (start, end)
        self._coverage: dict[str, Coverage | None] | None = None
        self._named: dict[str, int] | None = None
        self._named_read = False
        self._series: dict[str, dict[str, pd.DataFrame]] = {}

    def covers(self, party: str, start: datetime | None, end: datetime | None) -> bool:
        return party in self.parties and (start, end) == self.window

    def coverage(self, party: str) -> Coverage | None:
        if self._coverage is None:
            self._coverage = coverages(self.study, self.parties, *self.window)
        return self._coverage[party]

    def series(self, party: str, freq: str) -> pd.DataFrame:
        """`party_series` of `party` at `freq` in the window, read for every party in one query."""
        if freq not in self._series:
            self._series[freq] = parties_series(self.study, self.parties, freq, *self.window)
        return self._series[freq][party]

    def named(self, party: str) -> int | None:
        """Rows of `post_party` naming `party` in the window; None without `post_party`."""
        if not self._named_read:
            self._named, self._named_read = named_posts(self.study, self.parties, *self.window), True
        return None if self._named is None else self._named[party]


def _why_no_series(study: Study, party: str, name: str, start: datetime | None, end: datetime | None, counts: PartyCounts | None = None,
                   within: str = "in the window") -> str:
    """Why no automated-versus-rest series exists for `party` (called `name` in the note): the note
    used to name missing tables even when both were there and the party had thousands of posts
    whose accounts simply had no bot probability (the IRA/FiveThirtyEight files carry no profile
    facts the bot model reads). `counts`: the run's `PartyCounts` for this window, if any. `within`:
    where the posts lie (`window_words`): a window set with --start/--end was called "the window",
    as if it were the election's, where the coverage sentence names its bounds."""
    if counts is None or not counts.covers(party, start, end):
        counts = PartyCounts(study, [party], start, end)
    named = counts.named(party)
    if named is None:
        # "parties" in the run's words (`impact` sets them): a referendum's note said "labelled for parties".
        return f"No posts about {name}: the posts are not labelled for {current_contest_words().many} yet (run the content stage)."
    if not named:
        return f"No posts about {name} {within}."
    one = named == 1  # "1 posts name Liberal Democrats" was printed for a party named once
    return (f"{counted(named, 'post')} {'names' if one else 'name'} {name} {within}, but {'it is not' if one else 'none is'} "
            f"by an account with a bot probability ({_unscored_reason(counts.coverage(party), one)}), "
            "so there is no 'likely automated' group to compare.")


def _unscored_reason(cov: Coverage | None, one: bool) -> str:
    """Why the accounts of a party's posts have no bot probability, saying only what holds: the
    accounts stage has not run (no `account_scores`, as `coverages` reads it), or its accounts
    have no profile facts the bot model reads, or they were ingested after it last ran. `one`:
    the party is named by one post (one account). Without a coverage, the stage has not run."""
    if cov is None or not cov.scored:
        return "the accounts stage has not run on this study"
    facts, late = cov.accounts_no_facts, cov.accounts_unlisted
    rerun = "ingested after the accounts stage last ran: run it again"
    if facts and late:
        return (f"{facts:,} of its accounts {'has' if facts == 1 else 'have'} no profile facts the bot model reads; "
                f"{late:,} {'is' if late == 1 else 'are'} not in the account scores, {rerun}")
    if late:
        return f"{'its account is' if one else 'its accounts are'} not in the account scores, {rerun}"
    return f"{'its account has' if one else 'its accounts have'} no profile facts the bot model reads"


def run_impact(
    study: Study, party: str, freq: str = "1h", *, start: datetime | None = None, end: datetime | None = None, maxlags: int = 12, horizon: int = 12,
    name: str | None = None, custom: bool = False, counts: PartyCounts | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """Lead-lag tests of likely automated accounts against the other scored accounts (below the
    bot threshold), for volume and sentiment; (rows, irf rows, notes). What the two series hold and
    leave out (`Coverage`) is in every row's coverage columns, and in the notes when no test was
    run for want of posts: the comparison silently left out ~70% of a real study's posts. The
    notes call the party `name` (its display name, `elections.party_name`; default its key): they
    are read as they are, in the report and by `botwatch impact`. `custom`: [start, end] is not the
    election's window (`--start`/`--end`), stored in the rows' `window_custom`. `counts`: the stage
    run's `PartyCounts` (every party's coverage in one query), used when its window is this one."""
    name = name or party
    notes: list[str] = []
    asked = (start, end)
    start, end = whole_buckets(start, end, freq)  # partial buckets at the edges are left out (docs/methods.md, Impact)
    if start is not None and end is not None and start > end:
        a, b = (_naive_utc(t) for t in asked)
        return [], [], [f"{name}: the window ({a:%Y-%m-%d %H:%M} to {b:%Y-%m-%d %H:%M} UTC) holds no whole {freq} bucket; no test."]
    if counts is None or not counts.covers(party, start, end):
        counts = PartyCounts(study, [party], start, end)
    cov = counts.coverage(party)
    left_out = [cov.sentence(name)] if cov is not None and cov.posts_unscored else []
    df = counts.series(party, freq)
    if df.empty:
        within = window_words(dict(window_custom=custom, window_start=start, window_end=end))
        return [], [], [_why_no_series(study, party, name, start, end, counts, within)]
    few = {k: n for k, n in df.attrs.get("posts", {}).items() if n < MIN_POSTS_PER_GROUP}
    if few:
        return [], [], [f"{name}: too few posts for a lead-lag test (" + ", ".join(f"{SERIES_WORDS[k]} {n:,}" for k, n in few.items()) + f"; needs {MIN_POSTS_PER_GROUP} each)."] + left_out
    if len(df) > MAX_BUCKETS:
        return [], [], [f"{name}: {len(df):,} buckets at {freq} is too many for a VAR; use a coarser --freq or a narrower window."] + left_out
    covered = cov.columns() if cov is not None else dict.fromkeys(COVERAGE_COLUMNS)
    rows, irf_rows = [], []
    for measure in ("volume", "sentiment"):
        a, b = df[f"automated_{measure}"].to_numpy(), df[f"rest_{measure}"].to_numpy()
        res: LeadLag | None = lead_lag(a, b, ("automated", "rest"), maxlags=maxlags, horizon=horizon)
        if res is None:
            notes.append(f"{name}, {measure} at {freq}: too few usable buckets or a constant series; no test.")
            continue
        for d in res.directions:
            h, peak, lo, hi = d.peak
            rows.append(dict(party=party, freq=freq, measure=measure, cause=d.cause, effect=d.effect, n_obs=res.n_obs,
                             differences=res.differences, lag=res.lag, criterion=res.criterion, adf_p_cause=res.adf_p[d.cause],
                             adf_p_effect=res.adf_p[d.effect], f_stat=d.f_stat, df_num=d.df_num, df_den=d.df_den, p_value=d.p_value,
                             irf_peak_h=h, irf_peak=peak, irf_peak_low=lo, irf_peak_high=hi, notes="; ".join(res.notes) or None, **covered,
                             window_start=start, window_end=end, window_custom=custom))
            for i, (r, lo_, hi_) in enumerate(zip(d.irf, d.irf_low, d.irf_high)):
                irf_rows.append(dict(party=party, freq=freq, measure=measure, cause=d.cause, effect=d.effect, h=i, response=r, low=lo_, high=hi_))
    if not rows:  # no test after all: say what the series held, as when there were too few posts
        notes += left_out
    return rows, irf_rows, notes


def store(study: Study, rows: list[dict[str, Any]], irf_rows: list[dict[str, Any]], parties: list[str], freq: str) -> None:
    """Replace these parties' rows at this frequency in `impact` and `impact_irf`, in one write
    of each table: the stage stored party by party, a CREATE, DELETE and INSERT each, which on a
    lake was a Spark job or more apiece."""
    wanted = list(dict.fromkeys(parties))
    for name, schema, data in (("impact", IMPACT_SCHEMA, rows), ("impact_irf", IRF_SCHEMA, irf_rows)):
        cols = ", ".join(f'"{f.name}" {_ddl(f.type)}' for f in schema)
        _widen(study, name, schema)
        if name not in study.tables():  # a new table has no rows to replace
            study.sql(f"CREATE TABLE {name} ({cols})")
        elif wanted:
            study.sql(f"DELETE FROM {name} WHERE party IN ({', '.join('?' * len(wanted))}) AND freq = ?", [*wanted, freq])
        if data:
            with study.temp_view("_imp", pa.Table.from_pylist(data, schema=schema)):
                study.sql(f"INSERT INTO {name} SELECT * FROM _imp")


def _widen(study: Study, name: str, schema: pa.Schema) -> None:
    """Give a table an older botwatch wrote the columns `schema` has since gained (NULL in its
    rows), so `botwatch impact --party X` on an older study adds its rows beside the others'
    instead of failing on a column count. Read and rewritten whole: impact tables are a few rows."""
    if name not in study.tables() or list(study.columns(name)) == schema.names:
        return
    old = study.arrow(name)
    data = {f.name: (old.column(f.name).cast(f.type) if f.name in old.column_names else pa.nulls(old.num_rows, f.type)) for f in schema}
    study.sql(f"DROP TABLE {name}")
    study.sql(f"CREATE TABLE {name} (" + ", ".join(f'"{f.name}" {_ddl(f.type)}' for f in schema) + ")")
    if old.num_rows:
        with study.temp_view("_imp_old", pa.Table.from_pydict(data, schema=schema)):
            study.sql(f"INSERT INTO {name} SELECT * FROM _imp_old")


def statsmodels_available() -> bool:
    """The lead-lag tests need statsmodels, an optional extra (`botwatch[time]`)."""
    import importlib.util

    return importlib.util.find_spec("statsmodels") is not None


def campaign_window(election: Any) -> tuple[datetime | None, datetime | None]:
    """The election's study window as naive-UTC bounds (whole days), or (None, None)."""
    from botwatch.timeline.zones import window_utc

    w = window_utc(election)
    if w is None:
        return None, None
    return w[0], w[1] - timedelta(microseconds=1)


def _ddl(t: pa.DataType) -> str:
    from botwatch.schema import duckdb_type

    return duckdb_type(t)


@register("impact", needs=("timeline",), writes=("impact", "impact_irf"), updates=("timeline_notes",), needs_election=True,
          options=("impact_freq", "impact_parties", "impact_start", "impact_end", "impact_maxlags", "impact_horizon"), check=require_labels_for)
def impact(study: Study, ctx: Context) -> int:
    """Granger causality and VAR impulse responses: do automated accounts lead the rest about each party?

    Options: `impact_freq` (default 1h). `botwatch impact` adds `impact_parties` (then only those
    parties' rows at that frequency are replaced, and the notes go to the command, not the
    report), `impact_start` / `impact_end` (instead of the election's window), `impact_maxlags`
    and `impact_horizon`. The rows and notes are left in `ctx.results["impact"]` for it to print."""
    from botwatch.timeline.stages import set_notes

    require_labels_for(study, ctx, "impact")
    o = ctx.options
    freq = str(o.get("impact_freq") or "1h")
    chosen = list(o.get("impact_parties") or [])
    notes: list[str] = []
    if not statsmodels_available():
        missing = "statsmodels is not installed (pip install botwatch[time]): the impact tests were not run."
        set_notes(study, "impact", [missing])
        ctx.log(f"impact: {missing}")  # the reason most users meet: `analyze` said only "impact ok 0"
        return 0
    if not chosen:  # the whole run: last run's rows at other frequencies go
        study.sql("DROP TABLE IF EXISTS impact")
        study.sql("DROP TABLE IF EXISTS impact_irf")
    total = 0
    election_window = campaign_window(ctx.election) if hasattr(ctx.election, "window_start") else (None, None)
    if "impact_start" in o or "impact_end" in o:
        start, end = o.get("impact_start"), o.get("impact_end")
    else:
        start, end = election_window
    # `botwatch impact` always passes its bounds, the election's where none was typed.
    custom = tuple(None if t is None else _naive_utc(t) for t in (start, end)) != election_window
    tuning = {k: int(o[f"impact_{k}"]) for k in ("maxlags", "horizon") if o.get(f"impact_{k}") is not None}
    all_rows: list[dict[str, Any]] = []
    from botwatch.elections import party_name

    # Each party once: its rows are stored with the others' in one write, so a party named twice
    # (impact_parties=["dem", "dem"]) would have had its rows stored twice.
    parties = list(dict.fromkeys(chosen or [p.key for p in ctx.election.parties]))
    counts = PartyCounts(study, parties, *whole_buckets(start, end, freq)) if parties else None  # every party's counts in one query each
    all_irf: list[dict[str, Any]] = []
    for party in parties:
        with contest_words_for(contest_words(ctx.election)):  # the notes say "sides" for a referendum
            rows, irf_rows, n = run_impact(study, party, freq, start=start, end=end, name=party_name(ctx.election, party), custom=custom,
                                           counts=counts, **tuning)
        notes += n
        all_rows += rows
        all_irf += irf_rows
        total += len(rows)
    if parties:
        store(study, all_rows, all_irf, parties, freq)  # every party's rows in one write of each table
    if not chosen:
        set_notes(study, "impact", notes)
        if not total:  # `botwatch impact` (parties chosen) prints its notes itself
            ctx.log(f"impact: {no_rows_line(notes, [party_name(ctx.election, p) for p in parties], contest_words(ctx.election))}")
    ctx.results["impact"] = {"rows": all_rows, "notes": notes}
    return total


def no_rows_line(notes: list[str], names: list[str], words: ContestWords = PARTY_WORDS) -> str:
    """The one line `analyze` prints when the stage wrote no rows: its reason and, where the reason
    has one, the next step. Why: `analyze` showed "impact ok 0" and nothing else, and only the
    report said why. Notes that differ only by the party they name are said once, for each party
    (`words`: "each side" for a referendum), and a note of an election of one party names it ("each
    party" read as several); otherwise the first is said with how many more there are and where."""
    if not names:
        return f"no test was run: the election lists no {words.many}."
    if not notes:
        return "no test was run."
    said = list(dict.fromkeys(_any_party(n, names, words) for n in notes)) if len(names) > 1 else notes
    first = said[0] if len(said) == 1 else notes[0]
    first = "no" + first[2:] if first.startswith("No ") else first
    if len(said) == 1:
        return f"no test was run: {first}"
    more = len(notes) - 1
    return f"no test was run: {first} ({more:,} more note{'s' if more != 1 else ''}: the report's \"When\" section lists them)"


def _any_party(note: str, names: list[str], words: ContestWords = PARTY_WORDS) -> str:
    """`note` with the first party name it holds (the longest that fits) written as "each party"."""
    for name in sorted(names, key=len, reverse=True):
        if name in note:
            return note.replace(name, f"each {words.one}", 1)
    return note
