"""Events on the last day the timelines show: a study whose posts end on polling day (collection
stopped when the polls closed) had polling day's own events (polls open at 07:00, the exit poll at
22:00) left off every daily chart, and the line over them said "Dashed lines mark the 16 of the
election's 18 key events that fall in these days", though both fall in the last day shown."""

from __future__ import annotations

from datetime import datetime

from botwatch.elections import load_election
from botwatch.timeline.report import span_words
from botwatch.timeline.svg import time_lines


def test_polling_day_events_on_the_last_day_shown_are_drawn_and_counted() -> None:
    uk = load_election("uk-ge2017")
    span = (datetime(2017, 5, 1), datetime(2017, 6, 8))  # UTC days: the posts end on polling day
    words = span_words(span, uk)
    last_day = [e for e in uk.events if e.at >= datetime(2017, 6, 8)]
    assert len(last_day) == 2  # polls open 06:00 UTC, exit poll 21:00 UTC
    in_days = [e for e in uk.events if span[0] <= e.at < datetime(2017, 6, 9)]
    assert words["events_shown"] == len(in_days)
    svg = str(time_lines([("all", None, [(span[0], 1.0), (span[1], 2.0)])], start=span[0], end=span[1],
                         events=[(e.at, e.label) for e in uk.events], events_until=datetime(2017, 6, 9)))
    assert "Polling day: polls open 07:00–22:00" in svg and "Exit poll: hung parliament" in svg
    assert svg.count("<li value=") == len(in_days)
