"""`botwatch analyze`, `report` and `demo`: run the stages, write the report, or both on the bundled sample."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.table import Table

from botwatch.cli.common import (
    ElectionOpt, EngineOpt, NoElectionOpt, SparkMasterOpt, StudyArg, app, console, controls_shown, election_choice_or_fail, election_or_fail, fail, finite, local_output, no_election_or_fail, open_or_fail, share,
    out, plain, say_if_rare_rate, stage_progress, warn,
)
from botwatch.cli.ingest import ingest
from botwatch.elections.contest import contest_words, contest_words_for
from botwatch.shown_text import name_shown, shell_shown
from botwatch.userfile import os_error_said

if TYPE_CHECKING:
    from botwatch.study import Study


def _runs_stage(name: str, st: "Study", only: list[str] | None, skip: list[str] | None, with_deps: bool, has_election: bool) -> bool:
    """Whether this `analyze` runs the stage `name`; True when the plan cannot be made (the
    pipeline then says why)."""
    from botwatch.pipeline import PipelineError, plan, stages as all_stages

    try:
        chosen = [s for s, _ in plan(all_stages(), set(st.tables()), list(only) if only else None, list(skip) if skip else None, with_deps=with_deps)]
    except PipelineError:
        return True
    return any(s.name == name and (has_election or not s.needs_election) for s in chosen)


def say_if_model_near_chance() -> None:
    """One warning line when the bot model the accounts stage is about to score with recorded, at
    training, that it is near chance on its own labelled accounts (`model_quality`). The training
    command said it once, and `explain` and the report repeat it, but `analyze`, the command that
    turns the model into every account's probability, said nothing."""
    import os

    from botwatch.accounts.botmodel import model_meta
    from botwatch.accounts.model_quality import recorded_warning

    try:
        warning = recorded_warning(model_meta())
    except Exception:  # noqa: BLE001 - `bot_model_or_fail` has said what is wrong with an unreadable file
        return
    if warning:  # `warn` shows the path's control characters escaped
        path = os.environ.get("BOTWATCH_BOT_MODEL")
        warn(f"BOTWATCH_BOT_MODEL={name_shown(path)}: {warning}" if path else warning)


def stage_names_or_fail(only: Optional[list[str]], skip: Optional[list[str]], with_deps: bool = False) -> None:
    """A misspelt `--only`/`--skip` stage is one error line before the study is opened: it was
    found by the pipeline after "using the election this study was analysed with ..." and the
    sample-rate line had been printed, as if the run had started."""
    from botwatch.pipeline import PipelineError, stages as all_stages

    if not only and not skip:
        return
    try:
        known = [s.name for s in all_stages()]
    except PipelineError as exc:
        fail(str(exc))
        return
    for name in (only or []) + (skip or []):
        if name not in known:
            fail(f"unknown stage {name!r}; stages: {', '.join(known)}")
    if only and not with_deps and not set(only) - set(skip or []):
        # Ran nothing, printed an empty stage table and exit 0, as if the analysis were done.
        both = ", ".join(dict.fromkeys(only))
        fail(f"--only and --skip both name {both}: nothing is left to run; drop one of them")


