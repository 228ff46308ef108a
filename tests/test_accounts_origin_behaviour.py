"""Origin from behaviour: the per-account features, their likelihood ratios, and the
two profile items whose weight is now measured. Synthetic times test the code paths only; the
likelihood ratios themselves were measured on real data (scripts/fit_origin_behaviour.py)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from botwatch.accounts.origin import OriginInput, codes, evidence_vectors, origin_posterior
from botwatch.accounts.origin_behaviour import (
    Behaviour, TransferCounts, behaviour_of, clock_gaps, eu_changes, holiday_counts, near_change, shift_estimate, transfer_counts,
    us_changes,
)
from botwatch.accounts.origin_signals import behaviour_items, dst_swing, parameters
from botwatch.accounts.validation import calibration, group_of, post_bin, split_of
from botwatch.stats import wilson


def _posts(local_tz: str | None, n: int = 400, seed: int = 3) -> list[datetime]:
    """Posts at fixed local hours (a person keeping clock time) or fixed UTC hours (tz None)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        day = date(2016, 1, 4) + timedelta(days=rng.randrange(0, 360))
        hour, minute = rng.choice([8, 12, 13, 19, 20, 21, 22]), rng.randrange(60)
        if local_tz is None:
            out.append(datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc))
        else:
            out.append(datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(local_tz)).astimezone(timezone.utc))
    return out


def test_us_and_eu_clock_change_dates() -> None:
    assert us_changes(2016) == (date(2016, 3, 13), date(2016, 11, 6))
    assert eu_changes(2016) == (date(2016, 3, 27), date(2016, 10, 30))
    assert eu_changes(2017) == (date(2017, 3, 26), date(2017, 10, 29)) and eu_changes(2013) == (date(2013, 3, 31), date(2013, 10, 27))
    assert clock_gaps(2016) == ((date(2016, 3, 13), date(2016, 3, 27)), (date(2016, 10, 30), date(2016, 11, 6)))
    utc = timezone.utc
    assert near_change(datetime(2016, 3, 5, tzinfo=utc)) and near_change(datetime(2016, 4, 1, tzinfo=utc))
    assert not near_change(datetime(2016, 6, 20, tzinfo=utc))
    # The days between the US and the EU change, both ends counted, take no side.
    for d in (date(2016, 3, 13), date(2016, 3, 20), date(2016, 3, 27), date(2016, 10, 30), date(2016, 11, 6)):
        assert not near_change(datetime(d.year, d.month, d.day, 12, tzinfo=utc))
    assert near_change(datetime(2016, 3, 12, 23, tzinfo=utc)) and near_change(datetime(2016, 3, 28, tzinfo=utc))
    assert near_change(datetime(2016, 5, 8, tzinfo=utc)) and not near_change(datetime(2016, 5, 9, tzinfo=utc))  # 42 days after the EU change


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/London", "Europe/Berlin"])
def test_shift_reads_a_european_clock_as_fully_as_an_american_one(zone: str) -> None:
    """Posts only in the six weeks either side of the spring changes: a Londoner's and a
    Berliner's clock move two weeks after New York's, and the split must not read those two weeks
    as summer (it would pull their shift towards a Moscow desk's zero)."""
    rng = random.Random(7)
    out = []
    for _ in range(600):
        day = date(2016, 2, 1) + timedelta(days=rng.randrange(0, 98))  # 1 Feb .. 8 May
        hour, minute = rng.choice([8, 9, 12, 13, 19, 20, 21]), rng.randrange(60)
        out.append(datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(timezone.utc))
    est = shift_estimate(out)
    assert est is not None and est.shift_h == pytest.approx(1.0, abs=0.125)  # split at the US dates alone: 0.75
    said = " ".join(i.sentence for i in behaviour_items(Behaviour(est, None, TransferCounts(0, 0, 0, 0)), codes(), "GB"))
    assert "between winter and summer time, the days US and European clocks disagree left out" in said and "US winter" not in said


def test_shift_follows_the_clock_of_a_local_and_not_of_a_fixed_offset_desk() -> None:
    local = shift_estimate(_posts("America/New_York", n=1500), window_days=None)
    desk = shift_estimate(_posts(None, n=1500), window_days=None)
    assert local is not None and desk is not None
    assert local.shift_h >= 0.5  # summer posts come earlier in UTC
    assert abs(desk.shift_h) <= 0.25
    assert shift_estimate(_posts(None, n=8)) is None  # too few posts a side: no evidence, not "no shift"


