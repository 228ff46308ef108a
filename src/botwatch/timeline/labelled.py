"""The election the posts were labelled for must be the one a stage runs with.

`post_labels` and `post_party` hold one election's parties and stances (the content stage's
`--election`). A timeline or impact stage run with another election found none of its parties in
them and reported "ok, 0 rows": a silent wrong answer. The stages that read the labels call
`require_labels_for` first and stop with a `PipelineError` (one line from the CLI) that says what to run.
"""

from __future__ import annotations

from typing import Any

from botwatch.pipeline import Context, PipelineError
from botwatch.shown_text import shell_shown


def require_labels_for(study: Any, ctx: Context, stage: str) -> None:
    """Raise PipelineError when `post_labels` holds posts labelled for an election other than
    `ctx.election` (no election given, or no labels yet: nothing to compare, nothing raised)."""
    if ctx.election is None or "post_labels" not in set(study.tables()) or "election" not in study.columns("post_labels"):
        return  # a post_labels made by hand (tests, plug-ins) without the column says nothing to compare
    key = ctx.election.key
    labelled = sorted(str(r[0]) for r in study.sql("SELECT DISTINCT election FROM post_labels LIMIT 3"))
    if labelled and labelled != [key]:
        where = shell_shown(path) if (path := getattr(study, "path", None)) else "STUDY"
        raise PipelineError(
            f"{stage}: the posts are labelled for {', '.join(labelled)}, not {key}, so no party of {key} would be found. "
            f"Label them first with `botwatch analyze {where} --election {key} --only content`, then run {stage} again "
            f"(or run {stage} with --election {labelled[0]})"
        )
