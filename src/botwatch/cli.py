"""The `botwatch` command line: thin wrappers that call the library and print what happened.

Feature packages add their commands by listing a module in `COMMAND_MODULES`; the module calls
`app.command()` on the shared `app` when imported.
"""

from __future__ import annotations

import importlib
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table

from botwatch import __version__
from botwatch.study import Study, StudyError

app = typer.Typer(
    name="botwatch",
    help="Find and measure automated and foreign-linked influence campaigns in election talk.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
elections_app = typer.Typer(help="Election presets: list, show and check them.", no_args_is_help=True)
app.add_typer(elections_app, name="elections")

console = Console(stderr=True, soft_wrap=True, emoji=False)  # paths and errors never cut, wrapped or turned into emoji (":a:")
out = Console(soft_wrap=True, emoji=False)  # results too: a path or a sentence is never cut at 80 columns in a pipe

COMMAND_MODULES: list[str] = [
    "botwatch.commands_accounts",
    "botwatch.commands_collect",
    "botwatch.commands_coordination",
    "botwatch.commands_estimates",
    "botwatch.commands_timeline",
    "botwatch.commands_content",
]

class StageProgress:
    """A Rich display of the stage running now and how long it has run, on stderr, and a line per
    finished stage with its rows and seconds. Hidden when stderr is not a terminal (pipes, CI,
    tests), where only the log lines and the final table are printed."""

    def __init__(self) -> None:
        from rich.progress import SpinnerColumn, TimeElapsedColumn

        self.progress = Progress(
            SpinnerColumn(), TextColumn("[bold]{task.description}"), TimeElapsedColumn(),
            console=console, transient=True, disable=not console.is_terminal,
        )
        self.task: TaskID | None = None

    def __enter__(self) -> "StageProgress":
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)  # type: ignore[arg-type]

    def log(self, message: str) -> None:
        console.print(message, highlight=False)

    def start(self, name: str) -> None:
        self._clear()
        self.task = self.progress.add_task(name, total=None)

    def step(self, name: str) -> None:
        """A step of work with no rows to report (report sections, exports)."""
        self.start(name)

    def done(self, name: str, status: str, rows: int | None, seconds: float) -> None:
        self._clear()
        if console.is_terminal:
            console.print(f"[green]{status}[/green] {name}: {'' if rows is None else f'{rows:,} rows, '}{seconds:,.1f} s", highlight=False)

    def _clear(self) -> None:
        if self.task is not None:
            self.progress.remove_task(self.task)
            self.task = None


def stage_progress() -> StageProgress:
    return StageProgress()


def wide_when_piped() -> Console:
    """`out` on a terminal; in a pipe or file a console as wide as the content, so table cells
    (evidence sentences, handles) are never wrapped at the default 80 columns."""
    return out if out.is_terminal else Console(width=4000, soft_wrap=True)


StudyArg = Annotated[Path, typer.Argument(help="The study file (DuckDB), e.g. study.duckdb")]


def _fail(msg: str, code: int = 2) -> None:
    # Messages quote file names, table names and record text: `[/x]` in them is text, not markup.
    console.print(f"[red]error:[/red] {escape(msg)}", highlight=False, markup=True)
    raise typer.Exit(code)


def _open(path: Path, read_only: bool = False, create: bool = False) -> Study:
    """Open a study for a command; only `ingest` may create one (`create=True`)."""
    try:
        return Study(path, read_only=read_only, create=create)
    except StudyError as exc:
        _fail(str(exc))
        raise  # unreachable
    except Exception as exc:  # duckdb raises IOException & co for non-DuckDB files
        _fail(f"cannot open {path} as a study: {exc}")
        raise


@app.command()
def version() -> None:
    """Print the botwatch version."""
    out.print(__version__)


