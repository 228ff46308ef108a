"""`botwatch evaluate-accounts`: a study's bot probabilities and origins against the observer's own
labelled accounts (botwatch.accounts.evaluate says why and what is measured)."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from botwatch.cli.common import EngineOpt, SparkMasterOpt, app, console, fail, open_or_fail, out, plain, print_json_result
from botwatch.count_text import counted
from botwatch.prob_text import percent, percent_interval
from botwatch.shown_text import name_shown, shell_shown


@app.command("evaluate-accounts")
def evaluate_accounts(
    study: Annotated[str, typer.Argument(metavar="STUDY", help="A study whose accounts were scored (botwatch analyze)")],
    labels: Annotated[Path, typer.Argument(help="CSV: account_id or handle, and bot (1/0) and/or country (ISO code, e.g. RU); "
                                                 "an account on several rows takes each label from the rows that give it, and one they give differently is left out")],
    boot: Annotated[int, typer.Option(help="Bootstrap resamples for the figures' intervals")] = 1000,
    record: Annotated[bool, typer.Option("--record/--no-record", help="Record the result in the study (the report's accounts section quotes it)")] = True,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object with every figure (shape in docs/model-card-bot.md) instead of the tables")] = False,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
) -> None:
    """Measure the bot probability (AUC, calibration, how many counted likely automated) and the
    most likely origin against your own labelled accounts, and record it so the report quotes it:
    the shipped figures were measured on other people's accounts, yours are the ones that count."""
    from botwatch.accounts.evaluate import AccountLabelsError, evaluate, load_account_labels, match_labels
    from botwatch.cli.common import boot_or_fail

    boot_or_fail(boot)
    empty_lines: list[int] = []
    notes: list[str] = []
    try:
        rows = load_account_labels(labels, empty_lines=empty_lines, notes=notes)
    except AccountLabelsError as exc:
        fail(str(exc))
    for note in notes:
        (console if json_out else out).print(f"[yellow]note:[/yellow] {plain(note)}", highlight=False)  # names the file's own columns: an ESC there is shown, not obeyed
    if empty_lines:
        from botwatch.labels_encoding import empty_rows_said

        (console if json_out else out).print(f"[yellow]note:[/yellow] {empty_rows_said(empty_lines, plain(labels.name))}", highlight=False)
    with ExitStack() as reading:
        st = reading.enter_context(open_or_fail(study, read_only=True, engine=engine, master=spark_master))
        if "account_scores" not in st.tables():
            fail(f"{name_shown(study)} has no scored accounts yet: run `botwatch analyze {shell_shown(study)}` first")
        from botwatch.accounts.training_accounts import study_bot_training

        matched = match_labels(st, rows)
        training = study_bot_training(st)
        ev = evaluate(matched, boot=boot, own_bot_model=training.meta)
        lake = st if st.engine == "spark" else None
        if lake is None:
            reading.close()  # a DuckDB file is opened for writing below; one process cannot hold it both ways
        if not json_out:
            _show(ev, labels, training.unknown_why)
        if ev.found == 0:
            fail(f"none of the {counted(ev.labelled, 'labelled account')} of {name_shown(labels.name)} is among the study's scored accounts: "
                 # Where to read them: the line named the columns, not how to see the study's values.
                 f"label them by the study's account_id, or by handle, as `botwatch export {shell_shown(study)} accounts_scored -o accounts.csv` lists them")
        if record:
            _record(study, ev, labels, boot, lake, quiet=json_out)
        if json_out:
            from botwatch.accounts.evaluate import evaluation_json

            print_json_result(evaluation_json(ev, labels))


def _verb(n: int, one: str, many: str) -> str:
    """The verb in the number its count takes: the line said "(1 rows name an account ...)"."""
    return one if n == 1 else many


def _left_out(bots: int, countries: int) -> str:
    """The labels that rows in conflict took away: "no bot label is read for 1 account and no country for 2"."""
    said = ([f"no bot label is read for {counted(bots, 'account')}"] if bots else []) + (
        [f"no country {'is read ' if not bots else ''}for {counted(countries, 'account')}"] if countries else [])
    return " and ".join(said)


def _auc_said(b) -> str:  # type: ignore[no-untyped-def]
    """The AUC of bot figures `b` with its interval, or why it has none ("over the other 3 (2 bots):
    AUC 1.000" stood as firm as the table's AUC with its interval beside it)."""
    if b.auc != b.auc:
        return "—"
    from botwatch.accounts.evaluate import no_interval_words

    from botwatch.auc_text import auc, auc_interval

    # `auc`'s digits: at ":.3f" an AUC of 0.9996 read "1.000", a perfect ranking it is not.
    return f"{auc(b.auc)} " + (f"({no_interval_words(b.n, b.bots)})" if b.auc_ci[0] != b.auc_ci[0] else f"[{auc_interval(*b.auc_ci)}]")


