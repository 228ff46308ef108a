"""The `impact` stage and the function behind `botwatch impact`.

Series come from the `timeline` table's `party_group` rows (posts about a party by likely
automated accounts vs by accounts scored below the threshold), resampled to the chosen frequency.
Accounts without a bot score are in neither series.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from botwatch.impact.leadlag import LeadLag, lead_lag
from botwatch.pipeline import Context, register
from botwatch.schema import register_output
from botwatch.study import Study
from botwatch.timeline.groups import AUTOMATED, NOT_AUTOMATED

GROUPS = {"automated": AUTOMATED, "rest": NOT_AUTOMATED}
TS = pa.timestamp("us")
IMPACT_SCHEMA = pa.schema([
    ("party", pa.string()), ("freq", pa.string()), ("measure", pa.string()), ("cause", pa.string()), ("effect", pa.string()),
    ("n_obs", pa.int64()), ("differences", pa.int64()), ("lag", pa.int64()), ("criterion", pa.string()),
    ("adf_p_cause", pa.float64()), ("adf_p_effect", pa.float64()), ("f_stat", pa.float64()), ("df_num", pa.int64()),
    ("df_den", pa.int64()), ("p_value", pa.float64()), ("irf_peak_h", pa.int64()), ("irf_peak", pa.float64()),
    ("irf_peak_low", pa.float64()), ("irf_peak_high", pa.float64()), ("notes", pa.string()),
])
IRF_SCHEMA = pa.schema([
    ("party", pa.string()), ("freq", pa.string()), ("measure", pa.string()), ("cause", pa.string()), ("effect", pa.string()),
    ("h", pa.int64()), ("response", pa.float64()), ("low", pa.float64()), ("high", pa.float64()),
])
register_output("impact", IMPACT_SCHEMA)
register_output("impact_irf", IRF_SCHEMA)


def pandas_freq(freq: str) -> str:
    """'1h', '6h', '1d', 'hour', 'day' → a pandas offset alias."""
    f = freq.strip().lower()
    f = {"hour": "1h", "day": "1d", "h": "1h", "d": "1d"}.get(f, f)
    if f.endswith("d"):
        return f[:-1].upper() + "D" if f[:-1] else "1D"
    if f.endswith("h") or f.endswith("min"):
        return f
    raise ValueError(f"frequency {freq!r} not understood: use e.g. 1h, 6h, 1d")


MIN_POSTS_PER_GROUP = 100  # fewer posts than this in either series is mostly empty buckets: no test
MAX_BUCKETS = 20_000  # beyond this a VAR with 12 lags gets slow and an hourly test means little: use a coarser freq


def party_series(study: Study, party: str, freq: str = "1h", start: datetime | None = None, end: datetime | None = None) -> pd.DataFrame:
    """Columns automated_volume, rest_volume (log1p posts) and *_sentiment (mean; carried forward
    over empty buckets) per bucket, from the first to the last bucket in which either group posted
    about the party, within [start, end] when given (the campaign window)."""
    pf = pandas_freq(freq)
    base = "day" if pf.endswith("D") else "hour"
    rows = study.sql(
        "SELECT value, bucket, posts, sentiment_mean, sentiment_n FROM timeline WHERE freq = ? AND clock = 'utc' AND dimension = 'party_group' AND value IN (?, ?) "
        "AND bucket >= coalesce(?, bucket) AND bucket <= coalesce(?, bucket)",
        [base, f"{party} | {AUTOMATED}", f"{party} | {NOT_AUTOMATED}", start, end],
    )
    df = pd.DataFrame(rows, columns=["value", "bucket", "posts", "sentiment_mean", "sentiment_n"])
    out = pd.DataFrame()
    if df.empty:
        return out
    out.attrs["posts"] = {key: int(df.loc[df["value"] == f"{party} | {label}", "posts"].sum()) for key, label in GROUPS.items()}
    df["bucket"] = pd.to_datetime(df["bucket"])
    df["sent_sum"] = df["sentiment_mean"].fillna(0) * df["sentiment_n"].fillna(0)
    idx = pd.date_range(df["bucket"].min().floor(pf), df["bucket"].max(), freq=pf)
    for key, label in GROUPS.items():
        g = df[df["value"] == f"{party} | {label}"].set_index("bucket")[["posts", "sent_sum", "sentiment_n"]].astype(float)
        r = g.resample(pf).sum().reindex(idx, fill_value=0.0)
        out[f"{key}_volume"] = np.log1p(r["posts"])
        sent = (r["sent_sum"] / r["sentiment_n"]).where(r["sentiment_n"] > 0)
        out[f"{key}_sentiment"] = sent.ffill()
    return out


def _why_no_series(study: Study, party: str, start: datetime | None, end: datetime | None) -> str:
    """Why no automated-versus-rest series exists for `party`: the note used to name missing tables
    even when both were there and the party had thousands of posts whose accounts simply had no
    bot probability (the IRA/FiveThirtyEight files carry no profile facts the bot model reads)."""
    if "post_party" not in set(study.tables()):
        return f"No posts about {party!r}: the posts are not labelled for parties yet (run the content stage)."
    named = study.sql(
        "SELECT count(*) FROM post_party WHERE party = ? AND created_at >= coalesce(?, created_at) AND created_at <= coalesce(?, created_at)",
        [party, start, end],
    )[0][0]
    if not named:
        return f"No posts about {party!r} in the window."
    return (f"{named:,} posts name {party!r} in the window, but none is by an account with a bot probability "
            "(its accounts have no profile facts the bot model reads, or the accounts stage has not run), "
            "so there is no 'likely automated' group to compare.")


def run_impact(
    study: Study, party: str, freq: str = "1h", *, start: datetime | None = None, end: datetime | None = None, maxlags: int = 12, horizon: int = 12
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """Lead-lag tests of automated vs the rest, for volume and sentiment; (rows, irf rows, notes)."""
    notes: list[str] = []
    df = party_series(study, party, freq, start, end)
    if df.empty:
        return [], [], [_why_no_series(study, party, start, end)]
    few = {k: n for k, n in df.attrs.get("posts", {}).items() if n < MIN_POSTS_PER_GROUP}
    if few:
        return [], [], [f"{party}: too few posts for a lead-lag test (" + ", ".join(f"{k} {n:,}" for k, n in few.items()) + f"; needs {MIN_POSTS_PER_GROUP} each)."]
    if len(df) > MAX_BUCKETS:
        return [], [], [f"{party}: {len(df):,} buckets at {freq} is too many for a VAR; use a coarser --freq or a narrower window."]
    rows, irf_rows = [], []
    for measure in ("volume", "sentiment"):
        a, b = df[f"automated_{measure}"].to_numpy(), df[f"rest_{measure}"].to_numpy()
        res: LeadLag | None = lead_lag(a, b, ("automated", "rest"), maxlags=maxlags, horizon=horizon)
        if res is None:
            notes.append(f"{party} {measure} at {freq}: too few usable buckets or a constant series; no test.")
            continue
        for d in res.directions:
            h, peak, lo, hi = d.peak
            rows.append(dict(party=party, freq=freq, measure=measure, cause=d.cause, effect=d.effect, n_obs=res.n_obs,
                             differences=res.differences, lag=res.lag, criterion=res.criterion, adf_p_cause=res.adf_p[d.cause],
                             adf_p_effect=res.adf_p[d.effect], f_stat=d.f_stat, df_num=d.df_num, df_den=d.df_den, p_value=d.p_value,
                             irf_peak_h=h, irf_peak=peak, irf_peak_low=lo, irf_peak_high=hi, notes="; ".join(res.notes) or None))
            for i, (r, lo_, hi_) in enumerate(zip(d.irf, d.irf_low, d.irf_high)):
                irf_rows.append(dict(party=party, freq=freq, measure=measure, cause=d.cause, effect=d.effect, h=i, response=r, low=lo_, high=hi_))
    return rows, irf_rows, notes


def store(study: Study, rows: list[dict[str, Any]], irf_rows: list[dict[str, Any]], party: str, freq: str) -> None:
    """Replace this party's and frequency's rows in `impact` and `impact_irf`."""
    for name, schema, data in (("impact", IMPACT_SCHEMA, rows), ("impact_irf", IRF_SCHEMA, irf_rows)):
        cols = ", ".join(f'"{f.name}" {_ddl(f.type)}' for f in schema)
        study.sql(f"CREATE TABLE IF NOT EXISTS {name} ({cols})")
        study.sql(f"DELETE FROM {name} WHERE party = ? AND freq = ?", [party, freq])
        if data:
            with study.temp_view("_imp", pa.Table.from_pylist(data, schema=schema)):
                study.sql(f"INSERT INTO {name} SELECT * FROM _imp")


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
          options=("impact_freq", "impact_parties", "impact_start", "impact_end", "impact_maxlags", "impact_horizon"))
def impact(study: Study, ctx: Context) -> int:
    """Granger causality and VAR impulse responses: do automated accounts lead the rest about each party?

    Options: `impact_freq` (default 1h). `botwatch impact` adds `impact_parties` (then only those
    parties' rows at that frequency are replaced, and the notes go to the command, not the
    report), `impact_start` / `impact_end` (instead of the election's window), `impact_maxlags`
    and `impact_horizon`. The rows and notes are left in `ctx.results["impact"]` for it to print."""
    from botwatch.timeline.labelled import require_labels_for
    from botwatch.timeline.stages import set_notes

    require_labels_for(study, ctx, "impact")
    o = ctx.options
    freq = str(o.get("impact_freq") or "1h")
    chosen = list(o.get("impact_parties") or [])
    notes: list[str] = []
    if not statsmodels_available():
        set_notes(study, "impact", ["statsmodels is not installed (pip install botwatch[time]): the impact tests were not run."])
        return 0
    if not chosen:  # the whole run: last run's rows at other frequencies go
        study.sql("DROP TABLE IF EXISTS impact")
        study.sql("DROP TABLE IF EXISTS impact_irf")
    total = 0
    if "impact_start" in o or "impact_end" in o:
        start, end = o.get("impact_start"), o.get("impact_end")
    else:
        start, end = campaign_window(ctx.election)
    tuning = {k: int(o[f"impact_{k}"]) for k in ("maxlags", "horizon") if o.get(f"impact_{k}") is not None}
    all_rows: list[dict[str, Any]] = []
    for party in chosen or [p.key for p in ctx.election.parties]:
        rows, irf_rows, n = run_impact(study, party, freq, start=start, end=end, **tuning)
        store(study, rows, irf_rows, party, freq)
        notes += n
        all_rows += rows
        total += len(rows)
    if not chosen:
        set_notes(study, "impact", notes)
    ctx.results["impact"] = {"rows": all_rows, "notes": notes}
    return total
