"""What every `botwatch` command shares: the Typer app, the consoles, the study and election
arguments, and the three helpers that turn a library error into one red line and an exit code.

Command modules import from here (never from each other): `fail`, `open_or_fail`,
`election_or_fail`, `StudyArg`, `ElectionOpt`, `EngineOpt`, `SparkMasterOpt`, `console` (stderr),
`out` (stdout).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, ProgressColumn, TaskID, TextColumn
from rich.text import Text

from botwatch.cli.guard import GuardedTyper
from botwatch.shown_text import controls_shown, name_shown, record_shown, shell_shown

if TYPE_CHECKING:  # the study module imports duckdb, ibis and pyarrow: `--help` and `collect` need none
    from botwatch.study import Study

app = GuardedTyper(  # what escapes a command (Ctrl-C during Spark work, a bug) is one line, not a traceback
    name="botwatch",
    help="Find and measure automated and foreign-linked influence campaigns in election talk.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

def stdout_closed(error: str | None = None) -> NoReturn:
    """The reader of stdout went away (`botwatch explain S x | head -1`): what it wanted was
    written, so end quietly with 0 as `export -o -` does; stdout goes to /dev/null so that
    Python's final flush cannot complain ("Exception ignored ... BrokenPipeError").

    `error`: the command was printing its error's object (`explain --json` of no account): the
    outcome is that error, whoever reads stdout, so it is said on stderr and the exit stays 2
    (`head -0` made the not-found exit 0, as if the account had been found)."""
    import os
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        raise SystemExit(0) from None
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (a test runner's buffer): nothing to redirect
        pass
    finally:  # stdout holds its own copy now; this descriptor was left open on every call
        os.close(devnull)
    if error is not None:
        fail(error)
    raise SystemExit(0)


def print_result(text: str, *, closed_error: str | None = None) -> None:
    """`text` and a newline on stdout (JSON for scripts), ending quietly when the pipe is closed:
    Typer turned the BrokenPipeError into exit 1. `closed_error`: as `stdout_closed`'s `error`."""
    import sys

    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        stdout_closed(closed_error)


JSON_INDENT = 1  # every `--json` output: one document, one space per level (README, "Use")


def print_json_result(value: Any, *, closed_error: str | None = None) -> None:
    """`value` as the JSON every `--json` option prints: indented by `JSON_INDENT`, non-ASCII text
    as itself (UTF-8; `\\u` escapes on a stdout that is not UTF-8: `cli.streams`). One writer, so
    that `accounts --json` and `stages --json` no longer indent two ways (1 and 2) and a script or
    a diff sees one style. Control and invisible format
    characters in record text (a handle's U+202E) are written as `\\u` escapes (`json_shown`).
    `closed_error`: as `print_result`'s."""
    import json
    import sys

    from botwatch.cli.streams import writes_unicode
    from botwatch.shown_text import json_shown

    # On a stdout that is not UTF-8, ASCII JSON (`\u00e9`): the same value, where an escaped `\xe9` is no JSON.
    ascii_only = not writes_unicode(sys.stdout)
    print_result(json_shown(json.dumps(value, ensure_ascii=ascii_only, indent=JSON_INDENT, allow_nan=False)), closed_error=closed_error)


