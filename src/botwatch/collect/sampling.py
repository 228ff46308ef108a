"""Deterministic sampling by post id: two collectors given the same rate keep the same posts.

A post is kept when the first 64 bits of BLAKE2b(post id) fall below `rate * 2**64`. The hash is
keyed by nothing but the id, so the decision does not depend on arrival order, on restarts or on
which machine collects, and a 1% capture is a uniform 1% of whatever the filter let through (which
is what the Horvitz-Thompson scale-up in `estimates` assumes).
"""

from __future__ import annotations

import hashlib

_SPACE = 1 << 64


def threshold(rate: float) -> int:
    """The integer below which a hashed id is kept (`2**64` keeps everything)."""
    if not 0 < rate <= 1:
        raise ValueError(f"sample rate must be in (0, 1], got {rate}")
    return _SPACE if rate >= 1 else int(rate * _SPACE)


def id_hash(post_id: str) -> int:
    """The 64-bit hash of a post id that sampling compares with the threshold."""
    return int.from_bytes(hashlib.blake2b(post_id.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


def keep(post_id: str, rate: float) -> bool:
    """Whether a post with this id is in the sample at this rate."""
    return rate >= 1 or id_hash(post_id) < threshold(rate)