@app.command()
def ingest(
    study: StudyArg,
    inputs: Annotated[list[str], typer.Argument(help="Files or folders to read ('-' for stdin); .gz is detected automatically")],
    force: Annotated[bool, typer.Option(help="Read files again even if identical content was ingested before")] = False,
    max_record_mb: Annotated[float, typer.Option(help="Records longer than this are rejected without being held in memory")] = 16.0,
    workers: Annotated[Optional[int], typer.Option(help="Processes parsing large files (default: all cores)")] = None,
) -> None:
    """Read archives of any supported format into a study (format detected, no flag needed)."""
    import duckdb

    from botwatch.ingest.runner import FileResult, IngestSettingError, expand_inputs, ingest as run_ingest, memory_setting

    files = expand_inputs(inputs)
    if not files:
        _fail("no input files")
    missing = [f for f in files if f != "-" and not Path(f).exists()]
    if missing and len(missing) == len(files):
        # Nothing to read: fail before the study file is created, so no empty study is left behind.
        _fail(f"no such file: {', '.join(missing[:5])}" + (" …" if len(missing) > 5 else ""))
    try:
        memory_setting()
    except IngestSettingError as exc:
        _fail(str(exc))
    existed = study.exists()
    try:
        summary = _ingest_with_progress(study, inputs, files, force, max_record_mb, workers, run_ingest, FileResult)
    except duckdb.Error as exc:  # the study itself failed (disk full at a checkpoint): each file is its own transaction
        reason = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
        _fail(f"the study {study} could not be written ({reason}); files reported ok above are stored, the file being read was rolled back: free space and run the same command again")
    if summary.nothing_read:
        if not existed:  # a study this command created and filled with nothing is not left behind
            for p in (study, Path(str(study) + ".wal")):
                p.unlink(missing_ok=True)
        _fail("nothing could be read from the inputs" + ("" if existed else f"; no study was created at {study}"), code=1)


def _ingest_with_progress(study: Path, inputs: list[str], files: list[str], force: bool, max_record_mb: float, workers: Optional[int], run_ingest, FileResult):  # type: ignore[no-untyped-def]
    """The ingest command's work: progress bars, a line per file and the summary table."""
    with _open(study, create=True) as st, Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn(),
        console=console, transient=True, disable=not console.is_terminal,
    ) as progress:
        task_ids: dict[str, int] = {}

        def start(path: str, size: int | None):  # type: ignore[no-untyped-def]
            tid = progress.add_task(escape(Path(path).name[:40]), total=size)
            task_ids[path] = tid
            return lambda done: progress.update(tid, completed=done)

        def done(res: FileResult) -> None:
            tid = task_ids.get(res.source)
            if tid is not None:
                progress.remove_task(tid)
            if res.skipped:
                console.print(f"[yellow]skipped[/yellow] {escape(res.source)}: {escape(res.skipped)}", highlight=False)
            elif res.error:
                console.print(f"[red]failed[/red] {escape(res.source)}: {escape(res.error)} (file rolled back; study unchanged)", highlight=False)
            else:
                console.print(
                    f"[green]ok[/green] {escape(res.source)} {escape('[' + (res.format or 'unreadable') + ']')}: read {res.read:,}, stored {res.stored:,}, "
                    f"duplicates {res.duplicates:,}, rejected {res.rejected:,}, accounts {res.accounts:,}",
                    highlight=False,
                )

        summary = run_ingest(st, files, force=force, max_record_bytes=int(max_record_mb * 1024 * 1024), on_file_start=start, on_file_done=done, workers=workers)
        from botwatch.collect.study_link import record_captures  # a capture folder's sampling rate and filter travel with its posts

        record_captures(st, inputs)
        tbl = Table(title="Ingest summary", show_header=True)
        for col in ("files", "read", "stored", "duplicates", "rejected", "failed", "skipped"):
            tbl.add_column(col, justify="right")
        tbl.add_row(
            str(len(summary.files)), f"{summary.total('read'):,}", f"{summary.total('stored'):,}", f"{summary.total('duplicates'):,}",
            f"{summary.total('rejected'):,}", str(sum(1 for f in summary.files if f.error)), str(sum(1 for f in summary.files if f.skipped)),
        )
        out.print(tbl)
        if summary.total("rejected"):
            console.print(f"Rejected records are kept in the study: `botwatch export {study} rejected -o rejected.csv`", highlight=False, markup=False)
    return summary


