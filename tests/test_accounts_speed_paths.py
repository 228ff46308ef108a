"""The fast (all-accounts-at-once) paths of the accounts stage give exactly the values of the
per-account reference code they replace, on the bundled sample. Speed work must change no output
(`scripts/accounts_snapshot.py` compares whole tables on larger studies)."""

from __future__ import annotations

from datetime import datetime, timezone

import duckdb
import numpy as np
import pytest

from botwatch import open_study
from botwatch.accounts import origin_behaviour as ob
from botwatch.accounts.origin_behaviour_batch import behaviours


@pytest.fixture(scope="module")
def sample_study(tmp_path_factory):  # type: ignore[no-untyped-def]
    from botwatch.cli import sample_files
    from botwatch.ingest.runner import ingest

    path = tmp_path_factory.mktemp("speed") / "s.duckdb"
    with open_study(path, read_only=False) as st:
        ingest(st, [str(p) for p in sample_files()])
    return path


def test_batched_behaviour_equals_per_account(sample_study) -> None:  # type: ignore[no-untyped-def]
    with open_study(sample_study) as st:
        slow = {(p, a): ob.behaviour_of(t, x) for p, a, t, x in ob.account_posts(st.con)}
        fast = behaviours(st.con)
    assert list(fast) == list(slow)
    assert fast == slow
    assert any(b.holidays is not None for b in fast.values())


def test_batched_behaviour_calendar_edges() -> None:
    """Clock changes, Moscow's UTC+4 years, New Year in Moscow, Thanksgiving in New York, corrupt
    years and an account with enough posts on both sides of a change for a shift estimate."""
    rng = np.random.default_rng(3)
    base = [datetime(2014, 10, 25, 21, 30), datetime(2016, 12, 31, 21, 5), datetime(2016, 11, 25, 4, 59),
            datetime(2016, 11, 25, 5, 0), datetime(2016, 3, 13, 6, 59), datetime(2016, 3, 13, 7, 0),
            datetime(1970, 1, 1), datetime(2200, 1, 1), datetime(2011, 3, 26, 20, 0)]
    spread = [datetime(2016, 2, 1) + (datetime(2016, 4, 15) - datetime(2016, 2, 1)) * float(u) for u in rng.random(80)]
    con = duckdb.connect()
    con.execute("CREATE TABLE posts (platform VARCHAR, account_id VARCHAR, created_at TIMESTAMP, kind VARCHAR, text VARCHAR, lang VARCHAR)")
    rows = [("x", "a", t, "post", "the cat is on the mat and it is a good day") for t in base]
    rows += [("x", "b", t, "retweet", "RT @a: hi") for t in spread] + [("x", "c", base[0], "post", None)]
    rows += [("x", None, t, "post", "the cat is on the mat and it is a good day") for t in base[:3]]  # a NULL key is one account
    con.executemany("INSERT INTO posts (platform, account_id, created_at, kind, text) VALUES (?, ?, ?, ?, ?)", rows)
    slow = {(p, a): ob.behaviour_of(t, x) for p, a, t, x in ob.account_posts(con)}
    fast = behaviours(con)
    assert fast == slow
    assert fast[("x", "b")].shift is not None and fast[("x", "a")].holidays is not None


def test_shift_batched_bootstrap_matches_rolls() -> None:
    """The gathered-roll matcher picks the same shift as one np.roll per candidate."""
    rng = np.random.default_rng(0)
    for _ in range(50):
        w, s = ob._smoothed(rng.integers(0, 40, 25)), ob._smoothed(rng.integers(0, 96, 25))
        corr = [float(w @ np.roll(s, int(k))) for k in ob.SHIFT_STEPS]
        assert ob._best_shift(w, s) == float(ob.SHIFT_STEPS[int(np.argmax(corr))]) / 4.0
    times = [datetime(2016, 3, 13, 0, tzinfo=timezone.utc)]
    assert ob.shift_estimate(times) is None


def test_precomputed_behaviour_items_equal_scalar(sample_study) -> None:  # type: ignore[no-untyped-def]
    """The vectorised holiday/article log-probabilities are the numbers the scalar calls give."""
    from botwatch.accounts import origin_signals as sig
    from botwatch.accounts.origin import codes

    with open_study(sample_study) as st:
        bs = list(behaviours(st.con).values())
    bs += [ob.Behaviour(None, ob.HolidayCounts(3, 1.7, 0, 0.2), ob.TransferCounts(400, 9, 1, 30))]
    bs += [ob.Behaviour(ob.ShiftEstimate(x, sd, 30, 40), None, ob.TransferCounts(0, 0, 0, 0))
           for x, sd in ((1.0, 0.25), (0.0, 0.61), (-0.75, 1.3), (2.5, 0.25))]
    sig._MEMO.clear()
    scalar = [sig.behaviour_items(b, codes(), "US") for b in bs]
    sig.precompute(bs)
    assert len(sig._MEMO) >= 4
    fast = [sig.behaviour_items(b, codes(), "US") for b in bs]
    sig._MEMO.clear()
    for one, two in zip(scalar, fast):
        assert [(i.kind, i.sentence) for i in one] == [(i.kind, i.sentence) for i in two]
        assert all(np.array_equal(i.log_l, j.log_l) for i, j in zip(one, two))


