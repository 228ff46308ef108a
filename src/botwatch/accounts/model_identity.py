"""Which earlier shipped bot-model files score exactly as the shipped one does.

Why: a study records the SHA-256 of the model file that scored it, and the report quotes the
shipped model's validation only for that file, warning "made with another bot model file … run
`botwatch analyze` again" for any other. A release that rewrites the shipped file without changing
a single score (its meta grew: the held-out counts of 2026-12-05) then told every study scored by
the previous release that its probabilities were some unknown model's. The file's hash names the
file; what decides a score is the trees, the calibration, the feature list and the few meta fields
the scoring reads (the reference ages for an account of unknown age, the feature ranges of the
out-of-distribution check, the two interval half-widths). `scoring_digest` hashes exactly those,
and `EARLIER_SHIPPED` lists earlier shipped files with their digest: one whose digest is the
shipped file's digest is the same model for every purpose but its file bytes.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

# Earlier shipped files (SHA-256 of the file) → their `scoring_digest`, computed from the files in
# git history (`git show REV:src/botwatch/accounts/models/bot_model.json.gz`). Only entries whose
# digest equals the shipped file's count (`same_scores_as_shipped`), so a release that changes the
# trees leaves them inert rather than wrong.
# Emptied on 2026-12-07 (twice): the model retrained with stclab's "None"/"null" links read as no
# link scores differently, so no earlier file scores as it does (51a0230's file, listed until then,
# included); and so does the one retrained without the everyday "random" and "by @handle" as
# automation words, so 3018eb68's file (the location dropped; listed until then for its meta-only
# rewrite of that day) is no longer the shipped model either.
EARLIER_SHIPPED: dict[str, str] = {}


def scoring_digest(data: dict[str, Any]) -> str:
    """SHA-256 over what decides a score and its interval: the booster, calibration, features and
    format, and of the meta the reference ages, the feature ranges and the two half-widths."""
    from botwatch.accounts.ood import age_unknown_band, band_from_meta

    meta = data.get("meta") or {}
    parts = {k: data.get(k) for k in ("booster", "calibration", "features", "format")}
    parts["meta"] = {"age_reference": meta.get("age_reference"), "feature_ranges": meta.get("feature_ranges"),
                     "band": band_from_meta(meta), "age_unknown_band": age_unknown_band(meta)}
    return hashlib.sha256(json.dumps(parts, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def shipped_scoring_digest() -> str:
    """`scoring_digest` of the shipped file (empty when it cannot be read)."""
    from botwatch.accounts.botmodel import _read_version

    try:
        return scoring_digest(_read_version(None, None)[0])
    except Exception:  # noqa: BLE001 - no shipped model to compare with: nothing is the same
        return ""


def same_scores_as_shipped(sha: str | None) -> bool:
    """Whether the file with SHA-256 `sha` is an earlier shipped file that scores exactly as the
    shipped one (`EARLIER_SHIPPED`)."""
    digest = EARLIER_SHIPPED.get(sha or "")
    return bool(digest) and digest == shipped_scoring_digest()