def _ece_said(value: float) -> str:
    """The calibration error with why it has no interval (`evaluate.ECE_NO_INTERVAL`), "—" for NaN."""
    from botwatch.accounts.evaluate import ECE_NO_INTERVAL

    return "—" if value != value else f"{value:.3f} ({ECE_NO_INTERVAL})"


def _figure_said(b, name: str, value: float) -> str:  # type: ignore[no-untyped-def]
    """A figure of bot figures `b` (one of `INTERVAL_FIGURES`) with its 95% interval, or why it has
    none: the AUC alone had one, and "Brier 0.120" from 200 accounts read as exact. NaN is "—"."""
    if value != value:
        return "—"
    lo, hi = b.interval(name)
    if lo == lo:
        return f"{value:.3f} [{lo:.3f}–{hi:.3f}]"
    from botwatch.accounts.evaluate import few_for_calibration

    if few_for_calibration(b.n, b.bots):  # said once, on the AUC's row and under the table
        return f"{value:.3f} (no interval: too few bots or humans)"
    return f"{value:.3f} (no interval: every bootstrap resample gave the same value)"


def _show(ev, labels: Path, unknown_why: str | None = None) -> None:  # type: ignore[no-untyped-def]
    """Print coverage, the bot figures with the reliability table, and the origin figures."""
    # With an account on several rows, "6 labelled accounts, 3 found" was said of three accounts,
    # every one found: the rows are named as rows, and the accounts they name counted, so that
    # the line says how many of those were not found ("6 rows of labels, 3 accounts found" did not).
    out.print(f"{plain(name_shown(labels.name))}: " + (f"{counted(ev.label_rows, 'row')} of labels naming {counted(ev.labelled, 'account')}, {ev.found:,}" if ev.repeated
                                           else f"{counted(ev.labelled, 'labelled account')}, {ev.found:,}")
              + " found among the study's scored accounts"
              + (f" ({counted(ev.ambiguous, 'id or handle', 'ids or handles')} {_verb(ev.ambiguous, 'names', 'name')} accounts of several platforms "
                 f"and {_verb(ev.ambiguous, 'was', 'were')} left out)" if ev.ambiguous else "")
              + (f" ({counted(ev.repeated, 'row')} {_verb(ev.repeated, 'names', 'name')} an account an earlier row named: an account's labels are taken from all its rows"
                 + (f"; {ev.conflicting:,} of these {_verb(ev.conflicting, 'gives', 'give')} it another label than an earlier row, so "
                    + _left_out(ev.bot_conflicting, ev.country_conflicting) if ev.conflicting else "") + ")"
                 if ev.repeated else ""),
              highlight=False)
    from botwatch.accounts.evaluate import few_for_calibration, no_interval_words

    b = ev.bot
    if ev.bot_labelled and b is None:
        # With repeats `bot_labelled` counts rows, and an account found whose rows disagree has no
        # bot label: "none of the 2 accounts ... was found" was said of one account, found.
        who = f"none of the {counted(ev.bot_labelled, 'account')}" if not ev.repeated else "no account"
        out.print(f"bot: {who} labelled bot or not was found with a bot probability"
                  + (f"; {counted(ev.bot_conflicting, 'account')} found {_verb(ev.bot_conflicting, 'is', 'are')} labelled both bot and human by "
                     f"{_verb(ev.bot_conflicting, 'its', 'their')} rows" if ev.bot_conflicting else ""), highlight=False)
    if b is not None:
        unscored = ev.bot_unscored  # found without a probability; the labels not found are the coverage line's
        t = Table(title=f"Bot probability against your labels ({counted(b.n, 'account')}, {counted(b.bots, 'bot')})")
        t.add_column("figure")
        t.add_column("value")
        t.add_row("AUC [95% interval]", _auc_said(b).rstrip())
        t.add_row("balanced accuracy at 0.5", _figure_said(b, "balanced_accuracy", b.balanced_accuracy))
        t.add_row("F1 at 0.5", _figure_said(b, "f1", b.f1))
        t.add_row("Brier score", _figure_said(b, "brier", b.brier))
        few = few_for_calibration(b.n, b.bots)  # the AUC's rule: "0.270" from 3 accounts read as a measurement
        t.add_row("calibration error (ECE)", f"{b.ece:.3f} ({few})" if few and b.ece == b.ece else _ece_said(b.ece))
        t.add_row("likely automated (p ≥ 0.5)", f"{b.counted:,} (your labels: {counted(b.bots, 'bot')})")
        out.print(t)
        if b.auc != b.auc:
            # What to do, not only what is missing: a set of one class (botwiki-2019's bots) is half of
            # a pair (verified-2019's humans), and the line named neither the class nor the remedy.
            missing = "human" if b.bots else "bot"
            out.print(f"AUC needs bots and humans among the labelled accounts; only one class was found: "
                      f"add accounts labelled {missing} (bot {int(not b.bots)}) to the file", highlight=False)
        r = Table(title="Reliability: predicted probability against the share of your labelled bots")
        for c in ("bot probability", "accounts", "mean predicted", "bots"):
            r.add_column(c)
        for row in b.reliability:
            r.add_row(f"{row['low']:.1f}–{row['high']:.1f}", f"{row['n']:,}", percent(row["mean_p"]), percent(row["bot_share"]))
        out.print(r)
        if few:
            # Not "a handful of accounts a row": 678 labelled bots and no human filled rows of
            # hundreds; what is too few is one class, by the AUC's rule.
            out.print(f"The reliability table's shares of bots rest on too few bots or humans to judge calibration ({few})", highlight=False)
        if ev.bot_training:
            h = ev.bot_held_out
            out.print(f"{ev.bot_training:,} of these labelled accounts {'was' if ev.bot_training == 1 else 'were'} among the bot model's "
                      f"training accounts: {'its score is' if ev.bot_training == 1 else 'their scores are'} not out of sample" + (
                          f"; over the other {h.n:,} ({counted(h.bots, 'bot')}): AUC {_auc_said(h)}, calibration error "
                          + (f"{h.ece:.3f} ({hf})" if (hf := few_for_calibration(h.n, h.bots)) else _ece_said(h.ece))
                          + f", {h.counted:,} likely automated" if h is not None else ", and nor is any figure above"), highlight=False)
        if ev.bot_training_unknown:
            out.print(f"whether the bot model was trained on {'this labelled account' if ev.bot_training_unknown == 1 else f'these {ev.bot_training_unknown:,} labelled accounts'} "
                      f"is unknown: {unknown_why or 'the training accounts of the model that scored the study cannot be read'}; "
                      "these figures may not be out of sample", highlight=False)
        if unscored:
            out.print(f"{counted(unscored, 'labelled account')} found without a bot probability (no profile facts the model reads) "
                      "are in none of these figures", highlight=False)
    o = ev.origin
    if ev.country_labelled and o is None:
        who = f"none of the {counted(ev.country_labelled, 'account')}" if not ev.repeated else "no account"
        out.print(f"origin: {who} labelled with a country was found"
                  + (f"; {counted(ev.country_conflicting, 'account')} found {_verb(ev.country_conflicting, 'is', 'are')} given two countries by "
                     f"{_verb(ev.country_conflicting, 'its', 'their')} rows" if ev.country_conflicting else ""), highlight=False)
    if o is not None:
        t = Table(title=f"Most likely origin against your labels ({counted(o.n, 'account')})")
        for c in ("labelled country", "accounts", "placed there", "placed elsewhere (most often)", "no origin", "mean probability of it"):
            t.add_column(c)
        for row in o.by_country:
            other = f"{row['elsewhere']:,}" + (f" ({escape(row['most_often_instead'])})" if row["most_often_instead"] else "")
            t.add_row(escape(row["country"]), f"{row['n']:,}", f"{row['placed']:,}", other, f"{row['none']:,}", percent(row["mean_p"]))
        out.print(t)
        from botwatch.stats import wilson

        share, lo, hi = wilson(o.placed, o.n)
        if ev.origin_training:
            h = ev.origin_held_out
            out.print(f"{ev.origin_training:,} of these labelled accounts {'was' if ev.origin_training == 1 else 'were'} among the origin "
                      f"model's training accounts: {'its origin is' if ev.origin_training == 1 else 'their origins are'} not out of sample" + (
                          f"; of the other {h.n:,}, {h.placed:,} placed in their labelled country" if h is not None else ", and nor is any figure here"),
                      highlight=False)
        out.print(f"origin: {o.placed:,} of {o.n:,} placed in their labelled country ({percent_interval(share, lo, hi)}); "
                  f"{o.no_origin:,} had no origin evidence, so no most likely country", highlight=False)


def _record(study: Path | str, ev, labels: Path, boot: int, lake, quiet: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Record the result (`cli/record.py`); with `quiet` (`--json`) the line goes to stderr, so
    stdout holds the JSON alone."""
    from botwatch.accounts.evaluate import EVALUATE_STAGE, evaluation_params
    from botwatch.cli.record import record_run, say_recorded

    why = record_run(study, EVALUATE_STAGE, lambda: evaluation_params(ev, labels_path=labels, boot=boot), lake)
    say_recorded(console if quiet else out, study, EVALUATE_STAGE, why, "the report's accounts section quotes it", json_out=quiet)
