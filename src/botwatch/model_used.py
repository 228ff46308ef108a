"""Which bot model scored a study, and what may be said of its validation.

The report and `botwatch explain` quoted the validation of whichever model the shell running them
pointed at (`BOTWATCH_BOT_MODEL`, else the shipped one), not of the model that made the study's
probabilities: a study scored with a model trained on one labelled source read "Out-of-fold on
7,453 labelled accounts" and the shipped model's leave-one-source-out range, and a colleague's
report of a study scored with their own model did the same. The accounts stage records the model
file's SHA-256 (and its file name, as given) in `runs`; this module matches that record:

- the shipped model's hash: the shipped figures;
- another hash, with a file of that hash at hand (`BOTWATCH_BOT_MODEL`, or the recorded name,
  as given or beside the study): that model's own stored figures, and when it carries no
  leave-one-source-out figures a plain "never tested on a source it was not trained on";
- another hash and no such file: no model's figures, and a line saying which file is missing;
- no record (a study scored before the hash was recorded): the current model, as before.

Why here, beside `botwatch.study`, and not in `botwatch.report`: the accounts package asks the
same question (which training list decides an account's "trained on" flag), and a lower layer
importing the report package drags in the whole report (its sections, templates and Jinja) and
makes the layers depend on each other both ways. `botwatch.report.model_used` re-exports these
names for the code that imported them from there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from botwatch.study import Study


@dataclass(frozen=True)
class BotModelUsed:
    """The bot model a study was scored with, as far as the report can tell.

    `kind`: "shipped", "own" (a user's file, found with the recorded hash), "missing" (a user's
    file not found, or found with another hash) or "unrecorded" (no hash in the study). `meta` is
    the figures that may be quoted ({} for "missing"); `note` a sentence to print beside or instead
    of them (None for the shipped model)."""

    kind: str
    meta: dict[str, Any] = field(default_factory=dict)
    file: str | None = None
    sha256: str | None = None
    note: str | None = None

    @property
    def earlier_release(self) -> bool:
        """Scored by an earlier release's shipped model: not this one, and no BOTWATCH_BOT_MODEL
        file recorded (`accounts.stage` records the variable's file when it is set)."""
        return self.kind == "missing" and self.file is None


def recorded_bot_model(study: Study) -> tuple[str | None, str | None]:
    """(SHA-256, file as given) the latest successful accounts run recorded; (None, None) without."""
    from botwatch.runs_table import ok_runs

    for run in reversed(ok_runs(study)):
        p = run.params
        if run.stage == "accounts" and p is not None and isinstance(p.get("bot_model_sha256"), str):
            f = p.get("bot_model_file")
            return p["bot_model_sha256"], f if isinstance(f, str) and f else None
    return None, None


def _candidates(study: Study, recorded_file: str | None) -> list[str]:
    """Files that may be the recorded model: `BOTWATCH_BOT_MODEL`, the recorded name as given
    (relative to where `analyze` ran, often where `report` runs too) and beside the study."""
    out: list[str] = []
    env = os.environ.get("BOTWATCH_BOT_MODEL") or None
    if env:
        out.append(env)
    if recorded_file:
        out.append(recorded_file)
        base = getattr(study, "path", None)
        if base is not None and not Path(recorded_file).is_absolute():
            out.append(str(Path(base).parent / recorded_file))
    seen: set[str] = set()
    return [c for c in out if not (c in seen or seen.add(c))]  # type: ignore[func-returns-value]


def _own_note(file: str, meta: dict[str, Any], checked: bool = False) -> str:
    """What a user's model's figures do and do not show. `checked`: the study holds a current
    `evaluate-accounts` of its bot probabilities, which the report quotes beside this note."""
    oof = meta.get("pooled_oof") if isinstance(meta.get("pooled_oof"), dict) else None
    trained = meta.get("trained_on") if isinstance(meta.get("trained_on"), dict) else {}
    head = f"The bot probabilities were made with your own bot model ({file}), not the shipped one"
    beside = meta.get("with_shipped") if isinstance(meta.get("with_shipped"), dict) else {}
    yours = beside.get("yours")
    if trained and isinstance(yours, str) and yours in trained:  # `train-bot-model --with-shipped`: said as such, not as four sets of the user's
        head += (": trained on the shipped model's labelled sources (" + ", ".join(f"{n:,} {s}" for s, n in trained.items() if s != yours)
                 + f" accounts) and {trained[yours]:,} labelled accounts of your own ({yours}), each source weighing the same in training, "
                 "so yours as much as any shipped one whatever its size")
    elif trained:
        head += ": trained on " + ", ".join(f"{n:,} {s}" for s, n in trained.items()) + " labelled accounts"
    if oof and oof.get("auc") is not None:
        from botwatch.auc_text import auc, auc_interval

        head += f"; out-of-fold AUC {auc(oof['auc'])}"
        lo, hi = oof.get("auc_low"), oof.get("auc_high")
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) and v == v for v in (lo, hi)):
            # 20 labelled accounts read "out-of-fold AUC 0.845", as firm as the shipped model's
            # figure; the file holds its interval (0.677-1.000), which `train-bot-model` printed.
            head += f" (95% interval {auc_interval(lo, hi)})"
    has_loso = any(isinstance(c, dict) and c.get("auc") is not None for c in meta.get("loso") or [])
    if not has_loso and checked:  # "(this study's) is unmeasured" stood beside the figures that measured it
        head += (". Its training tested it on no labelled source it was not trained on; how well it does on this study's "
                 "accounts is what your own labelled accounts of it measured (botwatch evaluate-accounts)")
    elif not has_loso:
        head += (". It was not tested on a labelled source it was not trained on, so how well it does on accounts unlike "
                 "its training set (this study's) is unmeasured")
    from botwatch.accounts.training_accounts import own_model_digests

    if own_model_digests(meta) is None:  # the shipped list says nothing of this model's training accounts
        head += (". Its file does not record which accounts it was trained on, so whether any of this study's accounts "
                 "were among them is unknown")
    return head + "."


