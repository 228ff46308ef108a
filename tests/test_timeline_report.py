"""The report's "When" section: figures drawn, events marked, numbers with intervals in the
headlines, hostile labels escaped, and a study without other issues' tables still reported."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from botwatch.elections.model import Event
from botwatch.pipeline import Context, analyze
from botwatch.timeline.report import dense_months, time_section

from test_timeline import election, synth_study, write_table  # noqa: F401  (fixture)

HOSTILE = "<img src=x onerror=alert(1)>"


def test_section_shows_every_part_and_escapes_labels(synth_study) -> None:  # type: ignore[no-untyped-def]
    el = election()
    el = dataclasses.replace(el, events=el.events + (Event(datetime(2017, 5, 30, 12), HOSTILE),))
    st = synth_study
    # A hostile cluster id from the coordination tables must come out as text.
    write_table(st, "cluster_members", [dict(cluster_id=HOSTILE, platform="twitter", account_id=f"b{i}") for i in range(10)])
    st.sql("INSERT INTO accounts (account_id, platform, created_at) SELECT DISTINCT account_id, platform, TIMESTAMP '2017-04-25 03:00:00' FROM posts WHERE account_id LIKE 'b%'")
    st.sql("INSERT INTO accounts (account_id, platform, created_at) SELECT DISTINCT account_id, platform, TIMESTAMP '2012-01-01' FROM posts WHERE account_id LIKE 'h%'")
    analyze(st, Context(election=el, log=lambda m: None), only=["timeline", "bursts", "creation", "circadian", "impact"])
    sec = time_section(st, {"election": el})
    assert sec is not None
    html = str(sec.html)
    assert HOSTILE not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert html.count("<svg") >= 6  # timelines, hour of day, creation histogram, circadian histogram
    assert "stroke-dasharray='3,3'" in html  # events drawn on the timelines
    for part in ("Bursts and events", "Creation waves", "Circadian origin", "Circadian fits by account group", "Impact"):
        assert part in html
    heads = " ".join(str(h) for h in sec.headline)
    # The creation wave: all 10 bots created after the trigger, none of the 30 humans.
    assert "100% [72–100%] of the 10 likely automated accounts" in heads
    # The event test leads only where both p and q (Benjamini-Hochberg) are below 0.05.
    led = st.sql("SELECT count(*) FROM event_tests WHERE p_value < 0.05 AND q_value < 0.05 AND dimension <> 'all'")[0][0]
    assert ("× as frequent per hour within 24 h" in heads) == bool(led)


def test_section_without_other_issues_tables(sample_study) -> None:  # type: ignore[no-untyped-def]
    analyze(sample_study, Context(election=None, log=lambda m: None), only=["timeline", "bursts", "circadian"])
    sec = time_section(sample_study, {"election": None})
    assert sec is not None
    html = str(sec.html)
    assert "What this section could not show" in html and "account_scores" in html
    assert "Not computed" in html  # creation and impact need an election / scores


def test_section_absent_without_timeline(sample_study) -> None:  # type: ignore[no-untyped-def]
    assert time_section(sample_study, {}) is None


def test_dense_months_fill_gaps() -> None:
    labels, values = dense_months([(datetime(2016, 11, 1), 3), (datetime(2017, 2, 1), 1)])
    assert labels == ["2016-11", "2016-12", "2017-01", "2017-02"] and values == [3.0, 0.0, 0.0, 1.0]


def test_creation_batches_say_their_clock(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The batches table printed the stored UTC bucket bare ("2017-04-20 04:00:00"), in a section
    whose hour-of-day chart is on the election's local clock."""
    from datetime import timedelta

    import pyarrow as pa

    from botwatch import open_study
    from botwatch.timeline.report import creation_block
    from test_timeline import write_posts

    day = datetime(2017, 4, 20)
    accounts = [dict(account_id=f"t{i}", platform="twitter", created_at=day + timedelta(hours=4, minutes=i)) for i in range(5)]
    with open_study(tmp_path / "c.duckdb", read_only=False) as st:
        write_posts(st, [dict(post_id=f"p{a['account_id']}", platform="twitter", account_id=a["account_id"], created_at=datetime(2017, 5, 1), kind="original")
                         for a in accounts])
        st.con.register("_a", pa.Table.from_pylist(accounts))
        st.sql("INSERT INTO accounts (account_id, platform, created_at) SELECT * FROM _a")
        analyze(st, Context(election=election(), log=lambda m: None), only=["creation"])
        block = creation_block(st, election())
    assert block is not None
    assert [b[:3] for b in block["batches"]] == [("day", "2017-04-20 (UTC day)", 5), ("hour", "2017-04-20 04:00 UTC", 5)]
