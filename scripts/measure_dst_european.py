#!/usr/bin/env python
"""The daylight-saving shift of British accounts' posts, split as `dst_shift` splits them and as it
split them before the days between the US and EU clock changes were left out.

    PYTHONPATH=src .venv/bin/python scripts/measure_dst_european.py [--data ../shared/data]

Why: a Briton's clock moves on the EU dates, two to three weeks after New York's in March; split at
the US dates alone, those weeks count as summer while their clock is on winter time, and their
shift reads smaller, towards the 0 h of a desk keeping Moscow time. Reads brexit-2016 (real tweets
of British politics, Feb-Sep 2016), every account with >= 20 posts; prints, for each split, the
accounts with a shift, the median shift and the share read as about 0 (|shift| <= 0.25 h).
Measured only: nothing here changes the model (docs/model-card-origin.md, "A European clock read
at its own dates").
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from botwatch.accounts import origin_behaviour as ob

ROOT = Path(__file__).resolve().parents[1]


def us_dates_only(times: list[datetime]) -> ob.ShiftEstimate | None:
    """The split before: within `WINDOW_DAYS` of a US change, winter and summer by New York's clock."""
    bins_w, bins_s = [], []
    for t in times:
        d = t.date()
        if any(abs((d - c).days) <= ob.WINDOW_DAYS for y in (d.year - 1, d.year, d.year + 1) for c in ob.us_changes(y)):
            (bins_s if ob.us_summer(t) else bins_w).append((t.hour * 60 + t.minute) * ob.BINS // 1440)
    if min(len(bins_w), len(bins_s)) < ob.MIN_SIDE_POSTS:
        return None
    return ob.shift_from_bins(np.asarray(bins_w), np.asarray(bins_s))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = ap.parse_args()
    posts = pd.read_csv(args.data / "ordinary" / "brexit-2016" / "tweets.csv.gz", usecols=["user_id", "created_at"])
    posts["t"] = pd.to_datetime(posts["created_at"], utc=True)
    accounts = [[t.to_pydatetime() for t in g["t"]] for _, g in posts.groupby("user_id") if len(g) >= 20]
    splits: dict[str, Callable[[list[datetime]], ob.ShiftEstimate | None]] = {
        "US dates only (before)": us_dates_only, "shipped (US-EU gap left out)": ob.shift_estimate}
    print(f"brexit-2016 accounts with >= 20 posts: {len(accounts):,}")
    for name, split in splits.items():
        shifts = np.array([e.shift_h for e in map(split, accounts) if e is not None])
        print(f"{name:32s} accounts with a shift {len(shifts):4d}  median {np.median(shifts):+.2f} h  "
              f"about 0 h: {np.mean(np.abs(shifts) <= 0.25):.1%}  about +1 h (+-0.5): {np.mean(np.abs(shifts - 1) <= 0.5):.1%}")


if __name__ == "__main__":
    main()
