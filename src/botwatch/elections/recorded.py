"""The election a study was analysed with, as its `runs` table records it.

A shipped preset is found again by its key. A user's own TOML file is not: its key names no preset,
and the file may have moved, been edited or never been shared with the study. Each stage run
therefore records such a file's text (`election_toml`) beside its key, and the report, `accounts`,
`explain` and `impact` rebuild the election from that text. Without it the report of a study
analysed with `--election my.toml` said "No election was given" and left out the parties section.
"""

from __future__ import annotations

from typing import Any

from botwatch.elections.model import Election, ElectionError, election_from_text, load_election, refuse_edited_preset


def run_params(election: Any) -> dict[str, Any]:
    """The `runs.params` entries that let the election be loaded again later."""
    key = getattr(election, "key", None)
    if isinstance(election, Election) and not election.shipped and election.text:
        return {"election": key, "election_file": election.path, "election_toml": election.text}
    return {"election": key}


def recorded_election(params: dict[str, Any]) -> Election | None:
    """The election `params` (merged run parameters) name, or None when they name none.

    Raises `ElectionError` when the key names no preset and no text was recorded for it (a study
    analysed before the text was recorded), so a caller can say so instead of guessing; and when the
    recorded text uses a shipped preset's key but differs from that preset (written by hand or by
    the API, since `load_election` refuses such a file), which would pass for the preset."""
    key = params.get("election")
    if not isinstance(key, str):
        return None
    text = params.get("election_toml")
    # Merged parameters keep an older run's text: use it only for the key the latest run named.
    if isinstance(text, str) and text:
        where = f"the study's record of {params.get('election_file') or key}"
        try:
            recorded = election_from_text(text, where)
        except ElectionError:
            recorded = None
        if recorded is not None and recorded.key == key:
            refuse_edited_preset(recorded, where)  # as load_election refuses such a file
            return recorded
    return load_election(key)


def stage_election(study: Any, stage: str) -> Election | None:
    """The election the latest successful run of `stage` used (None when there is none or it cannot
    be loaded): a section that must match one table's election reads that stage's own record."""
    import json

    rows = study.sql("SELECT params FROM runs WHERE stage = ? AND status = 'ok' ORDER BY finished_at DESC LIMIT 1", [stage])
    if not rows:
        return None
    try:
        params = json.loads(rows[0][0] or "{}")
        return recorded_election(params) if isinstance(params, dict) else None
    except (ValueError, ElectionError, OSError):
        return None
