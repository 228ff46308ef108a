"""The election a study was analysed with, as its `runs` table records it.

A shipped preset is found again by its key. A user's own TOML file is not: its key names no preset,
and the file may have moved, been edited or never been shared with the study. Each stage run
therefore records such a file's text (`election_toml`) beside its key, and the report, `accounts`,
`explain` and `impact` rebuild the election from that text. Without it the report of a study
analysed with `--election my.toml` said "No election was given" and left out the parties section.
"""

from __future__ import annotations

from typing import Any, Iterator

from botwatch.elections.model import Election, ElectionError, election_from_text, load_preset, refuse_edited_preset
from botwatch.shown_text import name_shown, shell_word


def run_params(election: Any) -> dict[str, Any]:
    """The `runs.params` entries that let the election be loaded again later."""
    key = getattr(election, "key", None)
    if isinstance(election, Election) and not election.shipped and election.text:
        return {"election": key, "election_file": _absolute_file(election.path), "election_toml": election.text}
    return {"election": key}


def _absolute_file(path: str) -> str:
    """`path` made absolute where it names a file here, else as it was ("the study's record of
    KEY", a re-run from the study's copy). Why: a relative `--election my.toml` was recorded as
    typed and read back from whatever folder `status` ran in, so a same-named file there was called
    "edited" and the renew command named it. Messages while loading keep what the user typed
    (`Election.path`); studies that recorded a relative path are still read from the working
    directory, as before."""
    import os

    return os.path.abspath(path) if os.path.isfile(path) else path


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
        except ElectionError as exc:
            # The study holds the text, so "no preset named KEY" would be false: say why it fails.
            raise ElectionError(f"{name_shown(where)} no longer loads: {exc}; pass --election with a corrected copy of it") from exc
        if recorded.key == key:
            refuse_edited_preset(recorded, where)  # as load_election refuses such a file
            return recorded
    return load_preset(key)  # a recorded key names a preset, never a file in the working directory


def stage_election(study: Any, stage: str) -> Election | None:
    """The election the latest successful run of `stage` used (None when there is none or it cannot
    be loaded): a section that must match one table's election reads that stage's own record."""
    from botwatch.runs_table import latest_of_stage

    run = latest_of_stage(study, stage)
    if run is None or run.params is None:
        return None
    try:
        return recorded_election(run.params)
    except (ElectionError, OSError):
        return None


def recorded_pair(params: dict[str, Any]) -> tuple[str, str | None] | None:
    """(key, recorded TOML text or None) that a run's parameters name; None when they name no election."""
    key = params.get("election")
    if not isinstance(key, str) or not key:
        return None
    text = params.get("election_toml")
    return key, text if isinstance(text, str) and text else None


# How `study_election_record` groups the stages last run with `analyze --no-election` (recorded
# as `no_election: true`): a choice of its own, unlike a run that merely recorded no election.
NO_ELECTION: tuple[str, str | None] = ("", None)


def study_election_record(study: Any) -> tuple[str, str | None] | None:
    """(key, recorded text or None) of the one election the study's stages were last run with, as
    stored rather than loaded (`elections show STUDY --toml` gives back a text that no longer
    parses); `NO_ELECTION` when every stage that chose did so with `--no-election` (the stages
    that need an election, which it skips, keep their earlier records); None when no stage
    recorded one. A stage run with no election is not a different election. Raises
    `ElectionError` when the stages recorded different elections (a preset in one, a user's file or
    another text of it in another, or `--no-election` in one): picking one would silently change
    the others' tables."""
    import hashlib

    from botwatch.runs_table import latest_by_stage

    by: dict[tuple[str, str | None], list[str]] = {}
    for stage, p in latest_by_stage(study).items():
        if p.get("no_election") is True:  # run with `--no-election`: none, on purpose, is what it recorded
            by.setdefault(NO_ELECTION, []).append(stage)
            continue
        pair = recorded_pair(p)
        if pair is not None:
            by.setdefault(pair, []).append(stage)
    if not by:
        return None
    if NO_ELECTION in by and len(by) > 1:
        # `analyze --no-election` skips the stages that need an election: their earlier tables and
        # records stay, naming the election they were made with. That is what --no-election does,
        # not a second election: a full `--election X` then `--no-election` read as "different
        # elections" and stopped every later plain `analyze`, `estimate` and report.
        from botwatch.pipeline import stages as all_stages

        kept = {s.name for s in all_stages() if s.needs_election}
        if all(set(stages) <= kept for pair, stages in by.items() if pair != NO_ELECTION):
            return NO_ELECTION
    if len(by) > 1:
        keys = [k for k, _ in by]

        def label(k: str, text: str | None) -> str:
            if (k, text) == NO_ELECTION:
                return "no election (--no-election)"
            if keys.count(k) == 1:
                return k
            return f"{k} (recorded text {hashlib.sha256((text or '').encode()).hexdigest()[:8]})" if text else f"{k} (preset)"

        parts = "; ".join(f"{', '.join(sorted(stages))}: {label(k, t)}" for (k, t), stages in sorted(by.items(), key=lambda kv: kv[0][0]))
        raise ElectionError(f"this study's stages were analysed with different elections ({parts}); pass --election to say which one to use")
    return next(iter(by))