@app.command()
def analyze(
    study: StudyArg,
    election: ElectionOpt = None,
    no_election: NoElectionOpt = False,
    stage: Annotated[Optional[list[str]], typer.Option("--only", "--stage", help="Run only this stage (repeatable; its inputs must exist, or add --with-deps; `botwatch stages` lists them)")] = None,
    with_deps: Annotated[bool, typer.Option("--with-deps", help="With --only: also run the stages upstream of it")] = False,
    skip: Annotated[Optional[list[str]], typer.Option("--skip", help="Skip this stage (repeatable)")] = None,
    sample_rate: Annotated[Optional[float], typer.Option(parser=share, callback=finite(expect="a share above 0 and at most 1 (0.01 for a 1% sample)"), help="Share of the platform the archive holds (0.01 for the 1% sample)")] = None,
    origin_study_prior: Annotated[bool, typer.Option("--origin-study-prior/--no-origin-study-prior",
                                                     help="Re-weight P(Russia) by the study's own estimated share of Russia-run accounts, and each account's other countries by its own estimated mix of countries, home's share included (docs/methods.md)")] = True,
    workers: Annotated[Optional[int], typer.Option(min=1, help="Processes labelling posts (content, from 20k posts) and scoring accounts (accounts, from 50k accounts) on a DuckDB study; smaller studies run in this process (default: the cores, at most 4; never more than the cores; 1: all in this process)")] = None,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
) -> None:
    """Run the analysis stages on a study, recording each in the `runs` table.

    Without --election, the election the study was analysed with (said in one line); --no-election
    runs with none instead (the origin model then scores without a home-country prior), recorded so
    that later runs keep it until --election names one."""
    from botwatch.pipeline import Context, PipelineError, analyze as run_analyze
    from botwatch.report.staleness import behind_inputs
    from botwatch.study import StudyError
    from botwatch.estimates.recorded_rate import study_sample_rate

    if sample_rate is not None and not 0 < sample_rate <= 1:  # as `estimate` says it: 0 was taken as no rate, 2 and nan were a traceback
        fail(f"sample rate must be in (0, 1], got {sample_rate:g}: give a share above 0 and at most 1 (0.01 for a 1% sample)")
    no_election_or_fail(election, no_election)
    stage_names_or_fail(stage, skip, with_deps)
    bot_model_or_fail()
    given = election_or_fail(election)  # a bad preset or file fails before the study is opened
    seconds: dict[str, float] = {}
    from botwatch.report.caveats import carriers_held

    # The stages write no posts: the check before them and the estimates stage read the accounts carrying them once.
    with open_or_fail(study, engine=engine, master=spark_master) as st, stage_progress() as progress, carriers_held(st), ExitStack() as words:
        # Without --election, the election the study was analysed with: re-running a stage with none
        # silently dropped the home-country prior from a study whose report names that election.
        chosen, none_on_purpose = election_choice_or_fail(st, given, no_election)
        words.enter_context(contest_words_for(contest_words(chosen)))  # the stages' lines say "side" for a referendum
        if no_election:
            console.print("no election (--no-election): accounts are scored without a home-country prior; stages that need an "
                          "election are skipped and keep the tables an earlier run made", highlight=False, markup=False)
        if chosen is not None:
            from botwatch.origin_rule import home_known, scoring_home, unknown_home_note

            if not home_known(chosen.country):
                # True of the scores this run makes, or when none were made for another country; a
                # stage re-run over scores made for a known country measures against that one
                # (`origin_rule.measured_home`), and the warning contradicted its own log line.
                scored = None if _runs_stage("accounts", st, stage, skip, with_deps, True) else scoring_home(st)
                if scored is None or not home_known(scored):
                    warn(unknown_home_note(chosen.country))
                else:
                    console.print(f"foreign origin is measured against {scored}, the country the account scores were made for "
                                  f"(the origin model does not know {chosen.country.upper()}; re-running the accounts stage with this election would leave it unmeasured)",
                                  highlight=False, markup=False)
            if chosen.timezone_note():
                warn(controls_shown(chosen.timezone_note()))
            if not chosen.shipped and _runs_stage("content", st, stage, skip, with_deps, True):
                # What `elections check` says of a file's matching slips (a hashtag listed twice, a
                # hashtag, keyword or account listed for two parties, a tag no post can carry), said
                # where they skew the counts: a file used without a check ran with "ok" from no one
                # and every post of a shared account counted for both sides.
                from botwatch.cli.elections import matching_slip_lines

                for line in matching_slip_lines(chosen):
                    warn(controls_shown(line))
        if stage and chosen is None:
            # Named on purpose, such a stage would only be "skipped: needs --election", exit 0, nothing done.
            from botwatch.pipeline import stages as all_stages

            need = [s.name for s in all_stages() if s.name in set(stage) and s.needs_election]
            if need:
                why = " (this run has none: --no-election, given or recorded)" if none_on_purpose else ""
                fail(f"{', '.join(need)} {'needs' if len(need) == 1 else 'need'} --election{why}: a preset (`botwatch elections list`, e.g. uk-ge2017) or a TOML file")
        say_if_no_posts(st, study)
        if _runs_stage("accounts", st, stage, skip, with_deps, chosen is not None):
            say_if_model_near_chance()
        if sample_rate and _runs_stage("estimates", st, stage, skip, with_deps, chosen is not None):
            say_if_rare_rate(sample_rate, "--sample-rate")
            from botwatch.estimates.recorded_rate import given_rate_conflict

            if conflict := given_rate_conflict(st, sample_rate):
                warn(conflict)
        if not sample_rate and _runs_stage("estimates", st, stage, skip, with_deps, chosen is not None):  # the only stage a sample rate changes
            # the rate the study's estimates were made with, else a capture's (`botwatch collect --sample`);
            # said only when the estimates stage runs (the review found the line printed for --only accounts)
            sample_rate, note = study_sample_rate(st)
            if note:
                console.print(controls_shown(note), highlight=False, markup=False)
        options: dict = {"sample_rate": sample_rate} if sample_rate else {}
        if not origin_study_prior:
            options["origin_study_prior"] = False
        if none_on_purpose:  # recorded in `runs`: a later plain `analyze` keeps none (elections.recorded.study_election)
            options["no_election"] = True
        if workers is not None:  # what the stages fork (content.pool, accounts.pool); the outputs do not depend on it
            options["workers"] = workers
        ctx = Context(election=chosen, options=options, log=progress.log, engine=getattr(st, "engine", "duckdb"))
        say_if_outside_window(st, ctx.election)
        from botwatch.report.caveats import scaling_unsupported

        # Only where the estimates stage (the one stage that scales) runs: `--only coverage
        # --sample-rate 0.01` warned that scaled counts are not platform figures where none was scaled.
        not_sample = scaling_unsupported(st, sample_rate) if _runs_stage("estimates", st, stage, skip, with_deps, chosen is not None) else None
        if not_sample:
            warn(not_sample)
        try:
            with progress.watching(st):  # on a lake: each Spark step named, a line every ~30 s
                results = run_analyze(
                    st, ctx, only=stage or None, skip=skip or None, with_deps=with_deps,
                    on_start=progress.start, on_done=lambda name, stat, rows, secs: (seconds.__setitem__(name, secs), progress.done(name, stat, rows, secs)),
                )
        except (PipelineError, StudyError) as exc:  # StudyError: e.g. a statement Spark could not run on a lake
            fail(str(exc))
        if ctx.election is not None and any(name == "content" and str(stat).startswith("ok") for name, stat, _rows in results):
            from botwatch.estimates.recorded_rate import warning_rate

            # `--only content` looked no rate up: the recorded one, as the full run reads it.
            say_unmatched_parties(st, ctx.election, warning_rate(st, sample_rate or None))
        # Stages run alone (`--only`, `--skip`) leave the ones after them reading old results: said
        # here, as the report and `status` say it. So does a run with no election, which skips the
        # stages that need one (they keep reading the tables the others just rewrote): it was said
        # only by `status` and the report. A whole `analyze` with an election leaves none behind.
        behind = behind_inputs(st) if stage or skip or chosen is None else None
        # So are labels or scores a stage not run here made with other model files than this
        # botwatch ships (`--only coverage` after an upgrade): said by `status` and `report` alone.
        models = _models_changed(st, str(study)) if stage or skip or chosen is None else []
    t = Table(title="Stages")
    for c in ("stage", "status", "rows", "seconds"):
        t.add_column(c, justify="right" if c in ("rows", "seconds") else "left")
    for name, stat, rows in results:
        t.add_row(name, stat, "" if rows is None else f"{rows:,}", f"{seconds[name]:,.1f}" if name in seconds else "")
    out.print(t)
    if behind is not None:
        warn(behind.sentence(str(study)))
    for said in models:
        warn(said)


