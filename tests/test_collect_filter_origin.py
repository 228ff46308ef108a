"""The filter's `origin`, which the capture manifest records and `status`, `estimate` and the report
quote ("the Bluesky capture's filter (election … KEY) let through"), names a user's own election
file as a file: it said "election preset us-gop-debate-2015" for a file written by the observer,
a preset botwatch does not ship."""

from __future__ import annotations

from pathlib import Path

from botwatch.collect.filters import PostFilter
from botwatch.elections import load_election

OWN = """key = "gop-debate-2015"
name = "First Republican primary debate 2015"
country = "US"
timezone = "America/New_York"
trigger_date = 2015-06-16
polling_day = 2015-08-06
hashtags = ["GOPDebate"]

[window]
start = 2015-08-06
end = 2015-08-07

[[parties]]
key = "trump"
name = "Donald Trump"
hashtags = ["Trump"]
"""


def test_own_file_is_named_a_file(tmp_path: Path) -> None:
    path = tmp_path / "gop.toml"
    path.write_text(OWN, encoding="utf-8")
    assert PostFilter.build(load_election(path)).origin == "election file gop-debate-2015"
    assert PostFilter.build(load_election(path), hashtags=["Extra"]).origin == "election file gop-debate-2015 and command line"


def test_preset_is_still_named_a_preset() -> None:
    assert PostFilter.build(load_election("uk-ge2017")).origin == "election preset uk-ge2017"