def study_election(study: Any) -> tuple[Election | None, str | None]:
    """The one election the study's analysis stages were last run with, and a line saying so.

    `analyze` and `estimate` without `--election` used to re-score a study analysed for an election
    with none: the origin model lost the home-country prior (the expected foreign count of the
    report, still titled for that election, moved from 55 to 88) while the docs said the study
    recorded its election. They now reuse it. Returns (None, None) when no stage recorded one
    (a study never analysed with an election keeps its behaviour), and (None, a line saying so)
    when the stages were last run with `--no-election`. Raises `ElectionError` when the
    stages recorded different elections (`study_election_record`), and when the recorded election
    cannot be loaded here."""
    recorded = study_election_record(study)
    if recorded is None:
        return None, None
    if recorded == NO_ELECTION:
        return None, "using no election, as this study was last analysed with --no-election; pass --election to use one"
    key, text = recorded
    try:
        election = recorded_election({"election": key, "election_toml": text})
    except ElectionError as exc:
        raise ElectionError(f"this study was analysed with the election {key!r}, which cannot be loaded here ({exc}); pass --election") from None
    if election is None:  # pragma: no cover - key is a non-empty string
        return None, None
    if election.shipped:
        return election, f"using the election this study was analysed with: {key} (preset); pass --election to use another"
    line = f"using the election this study was analysed with: {key} (election file, from the copy the study recorded)"
    edited = _edited_file(study, key, text)
    if edited is None:
        return election, f"{line}; pass --election to use another"
    word = shell_word(edited)
    return election, f"{line}; {word} no longer holds that text: pass `--election {word}` to use the file as it is now"


def _edited_file(study: Any, key: str, text: str | None) -> str | None:
    """The election file the stages recorded reading (`given_election_file`) where it now holds
    another text than they recorded, else None. Why: a data desk edited its election file and ran
    `analyze` again without `--election`; the stages ran with the old copy, and the one line said
    only "pass --election to use another", so the edit looked applied until the report's figures
    were compared."""
    given = given_election_file(study, key, text)
    return given[0] if given is not None and given[1] != text else None


def given_election_file(study: Any, key: str, text: str | None) -> tuple[str, str] | None:
    """(path, its text now) of the newest election file a successful run recorded reading for the
    election (`key`, `text`) that can still be read, else None (and None for a preset, `text` None).

    Every run, newest first, not each stage's latest: a re-run from the study's copy records no file
    (its `election_file` reads "the study's record of KEY"), so after one such `analyze` the file
    was never named again, neither as edited (`_edited_file`) nor in a renew command
    (`report.staleness`), which gave the ELECTION placeholder though the file still held the text.
    A path that cannot be read is passed over for an older one. One look-back (`_given_files`) for
    this and the renew commands' `election_file_holding`."""
    return next(_given_files(study, key, text), None)


def election_file_holding(study: Any, key: str, text: str | None) -> str | None:
    """The newest election file a successful run recorded reading for (`key`, `text`) that still
    holds `text`, else None: the file a renew command can name (`report.staleness`). Why not
    `given_election_file`'s newest readable one: after `--election a.toml`, then the same text as
    `--election b.toml`, then an edit of b.toml, the command gave the ELECTION placeholder though
    a.toml still held the text the stages were made with."""
    return next((path for path, now in _given_files(study, key, text) if now == text), None)


def _given_files(study: Any, key: str, text: str | None) -> Iterator[tuple[str, str]]:
    """(path, its text now) of each election file a successful run recorded reading for (`key`,
    `text`) that can still be read, newest run first; none for a preset (`text` None)."""
    from botwatch.runs_table import ok_runs

    if text is None:
        return
    for run in reversed(ok_runs(study)):
        params = run.params or {}
        path = params.get("election_file")
        if recorded_pair(params) != (key, text) or not isinstance(path, str) or not path:
            continue
        now = election_file_text(path)
        if now is None:  # moved, unreadable, or the study's own copy: nothing to say about its text
            continue
        yield path, now


def election_file_text(path: str) -> str | None:
    """The text of the election file at `path` as `analyze` would read it (from the working
    directory), or None where it cannot be read. One reading for the renew commands
    (`report.staleness`, whether the file still holds what the stages recorded) and for saying a
    file was edited since (`_edited_file`). A path that is no regular file (`--election
    /dev/stdin < my.toml` recorded /dev/stdin, or a named pipe) holds no text to compare: reading it
    made `status` and `report` wait on the terminal, or on a pipe for ever."""
    import os

    from botwatch.elections.model import ELECTION_FILE_LIMIT
    from botwatch.userfile import UserFileError, read_user_text

    if not os.path.isfile(path):
        return None
    try:
        return read_user_text(path, "election file", ELECTION_FILE_LIMIT)
    except (UserFileError, OSError):
        return None


def stage_run_params(study: Any, stage: str) -> dict[str, Any]:
    """The parameters of `stage`'s latest successful run with a readable record; an `ElectionError`
    when there is none (for `elections show STUDY --stage`, where nothing would read as "no election")."""
    from botwatch.runs_table import latest_by_stage

    p = latest_by_stage(study).get(stage)
    if p is None:
        raise ElectionError(f"the study has no successful run of stage {stage!r}")
    return p


def recorded_stage_election(study: Any, stage: str) -> Election | None:
    """As `stage_election`, but a record that cannot be loaded is an `ElectionError` saying why
    (for `elections show STUDY --stage`, where None would read as "no election")."""
    return recorded_election(stage_run_params(study, stage))
