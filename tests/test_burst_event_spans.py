"""A burst inside an event's span (polling day's open polls, a pause in campaigning) is labelled
with that event: a us-2016 burst at 22:00 UTC on election day, eleven hours into the polling
span, was labelled "-10" hours from "Trump declared the winner", the event that came after it.

The report's bursts table says it as the stage chose it: it gives hours from the event's start,
and hid every burst more than 72 of them after that start as "none within 72 h", though the
burst fell inside a long event or a day or two after its end."""

from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from botwatch.elections import load_election
from botwatch.report.sections import render
from botwatch.timeline import bursts as bursts_mod
from botwatch.timeline.bursts import nearest_event
from botwatch.timeline.report import _event_relation
from botwatch.timeline.series import series_label
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


# -- the report's bursts table ------------------------------------------------------------------------
UK = load_election("uk-ge2017")
PAUSE = "National campaigning suspended after the Manchester attack"
# A user's file with a week-long event (a postal-voting week, say), and one instant.
WEEK = SimpleNamespace(events=[SimpleNamespace(at=datetime(2021, 3, 1), end=datetime(2021, 3, 8), label="Postal voting week"),
                               SimpleNamespace(at=datetime(2021, 3, 20, 18), end=None, label="Debate")])


def _row(peak: datetime, election: Any) -> tuple[Any, ...]:
    """A bursts-table row for a peak hour as the stage stores it and `burst_rows` reads it back."""
    events = [(e.at, e.label) for e in election.events]
    ev, at, hrs = bursts_mod.nearest_event(peak, events, ends=[e.end for e in election.events], width=timedelta(hours=1))
    end = next((e.end for e in election.events if (e.at, e.label) == (at, ev)), None)
    return ([("all", "all posts")], peak, 40, 2.0, 12.0, 40, ev, hrs, _event_relation(peak, ev, hrs, at, end))


def _cells(rows: list[tuple[Any, ...]]) -> list[str]:
    html = str(render("time.html.j2", circ=None, span=(datetime(2017, 5, 1), datetime(2017, 6, 8)), span_words={"in_window": True},
                      election=None, figures=[], events=[], hours="", bursts=rows, tests=[], impact=[], notes=[], max_event_h=72.0,
                      series_label=functools.partial(series_label, None)))
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    return [re.sub(r"(?:\s*<[^>]+>\s*)+", " | ", tr).strip(" |") for tr in body.split("</tr>") if "<td" in tr]


def test_a_burst_after_a_long_events_end_names_it_with_hours_from_its_start() -> None:
    # uk-ge2017's three-day pause after the Manchester attack ended 2017-05-25 23:00 UTC: a burst 37 h
    # later is near it (the stage stored it), 109 h after the pause began.
    row = _row(datetime(2017, 5, 27, 12), UK)
    assert row[6] == PAUSE and round(row[7]) == 109 and row[7] > bursts_mod.NEAREST_EVENT_H
    (cell,) = _cells([row])
    assert f"{PAUSE} | +109, after its end" in cell, cell
    assert "none within" not in cell


def test_a_burst_inside_a_long_event_is_during_it() -> None:
    row = _row(datetime(2021, 3, 5, 12), WEEK)  # 108 h into the week
    (cell,) = _cells([row])
    assert "Postal voting week | +108, during it" in cell, cell


def test_near_an_instant_it_gives_the_hours_alone_and_far_from_every_event_none() -> None:
    near, far = _row(datetime(2021, 3, 21, 6), WEEK), _row(datetime(2021, 4, 30), WEEK)
    assert far[6] is None
    a, b = _cells([near, far])
    assert a.endswith("Debate | +12"), a
    assert b.endswith("none within 72 h | —"), b
    start = _row(datetime(2021, 3, 20, 18), WEEK)  # the peak hour the event starts in: 0, no "during it" beside it
    assert _cells([start])[0].endswith("Debate | 0")



