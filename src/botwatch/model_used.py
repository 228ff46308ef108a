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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


def _own_note(file: str, meta: dict[str, Any]) -> str:
    """What a user's model's figures do and do not show."""
    oof = meta.get("pooled_oof") if isinstance(meta.get("pooled_oof"), dict) else None
    trained = meta.get("trained_on") if isinstance(meta.get("trained_on"), dict) else {}
    head = f"The bot probabilities were made with your own bot model ({file}), not the shipped one"
    if trained:
        head += ": trained on " + ", ".join(f"{n:,} {s}" for s, n in trained.items()) + " labelled accounts"
    if oof and oof.get("auc") is not None:
        from botwatch.auc_text import auc

        head += f"; out-of-fold AUC {auc(oof['auc'])}"
    has_loso = any(isinstance(c, dict) and c.get("auc") is not None for c in meta.get("loso") or [])
    if not has_loso:
        head += (". It was not tested on a labelled source it was not trained on, so how well it does on accounts unlike "
                 "its training set (this study's) is unmeasured")
    from botwatch.accounts.training_accounts import own_model_digests

    if own_model_digests(meta) is None:  # the shipped list says nothing of this model's training accounts
        head += (". Its file does not record which accounts it was trained on, so whether any of this study's accounts "
                 "were among them is unknown")
    return head + "."


def bot_model_used(study: Study) -> BotModelUsed:
    """The model the study's bot probabilities came from and the figures that describe it."""
    from botwatch.accounts.botmodel import model_meta, model_sha256, shipped_sha256_and_meta

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
    if sha == shipped_sha:
        return BotModelUsed("shipped", shipped_meta, None, sha)
    name = file or "a bot model file"
    for cand in _candidates(study, file):
        try:
            if Path(cand).is_file() and model_sha256(cand) == sha:
                meta = model_meta(cand)
                return BotModelUsed("own", meta, file or cand, sha, _own_note(file or cand, meta))
        except Exception:  # noqa: BLE001 - an unreadable candidate is just not the model
            continue
    env = os.environ.get("BOTWATCH_BOT_MODEL") or None
    where = (f"BOTWATCH_BOT_MODEL={env} is another file" if env else "no file with its SHA-256 is at hand (BOTWATCH_BOT_MODEL is not set)")
    return BotModelUsed(
        "missing", {}, file, sha,
        f"The bot probabilities were made with {name}, not the shipped model (SHA-256 {sha[:12]}…), and {where}: "
        f"no validation figures are shown, as none here describe that model. Run with BOTWATCH_BOT_MODEL pointing at that file to show them.",
    )
