"""stclab's `status` cell (the account's latest status, kept as text) says when its profile was
observed; account age and every per-day rate are measured then.

Before, only a Python-repr status whose `created_at` was written `'created_at': '...'` was read
(401 of 1,472 rows), and by a pattern that took the first such key in the text: in a retweet that
is the retweeted status's time, not the account's. Now JSON, Python literals (Python 2's `u'...'`
too) and tweepy's `Status(...)` repr are parsed and only the top-level `created_at` is taken;
cells that give no time are counted by why, and nothing raises (status_field.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from botwatch.accounts.labelled import STCLAB_COLLECTED, load_stclab, observation_time, observation_times, status_unread
from botwatch.accounts.status_field import parse_status, status_times

SLICE = Path(__file__).parent / "fixtures" / "accounts" / "stclab_status_slice.csv"

# screen_name → the top-level created_at of its status (read by eye from the fixture), or None.
WANT = {
    "Mariana_m01": "2017-03-12 20:20:15",     # JSON
    "pipika_bot": "2017-03-14 02:46:03",      # Python repr, created_at first
    "MateenYasin": "2014-10-15 07:01:20",     # Python repr of a retweet: the retweeted status (06:44:36) comes first
    "zacf_129979472": "2010-10-09 00:30:45",  # Python 2 repr (u'...'), an account quiet since 2010
    "everywordisgay": "2017-03-12 20:25:29",  # Python 2 repr
    "mhzhai": "2010-08-05 07:21:07",          # tweepy Status(_api=..., _json={...})
    "big_ben_clock": "2017-03-13 14:03:03",   # tweepy Status(contributors=..., ..., _json={u'...'})
    '"DigitalSkyz"': None,                    # JSON broken by unescaped quotes in `source`
    "weijmarshausen": None,                   # a bare tweet text
    "J_C_Christensen": None,                  # None
    "DivinaCooperi": None,                    # null
    "m_h_nishimura": None,                    # empty
}


def _slice() -> pd.DataFrame:
    return pd.read_csv(SLICE, dtype=str, keep_default_na=False, na_values=[""])


def test_each_spelling_of_the_status_gives_its_own_top_level_time() -> None:
    raw = _slice()
    got = dict(zip(raw["screen_name"], observation_time(raw)))
    assert set(got) == set(WANT)
    for handle, want in WANT.items():
        if want is None:
            assert pd.isna(got[handle]), handle
        else:
            assert got[handle] == pd.Timestamp(want), handle


def test_cells_without_a_time_are_counted_by_why() -> None:
    _, counts = observation_times(_slice())
    assert counts == {"json": 1, "python literal": 4, "tweepy repr": 2, "unreadable": 1, "not a status": 1, "empty": 3}
    assert status_unread(counts) == {"unreadable": 1, "not a status": 1, "empty": 3}


@pytest.mark.parametrize("cell", [
    "{", "}", "{'created_at': ", "Status(_json={'created_at': 'x'", "Status(_json=[1, 2])", "Status(_json=",
    "{'created_at': 5}", "{'user': {'created_at': 'Mon Mar 13 22:35:37 +0000 2017'}}", "[1, 2, 3]", '"text"',
    "{" * 5000 + "}" * 5000, "Status(_json=" + "{'a': " * 3000 + "1" + "}" * 3000 + ")", "\x00\x1b[31m", 17, None, float("nan"),
    "{'created_at': __import__('os').getcwd()}",
])
def test_odd_cells_give_no_time_and_never_raise(cell: object) -> None:
    times, counts = status_times([cell])
    assert times == [None] and sum(counts.values()) == 1


def test_a_tweepy_repr_with_braces_inside_its_text_is_cut_at_the_right_brace() -> None:
    cell = ("Status(_api=<tweepy.api.API object at 0x1>, _json={'text': 'a } and { b )', 'created_at': 'Mon Mar 13 22:35:37 +0000 2017'}, "
            "text='a } and { b )', author=User(_api=<tweepy.api.API object at 0x1>))")
    status, how = parse_status(cell)
    assert how == "tweepy repr" and status is not None and status["created_at"] == "Mon Mar 13 22:35:37 +0000 2017"


@pytest.mark.shared_data
def test_stclab_measures_most_accounts_at_their_own_status(shared_data: Path) -> None:
    s = load_stclab(shared_data / "labelled" / "stclab")
    read = s.attrs["status_read"]
    assert read["json"] + read["python literal"] + read["tweepy repr"] == 1162  # of 1,472 rows (401 before)
    assert s.attrs["observed_at_own_status"] == 1157  # of 1,467 accounts once duplicate handles are dropped
    # An account made in 2009 and quiet since 2010 is measured at its last status (~541 days old),
    # not at the set's collection date (~2,900 days).
    quiet = s[s["handle"] == "zacf_129979472"]
    assert len(quiet) == 1 and 500 < quiet["age_days"].iloc[0] < 600
    assert (STCLAB_COLLECTED - pd.Timestamp("2010-10-09")).days > 2000