@app.command()
def status(study: StudyArg) -> None:
    """What is in a study: posts, accounts, time span, formats, rejected input, stage runs."""
    from botwatch.report.section_overview import study_summary

    with _open(study, read_only=True) as st:
        s = study_summary(st)
        out.print(f"[bold]{escape(str(study))}[/bold]", highlight=False, soft_wrap=True)
        out.print(f"posts {s['posts']:,} by {s['accounts_posting']:,} accounts; accounts known {s['accounts']:,}")
        out.print(f"time span {s['first']} … {s['last']} UTC")
        out.print(f"inputs {s['sources']}; rejected records {s['rejected']:,}", markup=False)
        t = Table(title="Posts by format")
        for c in ("format", "platform", "posts"):
            t.add_column(c)
        for f, p, n in s["by_format"]:
            t.add_row(escape(str(f)), escape(str(p)), f"{n:,}")
        out.print(t)
        if s["rejected_by_error"]:
            t = Table(title="Rejected, by error")
            t.add_column("error")
            t.add_column("records", justify="right")
            for e, n in s["rejected_by_error"]:
                t.add_row(escape(str(e)[:100]), f"{n:,}")
            out.print(t)
        runs = st.sql("SELECT stage, status, finished_at, rows_written FROM runs QUALIFY row_number() OVER (PARTITION BY stage ORDER BY finished_at DESC) = 1 ORDER BY finished_at")
        t = Table(title="Latest run of each stage")
        for c in ("stage", "status", "finished (UTC)", "rows"):
            t.add_column(c)
        for stage, stat, fin, rows in runs:
            t.add_row(stage, stat, str(fin)[:19], "" if rows is None else f"{rows:,}")
        out.print(t)
        out.print("tables: " + ", ".join(st.tables()), markup=False)


