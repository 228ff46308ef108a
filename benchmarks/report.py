"""Report build time, peak memory and file size for generated studies of 10k and 100k accounts.

    PYTHONPATH=src .venv/bin/python benchmarks/report.py                 # 10k and 100k, with a browser check
    PYTHONPATH=src .venv/bin/python benchmarks/report.py --sizes 10000 --no-browser
    PYTHONPATH=src .venv/bin/python benchmarks/report.py --sizes 200000 --keep /tmp/bench  # keeps (and reuses) the study

Each study has N accounts with 5 posts each, contract-shaped scores with three evidence
sentences per account, and clusters (see testsupport.report_synthetic.bulk_study). Printed per size:
the time to build the HTML alone and its largest resident memory (each build runs in a process
of its own, so the generation's memory is not counted), the time with the CSV/Parquet exports,
the HTML size, the explorer payload's share of it and how many accounts it carries, and (when
chromium is present) how long the page takes to open
until the explorer has drawn its first page, and how long one filter and one text sort take
inside the page.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from botwatch.study import open_study

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for testsupport/ (not shipped)
from testsupport.report_synthetic import bulk_study  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


def browser_times(report: Path) -> dict[str, float]:
    """Seconds to load until the explorer is live, then one filter and one sort (in the page)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                                                                           "--enable-precise-memory-info"])
        page = b.new_page(viewport={"width": 1200, "height": 900})
        t0 = time.perf_counter()
        page.goto(report.resolve().as_uri())
        page.wait_for_selector("#bw-explorer.ex-live", state="attached", timeout=120_000)
        loaded = time.perf_counter() - t0
        # Filter and sort are timed inside the page (synchronous handlers), without the
        # round trips of the test driver.
        filtered = page.evaluate(
            "() => { const t = performance.now(); const i = document.getElementById('ex-minbot'); i.value = '0.5';"
            " i.dispatchEvent(new Event('change', {bubbles: true})); return (performance.now() - t) / 1000; }"
        )
        sorted_ = page.evaluate(
            "() => { const t = performance.now(); document.querySelector('th[data-key=handle] button').click();"
            " return (performance.now() - t) / 1000; }"
        )
        heap = page.evaluate("() => performance.memory ? performance.memory.usedJSHeapSize : 0")  # the page's JS heap, bytes
        b.close()
    return {"open_s": loaded, "filter_s": filtered, "sort_s": sorted_, "heap_mb": heap / 1e6}


# One report build in a fresh process: its seconds, the process's CPU seconds (start-up included)
# and its own peak resident memory (ru_maxrss, KiB on Linux).
_BUILD = """
import json, resource, sys, time
from botwatch.report import build_report
from botwatch.study import open_study
with open_study(sys.argv[1], read_only=True) as st:
    t0 = time.perf_counter()
    build_report(st, sys.argv[2], exports=sys.argv[3] == "1")
    took = time.perf_counter() - t0
use = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"s": took, "cpu": use.ru_utime + use.ru_stime, "peak_mib": use.ru_maxrss / 1024}))
"""


def build(study: Path, out: Path, exports: bool) -> dict[str, float]:
    """Build one report in a child process (so the peak is the build's alone); seconds and peak MiB."""
    got = subprocess.run([sys.executable, "-c", _BUILD, str(study), str(out), "1" if exports else "0"], check=True, capture_output=True, text=True)
    return json.loads(got.stdout.strip().splitlines()[-1])


def run(n: int, folder: Path, browser: bool) -> None:
    study = folder / f"bench{n}.duckdb"
    gen = 0.0
    if not study.exists():  # a kept study (--keep) is reused: generating 200k accounts takes minutes
        t0 = time.perf_counter()
        with open_study(study, read_only=False) as st:
            bulk_study(st, n)
        gen = time.perf_counter() - t0
    html = build(study, folder / f"html{n}.html", exports=False)
    full_t = build(study, folder / f"full{n}.html", exports=True)
    html_only, full = folder / f"html{n}.html", folder / f"full{n}.html"
    text = html_only.read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json" id="bw-explorer-data"[^>]*>(.*?)</script>', text, re.S)
    payload = len(m.group(1).encode()) if m else 0
    shipped = len(json.loads(m.group(1))["rows"]) if m else 0
    size = html_only.stat().st_size
    export_bytes = sum(p.stat().st_size for p in (folder / f"full{n}-data").iterdir())
    print(
        f"{n:>7,} accounts ({n * 5:,} posts; {'generated in %.1f s' % gen if gen else 'kept study'}): report HTML {html['s']:.2f} s "
        f"({html['cpu']:.1f} CPU-s, peak {html['peak_mib']:,.0f} MiB), with exports {full_t['s']:.2f} s ({full_t['cpu']:.1f} CPU-s, peak {full_t['peak_mib']:,.0f} MiB); "
        f"HTML {size / 1e6:.2f} MB (explorer data {payload / 1e6:.2f} MB, {shipped:,} accounts), exports {export_bytes / 1e6:.1f} MB"
    )
    if browser and Path(CHROMIUM).exists():
        bt = browser_times(full)
        print(f"{'':>7}  chromium: open until explorer drawn {bt['open_s']:.2f} s; filter (p >= 0.5) {bt['filter_s'] * 1000:.0f} ms; sort by handle {bt['sort_s'] * 1000:.0f} ms; JS heap {bt['heap_mb']:.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--no-browser", action="store_true", help="skip the chromium timing")
    ap.add_argument("--keep", type=Path, help="folder for the studies and reports, kept (and a study there reused) instead of a temporary one")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="botwatch-report-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for n in args.sizes:
            run(n, folder, browser=not args.no_browser)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