# -- the relation comes from what the stage stored, not from today's election file ---------------
def _stored(path: Any, with_end: bool = True):  # type: ignore[no-untyped-def]
    """A study whose bursts table holds the uk-ge2017 burst 37 h after the pause ended, as the stage
    stored it (`with_end=False`: as a study analysed before the stage kept the event's end)."""
    from botwatch.study import open_study

    st = open_study(path, read_only=False)
    end_col = ", event_end TIMESTAMP" if with_end else ""
    st.sql("CREATE TABLE bursts (freq VARCHAR, dimension VARCHAR, value VARCHAR, peak_at TIMESTAMP, peak_posts BIGINT, baseline DOUBLE, "
           f"z DOUBLE, posts BIGINT, event VARCHAR, event_at TIMESTAMP{end_col}, hours_from_event DOUBLE)")
    pause = next(e for e in UK.events if e.label == PAUSE)
    peak = datetime(2017, 5, 27, 12)
    hours = (peak - pause.at) / timedelta(hours=1)
    end = [pause.end] if with_end else []
    st.sql(f"INSERT INTO bursts VALUES ('hour', 'all', 'all posts', ?, 40, 2.0, 12.0, 40, ?, ?{', ?' if with_end else ''}, ?)",
           [peak, PAUSE, pause.at, *end, hours])
    return st


def _edited_uk() -> Any:
    """uk-ge2017 as a user's copy edited after the bursts stage ran: the pause moved a day later."""
    import dataclasses

    events = tuple(dataclasses.replace(e, at=e.at + timedelta(days=1), end=e.end + timedelta(days=1)) if e.label == PAUSE else e
                   for e in UK.events)
    return dataclasses.replace(UK, events=events)


def test_the_relation_is_read_from_the_stored_event_not_the_edited_file(tmp_path: Any) -> None:
    """Matched by label and start in the current election file, an edited file lost the stored
    event: the burst read "+109" with no "after its end", beside a caption saying 72 h."""
    from botwatch.timeline.report import burst_rows

    st = _stored(tmp_path / "s.duckdb")
    try:
        (row,) = burst_rows(st, (datetime(2017, 5, 1), datetime(2017, 6, 8)), election=_edited_uk())
    finally:
        st.close()
    assert row[6] == PAUSE and round(row[7]) == 109 and row[8] == "after_end", row
    assert f"{PAUSE} | +109, after its end" in _cells([row])[0]


def test_a_study_stored_without_the_events_end_reads_it_from_the_election_file(tmp_path: Any) -> None:
    """A study analysed before the stage stored `event_end` has only the election file to say
    where the end is, as the report read it before: it gave "+109" alone, under a caption of 72 h.
    An edited file that lost the event leaves the hours alone."""
    from botwatch.timeline.report import burst_rows

    st = _stored(tmp_path / "s.duckdb", with_end=False)
    try:
        (row,) = burst_rows(st, (datetime(2017, 5, 1), datetime(2017, 6, 8)), election=UK)
        (edited,) = burst_rows(st, (datetime(2017, 5, 1), datetime(2017, 6, 8)), election=_edited_uk())
    finally:
        st.close()
    assert row[8] == "after_end", row
    assert f"{PAUSE} | +109, after its end" in _cells([row])[0], _cells([row])
    assert edited[8] is None and _cells([edited])[0].endswith(f"{PAUSE} | +109"), _cells([edited])


def test_an_event_label_is_shown_not_obeyed() -> None:
    """The label comes from the user's election file: a right-to-left override in it would reverse
    the rest of the table row. The template prints it bare; the environment's `finalize`
    (`sections._shown`) shows it as a visible tag, as it does every plain string a template prints."""
    row = ([("all", "all posts")], datetime(2021, 3, 21, 6), 40, 2.0, 12.0, 40, "Debate \u202eetabed", 12.0, None)
    (cell,) = _cells([row])
    assert "Debate ⟨U+202E⟩etabed | +12" in cell, cell
    assert "\u202e" not in cell