def _models_changed(st: "Study", study: str) -> list[str]:
    """What `status` and `report` say of the bot scores made with another bot model than the one
    selected (`model_used.bot_model_changed`), and of the post labels and account scores made with
    other model files than this botwatch ships (`content_model_changed`, `account_models_changed`),
    in that order: the stages run alone leave them as they were. A reviewer found the first left
    out, though `status` and `report` say it beside the other two."""
    from botwatch.model_used import bot_model_changed
    from botwatch.report.staleness import account_models_changed, content_model_changed

    bot = bot_model_changed(st)
    return ([bot.said(study)] if bot is not None else []) + [
        found.sentence(study) for found in (content_model_changed(st), account_models_changed(st)) if found is not None]


def bot_model_or_fail() -> None:
    """The model `BOTWATCH_BOT_MODEL` names, checked before a stage runs: a missing file or one
    that is not a botwatch bot model is the user's setting, said in one line (exit 2), not "a
    bug in botwatch" from inside the accounts stage."""
    import os

    path = os.environ.get("BOTWATCH_BOT_MODEL")
    if not path:
        return
    from botwatch.accounts.botmodel import model_meta

    try:
        model_meta(path)
    except Exception as exc:  # noqa: BLE001 - whatever a user-named file makes the reader raise is the file's fault
        why = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
        if isinstance(exc, ValueError) and type(exc).__name__ == "JSONDecodeError":
            why = f"not a botwatch bot model (not JSON: {why})"
        fail(f"BOTWATCH_BOT_MODEL={name_shown(path)}: {why}; unset it to use the shipped model, or point it at a file `botwatch train-bot-model` wrote")


