"""Whether posts were ingested after the stages that built the report's sections.

`botwatch ingest` into an analysed study adds posts that the headline counts and the coverage read
at once, while the analysis tables (labels, estimates, account scores, timelines) still describe
the study as it was: a reviewer's report showed 3,701 posts in the headline and "110 of 3,202
posts" in Parties, with old account scores and no warning. The `runs` table says when each
happened; `report` (a banner and a warning) and `status` say so and name `botwatch analyze`.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botwatch.count_text import counted
from botwatch.shown_text import not_an_option, shell_word
from botwatch.study import Study


@dataclass(frozen=True)
class StaleAnalysis:
    """Stages whose latest successful run finished before the latest ingest that stored posts."""

    stages: list[str]
    posts_added: int  # posts stored by ingests after the oldest of those stages' runs
    ingested_at: datetime
    # After a whole `analyze --no-election`, a plain `analyze` skips the stale stages that need an
    # election and the warning stays: as `BehindInputs`, the command names the one they ran with.
    election: str | None = None
    unnamed: tuple[str, ...] = ()
    mixed: str = ""  # as `BehindInputs.mixed`

    def sentence(self, study_name: str = "STUDY", *, html: bool = False) -> str:
        """The one wording for the report's banner (`html=True`: the command in <code>, the study
        name, which anyone may have chosen, escaped with its hidden characters shown), `report`'s
        warning and `status`. It was written twice, in the template too, and the two drifted.
        No "with the same --election": `analyze` reuses the election the study recorded, but not
        after a whole `--no-election`, which skips the stages that need one: then it is named."""
        n = len(self.stages)
        shown = ", ".join(self.stages[:8]) + (f" and {n - 8} more" if n > 8 else "")
        text = (f"{counted(self.posts_added, 'post')} {'was' if self.posts_added == 1 else 'were'} ingested (last at {self.ingested_at:%Y-%m-%d %H:%M} UTC) after the "
                f"analysis stage{'s' if n != 1 else ''} {shown} last ran: the study's post counts include them, but "
                f"the sections those stages built do not, so their figures disagree. Run {{cmd}} to refresh them and build the report again.")
        return _with_analyze(text + self.mixed + _needs_election(self.unnamed), study_name, html, election=_election_word(self.election, self.unnamed))

    def command(self, study_name: str = "STUDY") -> str:
        """The renew command `sentence` names, on its own (`status --json`)."""
        return analyze_command(study_name, election=_election_word(self.election, self.unnamed))


def _with_analyze(text: str, study_name: str, html: bool, only: tuple[str, ...] = (), election: str | None = None) -> str:
    """`text` with its `{cmd}` written as the `botwatch analyze` command for the study (with an
    `--only` for each of `only`, and `--election` when `election` names one): in backquotes for a
    terminal, in <code> (the name escaped, hidden characters shown) for a page, where the rest of
    `text` (stage names and run messages from the study's `runs`) shows its hidden characters too."""
    tail = _analyze_tail(only, election)
    if not html:
        return text.replace("{cmd}", f"`{analyze_command(study_name, only, election)}`")
    from markupsafe import Markup, escape

    from botwatch.report.fmt import user_text

    return Markup(escape(user_text(text)).replace("{cmd}", Markup("<code>botwatch analyze {}{}</code>").format(user_text(shlex.quote(not_an_option(study_name))), user_text(tail))))


def _analyze_tail(only: tuple[str, ...], election: str | None) -> str:
    """The options of a renew command after the study's name (`--only` each of `only`, `--election`)."""
    return "".join(f" --only {shlex.quote(s)}" for s in only) + (f" --election {shell_word(election)}" if election else "")


def analyze_command(study_name: str, only: tuple[str, ...] = (), election: str | None = None) -> str:
    """The `botwatch analyze` command a sentence's `{cmd}` stands for, for a terminal: one builder,
    so that the command `status --json` gives apart and the one in the sentence never differ."""
    return f"botwatch analyze {shell_word(study_name)}{_analyze_tail(only, election)}"


# Stages that record a run but are no analysis stage (`botwatch analyze` would not renew them).
NOT_ANALYSIS = "('ingest', 'content_evaluate', 'accounts_evaluate')"


def stale_analysis(study: Study) -> StaleAnalysis | None:
    """The stale stages, or None when no ingest stored posts after any analysis stage ran."""
    if "runs" not in study.tables():
        return None
    # `content evaluate` and `evaluate-accounts` record a run but are no analysis stage: `botwatch
    # analyze` would not renew them.
    latest = study.sql(
        f"SELECT stage, max(finished_at) FROM runs WHERE status = 'ok' AND stage NOT IN {NOT_ANALYSIS} "
        "AND finished_at IS NOT NULL GROUP BY stage ORDER BY 2, 1"
    )
    # Any status: an ingest cut off by Ctrl-C ("failed", interrupted) keeps the files it committed
    # before, and its row counts them; left out, the report showed their posts with no warning.
    # An ingest killed part-way (SIGKILL, a power cut: status `running`, never ended) kept its
    # committed files too: its row, which counts them file by file, is dated by its start.
    ingests = study.sql("SELECT coalesce(finished_at, started_at), rows_written FROM runs WHERE stage = 'ingest' AND coalesce(rows_written, 0) > 0 "
                        "AND coalesce(finished_at, started_at) IS NOT NULL")
    if not latest or not ingests:
        return None
    last_ingest = max(t for t, _ in ingests)
    stale = [(stage, at) for stage, at in latest if at < last_ingest]
    if not stale:
        return None
    oldest = min(at for _, at in stale)
    added = sum(int(n) for t, n in ingests if t > oldest)
    names = [s for s, _ in stale]
    if (mixed := _mixed_renew(study)) is not None:
        return StaleAnalysis(names, added, last_ingest, mixed[0], mixed=mixed[1])
    return StaleAnalysis(names, added, last_ingest, *_renew_election(study, _needing_election(names)))


@dataclass(frozen=True)
class BehindInputs:
    """Stages that last ran before a stage whose tables they read was run again on its own: after
    `analyze`, `botwatch coordination --window 5m` rewrote the clusters while the timeline's
    `timeline_groups` still held the old ones ("cluster 0" with 2 accounts where `cluster_members`
    had 3), and the report said nothing, since only ingests made a study stale.

    `read_old`: (stage, table it reads, stage that rewrote that table after it last ran);
    `rerun`: those stages and every stage after them that read their tables and has run, in
    pipeline order: running only the first would leave the later ones reading its old tables."""

    read_old: list[tuple[str, str, str]]
    rerun: list[str]
    # After `analyze --no-election`, which the study records, a plain `analyze --only creation`
    # refuses ("needs --election"): `election` is what the suggested command passes (the preset or
    # file those stages last ran with); `unnamed` the stages that need one none of their runs names.
    election: str | None = None
    unnamed: tuple[str, ...] = ()
    # The election the posts are labelled for where it is not the one `election` names: those
    # stages refuse another election's labels, so the command relabels first (`--only content`).
    labelled_for: str | None = None
    # Stages that need no election, last run with `--no-election`, that the command must renew
    # (`_mixed_modes`): with `--only` and `--election` they would record that election beside the
    # stages still run with `--no-election`, which `analyze` then refuses ("analysed with different
    # elections"), so the command is a whole `analyze --election`, which records one election in all.
    whole_for: tuple[str, ...] = ()
    # Where the stages were last analysed with different elections (`_mixed_renew`): what the
    # sentence adds; the command is then a whole `analyze --election`, as `analyze` needs.
    mixed: str = ""

    def sentence(self, study_name: str = "STUDY", *, html: bool = False, then: str = "build the report again") -> str:
        """The one wording for the report's banner and warning, `status`, `export` and the command
        that ran the writer (`html=True`: as `StaleAnalysis.sentence`); `then`: what to do after the
        command (`export`: export the tables again)."""
        said = "; ".join(f"{s} read {t} before {w} rewrote it" for s, t, w in self.read_old)
        after = [s for s in self.rerun if s not in {r for r, _, _ in self.read_old}]
        more = f", and {', '.join(after)} build{'s' if len(after) == 1 else ''} on {'its' if len(self.read_old) == 1 else 'their'} tables" if after else ""
        n = len(self.rerun)
        text = (f"The analysis stage{'s' if n != 1 else ''} {', '.join(self.rerun)} last ran on earlier results ({said}{more}): "
                f"the sections {'it' if n == 1 else 'they'} built describe those, not the study's current tables. "
                f"Run {{cmd}} to bring them up to date and {then}.")
        if self.mixed:
            text += self.mixed
        elif self.whole_for:
            n = len(self.whole_for)
            names, it = ", ".join(self.whole_for), "it" if n == 1 else "they"
            if self.labelled_for is not None:
                text += (f" The posts are labelled for {self.labelled_for}, not for the election those stages were made with, which they "
                         f"need, and labelling them again leaves {names} behind as well: {it}")
            else:
                text += f" {names}"
            text += (f" need{'s' if n == 1 else ''} no election and last ran with --no-election; renewed alone with --election {it} would "
                     "record that election beside the stages still run with --no-election, which `analyze` refuses as different "
                     "elections, so the command analyses the whole study with that one election.")
        elif self.labelled_for is not None:
            text += (f" The posts are labelled for {self.labelled_for}, not for the election those stages were made with, which they "
                     "need: the command labels them again first (--only content).")
        return _with_analyze(text + _needs_election(self.unnamed), study_name, html, self._only(), _election_word(self.election, self.unnamed))

    def _only(self) -> tuple[str, ...]:
        """The stages the renew command names with `--only`: none where it must be a whole `analyze`
        (`mixed`, `whole_for`), the relabelling first where the posts are labelled for another election."""
        if self.mixed or self.whole_for:
            return ()
        return ("content", *self.rerun) if self.labelled_for is not None else tuple(self.rerun)

    def command(self, study_name: str = "STUDY") -> str:
        """The renew command `sentence` names, on its own (`status --json`)."""
        return analyze_command(study_name, self._only(), _election_word(self.election, self.unnamed))


# What a renew command passes to `--election` where no run of the stages names one (`_renew_election`),
# and every other message's command whose election the user must choose: one word for one slot.
ELECTION_PLACEHOLDER = "ELECTION"


def election_placeholder_said() -> str:
    """"put in place of ELECTION the election to analyse for (a preset, …, or a TOML file)": what a
    command holding `ELECTION_PLACEHOLDER` wants there, which `--election` takes (`load_election`).
    Why one wording: the same slot read ELECTION, NAME, PRESET or KEY_OR_FILE from one message to
    the next, and PRESET or NAME hid that an election file is taken too."""
    return f"put in place of {ELECTION_PLACEHOLDER} the election to analyse for (a preset, `botwatch elections list`, or a TOML file)"


def _election_word(election: str | None, unnamed: tuple[str, ...]) -> str | None:
    """The `--election` word of a renew command: the one the stages' runs name, else, where some
    need one none names, `ELECTION_PLACEHOLDER`. Why: the command stood without `--election` beside
    a sentence saying to add it, two lines to reconcile; now the command holds it and the sentence
    says what to put in its place."""
    return election if election is not None or not unnamed else ELECTION_PLACEHOLDER


def _needs_election(unnamed: tuple[str, ...]) -> str:
    """The sentence a renew command's wording adds for the stages that need an election none of
    their runs names (`_renew_election`), "" for none: what to put for the command's placeholder
    (`_election_word`), without which the command would skip them."""
    if not unnamed:
        return ""
    n = len(unnamed)
    return (f" {', '.join(unnamed)} need{'s' if n == 1 else ''} --election, and the study was last analysed with --no-election: "
            f"in the command, {election_placeholder_said()}.")


def _needing_election(names: list[str]) -> list[str]:
    """Those of `names` whose registered stage needs an election, in pipeline order ([] when a
    plug-in breaks the registry: `analyze` says so itself)."""
    from botwatch.pipeline import PipelineError, stages

    try:
        return [s.name for s in stages() if s.name in names and s.needs_election]
    except PipelineError:
        return []


# Stages left to their own wording: `cluster_evidence_stale` says when accounts_clusters is behind
# the clusters or the scores (in `status`, `explain`, `accounts` and the report's Accounts section).
OWN_STALENESS = ("accounts_clusters",)


def behind_inputs(study: Study) -> BehindInputs | None:
    """The stages whose latest successful run finished before the latest successful run of a stage
    that writes a table they read (`Stage.reads`, from the registry), or None. In one `analyze` the
    writer always finishes first, so only a writer run again on its own (`botwatch coordination`,
    `analyze --only`) makes a reader stale. A table's writer, not a stage that `updates` it in place,
    counts: the updaters add what no later stage reads (accounts_clusters' evidence, leaving the
    probabilities as they were; the notes of the timeline). Plain SQL on `runs`: a lake the same."""
    if "runs" not in study.tables():
        return None
    from botwatch.pipeline import PipelineError, _reach, edges, stages

    try:
        registered = stages()
    except PipelineError:  # a broken plug-in: `analyze` says so; the report is no place for it
        return None
    latest = dict(study.sql("SELECT stage, max(finished_at) FROM runs WHERE status = 'ok' AND finished_at IS NOT NULL GROUP BY stage"))
    writer = {t: s.name for s in registered for t in s.writes}
    digests = _recorded_digests(study)
    read_old = []
    for s in registered:
        at = latest.get(s.name)
        if at is None or s.name in OWN_STALENESS:
            continue
        newer = [(t, w) for t in s.reads() if (w := writer.get(t)) not in (None, s.name) and latest.get(w) is not None and latest[w] > at
                 and not _same_table(digests, w, t, at)]
        if newer:
            read_old.append((s.name, *newer[0]))
    if not read_old:
        return None
    graph = edges(registered)
    behind = {s for s, _, _ in read_old}
    for s, _, _ in read_old:
        behind |= _reach(graph, s)
    rerun = [s.name for s in registered if s.name in behind and s.name in latest]
    if (mixed := _mixed_renew(study)) is not None:
        return BehindInputs(read_old, rerun, mixed[0], mixed=mixed[1])
    need = _needing_election(rerun)
    election, unnamed = _renew_election(study, need)
    labelled = _labelled_for_another(study, need) if election is not None and "content" not in rerun else None
    renewed = set(rerun) | ({"content"} | _reach(graph, "content")) & set(latest) if labelled else set(rerun)
    whole = _mixed_modes(registered, renewed) if election is not None or unnamed else ()
    return BehindInputs(read_old, rerun, election, unnamed, labelled, whole)


def _recorded_digests(study: Study) -> list[tuple[str, Any, dict[str, Any]]]:
    """(stage, finished_at, {table: digest}) of every successful run, with the digests of the
    tables it wrote (`runs_table.DIGESTS_KEY`; {} for a run that recorded none). Plain SQL on
    `runs`, the rest in Python: the same on a lake's Spark as on DuckDB."""
    from botwatch.runs_table import DIGESTS_KEY, parse_params

    rows = study.sql("SELECT stage, finished_at, params FROM runs WHERE status = 'ok' AND finished_at IS NOT NULL")
    out = []
    for stage, at, text in rows:
        got = (parse_params(text) or {}).get(DIGESTS_KEY)
        out.append((stage, at, got if isinstance(got, dict) else {}))
    return out


def _same_table(digests: list[tuple[str, Any, dict[str, Any]]], writer: str, table: str, read_at: Any) -> bool:
    """Whether `writer`'s latest run left `table` as its latest run before `read_at` (when the
    reader last ran) had: both recorded the same digest. Why: `analyze --only coordination` that
    found the very same clusters called the timeline and every later stage stale; they read what
    the study still holds. No digest on either side (a run before digests were recorded, a reader
    that ran before any writer run) counts as changed, as before."""
    runs = [(at, d.get(table)) for s, at, d in digests if s == writer]
    before = [r for r in runs if r[0] <= read_at]
    if not runs or not before:
        return False
    now, then = max(runs, key=lambda r: r[0])[1], max(before, key=lambda r: r[0])[1]
    return isinstance(now, str) and now == then


def _mixed_modes(registered: list[Any], renewed: set[str]) -> tuple[str, ...]:
    """Those of `renewed` (the stages the renew command runs, or leaves behind a table it rewrites)
    that need no election, in pipeline order, where the command must pass `--election` after a
    whole `analyze --no-election` (`_renew_election`). Why the whole study then: an `--only` command
    with that election records it for them beside the stages still run with `--no-election` (coverage,
    accounts), and every later plain `analyze` refused ("analysed with different elections"). Renewing
    them with `--no-election` instead does not converge where the posts are labelled again: the
    timeline reads the labels under `--no-election` too (its party, stance and sentiment series), so
    relabelling (election), timeline (none), creation and impact (election) took three commands, and
    each left the next stale. One whole `analyze --election` records one election for every stage."""
    return tuple(s.name for s in registered if s.name in renewed and not s.needs_election)


def _mixed_renew(study: Study) -> tuple[str, str] | None:
    """(the `--election` word, the sentence to add) of a renew command where the study's stages were
    last analysed with different elections, else None. Why: after `analyze --only content --election
    FILE` with an edited file, `status` and `analyze` said to run `analyze STUDY --only timeline ...`,
    which `analyze` refuses ("analysed with different elections ... pass --election") with exit 2.
    The command is a whole `analyze --election`, which records one election for every stage; the
    word is the election of the newest stage run that recorded one, where it can still be read
    (a preset's key, or the file it was read from while that file holds the same text), else
    `ELECTION_PLACEHOLDER` and what to put there."""
    from botwatch.elections.model import ElectionError
    from botwatch.elections.recorded import election_file_holding, recorded_pair, study_election_record
    from botwatch.runs_table import ok_runs

    try:
        study_election_record(study)
        return None
    except ElectionError:
        pass
    said = " The study's stages were analysed with different elections, which `analyze` refuses without --election, so the command analyses every stage with one"
    for run in reversed(ok_runs(study)):
        params = run.params or {}
        pair = None if f"'{run.stage}'" in NOT_ANALYSIS or params.get("no_election") is True else recorded_pair(params)
        if pair is None:
            continue
        key, text = pair
        word = key if text is None else election_file_holding(study, key, text)
        if word is not None:
            return word, f"{said}: the one {run.stage} last ran with."
        break
    return ELECTION_PLACEHOLDER, f"{said}: {election_placeholder_said()}."


def _labelled_for_another(study: Study, need: list[str]) -> str | None:
    """The election content last labelled the posts for, where it is not the one the stages in
    `need` were made with (which `_renew_election` named), else None. `analyze --only creation
    --election us-2016` refuses posts labelled for another election ("Label them first"): after
    `--only content --election uk-ge2017` and a whole `--no-election`, the renew command did."""
    from botwatch.elections.recorded import recorded_pair
    from botwatch.runs_table import latest_by_stage

    params = latest_by_stage(study)
    content = recorded_pair(params.get("content", {}))
    made = recorded_pair(params.get(need[0], {})) if need else None
    return content[0] if content is not None and made is not None and content[0] != made[0] else None


def _renew_election(study: Study, need: list[str]) -> tuple[str | None, tuple[str, ...]]:
    """(the `--election` word for renewing `need`, the stages that need an election, or None; those
    of them it cannot name one for). Only after `analyze --no-election`, which `analyze` reuses:
    with an election recorded, a plain `--only` renews them with it. The word is the one election the
    stages' own latest runs recorded: a preset by its key, a user's file by the path it was read from
    (`runs.params`); where they name none, or different ones, the sentence says to add it."""
    from botwatch.elections.model import ElectionError
    from botwatch.elections.recorded import NO_ELECTION, election_file_holding, recorded_pair, study_election_record
    from botwatch.runs_table import latest_by_stage

    if not need:
        return None, ()
    try:
        if study_election_record(study) != NO_ELECTION:
            return None, ()
    except ElectionError:  # different elections: `analyze` says so and asks for --election itself
        return None, ()
    params = latest_by_stage(study)
    pairs = {recorded_pair(params.get(s, {})) for s in need}
    if len(pairs) == 1 and (pair := pairs.pop()) is not None:
        key, text = pair
        if text is None:
            return key, ()
        # The file given to any run of this election, not only the stages' own latest: a re-run
        # from the study's copy recorded none, and the command gave the ELECTION placeholder.
        if (path := election_file_holding(study, key, text)) is not None:
            return path, ()
    return None, tuple(need)


# What `OutdatedEstimates` may find in a table written under the rules before `estimates_version` 1
# (`estimates.compute.ESTIMATES_VERSION`), each as the sentence says it.
SHARE_ACCOUNTS = ("a share's accounts and its \"too few accounts\" rule count every account of its cell rather than those "
                  "behind the share")
EXACT_BOUND = ("a share of 0% or 100% carries its bootstrap's collapsed interval (every resample of the accounts gave it again), "
               "where the current rules give its exact bound, or none from too few accounts")
POISSON_FLOOR = ("a scaled count's interval is narrower than the exact Poisson interval of its sampled count divided by the rate "
                 "(one sampled post at a rate of 1% read \"100 [100–100]\" where it bounds the count below about 557)")
LOW_END = ("a scaled count's low end is below the sampled posts themselves, which the platform holds for certain "
           "(one sampled post at a rate of 1% read \"100 [0–600]\", where the current rules give [1–600])")
ZERO_METHOD = ("a scaled zero's method says its interval is widened to whole multiples of 1/rate, where the current rules "
               "give its one-sided bound alone")
BOT_UNKNOWN_ZERO = ("the likely-automated rows of a period where the bot model scored none of the accounts posting read 0 "
                    "(\"no account of this group posted here\"), where the current rules leave them empty: how many are automated is unknown there")
ZERO_BOUND = "a scaled zero's bound is not the one botwatch estimate and the report give (it may name the platform where the counts are not the platform's)"


@dataclass(frozen=True)
class OutdatedEstimates:
    """The `estimates` table was made by an earlier botwatch, whose rules for its rows have changed
    since (`estimates.compute.ESTIMATES_VERSION`), and the table shows it: nothing else says so,
    and its shares keep their old accounts and intervals until the stage runs again.

    `found`: what rows of the table show they were written under the older rules (said as known);
    none, with `unsure` shares, where the table cannot tell (said as "may be"). Every study analysed
    before the version was recorded was said to be out of date, its rows the same as the current
    rules write or not."""

    recorded: int | None  # the version its latest run recorded (None: none, an earlier botwatch)
    found: tuple[str, ...] = ()
    unsure: int = 0  # shares whose accounts the table cannot tell (see `_rows_outdated`)
    # The scores or labels the table reads were made with other models than this botwatch's (an
    # upgrade that also retrained the bot model): `--only estimates` would make the table again
    # from them, and `status` then still said they were the earlier model's; the whole `analyze`
    # renews both, so that is the command named.
    whole: bool = False

    def sentence(self, study_name: str = "STUDY", *, html: bool = False) -> str:
        made = ("The estimates table was made by an earlier version of botwatch (its last run recorded "
                + ("no estimates version" if self.recorded is None else f"estimates version {self.recorded}") + ")")
        if self.found:
            text = (f"{made}, and rows in it are not what the current rules write: {'; '.join(self.found)}. Run {{cmd}} to make it "
                    "again and build the report again.")
        else:
            text = (f"{made} and may be out of date: {counted(self.unsure, 'share')} {'rests' if self.unsure == 1 else 'rest'} on posts not all in "
                    "the share's denominator (English, or read for stance), and the table cannot tell whether "
                    f"{'its' if self.unsure == 1 else 'their'} accounts and \"too few accounts\" rule count every account of the cell, "
                    "as the older rules did, or only those behind the share. Run {cmd} to be sure and build the report again.")
        if not html:
            return text.replace("{cmd}", f"`{self.command(study_name)}`")
        from markupsafe import Markup, escape

        from botwatch.report.fmt import user_text

        only = "" if self.whole else " --only estimates"
        return Markup(escape(text).replace("{cmd}", Markup("<code>botwatch analyze {}{}</code>").format(user_text(shlex.quote(not_an_option(study_name))), only)))

    def command(self, study_name: str = "STUDY") -> str:
        """The renew command `sentence` names, on its own (`status --json`)."""
        return analyze_command(study_name, () if self.whole else ("estimates",))


def outdated_estimates(study: Study) -> OutdatedEstimates | None:
    """Whether the study's `estimates` table predates the current rules for its rows: its latest
    successful run recorded an older `estimates_version`, or none, and its rows show it (or cannot
    tell: `_rows_outdated`). A table no recorded run made (written by other tools) cannot be told,
    and is not said to be."""
    if "estimates" not in study.tables():
        return None
    from botwatch.estimates.compute import ESTIMATES_VERSION, ESTIMATES_VERSION_KEY
    from botwatch.runs_table import latest_of_stage

    run = latest_of_stage(study, "estimates")
    if run is None or run.params is None:
        return None
    got = run.params.get(ESTIMATES_VERSION_KEY)
    recorded = got if isinstance(got, int) and not isinstance(got, bool) else None
    if recorded is not None and recorded >= ESTIMATES_VERSION:
        return None
    found, unsure = _rows_outdated(study, shares=recorded is None)  # version 1 wrote the shares as now
    if not (found or unsure):
        return None
    from botwatch.model_used import bot_model_changed

    whole = any(changed(study) is not None for changed in (bot_model_changed, account_models_changed, content_model_changed))
    return OutdatedEstimates(recorded, found, unsure, whole)


def _rows_outdated(study: Study, shares: bool = True) -> tuple[tuple[str, ...], int]:
    """(what the table's rows show of the older rules, shares it cannot tell about). `shares`:
    whether to read the shares (rules before version 1); the scaled zeros are read always (their
    bound changed in 1 and 2).

    Known from the rows: a share row's `n_accounts` the cell's accounts where its denominator holds
    none of the cell's posts, or its `method` saying "too few accounts (N)" of the cell (the current
    rules count and name the accounts with a post in its denominator); a share of exactly 0 or 1
    whose interval collapsed onto it (now its exact bound, or none from too few accounts); a scaled zero
    whose `method` bound is not the one `compute.stored_zero_where` gives the study now; a share
    whose `n_accounts` is its cell's and more than its denominator's posts (the accounts with a
    post in it can be no more than its posts: it said only "may be" where that was 0 < posts <
    accounts). Not known: a share whose `n_accounts` is its cell's, no more than its denominator's
    posts, where some of the cell's posts are not in that denominator, which either rule writes;
    where every post is in it, the two rules agree. A share's `method` wording is read only in tables
    no version recorded (`shares`), whose wording no later botwatch changes."""
    from botwatch import stats
    from botwatch.estimates.compute import COUNT_METRICS, SHARE_METRICS, stored_zero_where
    from botwatch.estimates.whole_counts import least_interval, zero_text

    need = ["election", "period", "account_group", "party", "metric", "observed", "ci_low", "ci_high", "n_accounts", "sample_rate", "method"]
    cols = set(study.columns("estimates"))
    if not set(need) <= cols:  # a table written by other tools: nothing to read the rules from
        return (), 0
    rows = study.sql(f"SELECT {', '.join(need)} FROM estimates")
    cells: dict[tuple, dict[str, tuple]] = {}
    for r in rows:
        cells.setdefault(tuple(r[:4]), {})[r[4]] = r
    den_metric = {"measured": "stance_measured_posts", "scored": "scored_posts"}
    found: dict[str, None] = {}
    unsure = 0
    where: dict[float, str | None] = {}
    for (election, period, _, _), cell in cells.items():
        acc = (cell.get("accounts") or (None,) * 7)[5]
        posts = (cell.get("posts") or (None,) * 6)[5]
        for metric, (_, den) in SHARE_METRICS.items():
            r = cell.get(metric)
            if r is None or not shares:
                continue
            point, lo, hi, n, method = r[5], r[6], r[7], r[8], r[10] or ""
            if point in (0.0, 1.0) and lo is not None and hi is not None and stats.degenerate_interval(point, lo, hi):
                found[EXACT_BOUND] = None
            if " with " in method and ("too few accounts (" in method or "no account with" in method or "Clopper" in method):
                continue  # the current rules' own wording
            if "too few accounts (" in method:
                found[SHARE_ACCOUNTS] = None
                continue
            d = (cell.get(den_metric[den]) or (None,) * 6)[5]
            if acc is None or n is None or n != acc or (d is not None and posts is not None and d == posts):
                continue  # fewer than the cell's accounts: the current rule's count; or every post in the denominator: the same
            if d is not None and d < n:  # fewer posts in the denominator than accounts named: no current rule's count
                found[SHARE_ACCOUNTS] = None
            else:
                unsure += 1
        rate = next((r[9] for r in cell.values() if r[9] is not None), None)
        if rate is None or not 0 < rate < 1:
            continue
        if rate not in where:
            where[rate] = stored_zero_where(study, rate)
        had_posts = bool((cells.get((election, period, "all", "*"), {}).get("accounts") or (None,) * 6)[5])
        expected = zero_text(rate, where[rate]) if where[rate] and had_posts else None
        for metric in COUNT_METRICS:
            r = cell.get(metric)
            # Version 3 floors a sampled study's scaled counts at the exact Poisson interval, a zero
            # at its one-sided bound (`whole_counts.floored_bounds`, `least_interval`).
            floor = least_interval(r[5], rate) if r is not None and r[5] is not None and where[rate] else None
            if floor is not None and r is not None and r[6] is not None and r[7] is not None and (r[6] > floor[0] * (1 + 1e-9) + 1e-9 or r[7] < floor[1] * (1 - 1e-9)):
                found[POISSON_FLOOR] = None
            # Version 4 raises the low end to the sampled posts themselves (`floored_bounds`): version
            # 3 left one sampled post at 1% "[0–600]", an interval that admits none of it.
            if floor is not None and r is not None and r[5] > 0 and r[6] is not None and r[6] < r[5] * (1 - 1e-9):
                found[LOW_END] = None
            if r is None or r[5] != 0:
                continue
            method = r[10] or ""
            said = "none in the sample;" in method
            if said and "multiples of 1/rate" in method:  # versions 2 and 3's words beside [0, 298]
                found[ZERO_METHOD] = None
            if (expected is None and said) or (expected is not None and not method.endswith(f"; {expected}")):
                found[ZERO_BOUND] = None
    if _bot_unknown_zeros(study, cols):
        found[BOT_UNKNOWN_ZERO] = None
    return tuple(found), unsure


def _bot_unknown_zeros(study: Study, cols: set[str]) -> bool:
    """Whether the table holds the zeros versions before 5 wrote for the likely-automated group of a
    period where the bot model scored none of the accounts posting (`compute.bot_unknown_periods`):
    the current rules leave those cells empty, and a version 4 table of the IRA tweets of November
    2016 kept exporting "0, no account of this group posted here" with nothing said. Where scored
    accounts posted and none reached 0.5, the zero is the current rules' too. Plain SQL, as
    `bot_unknown_periods` asks it through ibis: the report and `status` read a lake through
    `LakeReader`, which runs SQL and has no ibis tables."""
    tables = set(study.tables())
    if not {"period_start", "period_end"} <= cols or not {"post_labels", "account_scores"} <= tables or "bot_probability" not in set(study.columns("account_scores")):
        return False
    rows = study.sql(
        "SELECT z.period_start, z.period_end FROM estimates z JOIN estimates a ON a.election = z.election "
        "AND a.period = z.period AND a.account_group = 'all' AND a.party = '*' AND a.metric = 'accounts' "
        "WHERE z.account_group = 'likely_automated' AND z.party = '*' AND z.metric = 'accounts' AND z.observed = 0 "
        "AND z.method = 'no account of this group posted here' AND a.observed > 0"
    )
    for start, end in rows:
        where = ["l.in_election", "s.bot_probability IS NOT NULL"] + (["l.created_at >= ?"] if start is not None else []) + (["l.created_at < ?"] if end is not None else [])
        scored = study.sql(
            "SELECT count(*) FROM (SELECT 1 FROM post_labels l JOIN account_scores s ON s.platform = l.platform AND s.account_id = l.account_id "
            f"WHERE {' AND '.join(where)} LIMIT 1) t", [v for v in (start, end) if v is not None])
        if not scored[0][0]:
            return True
    return False


def cluster_evidence_stale(study: Study) -> bool:
    """Whether the accounts' cluster evidence (`accounts_clusters`: "acts in unison with 7 other
    accounts of its coordination cluster 0") is older than the clusters: coordination (or the
    accounts stage) ran after `accounts_clusters` last added it. `analyze` runs accounts_clusters
    after both; `analyze --skip accounts_clusters`, or `--only coordination` in a study analysed
    before it brought accounts_clusters along, leaves it behind."""
    if "runs" not in study.tables():
        return False
    rows = study.sql(
        "SELECT max(finished_at) FILTER (WHERE stage = 'accounts'), max(finished_at) FILTER (WHERE stage = 'coordination'), "
        "max(finished_at) FILTER (WHERE stage = 'accounts_clusters') FROM runs WHERE status = 'ok'"
    )
    acc, coord, added = rows[0] if rows else (None, None, None)
    if acc is None or coord is None:
        return False
    if added is None:  # analysed before accounts_clusters existed: accounts re-ran after coordination
        return coord > acc
    return added < max(acc, coord)


def cluster_evidence_sentence(shown: str) -> str:
    """The one line `explain`, `accounts` and `status` give when `cluster_evidence_stale`; `shown`:
    the study as the command line takes it (`shown_text.shell_shown`)."""
    return ("the accounts' cluster evidence (\"acts in unison ... of its coordination cluster N\") was written before the "
            "coordination clusters were last rebuilt: the clusters and members it names may no longer be the study's. "
            f"Run `{cluster_evidence_command(shown)}` to bring it up to date")


def cluster_evidence_command(shown: str) -> str:
    """The command `cluster_evidence_sentence` names, on its own (`status --json`)."""
    return f"botwatch analyze {shown} --only accounts_clusters"


@dataclass(frozen=True)
class CutOffStages:
    """Analysis stages whose latest run failed (Ctrl-C, an error): a stage replaces its tables one
    by one, so a run cut off part-way can leave some replaced and others not (the content stage
    cut off in its account-prior step left `post_party` without the prior's rows), while the
    stages after it still describe the earlier run. `status` listed the run as failed; the report
    showed it only in the Methods table of runs, and built every section as if nothing had happened."""

    stages: list[tuple[str, str]]  # (stage, the run's message)
    election: str | None = None  # as `StaleAnalysis`: a plain `analyze` after --no-election skips them
    unnamed: tuple[str, ...] = ()
    mixed: str = ""  # as `BehindInputs.mixed`

    def sentence(self, study_name: str = "STUDY", *, html: bool = False) -> str:
        shown = "; ".join(f"{s} ({m})" if m else s for s, m in self.stages)
        n = len(self.stages)
        text = (f"The latest run of the analysis stage{'s' if n != 1 else ''} {shown} did not finish: "
                f"{'its' if n == 1 else 'their'} tables may hold part of that run's work and part of an earlier one's, "
                f"and the sections built from them may disagree. Run {{cmd}} to finish the analysis and build the report again.")
        return _with_analyze(text + self.mixed + _needs_election(self.unnamed), study_name, html, election=_election_word(self.election, self.unnamed))

    def command(self, study_name: str = "STUDY") -> str:
        """The renew command `sentence` names, on its own (`status --json`)."""
        return analyze_command(study_name, election=_election_word(self.election, self.unnamed))


def cut_off_stages(study: Study) -> CutOffStages | None:
    """The analysis stages whose latest run is a failed one, or None when every stage's is ok."""
    rows = _runs(study)
    latest: dict[str, tuple[str, str | None]] = {}
    for stage, status, message, _, _ in rows:
        if f"'{stage}'" not in NOT_ANALYSIS:
            latest[stage] = (status, message)
    killed = dict(_never_finished(rows))
    failed = [(stage, killed.get(stage, message or "")) for stage, (status, message) in latest.items() if status != "ok"]
    if not failed:
        return None
    if (mixed := _mixed_renew(study)) is not None:
        return CutOffStages(failed, mixed[0], mixed=mixed[1])
    return CutOffStages(failed, *_renew_election(study, _needing_election([s for s, _ in failed])))


def never_finished_runs(study: Study) -> list[tuple[str, str]]:
    """(stage, what to say of it) for each stage whose latest run started and never ended (status
    `RUNNING`, which no other command can see while it runs: see `Study._record_start`): when it
    started and when the complete run before it finished. A lake's writer still running is left out."""
    return _never_finished(_runs(study))


def with_renew_command(study: Study, stages: list[str], text: str, study_name: str) -> str:
    """`text` with its `{cmd}` written as the whole `botwatch analyze` command that runs `stages`
    again, for a terminal: with `--election` as the staleness sentences write it (the election those
    stages last ran with, or `ELECTION_PLACEHOLDER` and the sentence saying what to put there). Why:
    `status`' line for a run that never finished said a plain `analyze`, which after a whole
    `--no-election` skips the stages that need an election, so the run stayed unfinished."""
    election, added = _renew_word(study, stages)
    return _with_analyze(text + added, study_name, False, election=election)


def renew_command(study: Study, stages: list[str], study_name: str) -> str:
    """The command `with_renew_command` writes into its text, on its own (`status --json`)."""
    return analyze_command(study_name, election=_renew_word(study, stages)[0])


def _renew_word(study: Study, stages: list[str]) -> tuple[str | None, str]:
    """(the `--election` word of the command that runs `stages` again, the sentence its text adds)."""
    if (mixed := _mixed_renew(study)) is not None:
        return mixed
    election, unnamed = _renew_election(study, _needing_election(stages))
    return _election_word(election, unnamed), _needs_election(unnamed)


def _runs(study: Study) -> list[tuple[Any, ...]]:
    """(stage, status, message, started_at, finished_at) of every started run, oldest first; none
    without a `runs` table. Plain SQL, the rest in Python: the same on a lake's Spark as on DuckDB."""
    if "runs" not in study.tables():
        return []
    from botwatch.study import RUNNING

    rows = study.sql("SELECT stage, status, message, started_at, finished_at FROM runs WHERE started_at IS NOT NULL ORDER BY started_at")
    # A lake is read while its writer runs: that run's row is left out, as no DuckDB reader sees one.
    live = getattr(study, "running_now", None)
    return [r for r in rows if not (r[1] == RUNNING and live is not None and live(r[3]))]


def _never_finished(rows: list[tuple[Any, ...]]) -> list[tuple[str, str]]:
    """`never_finished_runs` over `_runs`' rows."""
    from botwatch.study import RUNNING, never_finished

    latest: dict[str, tuple[str, Any]] = {}
    for stage, status, _, started, _ in rows:
        latest[stage] = (status, started)
    out = []
    for stage, (status, started) in latest.items():
        if status == RUNNING:
            done = [f for s, st, _, _, f in rows if s == stage and st == "ok" and f is not None and f <= started]
            out.append((stage, never_finished(started, max(done) if done else None)))
    return out


@dataclass(frozen=True)
class ContentModelChanged:
    """The study's post labels were made with other content model files than this botwatch ships,
    or by older stance and sentiment rules in code: the content stage's latest run recorded the
    files' SHA-256 (`content_model_sha256`, `content_trees_sha256`) and they differ from the shipped
    files', or it recorded an older `content_rules_version` (`content.rules_version`), or none (an
    earlier release's run). Why: a study analysed a week before, with files refitted since, had
    its stance and sentiment shares printed beside the accuracies measured for the files shipped
    now, and nothing said they were another model's; a change to the rules alone (a not-negative
    quote cancelling a rival's pro cue) was not said at all.

    `changed`: (file as said, SHA-256 recorded, SHA-256 shipped) for each file that differs.
    `rules`: the older rules version the run was made with (0: before any was recorded), or None.
    `election`, `added`: the renew command's `--election` word and the sentence it adds
    (`_renew_word`, as the other staleness lines name it)."""

    changed: tuple[tuple[str, str, str], ...]
    election: str | None = None
    added: str = ""
    rules: int | None = None

    @property
    def what_changed(self) -> list[str]:
        """What differs, as `status --json` names it: "model_files" (the shipped content model
        files), "rules" (the rules in code), or both. The warning's kind says "model" for either,
        and a rules-only change read as a refitted model to a script."""
        return (["model_files"] if self.changed else []) + (["rules"] if self.rules is not None else [])

    @property
    def heading(self) -> str:
        """The report banner's bold words."""
        if not self.changed:
            return "Labelled by older content rules."
        return "Labelled with other content model files" + (" and older rules." if self.rules is not None else ".")

    def sentence(self, study_name: str = "STUDY", *, html: bool = False) -> str:
        """The one wording for the report's banner (`html=True`), `report`'s warning and `status`."""
        from botwatch.content.rules_version import CONTENT_RULES_VERSION

        made, given = [], []
        if self.changed:
            files = "; ".join(f"{what} {then[:12]}… then, {now[:12]}… now" for what, then, now in self.changed)
            made.append(f"with other content model files than this botwatch ships (SHA-256 {files})")
            given.append("the shipped files")
        if self.rules is not None:
            then = "recorded no rules version: made before version 1" if self.rules == 0 else f"recorded rules version {self.rules}"
            made.append(f"by older stance and sentiment rules than this botwatch's (the content run {then}; version {CONTENT_RULES_VERSION} now)")
            given.append("the current rules")
        by = " and ".join(given)
        whose = f"those of {by}" if self.rules is not None else f"{by}'"  # "the shipped files'", as it was worded before the rules
        text = (f"The post labels (stance, sentiment) were made {' and '.join(made)}, so they, and every figure read from them, "
                f"may differ from what {by} give, and the accuracies quoted for the content models are "
                f"{whose}, not theirs. Run {{cmd}} to label the posts again and build the report again.")
        return _with_analyze(text + self.added, study_name, html, election=self.election)

    def command(self, study_name: str = "STUDY") -> str:
        """The renew command `sentence` names, on its own (`status --json`)."""
        return analyze_command(study_name, election=self.election)


# The content stage's recorded file hashes, as `content.modelrun.shipped_files_sha256` names them, and each file in words.
CONTENT_FILES = (("content_model_sha256", "content model"), ("content_trees_sha256", "content trees"))


def content_model_changed(study: Study) -> ContentModelChanged | None:
    """The change, or None: the same files and rules, or no content run that recorded their hashes
    (a study labelled before they were recorded cannot be told), or shipped files that cannot be
    read (`analyze` says why when it runs). Rules are compared as `content.rules_version` reads the
    run: a run that recorded no version was made by an earlier release, so by older rules. The whole `analyze` renews it: the timeline, estimates and impact read the labels too."""
    from botwatch.runs_table import latest_of_stage

    run = latest_of_stage(study, "content") if "runs" in study.tables() else None
    if run is None or run.params is None:
        return None
    from botwatch.content.modelrun import shipped_files_sha256
    from botwatch.content.rules_version import CONTENT_RULES_VERSION, recorded_rules_version

    try:
        shipped = shipped_files_sha256()
    except Exception:  # noqa: BLE001 - an unreadable shipped file: nothing can be compared
        shipped = {}
    changed = tuple((what, then, now) for key, what in CONTENT_FILES
                    if isinstance(then := run.params.get(key), str) and isinstance(now := shipped.get(key), str) and then != now)
    made_by = recorded_rules_version(run.params)
    rules = made_by if made_by < CONTENT_RULES_VERSION else None
    if not changed and rules is None:
        return None
    election, added = _renew_word(study, ["content"])
    return ContentModelChanged(changed, election, added, rules)


@dataclass(frozen=True)
class AccountModelsChanged:
    """The study's account scores were made with other origin model files than this botwatch
    ships, or by a botwatch that recorded no model hashes (before 2026-12-02; the bot and origin
    files shipped now were refitted after that). Why: a study analysed a week before, opened with
    today's botwatch, reported 69% of its accounts as foreign-origin where today's models give
    99.8%, quoting today's models' validation beside the old scores, with no word of it. A bot
    model whose recorded hash differs has its own line (`model_used.bot_model_changed`).

    `unrecorded`: no hash recorded; else `then`, `now`: the origin files' recorded and shipped hash."""

    unrecorded: bool
    then: str | None = None
    now: str | None = None
    election: str | None = None
    added: str = ""

    def sentence(self, study_name: str = "STUDY", *, html: bool = False) -> str:
        """The one wording for the report's banner (`html=True`), `report`'s warning and `status`."""
        if self.unrecorded:
            made = ("The bot and origin probabilities were made by an earlier version of botwatch, which recorded no model hashes; "
                    "the bot and origin model files shipped now were refitted after that")
        else:
            made = (f"The origin probabilities were made with other origin model files than this botwatch ships (SHA-256 "
                    f"{(self.then or '')[:12]}… then, {(self.now or '')[:12]}… now)")
        # Other origin files alone leave the bot probabilities (the bot model's own hash is said
        # apart, `bot_model_changed`): "automated counts" are then today's model's, not earlier ones.
        read = "foreign-origin and automated counts" if self.unrecorded else "foreign-origin counts"
        text = (f"{made}, so the scores, and every figure read from them ({read}, groups, timelines, "
                "estimates), are the earlier models', while the validation figures quoted are the shipped models'. Run {cmd} to "
                "score the accounts again and build the report again.")
        return _with_analyze(text + self.added, study_name, html, election=self.election)

    def command(self, study_name: str = "STUDY") -> str:
        """The renew command `sentence` names, on its own (`status --json`)."""
        return analyze_command(study_name, election=self.election)


def account_models_changed(study: Study) -> AccountModelsChanged | None:
    """The change, or None: the latest successful accounts run recorded the shipped origin files'
    hash (or none of it while recording the bot model's), or no accounts run is readable."""
    from botwatch.runs_table import latest_of_stage

    run = latest_of_stage(study, "accounts") if "runs" in study.tables() else None
    if run is None or run.params is None:
        return None
    then = run.params.get("origin_model_sha256")
    if "bot_model_sha256" not in run.params and then is None:
        found = AccountModelsChanged(True)
    else:
        from botwatch.accounts.stage import origin_model_sha256

        try:
            now = origin_model_sha256()
        except OSError:  # an unreadable shipped file: nothing can be compared (`analyze` says why)
            return None
        if not isinstance(then, str) or then == now:
            return None
        found = AccountModelsChanged(False, then, now)
    election, added = _renew_word(study, ["accounts"])
    return AccountModelsChanged(found.unrecorded, found.then, found.now, election, added)
