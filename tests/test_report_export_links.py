"""The report's links to its export files open them whatever the report is named.

They were written as the bare relative path: a report named `rapport #2 100%.html` linked
`rapport #2 100%-data/accounts.csv`, which a browser reads as the page `rapport ` with the fragment
`2 100%-data/...`, so every export link of the page was dead (a `?` starts a query, `x:` a
scheme). They are now percent-encoded (report/build.py, `export_href`)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from botwatch.report.build import build_report, export_href
from botwatch.study import open_study


def test_every_export_link_opens_its_file_from_a_report_named_with_url_characters(hostile_report_path: Path, tmp_path: Path) -> None:
    study = hostile_report_path.parent / "hostile.duckdb"
    page = tmp_path / "Études d'été" / "rapport #2 ?x 100%.html"
    with open_study(study, read_only=True) as st:
        out = build_report(st, page, title="links", exports=True)
    hrefs = re.findall(r'<a href="([^"]+)">(?:CSV|PARQUET)</a>', out.read_text(encoding="utf-8"))
    assert hrefs
    for href in hrefs:
        url = urlsplit(urljoin(out.resolve().as_uri(), href.replace("&amp;", "&")))
        assert url.scheme == "file" and not url.query and not url.fragment, href
        assert Path(unquote(url.path)).is_file(), href


def test_a_name_byte_that_is_not_utf8_is_linked_as_that_byte() -> None:
    assert export_href("/r/s\udcff #1-data/a.csv", "/r") == "s%FF%20%231-data/a.csv"
