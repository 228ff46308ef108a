"""A burst inside an event's span (polling day's open polls, a pause in campaigning) is labelled
with that event: a us-2016 burst at 22:00 UTC on election day, eleven hours into the polling
span, was labelled "-10" hours from "Trump declared the winner", the event that came after it."""

from __future__ import annotations

from datetime import datetime

from botwatch.elections import load_election
from botwatch.timeline.bursts import nearest_event
from botwatch.timeline.zones import events_utc


def test_a_burst_during_polling_hours_is_labelled_with_polling_day() -> None:
    us = load_election("us-2016")
    label, at, hours = nearest_event(datetime(2016, 11, 8, 22), events_utc(us), ends=[e.end for e in us.events])
    assert label is not None and label.startswith("Election day") and at == datetime(2016, 11, 8, 11) and hours == 11.0


def test_inside_a_long_span_is_near_it_and_instants_keep_their_old_answer() -> None:
    events = [(datetime(2017, 5, 22, 23), "pause"), (datetime(2017, 5, 30), "debate")]
    ends = [datetime(2017, 5, 30), None]
    at = datetime(2017, 5, 27, 12)  # 109 h into the pause, 60 h before the debate
    assert nearest_event(at, events, ends=ends) == ("pause", datetime(2017, 5, 22, 23), 109.0)
    assert nearest_event(at, events) == ("debate", datetime(2017, 5, 30), -60.0)  # without spans, as before
    assert nearest_event(at, events[:1], ends=ends[:1])[0] == "pause"  # inside, though more than 72 h after it began
    assert nearest_event(datetime(2017, 6, 4), events[:1], ends=ends[:1])[0] is None  # 120 h after it ended


def test_an_event_inside_the_peak_hour_is_zero_hours_from_it() -> None:
    """EU referendum file on the ordinary brexit-2016 tweets: the peak hour 03:00 UTC of 24 June
    holds the BBC's forecast of a Leave win (03:40 UTC), and the report read "-1" hours after it,
    as if the burst came an hour before the result."""
    from datetime import timedelta

    hour = timedelta(hours=1)
    events = [(datetime(2016, 6, 24, 2, 25), "count under way"), (datetime(2016, 6, 24, 3, 40), "result")]
    assert nearest_event(datetime(2016, 6, 24, 3), events, width=hour) == ("result", datetime(2016, 6, 24, 3, 40), 0.0)
    assert nearest_event(datetime(2016, 6, 24, 3), events[1:])[2] == -40 / 60  # an instant, as before
    assert nearest_event(datetime(2016, 6, 24, 4), events[1:], width=hour)[2] == 20 / 60  # the hour after it
    assert nearest_event(datetime(2016, 6, 24, 2), events[1:], width=hour)[2] == -100 / 60  # the hour before it
