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
        content = _content_params(study)
        then = content.get("election_file") if content.get("election") == labelled[0] else None
        now = _election_option(key, getattr(ctx.election, "path", None))
        from botwatch.elections.contest import contest_words

        # "side" for a referendum, as every other line of the command says it
        why = f"{stage}: the posts are labelled for {', '.join(labelled)}, not {key}, so no {contest_words(ctx.election).one} of {key} would be found. "
        raise PipelineError(
            why + f"Label them first with `botwatch analyze {where} --election {now} --only content`, "
            f"then run {stage} again (or run {stage} with --election {_election_option(labelled[0], then)})",
            why + f"Label them first with botwatch.api.analyze(study, election={key!r}, only=['content']), then run {stage} again "
            f"(or run {stage} with election={labelled[0]!r})",
        )


def _election_option(key: str, file: Any) -> str:
    """What `--election` takes for the election `key`: the key of a shipped preset, else its TOML
    file as given (shell-quoted) when it is there, else a word saying to name that file. `--election
    my-e` for a user's own election ended in "no preset named 'my-e'" when pasted."""
    from pathlib import Path

    from botwatch.elections.model import list_presets

    if key in list_presets():
        return key
    if isinstance(file, str) and file and Path(file).is_file():
        return shell_shown(file)
    return f"FILE (the TOML file of election {key})"


def _content_params(study: Any) -> dict[str, Any]:
    """The latest successful content run's parameters ({} without one)."""
    from botwatch.runs_table import latest_by_stage

    try:
        return latest_by_stage(study).get("content") or {}
    except Exception:  # noqa: BLE001 - no readable record: the hint names the file in words
        return {}
