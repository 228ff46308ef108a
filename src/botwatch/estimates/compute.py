"""Point estimates and bootstrap intervals for every window × group × party cell.

Counts are scaled by 1 / sample_rate (the Horvitz–Thompson estimator for a uniform sample of
posts); their intervals are made at least as wide as the exact Poisson interval of the sampled
count divided by the rate (a few sampled posts say little however the accounts are resampled) and
widened outwards to whole multiples of 1 / sample_rate (`whole_counts.floored_bounds`: a scaled
count is k / rate, and the percentiles' interpolation between replicates is no precision the
sample holds); shares are ratios and are not scaled.
Every interval comes from the same account-level bootstrap replicates, so a count and a share of
one cell are consistent with each other. Distinct
accounts are reported as seen and never scaled: an account that posted a hundred times is almost
surely in a 1% sample, one that posted once almost surely not, so the number of accounts does not
grow linearly with 1 / sample_rate.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from botwatch.count_text import counted
from botwatch.prob_text import fixed
from botwatch.stats import degenerate_interval, exact_edge_bound
from botwatch.elections.model import Election
from botwatch.estimates.bootstrap import percentile_interval, weighted_bootstrap
from botwatch.estimates.defaults import DEFAULT_REPS, DEFAULT_SEED
from botwatch.estimates.relational import ALL, ANY_PARTY, CELL_KEY, COUNT_COLUMNS, NOT_PARTY_ACCOUNTS, account_cells, account_groups, cell_vectors, in_window, party_accounts, units
from botwatch.estimates.whole_counts import floored_bounds, scaled_step, zero_text
from botwatch.schema import register_output
from botwatch.study import Study

ESTIMATES = pa.schema(
    [
        ("election", pa.string()),
        ("period", pa.string()),  # campaign | last_30_days | a user-defined window
        ("period_start", pa.timestamp("us")),
        ("period_end", pa.timestamp("us")),
        ("account_group", pa.string()),  # all | likely_automated | foreign_origin | not_party_accounts
        ("party", pa.string()),  # a party key, '*' (all election posts) or 'any_party'
        ("metric", pa.string()),
        ("observed", pa.float64()),  # in the study as it is
        ("estimate", pa.float64()),  # on the platform (counts / sample_rate); shares unscaled
        ("ci_low", pa.float64()),
        ("ci_high", pa.float64()),
        ("n_accounts", pa.int64()),
        ("n_posts", pa.int64()),
        ("sample_rate", pa.float64()),  # NULL: the archive is taken as complete (rate 1)
        ("bootstrap_reps", pa.int64()),
        ("seed", pa.int64()),
        ("method", pa.string()),
    ]
)
register_output("estimates", ESTIMATES)

# `stance_measured_posts`: the party's rows whose stance was measured (the stance shares'
# denominator); posts minus it are the non-English posts that only name the party, whose stance
# is not measured (`relational.stance_measured`) and which count as neither support, oppose nor neutral.
COUNT_METRICS = {"posts": "posts", "support_posts": "support", "oppose_posts": "oppose", "neutral_posts": "neutral", "scored_posts": "scored",
                 "stance_measured_posts": "measured"}
# Stance shares are over the rows whose stance was measured (`relational.stance_measured`: not a
# non-English post that only names the party), as sentiment shares are over the scored posts.
SHARE_METRICS = {"support_share": ("support", "measured"), "oppose_share": ("oppose", "measured"), "positive_share": ("positive", "scored"), "negative_share": ("negative", "scored")}
# A bootstrap over accounts needs several accounts to say anything: with one account every
# replicate is that account ("50% [50–50%]"), with a handful the interval is far too narrow.
# Below this many accounts no interval is given and readers are told "too few accounts".
MIN_ACCOUNTS_FOR_INTERVAL = 5
TOO_FEW = "too few accounts"
# A cell no account posted in: zero, with no interval to give (nothing to resample).
NO_ACCOUNTS = "no accounts"
STANCE_ONLY = {"support_posts", "oppose_posts", "neutral_posts", "stance_measured_posts", "support_share", "oppose_share"}

Window = tuple[str, "datetime | None", "datetime | None"]


# What the rows of the `estimates` table mean, recorded in the stage's `runs` parameters: raised
# whenever a change makes the stage write other rows from the same posts, so a study's table made
# before is said to be out of date (`report.staleness.outdated_estimates`) until the stage runs
# again. 1: a share's `n_accounts` and "too few accounts" rule count the accounts behind its own
# denominator, a share of 0 or 1 carries its exact bound, and a scaled zero's bound in `method`
# is worded as `estimate` and the report word it. A run with no such record predates all three;
# its table is judged from its rows (`report.staleness._rows_outdated`), which show the older rules or not.
# 2: a study whose posts fewer than 5 accounts carry is no sample (`report.caveats._one_account`), so
# its scaled zeros get no platform bound in `method` (under 1 only a study of exactly one account).
# 3: a sampled study's scaled counts' intervals are at least the exact Poisson interval of the
# sampled count / rate (`whole_counts.floored_bounds`; a zero read [0, 0], one post [100, 100] at 1%);
# a zero's are [0, its one-sided bound] (`whole_counts.least_interval`: 298 at 1%, as its words say).
# 4: that low end is no less than the sampled posts themselves (one sampled post at 1% read
# "[0–600]", now [1–600]), and a zero's `method` names its one-sided bound, not a Poisson interval
# and multiples of 1/rate it does not have.
# 5: the 'likely_automated' cells of a period where the bot model scored none of the accounts
# posting are NULL (unknown), not "0, no account of this group posted here" (`bot_unknown_periods`).
ESTIMATES_VERSION = 5
ESTIMATES_VERSION_KEY = "estimates_version"

# The defaults the stage, the command line and the study's recorded parameters all use (kept in
# `defaults`, which the command line imports without this module's ibis and pandas).
MAX_REPS = 100_000
DEFAULT_WINDOW_NAMES = ("campaign", "last_30_days")  # the periods `default_windows` names


@dataclass
class EstimateOptions:
    sample_rate: float | None = None  # share of the platform's posts the archive holds
    reps: int = DEFAULT_REPS
    seed: int = DEFAULT_SEED
    level: float = 0.95
    extra_windows: list[Window] = field(default_factory=list)
    # Where a scaled zero's bound lies (`whole_counts.zero_text`), as the CLI and report word it:
    # "on the platform", among a filtered capture's posts (`report.scope.zero_where`), or None: no
    # bound, the scaled counts being no platform figures (`compute_estimates` sets it per study).
    zero_where: str | None = "on the platform"

    def __post_init__(self) -> None:
        if self.sample_rate is not None and not 0 < self.sample_rate <= 1:
            raise ValueError(f"sample rate must be in (0, 1], got {self.sample_rate:g}: give a share above 0 and at most 1 (0.01 for a 1% sample)")
        if self.reps < 10:
            raise ValueError(f"use at least 10 bootstrap replicates ({DEFAULT_REPS} is the default)")
        # Both ended in "This is a bug in botwatch": a huge --reps in a MemoryError (one row per
        # replicate and cell), a negative or 64-bit-overflowing --seed in numpy's or Arrow's error.
        if self.reps > MAX_REPS:
            raise ValueError(f"use at most {MAX_REPS:,} bootstrap replicates ({DEFAULT_REPS} is the default)")
        if not 0 <= self.seed < 2**63:
            raise ValueError(f"--seed must be a whole number from 0 to {2**63 - 1}, got {self.seed}")
        # Cells are keyed by the window's name: `--window campaign=...` (or one name twice) made two
        # spans of one period, a post in both counted twice (110 campaign posts read 150).
        names = [w[0] for w in self.extra_windows]
        for name in dict.fromkeys(names):
            if name in DEFAULT_WINDOW_NAMES:
                raise ValueError(f"window name {name!r} is taken by the built-in period of that name: choose another")
            if names.count(name) > 1:
                raise ValueError(f"window name {name!r} is given {names.count(name)} times: give each window its own name")


def default_windows(election: Election) -> list[Window]:
    """The campaign (the preset's window) and the 30 days before polling day (the reference study's)."""
    start, end = election.window_utc()
    a, b = election.days_before_polling_utc(30)
    return [("campaign", start, end), ("last_30_days", a, b)]


WINDOW_FORM = "NAME=YYYY-MM-DD..YYYY-MM-DD (UTC days, both included)"


def parse_window(spec: str) -> Window:
    """'name=2017-05-22..2017-06-08' → a half-open UTC window (end day included)."""
    from datetime import date, timedelta

    try:
        name, span = spec.split("=", 1)
        a, b = span.split("..", 1)
        start = datetime.combine(date.fromisoformat(a), datetime.min.time())
        end = datetime.combine(date.fromisoformat(b) + timedelta(days=1), datetime.min.time())
    except ValueError:
        raise ValueError(f"bad window {spec!r}: write {WINDOW_FORM}") from None
    # Each said with the form, as a spec that does not parse is: "empty name or end before start"
    # named neither which nor what to write instead.
    if not name:
        raise ValueError(f"bad window {spec!r}: it has no name before '=': write {WINDOW_FORM}")
    if end <= start:
        raise ValueError(f"bad window {spec!r}: its last day {b} is before its first day {a}: write {WINDOW_FORM}")
    return name, start, end


def _groups(study: Study, election: Election, log: Callable[[str], None]):  # type: ignore[no-untyped-def]
    if "account_scores" not in study.tables():
        log("estimates: no account_scores table yet; only the group 'all' (run the accounts stage for automated / foreign-origin groups)")
        return None
    t = study.table("account_scores")
    needed = {"platform", "account_id", "bot_probability", "origin_country", "origin_probabilities"}
    missing = needed - set(t.columns)
    if missing:
        log(f"estimates: account_scores lacks {', '.join(sorted(missing))}; only the group 'all'")
        return None
    # Foreign origin against the country the account scores were made for (`measured_home`, the
    # report's rule), not this run's election: on a study scored for us-2016, estimates made with
    # uk-ge2017 counted accounts 90% likely American as foreign-origin (P(outside GB) on
    # distributions that hold the US home prior and only the top countries).
    from botwatch.origin_rule import measured_home, no_election_note, scored_without_election

    if scored_without_election(study):
        log(f"estimates: no foreign-origin group: {no_election_note()}")
        return account_groups(t, None)
    home = measured_home(study, election) or election.country
    if home.upper() != election.country.upper():
        log(f"estimates: foreign origin measured against {home}, the country the accounts were scored for (not {election.country})")
    return account_groups(t, home)


def _party_accounts(study: Study):  # type: ignore[no-untyped-def]
    """The parties' own accounts that posted (`relational.party_accounts`), or None when none did
    (or `post_party` predates its `signals`): the group 'not_party_accounts' is then the group
    'all' and is not written twice."""
    pp = study.table("post_party")
    if "signals" not in pp.columns:
        return None
    own = party_accounts(pp)
    return own if study.expr_arrow(own.limit(1)).num_rows else None


def cell_rows(election: Election, windows: list[Window], opts: EstimateOptions, cell: tuple[str, str, str],
              vectors: np.ndarray, mult: np.ndarray, population: int | None = None) -> list[dict]:
    """The estimate rows of one (period, account_group, party) cell from its distinct count
    vectors ([vector, COUNT_COLUMNS]) and how many accounts have each (`mult`).

    `population`: the accounts a replicate draws (`populations`: every account with an election
    post in the period). The cell's own accounts are a subset of them; the others count zero in
    it. Drawing only the cell's accounts fixed how many accounts name a party, or belong to a
    group, in every replicate: nine accounts naming a small party once each read "9 posts
    [9–9]", no uncertainty, where another draw of accounts like these holds four or fifteen.
    Drawing the period's accounts, with zeros for those outside the cell, is the usual
    bootstrap of a domain total (a subpopulation's sum), and it leaves a cell that is the whole
    population as it was. None: the cell's accounts alone.

    The replicates are seeded by the cell's period and party, so a cell's interval does not depend
    on which other cells exist or on the order the engine hands the cells over. Not by its account
    group: a group's cell that holds the same accounts as the period's whole cell (every account
    foreign-origin, as in an archive of attributed accounts) then draws the same replicates and
    prints the same interval. Seeded by the group too, the IRA release under uk-ge2017 printed
    "posts by foreign-origin accounts: 49 [27–82]" above "all accounts: 49 [27–78]", the same 49
    posts of the same 20 accounts, two intervals that read as a difference."""
    wname, gname, party = cell
    bounds = {name: (start, end) for name, start, end in windows}
    rate = opts.sample_rate or 1.0
    key = f"{election.key}|{wname}|all|{party}"  # the period's whole cell's seed, for every group (above)
    rng = np.random.default_rng([opts.seed, zlib.crc32(key.encode())])
    mult = np.asarray(mult, dtype=np.int64)
    vectors = np.asarray(vectors, dtype=float)
    outside = 0 if population is None else int(population) - int(mult.sum())
    if outside > 0:
        draw_vectors = np.vstack([vectors, np.zeros((1, vectors.shape[1]))])
        draw_mult = np.append(mult, outside)
    else:
        draw_vectors, draw_mult = vectors, mult
    reps = weighted_bootstrap(draw_vectors, draw_mult, opts.reps, rng)
    obs = (vectors * mult[:, None]).sum(axis=0)  # integers: exact in float64
    col = {c: i for i, c in enumerate(COUNT_COLUMNS)}
    n_acc, n_posts = int(mult.sum()), int(obs[col["posts"]])
    start, end = bounds.get(wname, (None, None))
    base = {"election": election.key, "period": wname, "period_start": start, "period_end": end, "account_group": gname, "party": party,
            "n_accounts": n_acc, "n_posts": n_posts, "sample_rate": opts.sample_rate, "bootstrap_reps": opts.reps, "seed": opts.seed}
    is_party = party not in (ALL, ANY_PARTY)
    rows: list[dict] = [{**base, "metric": "accounts", "observed": float(n_acc), "estimate": None, "ci_low": None, "ci_high": None,
                         "method": "distinct accounts seen; not scaled (accounts do not scale with the sample rate)"}]
    few = n_acc < MIN_ACCOUNTS_FOR_INTERVAL
    drawn = f" (the period's {counted(n_acc + outside, 'account')} with election posts drawn, {outside:,} of them outside this cell)" if outside > 0 else ""
    how = f"{TOO_FEW} ({n_acc}) for an interval" if few else f"{int(opts.level * 100)}% percentile interval, bootstrap over accounts{drawn}"
    # Stored widened, once, here (on either engine: this runs where the cells lie), so the table,
    # its export, `botwatch estimate` and the report print one interval for one figure.
    floored = opts.zero_where is not None  # a sample of posts: `floored_bounds` floors its scaled counts
    poisson = "at least the exact Poisson interval of the sampled count / rate and " if floored else ""
    least = ", the low end no less than the sampled posts themselves" if floored else ""
    whole = "" if few or scaled_step(opts.sample_rate) is None else f", widened to {poisson}whole multiples of 1/rate ({1 / rate:g}){least}"
    # A zero's interval is its one-sided bound alone (`whole_counts.least_interval`), no Poisson
    # two-sided interval and no multiple of 1/rate: its method said both beside [0, 298].
    zero_whole = "" if few or scaled_step(opts.sample_rate) is None or not floored else ", replaced by the one-sided 95% bound of a count of none"
    for metric, c in COUNT_METRICS.items():
        if metric in STANCE_ONLY and not is_party:
            continue
        # At least the exact Poisson interval of the sampled count / rate (`whole_counts.floored_bounds`):
        # the bootstrap gave one sampled post "100 [100–100]" at r = 0.01 and a zero "0 [0–0]".
        # Not where the study is no sample (`zero_where` None: its scaled counts are no platform figures).
        lo, hi = (None, None) if few else floored_bounds(*percentile_interval(reps[:, col[c]] / rate, opts.level), float(obs[col[c]]),
                                                         opts.sample_rate, opts.level, sampled=opts.zero_where is not None)
        # A zero scaled to the platform is no "none there": the bound the sample does give, in the
        # method too (one-sided, as `estimate` and the report word it).
        none = f"; {_zero(opts)}" if obs[col[c]] == 0 and _zero(opts) else ""
        rows.append({**base, "metric": metric, "observed": float(obs[col[c]]), "estimate": float(obs[col[c]]) / rate, "ci_low": lo, "ci_high": hi,
                     "method": f"count / sample rate; {how}{zero_whole if none else whole}{none}"})
    for metric, (num, den) in SHARE_METRICS.items():
        if metric in STANCE_ONLY and not is_party:
            continue
        d = obs[col[den]]
        point = float(obs[col[num]] / d) if d else None
        # A share rests on the accounts with a post in its denominator (English, or read for
        # stance), not on every account of the cell: ten accounts naming a party, two of them in
        # English, gave its positive share an interval from those two. Its rule and `n_accounts`
        # count those accounts, so the stage, `estimate` and the report say "too few accounts".
        n_den = int(mult[vectors[:, col[den]] > 0].sum())
        few_den = n_den < MIN_ACCOUNTS_FOR_INTERVAL
        with_den = "a post read for stance" if den == "measured" else "an English post with a sentiment"
        share_how = (how if not few_den else f"no account with {with_den}: no share" if not n_den
                     else f"{TOO_FEW} ({n_den} with {with_den}) for an interval")
        with np.errstate(invalid="ignore", divide="ignore"):
            lo, hi = (None, None) if few_den else percentile_interval(reps[:, col[num]] / reps[:, col[den]], opts.level)
        # A share of exactly 0 or 1: every resample of the accounts gives it again ("0% [0–0%]",
        # no interval). The exact binomial (Clopper–Pearson) bound over the share's accounts is
        # what those accounts do say (none of 20 accounts: at most 17%), stored in its place.
        if point in (0.0, 1.0) and not few_den and degenerate_interval(point, lo, hi):
            bound = exact_edge_bound(point, n_den, opts.level)
            if bound is not None:
                lo, hi = bound
                share_how = (f"every resample of the accounts gave {fixed(point, 0, 100)}%: exact Clopper–Pearson {int(opts.level * 100)}% interval "
                             f"over the {n_den:,} accounts with {with_den} (a bound on the share of accounts)")
        rows.append({**base, "n_accounts": n_den, "metric": metric, "observed": point, "estimate": point, "ci_low": lo, "ci_high": hi,
                     "method": f"ratio of sums ({num} / {den}); {share_how}"})
    return rows


def _zero(opts: EstimateOptions) -> str | None:
    """What a scaled count of zero says in `method` (`whole_counts.zero_text` where `opts.zero_where`
    lies), or None: nothing scaled, or no bound to give."""
    return zero_text(opts.sample_rate, opts.zero_where) if opts.zero_where else None


def stored_zero_where(study: Study, sample_rate: float | None) -> str | None:
    """`EstimateOptions.zero_where` for `study`, as `botwatch estimate` and the report word a zero
    (`reference.zero_rate`, `report.scope.zero_where`): no bound where scaled counts are no
    platform figures (an attributed archive, a rate not the captures'), among a filtered
    capture's posts where it is one. The stored `method` said "at most about 298 on the platform"
    where both said "among all posts the ... capture's filter ... let through", or no bound at all."""
    if not sample_rate or sample_rate >= 1:
        return "on the platform"  # nothing is scaled: no bound is written either way
    from botwatch.report.caveats import report_scaling_unsupported
    from botwatch.report.scope import zero_where

    return None if report_scaling_unsupported(study, sample_rate) else zero_where(study, sample_rate)


def bot_unknown_periods(study: Study, windows: list[Window], populations: dict[str, int]) -> dict[str, int]:
    """Period -> accounts with an election post in it, for each period where the bot model scored
    none of them: there the group 'likely_automated' is empty because automation is unknown, not
    because no automated account posted. The table stored "0 posts, no account of this group
    posted here" for the IRA tweets of November 2016 (us-2016), where the report said whether any
    election post came from likely automated accounts "is unknown"."""
    if "account_scores" not in study.tables() or "bot_probability" not in set(study.columns("account_scores")):
        return {}
    pl = study.table("post_labels")
    pl = pl.filter(pl.in_election)
    s = study.table("account_scores")
    scored = s.filter(s.bot_probability.notnull()).select(_sp=s.platform, _sa=s.account_id)
    posts = pl.inner_join(scored, [pl.platform == scored._sp, pl.account_id == scored._sa]).select("created_at")
    out: dict[str, int] = {}
    for wname, start, end in windows:
        n = populations.get(wname, 0)
        if n and not study.expr_arrow(in_window(posts, start, end).limit(1)).num_rows:
            out[wname] = n
    return out


def unknown_bot_text(n: int) -> str:
    """The `method` of a 'likely_automated' cell whose automation is unknown (`bot_unknown_periods`)."""
    return (f"unknown: the bot model scored none of the {n:,} accounts with election posts in this period (none has the profile "
            "facts it reads), so how many of them are likely automated is not known; not a count of none")


def empty_cells(seen: set[tuple[str, str, str]], election: Election, windows: list[Window], opts: EstimateOptions, groups: tuple[str, ...],
                periods_with_posts: set[str] | None = None, bot_unknown: dict[str, int] | None = None) -> list[dict]:
    """Rows for the cells of `groups` × windows × parties not in `seen` (no account posted there):
    zero posts with no interval, so "none found" is a number in the table, not a missing row.
    `periods_with_posts` (None: every period): a period with no election post at all is no sample
    of it, so its zeros get no bound (`reference.zero_rate`). `bot_unknown` (period -> accounts
    posting, `bot_unknown_periods`): there the 'likely_automated' cells are unknown (NULL), not zero."""
    rows: list[dict] = []
    for wname, start, end in windows:
        zero = _zero(opts) if periods_with_posts is None or wname in periods_with_posts else None
        for gname in groups:
            for party in [ALL, ANY_PARTY] + [p.key for p in election.parties]:
                if (wname, gname, party) in seen:
                    continue
                base = {"election": election.key, "period": wname, "period_start": start, "period_end": end, "account_group": gname, "party": party,
                        "n_accounts": 0, "n_posts": 0, "sample_rate": opts.sample_rate, "bootstrap_reps": opts.reps, "seed": opts.seed}
                if gname == "likely_automated" and (bot_unknown or {}).get(wname):
                    said = unknown_bot_text(bot_unknown[wname])  # type: ignore[index]
                    rows.append({**base, "metric": "accounts", "observed": None, "estimate": None, "ci_low": None, "ci_high": None, "method": said})
                    rows.append({**base, "metric": "posts", "observed": None, "estimate": None, "ci_low": None, "ci_high": None, "method": said})
                    continue
                rows.append({**base, "metric": "accounts", "observed": 0.0, "estimate": None, "ci_low": None, "ci_high": None, "method": "no account of this group posted here"})
                rows.append({**base, "metric": "posts", "observed": 0.0, "estimate": 0.0, "ci_low": None, "ci_high": None,
                             "method": "no account of this group posted here; no interval (nothing to resample)"
                             + (f"; {zero}" if zero else "")})
    return rows


def bootstrap_cells(cells: pa.Table, election: Election, windows: list[Window], opts: EstimateOptions, groups: tuple[str, ...] = ("all",)) -> pa.Table:
    """Estimates and intervals from per-account cells (output of `account_cells`), in Python.

    The stage does not use it (it would bring one row per account and cell to Python; see
    `estimate_vectors`); it stays as the plain statement of the method, which the engine path is
    tested to equal, and for callers holding per-account counts already."""
    df = cells.to_pandas()
    rows: list[dict] = []
    pop: dict[str, int] = {}
    if len(df):
        df = df.sort_values([*CELL_KEY, "platform", "account_id"], kind="stable")
        whole = df[(df["account_group"] == "all") & (df["party"] == ALL)]
        pop = {str(k): int(v) for k, v in whole.groupby("period").size().items()}
        for cell, part in df.groupby(list(CELL_KEY), sort=True):
            uniq, mult = np.unique(part[list(COUNT_COLUMNS)].to_numpy(dtype=float), axis=0, return_counts=True)
            rows.extend(cell_rows(election, windows, opts, cell, uniq, mult, pop.get(cell[0])))
    seen = {(r["period"], r["account_group"], r["party"]) for r in rows}
    return pa.Table.from_pylist(rows + empty_cells(seen, election, windows, opts, groups, set(pop)), schema=ESTIMATES)


def vector_estimates(election: Election, windows: list[Window], opts: EstimateOptions,
                     populations: dict[str, int] | None = None) -> Callable[[pa.Table], pa.Table]:
    """The per-cell function `group_map_arrow` runs where the cells lie (in-process on DuckDB, on
    Spark's executors): whole cells of `cell_vectors` rows in, their estimate rows out.
    `populations`: per period, the accounts each replicate draws (`cell_rows`)."""
    pops = populations or {}

    def run(table: pa.Table) -> pa.Table:
        rows: list[dict] = []
        if table.num_rows:
            df = table.to_pandas()
            for cell, part in df.groupby(list(CELL_KEY), sort=True):
                rows.extend(cell_rows(election, windows, opts, cell, part[list(COUNT_COLUMNS)].to_numpy(dtype=float), part["accounts"].to_numpy(dtype=np.int64),
                                      pops.get(cell[0])))
        return pa.Table.from_pylist(rows, schema=ESTIMATES)

    return run


def populations(study: Study, vectors_table: str) -> dict[str, int]:
    """Per period, the accounts with an election post in it (the cell of every account and every
    election post): what a replicate of any of the period's cells draws (`cell_rows`). Read from
    the distinct vectors, a few rows per period, on either engine."""
    rows = study.sql(f"SELECT period, sum(accounts) FROM \"{vectors_table}\" WHERE account_group = 'all' AND party = ? GROUP BY period", [ALL])
    return {str(p): int(n) for p, n in rows}


VECTORS_TABLE = "_estimate_vectors"


def compute_estimates(study: Study, election: Election, opts: EstimateOptions, log: Callable[[str], None] = print) -> pa.Table:
    """All estimates for a labelled study (post_labels and post_party must exist).

    The engine counts each account's posts per cell and merges accounts with the same counts
    (`cell_vectors`); the bootstrap runs per cell over those distinct vectors where they lie
    (`group_map_arrow`), so what comes back is the estimate rows alone: at most 13 per window ×
    group × party, whatever the number of accounts or posts."""
    windows = default_windows(election) + list(opts.extra_windows)
    opts = replace(opts, zero_where=stored_zero_where(study, opts.sample_rate))
    groups_expr = _groups(study, election, log)
    u = units(study.table("post_labels"), study.table("post_party"))
    own = _party_accounts(study)
    study.write_expr(VECTORS_TABLE, cell_vectors(account_cells(u, groups_expr, windows, own)), temp=True)
    try:
        # A SELECT, not the bare name: a DuckDB study lists no temp table among its tables.
        pops = populations(study, VECTORS_TABLE)
        got = study.group_map_arrow(f'SELECT * FROM "{VECTORS_TABLE}"', list(CELL_KEY), vector_estimates(election, windows, opts, pops), ESTIMATES)
    finally:
        study.sql(f'DROP TABLE IF EXISTS "{VECTORS_TABLE}"')
    # The engine returns cells in any order (Spark's partitions): sorted by cell (a stable sort, so
    # each cell's metrics keep their order), a re-run writes and exports the same rows in the same
    # order, as the per-account path's sorted group-by did.
    got = got.take(pc.sort_indices(got, sort_keys=[(c, "ascending") for c in CELL_KEY]))
    groups = ("all",) if groups_expr is None else ("all", "likely_automated") + (("foreign_origin",) if "foreign" in groups_expr.columns else ())
    groups += (NOT_PARTY_ACCOUNTS,) if own is not None else ()
    seen = set(zip(*(got.column(c).to_pylist() for c in CELL_KEY)))
    with_posts = {p for p, n in pops.items() if n}
    unknown = bot_unknown_periods(study, windows, pops) if "likely_automated" in groups else {}
    return pa.concat_tables([got, pa.Table.from_pylist(empty_cells(seen, election, windows, opts, groups, with_posts, unknown), schema=ESTIMATES)])


def write_estimates(study: Study, table: pa.Table) -> int:
    return study.write_table("estimates", table)