class ResultConsole(Console):
    """The results console: a closed pipe ends the command quietly with 0 (Rich exits 1, which read
    as a failure where `| head` is the usual way to look at a long table).

    Works on every Rich the project allows (rich>=13): Rich 13.8 and later catch the
    BrokenPipeError themselves and call `on_broken_pipe` (overridden here); 13.0-13.7 have no such
    hook and let the error leave `print`, where it is caught and handled the same way."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        stdout_closed()

    def print(self, *objects: Any, **kwargs: Any) -> None:  # type: ignore[override]
        try:
            super().print(*objects, **kwargs)
        except BrokenPipeError:  # Rich before 13.8 (no on_broken_pipe hook)
            self.on_broken_pipe()


class MessageConsole(Console):
    """The messages console (stderr): when its reader has gone (`botwatch timeline S 2>&1 | head`),
    later messages are dropped and the command goes on to its own end and exit status.

    Rich's default redirected *stdout* to /dev/null and exited 1, so a warning written after
    `head` had closed the pipe turned a finished command into a failure (exit 1 one run in
    three), and an error's line its exit 2 into 1. A result written to the same closed pipe
    still ends the command quietly with 0 (`ResultConsole`)."""

    def on_broken_pipe(self) -> None:
        import os

        self.quiet = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
        except OSError:
            return
        try:
            os.dup2(devnull, self.file.fileno())  # Python's final flush of stderr cannot complain
        except (OSError, ValueError, AttributeError):  # no real file descriptor (a test runner's buffer)
            pass
        finally:
            os.close(devnull)

    def print(self, *objects: Any, **kwargs: Any) -> None:  # type: ignore[override]
        try:
            super().print(*objects, **kwargs)
        except BrokenPipeError:  # Rich before 13.8 (no on_broken_pipe hook)
            self.on_broken_pipe()


console = MessageConsole(stderr=True, soft_wrap=True, emoji=False)  # paths and errors never cut, wrapped or turned into emoji (":a:")
out = ResultConsole(soft_wrap=True, emoji=False)  # results too: a path or a sentence is never cut at 80 columns in a pipe

# A str, not a Path: Path folds `s3a://bucket/x` to `s3a:/bucket/x` and `hdfs:///lake` to `hdfs:/lake`,
# which no rule can put back for every scheme (`study_location` read sys.argv to find what was typed,
# so a command called from Python or by a test runner opened `hdfs://lake`, a host named "lake").
StudyArg = Annotated[str, typer.Argument(metavar="STUDY", help="The study: a DuckDB file (study.duckdb), or a lake folder or URL of Parquet tables (opened with Spark)")]
# How a study is opened for analysis. A lake (a folder holding _botwatch_lake.json, or a URL) is
# opened with Spark without asking; `--engine spark` also makes a new path a lake.
EngineOpt = Annotated[Optional[str], typer.Option("--engine", help="duckdb or spark (default: spark for a lake, duckdb otherwise)")]
SparkMasterOpt = Annotated[Optional[str], typer.Option("--spark-master", envvar="SPARK_MASTER", help="Spark master URL (default: the running session under spark-submit, else local[*])")]
ELECTION_HELP = "Election preset (e.g. uk-ge2017, us-2016; `botwatch elections list`) or a TOML file (your own election: docs/elections.md)"
# The one spelling of --election; what the election does for a command is in its docstring.
ElectionOpt = Annotated[Optional[str], typer.Option("--election", "-e", help=ELECTION_HELP)]
# `estimate`'s (`--preset` is an older name it still takes): it cannot run without an election, but
# a study analysed with one already names it, so the option may be left out there.
# `analyze`'s way out of the recorded election (mutually exclusive with --election).
NoElectionOpt = Annotated[bool, typer.Option(
    "--no-election", help="Run with no election, even if the study was analysed with one (recorded as such; "
                          "stages that need an election are skipped and keep their tables). Not with --election")]
ElectionOrPreset = Annotated[Optional[str], typer.Option("--election", "-e", "--preset", help=ELECTION_HELP + "; default: the one the study was analysed with")]


def finite(*, at_least: float | None = None, above: float | None = None, at_most: float | None = None,
           expect: str | None = None) -> Callable[[Optional[float]], Optional[float]]:
    """The one check of a number option (`typer.Option(callback=finite(...))`): nan and ±inf are
    refused as what they are, then a value outside the range, each with the range in words.

    Why here and not in `min=`/`max=`: Typer range-checks before any callback, and said "Input
    should be less than or equal to 1" for `--min-bot nan` (nan is no number, and -inf is less
    than 1); options without a range took nan and inf silently (`collect --rotate-mb inf` ended
    as "a bug in botwatch"). Commands with their own range check (`--sample-rate`) keep it and
    get the non-finite refusal from here, with `expect` (what to give, in words) in it."""
    import math

    span = expect or _span(at_least, above, at_most)

    def check(value: Optional[float]) -> Optional[float]:
        if value is None:
            return value
        if math.isnan(value):
            raise typer.BadParameter(f"nan is not a number: give {span}")
        if math.isinf(value):
            raise typer.BadParameter(f"{value:g} is not a finite number: give {span}")
        if (at_least is not None and value < at_least) or (above is not None and value <= above) \
                or (at_most is not None and value > at_most):
            raise typer.BadParameter(f"{value:g} is out of range: give {span}")
        return value

    return check


def local_output(value: Optional[Path]) -> Optional[Path]:
    """The one check of an output path option (`typer.Option(callback=local_output)`): a URL is
    refused as a usage error, before any work. botwatch writes local files only; `-o s3://b/r.html`
    made a folder "s3:" here and wrote into it, with nothing said (`out_path.url_scheme`)."""
    from botwatch.out_path import url_scheme

    if value is not None and (scheme := url_scheme(value)) is not None:
        raise typer.BadParameter(f"a URL ({scheme}//…): botwatch writes local files only. Write to a local path, "
                                 "then copy the result with your storage's own tool")
    return value


def share(value: str | float) -> float:
    """Parse a share option (`--sample-rate`, `collect --sample`), saying what to give instead of a
    percentage: "1%" is the commonest way to write the 1% stream's rate, and the parser's own refusal
    ("Input should be a valid number") named neither the mistake nor the share to give (0.01).
    Typer hands an option's default (`collect --sample`'s 1.0) to the parser as it is, a number."""
    if isinstance(value, (int, float)):
        return float(value)
    text = value.strip()
    try:
        return float(text)
    except ValueError:
        pass
    if text.endswith("%"):
        try:  # "1,5%", its decimal mark a comma, is the same percentage as "1.5%"
            percent = float(_pointed(text[:-1]))
        except ValueError:
            percent = None
        # "0%" or "200%" was told to give 0 or 2, which the range check then refused: no share stands for them.
        if percent is not None and 0 < percent <= 100:
            raise typer.BadParameter(f"{value!r} is a percentage: give the share it stands for, {percent / 100:g}")
        if percent is not None:
            raise typer.BadParameter(f"{value!r} is a percentage outside 0 to 100%: give a share above 0 and at most 1 (0.01 for a 1% sample)")
    elif (pointed := _pointed(text)) != text and 0 < _number_or_nan(pointed) <= 1:  # a share to give, not one refused next
        raise typer.BadParameter(f"{value!r} has a decimal comma: write it with a point, {pointed}")
    raise typer.BadParameter(f"{value!r} is not a number: give a share above 0 and at most 1 (0.01 for a 1% sample)")


def _pointed(text: str) -> str:
    """`text` with a lone comma made a point ("0,01" -> "0.01"): where a comma is the decimal mark,
    "0,01" was refused as "not a number", as if the value were wrong rather than its mark. A text of
    several commas (thousands, "1,000,000") is left as it is."""
    return text.replace(",", ".") if text.count(",") == 1 else text


def _number_or_nan(text: str) -> float:
    """`text` as `float` reads it, nan where it reads no number (nan is in no range)."""
    try:
        return float(text)
    except ValueError:
        return float("nan")


def _span(at_least: float | None, above: float | None, at_most: float | None) -> str:
    """'a number from 0 to 1', 'a number above 0', 'a number of 0 or more', 'a finite number'."""
    if at_least is not None and at_most is not None:
        return f"a number from {at_least:g} to {at_most:g}"
    if above is not None and at_most is not None:
        return f"a number above {above:g} and at most {at_most:g}"
    if above is not None:
        return f"a number above {above:g}"
    if at_least is not None:
        return f"a number of {at_least:g} or more"
    if at_most is not None:
        return f"a number of {at_most:g} or less"
    return "a finite number"


class StillRunning:
    """Where no spinner is drawn (stderr a pipe or a log file, as under nohup or cron), a line every
    `BOTWATCH_PROGRESS_SECONDS` (30 s, as ingest's and Spark's lines) while one stage or report step
    runs on a DuckDB study. Why: `analyze` of the whole IRA archive (1.65M posts) into a log said
    nothing for the content stage's 50 s, then nothing for coordination's 65 s, on a loaded machine
    minutes; a reader of the log could not tell a long stage from a hung one.

    The thread, its interval and its stopping are `botwatch.ticker`'s (shared with Spark's lines):
    `begin` names the step now running, `end` clears it and says whether a line was printed for
    it (its finish is then said too, so the log shows it ended)."""

    def __init__(self, emit: Callable[[str], None], every: float) -> None:
        from botwatch.ticker import Framed, Ticker

        self.every = every
        self._framed = Framed()
        self._ticker = Ticker(self.line, emit, every, name="botwatch-still-running")

    def start(self) -> "StillRunning":
        self._ticker.start()
        return self

    def stop(self) -> None:
        self._ticker.stop()

    def begin(self, name: str) -> None:
        from botwatch.ticker import clear_done

        clear_done()  # an earlier step's count is not this one's
        self._framed.begin(name)

    def end(self) -> bool:
        """Clear the running step; True when a line was printed while it ran."""
        from botwatch.ticker import clear_done

        clear_done()
        ran = self._framed.end()
        return ran is not None and ran[1]

    def line(self) -> str | None:
        """The line owed now ("coordination: still running, 64 s so far"), or None; with how
        much of its input the step has read where it counts it ("content: still running, 91 s so
        far; 650,000 of 1,741,039 posts read", `ticker.note_done`)."""
        from botwatch.ticker import done_said

        due = self._framed.due(self.every)
        if due is None:
            return None
        name, seconds = due
        return f"{controls_shown(name)}: still running, {seconds:,.0f} s so far{done_said()}"


class DoneColumn(ProgressColumn):
    """On a terminal, beside the stage's spinner and time, how much of its input it has read where
    it counts it ("650,000 of 1,741,039 posts read", `ticker.note_done`): the same words the log's
    "still running" line adds, so a long content stage shows how far it has got there too."""

    def render(self, task: Any) -> Text:
        from botwatch.ticker import done_said

        return Text(done_said().removeprefix("; "))


class StageProgress:
    """A Rich display of the stage running now and how long it has run, on stderr, and a line per
    finished stage with its rows and seconds. Hidden when stderr is not a terminal (pipes, CI,
    tests), where the log lines and the final table are printed, and while a stage or step runs
    longer than `BOTWATCH_PROGRESS_SECONDS` (30 s) a line says so (`StillRunning`), then its finish.

    On a lake (`watching`) each Spark step is named as well: a line every ~30 s while one runs
    (stage, step, Spark tasks and rows done, elapsed; `engines/spark_progress.py`), and the line
    per finished stage is printed in a pipe too, since a Spark stage can run for many minutes."""

    def __init__(self) -> None:
        from rich.progress import SpinnerColumn, TimeElapsedColumn

        self.progress = Progress(
            SpinnerColumn(), TextColumn("[bold]{task.description}"), TimeElapsedColumn(), DoneColumn(),
            console=console, transient=True, disable=not console.is_terminal,
        )
        self.task: TaskID | None = None
        self.spark: Any = None  # the lake's SparkProgress while `watching` one
        self.still: StillRunning | None = None  # a pipe or log's "still running" lines

    def __enter__(self) -> "StageProgress":
        self.progress.__enter__()
        if not console.is_terminal:
            from botwatch.ticker import interval_from_env

            self.still = StillRunning(lambda line: console.print(line, highlight=False, markup=False), interval_from_env()).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.still is not None:
            self.still.stop()
            self.still = None
        self.progress.__exit__(*exc)  # type: ignore[arg-type]

    def log(self, message: str) -> None:
        # Plain text, not markup: a plug-in stage's line (or a stage name, below) is not botwatch's
        # own words, and a `[/r/politics]` in it made Rich raise MarkupError, "a bug in botwatch".
        console.print(controls_shown(message), highlight=False, markup=False)

    @contextmanager
    def watching(self, study: Any) -> Iterator[None]:
        """While the block runs on a lake, name its Spark steps and print a line every ~30 s
        while one runs; a DuckDB study is left as it is."""
        if getattr(study, "engine", None) != "spark" or getattr(study, "spark", None) is None:
            yield
            return
        from botwatch.engines.spark_progress import SparkProgress

        self.spark = SparkProgress(study.spark, emit=lambda line: console.print(line, highlight=False, markup=False)).start()
        study.progress = self.spark
        try:
            yield
        finally:
            self.spark.stop()
            study.progress = None
            self.spark = None

    def start(self, name: str) -> None:
        from botwatch.ticker import clear_done

        self._clear()
        clear_done()  # (on a terminal too: the spinner's `DoneColumn` reads it)
        self.task = self.progress.add_task(plain(name), total=None)  # the description is shown as markup
        if self.spark is not None:
            self.spark.begin_stage(name)
        elif self.still is not None:  # a lake's own lines already say what a long step does
            self.still.begin(name)

    def step(self, name: str) -> None:
        """A step of work with no rows to report (report sections, exports)."""
        self.start(name)

    def done(self, name: str, status: str, rows: int | None, seconds: float) -> None:
        self._clear()
        if self.spark is not None:
            self.spark.end_stage()
        long_in_a_log = self.still is not None and self.still.end()  # said to be running: now said to be done
        if console.is_terminal or self.spark is not None or long_in_a_log:
            console.print(f"[green]{plain(status)}[/green] {plain(name)}: {'' if rows is None else f'{rows:,} rows, '}{seconds:,.1f} s", highlight=False)

    def _clear(self) -> None:
        if self.task is not None:
            self.progress.remove_task(self.task)
            self.task = None


def stage_progress() -> StageProgress:
    return StageProgress()


def wide_when_piped() -> Console:
    """`out` on a terminal; in a pipe or file a console as wide as the content, so table cells
    (evidence sentences, handles) are never wrapped at the default 80 columns."""
    return out if out.is_terminal else ResultConsole(width=4000, soft_wrap=True)


def plain(text: object) -> str:
    """Attacker-written text (a handle, a cluster label, an evidence sentence quoting a profile)
    for a Rich console: markup escaped (`[/x]` in a handle made Rich raise MarkupError) and
    terminal control characters shown as `\\x1b` (an ESC in a handle reached the terminal raw,
    and could clear or repaint it)."""
    return escape(controls_shown(text))


def record_plain(text: object) -> str:
    """A record's own text (a handle, an evidence sentence, a cluster label) for a Rich console:
    `plain`, with each backslash written as two (`shown_text.record_shown`), so a handle holding
    the typed text `\\x07` no longer reads as one holding a BEL. For the record's part only: a
    whole line with botwatch's own words goes through `plain`."""
    return escape(record_shown(text))


def warn(msg: str) -> None:
    """Print one yellow warning line on stderr (escaped, as `fail`'s): the command goes on."""
    console.print(f"[yellow]warning:[/yellow] {plain(msg)}", highlight=False)


# A sample rate under this, given on the command line, is said back with what it does. The
# smallest share a platform's own sampled feed offers is X's 1% stream; a rate ten times under
# it makes each post stand for over a thousand, and `--sample-rate 1e-6` (valid, and taken in
# silence) turned 2,245 demo posts into "2,245,000,000" beside an interval in steps of a million.
# A warning, not a refusal: a firehose subsampled that thin is a legitimate if unusual design.
RARE_SAMPLE_RATE = 0.001


def say_if_rare_rate(rate: Optional[float], option: str, collecting: bool = False) -> None:
    """Warn when a `--sample-rate` (or `collect --sample`) below RARE_SAMPLE_RATE is given."""
    if rate is None or not 0 < rate < RARE_SAMPLE_RATE:
        return
    n = f"{1 / rate:,.0f}"
    if collecting:
        warn(f"{option} {rate:g} keeps about one post in {n} of those the stream sends (after the filter), so a filtered "
             "stream may leave none for days; check it is a share (0.01 keeps 1%)")
    else:
        warn(f"{option} {rate:g} makes each post in the study stand for {n}: every count is multiplied by {n} and its "
             "interval moves in steps of it; check it is the share of the platform's posts the data holds (0.01 for a 1% sample)")


def refuse_to_overwrite(paths: list[Path], force: bool) -> None:
    """Exit 2, before anything is written, when a file a command would write exists and --force
    was not given. Why: `coordination --csv precious.csv` replaced the user's file (and wrote
    precious_nodes.csv beside it) without a word, where `export` and `report` refuse. One message
    for every command (`export --all` into a folder named the first three files its own way)."""
    if force:
        return
    there = [p for p in paths if p.exists()]
    if there:
        shown = [name_shown(p) for p in there[:3]] + ([f"{len(there) - 3:,} more"] if len(there) > 3 else [])
        names = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
        fail(f"{names} already exist{'s' if len(there) == 1 else ''}: pass --force to replace {'it' if len(there) == 1 else 'them'}")


MAX_BOOT = 100_000  # as `estimate --reps`: past it a run takes hours or all the memory


def boot_or_fail(boot: int) -> int:
    """`--boot` of the evaluate commands, checked before anything is opened. Under 10 it was
    raised to 10 without a word (`--boot 0` still printed a "95% interval"), and a huge value ran
    until killed."""
    if not 10 <= boot <= MAX_BOOT:
        fail(f"--boot {boot}: use from 10 to {MAX_BOOT:,} bootstrap resamples (1000 is the default)")
    return boot


def no_posts_line(study: Path | str, what: str) -> str:
    """One wording, with the command to run, for a command given a study with no posts (exit 1,
    as `analyze` says it and README promises; `coordination` and `estimate` said it with exit 2
    and without the command)."""
    return f"{name_shown(study)} holds no posts {what}: add archives with `botwatch ingest {shell_shown(study)} FILES`"


def fail(msg: str, code: int = 2) -> None:
    """Print one red error line on stderr and exit with `code` (no traceback reaches a user).

    After Ctrl-C the error is the interrupt's (a Spark statement whose Py4J connection broke):
    exit 130 and let the guard say "interrupted.", as README and docs/spark.md promise."""
    from botwatch.cli.guard import INTERRUPTED, interrupted_now

    if interrupted_now():
        raise typer.Exit(INTERRUPTED)
    # Messages quote file names, table names and record text: `[/x]` in them is text, not markup,
    # and an ESC in them is shown as `\x1b`, not sent to the terminal.
    console.print(f"[red]error:[/red] {plain(msg)}", highlight=False, markup=True)
    raise typer.Exit(code)


def study_location(path: Path | str) -> str:
    """The study's location as a string: a `str` as given (the command line's study argument is
    one, so a URL arrives as typed). A `Path` made from a URL (a Python caller's) has lost a slash,
    `s3a://bucket` folded to `s3a:/bucket` and `file:///data/lake` to `file:/data/lake`: it gets
    `//` back, and a `file:` URL no host (`file://data/lake` named a host "data", which Hadoop
    refused: "Wrong FS ... expected: file:///")."""
    import re

    text = str(path)
    if isinstance(path, str):
        return text
    folded = re.match(r"^([A-Za-z][\w+.-]*):/(?!/)", text)
    if not folded:
        return text
    if folded.group(1).lower() == "file":
        return "file:///" + text[len("file:/"):]
    return f"{folded.group(1)}://" + text[folded.end():]


def engine_mismatch(where: str, engine: Optional[str]) -> str | None:
    """Why `--engine` cannot open the study at `where` (a lake given --engine duckdb, a DuckDB
    file given --engine spark), said before anything starts; None when it can."""
    import os

    from botwatch.engines.lake import is_lake_path

    if engine == "duckdb" and is_lake_path(where):
        return f"{name_shown(where)} is a lake (a folder of Parquet tables, analysed by Spark): run the command with --engine spark, or without --engine"
    if engine == "spark" and "://" not in where and os.path.isfile(where):
        return f"{name_shown(where)} is a file (a DuckDB study?), not a lake folder: run the command without --engine spark"
    return None


def open_or_fail(path: Path | str, read_only: bool = False, create: bool = False, engine: Optional[str] = None, master: Optional[str] = None) -> Study:
    """Open a study for a command; only `ingest` may create one (`create=True`). A lake (or
    `engine="spark"`) opens as a `LakeStudy` on Spark; not having PySpark or Java, or no lake at
    the path, is one error line."""
    from botwatch.engines.lake import is_lake_path
    from botwatch.study import Study, StudyError

    if engine not in (None, "duckdb", "spark"):
        fail(f"unknown engine {engine!r}: use duckdb or spark")
    where = study_location(path)
    if where == "":  # `botwatch status "$STUDY"` with the variable unset: it was ". is a folder", as ingest's used to be
        fail("the study path is empty (an unset shell variable?)")
    wrong = engine_mismatch(where, engine)
    if wrong:
        fail(wrong)
    if engine == "spark" or (engine is None and is_lake_path(where)):
        try:
            from botwatch.engines.lake import LakeStudy

            return LakeStudy(where, read_only=read_only, create=create, master=master)  # type: ignore[return-value]
        except StudyError as exc:
            fail(exc.for_command())  # a command's words, as for a DuckDB study (a newer layout's)
            raise
        except Exception as exc:  # Spark and Hadoop errors: a bad URL, an unreachable cluster
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            fail(f"cannot open {name_shown(where)} as a lake study: {text[:300]}")
            raise
    try:
        return Study(path, read_only=read_only, create=create)
    except StudyError as exc:  # `StudyBusy` included
        fail(exc.for_command())  # "so this command cannot ...": the API's wording names no command
        raise  # unreachable
    except Exception as exc:  # duckdb raises IOException & co for non-DuckDB files
        fail(f"cannot open {name_shown(path)} as a study: {exc}")
        raise


def election_of_study_or_fail(st: object, given: object):  # type: ignore[no-untyped-def]
    """`given` (the `--election` already loaded) when there is one; else the election the study's
    stages were last run with, said in one line on stderr, or None when they recorded none.
    Different elections in different stages are one error line (exit 2): `--election` decides."""
    return election_choice_or_fail(st, given)[0]


def election_choice_or_fail(st: object, given: object, no_election: bool = False):  # type: ignore[no-untyped-def]
    """(election, none_on_purpose): as `election_of_study_or_fail`, with `--no-election` given or
    recorded. `none_on_purpose` is True when the command is to run with no election because the
    user said so now (`no_election`) or the study was last analysed so: a plain re-run records it
    again, so a stage left with an older election's record cannot bring that election back later."""
    if no_election:
        return None, True
    if given is not None:
        return given, False
    from botwatch.elections import ElectionError
    from botwatch.elections.recorded import study_election

    try:
        election, line = study_election(st)
    except ElectionError as exc:
        fail(controls_shown(str(exc)))
    if line:
        console.print(controls_shown(line), highlight=False, markup=False)
    return election, election is None and line is not None


def no_election_or_fail(election: Optional[str], no_election: bool) -> None:
    """One line (exit 2) when both `--election` and `--no-election` are given: they contradict."""
    if no_election and election is not None:
        fail(f"--election {election} and --no-election contradict each other: pass one of them (neither: the election the study was analysed with)")


def election_or_fail(ref: Optional[str]):  # type: ignore[no-untyped-def]
    """The election a `--election` value names, None without one; a bad preset or file is one error line."""
    if ref is None:
        return None
    from botwatch.elections import ElectionError, load_election

    try:
        return load_election(ref)
    except ElectionError as exc:
        fail(str(exc))
