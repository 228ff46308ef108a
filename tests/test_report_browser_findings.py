"""The report's findings in a real browser: what a reader of the page sees (first screen, charts on a time axis,
event labels on paper, tables that fit their content). Uses the session `browser` fixture (conftest.py) and `Page`
helper of test_report_browser.py; skipped with the reason when chromium is absent."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from botwatch import open_study
from botwatch.report import build_report
from test_report_browser import Page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def reports(analysed_sample_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The analysed sample's report, and one of a copy whose accounts have no display names (as
    in the IRA release)."""
    folder = tmp_path_factory.mktemp("browser-findings")
    with open_study(analysed_sample_path) as st:
        full = build_report(st, folder / "full" / "report.html", title="sample", strict=True, exports=False)
    nameless = folder / "nameless.duckdb"
    shutil.copy(analysed_sample_path, nameless)
    with open_study(nameless, read_only=False) as st:
        st.sql("UPDATE accounts SET display_name = NULL")
    with open_study(nameless) as st:
        bare = build_report(st, folder / "bare" / "report.html", title="no names", strict=True, exports=False)
    return {"full": full, "bare": bare}


def test_first_screen_says_where_the_data_come_from(browser: Any, reports: dict[str, Path]) -> None:
    pg = Page(browser, 1280, 1000)
    try:
        page = pg.open(reports["full"])
        box = page.locator("#provenance").bounding_box()
        assert box is not None and box["y"] < 1000 * 1.5, box  # right under the key numbers, before any section
        assert "Internet Research Agency" in page.inner_text("#provenance")
        assert page.locator(".kn-caveat").count() >= 1  # a blind-spot note sits beside a key number
        assert not pg.errors, pg.errors
    finally:
        pg.close()


def test_posts_per_time_chart_is_continuous(browser: Any, reports: dict[str, Path], analysed_sample_path: Path) -> None:
    from botwatch.report.section_overview import posts_over_time

    with open_study(analysed_sample_path) as st:
        unit, buckets, counts = posts_over_time(st)
    pg = Page(browser)
    try:
        page = pg.open(reports["full"])
        bars = page.locator("#overview svg.chart rect").count()
        assert bars == len(buckets) and sum(counts) > 0
        assert f"Posts per {unit}" in page.inner_text("#overview figcaption")
    finally:
        pg.close()


def test_cosmetics(browser: Any, reports: dict[str, Path]) -> None:
    pg = Page(browser, 1280, 900)
    try:
        page = pg.open(reports["full"])
        # Overview tables fit their content instead of stretching across their grid cell.
        widths = page.eval_on_selector_all("#overview .grid > table", "els => els.map(e => [e.getBoundingClientRect().width, e.parentElement.getBoundingClientRect().width / 3])")
        assert widths and all(w < cell * 3 - 1 for w, cell in widths), widths
        # Numbers in tables never wrap (the bursts table's z values did).
        wraps = page.eval_on_selector_all("#time td.num", "els => els.filter(e => { const r = document.createRange(); r.selectNodeContents(e); "
                                     "return new Set(Array.from(r.getClientRects()).map(x => Math.round(x.top))).size > 1; }).map(e => e.textContent)")
        assert not wraps, wraps
        captions = page.eval_on_selector_all("#time figcaption", "els => els.map(e => e.textContent)")
        assert not any("six largest" in c for c in captions), captions
        assert "[–—]" not in page.inner_text("#time")
        # Event lines are numbered on the chart and listed in words, so paper keeps them.
        page.emulate_media(media="print")
        keys = page.locator("#time ol.event-key li")
        assert keys.count() > 0 and keys.first.is_visible()
        assert page.locator("#time svg text.event-no").count() == keys.count()
    finally:
        pg.close()
    pg = Page(browser)
    try:
        page = pg.open(reports["bare"])
        assert not page.locator("th[data-key=name]").is_visible()  # no always-empty display-name column
        page2 = pg.open(reports["full"])
        assert page2.locator("th[data-key=name]").is_visible()
    finally:
        pg.close()