def test_holidays_are_counted_on_moscow_days_against_the_accounts_own_rate() -> None:
    # 22:30 UTC on 8 May is 01:30 on 9 May in Moscow: Victory Day.
    times = [datetime(2016, 5, 8, 22, 30, tzinfo=timezone.utc)] + [datetime(2016, 5, d, 12, tzinfo=timezone.utc) for d in range(10, 20)]
    h = holiday_counts(times)
    assert h is not None and h.ru_observed == 1
    assert h.ru_expected == pytest.approx(11 * 1 / 11)  # 11 posts over 9-19 May, one holiday day in the span
    assert holiday_counts([times[0]]) is None


def test_a_span_of_russian_holidays_only_gives_no_holiday_count() -> None:
    """@CornellBurchet (IRA, posing as American) posted 60 times on 6-8 January 2015, all Russian
    New Year holidays: expected and observed were both every post whatever the account did, and the
    item still counted "odds of Russia ÷1.21". Such a span has no working day to compare with:
    no count, on the per-account path and on the columnar one alike; a span with one working day
    keeps its count."""
    import duckdb

    from botwatch.accounts.origin_behaviour_batch import behaviours_of, post_table

    holidays_only = [datetime(2015, 1, d, h, tzinfo=timezone.utc) for d in (6, 7, 8) for h in (10, 13, 17)]
    assert holiday_counts(holidays_only) is None
    with_working_day = holidays_only + [datetime(2015, 1, 9, 12, tzinfo=timezone.utc)]
    h = holiday_counts(with_working_day)
    assert h is not None and h.ru_observed == 9 and h.ru_expected == pytest.approx(10 * 3 / 4)
    con = duckdb.connect()
    con.execute("CREATE TABLE posts (platform VARCHAR, account_id VARCHAR, created_at TIMESTAMP, kind VARCHAR, text VARCHAR, lang VARCHAR)")
    con.executemany("INSERT INTO posts (platform, account_id, created_at, kind, text) VALUES (?, ?, ?, ?, ?)",
                    [("x", "only", t.replace(tzinfo=None), "post", "hello") for t in holidays_only]
                    + [("x", "both", t.replace(tzinfo=None), "post", "hello") for t in with_working_day])
    found = behaviours_of(post_table(con))
    assert found[("x", "only")].holidays is None
    assert found[("x", "both")].holidays == h


def test_corrupt_timestamps_do_not_stretch_the_calendar() -> None:
    good = [datetime(2016, 5, d, 12, tzinfo=timezone.utc) for d in range(1, 21)]
    b = behaviour_of(good + [datetime(9999, 12, 31, 23, tzinfo=timezone.utc), datetime(1970, 1, 1, tzinfo=timezone.utc)], [])
    assert b.holidays == holiday_counts(good)


def test_language_transfer_counts_own_english_prose_only() -> None:
    texts = [
        "The president said that the election is rigged and we will win",  # 2 articles of 12 words
        "RT @someone: the the the the the the the",  # retweet: skipped
        "Вот это да",  # not English
        "Pеople of America are tired of this lying media, go vote",  # Cyrillic 'Р' in 'People'
        "short one",
        None,
    ]
    t = transfer_counts(texts)
    assert t.posts == 2 and t.articles == 2 and t.mixed_words == 1
    assert t.words == 12 + 11


def test_dst_swing_of_countries() -> None:
    assert dst_swing("US") == 1 and dst_swing("GB") == 1 and dst_swing("RU") == 0 and dst_swing("AU") == -1


def test_parameters_are_measured_and_stated() -> None:
    p = parameters()
    assert "development part" in p["measured_on"]
    assert 0 < p["holidays_ru"]["rho_russia"] < p["holidays_ru"]["rho_ordinary"]
    assert p["articles"]["russia"]["mean"] < p["articles"]["ordinary"]["mean"]
    assert all(0 <= v <= 1 for v in p["slopes"].values())


