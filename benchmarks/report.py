"""Report build time and file size for generated studies of 10k and 100k accounts.

    PYTHONPATH=src .venv/bin/python benchmarks/report.py                 # 10k and 100k, with a browser check
    PYTHONPATH=src .venv/bin/python benchmarks/report.py --sizes 10000 --no-browser

Each study has N accounts with 5 posts each, contract-shaped scores with three evidence
sentences per account, and clusters (see testsupport.report_synthetic.bulk_study). Printed per size:
the time to build the HTML alone, the time with the CSV/Parquet exports, the HTML size and the
explorer payload's share of it, and (when chromium is present) how long the page takes to open
until the explorer has drawn its first page, and how long one filter and one text sort take
inside the page.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from botwatch.report import build_report
from botwatch.study import open_study

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for testsupport/ (not shipped)
from testsupport.report_synthetic import bulk_study  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


def browser_times(report: Path) -> dict[str, float]:
    """Seconds to load until the explorer is live, then one filter and one sort (in the page)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
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
        b.close()
    return {"open_s": loaded, "filter_s": filtered, "sort_s": sorted_}


def run(n: int, folder: Path, browser: bool) -> None:
    study = folder / f"bench{n}.duckdb"
    t0 = time.perf_counter()
    with open_study(study, read_only=False) as st:
        bulk_study(st, n)
    gen = time.perf_counter() - t0
    with open_study(study, read_only=True) as st:
        t0 = time.perf_counter()
        html_only = build_report(st, folder / f"html{n}.html", exports=False)
        t_html = time.perf_counter() - t0
        t0 = time.perf_counter()
        full = build_report(st, folder / f"full{n}.html", exports=True)
        t_full = time.perf_counter() - t0
    text = html_only.read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json" id="bw-explorer-data"[^>]*>(.*?)</script>', text, re.S)
    payload = len(m.group(1).encode()) if m else 0
    size = html_only.stat().st_size
    export_bytes = sum(p.stat().st_size for p in (folder / f"full{n}-data").iterdir())
    print(
        f"{n:>7,} accounts ({n * 5:,} posts; generated in {gen:.1f} s): report HTML {t_html:.2f} s, "
        f"with exports {t_full:.2f} s; HTML {size / 1e6:.2f} MB (explorer data {payload / 1e6:.2f} MB), exports {export_bytes / 1e6:.1f} MB"
    )
    if browser and Path(CHROMIUM).exists():
        bt = browser_times(full)
        print(f"{'':>7}  chromium: open until explorer drawn {bt['open_s']:.2f} s; filter (p >= 0.5) {bt['filter_s'] * 1000:.0f} ms; sort by handle {bt['sort_s'] * 1000:.0f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--no-browser", action="store_true", help="skip the chromium timing")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="botwatch-report-bench-"))
    try:
        for n in args.sizes:
            run(n, folder, browser=not args.no_browser)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
