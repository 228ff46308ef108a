"""What the report knows about a study beyond its tables: the election and sample rate it was
analysed with, and which optional tables exist.

`botwatch report` is given only the study file, so the election and `--sample-rate` are read back
from the `runs` table (every stage run records its parameters). Sections read them from `ctx`
instead of each parsing `runs` again.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from botwatch.study import Study


def latest_params(study: Study) -> dict[str, Any]:
    """Parameters of the most recent successful `analyze` runs, merged (newest wins)."""
    from botwatch.runs_table import merged_params

    return merged_params(study)


def report_context(study: Study, ctx: dict[str, Any] | None = None) -> dict[str, Any]:
    """Fill the report context: `tables`, `election` (Election or None; None when the study was last
    analysed with --no-election, which `no_election` then says), `sample_rate` (float or None),
    `params` (merged run parameters). Values already in `ctx` win, so a caller (or a
    test) can pass the election explicitly."""
    ctx = dict(ctx or {})
    ctx.setdefault("tables", set(study.tables()))
    params = latest_params(study)
    ctx.setdefault("params", params)
    if "reshare" not in ctx:  # the platform's word for a post passed on ("boost" on Mastodon), not always "retweet"
        from botwatch.reshare_words import study_reshare

        ctx["reshare"] = study_reshare(study)
    if "election" not in ctx:
        ctx["election"] = None
        from botwatch.elections import ElectionError
        from botwatch.elections.recorded import NO_ELECTION, recorded_election, study_election_record

        try:
            # The merged parameters keep the election of the stages `--no-election` skips (content,
            # estimates: a no-election run records none, which does not override it), so a report on
            # a study last analysed with --no-election was still titled for that older election.
            ctx["no_election"] = study_election_record(study) == NO_ELECTION
        except ElectionError:
            ctx["no_election"] = False  # different elections: the banner names them (mixed_elections)
        try:
            if not ctx["no_election"]:
                ctx["election"] = recorded_election(params)
        except (ElectionError, OSError):
            ctx["election"] = None
            # Named by the runs but not loadable (a user's file, from before the study kept its text):
            # the sections say so rather than "no election was given".
            ctx["election_unloaded"] = params.get("election")
    if "sample_rate" not in ctx:
        rate = params.get("sample_rate")
        if "estimates" in ctx["tables"]:
            # The rate of the estimates the report shows, not the newest rate any run recorded: a
            # plain `estimate` after `analyze --sample-rate 0.01` left Methods saying "run with a
            # sample rate of 1.00%" beside the Parties section's "No sample rate was given".
            rows = study.sql("SELECT DISTINCT sample_rate FROM estimates")
            rate = rows[0][0] if len(rows) == 1 else None
        ctx["sample_rate"] = float(rate) if isinstance(rate, (int, float)) and 0 < rate <= 1 else None
    return ctx


def study_label(path: str | Path) -> tuple[str, str]:
    """(stem, name) of a study's path for the title and the commands the report prints: a lake
    may be a URL (`s3a://bucket/ge2017/`), which `Path` would mangle."""
    text = str(path)
    p = PurePosixPath(text.rstrip("/")) if "://" in text else Path(text)
    return p.stem, p.name