def _bot_checked(study: Study) -> bool:
    """Whether the study holds a current `evaluate-accounts` record with bot figures."""
    from botwatch.accounts.evaluate import recorded_evaluation

    try:
        own = recorded_evaluation(study)
    except Exception:  # noqa: BLE001 - a record that cannot be read is not quoted either
        return False
    return own is not None and own.get("bot") is not None


# Within `bot_model_read_once`: each study's `bot_model_used` answer, with the study it is of
# (held, so its id is not reused by another object while the scope lasts).
_READ_ONCE: ContextVar[dict[int, tuple[Study, BotModelUsed]] | None] = ContextVar("bot_model_read_once", default=None)


@contextmanager
def bot_model_read_once() -> Iterator[None]:
    """Within it, `bot_model_used` reads a study's record (its `runs`, the candidate model files'
    hashes) once, and later calls get that answer. For one command: `explain` asked three times
    (the caveat, the platform sentence, the training flag), each reading `runs` and hashing the
    candidate files again. Not held beyond the scope: a notebook that re-analyses with another
    model must get the new answer."""
    token = _READ_ONCE.set({})
    try:
        yield
    finally:
        _READ_ONCE.reset(token)


def bot_model_used(study: Study) -> BotModelUsed:
    """The model the study's bot probabilities came from and the figures that describe it
    (read once per study inside `bot_model_read_once`)."""
    held = _READ_ONCE.get()
    if held is not None and id(study) in held:
        return held[id(study)][1]
    used = _bot_model_used(study)
    if held is not None:
        held[id(study)] = (study, used)
    return used


EARLIER_RELEASE_NOTE = ("The bot probabilities were made with the shipped bot model of an earlier botwatch release (SHA-256 {sha}…), "
                        "not this release's: no validation figures are shown, as those here describe this release's model. "
                        "Run botwatch analyze on the study again to score it with this release's model.")