def say_if_outside_window(st: Study, election: object, caller: str = "analyze") -> None:
    """One warning line when no post falls in the election's window: the stages still run (the
    data may be studied for itself), but nothing they find is about that election's campaign. It
    ends with what to do (`caveats.outside_window_advice`; `caller`: the command that says it)."""
    from botwatch.report.caveats import outside_election_window, outside_window_advice

    line = outside_election_window(st, election)
    if line:
        warn(f"{line} {outside_window_advice(caller)}")


def say_unmatched_parties(st: Study, election: object, sample_rate: float | None = None) -> None:
    """One warning line per party that matched no election post, and a stronger one when no post
    matched any: an election whose parties match nothing analysed "ok" with every party figure
    zero and nothing said (`content.party_coverage`). And one per party that most of the study's
    posts name, whose term is likely the archive's own query (`dominant_lines`). And how many
    reposts share a post the study does not hold and carry no words to match (`unread_reposts_line`),
    or were never asked for by a filtered Bluesky capture (`filtered_reposts_note`)."""
    from botwatch.cli.common import controls_shown
    from botwatch.content.party_coverage import dominant_lines, party_coverage, unmatched_lines, unread_reposts_line

    cov = party_coverage(st, election, unread=True)  # with the reposts `unread_reposts_line` counts: one query (Spark jobs on a lake)
    if cov is None:
        return
    from botwatch.report.scope import filtered_reposts_note

    reposts = [x for x in (unread_reposts_line(st, cov), filtered_reposts_note(st)) if x]
    from botwatch.report.caveats import outside_election_window

    # Asked only when nothing is in the election: the window may be why (a query; Spark jobs on a lake).
    outside = cov.election_posts == 0 and outside_election_window(st, election) is not None
    for line in [*unmatched_lines(cov, election, sample_rate, outside), *dominant_lines(st, cov, election), *reposts]:
        warn(controls_shown(line))


