"""A labelled study planted for the estimates' tests: many accounts (zipf posts: most write one
or two, every fiftieth hundreds), stances, sentiment and account scores, only the columns the
estimates stage reads. Code paths only: nothing may be fitted or tuned on it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import pyarrow as pa

from botwatch.elections import load_election

US = load_election("us-2016")


def plant_study(st: Any, accounts: int = 1500, seed: int = 3) -> int:
    """A labelled study of `accounts` accounts (zipf posts: most write one or two, a few hundreds)
    with stances, sentiment and account scores; only the columns the estimates read. Code paths
    only: nothing is fitted to it. Returns the number of in-election post rows."""
    rng = np.random.default_rng(seed)
    start, _ = US.window_utc()
    parties = [p.key for p in US.parties]
    labels: dict[str, list[Any]] = {k: [] for k in ("platform", "account_id", "created_at", "in_election", "sentiment", "parties")}
    party: dict[str, list[Any]] = {k: [] for k in ("platform", "account_id", "created_at", "in_election", "party", "stance", "sentiment")}
    for a in range(accounts):
        for _ in range(int(rng.zipf(2.0)) if a % 50 else int(rng.integers(50, 300))):
            at = start + timedelta(minutes=int(rng.integers(0, 60 * 24 * 70)))
            senti = None if rng.random() < 0.2 else float(np.round(rng.uniform(-1, 1), 2))
            named = [p for p in parties if rng.random() < 0.4]
            inside = bool(rng.random() < 0.9)
            for k, v in zip(labels, ("twitter", f"a{a}", at, inside, senti, named)):
                labels[k].append(v)
            for p in named:
                for k, v in zip(party, ("twitter", f"a{a}", at, inside, p, str(rng.choice(["support", "oppose", "neutral"])), senti)):
                    party[k].append(v)
    st.write_table("post_labels", pa.table(labels, schema=pa.schema([("platform", pa.string()), ("account_id", pa.string()), ("created_at", pa.timestamp("us")),
                                                                     ("in_election", pa.bool_()), ("sentiment", pa.float64()), ("parties", pa.list_(pa.string()))])))
    st.write_table("post_party", pa.table(party, schema=pa.schema([("platform", pa.string()), ("account_id", pa.string()), ("created_at", pa.timestamp("us")),
                                                                   ("in_election", pa.bool_()), ("party", pa.string()), ("stance", pa.string()), ("sentiment", pa.float64())])))
    ids = [f"a{a}" for a in range(accounts)]
    st.write_table("account_scores", pa.table({
        "platform": ["twitter"] * accounts, "account_id": ids,
        "bot_probability": [0.9 if a % 3 == 0 else 0.1 for a in range(accounts)],
        "origin_country": ["RU" if a % 4 == 0 else "US" for a in range(accounts)],
        "origin_probability": [0.8] * accounts,
        "origin_probabilities": ['{"RU": 0.8, "US": 0.2}' if a % 4 == 0 else '{"US": 0.9, "RU": 0.1}' for a in range(accounts)],
    }))
    return sum(labels["in_election"])
