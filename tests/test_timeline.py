"""Time analyses on generated data with known answers (planted bursts, planted creation waves,
planted lead-lag, planted time zones) and on the real IRA data where it exists."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from botwatch import open_study
from botwatch.elections.model import Election, Event, Party
from botwatch.pipeline import Context, analyze
from botwatch.schema import POSTS
from botwatch.stats import bh_adjusted
from botwatch.study import Study
from botwatch.timeline import bursts, creation, zones
from botwatch.timeline.groups import AUTOMATED, NOT_AUTOMATED

START = datetime(2017, 4, 20)
DAYS = 50


def election(events: list[tuple[datetime, str]] | None = None) -> Election:
    """A small UK-like election in Europe/London; event times are naive UTC (the model's contract):
    the attack at 21:31 BST, the manifesto launch at 12:00 BST."""
    evs = tuple(Event(at, label) for at, label in (events or [(datetime(2017, 5, 22, 20, 31), "Attack"), (datetime(2017, 5, 16, 11, 0), "Manifesto")]))
    return Election(
        key="test", name="Test election", country="GB", timezone="Europe/London", trigger_date=date(2017, 4, 18),
        polling_day=date(2017, 6, 8), window_start=date(2017, 4, 20), window_end=date(2017, 6, 8),
        parties=(Party("labour", "Labour"), Party("conservative", "Conservatives")), events=tuple(sorted(evs, key=lambda e: e.at)),
    )


def write_posts(study, rows: list[dict]) -> None:  # type: ignore[no-untyped-def]
    full = [{f: r.get(f) for f in POSTS.names} for r in rows]
    t = pa.Table.from_pylist(full, schema=POSTS)
    study.con.register("_p", t)
    study.sql("INSERT INTO posts SELECT * FROM _p")
    study.con.unregister("_p")


def write_table(study, name: str, rows: list[dict]) -> None:  # type: ignore[no-untyped-def]
    study.con.register("_t", pa.Table.from_pylist(rows))
    study.sql(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _t")
    study.con.unregister("_t")


def diurnal_posts(rng: np.random.Generator, accounts: list[str], days: int, start: datetime, per_day: float, prefix: str) -> list[dict]:
    """Posts whose hour follows a human day in UTC+1 (British summer time)."""
    weights = np.array([0.3 if 0 <= (h + 1) % 24 <= 6 else 1.0 for h in range(24)])
    weights /= weights.sum()
    out = []
    for d in range(days):
        for a in accounts:
            for _ in range(rng.poisson(per_day)):
                h = int(rng.choice(24, p=weights))
                at = start + timedelta(days=d, hours=h, minutes=int(rng.integers(60)))
                out.append(dict(post_id=f"{prefix}{len(out)}", platform="twitter", account_id=a, created_at=at, kind="original", text="x"))
    return out


@pytest.fixture()
def synth_study(tmp_path: Path):  # type: ignore[no-untyped-def]
    """50 days of ordinary posting plus planted bursts by 'bot' accounts after both events."""
    rng = np.random.default_rng(7)
    humans = [f"h{i}" for i in range(30)]
    bots = [f"b{i}" for i in range(10)]
    posts = diurnal_posts(rng, humans, DAYS, START, 1.0, "h") + diurnal_posts(rng, bots, DAYS, START, 1.0, "b")
    for ev_utc in (datetime(2017, 5, 22, 20, 31), datetime(2017, 5, 16, 11, 0)):  # 21:31 and 12:00 BST
        for i in range(120):  # planted burst: the bots post 120 times in the 2 hours after the event
            posts.append(dict(post_id=f"burst{ev_utc.day}-{i}", platform="twitter", account_id=bots[i % 10], created_at=ev_utc + timedelta(minutes=30 + i), kind="retweet", text="y"))
    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        write_posts(st, posts)
        write_table(st, "account_scores", [dict(platform="twitter", account_id=a, bot_probability=0.9 if a.startswith("b") else 0.1,
                                                origin_country="RU" if a.startswith("b") else "GB", origin_probability=0.8,
                                                origin_probabilities='{"RU": 0.8, "GB": 0.2}' if a.startswith("b") else '{"GB": 0.8, "RU": 0.2}') for a in humans + bots])
        party = [dict(platform="twitter", post_id=p["post_id"], account_id=p["account_id"], created_at=p["created_at"], party="labour",
                      stance="oppose" if p["account_id"].startswith("b") else "support", stance_rule="test", sentiment=-0.5 if p["account_id"].startswith("b") else 0.3)
                 for p in posts]
        write_table(st, "post_party", party)
        write_table(st, "post_labels", [dict(platform="twitter", post_id=p["post_id"], account_id=p["account_id"], created_at=p["created_at"],
                                             in_election=True, lang="en", sentiment=-0.5 if p["account_id"].startswith("b") else 0.3) for p in posts])
        write_table(st, "cluster_members", [dict(cluster_id=1, platform="twitter", account_id=a) for a in bots])
        yield st


# -- clocks ------------------------------------------------------------------------------------
def test_local_clock_follows_daylight_saving() -> None:
    assert zones.offset_minutes(datetime(2017, 1, 10, 12), "Europe/London") == 0
    assert zones.offset_minutes(datetime(2017, 5, 22, 12), "Europe/London") == 60
    assert zones.local_to_utc(datetime(2017, 5, 22, 21, 31), "Europe/London") == datetime(2017, 5, 22, 20, 31)
    assert zones.local_to_utc(datetime(2016, 11, 8, 6, 0), "America/New_York") == datetime(2016, 11, 8, 11, 0)
    t = zones.offsets_table([datetime(2017, 3, 26, 0, 10), datetime(2017, 3, 26, 1, 59)], "Europe/London")
    assert t.column("offset_minutes").to_pylist() == [0, 60]  # clocks went forward at 01:00 UTC


# -- timeline ----------------------------------------------------------------------------------
def test_timeline_counts_every_post_once_per_dimension(synth_study) -> None:  # type: ignore[no-untyped-def]
    analyze(synth_study, Context(election=election(), log=lambda m: None), only=["timeline"])
    total = synth_study.count("posts")
    sums = dict(synth_study.sql("SELECT dimension || '/' || freq || '/' || clock, sum(posts) FROM timeline GROUP BY 1"))
    for dim in ("all", "kind", "platform", "automated", "origin", "party", "party_stance", "sentiment"):
        for freq in ("hour", "day"):
            for clock in ("utc", "local"):
                assert sums[f"{dim}/{freq}/{clock}"] == total, (dim, freq, clock)
    # party_group crosses every group dimension: within one (automated or not), each post once.
    pg = synth_study.sql("SELECT sum(posts) FROM timeline WHERE dimension='party_group' AND freq='day' AND clock='utc' AND value IN (?, ?)", [f"labour | {AUTOMATED}", f"labour | {NOT_AUTOMATED}"])[0][0]
    assert pg == total
    # The planted burst belongs to the bots' cluster and to the 'likely automated' group only.
    vals = dict(synth_study.sql("SELECT value, sum(posts) FROM timeline WHERE freq='day' AND clock='utc' AND dimension IN ('automated','cluster') GROUP BY 1"))
    bot_posts = synth_study.sql("SELECT count(*) FROM posts WHERE account_id LIKE 'b%'")[0][0]
    assert vals[AUTOMATED] == bot_posts and vals["cluster 1"] == bot_posts
    assert vals[NOT_AUTOMATED] == total - bot_posts
    # Local (BST) buckets are the UTC buckets moved one hour later.
    utc = synth_study.sql("SELECT bucket, posts FROM timeline WHERE freq='hour' AND clock='utc' AND dimension='all' ORDER BY 1")
    loc = synth_study.sql("SELECT bucket, posts FROM timeline WHERE freq='hour' AND clock='local' AND dimension='all' ORDER BY 1")
    assert [(b + timedelta(hours=1), n) for b, n in utc] == loc
    # Mean sentiment of the bots' party rows is what was planted.
    s = synth_study.sql("SELECT sum(sentiment_mean * sentiment_n) / sum(sentiment_n) FROM timeline WHERE dimension='party_group' AND value = ? AND freq='day' AND clock='utc'", [f"labour | {AUTOMATED}"])[0][0]
    assert s == pytest.approx(-0.5)


def test_timeline_without_other_issues_tables(sample_study) -> None:  # type: ignore[no-untyped-def]
    res = analyze(sample_study, Context(election=None, log=lambda m: None), only=["timeline", "bursts", "circadian"])
    assert [r[1] for r in res] == ["ok", "ok", "ok"]
    dims = {r[0] for r in sample_study.sql("SELECT DISTINCT dimension FROM timeline")}
    assert dims == {"all", "kind", "platform"}
    notes = " ".join(r[0] for r in sample_study.sql("SELECT note FROM timeline_notes WHERE stage='timeline'"))
    assert "account_scores" in notes and "cluster_members" in notes and "post_party" in notes


# -- bursts and events -------------------------------------------------------------------------
def test_planted_burst_found_and_labelled(synth_study) -> None:  # type: ignore[no-untyped-def]
    analyze(synth_study, Context(election=election(), log=lambda m: None), only=["timeline", "bursts"])
    rows = synth_study.sql("SELECT start, peak_at, event, hours_from_event FROM bursts WHERE freq='hour' AND dimension='automated' AND value=? ORDER BY start", [AUTOMATED])
    assert len(rows) == 2
    (_, peak1, event1, hours1), (_, peak2, event2, hours2) = rows
    assert datetime(2017, 5, 16, 11) <= peak1 <= datetime(2017, 5, 16, 14) and event1 == "Manifesto" and 0 <= hours1 <= 3
    assert datetime(2017, 5, 22, 20) <= peak2 <= datetime(2017, 5, 22, 23) and event2 == "Attack" and 0 <= hours2 <= 3
    # Ordinary accounts have no burst anywhere in the 50 days.
    assert synth_study.sql("SELECT count(*) FROM bursts WHERE freq='hour' AND value=?", [NOT_AUTOMATED])[0][0] == 0
    test = synth_study.sql("SELECT p_value, rate_ratio, null_rate_ratio, exact FROM event_tests WHERE dimension='automated' AND value=?", [AUTOMATED])[0]
    assert test[0] < 0.05 and test[1] > test[2] and test[3] is True
    rest = synth_study.sql("SELECT p_value FROM event_tests WHERE dimension='automated' AND value=?", [NOT_AUTOMATED])[0][0]
    assert rest > 0.05


def test_bursts_store_their_events_end(synth_study) -> None:  # type: ignore[no-untyped-def]
    """The report says "during it" / "after its end" from the end stored beside the burst, not
    from an election file that may have been edited since the stage ran."""
    import dataclasses

    el = election()
    pause_end = datetime(2017, 5, 25, 23)
    el = dataclasses.replace(el, events=tuple(dataclasses.replace(e, end=pause_end) if e.label == "Attack" else e for e in el.events))
    analyze(synth_study, Context(election=el, log=lambda m: None), only=["timeline", "bursts"])
    got = dict(synth_study.sql("SELECT event, event_end FROM bursts WHERE freq='hour' AND dimension='automated' AND value=?", [AUTOMATED]))
    assert got == {"Manifesto": None, "Attack": pause_end}


def test_a_burst_stores_the_end_of_the_event_it_was_labelled_with_when_two_share_start_and_label(synth_study) -> None:  # type: ignore[no-untyped-def]
    """An election file may list one start and label twice with two ends (two regions' polls):
    the end stored was the last listed, not that of the event the burst was found inside, and the
    report said "after its end" of a burst the stage had labelled as during it."""
    import dataclasses

    el = election()
    attack = next(e for e in el.events if e.label == "Attack")
    long_, short = dataclasses.replace(attack, end=datetime(2017, 5, 25, 23)), dataclasses.replace(attack, end=datetime(2017, 5, 22, 20, 45))
    el = dataclasses.replace(el, events=tuple(x for e in el.events for x in ((long_, short) if e is attack else (e,))))
    analyze(synth_study, Context(election=el, log=lambda m: None), only=["timeline", "bursts"])
    got = dict(synth_study.sql("SELECT event, event_end FROM bursts WHERE freq='hour' AND dimension='automated' AND value=?", [AUTOMATED]))
    assert got["Attack"] == long_.end, got


def test_robust_z_ignores_the_daily_rhythm() -> None:
    rng = np.random.default_rng(3)
    n = 24 * 40
    lam = 20 + 15 * np.sin(np.arange(n) * 2 * np.pi / 24)
    counts = rng.poisson(lam).astype(float)
    t = [START + timedelta(hours=i) for i in range(n)]
    assert bursts.find_bursts(t, counts, period=24, lookback=7) == []
    counts[600] += 80
    found = bursts.find_bursts(t, counts, period=24, lookback=7)
    assert [b.peak_at for b in found] == [t[600]]


def test_event_test_is_calibrated_under_the_null() -> None:
    """With no planted effect, p < 0.05 should happen about 5% of the time (here: at most 4 of 30)."""
    events = [START + timedelta(days=d, hours=13) for d in (11, 19, 33)]
    rejections = 0
    for seed in range(30):
        rng = np.random.default_rng(seed)
        n = 24 * 60
        counts = rng.poisson(5 + 4 * np.sin(np.arange(n) * 2 * np.pi / 24)).astype(float)
        t = [START + timedelta(hours=i) for i in range(n)]
        r = bursts.event_test(t, counts, events, window_h=12)
        assert r is not None and r.exact
        rejections += r.p_value < 0.05
    assert rejections <= 4


def test_nearest_event() -> None:
    evs = [(datetime(2017, 5, 1), "a"), (datetime(2017, 5, 10), "b")]
    assert bursts.nearest_event(datetime(2017, 5, 8), evs)[0] == "b"
    assert bursts.nearest_event(datetime(2017, 5, 8), evs)[2] == pytest.approx(-48.0)
    assert bursts.nearest_event(datetime(2017, 5, 8), []) == (None, None, None)


# -- creation ----------------------------------------------------------------------------------
def test_wilson_and_newcombe_match_published_values() -> None:
    proportion_confint = pytest.importorskip("statsmodels.stats.proportion").proportion_confint

    for k, n in ((0, 10), (3, 17), (45, 99), (20, 20)):
        _, lo, hi = creation.wilson(k, n)
        slo, shi = proportion_confint(k, n, alpha=0.05, method="wilson")
        assert lo == pytest.approx(slo, abs=1e-9) and hi == pytest.approx(shi, abs=1e-9)
    # Newcombe (1998), Table II example (56/70 vs 48/80), method 10: 0.0524 to 0.3339.
    d, lo, hi = creation.newcombe_diff(56, 70, 48, 80)
    assert d == pytest.approx(0.2) and lo == pytest.approx(0.0524, abs=1e-4) and hi == pytest.approx(0.3339, abs=1e-4)


def test_planted_creation_wave(tmp_path: Path) -> None:
    """80% of the bots were created after the trigger, in batches; 20% of the humans."""
    rng = np.random.default_rng(11)
    trigger = datetime(2017, 4, 18)
    accounts, posts = [], []
    for i in range(200):
        bot = i < 50
        after = rng.random() < (0.8 if bot else 0.2)
        if bot and after:
            created = trigger + timedelta(days=int(i % 5) * 3, hours=4, minutes=int(rng.integers(50)))  # 5 batches
        else:
            created = trigger - timedelta(days=int(rng.integers(1, 3000))) if not after else trigger + timedelta(days=int(rng.integers(1, 50)), hours=int(rng.integers(24)))
        accounts.append(dict(account_id=f"a{i}", platform="twitter", created_at=created))
        posts.append(dict(post_id=f"p{i}", platform="twitter", account_id=f"a{i}", created_at=datetime(2017, 5, 1), kind="original"))
    with open_study(tmp_path / "c.duckdb", read_only=False) as st:
        write_posts(st, posts)
        st.con.register("_a", pa.Table.from_pylist(accounts))
        st.sql("INSERT INTO accounts (account_id, platform, created_at) SELECT * FROM _a")
        write_table(st, "account_scores", [dict(platform="twitter", account_id=f"a{i}", bot_probability=0.9 if i < 50 else 0.1) for i in range(200)])
        analyze(st, Context(election=election(), log=lambda m: None), only=["timeline", "creation"])
        row = st.sql("SELECT group_after, group_n, share, low, high, others_share, diff_low FROM creation WHERE value = ?", [AUTOMATED])[0]
        k, n, share, lo, hi, others, diff_lo = row
        truth_k = sum(1 for a in accounts[:50] if a["created_at"] >= trigger)
        assert (k, n) == (truth_k, 50) and lo < share < hi and diff_lo > 0 and others < share
        batches = st.sql("SELECT bucket, accounts, likely_automated FROM creation_batches WHERE unit='hour'")
        assert batches and all(b[2] >= 3 for b in batches)
        assert sum(b[1] for b in batches) >= 0.7 * truth_k


@contextmanager
def _creation_run(tmp_path: Path, accounts: list[dict]) -> Iterator[Study]:
    """A study of `accounts` (each with one post on 1 May 2017) after the creation stage."""
    posts = [dict(post_id=f"p{a['account_id']}", platform=a["platform"], account_id=a["account_id"], created_at=datetime(2017, 5, 1), kind="original")
             for a in accounts]
    with open_study(tmp_path / "c.duckdb", read_only=False) as st:
        write_posts(st, posts)
        st.con.register("_a", pa.Table.from_pylist(accounts))
        st.sql("INSERT INTO accounts (account_id, platform, created_at) SELECT * FROM _a")
        analyze(st, Context(election=election(), log=lambda m: None), only=["creation"])
        yield st


def test_mastodon_creation_days_make_no_hour_batches(tmp_path: Path) -> None:
    """Mastodon gives an account's creation day only, written as midnight UTC: six accounts of one
    day were listed as a batch "created in the same hour" (00:00). A day batch they still are."""
    day = datetime(2017, 4, 20)
    accounts = [dict(account_id=f"m{i}", platform="mastodon", created_at=day) for i in range(6)]
    accounts += [dict(account_id=f"t{i}", platform="twitter", created_at=day + timedelta(hours=4, minutes=i)) for i in range(3)]
    with _creation_run(tmp_path, accounts) as st:
        batches = st.sql("SELECT unit, bucket, accounts FROM creation_batches ORDER BY unit, bucket")
        assert batches == [("day", day, 9), ("hour", day + timedelta(hours=4), 3)]


def test_mastodon_accounts_made_on_the_calls_day_keep_their_day_batch_and_month(tmp_path: Path) -> None:
    """A Mastodon creation day holding the call (2017-04-17 UTC; the call's day starts at 23:00 UTC)
    is left out of the shares, since before or after the call is unknown, but its day is known: six
    accounts made that day lost their day batch, and April's bar of the monthly chart fell short."""
    day = datetime(2017, 4, 17)
    accounts = [dict(account_id=f"m{i}", platform="mastodon", created_at=day) for i in range(6)]
    with _creation_run(tmp_path, accounts) as st:
        assert st.sql("SELECT group_n FROM creation WHERE dimension = 'all'") == [(0,)]  # not in the shares
        assert st.sql("SELECT unit, bucket, accounts FROM creation_batches") == [("day", day, 6)]
        assert st.sql("SELECT month, accounts FROM creation_monthly WHERE dimension = 'all'") == [(datetime(2017, 4, 1), 6)]


# -- circadian ---------------------------------------------------------------------------------
def test_circadian_finds_planted_time_zone(tmp_path: Path) -> None:
    """Accounts living a human day at UTC+3 are placed within an hour of +3; UTC-5 ones near -5."""
    from botwatch.accounts.circadian import LOCAL_PROFILE

    rng = np.random.default_rng(5)
    posts = []
    for a, off in [(f"msk{i}", 3) for i in range(8)] + [(f"nyc{i}", -5) for i in range(8)]:
        p = np.array([LOCAL_PROFILE[(h + off) % 24] for h in range(24)])
        for d in range(40):
            for h in rng.choice(24, size=6, p=p / p.sum()):
                posts.append(dict(post_id=f"{a}-{len(posts)}", platform="twitter", account_id=a, created_at=START + timedelta(days=d, hours=int(h)), kind="original"))
    with open_study(tmp_path / "z.duckdb", read_only=False) as st:
        write_posts(st, posts)
        analyze(st, Context(log=lambda m: None), only=["circadian"])
        got = dict(st.sql("SELECT account_id, best_offset FROM circadian"))
        assert len(got) == 16
        for a, off in got.items():
            want = 3 if a.startswith("msk") else -5
            assert abs(off - want) <= 1, (a, off)
        probs = json.loads(st.sql("SELECT offset_probabilities FROM circadian LIMIT 1")[0][0])
        assert sum(probs.values()) == pytest.approx(1.0, abs=1e-4)


def test_circadian_fits_in_batches_without_bringing_profiles_back(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The stage fits the profiles where the rows are (`map_arrow`: executors on a lake): no
    statement of the stage returns one row per account (the old code read every (account, hour)
    cell into Python), and the table equals the profiles fitted one by one."""
    from botwatch.study import Study
    from botwatch.timeline.stages import fit_profiles, hour_profiles

    rng = np.random.default_rng(9)
    posts = [dict(post_id=f"p{i}", platform="twitter", account_id=f"a{i % 30}", created_at=START + timedelta(days=int(rng.integers(40)), hours=int(rng.integers(24))), kind="original")
             for i in range(3000)]
    with open_study(tmp_path / "z.duckdb", read_only=False) as st:
        write_posts(st, posts)
        want = fit_profiles(hour_profiles(st)).sort_by([("account_id", "ascending")])
        returned: list[int] = []
        real_sql = Study.sql

        def counting_sql(self, query, params=None):  # type: ignore[no-untyped-def]
            rows = real_sql(self, query, params)
            returned.append(len(rows))
            return rows

        monkeypatch.setattr(Study, "sql", counting_sql)
        analyze(st, Context(log=lambda m: None), only=["circadian"])
        monkeypatch.undo()
        got = st.ibis.table("circadian").to_pyarrow().sort_by([("account_id", "ascending")])
    assert want.num_rows == 30 and got.equals(want)
    assert max(returned, default=0) < 30


@pytest.mark.shared_data
def test_ira_offsets_separate_russian_language_from_us_posing_accounts(shared_data: Path) -> None:
    """Real IRA tweets (FiveThirtyEight / Clemson). The accounts tweeting in Russian (category
    NonEnglish) keep a Moscow day: most are placed at UTC+3 ± 1 and almost none at the US offsets.
    The accounts posing as Americans (RightTroll, LeftTroll) are placed at US offsets far more
    often — they kept US hours, so the human-day fit alone does not unmask them."""
    import duckdb

    from botwatch.timeline import circadian_fit

    tweets, authors = shared_data / "ira" / "tweets.csv.gz", shared_data / "ira" / "authors.csv.gz"
    if not (tweets.exists() and authors.exists()):
        pytest.skip("IRA files absent")
    con = duckdb.connect()
    rows = con.execute(
        "SELECT lower(author_id), hour(ts), count(DISTINCT CAST(ts AS DATE)) FROM (SELECT author_id, strptime(publish_date, '%Y-%m-%d %H:%M:%S') ts "
        "FROM read_csv(?, all_varchar=true)) GROUP BY ALL",
        [str(tweets)],
    ).fetchall()
    cat = dict(con.execute("SELECT lower(author), account_category FROM read_csv(?, all_varchar=true)", [str(authors)]).fetchall())
    acc: dict[str, list[int]] = {}
    for a, h, d in rows:
        acc.setdefault(a, [0] * 24)[int(h)] += int(d)
    offs: dict[str, list[int]] = {"ru": [], "us": []}
    for a, c in acc.items():
        group = {"NonEnglish": "ru", "RightTroll": "us", "LeftTroll": "us"}.get(cat.get(a, ""))
        if group and sum(c) >= 20:
            offs[group].append(circadian_fit.fit(c).best_offset)
    assert len(offs["ru"]) > 100 and len(offs["us"]) > 100

    def share(xs: list[int], test) -> float:  # type: ignore[no-untyped-def]
        return sum(1 for o in xs if test(o)) / len(xs)

    moscow = lambda o: circadian_fit.offset_distance(o, 3) <= 1  # noqa: E731
    america = lambda o: -8 <= o <= -4  # noqa: E731
    assert share(offs["ru"], moscow) > 0.5 > share(offs["ru"], america)
    assert share(offs["us"], america) > 3 * share(offs["ru"], america)
    assert share(offs["us"], moscow) < share(offs["ru"], moscow)


def test_event_test_refuses_an_almost_empty_series() -> None:
    t = [START + timedelta(hours=i) for i in range(24 * 10)]
    counts = np.zeros(len(t))
    counts[5] = 3
    assert bursts.event_test(t, counts, [START + timedelta(days=4)]) is None
    assert bursts.event_test(t, np.ones(len(t)), [START + timedelta(days=40)]) is None  # event outside the series


def test_bh_qvalues_match_statsmodels() -> None:
    multipletests = pytest.importorskip("statsmodels.stats.multitest").multipletests

    p = [0.01, 0.04, 0.03, 0.2, 0.5, 0.001]
    assert list(bh_adjusted(p)) == pytest.approx(list(multipletests(p, method="fdr_bh")[1]))


@pytest.mark.shared_data
def test_ira_strongest_burst_is_the_day_before_the_podesta_emails(shared_data: Path) -> None:
    """Real IRA tweets: Linvill & Warren (Clemson) and FiveThirtyEight reported the trolls' busiest
    burst of autumn 2016 on 6 October, the day before WikiLeaks began posting John Podesta's
    emails. The detector, with its default settings, finds it as the strongest hourly burst of
    September–November 2016."""
    import duckdb

    from botwatch.elections import load_election
    from botwatch.timeline.zones import events_utc

    path = shared_data / "ira" / "tweets.csv.gz"
    if not path.exists():
        pytest.skip(f"{path} absent")
    rows = duckdb.connect().execute(
        "SELECT date_trunc('hour', strptime(publish_date, '%Y-%m-%d %H:%M:%S')) h, count(*) FROM read_csv(?, all_varchar=true) "
        "WHERE publish_date BETWEEN '2016-08-01' AND '2016-11-30 23:59' GROUP BY 1 ORDER BY 1",
        [str(path)],
    ).fetchall()
    times, counts = bursts.dense([r[0] for r in rows], [r[1] for r in rows], timedelta(hours=1))
    found = [b for b in bursts.find_bursts(times, counts, period=24, lookback=7) if datetime(2016, 9, 1) <= b.peak_at < datetime(2016, 12, 1)]
    top = max(found, key=lambda b: b.z)
    assert top.peak_at.date() == date(2016, 10, 6)
    _label, at, hours = bursts.nearest_event(top.peak_at, events_utc(load_election("us-2016")))
    assert at is not None and at.date() == date(2016, 10, 7) and -48 < (hours or 0) < 0  # labelled with the next day's event


def test_party_stance_series_leave_unmeasured_stance_out_as_the_report_does(labelled_sample_copy: Path) -> None:
    """The timeline's `party_stance` series counted a non-English post that only names a party as
    `PARTY:neutral` (rule `no_cue`), or as the account prior's answer, while the report leaves such
    posts out of the stance shares as not measured. They are `PARTY:not measured` now, and
    `PARTY:neutral` / `:support` / `:oppose` hold the measured rows only, as the estimates count them."""
    from botwatch.elections import load_election

    us = load_election("us-2016")
    with open_study(labelled_sample_copy, read_only=False) as sample_study:  # labelled for us-2016 (the session's, copied)
        analyze(sample_study, Context(election=us, log=lambda m: None), only=["timeline"])
        got = dict(sample_study.sql("SELECT value, sum(posts) FROM timeline WHERE dimension='party_stance' AND freq='day' AND clock='utc' GROUP BY 1"))
        cue = "list_has_any(signals, ['pro_tag', 'anti_tag', 'pro_kw', 'anti_kw', 'own_account', 'retweet_account', 'quote_account'])"
        unmeasured = (f"(coalesce(lang, '') <> 'en' AND (stance_rule = 'no_cue' OR (stance_rule IN ('account_prior', 'retweet_neighbours') AND NOT {cue})))")
        want = dict(sample_study.sql(f"SELECT party || ':' || CASE WHEN {unmeasured} THEN 'not measured' ELSE stance END, count(*) FROM post_party GROUP BY 1"))
    assert any(k.endswith(":not measured") for k in want)  # the sample has such posts
    assert got == want


def test_the_sentiment_mean_does_not_depend_on_the_order_rows_are_added() -> None:
    """`exact_mean` sums in an exact decimal: the same mean whichever order the engine meets the
    rows (a float `avg` over parallel threads stored other last bits on each run). The values are
    sentiment-like (4 places in [-1, 1]) and their float sums differ by order."""
    import random
    from fractions import Fraction

    import ibis

    from botwatch.numeric import sum_left_to_right
    from botwatch.timeline.series import exact_mean

    rng = random.Random(5)
    values = [round(rng.uniform(-1, 1), 4) for _ in range(2000)]
    orders = (values, list(reversed(values)), sorted(values))
    assert len({sum_left_to_right(o) for o in orders}) > 1  # the float sums do depend on the order
    con = ibis.duckdb.connect()
    got = set()
    for order in orders:
        t = ibis.memtable({"s": order})
        got.add(con.execute(exact_mean(t.s)))
    # One answer, within one rounding of the exact mean of the doubles as stored at 18 places.
    want = float(sum(Fraction(v).limit_denominator(10**18) for v in values) / len(values))
    assert len(got) == 1 and abs(got.pop() - want) <= 1e-15
    assert con.to_pyarrow(exact_mean(ibis.memtable({"s": [None, None]}, schema={"s": "float64"}).s)).as_py() is None  # NULL, not NaN


def test_creation_counts_every_group_in_one_query(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The creation shares of every timeline group come from one grouped query (one per group was
    two Spark jobs each on a lake), with each group's own counts: those of a query for it alone."""
    accounts = [dict(account_id=f"a{i}", platform="twitter", created_at=datetime(2017, 4, 18) + timedelta(days=(i % 7) - 3)) for i in range(40)]
    posts = [dict(post_id=f"p{i}", platform="twitter", account_id=f"a{i}", created_at=datetime(2017, 5, 1), kind="original") for i in range(40)]
    asked: list[str] = []
    real_sql = Study.sql

    def sql(self: Study, query: str, params: Any = None) -> Any:
        if "FILTER (WHERE p.created_at >= ?), count(*) FROM _tl_pop p" in query:
            asked.append(query)
        return real_sql(self, query, params)

    with open_study(tmp_path / "c.duckdb", read_only=False) as st:
        write_posts(st, posts)
        st.con.register("_a", pa.Table.from_pylist(accounts))
        st.sql("INSERT INTO accounts (account_id, platform, created_at) SELECT * FROM _a")
        write_table(st, "account_scores", [dict(platform="twitter", account_id=f"a{i}", bot_probability=0.9 if i % 3 == 0 else 0.1) for i in range(40)])
        monkeypatch.setattr(Study, "sql", sql)
        analyze(st, Context(election=election(), log=lambda m: None), only=["timeline", "creation"])
        monkeypatch.undo()
        got = st.sql("SELECT dimension, value, group_after, group_n FROM creation WHERE dimension <> 'all' ORDER BY 1, 2")
        assert len(got) >= 2 and len(asked) == 1
        trigger = st.sql("SELECT max(trigger) FROM creation")[0][0]
        created = {a["account_id"]: a["created_at"] for a in accounts}
        for dim, val, k, n in got:
            members = [a for (a,) in st.sql("SELECT account_id FROM timeline_groups WHERE dimension = ? AND value = ?", [dim, val])]
            assert (k, n) == (sum(created[a] >= trigger for a in members), len(members)), (dim, val)


def test_the_labels_election_hint_names_a_users_election_by_its_file(labelled_sample_copy: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The hint to re-label said `--election my-e` for an election of the user's own TOML file,
    which pasted ended in "no preset named 'my-e'": it names the file (shell-quoted); a preset
    keeps its key."""
    import shlex

    from typer.testing import CliRunner

    from botwatch.cli import app
    from botwatch.elections.model import _presets_dir
    from testsupport.terminal import said, wide_consoles

    wide_consoles(monkeypatch)
    toml = tmp_path / "my e.toml"
    toml.write_text((_presets_dir() / "uk-ge2017.toml").read_text(encoding="utf-8").replace('key = "uk-ge2017"', 'key = "my-e"', 1), encoding="utf-8")
    text = said(CliRunner().invoke(app, ["analyze", str(labelled_sample_copy), "--election", str(toml), "--only", "timeline"]))
    assert f"--election {shlex.quote(str(toml))} --only content" in text and "(or run timeline with --election us-2016)" in text, text
    with open_study(labelled_sample_copy, read_only=False) as st:  # as if labelled with the file, which is gone now
        st.sql("UPDATE post_labels SET election = 'my-e'")
        st.sql("UPDATE runs SET params = replace(params, '\"us-2016\"', '\"my-e\"') WHERE stage = 'content'")
    text = said(CliRunner().invoke(app, ["analyze", str(labelled_sample_copy), "--election", "us-2016", "--only", "timeline"]))
    assert "--election us-2016 --only content" in text and "(or run timeline with --election FILE (the TOML file of election my-e))" in text, text


def test_cluster_timelines_break_size_ties_by_cluster_number_not_text(tmp_path: Path) -> None:
    """Twelve clusters of equal size: the timeline's ten are clusters 0-9, as the coordination
    section draws the lowest numbers first. Ties were broken on the number as text ("10" < "8"),
    so an IRA slice of September 2016 drew clusters 10 and 11 and left out 8 and 9."""
    from botwatch.timeline.groups import MAX_CLUSTERS, build_groups

    with open_study(tmp_path / "s.duckdb", read_only=False) as st:
        write_table(st, "cluster_members", [dict(cluster_id=c, platform="twitter", account_id=f"a{c}-{i}") for c in range(MAX_CLUSTERS + 2) for i in range(2)])
        build_groups(st)
        shown = {v for (v,) in st.sql("SELECT DISTINCT value FROM timeline_groups WHERE dimension = 'cluster'")}
    assert shown == {f"cluster {c}" for c in range(MAX_CLUSTERS)}