def say_if_no_posts(st: Study, study: Path | str) -> None:
    """A study without posts (an ingest stopped early, or of nothing readable) had every stage report
    "ok, 0 rows". With no accounts either there is nothing to analyze: exit 1 before any stage runs,
    so a script can tell. Profiles alone (a user lookup) are scored by the account stages: those
    run, under a warning that the stages reading posts find nothing."""
    tables = set(st.tables())
    if "posts" in tables and st.count("posts") > 0:
        return
    accounts = st.count("accounts") if "accounts" in tables else 0
    if not accounts:
        fail(f"{name_shown(study)} holds no posts (and no accounts): nothing to analyze, no stage was run; add archives with `botwatch ingest {shell_shown(study)} FILES`", code=1)
    warn(f"{name_shown(study)} holds no posts, only {accounts:,} account profiles: the account stages score "
         "the profiles; the stages that read posts (content, coordination, timeline, impact, estimates) have nothing to read")


REPORT_SUFFIXES = (".html", ".htm")  # the report's one form; a browser opens these by their name


@app.command()
def report(
    study: StudyArg,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", callback=local_output, help="HTML file to write (its name ends in .html or .htm; default report.html); this study's earlier report there is replaced (it is rebuilt from the study), any other file (another study's report too) only with --force")] = None,
    title: Annotated[Optional[str], typer.Option(help="Report title (default: the study's name)")] = None,
    exports: Annotated[bool, typer.Option("--exports/--no-exports", help="Also write accounts, clusters and estimates as CSV and Parquet beside the report")] = True,
    posts: Annotated[bool, typer.Option("--posts/--no-posts", help="Also export every post with its labels (large: most of a study's size)")] = False,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the -o file even if it is not a botwatch report")] = False,
    reproduce: Annotated[bool, typer.Option("--reproduce", help="Print the report's reproduction block as a shell script instead (every command whole, in the order the study ran them; `> reproduce.sh`); writes no report")] = False,
    paths_relative_to: Annotated[Optional[Path], typer.Option("--paths-relative-to", metavar="DIR", help="Show input paths under DIR relative to it in the reproduction block and the stage table (and in --reproduce), naming only DIR's last part: a shared report then names none of your folders, and a reader runs the commands from their copy of DIR; default: paths as stored")] = None,
) -> None:
    """Write the self-contained HTML report of a study (and its data exports beside it)."""
    if paths_relative_to is not None and not paths_relative_to.is_dir():
        fail(f"--paths-relative-to {name_shown(paths_relative_to)}: not a folder (name the folder the inputs were read from)")
    if reproduce:
        if output is not None:  # was ignored: the script went to the terminal and no file was written
            fail(f"--reproduce prints the script on stdout and writes no file: leave out -o and redirect it "
                 f"(botwatch report {shell_shown(study)} --reproduce > {shell_shown(output)})")
        _print_reproduction(study, engine, spark_master, paths_relative_to)
        return
    output = Path("report.html") if output is None else output
    from botwatch.report import build_report
    from botwatch.report.build import export_folder
    from botwatch.model_used import bot_model_changed
    from botwatch.report.staleness import account_models_changed, behind_inputs, content_model_changed, cut_off_stages, outdated_estimates, stale_analysis

    if output.is_dir():  # was IsADirectoryError, reported as "a bug in botwatch"
        fail(f"{name_shown(output)} is a folder: name the HTML file, e.g. -o {shell_shown(output / 'report.html')}")
    if output.suffix.lower() not in REPORT_SUFFIXES:
        # `-o r.txt` wrote HTML into a file a text editor or a mail client then opened as text.
        # The report has one form, HTML; the tables come as CSV or Parquet through `export`.
        fail(f"-o {name_shown(output)}: the report is one HTML file, so its name ends in {' or '.join(REPORT_SUFFIXES)} "
             f"(e.g. -o {shell_shown(output.with_suffix('.html').name)}); the tables as CSV, Parquet or JSON: `botwatch export`")
    from botwatch.out_path import in_the_way_said

    if blocked := in_the_way_said(output):  # was "could not write DIR/r.html: File exists"
        fail(blocked)
    if not force and output.is_file() and not is_botwatch_report(output):
        # A report is rebuilt from the study, so re-running `report` replaces the last one (scripts
        # rely on it); a file botwatch did not write, `-o notes.html` by mistake, is not lost.
        fail(f"{name_shown(output)} exists and is not a botwatch report: pass --force to replace it, or name another file with -o")
    if not force and output.is_file() and _another_studys(output, study):
        # Any botwatch report counted as "its own": two studies writing report.html in one
        # folder replaced each other's report without a word.
        fail(f"{name_shown(output)} is the report of another study: pass --force to replace it, or name another file with -o")
    if posts and not exports:  # the posts are one of the exports: --no-exports dropped them without a word
        fail("--posts adds every post to the exports beside the report: leave out --no-exports")
    _say_report_kept(output, exports)
    from botwatch.out_path import first_missing_folder

    made = first_missing_folder(output)  # made by the build, as `export` makes an output's folders
    try:
        with open_or_fail(study, read_only=True, engine=engine, master=spark_master) as st, stage_progress() as progress:
            with progress.watching(st):  # on a lake: a line every ~30 s while a Spark step runs
                path = build_report(st, output, title=title, exports=exports, export_posts=posts, on_step=progress.step,
                                    ctx={"paths_relative_to": str(paths_relative_to)} if paths_relative_to is not None else None,
                                    on_placed=lambda: _say_report_kept(output, exports, placed=True),
                                    on_exports_placed=lambda: _say_report_kept(output, exports, exports_placed=True))
            stale = stale_analysis(st)
            cut_off = cut_off_stages(st)
            behind = behind_inputs(st)
            changed = bot_model_changed(st)
            outdated = outdated_estimates(st)
            labels_changed = content_model_changed(st)
            scores_changed = account_models_changed(st)
    except OSError as e:
        # `-o /proc/r.html` (or a read-only folder) was reported as "a bug in botwatch": an output
        # the system refuses is the user's path, said in one line like `export`'s.
        if not _beside(e, output):
            raise
        fail(f"could not write {name_shown(output)}: {os_error_said(e)}")
    out.print(f"wrote {plain(name_shown(path))} ({path.stat().st_size / 1024:,.0f} KiB)" + (f"; exports in {plain(name_shown(export_folder(path)))}" if exports else ""))
    if made is not None and made.is_dir():  # a mistyped folder became a tree of them with no word
        out.print(f"made the folder {plain(name_shown(made))} for it, which did not exist", highlight=False)
    if stale is not None:  # said in the report's banner too
        warn(stale.sentence(str(study)))
    if cut_off is not None:  # said in the report's banner too
        warn(cut_off.sentence(str(study)))
    if behind is not None:  # said in the report's banner too
        warn(behind.sentence(str(study)))
    if changed is not None:  # said in the report's banner too
        warn(changed.said(str(study)))
    if outdated is not None:  # said in the report's banner too
        warn(outdated.sentence(str(study)))
    if labels_changed is not None:  # said in the report's banner too
        warn(labels_changed.sentence(str(study)))
    if scores_changed is not None:  # said in the report's banner too
        warn(scores_changed.sentence(str(study)))


