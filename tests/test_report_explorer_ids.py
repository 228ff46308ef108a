"""The explorer's evidence heading names an account without a handle as its button does, "id N":
it read "Evidence for @did:plc:…" for a Bluesky account (Jetstream posts carry a DID, and a
handle only where the capture holds an identity event), "@" before what is no handle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from botwatch import open_study
from botwatch.ingest.runner import ingest
from botwatch.report import build_report
from test_report_browser import Page

pytestmark = pytest.mark.browser


def test_an_account_without_a_handle_is_id_n_in_its_evidence_heading(browser: Any, tmp_path: Path) -> None:
    lines = [json.dumps({"did": "did:plc:nohandle", "time_us": (1495274400 + 60 * k) * 1_000_000, "kind": "commit",
                         "commit": {"operation": "create", "collection": "app.bsky.feed.post", "rkey": f"p{k}",
                                    "record": {"text": f"Vote #GE2017 {k}", "createdAt": f"2017-05-20T10:{k:02d}:00Z"}}}) for k in range(3)]
    f = tmp_path / "bsky.jsonl"
    f.write_text("\n".join(lines) + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(f)])
        build_report(st, tmp_path / "r.html", exports=False)
    pg = Page(browser)
    page = pg.open(tmp_path / "r.html")
    try:
        button = page.locator("#ex-body button.ex-handle").first
        assert button.inner_text() == "id did:plc:nohandle"
        button.click()
        heading = page.locator("#ex-body tr.ex-detail h3").first.inner_text()
        assert heading == "Evidence for id did:plc:nohandle", heading
        assert not pg.errors, pg.errors
    finally:
        pg.close()


def test_an_account_of_one_post_and_one_follower_is_said_in_the_singular(browser: Any, tmp_path: Path) -> None:
    """The detail row read "1 posts in this study" (and "1 followers when last seen")."""
    line = json.dumps({"did": "did:plc:once", "time_us": 1495274400 * 1_000_000, "kind": "commit",
                       "commit": {"operation": "create", "collection": "app.bsky.feed.post", "rkey": "p0",
                                  "record": {"text": "Vote #GE2017", "createdAt": "2017-05-20T10:00:00Z"}}})
    f = tmp_path / "bsky.jsonl"
    f.write_text(line + "\n")
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        ingest(st, [str(f)])
        st.sql("UPDATE accounts SET followers = 1")
        build_report(st, tmp_path / "r.html", exports=False)
    pg = Page(browser)
    page = pg.open(tmp_path / "r.html")
    try:
        page.locator("#ex-body button.ex-handle").first.click()
        facts = page.locator("#ex-body tr.ex-detail").first.inner_text()
        assert "1 follower when last seen." in facts and "1 post in this study;" in facts, facts
        assert not pg.errors, pg.errors
    finally:
        pg.close()