def test_transfer_sql_equals_python_on_unicode_edges() -> None:
    """The SQL word counts equal `text_transfer` where Python's and RE2's character classes and
    lower-casing part ways: non-breaking space inside a URL (Python's \\S stops there, RE2's does
    not), superscript digits (letters to `[^\\W\\d_]`), U+0130 and the Kelvin sign (lower-case to
    ASCII in one engine only), Cyrillic look-alikes, apostrophes, entities, retweets."""
    from botwatch.accounts.origin_behaviour_batch import post_table

    texts = [
        "İ the cat is on a mat and it", "\u212a the cat is to be there now or never", "the cаt is on а mat and you know it",
        "RT @x the cat is to be on a mat today", "", None, "a b c d e f", "The An A the an a to",
        "see https://t.co/x\u00a0the the the cat is on a mat", "word² x³ the an a to of in is on", "don't've it's I'm the a to of",
        "&amp;the &quot;cat #the_tag @the is on a mat and", "\U00011f04abc the a to is on in of x", "ТЕСТ тест the cat is on a mat",
    ]
    con = duckdb.connect()
    con.execute("CREATE TABLE posts (platform VARCHAR, account_id VARCHAR, created_at TIMESTAMP, kind VARCHAR, text VARCHAR, lang VARCHAR)")
    con.executemany("INSERT INTO posts (platform, account_id, created_at, kind, text) VALUES ('x', ?, TIMESTAMP '2016-05-01', ?, ?)",
                    [(f"{i:03d}", "retweet" if i == 3 else "post", t) for i, t in enumerate(texts)])
    tbl = post_table(con).to_pylist()
    got = {r["account_id"]: (r["tr_words"], r["tr_articles"], r["tr_mixed"]) for r in tbl}
    want = {f"{i:03d}": ob.text_transfer(None if i == 3 else t) for i, t in enumerate(texts)}
    assert got == want
    assert sum(1 for v in want.values() if v[0]) >= 8 and any(v[2] for v in want.values())


def test_batched_origin_equals_per_account(sample_study) -> None:  # type: ignore[no-untyped-def]
    """`origin_posteriors` gives `origin_posterior`'s results exactly (floats bit for bit, the
    sentences and their order), with and without a home country, on the sample's accounts plus
    inputs that reach every evidence kind (offset without a zone, scripts, clients, no evidence)."""
    from botwatch.accounts import features as feats
    from botwatch.accounts.origin import OriginInput, origin_posterior
    from botwatch.accounts.origin_batch import origin_posteriors
    from botwatch.accounts.scoring import origin_inputs

    with open_study(sample_study) as st:
        inputs = origin_inputs(feats.build(st))
    inputs += [
        OriginInput(), OriginInput(utc_offset=10800, when=datetime(2016, 1, 5)), OriginInput(utc_offset=-18000),
        OriginInput(display_name="Мария", description="日本語", account_lang="ru"),
        OriginInput(n_posts=10, post_scripts={"cyrillic": 9}, clients={"VK for Android": 4}),
        OriginInput(location="Moscow", post_langs={"ru": 20, "uk": 5, "en": 1}, hour_counts=[5] * 6 + [40] * 18),
    ]
    for home in ("US", None):
        want = [origin_posterior(inp, home=home) for inp in inputs]
        assert origin_posteriors(inputs, home=home) == want
        assert {k for w in want for k in w.items} >= {"utc_offset", "profile_script", "post_script", "client", "post_langs", "location"}


def test_bootstrap_index_draws_equal_choice() -> None:
    """`shift_from_bins` draws indices with `integers` where it used `choice`: the same stream
    gives the same resamples (so the published spreads do not move)."""
    for n_w, n_s in ((10, 10), (13, 250), (1, 3000)):
        w, s = np.arange(n_w) * 7 % 96, np.arange(n_s) * 5 % 96
        a, b = np.random.default_rng(0), np.random.default_rng(0)
        for _ in range(ob.BOOTSTRAPS):
            assert np.array_equal(a.choice(w, n_w), w[b.integers(0, n_w, n_w)])
            assert np.array_equal(a.choice(s, n_s), s[b.integers(0, n_s, n_s)])