def _say_report_kept(output: Path, exports: bool, placed: bool = False, exports_placed: bool = False) -> None:
    """What `report` says if Ctrl-C or SIGTERM stops it (`guard.kept_on_interrupt`): the general
    line sent the user to `botwatch status`'s stage runs and spoke of a lake's lock, though a
    report only reads the study (read-only: no run, no lock) and its build is swapped into place
    whole (`report.swap`). Before the swap the earlier report and exports are as they were; once
    `placed` (said from inside the swap, before a Ctrl-C held during it takes effect), the new ones
    are in place, and the warnings not printed are in its banner. `exports_placed` (said between
    the two renames): the new exports are in place, the HTML not yet; if its rename then fails,
    the earlier exports are gone and this line, not "as they were", is the true one."""
    from botwatch.cli.guard import kept_on_interrupt
    from botwatch.report.build import export_folder

    shown = name_shown(output)
    read = "the study was only read: none of its tables changed"
    if placed:
        beside = f", its exports in {name_shown(export_folder(output))}" if exports else ""
        kept_on_interrupt(f"The new report was in place before the stop: {shown}{beside}; {read}. What this command would "
                          "have warned of after writing it is in the report's banner.")
        return
    if exports_placed:
        folder = name_shown(export_folder(output))
        earlier = (f"the earlier report {shown} is as it was, but the exports in {folder} are the new build's, which it does not match"
                   if output.is_file() else f"no report was written ({shown} does not exist), but the exports in {folder} are the new build's")
    else:
        earlier = (f"the earlier report {shown}{' and its exports' if exports else ''} {'are' if exports else 'is'} as they were" if output.is_file()
                   else f"no report was written ({shown} does not exist)")
    kept_on_interrupt(f"The new report was not written: {earlier}; {read}. Run the same command again to write it.")


