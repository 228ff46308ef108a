"""Compare two reports of the same study built on different engines (issue 19: "the report built
from a Spark study is the same report").

What may legitimately differ, and is normalised before comparing:
  * the study's name (`s.duckdb` against `lake`) where the report prints it, and the hash of its
    path in the head's `botwatch-study` tag;
  * today's timestamps: when the report was generated and when each stage run finished;
  * the engine each run recorded (`engine=duckdb` against `engine=spark`), and the `--engine spark`
    the reproduction block adds to a lake's commands;
  * the PySpark version a lake's runs recorded, which the reproduction block says apart from the
    other libraries (`<span class="lake-libraries">`): a DuckDB study's runs used none;
  * printed decimals by one unit in the last printed place: each engine sums floating point in
    its own order, so a value within 1e-6 of the other can round to the neighbouring figure.
    Whole numbers (counts, ids, whole percentages) must match exactly.
Everything else (the words, the order of rows, every count, the figures' SVG, the explorer's data)
must be the same. Exports are compared as data: the same columns and types (nullability aside:
Spark stores every column nullable), the same rows in the same order, floats within `FLOAT_TOL`.
"""

from __future__ import annotations

import csv
import json
import math
import re
from datetime import date, timedelta
from pathlib import Path

import pyarrow.parquet as pq

FLOAT_TOL = 1e-6
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?")


def normalise(html: str, study_name: str, today: date | None = None) -> str:
    """The report text with the differences listed in the module docstring taken out."""
    today = today or date.today()
    for d in (today, today - timedelta(days=1)):  # a run that crossed midnight
        html = re.sub(rf"{d.isoformat()}[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?", "<NOW>", html)
    html = re.sub(r"engine=(duckdb|spark)", "engine=<ENGINE>", html)
    html = re.sub(r'<meta name="botwatch-study" content="[0-9a-f]*">', '<meta name="botwatch-study" content="<KEY>">', html)
    html = re.sub(r" --engine spark(?=[\s<])", "", html)  # the reproduction block's lake commands
    html = re.sub(r'<span class="lake-libraries">[^<]*</span>', "", html)  # its libraries: PySpark on a lake only
    name = re.escape(study_name)
    html = re.sub(rf"(botwatch (?:report|export|ingest|analyze|estimate|elections show) ){name}(?=[\s<])", r"\1<STUDY>", html)
    return re.sub(rf"<code>{name}</code>", "<code><STUDY></code>", html)


def _context(text: str, at: int) -> str:
    return text[max(0, at - 120): at + 120].replace("\n", " ")


def _numbers_close(a: str, b: str) -> bool:
    """Exactly the same, or two decimals printed to the same places one unit apart at most."""
    if a == b:
        return True
    if "." not in a or "." not in b or "e" in a.lower() or "e" in b.lower():
        return False
    places = len(a.split(".")[1])
    if places != len(b.split(".")[1]):
        return False
    x, y = float(a.replace(",", "")), float(b.replace(",", ""))
    return abs(x - y) <= 10 ** -places * (1 + 1e-9)


def report_differences(duck_html: str, lake_html: str, duck_name: str, lake_name: str) -> list[str]:
    """What differs between two normalised reports: [] when they are the same report."""
    a, b = normalise(duck_html, duck_name), normalise(lake_html, lake_name)
    skel_a, skel_b = _NUMBER.sub("#", a), _NUMBER.sub("#", b)
    if skel_a != skel_b:
        at = next((i for i, (x, y) in enumerate(zip(skel_a, skel_b)) if x != y), min(len(skel_a), len(skel_b)))
        return [f"text differs at character {at} of the number-free report:\n  duckdb: …{_context(skel_a, at)}…\n  spark:  …{_context(skel_b, at)}…"]
    out = []
    for ma, mb in zip(_NUMBER.finditer(a), _NUMBER.finditer(b)):
        if not _numbers_close(ma.group(), mb.group()):
            out.append(f"{ma.group()} (duckdb) != {mb.group()} (spark) in …{_context(a, ma.start())}…")
    return out


def _cell_close(x: object, y: object) -> bool:
    if isinstance(x, float) and isinstance(y, float):
        return (math.isnan(x) and math.isnan(y)) or math.isclose(x, y, rel_tol=FLOAT_TOL, abs_tol=FLOAT_TOL)
    if isinstance(x, list) and isinstance(y, list):
        return len(x) == len(y) and all(_cell_close(p, q) for p, q in zip(x, y))
    if isinstance(x, dict) and isinstance(y, dict):
        return x.keys() == y.keys() and all(_cell_close(x[k], y[k]) for k in x)
    return x == y


def _csv_cell_close(x: str, y: str) -> bool:
    if x == y:
        return True
    try:
        return _cell_close(float(x), float(y))
    except ValueError:
        return False


def export_differences(duck_dir: Path, lake_dir: Path) -> list[str]:
    """What differs between the two export folders (files, Parquet schemas and rows, CSV rows,
    schema sidecars): [] when they hold the same data."""
    files_a, files_b = sorted(p.name for p in duck_dir.iterdir()), sorted(p.name for p in lake_dir.iterdir())
    if files_a != files_b:
        return [f"export files differ: {files_a} != {files_b}"]
    out: list[str] = []
    for name in files_a:
        pa_, pb = duck_dir / name, lake_dir / name
        if name.endswith(".parquet"):
            ta, tb = pq.read_table(pa_), pq.read_table(pb)
            sa = [(f.name, f.type) for f in ta.schema]
            sb = [(f.name, f.type) for f in tb.schema]
            if sa != sb:
                out.append(f"{name}: columns differ: {[c for c in sa if c not in sb]} (duckdb) against {[c for c in sb if c not in sa]} (spark)")
                continue
            if ta.schema.metadata != tb.schema.metadata:
                out.append(f"{name}: file metadata differs")
            ra, rb = ta.to_pylist(), tb.to_pylist()
            if len(ra) != len(rb):
                out.append(f"{name}: {len(ra)} rows (duckdb) against {len(rb)} (spark)")
                continue
            for i, (x, y) in enumerate(zip(ra, rb)):
                bad = [k for k in x if not _cell_close(x[k], y[k])]
                if bad:
                    out.append(f"{name} row {i}: {bad[0]} = {x[bad[0]]!r} (duckdb) against {y[bad[0]]!r} (spark)")
                    break
        elif name.endswith(".csv"):
            with open(pa_, newline="", encoding="utf-8") as fa, open(pb, newline="", encoding="utf-8") as fb:
                ra, rb = list(csv.reader(fa)), list(csv.reader(fb))
            if len(ra) != len(rb):
                out.append(f"{name}: {len(ra)} lines (duckdb) against {len(rb)} (spark)")
                continue
            for i, (x, y) in enumerate(zip(ra, rb)):
                if len(x) != len(y) or not all(_csv_cell_close(p, q) for p, q in zip(x, y)):
                    out.append(f"{name} line {i + 1}: {x[:8]}… (duckdb) against {y[:8]}… (spark)")
                    break
        elif name.endswith(".json"):
            if json.loads(pa_.read_text(encoding="utf-8")) != json.loads(pb.read_text(encoding="utf-8")):
                out.append(f"{name}: the schema sidecars differ")
        elif pa_.read_bytes() != pb.read_bytes():
            out.append(f"{name}: contents differ")
    return out