def test_explorer_foreign_filter_uses_the_reports_rule(browser: Any, reports: dict[str, Path], analysed_sample_path: Path) -> None:
    from botwatch.report.context import report_context
    from botwatch.report.section_explorer import explorer_data

    with open_study(analysed_sample_path) as st:
        data = explorer_data(st, report_context(st))
    i = data["cols"].index("p_out")
    want = sum(1 for r in data["rows"] if r[i] is not None and r[i] >= 0.5)
    old_rule = sum(1 for r in data["rows"] if r[5] and r[5] != "US" and (r[6] or 0) >= 0.5)
    # The sample held accounts whose foreign origin is split between countries (want > old_rule);
    # since the origin model's 2026-12-03 pass it holds none, so the two rules agree on it and this
    # test checks the page's count against the report's rule only.
    assert want >= old_rule
    pg = Page(browser)
    try:
        page = pg.open(reports["full"])
        page.select_option("#ex-origin", "!home")
        page.dispatch_event("#ex-origin", "change")
        assert f"of {want:,} matching" in page.inner_text("#ex-status"), (want, old_rule, page.inner_text("#ex-status"))
    finally:
        pg.close()


def test_the_explorer_marks_training_accounts(browser: Any, reports: dict[str, Path]) -> None:
    """The script draws the mark the accounts table gives an account a model was fitted on: @UKLabour
    (the bot and origin models' training account) read 0.01 and GB (>0.99) unmarked."""
    pg = Page(browser)
    try:
        page = pg.open(reports["full"])
        page.fill("#ex-q", "uklabour")
        page.dispatch_event("#ex-q", "change")
        cells = page.eval_on_selector_all("#ex-body > tr:not(.ex-detail) > td", "els => els.map(e => e.innerText)")
        assert cells[0].strip() == "@UKLabour", cells
        assert "a training account: not held out" in cells[2] and "a training account: not held out" in cells[3], cells
        assert not pg.errors, pg.errors
    finally:
        pg.close()


def test_every_chart_gives_its_figures_to_a_screen_reader(browser: Any, reports: dict[str, Path]) -> None:
    """A chart is an image to a screen reader (its title alone); each bar's value sat in a tooltip.
    The table of its figures is in the accessibility tree, out of sight on screen and on paper."""
    pg = Page(browser, 375, 740)
    try:
        page = pg.open(reports["full"])
        charts = page.eval_on_selector_all(
            "main svg[role=img]:is(.chart, .network)",  # the network picture too: its facts sat in tooltips alone
            "ss => ss.map(s => [s.getAttribute('aria-label'), !!(s.nextElementSibling && s.nextElementSibling.matches('.chart-data') && s.nextElementSibling.querySelector('table'))])",
        )
        assert charts and all(ok for _, ok in charts), [t for t, ok in charts if not ok]
        tables = page.get_by_role("table", name=re.compile(": the figures drawn(,|$)"))
        assert tables.count() == len(charts)
        first = tables.first
        assert first.get_by_role("rowheader").count() >= 1 and first.get_by_role("cell").count() >= 1
        sizes = page.eval_on_selector_all(".chart-data", "ts => ts.map(t => t.getBoundingClientRect().width)")
        assert max(sizes) <= 1, sizes  # nothing drawn twice for a sighted reader
        for width in (375, 1280):  # a hidden table that grew to its content widened the page by 742 px at 1,200
            page.set_viewport_size({"width": width, "height": 740})
            assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1, width
        page.emulate_media(media="print")
        sizes = page.eval_on_selector_all(".chart-data", "ts => ts.map(t => t.getBoundingClientRect().width)")
        assert max(sizes) <= 1, sizes  # paper shows the chart, as before, not its table as well
        assert not pg.errors, pg.errors
    finally:
        pg.close()


def test_no_table_pushes_a_tablet_page_sideways(browser: Any, reports: dict[str, Path]) -> None:
    """Between the phone layout (40rem) and a desktop, tables without a scrolling wrapper kept their
    full width: the event test's table pushed a 768-px tablet's page sideways (IRA slice, us-2016)."""
    pg = Page(browser, 700, 900)
    try:
        page = pg.open(reports["full"])
        for width in (660, 700, 768, 820):
            page.set_viewport_size({"width": width, "height": 900})
            over = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert over <= 1, f"page {over}px wider than a {width}px screen"
        assert not pg.errors, pg.errors
    finally:
        pg.close()


