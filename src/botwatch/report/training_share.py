"""Beside the automation and foreign-origin figures: how many of the study's accounts the model was
fitted on, when that could move the figure.

On the brexit-2016 archive the headline said "7,631 of them, 41% [40–42%], are counted as foreign"
while 16,253 of the 26,810 accounts with origin evidence were the origin model's own training
accounts; only Methods said so, and a journalist quoting the headline took it as an out-of-sample
result. The count is the one the accounts stage records (`training_accounts.recorded_counts`).

When it is said: when the training accounts could be at least `MATERIAL` (1%) of the figure's own
denominator (min(training, n) / n: the recorded count is over the study's accounts, so all of
them may lie among the n counted). Below that they cannot move a share printed in whole percents
by more than its rounding; at or above it a reader must know part of the figure is in-sample.
The automation clause is of the bot model that scored the study: the shipped one, or a user's own
(`BOTWATCH_BOT_MODEL`) whose file records its training accounts, which the accounts stage then
counts instead (`count_training_accounts`). A user who labels accounts of the study, trains on
them and scores the study got a headline silent on its in-sample share, though Methods said it.
Not for a study scored before the model was recorded: which list its count is of is not known.
"""

from __future__ import annotations

from typing import Any

from botwatch.accounts.training_accounts import RUN_KEYS, recorded_counts
from botwatch.count_text import counted

MATERIAL = 0.01
_WHAT = {"origin": "origin model", "bot": "bot model"}


def training_clause(study: Any, model: str, n: int) -> str:
    """'16,253 of the study's 37,114 accounts are among the origin model's own training accounts:
    for them the figure is not out-of-sample' when material for a figure over `n` accounts, else ''."""
    among = f"the {_WHAT[model]}'s own training accounts"
    if model == "bot":
        from botwatch.model_used import bot_model_used

        used = bot_model_used(study)
        if used.kind not in ("shipped", "own", "missing"):
            return ""
        if used.earlier_release:  # no BOTWATCH_BOT_MODEL when it scored: not a file of the user's
            among = "the training accounts of the shipped bot model of an earlier botwatch release that scored it"
        elif used.kind != "shipped":
            among = "your bot model's own training accounts"
    t = recorded_counts(study).get(RUN_KEYS[model], 0)
    if not t or n <= 0 or min(t, n) / n < MATERIAL:
        return ""
    total = int(study.sql("SELECT count(*) FROM (SELECT DISTINCT platform, account_id FROM accounts)")[0][0]) if "accounts" in study.tables() else 0
    of = f" of the study's {counted(total, 'account')}" if total >= t else ""
    verb = "is" if t == 1 else "are"
    return f"{t:,}{of} {verb} among {among}: for {'it' if t == 1 else 'them'} the figure is not out-of-sample"
