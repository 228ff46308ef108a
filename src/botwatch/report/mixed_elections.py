"""Whether a study's stages were last analysed with different elections, for the report's banner.

`analyze` refuses to re-run such a study without `--election`, but the report used to build from it
without a word: one stage re-run with an edited copy of the election file under the same key gave
a report whose Parties section came from one text and whose accounts section from another, and
whose reproduction line (`botwatch elections show STUDY --toml`) then failed with "different
elections". The banner names the stages and each election, and says how to make them one.

The page's kicker named the election of the newest run alone: a study analysed with us-2016, then
`analyze -e uk-ge2017 --only coordination`, got a report headed "UK general election 2017" whose
Parties, accounts, estimates and timelines were all made for the US election. `kicker_elections`
names each election with the stages made under it instead.
"""

from __future__ import annotations

from typing import Any


def mixed_elections(study: Any) -> str | None:
    """A sentence naming the stages and their elections when they differ; None when they agree (or
    none recorded an election)."""
    from botwatch.elections import ElectionError
    from botwatch.elections.recorded import study_election_record
    from botwatch.report.staleness import ELECTION_PLACEHOLDER, election_placeholder_said

    try:
        study_election_record(study)
    except ElectionError as exc:
        what = str(exc).replace("; pass --election to say which one to use", "")
        return (f"{what[0].upper()}{what[1:]}: each section describes its own stage's election. Run "
                f"`botwatch analyze STUDY --election {ELECTION_PLACEHOLDER}` to analyse every stage with one ({election_placeholder_said()}); "
                "`botwatch elections show STUDY --stage STAGE --toml` gives back a stage's election text.")
    return None


def election_groups(study: Any) -> list[tuple[str, Any, list[str]]] | None:
    """(name, Election or None, stages) for each election the stages last recorded, most stages
    first, when they recorded different ones; None when they agree. A name is the election's own
    ("US presidential election 2016"), its key where the record no longer loads, "no election" for
    `--no-election`; two texts under one key are told apart as the banner does."""
    import hashlib

    from botwatch.elections import ElectionError
    from botwatch.elections.recorded import NO_ELECTION, recorded_election, recorded_pair, study_election_record
    from botwatch.runs_table import latest_by_stage

    try:
        study_election_record(study)
        return None
    except ElectionError:
        pass
    groups: dict[tuple[str, str | None], tuple[dict[str, Any], list[str]]] = {}
    for stage, p in latest_by_stage(study).items():
        pair = NO_ELECTION if p.get("no_election") is True else recorded_pair(p)
        if pair is not None:
            groups.setdefault(pair, (p, []))[1].append(stage)
    loaded: dict[tuple[str, str | None], Any] = {}
    for pair, (p, _) in groups.items():
        try:
            loaded[pair] = None if pair == NO_ELECTION else recorded_election(p)
        except (ElectionError, OSError):
            loaded[pair] = None
    names = {pair: "no election" if pair == NO_ELECTION else getattr(loaded[pair], "name", None) or pair[0] for pair in groups}
    for pair in groups:
        if list(names.values()).count(names[pair]) > 1 and pair != NO_ELECTION:  # one key, two texts: say which
            names[pair] += f" ({pair[0]}, recorded text {hashlib.sha256(pair[1].encode()).hexdigest()[:8]})" if pair[1] else f" ({pair[0]}, preset)"
    order = sorted(groups, key=lambda pair: (-len(groups[pair][1]), names[pair]))
    return [(names[pair], loaded[pair], sorted(groups[pair][1])) for pair in order]


def kicker_elections(study: Any) -> str | None:
    """The page's kicker when the stages recorded different elections: each election's name with
    the stages last run under it ("US presidential election 2016 (accounts, content, …) · UK general
    election 2017 (accounts_clusters, coordination)"); None when they agree."""
    groups = election_groups(study)
    if groups is None:
        return None
    return " · ".join(f"{name} ({', '.join(stages)})" for name, _, stages in groups)
