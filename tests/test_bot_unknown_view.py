"""`retrain.unknown_view_loso`: each held-out source scored as it is and as a v2 study reads it.

Why: the count of likely automated accounts on real, mostly human v2 samples read high (issue 12),
and whether the model's count runs high where likes and the profile theme are unknown must be
measured on labelled accounts read that way. The frames here are made up and only exercise the
code path (nothing is fitted to them that ships); the figures come from
`scripts/train_bot_model.py --v2-view` on the real sources.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from botwatch.accounts.retrain import V2_UNKNOWN, unknown_view_loso

FEATURES = ["log_likes", "log_age_days", "has_url"]


def _frames() -> list[pd.DataFrame]:
    rng = np.random.default_rng(0)
    out = []
    for src in ("a", "b", "c"):
        y = np.repeat([0, 1], 40)
        out.append(pd.DataFrame({"log_likes": rng.normal(6 - 4 * y, 1), "log_age_days": rng.normal(8 - 1.5 * y, 0.5),
                                 "has_url": (rng.random(80) < 0.7 - 0.4 * y).astype(float), "label": y, "source": src}))
    return out


def test_each_source_is_read_as_it_is_and_with_the_v2_gaps() -> None:
    rows = unknown_view_loso(_frames(), FEATURES, unknown=V2_UNKNOWN)
    assert [r["held_out"] for r in rows] == ["a", "b", "c"]
    for r in rows:
        assert (r["n"], r["bots"]) == (80, 40)
        for view in ("as_is", "unknown"):
            cell = r[view]
            assert set(cell) == {"auc", "ece", "mean_p", "counted_share", "humans_counted_share"}
            assert 0.0 <= cell["humans_counted_share"] <= cell["counted_share"] * 2  # humans are half the rows
        # Likes separate the made-up classes; without them the ranking rests on age and the link alone.
        assert r["as_is"]["auc"] != r["unknown"]["auc"]


def test_the_v2_gaps_are_the_fields_a_v2_user_object_lacks() -> None:
    assert set(V2_UNKNOWN) == {"log_likes", "log_likes_per_day", "default_profile"}
    with pytest.raises(KeyError):  # a feature the frames lack is an error, not a silent NaN column
        unknown_view_loso(_frames(), [*FEATURES, "default_profile"])
