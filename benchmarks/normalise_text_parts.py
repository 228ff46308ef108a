#!/usr/bin/env python
"""Where the shared-text pairs' text normalisation (`coordination.behaviours.normalise_text`) spends
its CPU on a study, and what two exact ASCII-first spellings of it cost.

    PYTHONPATH=src .venv/bin/python benchmarks/normalise_text_parts.py --study S.duckdb [--rounds 5]

Over the texts the pairs query normalises (25 characters or more), on one DuckDB thread (two
threads' CPU-seconds vary far more on a shared machine), each variant once per round in turn:
the parts (lower-casing, the combining-marks search, the one replace) on all-ASCII and on other
texts apart, the shipped expression, and the two ASCII-first spellings: a CASE that sends
all-ASCII texts (bytes = characters) to ASCII classes and no marks pass, and the same split as a
UNION ALL of two filtered scans. Prints each variant's CPU-seconds (min, median, all rounds) and
`sum(hash(...))` of its column, which exact spellings share with the shipped one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import duckdb
import ibis

from botwatch.coordination.behaviours import normalise_text

MIN_CHARS = 25


def _variants() -> dict[str, str]:
    t = ibis.table({"text": "string"}, name="tx")
    shipped = ibis.to_sql(t.select(s=normalise_text(t.text)), dialect="duckdb").split("SELECT", 1)[1].rsplit("AS \"s\"", 1)[0]
    shipped = shipped.replace('"t0".', "")
    letter = r"\p{L}\p{N}"
    unit = rf"^rt @[{letter}_]+:?|https?://[^\t\n\f\r ]+|[^{letter}#@_ ]"
    unit_ascii = r"^rt @[a-z0-9_]+:?|https?://[^\t\n\f\r ]+|[^a-z0-9#@_ ]"
    gap = lambda u: f" *(?:{u})(?:{u}| )*|  +"  # noqa: E731
    ascii_form = f"trim(regexp_replace(lower(text), '{gap(unit_ascii)}', ' ', 'g'))"
    is_ascii = "strlen(text) = length(text)"
    col = lambda e, where="TRUE": f"SELECT sum(hash({e})) FROM tx WHERE {where}"  # noqa: E731
    out = {}
    for rows, where in (("ascii", is_ascii), ("other", f"NOT ({is_ascii})")):
        out[f"lower, {rows} texts"] = col("lower(text)", where)
        out[f"lower + marks search, {rows}"] = col(r"regexp_matches(lower(text), '\p{M}')", where)
        out[f"lower + replace, {rows}"] = col(f"regexp_replace(lower(text), '{gap(unit)}', ' ', 'g')", where)
        out[f"shipped, {rows} texts"] = col(shipped, where)
    out["shipped, all texts"] = col(shipped)
    out["ASCII-first as CASE"] = col(f"CASE WHEN {is_ascii} THEN {ascii_form} ELSE {shipped} END")
    out["ASCII-first as UNION ALL"] = (f"SELECT sum(h) FROM (SELECT hash({ascii_form}) AS h FROM tx WHERE {is_ascii} "
                                       f"UNION ALL SELECT hash({shipped}) AS h FROM tx WHERE NOT ({is_ascii}))")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--study", type=Path, required=True)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    con = duckdb.connect(str(args.study), read_only=True)
    con.sql("SET threads = 1")
    con.sql(f"CREATE TEMP TABLE tx AS SELECT text FROM posts WHERE text IS NOT NULL AND length(text) >= {MIN_CHARS}")
    n, n_ascii = con.sql("SELECT count(*), count(*) FILTER (WHERE strlen(text) = length(text)) FROM tx").fetchall()[0]
    print(f"{n:,} texts of {MIN_CHARS}+ characters, {n_ascii:,} all-ASCII")
    variants = _variants()
    times: dict[str, list[float]] = {k: [] for k in variants}
    digest: dict[str, int] = {}
    for _ in range(args.rounds):
        for name, sql in variants.items():
            c = time.process_time()
            digest[name] = con.sql(sql).fetchall()[0][0]
            times[name].append(time.process_time() - c)
    for name, ts in times.items():
        print(f"{name:32s} min {min(ts):.2f} median {statistics.median(ts):.2f} ({', '.join(f'{t:.2f}' for t in ts)}); sum of hashes {digest[name]}")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
