"""Shortcuts taken for speed in the accounts stage give exactly what the plain way gives.

`behaviour.account_activity` searches the rarer scripts only in posts that hold one of them (one
search for all of them first); the counts must equal a plain per-post, per-script search.
`origin_behaviour.shift_from_bins` draws all its bootstrap indices in one call; the resamples,
and so the published spreads, must be those of one call per side per bootstrap."""

from __future__ import annotations

import re
from datetime import datetime

import ibis
import numpy as np

from botwatch.accounts import origin_behaviour as ob
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


def _shift_one_call_per_side(w: np.ndarray, s: np.ndarray) -> ob.ShiftEstimate:
    """`shift_from_bins` as it was written before the draws became one call."""
    rng = np.random.default_rng(0)
    draws_w, draws_s = np.empty((ob.BOOTSTRAPS, len(w)), np.int64), np.empty((ob.BOOTSTRAPS, len(s)), np.int64)
    for b in range(ob.BOOTSTRAPS):
        draws_w[b] = rng.integers(0, len(w), len(w))
        draws_s[b] = rng.integers(0, len(s), len(s))
    boot = ob._best_shifts(ob._smoothed_rows(w[draws_w]), ob._smoothed_rows(s[draws_s]))
    return ob.ShiftEstimate(ob._best_shift(ob._smoothed(w), ob._smoothed(s)), max(float(np.std(boot)), 0.25), len(w), len(s))


def test_one_call_bootstrap_draws_equal_per_side_calls() -> None:
    rng = np.random.default_rng(7)
    sizes = [(10, 10), (11, 13), (1, 3000), (3000, 1), (57, 400)] + [tuple(int(x) for x in rng.integers(10, 300, 2)) for _ in range(20)]
    for nw, ns in sizes:
        centre = int(rng.integers(0, ob.BINS))
        w = (centre + rng.normal(0, 12, nw)).astype(np.int64) % ob.BINS
        s = (centre - 4 + rng.normal(0, 12, ns)).astype(np.int64) % ob.BINS
        assert ob.shift_from_bins(w, s) == _shift_one_call_per_side(w, s), (nw, ns)