def test_a_table_that_scrolls_sideways_takes_keyboard_focus_and_has_a_name(browser: Any, reports: dict[str, Path]) -> None:
    """Safari reaches a scroll box by keyboard only when it is focusable: tables and their wrappers
    that scroll sideways on a phone had no tabindex, role or name (Chromium focuses them anyway)."""
    pg = Page(browser, 375, 740)
    try:
        page = pg.open(reports["full"])
        probe = """() => [...document.querySelectorAll('main .table-wrap, main table, main figure')]
            .filter(el => !el.closest('.chart-data') && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX) && el.scrollWidth > el.clientWidth + 1)
            .map(el => [el.tagName, el.getAttribute('tabindex'), (el.tagName !== 'DIV' || el.getAttribute('role') === 'region') &&
                        (el.getAttribute('aria-label') || (el.querySelector(':scope > caption, :scope > figcaption') || {textContent: ''}).textContent.trim())])"""
        boxes = page.evaluate(probe)
        assert boxes, "no box scrolls sideways at 375 px: nothing to check"
        assert all(tab == "0" and name for _, tab, name in boxes), [b for b in boxes if b[1] != "0" or not b[2]]
        page.set_viewport_size({"width": 1280, "height": 740})
        page.wait_for_timeout(50)
        wide = page.evaluate("() => document.querySelectorAll('main [data-scroll-focus]').length")
        assert wide < len(boxes)  # a box that fits gives its tab stop back
        assert not pg.errors, pg.errors
    finally:
        pg.close()


def test_number_headers_wrap_and_evidence_keeps_a_readable_width(browser: Any, reports: dict[str, Path]) -> None:
    """A numeric column's header never wrapped: "Foreign origin (of members with origin evidence)" made the
    clusters table 1,252 px wide in a 1,280-px desktop's 1,120-px page (its last columns in a sideways
    scroll), and on a phone "Bot p (plausible range)" left the evidence column of the top bot accounts
    131 px, the table 21,700 px tall (demo report, us-2016)."""
    pg = Page(browser, 1280, 900)
    try:
        page = pg.open(reports["full"])
        over = page.evaluate(
            """() => [...document.querySelectorAll('main table')].filter(t => t.caption && t.caption.textContent.startsWith('Clusters'))
                .map(t => t.scrollWidth - t.clientWidth)"""
        )
        assert over and max(over) <= 1, over
        page.set_viewport_size({"width": 375, "height": 740})
        page.wait_for_timeout(50)
        widths = page.eval_on_selector_all("main table td:not(.num) > ul", "us => us.filter(u => u.getClientRects().length).map(u => u.parentElement.getBoundingClientRect().width)")
        assert widths and min(widths) >= 170, widths  # 12rem at the phone's 15 px
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
        assert not pg.errors, pg.errors
    finally:
        pg.close()


def test_a_printed_explorer_keeps_each_accounts_evidence(browser: Any, reports: dict[str, Path]) -> None:
    """The static page printed each account's evidence under its row, but the script drew the rows
    anew without it: a printed or PDF copy from any browser running the script gave 50 probabilities
    with no reason beside them. On screen the rows stay hidden (the evidence opens from the handle)."""
    pg = Page(browser)
    try:
        page = pg.open(reports["full"])
        assert page.locator("#bw-explorer.ex-live").count() == 1
        shown = "els => els.filter(e => e.getClientRects().length).map(e => e.innerText)"
        assert page.eval_on_selector_all("#ex-body tr.ex-print-evidence", shown) == []
        page.emulate_media(media="print")
        printed = page.eval_on_selector_all("#ex-body tr.ex-print-evidence", shown)
        accounts = page.locator("#ex-body > tr:not(.ex-print-evidence)").count()
        assert 0 < len(printed) <= accounts and all(t.strip() for t in printed), (len(printed), accounts)
        # The first row (highest automation probability) is followed by its own evidence.
        first = page.evaluate("() => { const r = document.querySelector('#ex-body > tr'); return [r.querySelector('button.ex-handle').textContent, r.nextElementSibling.className]; }")
        assert first[1] == "ex-print-evidence", first
        assert not pg.errors, pg.errors
    finally:
        pg.close()


