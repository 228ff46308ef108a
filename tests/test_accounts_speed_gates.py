"""Speed gates in the accounts stage's SQL leave every count as the ungated test gives it.

`behaviour.account_activity` searches the rarer scripts only in posts that hold one of them (one
search for all of them first); the counts must equal a plain per-post, per-script search."""

from __future__ import annotations

import re
from datetime import datetime

import ibis

from botwatch.accounts.behaviour import COMMON_SCRIPT, NON_LATIN, RARE_SCRIPTS, SCRIPT_PATTERNS, account_activity

TEXTS = [
    "plain English text", "Привет, мир", "Привет Γειά σου", "مرحبا", "こんにちは 世界", "안녕하세요", "Γειά",
    "שלום", "नमस्ते", "สวัสดี", "გამარჯობა", "Բարեւ", "Latin then Ελληνικά then русский then עברית",
    "", None, "emoji only \U0001f600", "ăâîșț diacritics stay Latin", "ქართული и кириллица",
]


def test_script_counts_equal_ungated_search() -> None:
    con = ibis.duckdb.connect()
    rows = [
        {"post_id": str(i), "platform": "x", "account_id": f"a{i % 5}", "created_at": datetime(2016, 1, 1, 0, i),
         "text": t, "lang": None, "kind": "post", "hashtags": [], "mentions": [], "urls": [], "client": None}
        for i, t in enumerate(TEXTS * 3)
    ]
    posts = con.create_table("posts", ibis.memtable(rows, schema={
        "post_id": "string", "platform": "string", "account_id": "string", "created_at": "timestamp", "text": "string",
        "lang": "string", "kind": "string", "hashtags": "array<string>", "mentions": "array<string>",
        "urls": "array<string>", "client": "string"}))
    got = con.to_pyarrow(account_activity(posts).order_by("account_id")).to_pylist()
    for rec in got:
        texts = [r["text"] for r in rows if r["account_id"] == rec["account_id"]]
        for name, pattern in SCRIPT_PATTERNS.items():
            want = sum(1 for t in texts if t and re.search(pattern, t))
            assert rec[f"n_script_{name}"] == want, (rec["account_id"], name)
    assert any(rec["n_script_georgian"] for rec in got) and any(rec[f"n_script_{COMMON_SCRIPT}"] for rec in got)


def test_rare_gate_covers_every_rare_script() -> None:
    """Each script's range lies inside the two gates (else a post would be skipped wrongly)."""
    for name, pattern in SCRIPT_PATTERNS.items():
        lo_hi = re.findall(r"(.)-(.)", pattern[1:-1])
        for lo, hi in lo_hi:
            for ch in (lo, hi, chr((ord(lo) + ord(hi)) // 2)):
                assert re.search(NON_LATIN, ch), (name, hex(ord(ch)))
                assert name == COMMON_SCRIPT or re.search(RARE_SCRIPTS, ch), (name, hex(ord(ch)))