def _bot_model_used(study: Study) -> BotModelUsed:
    """`bot_model_used`, read afresh."""
    from botwatch.accounts.botmodel import model_meta, model_sha256, shipped_sha256_and_meta
    from botwatch.accounts.model_identity import same_scores_as_shipped

    sha, file = recorded_bot_model(study)
    if sha is None:  # scored before the hash was recorded: the current model is the best guess
        try:
            return BotModelUsed("unrecorded", model_meta())
        except Exception:  # noqa: BLE001 - without the model's figures the report keeps what it can say
            return BotModelUsed("unrecorded")
    try:
        shipped_sha, shipped_meta = shipped_sha256_and_meta()
    except Exception:  # noqa: BLE001
        shipped_sha, shipped_meta = "", {}
    if sha == shipped_sha or (file is None and same_scores_as_shipped(sha)):  # an earlier release's file, same scores
        return BotModelUsed("shipped", shipped_meta, None, sha)
    name = file or "a bot model file"
    for cand in _candidates(study, file):
        try:
            if Path(cand).is_file() and model_sha256(cand) == sha:
                meta = model_meta(cand)
                return BotModelUsed("own", meta, file or cand, sha, _own_note(file or cand, meta, _bot_checked(study)))
        except Exception:  # noqa: BLE001 - an unreadable candidate is just not the model
            continue
    if file is None:
        # No BOTWATCH_BOT_MODEL when it scored (`accounts.stage` records the variable's file): the
        # shipped model of an earlier release. Told "made with a bot model file … point
        # BOTWATCH_BOT_MODEL at that file", every study scored before a retrain (2026-12-07) was
        # sent looking for a file its user never had.
        return BotModelUsed("missing", {}, None, sha, EARLIER_RELEASE_NOTE.format(sha=sha[:12]))
    env = os.environ.get("BOTWATCH_BOT_MODEL") or None
    recorded_at = [file, *([str(Path(study.path).parent / file)] if file and getattr(study, "path", None) is not None and not Path(file).is_absolute() else [])]
    if file and any(Path(c).is_file() for c in recorded_at):
        # The recorded file is at hand with other bytes: retrained (or replaced) since it scored the study.
        return BotModelUsed(
            "missing", {}, file, sha,
            f"The bot probabilities were made with an earlier version of {name}, not the shipped model (SHA-256 {sha[:12]}…); the "
            "file has changed since, so no validation figures are shown, as none here describe that earlier model.",
        )
    where = (f"BOTWATCH_BOT_MODEL={env} is another file" if env else "no file with its SHA-256 is at hand (BOTWATCH_BOT_MODEL is not set)")
    return BotModelUsed(
        "missing", {}, file, sha,
        f"The bot probabilities were made with {name}, not the shipped model (SHA-256 {sha[:12]}…), and {where}: "
        f"no validation figures are shown, as none here describe that model. Run with BOTWATCH_BOT_MODEL pointing at that file to show them.",
    )


# Who scored a study, as far as "did the bot model learn from this account's platform" goes:
# "shipped" (its labelled accounts are all Twitter's), "own" (a user's file, found or not: it may
# have learned from any platform, and no file says which) or "unrecorded" (scored before the
# accounts stage recorded the model's SHA-256: which model it was is not known).
ScoredBy = Literal["shipped", "own", "unrecorded"]


def bot_model_scored_by(study: Study) -> ScoredBy:
    """The one answer the report's explorer and caveats, `accounts`, `explain`, the account JSON
    and the `accounts_scored` export read before saying whether the model saw a platform.

    Why one function: the explorer asked `bot_model_used(...).kind == "shipped"` while the export
    and the JSON asked "not a user's model", so on a study scored before the hash was recorded the
    explorer said nothing and the export asserted "never seen" of every Mastodon account. Now every
    reader says the same: the shipped model's platforms, nothing of a user's model, and "unknown"
    where the study does not record which model scored it."""
    used = bot_model_recorded(study)
    if used is None or used.kind in ("shipped", "unrecorded"):
        return "unrecorded" if used is None else used.kind  # type: ignore[return-value]
    return "own"  # "own" and "missing": a user's file either way


def bot_model_recorded(study: Study) -> BotModelUsed | None:
    """`bot_model_used`, or None where the study's `runs` cannot be read: such a study records no
    model either, so its readers say "unknown", not a guess and not a traceback. One rule for
    `bot_model_scored_by` and the per-account training flag (`training_accounts.study_bot_training`)."""
    try:
        return bot_model_used(study)
    except Exception:  # noqa: BLE001 - a `runs` that cannot be read records no model either: unknown, not a guess
        return None


