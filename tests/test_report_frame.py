"""The report frame without a browser: formatting guards, exports, degradation, and a static
check of a report built from hostile input (the browser test checks that nothing runs)."""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from botwatch.report import build_report
from botwatch.report.build import json_for_script
from botwatch.report.exports import write_exports
from botwatch.report.fmt import interval, pct, pct_ci, safe_url, user_text, wilson
from testsupport.report_synthetic import HOSTILE_URLS, PAYLOADS, contract_tables


# -- formatting ------------------------------------------------------------------------------------
def test_user_text_makes_direction_overrides_visible() -> None:
    shown = user_text("\u202emoc.elgoog\u202c admin")
    assert "\u202e" not in shown and "\u202c" not in shown
    assert "⟨U+202E⟩" in shown and "⟨U+202C⟩" in shown
    assert user_text(None) == ""
    assert user_text("x" * 50, 10) == "x" * 9 + "…"


@pytest.mark.parametrize("url", HOSTILE_URLS[:4] + ["vbscript:x", "/relative/path", "//evil.example/x", "http://", "https://ex\u202eample.org", "https://a b.org"])
def test_safe_url_refuses_everything_but_absolute_http(url: str) -> None:
    assert safe_url(url) is None


def test_safe_url_keeps_web_links() -> None:
    assert safe_url("https://example.org/a?b=1#c") == "https://example.org/a?b=1#c"
    assert safe_url("HTTP://EXAMPLE.ORG") == "HTTP://EXAMPLE.ORG"


def test_shares_and_intervals_read_as_the_reference_study_wrote_them() -> None:
    assert pct_ci(0.712, 0.66, 0.754) == "71% [66–75%]"
    assert pct(0.004) == "0.4%"  # a small share never reads as 0%
    assert pct(None) == "—" and interval(None, 0.5) == ""


def test_wilson_interval_contains_the_share_and_stays_in_bounds() -> None:
    for k, n in [(0, 10), (10, 10), (3, 7), (500, 1000)]:
        p, lo, hi = wilson(k, n)
        assert lo is not None and hi is not None and p is not None
        assert 0.0 <= lo <= p <= hi <= 1.0
    assert wilson(0, 0) == (None, None, None)
    _, lo_small, hi_small = wilson(50, 100)
    _, lo_big, hi_big = wilson(5000, 10000)
    assert (hi_big - lo_big) < (hi_small - lo_small)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_json_for_script_cannot_close_its_element_and_round_trips(payload: str) -> None:
    text = json_for_script({"v": payload, "k": [payload]})
    assert "</" not in text and "<!--" not in text and "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == {"v": payload, "k": [payload]}


# -- a hostile study ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hostile_report(hostile_report_path: Path) -> Path:
    """Hostile v1.1 JSONL -> real ingest -> real analyze -> contract tables where absent -> report:
    the session's `hostile_report_path` (`build_hostile_report`), which test_report_browser opens.
    Read only."""
    return hostile_report_path