def test_wide_tables_fit_and_name_what_they_hold(browser: Any, reports: dict[str, Path], analysed_sample_path: Path) -> None:
    """Layout and accessibility left-overs, measured on the demo study (one page load, two widths):
    the per-party table was 1,780 px wide on a 1,280-px desktop (its 1,120 px of page), a collapsed
    count's "(every resample of the accounts gave 0: no interval)" on one line and each "N [lo–hi]"
    too; a party with too few accounts fills a row with "(too few accounts)" (IRA studies). Explorer
    cluster buttons were named "3"; on a phone the input files' File column was 45 px (a letter a
    line), and a box that scrolls sideways had the browser's default focus ring alone."""
    from botwatch.report.cell_marks import marked_cell

    with open_study(analysed_sample_path) as st:
        sizes = dict(st.sql("SELECT CAST(cluster_id AS VARCHAR), count(DISTINCT (platform, account_id)) FROM cluster_members GROUP BY 1"))
    # The table is its own scroll box on screen (table.small), inside its .table-wrap.
    fits = ("() => [...document.querySelectorAll('#parties .table-wrap > table')].filter(t => t.caption.textContent.startsWith('Per '))"
            ".map(t => Math.max(t.scrollWidth, t.parentElement.scrollWidth) - t.parentElement.clientWidth)")
    pg = Page(browser, 1280, 900)
    try:
        page = pg.open(reports["full"])
        over = page.evaluate(fits)
        assert over and max(over) <= 1, over
        # A small party's row as the report writes it, every cell with no interval for too few accounts.
        few, flat = str(marked_cell("100% (too few accounts)")), str(marked_cell("1,234 (every resample of the accounts gave 1,234: no interval)"))
        page.evaluate("([a, b]) => [...document.querySelectorAll('#parties .table-wrap > table')].filter(t => t.caption.textContent.startsWith('Per '))"
                      ".forEach(t => t.querySelectorAll('tbody tr:first-child td.num').forEach((td, i) => { td.innerHTML = i % 2 ? a : b; }))", [few, flat])
        over = page.evaluate(fits)
        assert max(over) <= 1, over
        # Each cluster button says what it is, its number (the visible text) first.
        page.select_option("#ex-cluster", "in")
        page.dispatch_event("#ex-cluster", "change")
        names = page.eval_on_selector_all("#ex-body button.ex-cluster-btn", "bs => bs.map(b => [b.textContent, b.getAttribute('aria-label')])")
        assert names, "no cluster button in the explorer"
        for shown, name in names:
            n = sizes[shown]
            assert name == f"cluster {shown}, {n:,} account{'s' if n != 1 else ''}", (shown, name)
        page.set_viewport_size({"width": 375, "height": 740})
        page.wait_for_timeout(50)
        # A mark's hidden words stay in their cell: placed from the page, they widened it by 49 px.
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1
        # The input files' names break after their folders, so the column is as wide as a file's name.
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        files = page.evaluate("() => [...document.querySelectorAll('main table')].filter(t => t.caption && t.caption.textContent.startsWith('Input files'))"
                              ".flatMap(t => [...t.querySelectorAll('tbody td:first-child')].map(td => td.getBoundingClientRect().width))")
        assert files and min(files) >= 150, files
        # A box that scrolls sideways, reached by keyboard, shows the controls' focus ring.
        ring = page.evaluate(
            """() => { const box = document.querySelector('main [data-scroll-focus]');
                box.focus({focusVisible: true}); const s = getComputedStyle(box); return [box.matches(':focus-visible'), s.outlineStyle, s.outlineWidth, s.outlineColor]; }"""
        )
        assert ring == [True, "solid", "3px", "rgb(244, 180, 0)"], ring
        assert not pg.errors, pg.errors
    finally:
        pg.close()