def test_behaviour_items_name_what_moved_the_odds() -> None:
    b = Behaviour(shift=None, holidays=None, transfer=TransferCounts(words=400, articles=2, mixed_words=3, posts=40))
    items = behaviour_items(b, codes(), "US")
    kinds = {i.kind for i in items}
    assert kinds == {"articles", "mixed_letters"}
    assert all("odds of Russia against US ×" in i.sentence for i in items)
    base = origin_posterior(OriginInput(post_langs={"en": 40}, n_posts=40), home="US")
    with_b = origin_posterior(OriginInput(post_langs={"en": 40}, n_posts=40, behaviour=b), home="US")
    assert with_b.probabilities.get("RU", 0) > 5 * base.probabilities.get("RU", 0.001)
    assert any("look-alike" in s for s in with_b.evidence)


def test_naming_the_election_country_does_not_count_against_russia() -> None:
    ru, us = codes().index("RU"), codes().index("US")
    [(kind, v, text)] = evidence_vectors(OriginInput(location="Houston, TX"), home="US")
    assert kind == "location" and v[ru] >= 0.5 * v[us] and "posing" in text
    # Without an election, or naming another country, a place still counts fully.
    [(_, v2, _)] = evidence_vectors(OriginInput(location="Houston, TX"), home=None)
    assert v2[ru] <= 0.01 * v2[us]
    [(_, v3, _)] = evidence_vectors(OriginInput(location="London"), home="US")
    assert v3[ru] <= 0.01 * v3[codes().index("GB")]


def test_neighbouring_cyrillic_tags_are_read_as_detector_noise() -> None:
    ru, ua = codes().index("RU"), codes().index("UA")
    [(_, v, _)] = evidence_vectors(OriginInput(post_langs={"ru": 85, "uk": 15}, n_posts=100))
    assert v[ru] / v[ua] > 0.65  # 0.01 ** 0.15 = 0.50 if a 'uk' tag were impossible in Russia


def test_frozen_split_and_interval_helpers() -> None:
    assert split_of("TEN_GOP") == split_of("ten_gop")  # case-insensitive, fixed
    shares = [split_of(f"acct{i}") for i in range(2000)]
    assert 0.55 < shares.count("dev") / 2000 < 0.65
    _p, lo, hi = wilson(0, 20)
    assert lo == 0 and 0.1 < hi < 0.2
    assert post_bin(300) == "300+" and post_bin(3) == "1-4"
    cal = calibration([(0.1, False), (0.9, True)])
    assert [c["n"] for c in cal] == [1, 1]


def test_behaviour_on_real_ira_accounts(shared_data: Path) -> None:
    """40 real IRA handles of the development part (Russian-language and posing; a fixed choice by
    hash), each cut to 300 posts as the maintainers' test does: taken together, the behavioural
    items must move the odds towards Russia (measured mean on all dev accounts: ×1.45)."""
    import hashlib

    import duckdb

    con = duckdb.connect()
    authors = con.execute("SELECT lower(author_id), account_category FROM read_csv(?, all_varchar=true, header=true)",
                          [str(shared_data / "ira" / "authors.csv.gz")]).fetchall()
    pick = sorted((hashlib.sha1(h.encode()).hexdigest(), h) for h, c in authors
                  if split_of(h) == "dev" and group_of(c, "ira") is not None)
    handles = [h for _, h in pick[:40]]
    rows = con.execute(
        "SELECT lower(author_id), publish_date, content FROM read_csv(?, all_varchar=true, header=true) WHERE lower(author_id) IN "
        f"({', '.join(repr(h) for h in handles)}) ORDER BY md5(concat_ws(chr(31), author_id, publish_date, content))",
        [str(shared_data / "ira" / "tweets.csv.gz")],
    ).fetchall()
    ru, us = codes().index("RU"), codes().index("US")
    moved, with_items = [], 0
    for h in handles:
        mine = [r for r in rows if r[0] == h][:300]
        if len(mine) < 20:
            continue
        times = [datetime.fromisoformat(r[1]).replace(tzinfo=timezone.utc) for r in mine]
        items = behaviour_items(behaviour_of(times, [r[2] for r in mine]), codes(), "US")
        with_items += bool(items)
        moved.append(sum(float(i.log_l[ru] - i.log_l[us]) for i in items))
    assert len(moved) >= 25 and with_items >= 0.8 * len(moved)
    assert sum(moved) / len(moved) > 0, moved