def _print_reproduction(study: Path | str, engine: Optional[str], spark_master: Optional[str], relative_to: Optional[Path] = None) -> None:
    """`report --reproduce`: the reproduction block as a script on stdout. The page shows the latest
    20 commands and cuts a command of an ingest of thousands of files; this is the whole of it, as
    exact text into a file or pipe (file names as stored, shell-quoted) and with the characters a
    terminal would obey shown as escapes on a terminal, as `elections show --toml` writes."""
    from botwatch.cli.elections import write_text_out
    from botwatch.report.context import study_label
    from botwatch.report.reproduce import RelativePaths, reproduction_script

    paths = RelativePaths(relative_to) if relative_to is not None else None
    with open_or_fail(study, read_only=True, engine=engine, master=spark_master) as st:
        script = reproduction_script(st, study_label(getattr(st, "path", study))[1], paths)
    write_text_out(script, "reproduce.sh")


def is_botwatch_report(path: Path, title: str | None = None) -> bool:
    """Whether `path` is an HTML report botwatch wrote (its generator tag in the head), and when
    `title` is given, one with that title (the demo's report is titled "bundled sample (...)")."""
    import html

    from botwatch.study import file_head

    raw = file_head(path, 8192)
    if raw is None:
        return False
    head = raw.decode("utf-8", "replace")
    if '<meta name="generator" content="botwatch' not in head:
        return False
    return title is None or html.escape(title) in head or title in head


def _another_studys(output: Path, study: Path | str) -> bool:
    """Whether the botwatch report at `output` was written from a study other than `study`. A
    report without the study tag (written before it existed) is taken as this study's, as before."""
    from botwatch.report.study_key import report_study_key, study_key

    key = report_study_key(output)
    return bool(key) and key != study_key(study)


def _beside(e: OSError, output: Path) -> bool:
    """Whether `e` is about a path in the report's own folder (the HTML file, its temporary copy or
    its exports folder), not about the study being read."""
    if not e.filename:
        return False
    folder = output.absolute().parent
    where = Path(str(e.filename)).absolute()
    return where == folder or folder in where.parents


def sample_files() -> list[Path]:
    """The bundled sample's data files."""
    from importlib import resources

    base = resources.files("botwatch") / "data" / "sample"
    return sorted(Path(str(p)) for p in base.iterdir() if p.name.endswith(".gz"))


DEMO_STUDY, DEMO_REPORT = "sample.duckdb", "report.html"


def demo_title(election: str) -> str:
    return f"bundled sample ({election})"