@dataclass(frozen=True)
class BotModelChanged:
    """The bot model selected now (`BOTWATCH_BOT_MODEL`, else the shipped one) is not the one whose
    SHA-256 the study's latest accounts run recorded: the study's bot probabilities, and every
    figure read from them, are the earlier model's.

    Why: a user who retrained (`train-bot-model -o mine.json.gz` over the file that scored the
    study) or switched models after analysing got a report and `explain` that quoted no change at
    all; the probabilities looked like the new model's. `recorded_file` is the file name the run
    recorded (None for the shipped model); `selected_file` the file selected now (None: shipped)."""

    recorded_sha: str
    recorded_file: str | None
    recorded_shipped: bool
    selected_sha: str
    selected_file: str | None
    # Where the recorded file is at hand with the recorded SHA-256 (as given, or beside the study),
    # when it is not the selected file: a user who scored with their own model and then ran
    # `report` without BOTWATCH_BOT_MODEL was told only to run `analyze`, which replaces their
    # model's scores with the shipped model's; selecting that file again keeps them.
    recorded_at_hand: str | None = None

    def _same_file(self) -> bool:
        if not (self.recorded_file and self.selected_file):
            return False
        try:
            return Path(self.recorded_file).resolve() == Path(self.selected_file).resolve()
        except OSError:
            return self.recorded_file == self.selected_file

    def command(self, study_name: str) -> str:
        """The command that scores the study again with the selected model (the whole analysis:
        the timeline, estimates and impact read the bot scores too)."""
        from botwatch.shown_text import shell_word  # a name with a byte that is not UTF-8 as $'\\xff', to paste

        env = f"BOTWATCH_BOT_MODEL={shell_word(self.selected_file)} " if self.selected_file else ""
        return f"{env}botwatch analyze {shell_word(study_name)}"

    def keep_command(self, study_name: str) -> str | None:
        """The command that describes the study's scores as they are (the recorded model file
        selected again), or None when that file is not at hand with the recorded SHA-256."""
        from botwatch.shown_text import shell_word

        if not self.recorded_at_hand or self._same_file():
            return None
        return f"BOTWATCH_BOT_MODEL={shell_word(self.recorded_at_hand)} botwatch report {shell_word(study_name)}"

    def sentence(self) -> str:
        """One plain sentence for the report's banner, `report`'s warning line and `explain`, with
        `{cmd}` where the re-scoring command goes (`said`, `said_html` fill it)."""
        then, now = self.recorded_sha[:12], self.selected_sha[:12]
        if self._same_file():
            what = (f"The bot probabilities in this study were made by an earlier version of {self.selected_file}: the file has "
                    f"changed since the accounts were scored (SHA-256 then {then}…, now {now}…; retrained?)")
        else:
            # No file recorded: BOTWATCH_BOT_MODEL was not set, so an earlier release's shipped model.
            made = "the shipped bot model" if self.recorded_shipped else (self.recorded_file or "the shipped bot model of an earlier botwatch release")
            chosen = f"BOTWATCH_BOT_MODEL={self.selected_file}" if self.selected_file else "the shipped model (BOTWATCH_BOT_MODEL is not set)"
            what = (f"The bot probabilities in this study were made with {made} (SHA-256 {then}…), not with the bot model selected "
                    f"now, {chosen} (SHA-256 {now}…)")
        if self.recorded_at_hand and not self._same_file():
            # The recorded model is at hand: the user may well want its scores (their own model,
            # analysed with BOTWATCH_BOT_MODEL set, then a report run without it).
            return (what + ", so they, and every figure read from them (automated counts, groups, timelines, estimates), are "
                    f"that model's. To keep them, select that file for report and explain too, as for analyze: {{keep}}. "
                    "To score the study with the selected model instead, replacing them, run {cmd} and build the report again.")
        return (what + ", so they, and every figure read from them (automated counts, groups, timelines, estimates), are the "
                "earlier model's. To score the study with the selected model run {cmd} and build the report again.")

    def said(self, study_name: str = "STUDY") -> str:
        """The sentence with the command in backquotes, for a terminal line."""
        return self.sentence().replace("{keep}", f"`{self.keep_command(study_name)}`").replace("{cmd}", f"`{self.command(study_name)}`")

    def said_html(self, study_name: str = "STUDY") -> Any:
        """The sentence as HTML (Markup): escaped, the file names' hidden characters shown as the
        report shows all text from outside, the command in <code>."""
        from markupsafe import Markup, escape

        from botwatch.shown_text import shown_in_page  # the report's `user_text`, from below the report (tests/test_layering.py)

        code = Markup("<code>{}</code>")
        return Markup(escape(shown_in_page(self.sentence()))
                      .replace("{keep}", code.format(shown_in_page(self.keep_command(study_name) or "")))
                      .replace("{cmd}", code.format(shown_in_page(self.command(study_name)))))


