"""A report built twice from one study is the same file but for the line saying when it was made.

A researcher re-running `botwatch report` compares the two files to see that nothing changed; a
random CSP nonce made every script tag differ, so two reports of one study never matched. The
nonce is now a hash of the page (report/page_nonce.py): these tests hold the file equal, the
nonce still tied to the page's content, and every script still carrying it.
"""

from __future__ import annotations

import re
from pathlib import Path

from botwatch.report.build import build_report
from botwatch.report.page_nonce import fill, page_nonce, placeholder
from botwatch.study import open_study

_GENERATED = re.compile(r"Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC")


def test_two_reports_of_one_study_differ_only_in_their_generation_time(hostile_report_path: Path, tmp_path: Path) -> None:
    study = hostile_report_path.parent / "hostile.duckdb"
    pages = []
    with open_study(study, read_only=True) as st:
        for name in ("a", "b"):
            out = build_report(st, tmp_path / name / "report.html", title="twice", exports=False)
            pages.append(out.read_text(encoding="utf-8"))
    assert all(len(_GENERATED.findall(p)) == 1 for p in pages)
    a, b = (_GENERATED.sub("Generated <time>", p) for p in pages)
    assert a == b
    nonce = re.search(r"script-src 'nonce-([^']+)'", pages[0]).group(1)  # type: ignore[union-attr]
    assert len(nonce) == 22
    scripts = re.findall(r"<script\b[^>]*>", pages[0])
    assert scripts and all(f'nonce="{nonce}"' in s for s in scripts)
    assert "bwph" not in pages[0]  # no placeholder left behind


def test_the_nonce_follows_the_page_not_the_placeholder_or_the_time() -> None:
    n1, t1, n2, t2 = placeholder(), placeholder(), placeholder(), placeholder()
    page = "<script nonce='{n}'>ours</script><p>Generated {t}</p><p>{text}</p>"
    one = fill(page.format(n=n1, t=t1, text="a post"), n1, t1, "2017-06-08 10:00")
    two = fill(page.format(n=n2, t=t2, text="a post"), n2, t2, "2030-01-01 00:00")
    other = fill(page.format(n=n1, t=t1, text="another post"), n1, t1, "2017-06-08 10:00")
    nonce = re.search(r"nonce='([^']+)'", one).group(1)  # type: ignore[union-attr]
    assert nonce == re.search(r"nonce='([^']+)'", two).group(1)  # type: ignore[union-attr]
    assert nonce != re.search(r"nonce='([^']+)'", other).group(1)  # type: ignore[union-attr]
    assert nonce == page_nonce(page.format(n=n1, t=t1, text="a post"), n1, t1)
    # A post that writes a nonce-looking token is left as it is: only the placeholders are replaced.
    posted = fill(f"<script nonce='{n1}'></script>{t1}<p>nonce-{nonce} {n2}</p>", n1, t1, "x")
    assert f"<p>nonce-{nonce} {n2}</p>" in posted
    assert re.search(r"nonce='([^']+)'", posted).group(1) not in (nonce, n1, n2)  # type: ignore[union-attr]
