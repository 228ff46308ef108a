#!/usr/bin/env python
"""CPU-seconds of the accounts stage's engine queries over every post's text: the shared-text pairs
(`origin_textpool.neighbours_expr`), the language-transfer words (`transfer_sql.post_query`) and
the activity aggregate (`behaviour.account_activity`).

    PYTHONPATH=src .venv/bin/python benchmarks/accounts_text_queries.py --study S.duckdb [--repeat 3]

Run it with another checkout's `src` on PYTHONPATH to compare two versions of the code (alternate
them: the machine is shared). Prints each run's CPU-seconds (all of DuckDB's threads) and a digest
of each result (rows in full order), which two versions giving the same result share. The
activity digest rounds the gaps' standard deviation to 12 significant digits: until 2026-12-04
DuckDB's parallel float aggregation moved its last bit from run to run (it is exact since,
`behaviour.exact_pop_std`), and the rounding keeps digests comparable with code from before.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
from pathlib import Path

import ibis

from botwatch import open_study
from botwatch.accounts import origin_textpool
from botwatch.accounts.behaviour import account_activity
from botwatch.accounts.transfer_sql import post_query


def _digest(con, sql: str, params=None) -> str:  # type: ignore[no-untyped-def]
    rows = con.sql(f"SELECT * FROM ({sql}) ORDER BY ALL", params=params).fetchall()
    if "gap_std_s" in con.sql(sql, params=params).columns:
        i = con.sql(sql, params=params).columns.index("gap_std_s")
        rows = [r[:i] + (None if r[i] is None else float(f"{r[i]:.12g}"),) + r[i + 1:] for r in rows]
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:12]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--study", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with open_study(args.study, read_only=True) as st:
        pairs = ibis.to_sql(origin_textpool.neighbours_expr(st), dialect="duckdb")
        words, params = post_query()
        words = words.rsplit(" ORDER BY ", 1)[0]
        activity = ibis.to_sql(account_activity(st.table("posts")), dialect="duckdb")
        for name, sql, p in (("shared-text pairs", pairs, None), ("transfer words", words, params), ("activity aggregate", activity, None)):
            times = []
            for _ in range(args.repeat):
                c = time.process_time()
                st.con.sql(sql, params=p).to_arrow_table()
                times.append(time.process_time() - c)
            print(f"{name}: CPU-s {', '.join(f'{t:.2f}' for t in times)}; result {_digest(st.con, sql, p)}")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
