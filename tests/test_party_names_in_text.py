"""Text for readers names a party as its election does ("Labour", "support for Labour"), not by
its key in Python's quotes: the impact notes said "20 posts name 'libertarian' in the window" and
the "When" section's series "party_stance: democrat:support". The stored keys and numbers stay as
they were; only the words change. A key the election does not know is printed as written."""

from __future__ import annotations

import re

import pytest

from botwatch.elections import party_name
from botwatch.pipeline import Context, analyze
from botwatch.timeline.groups import AUTOMATED
from botwatch.timeline.series import NOT_MEASURED, series_label

from test_timeline import election, synth_study  # noqa: F401  (fixture)


def _plain(html: object) -> str:
    return re.sub(r"\s+", " ", re.sub("<[^>]+>", "", str(html)))


def test_a_party_is_named_by_its_election_and_an_unknown_key_as_written() -> None:
    el = election()
    assert party_name(el, "labour") == "Labour"
    assert party_name(el, "pirate") == "pirate"  # not in this election: the key, without quotes
    assert party_name(None, "labour") == "labour"  # no election at hand


def test_series_labels_say_party_stance_and_group_in_words() -> None:
    el = election()
    assert series_label(el, "party", "labour") == "party: Labour"
    assert series_label(el, "party_stance", "labour:support") == "stance: support for Labour"
    assert series_label(el, "party_stance", "conservative:oppose") == "stance: opposition to Conservatives"
    assert series_label(el, "party_stance", "labour:neutral") == "stance: neutral about Labour"
    assert series_label(el, "party_stance", f"labour:{NOT_MEASURED}") == "stance: Labour, stance not measured"
    assert series_label(el, "party_group", f"labour | {AUTOMATED}") == "party and group: Labour, by likely automated accounts"
    assert series_label(None, "party_stance", "green:support") == "stance: support for green"
    assert series_label(el, "automated", AUTOMATED) == f"automated: {AUTOMATED}"


def test_the_time_section_and_the_stored_impact_notes_name_parties(synth_study) -> None:  # type: ignore[no-untyped-def]
    from botwatch.timeline.report import time_section

    st = synth_study
    el = election()
    analyze(st, Context(election=el, log=lambda m: None), only=["timeline", "bursts", "impact"])
    # Conservatives have no post: the impact stage's stored note names them as the election does.
    notes = [n for (n,) in st.sql("SELECT note FROM timeline_notes WHERE stage = 'impact'")]
    assert "No posts about Conservatives in the window." in notes, notes
    assert not any("'conservative'" in n or "'labour'" in n for n in notes), notes
    # The stored keys are unchanged.
    assert {p for (p,) in st.sql("SELECT DISTINCT party FROM impact")} <= {"labour"}
    assert st.sql("SELECT count(*) FROM event_tests WHERE dimension = 'party_stance' AND value = 'labour:oppose'")[0][0] == 1
    sec = time_section(st, {"election": el})
    assert sec is not None
    text = _plain(sec.html)
    assert "party_stance:" not in text and "labour:oppose" not in text and "labour | " not in text
    assert "stance: opposition to Labour" in text and "party: Labour" in text
    # The "By party" chart's line and legend: the name, not the key.
    assert "<title>Labour</title>" in str(sec.html) and "<title>labour</title>" not in str(sec.html)
    if st.sql("SELECT count(*) FROM impact")[0][0]:
        impact = text[text.index("Impact: do automated accounts lead"):]
        assert "posts naming labour" not in impact and ">labour<" not in str(sec.html) and "every post naming Labour" in impact
        heads = [_plain(h) for h in sec.headline if "Granger" in str(h)]
        assert all(h.startswith("About Labour,") for h in heads), heads