class _Collector(HTMLParser):
    """Every start tag with its attributes, and the text of each script element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "script":
            self._in_script = a
            self.scripts.append((a, ""))

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            a, text = self.scripts[-1]
            self.scripts[-1] = (a, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None


def test_hostile_report_has_no_injected_markup(hostile_report: Path) -> None:
    html = hostile_report.read_text(encoding="utf-8")
    doc = _Collector()
    doc.feed(html)
    nonce = re.search(r"script-src 'nonce-([^']+)'", html).group(1)  # type: ignore[union-attr]
    for tag, attrs in doc.tags:
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        for k in ("href", "src", "action", "formaction"):
            v = (attrs.get(k) or "").strip().lower()
            assert not v.startswith(("javascript:", "data:text", "vbscript:")), (tag, attrs)
        assert tag not in ("img", "iframe", "object", "embed", "base", "form") or tag == "form" and attrs.get("id") == "ex-form", (tag, attrs)
    # Every script is ours: either code carrying this report's nonce or inert JSON data.
    for attrs, text in doc.scripts:
        assert attrs.get("nonce") == nonce, attrs
        if attrs.get("type") == "application/json":
            json.loads(text)
        else:
            assert "__pwned" not in text
    # The payloads are displayed as text (escaped), not silently removed.
    assert "&lt;script&gt;window.__pwned=1" in html
    # Direction overrides are made visible wherever the frame shows attacker text (other
    # sections answer for their own text).
    mine = [html.split("</header>")[0]] + [
        m.group(0) for m in re.finditer(r'<section id="(headlines|explorer|methods)".*?</section>', html, re.S)
    ]
    assert len(mine) == 4
    assert all("\u202e" not in part for part in mine)
    assert "⟨U+202E⟩" in html


def test_every_in_page_link_has_a_target_and_ids_are_unique(hostile_report: Path) -> None:
    html = hostile_report.read_text(encoding="utf-8")
    doc = _Collector()
    doc.feed(html)
    ids = [a["id"] for _, a in doc.tags if a.get("id")]
    dups = sorted({i for i in ids if ids.count(i) > 1})
    assert not dups, f"duplicate ids: {dups}"
    targets = {a["href"][1:].split("?")[0] for t, a in doc.tags if t == "a" and (a.get("href") or "").startswith("#")}
    missing = sorted(t for t in targets if t and t not in ids)
    assert not missing, f"links to missing anchors: {missing}"


class _Tables(HTMLParser):
    """Each table's accessible name as a screen reader's table list gives it: its caption's words, or
    its aria-label; and each column header's words."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.names: list[str] = []
        self.col_headers: list[str] = []
        self._caption = self._th = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.names.append(dict(attrs).get("aria-label") or "")
        self._caption = self._caption or tag == "caption"
        if tag == "th" and dict(attrs).get("scope") == "col":
            self._th = True
            self.col_headers.append("")

    def handle_data(self, data: str) -> None:
        if self._caption:
            self.names[-1] += data
        if self._th:
            self.col_headers[-1] += data

    def handle_endtag(self, tag: str) -> None:
        self._caption = self._caption and tag != "caption"
        self._th = self._th and tag != "th"


def test_every_table_and_column_header_has_a_name(hostile_report: Path) -> None:
    """A screen reader lists a page's tables by name: seven had neither a caption nor a label (input
    files, the reference study's table, stance rules, top bot accounts, seed signals, the test against
    chance, the exports), and the reference table's second column header was empty."""
    doc = _Tables()
    doc.feed(hostile_report.read_text(encoding="utf-8"))
    assert len(doc.names) >= 20, len(doc.names)
    assert all(n.strip() for n in doc.names), [i for i, n in enumerate(doc.names) if not n.strip()]
    assert any(n.startswith("Accounts with the highest bot probability") for n in doc.names)
    assert all(h.strip() for h in doc.col_headers)


def test_hostile_exports_guard_formulas_in_csv_and_keep_parquet_exact(hostile_report: Path) -> None:
    data = hostile_report.parent / "report-data"
    with open(data / "accounts.csv", newline="", encoding="utf-8") as f:
        cells = [c for row in csv.reader(f) for c in row]
    assert cells, "accounts.csv is empty"
    assert not [c for c in cells if c[:1] in ("=", "+", "@")], "a CSV cell would run as a spreadsheet formula"
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    names = pq.read_table(data / "accounts.parquet").column("display_name").to_pylist()
    assert any(isinstance(n, str) and n.startswith("=HYPERLINK") for n in names)
    posts = pq.read_table(data / "posts.parquet")
    assert "author_bot_probability" in posts.column_names
    assert posts.num_rows > 0
    # The CSV writes a handle's U+202E as the text `\u202e`: the methods section says so, where it
    # said only "apostrophe", and a reader matching CSV handles against the Parquet ones found them differ.
    methods = re.search(r'<h3 id="methods-data">.*?</p>', hostile_report.read_text(encoding="utf-8"), re.S)
    assert methods and "<code>\\u202e</code>" in methods.group(0), methods
    assert "a backslash as <code>\\\\</code>" in methods.group(0), methods  # the text `\\u202e` is not read as the character