def not_the_demos(folder: Path) -> list[str]:
    """What in `folder` the demo would replace but did not write itself: a study holding anything
    but the bundled sample's files (recognised by their SHA-256), or a report.html that is not a
    botwatch report of the bundled sample. Empty when a re-run may replace all it finds."""
    from botwatch.ingest.source import file_sha256
    from botwatch.study import Study

    found: list[str] = []
    study = folder / DEMO_STUDY
    if study.exists():
        bundled = {file_sha256(str(p)) for p in sample_files()}
        try:
            with Study(study, read_only=True) as st:
                hashes = {h for (h,) in st.sql("SELECT DISTINCT sha256 FROM sources")}
                ours = hashes <= bundled and (bool(hashes) or st.count("posts") == 0)
        except Exception:  # noqa: BLE001 - unreadable, locked or not a study: not known to be the demo's
            ours = False
        if not ours:
            found.append(f"a study {name_shown(study)} that is not the bundled sample's")
    report = folder / DEMO_REPORT
    if report.exists() and not (report.is_file() and is_botwatch_report(report, title="bundled sample (")):
        found.append(f"a {name_shown(report)} that is not the demo's report")
    return found


def demo_study_free_or_fail(study: Path) -> None:
    """One line (exit 2) when another process holds the demo's study: a demo still running there,
    say. It was called "a study that is not the bundled sample's", and `--force` then deleted the
    file under the process writing it."""
    from botwatch.study import Study, StudyBusy

    if not study.exists():
        return
    try:
        Study(study, read_only=True).close()
    except StudyBusy as exc:
        fail(f"{exc.for_command()} (The demo would replace that study: run it again once the other process is done, or name another folder with -o.)")
    except Exception:  # noqa: BLE001 - not a study, unreadable: `not_the_demos` says so
        return


@app.command()
def demo(
    output: Annotated[Path, typer.Option("-o", "--output", callback=local_output, help="Folder for the study and the report")] = Path("botwatch-demo"),
    election: ElectionOpt = "us-2016",
    force: Annotated[bool, typer.Option("--force", help="Replace a sample.duckdb or report.html in the folder that an earlier demo did not write")] = False,
) -> None:
    """The main job on the bundled sample: ingest it into a fresh study, analyze it, write the report.
    Run again, it replaces its own earlier study and report in the folder, and nothing else."""
    # A mistyped preset failed at step 2, after the earlier demo's study was deleted and the
    # sample ingested again: the folder was left with a study not analysed beside an old report.
    election_or_fail(election)
    if output.exists() and not output.is_dir():  # was FileExistsError, "a bug in botwatch"
        fail(f"{name_shown(output)} is a file: -o names the folder the demo writes its study and report into")
    if output.is_dir():
        demo_study_free_or_fail(output / DEMO_STUDY)
    if not force and output.is_dir() and (theirs := not_the_demos(output)):
        # The demo deleted any sample.duckdb there and overwrote report.html without a word.
        fail(f"{name_shown(output)} holds {' and '.join(theirs)}: name another folder with -o, or pass --force to replace them")
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"cannot create the folder {name_shown(output)}: {os_error_said(exc)}")
    study = output / DEMO_STUDY
    for p in (study, Path(str(study) + ".wal")):
        p.unlink(missing_ok=True)
    files = [str(p) for p in sample_files()]
    console.print(f"[bold]1/3 ingest[/bold] {len(files)} bundled files → {plain(name_shown(study))}", highlight=False)
    ingest(study, files, force=False, max_record_mb=16.0, workers=None)
    console.print(f"[bold]2/3 analyze[/bold] --election {plain(election)}", highlight=False)
    analyze(study, election=election, stage=None, skip=None, sample_rate=None)
    console.print("[bold]3/3 report[/bold]", highlight=False)
    report(study, output=output / DEMO_REPORT, title=demo_title(election), exports=True, posts=False, force=True)
    out.print(f"Open {plain(name_shown(output / DEMO_REPORT))} in a browser. Study: {plain(name_shown(study))}")