def bot_model_changed(study: Study) -> BotModelChanged | None:
    """The change, or None: the same model, no accounts run that recorded its model's hash (it
    cannot be told), or a selected model that cannot be read (`analyze` says why when it runs)."""
    from botwatch.accounts.botmodel import model_sha256, shipped_sha256_and_meta
    from botwatch.accounts.model_identity import same_scores_as_shipped

    sha, file = recorded_bot_model(study)
    if sha is None:
        return None
    try:
        selected = model_sha256()
    except Exception:  # noqa: BLE001 - an unreadable BOTWATCH_BOT_MODEL: nothing can be compared
        return None
    if selected == sha:
        return None
    try:
        shipped = shipped_sha256_and_meta()[0]
    except Exception:  # noqa: BLE001
        shipped = ""
    if selected == shipped and file is None and same_scores_as_shipped(sha):
        return None  # an earlier release's shipped file that scores as this one does (`model_identity`)
    recorded = None if sha == shipped else file
    at_hand = None
    if recorded:
        for cand in _candidates(study, recorded)[1 if os.environ.get("BOTWATCH_BOT_MODEL") else 0:]:
            try:
                if Path(cand).is_file() and model_sha256(cand) == sha:
                    at_hand = cand
                    break
            except Exception:  # noqa: BLE001 - an unreadable file is not the model
                continue
    return BotModelChanged(sha, recorded, sha == shipped, selected, os.environ.get("BOTWATCH_BOT_MODEL") or None, at_hand)


def bot_model_status(study: Study, study_name: str) -> dict[str, Any] | None:
    """Which bot model scored the study, as `status` says it: {`kind` (`shipped`, `own`, `missing`,
    `unrecorded`), `file`, `sha256`, `line` (the "bot model: ..." line), `changed` (the sentence
    saying the model selected now is another, with its command; None where it is the same)}, or
    None where no accounts run is recorded (nothing scored yet) or `runs` cannot be read.

    Why: a team that scored a study with its own model trained on 30 accounts, and checked it with
    `status`, was told the stages and the election, never which model made the bot probabilities,
    how well that model was measured, or that the shell now selected another one; only `explain`
    and the report said so."""
    from botwatch.runs_table import ok_runs

    try:
        if not any(run.stage == "accounts" for run in ok_runs(study)):
            return None
    except Exception:  # noqa: BLE001 - a study without a readable `runs` has scored nothing status can name
        return None
    used = bot_model_recorded(study)
    if used is None:
        return None
    sha = used.sha256
    if used.kind == "shipped":
        most = held_out_humans_most(used.meta)  # what a count of mostly people rests on, not only where to read it
        line = f"bot model: the shipped one (SHA-256 {(sha or '')[:12]}…; {most + '; ' if most else ''}its held-out figures: docs/model-card-bot.md)"
    elif used.kind == "unrecorded":
        line = ("bot model: not recorded (the accounts were scored before botwatch recorded which model scored them); "
                f"`botwatch analyze {_shell(study_name)}` records it")
    else:
        line = f"bot model: {used.note}" if used.note else f"bot model: {used.file or 'a bot model file'} (SHA-256 {(sha or '')[:12]}…)"
    try:
        changed = bot_model_changed(study)
    except Exception:  # noqa: BLE001 - what cannot be compared is not said to differ
        changed = None
    return {"kind": used.kind, "file": used.file, "sha256": sha, "line": line,
            "changed": None if changed is None else {"sentence": changed.said(study_name), "command": changed.command(study_name)}}


def held_out_humans_most(meta: dict[str, Any]) -> str | None:
    """"held out, it counted 26% of stclab's humans likely automated, the most of any labelled
    source": the largest share of a held-out source's humans the model counted (`loso.scores`'
    `humans_counted`), for `status`' bot model line. A count of a study made mostly of people rests
    on this false-alarm rate, and `status` named the model with no figure at all. None without the
    rows' counts (an older or a user's model file)."""
    from botwatch.accounts.loso import SOURCE_NAMES
    from botwatch.prob_text import percent

    def whole(v: Any) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    best: tuple[float, str] | None = None
    for r in meta.get("loso") or []:
        if not isinstance(r, dict):
            continue
        n, bots, fa = r.get("n"), r.get("bots"), r.get("humans_counted")
        if all(whole(v) for v in (n, bots, fa)) and n > bots and (best is None or fa / (n - bots) > best[0]):
            best = (fa / (n - bots), SOURCE_NAMES.get(str(r.get("held_out")), f"{r.get('held_out')}'s"))
    if best is None:
        return None
    return f"held out, it counted {percent(best[0])} of {best[1]} humans likely automated, the most of any labelled source"


def _shell(name: str) -> str:
    from botwatch.shown_text import shell_word

    return shell_word(name)