# -- the frame on the bundled sample --------------------------------------------------------------
def test_report_without_scores_says_what_is_missing(sample_study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = build_report(sample_study, tmp_path / "r.html", strict=True)
    html = out.read_text(encoding="utf-8")
    assert 'id="explorer"' in html and 'id="methods"' in html and 'id="headlines"' in html
    if "account_scores" not in sample_study.tables():
        assert "Automation probabilities were not computed" in html
    assert "No sample rate was given" in html
    # Exports exist for the tables that exist, and only those.
    files = sorted(p.name for p in (tmp_path / "r-data").iterdir())
    assert "accounts.csv" in files and "posts.parquet" not in files  # posts only on request (--posts)
    assert ("estimates.csv" in files) == ("estimates" in sample_study.tables())
    for name in files:
        assert re.search(rf'href="r-data/{re.escape(name)}"', html), name


def test_key_numbers_and_explorer_come_from_the_tables(sample_study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from botwatch.report.context import report_context
    from botwatch.report.headlines import key_numbers
    from botwatch.report.section_explorer import explorer_data

    contract_tables(sample_study, hostile=False, replace=True)
    ctx = report_context(sample_study, {"election": None})
    n_scored, n_auto = sample_study.sql(
        "SELECT count(*), count(*) FILTER (WHERE bot_probability >= 0.5) FROM account_scores WHERE bot_probability IS NOT NULL"
    )[0]
    nums = {k.label: k for k in key_numbers(sample_study, ctx, {"explorer"})}
    assert nums["likely automated accounts"].value == f"{n_auto:,}"
    assert f"of {n_scored:,} scored accounts" in nums["likely automated accounts"].detail
    assert nums["coordinated clusters"].value == str(sample_study.sql("SELECT count(DISTINCT cluster_id) FROM cluster_members")[0][0])
    data = explorer_data(sample_study, ctx)
    bots = [r[4] for r in data["rows"]]
    assert bots == sorted(bots, reverse=True), "explorer's default order is by automation probability"
    assert data["has"] == {"bot": True, "origin": True, "cluster": True, "evidence": True, "name": True}
    first = data["rows"][0]
    sentences = {data["ev"][i] for i in first[11]}
    assert any(s.startswith("retweeted @UKLabour") for s in sentences), "account_evidence sentences are shown"
    assert any(s.startswith("handle is") for s in sentences), "bot_evidence sentences are shown"
    assert data["details"][0]["posts"], "the top accounts carry their latest posts"


def test_a_failing_section_is_named_not_fatal(sample_study, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from botwatch.report import sections

    def broken(study, ctx):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom <b>")

    monkeypatch.setitem(sections._SECTIONS, "zz-broken", (999, broken))
    html = build_report(sample_study, tmp_path / "r.html", exports=False).read_text(encoding="utf-8")
    assert "Incomplete report" in html and "zz-broken" in html and "boom &lt;b&gt;" in html
    with pytest.raises(RuntimeError):
        build_report(sample_study, tmp_path / "r2.html", exports=False, strict=True)


def test_election_and_sample_rate_are_read_back_from_runs(sample_study) -> None:  # type: ignore[no-untyped-def]
    from botwatch.pipeline import Context, analyze
    from botwatch.report.context import report_context

    from botwatch.elections import load_election

    analyze(sample_study, Context(election=load_election("us-2016"), options={"sample_rate": 0.01}, log=lambda m: None), only=["coverage"])
    ctx = report_context(sample_study)
    assert ctx["election"] is not None and ctx["election"].key == "us-2016"
    assert ctx["sample_rate"] == 0.01


def test_svg_helpers_escape_labels_and_print_values() -> None:
    from datetime import date, datetime

    from botwatch.report.svg import hbars, line_chart

    bars = str(hbars(["<b onmouseover=x>'", "Con"], [0.4, 0.3], lo=[0.35, None], hi=[0.46, None], title="t'<"))
    assert "<b onmouseover" not in bars and "&lt;b onmouseover=x&gt;&#39;" in bars
    assert "40% [35–46%]" in bars and "30%" in bars  # the number is printed, not only drawn
    chart = str(line_chart([date(2017, 5, d) for d in (1, 2, 3)], {"all <x>": [1, 5, 3], "bots": [0, 2, 1]}, events=[(datetime(2017, 5, 2, 9), "debate <i>"), (date(2018, 1, 1), "outside")]))
    assert chart.count("<polyline") == 2 and "debate &lt;i&gt;" in chart and "outside" not in chart
    assert "stroke-dasharray='6 3'" in chart  # second series differs by dash, not only colour


def test_an_empty_study_still_gets_an_honest_report(tmp_path: Path) -> None:
    from botwatch import open_study

    with open_study(tmp_path / "e.duckdb", read_only=False):
        pass
    with open_study(tmp_path / "e.duckdb", read_only=True) as st:
        html = build_report(st, tmp_path / "r.html", strict=True).read_text(encoding="utf-8")
    assert "No analysis has produced findings" in html
    assert 'id="explorer"' not in html  # nothing to explore, so no empty widget
    assert "No analysis stage has run on this study" in html


def test_headlines_lead_with_each_sections_first_findings() -> None:
    from markupsafe import Markup

    from botwatch.report.headlines import gather_headlines
    from botwatch.report.sections import Section

    secs = [Section("a", "A", Markup(""), 10, [Markup("a1"), Markup("a2"), Markup("a3")]), Section("b", "B", Markup(""), 20, [Markup("b1")])]
    lead, more = gather_headlines(secs, per_section=2)
    assert [(h.text, h.section_id) for h in lead] == [("a1", "a"), ("a2", "a"), ("b1", "b")]
    assert [h.text for h in more] == ["a3"]


def test_explorer_finds_evidence_of_accounts_with_long_ids(tmp_path: Path) -> None:
    from botwatch import open_study
    from botwatch.report.section_explorer import explorer_data
    from testsupport.report_synthetic import bulk_study

    long_id = "did:plc:" + "x" * 120  # longer than the display copy the page carries
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        bulk_study(st, 3, scores=False)
        st.sql("UPDATE accounts SET account_id = ? WHERE account_id = '10000000'", [long_id])
        st.sql("UPDATE posts SET account_id = ? WHERE account_id = '10000000'", [long_id])
        st.sql(
            "CREATE TABLE account_evidence AS SELECT 'twitter' AS platform, ? AS account_id, unnest(['posts every 60 s exactly', repeat('y', 400)]) AS sentence",
            [long_id],
        )
        data = explorer_data(st, {})
    row = next(r for r in data["rows"] if r[1].startswith("did:plc:"))
    assert len(row[1]) <= 80
    shown = sorted((data["ev"][i] for i in row[11]), key=len)
    assert shown[0] == "posts every 60 s exactly"
    assert len(shown[1]) == 300 and shown[1].endswith("…")  # long sentences are shortened, not dropped
    assert data["has"]["bot"] is False and data["has"]["evidence"] is True


def test_exports_count_what_they_write(sample_study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    written = {e.name: e for e in write_exports(sample_study, tmp_path / "x", formats=("parquet",), include_posts=True)}
    assert set(written) >= {"accounts", "posts"}
    assert "clusters" not in written or "clusters" in sample_study.tables()
    for name, e in written.items():
        assert list(e.files) == ["parquet", "schema"]  # the schema sidecar travels with the parquet file
        assert pq.read_metadata(e.files["parquet"]).num_rows == e.rows
    assert written["posts"].rows == sample_study.count("posts")
    assert written["accounts"].rows == sample_study.count("accounts")
    # A rebuild removes files of tables that no longer exist, and only those.
    (tmp_path / "x" / "estimates.csv").write_text("stale")
    (tmp_path / "x" / "notes.txt").write_text("mine")
    if "estimates" not in sample_study.tables():
        write_exports(sample_study, tmp_path / "x", formats=("parquet",))
        assert not (tmp_path / "x" / "estimates.csv").exists()
    assert (tmp_path / "x" / "notes.txt").exists()


def test_key_number_cards_show_the_quotable_line_and_fold_the_counting(sample_study, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The automated and foreign cards lead with one line a reader can quote; how the number is
    counted (the never-posted split, training accounts) folds under "How it is counted", in the
    page (and opened for print by report.js), not lost; the caveat box stays open beside it."""
    from botwatch.report.context import report_context
    from botwatch.report.headlines import key_numbers

    contract_tables(sample_study, hostile=False, replace=True)
    html = build_report(sample_study, tmp_path / "r.html", exports=False).read_text(encoding="utf-8")
    cards = re.findall(r'<li class="keynum">(.*?)</li>', html, re.S)
    nums = {k.label: k for k in key_numbers(sample_study, report_context(sample_study), set())}
    auto = next(c for c in cards if "likely automated accounts" in c)
    k = nums["likely automated accounts"]
    assert k.summary and k.summary != k.detail and len(k.summary) < len(k.detail)
    assert re.search(r'<span class="kn-detail kn-summary">[^<]*of [\d,]+ scored accounts have automation probability', auto)
    folded = re.search(r'<details class="kn-more"><summary>How it is counted</summary><span class="kn-detail">(.*?)</span></details>', auto, re.S)
    assert folded is not None
    import html as html_mod

    assert html_mod.unescape(folded.group(1)) == k.detail  # all of it, as it was shown before
    assert auto.index('class="kn-caveat"') < auto.index('class="kn-more"')  # the caveat is not folded
    if "expected foreign-origin accounts" in nums:
        foreign = next(c for c in cards if "expected foreign-origin accounts" in c)
        assert "accounts with origin evidence, each counted by its probability" in foreign and 'class="kn-more"' in foreign
    # A card without a summary shows its (short) detail as before, with nothing folded.
    posts = next(c for c in cards if ">posts<" in c)
    assert "after removing duplicates" in posts and "kn-more" not in posts
