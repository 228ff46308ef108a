"""The profile facts the bot model reads beyond the canonical columns (likes, lists, website) are
kept in `extra` by every Twitter reader, with the same JSON text, and unknown stays unknown."""

from __future__ import annotations

import json

from botwatch.ingest.twitter_v1 import profile_extra, user_snapshot
from botwatch.ingest.twitter_v1_fast import _snapshot, _User
from botwatch.ingest.twitter_v2 import user_snapshot as v2_snapshot


def test_v1_lenient_and_fast_readers_write_the_same_extra() -> None:
    user = {"id_str": "1", "screen_name": "a", "favourites_count": 12, "listed_count": 3, "url": "https://t.co/x"}
    lenient = user_snapshot(user, None)["extra"]
    fast = _snapshot(_User(**{k: v for k, v in user.items()}), None)["extra"]
    assert lenient == fast == '{"likes_count":12,"listed_count":3,"has_url":true}'
    none = user_snapshot({"id_str": "2", "url": None}, None)["extra"]
    assert json.loads(none) == {"likes_count": None, "listed_count": None, "has_url": False}


def test_v2_reads_public_metrics_and_leaves_an_unrequested_url_unknown() -> None:
    with_url = v2_snapshot({"id": "5", "url": "", "public_metrics": {"listed_count": 4, "like_count": 9}}, None)
    assert json.loads(with_url["extra"]) == {"likes_count": 9, "listed_count": 4, "has_url": False}
    without = v2_snapshot({"id": "6", "public_metrics": {"followers_count": 1}}, None)
    assert json.loads(without["extra"]) == {"likes_count": None, "listed_count": None, "has_url": None}
    assert profile_extra(None, None, None) == '{"likes_count":null,"listed_count":null,"has_url":null}'
