"""The study prior's short line: where the study's Russia prior alone carried an account's
P(Russia) from below 0.5 to 0.5 or more, read back from its stored origin evidence.

One module in the accounts layer because the report (top table, explorer) and the command line
(`accounts`, `explain`, `--json`) all say it, in the same words, and the accounts layer must not
import the report (`tests/test_layering.py`).
"""

from __future__ import annotations

import re

# The origin stage's study-prior sentence (`accounts/origin_prior.py`), its estimate and its move.
STUDY_PRIOR = re.compile(r"^study prior: .*?an estimated (?P<est>[\d.]+% \[[\d.]+%, [\d.]+%\]) of (?:them|this study's accounts) "
                         r"are run from Russia.*?this moves P\(Russia\) from (?P<a>[<>]?\d+(?:\.\d+)?) to (?P<b>[<>]?\d+(?:\.\d+)?)", re.S)


def russia_prior_line(sentence: str) -> str:
    """A short line for the study prior's step where it carried P(Russia) from below 0.5 to 0.5 or
    more, else "": the account is counted Russian by what the study is made of, not its own evidence.

    Why: in a study of IRA tweets with a Brexit sample, @ObserverUK's row read "RU (0.77)" over
    "profile location 'London' names GB" and "calibration ... moves P(Russia) from 0.058 to 0.065",
    where `botwatch explain` says the study prior (77% of this study's accounts estimated Russia-run)
    moved it from 0.065 to 0.768; the full sentence is too long for the cell, so its move was cut."""
    m = STUDY_PRIOR.match(sentence)
    if not m:
        return ""
    a, b = (float(v.lstrip("<>")) for v in (m["a"], m["b"]))
    if not a < 0.5 <= b:
        return ""
    # Short enough for the cell's 160 characters with the figures in it. It names its test (past
    # 0.5), which is wider than the report's "only through the study's prior" count: it read "mostly
    # the study's prior", and the JSON's 151 such lines beside that count's 87 read as one set.
    return f"the study's prior, not its own evidence, took P(Russia) past 0.5: {m['a']} → {m['b']}, as an estimated {m['est']} of the study's accounts are Russia-run"


def study_prior_lead(evidence: list[str]) -> str:
    """The short line (`russia_prior_line`) read from an account's origin evidence, after its "most
    likely" lead; "" where the prior made no lead. Why: the report's top table and explorer say it
    beside "RU (0.77)", while `botwatch accounts` showed the "RU" bare and `explain` buried the step
    among the evidence, so a user of the command line read the study's make-up as the account's."""
    return next((t for t in map(russia_prior_line, [str(s) for s in evidence[1:]]) if t), "")