@app.command()
def export(
    study: StudyArg,
    table: Annotated[str, typer.Argument(help="Table name, e.g. posts, accounts, rejected")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output file: .parquet, .csv or .jsonl; .graphml for the coordination network")],
    force: Annotated[bool, typer.Option("--force", help="Replace the output file if it exists")] = False,
    verbatim: Annotated[bool, typer.Option("--verbatim", help="CSV: keep cells starting with = + - @ as they are (default: prefix them with ' so spreadsheets do not run them)")] = False,
) -> None:
    """Export any table of a study to Parquet, CSV or JSON lines (with a .schema.json beside it; CSV formula cells defused),
    or the coordination network to GraphML without re-running the stage."""
    from botwatch.table_export import export_table

    with _open(study, read_only=True) as st:
        if output.suffix.lower() == ".graphml":
            _export_graphml(st, study, table, output)
            return
        try:
            n = export_table(st, table, output, force=force, verbatim=verbatim)
        except StudyError as exc:
            _fail(str(exc))
        out.print(f"wrote {n:,} rows of {table} to {output} (types and schema version in {output.name}.schema.json)", markup=False)
        if output.suffix.lower() == ".csv" and not verbatim:
            console.print("text cells starting with = + - @, tab or CR were prefixed with ' (formula injection); --verbatim keeps them exact", markup=False)


NETWORK_TABLES = ("coordination", "network", "coordination_edges", "cluster_members", "clusters")


def _export_graphml(st: Study, study: Path, table: str, output: Path) -> None:
    """The stored coordination network (edges and clustered accounts) as GraphML."""
    if table not in NETWORK_TABLES:
        _fail(f"GraphML holds the coordination network: export it as `botwatch export {study} coordination -o {output.name}`")
    if not {"coordination_edges", "cluster_members"} <= set(st.tables()):
        _fail(f"no coordination network in {study}: run `botwatch analyze {study}` (stage coordination) first")
    from botwatch.coordination.export import export_graphml

    output.parent.mkdir(parents=True, exist_ok=True)
    path = export_graphml(st, output)
    out.print(f"wrote the coordination network ({st.count('cluster_members'):,} accounts, {st.count('coordination_edges'):,} edges) to {path}")


def _load_election(ref: Optional[str]):  # type: ignore[no-untyped-def]
    if ref is None:
        return None
    from botwatch.elections import ElectionError, load_election

    try:
        return load_election(ref)
    except ElectionError as exc:
        _fail(str(exc))


@app.command()
def analyze(
    study: StudyArg,
    election: Annotated[Optional[str], typer.Option("--election", "-e", help="Preset name (e.g. uk-ge2017) or a TOML file")] = None,
    stage: Annotated[Optional[list[str]], typer.Option("--stage", help="Run only this stage (repeatable)")] = None,
    skip: Annotated[Optional[list[str]], typer.Option("--skip", help="Skip this stage (repeatable)")] = None,
    sample_rate: Annotated[Optional[float], typer.Option(help="Share of the platform the archive holds (0.01 for the 1% sample)")] = None,
    origin_study_prior: Annotated[bool, typer.Option("--origin-study-prior/--no-origin-study-prior",
                                                     help="Re-weight P(Russia) by the study's own estimated share of Russia-run accounts (docs/methods.md)")] = True,
) -> None:
    """Run the analysis stages on a study, recording each in the `runs` table."""
    from botwatch.pipeline import Context, PipelineError, analyze as run_analyze
    from botwatch.collect.study_link import capture_rate_of  # the rate `botwatch collect --sample` recorded in the study
    sample_rate = sample_rate or capture_rate_of(study, lambda m: console.print(m, highlight=False))

    options: dict = {"sample_rate": sample_rate} if sample_rate else {}
    if not origin_study_prior:
        options["origin_study_prior"] = False
    seconds: dict[str, float] = {}
    with _open(study) as st, stage_progress() as progress:
        ctx = Context(election=_load_election(election), options=options, log=progress.log)
        try:
            results = run_analyze(
                st, ctx, only=stage or None, skip=skip or None,
                on_start=progress.start, on_done=lambda name, stat, rows, secs: (seconds.__setitem__(name, secs), progress.done(name, stat, rows, secs)),
            )
        except PipelineError as exc:
            _fail(str(exc))
    t = Table(title="Stages")
    for c in ("stage", "status", "rows", "seconds"):
        t.add_column(c, justify="right" if c in ("rows", "seconds") else "left")
    for name, stat, rows in results:
        t.add_row(name, stat, "" if rows is None else f"{rows:,}", f"{seconds[name]:,.1f}" if name in seconds else "")
    out.print(t)


@app.command()
def report(
    study: StudyArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write")] = Path("report.html"),
    title: Annotated[Optional[str], typer.Option(help="Report title (default: the study's name)")] = None,
    exports: Annotated[bool, typer.Option("--exports/--no-exports", help="Also write accounts, clusters and estimates as CSV and Parquet beside the report")] = True,
    posts: Annotated[bool, typer.Option("--posts/--no-posts", help="Also export every post with its labels (large: most of a study's size)")] = False,
) -> None:
    """Write the self-contained HTML report of a study (and its data exports beside it)."""
    from botwatch.report import build_report
    from botwatch.report.build import export_folder

    with _open(study, read_only=True) as st, stage_progress() as progress:
        path = build_report(st, output, title=title, exports=exports, export_posts=posts, on_step=progress.step)
    out.print(f"wrote {path} ({path.stat().st_size / 1024:,.0f} KiB)" + (f"; exports in {export_folder(path)}" if exports else ""))


def sample_files() -> list[Path]:
    """The bundled sample's data files."""
    from importlib import resources

    base = resources.files("botwatch") / "data" / "sample"
    return sorted(Path(str(p)) for p in base.iterdir() if p.name.endswith(".gz"))


@app.command()
def demo(
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for the study and the report")] = Path("botwatch-demo"),
    election: Annotated[str, typer.Option("--election", "-e", help="Election preset for the analysis")] = "us-2016",
) -> None:
    """The main job on the bundled sample: ingest it into a fresh study, analyze it, write the report."""
    output.mkdir(parents=True, exist_ok=True)
    study = output / "sample.duckdb"
    for p in (study, Path(str(study) + ".wal")):
        p.unlink(missing_ok=True)
    files = [str(p) for p in sample_files()]
    console.print(f"[bold]1/3 ingest[/bold] {len(files)} bundled files → {study}", highlight=False)
    ingest(study, files, force=False, max_record_mb=16.0, workers=None)
    console.print(f"[bold]2/3 analyze[/bold] --election {election}", highlight=False)
    analyze(study, election=election, stage=None, skip=None, sample_rate=None)
    console.print("[bold]3/3 report[/bold]", highlight=False)
    report(study, output=output / "report.html", title=f"bundled sample ({election})", exports=True, posts=False)
    out.print(f"Open {output / 'report.html'} in a browser. Study: {study}")


@elections_app.command("list")
def elections_list() -> None:
    """List the shipped election presets."""
    from botwatch.elections import list_presets, load_election

    for name in list_presets():
        e = load_election(name)
        out.print(f"{name}\t{e.name}\tcalled {e.trigger_date}, polling day {e.polling_day}", highlight=False, markup=False)


@elections_app.command("show")
def elections_show(ref: Annotated[str, typer.Argument(help="Preset name or TOML file")]) -> None:
    """Show an election: parties, hashtags, official accounts, events."""
    e = _load_election(ref)
    out.print(f"[bold]{escape(e.name)}[/bold] {escape(f'({e.key}, {e.country})')}; called {e.trigger_date}; polling day {e.polling_day}; window {e.window_start} … {e.window_end}; tz {e.timezone}", highlight=False)
    out.print("election hashtags: " + ", ".join("#" + h for h in e.hashtags), highlight=False, markup=False)
    out.print("election keywords: " + ", ".join(e.keywords), highlight=False, markup=False)
    for p in e.parties:
        out.print(f"[bold]{escape(p.key)}[/bold]: " + escape(f"{p.name} (leader {p.leader or '?'}; colour {p.colour})"), highlight=False)
        out.print(f"    pro #{', #'.join(p.hashtags_pro) or '—'} | {', '.join(p.keywords_pro) or '—'}", highlight=False, markup=False)
        out.print(f"    anti #{', #'.join(p.hashtags_anti) or '—'} | {', '.join(p.keywords_anti) or '—'}", highlight=False, markup=False)
        out.print(f"    topic #{', #'.join(p.hashtags) or '—'} | {', '.join(p.keywords) or '—'}", highlight=False, markup=False)
        out.print(f"    official @{', @'.join(p.official_accounts) or '—'}; allied @{', @'.join(p.allied_accounts) or '—'}", highlight=False, markup=False)
    out.print("events (UTC):", highlight=False, markup=False)
    for ev in e.events:
        span = f" … {ev.end}" if ev.end else ""
        out.print(f"  {ev.at}{span}  {ev.label} ({ev.kind})", highlight=False, markup=False)
    out.print("sources: " + "; ".join(e.sources), highlight=False, markup=False)


@elections_app.command("check")
def elections_check(path: Annotated[Path, typer.Argument(help="An election TOML file to validate")]) -> None:
    """Validate an election file; exits non-zero with the field at fault."""
    e = _load_election(str(path))
    out.print(f"ok: {e.key} with {len(e.parties)} parties and {len(e.events)} events", markup=False)


for _mod in COMMAND_MODULES:
    importlib.import_module(_mod)


def main() -> None:  # pragma: no cover - console entry alias
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
