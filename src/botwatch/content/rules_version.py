"""Which rules in code made a study's content labels (`post_party` stance, `post_labels` sentiment).

Why: the content stage recorded the SHA-256 of its model files, so labels made with other files
were said to be out of date (`report.staleness.content_model_changed`), but a change to the
stance or sentiment rules in code changes the labels just as much and was never said: a report
could quote this release's macro-F1 beside labels made by older rules. The content stage records
`CONTENT_RULES_VERSION` in its run's parameters, and the staleness check compares it.

Bump the version whenever a change to the code moves any label, and say below which change each
bump was for:

1. A not-negative quote of one side's account cancels with the other side's pro cue
   (`content.stance` `rival_cues_cancel`, extended to quotes on 2026-12-07). Runs before it
   recorded no version.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

CONTENT_RULES_VERSION = 1
CONTENT_RULES_VERSION_KEY = "content_rules_version"

# When version 1's rule first existed (the author date of the change, UTC, naive as the study's
# times are). A content run that recorded no version and started before it was made by older rules
# for certain; one that started after it ran this release's code before the version was recorded
# (its labels are current), or an older install run later, which the run cannot tell apart: it is
# not said to be out of date, as a run that recorded no model hashes is not (`content_model_changed`).
UNRECORDED_BEFORE = datetime(2026, 12, 7, 16, 0, 20)


def recorded_rules_version(params: dict[str, Any], started_at: Any) -> int | None:
    """The rules version a content run was made with: the one it recorded, else 0 for a run that
    started before version 1 existed, else None (recorded none, and cannot be told: said current)."""
    got = params.get(CONTENT_RULES_VERSION_KEY)
    if isinstance(got, int) and not isinstance(got, bool):
        return got
    if got is None and isinstance(started_at, datetime):
        utc = started_at.astimezone(timezone.utc).replace(tzinfo=None) if started_at.tzinfo is not None else started_at
        return 0 if utc < UNRECORDED_BEFORE else None
    return None