def test_day_tables_are_each_days_answers() -> None:
    # The holiday tables placed from the rules equal each day asked of origin_behaviour.
    import numpy as np

    from botwatch.accounts import origin_behaviour_batch as obb
    from testsupport.accounts_reference import day_tables_per_day

    fast, ref = obb._day_tables(), day_tables_per_day()
    for a, b in zip(fast, ref, strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    assert fast[0].any() and fast[1].any()
    # The near-a-change mask per day number equals `near_change` asked day by day (1995..2030).
    first = (date(1995, 1, 1) - obb._EPOCH).days
    days = np.arange(first, first + 36 * 366)
    per_day = [near_change(datetime(1970, 1, 1, 12, tzinfo=timezone.utc) + timedelta(days=int(d))) for d in days]
    assert np.array_equal(obb._near_change(days), np.array(per_day)) and 0 < sum(per_day) < len(per_day)


def test_behaviour_sentences_count_in_the_singular_and_with_separators() -> None:
    """Evidence read "1 articles (a/an/the) in 325 English words of 48 own posts" and "1199
    articles … of 2564 own posts"; one is now singular and every count has its separators."""
    from botwatch.accounts.origin import codes
    from botwatch.accounts.origin_behaviour import Behaviour, HolidayCounts, TransferCounts
    from botwatch.accounts.origin_signals import behaviour_items

    one = Behaviour(shift=None, holidays=HolidayCounts(1, 0.4, 0, 0.1), transfer=TransferCounts(words=325, articles=1, mixed_words=0, posts=1))
    said = " ".join(i.sentence for i in behaviour_items(one, codes(), "US"))
    assert "language transfer: 1 article (a/an/the) in 325 English words of 1 own post (" in said
    assert "working calendar: 1 post on Russian public holidays" in said
    many = Behaviour(shift=None, holidays=None, transfer=TransferCounts(words=28_506, articles=1_199, mixed_words=0, posts=2_564))
    said = " ".join(i.sentence for i in behaviour_items(many, codes(), "US"))
    assert "1,199 articles (a/an/the) in 28,506 English words of 2,564 own posts" in said


def test_link_remnants_are_not_english_words() -> None:
    """Web-scraped archives keep "pic.twitter.", "amazon.co." and words cut by "…" in the text;
    counted as English words without articles, they made ordinary accounts read like Russian
    writers. The run before "…" or the domain is bounded (`LEAD_MAX`), which keeps the strip
    linear in the text's length (unbounded, one 20,000-character token took 1.7 s)."""
    from botwatch.accounts.origin_behaviour import LEAD_MAX, _STRIP, text_transfer

    assert text_transfer("Come to Sardinia this summer. Book before it is too late!  pic.twitter.") == (11, 0, 0)
    assert text_transfer("Read the news in the times thetimes.co.uk/x and amazon.co. now http…") == (8, 2, 0)
    assert text_transfer("we vote in the spring and in the autumn, Brexi…") == (9, 2, 0)
    long = "x" * (LEAD_MAX + 50) + "\u2026"
    assert _STRIP.sub(" ", long) == "x" * 50 + " "  # only the last LEAD_MAX characters of an overlong token go


def test_posts_tagged_with_another_language_are_not_read_for_articles() -> None:
    """German has "in", "will" and "was": @BerlinBote's German posts passed as English (six Latin
    words, one common English word), 3,427 of them with 4 articles per 1,000 words, and the item
    moved the odds of Russia ×5,340,867. A post the platform tagged with another language is now
    left out of the counts, on every path, whatever its words; untagged posts (scrapes) and English
    or undetermined tags are read by their words (`looks_english`, which now also turns the German
    sentence away: test_untagged_posts_in_other_languages_are_not_read_as_english)."""
    from datetime import datetime

    import duckdb

    from botwatch.accounts import origin_behaviour as ob
    from botwatch.accounts.origin_behaviour_batch import OWN_TEXT_QUERY, counted_posts
    from botwatch.accounts.transfer_sql import post_query

    german = "The police were in Berlin and want to say something about the vote"  # words that pass, tagged German
    english = "The police were in Berlin and want to say something about the vote today"
    assert ob.text_transfer(german)[0] > 0  # the words alone pass as English: the tag decides
    con = duckdb.connect()
    con.execute("CREATE TABLE posts (platform VARCHAR, account_id VARCHAR, created_at TIMESTAMP, kind VARCHAR, text VARCHAR, lang VARCHAR)")
    rows = [("de", german, "de"), ("de_upper", german, "DE"), ("untagged", german, None), ("und", german, "und"),
            ("en", english, "en"), ("en_gb", english, "en-GB"), ("rt", english, "en")]
    con.executemany("INSERT INTO posts VALUES ('x', ?, ?, ?, ?, ?)",
                    [(a, datetime(2017, 9, 1), "retweet" if a == "rt" else "post", t, lang) for a, t, lang in rows])
    words = {a: ob.transfer_counts(texts).words for _, a, _, texts in ob.account_posts(con)}
    assert words["de"] == words["de_upper"] == words["rt"] == 0
    assert words["untagged"] == words["und"] == ob.text_transfer(german)[0] > 0
    assert words["en"] == words["en_gb"] == ob.text_transfer(english)[0] > 0
    sql, params = post_query()
    by_sql = {r[1]: r[3] for r in con.execute(sql, params).fetchall()}
    lake = counted_posts(con.sql(OWN_TEXT_QUERY + " ORDER BY 1, 2, 3").to_arrow_table())
    by_lake = dict(zip(lake.column("account_id").to_pylist(), lake.column("tr_words").to_pylist()))
    assert by_sql == by_lake == words


def test_untagged_posts_in_other_languages_are_not_read_as_english() -> None:
    """An archive without language tags (a scrape, a CSV) is read by its words. One common English
    word made a post English, and German, Italian, Dutch and Swedish write "in" ("will" and "was"
    in German): on the development part 1,354 of 4,727 German-tagged IRA posts passed, with 4.4
    articles per 1,000 words against ordinary English writers' 62, so an untagged German archive
    would read as Russian writers' English. Now a post needs a marker no other language writes
    (or two different shared ones) and fewer other-language words than markers: the same on the
    Python, SQL and lake paths. Sentences written for this test."""
    from datetime import datetime

    import duckdb

    from botwatch.accounts import origin_behaviour as ob
    from botwatch.accounts.origin_behaviour_batch import OWN_TEXT_QUERY, counted_posts
    from botwatch.accounts.transfer_sql import post_query

    other = [
        "Die Polizei war in Berlin und will was sagen über die Wahl heute",
        "Prozess in Rostock: Angeklagter soll vier Jahre in Haft",
        "Zehn Millionen Eier in Niedersachsen zurückgerufen",
        "Stasera in tv, i programmi della prima serata sono questi",
        "Les élections approchent et les sondages bougent encore dans le pays",
        "Las elecciones se acercan y las encuestas cambian cada día en el país",
        "De verkiezingen in Nederland zijn voor het eerst ook online",
        "Valet i Sverige är i september och partierna kampanjar som aldrig förr",
    ]
    english = [
        "Bernie Sanders Was Excellent at the MSNBC Forum last night",
        "The police were in Berlin and want to say something about the vote today",
        "Le Pen and the Dem leader met in Paris on Sunday for a debate",
        "Polls close at 10 p.m. EST and we will know by the morning",
        "who won the debate? I think the governor did well",
    ]
    for t in other:
        assert ob.text_transfer(t) == (0, 0, 0), t
    for t in english:
        assert ob.text_transfer(t)[0] > 0, t
    con = duckdb.connect()
    con.execute("CREATE TABLE posts (platform VARCHAR, account_id VARCHAR, created_at TIMESTAMP, kind VARCHAR, text VARCHAR, lang VARCHAR)")
    con.executemany("INSERT INTO posts VALUES ('x', ?, ?, 'post', ?, NULL)",
                    [(f"{k}{i}", datetime(2017, 9, 1), t) for k, texts in (("o", other), ("e", english)) for i, t in enumerate(texts)])
    words = {a: ob.transfer_counts(texts).words for _, a, _, texts in ob.account_posts(con)}
    sql, params = post_query()
    by_sql = {r[1]: r[3] for r in con.execute(sql, params).fetchall()}
    lake = counted_posts(con.sql(OWN_TEXT_QUERY + " ORDER BY 1, 2, 3").to_arrow_table())
    by_lake = dict(zip(lake.column("account_id").to_pylist(), lake.column("tr_words").to_pylist()))
    assert by_sql == by_lake == words
    assert all(words[f"o{i}"] == 0 for i in range(len(other))) and all(words[f"e{i}"] > 0 for i in range(len(english)))
