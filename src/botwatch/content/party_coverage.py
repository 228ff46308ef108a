"""How many election posts each party of an election matched, and the lines that say which matched none.

Why: an election whose parties match nothing (a typo'd hashtag, a party given only a name and a
leader, keywords in another language than the posts) used to analyse "ok" and report zeros in
silence, while the report's headline still spoke of that election. `analyze` warns with these
lines and the report lists such parties instead of dropping them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botwatch.study import Study


@dataclass(frozen=True)
class PartyCoverage:
    """Posts of the study per party of one election: in the election (window and match), and named at all."""

    in_election: dict[str, int]
    named: dict[str, int]
    election_posts: int  # posts in the election conversation (any party, or the election's own tags/keywords)


def party_coverage(study: Study, election: Any) -> PartyCoverage | None:
    """The counts from `post_party` / `post_labels` labelled for `election`, or None when the
    content stage has not labelled the study for it."""
    tables = set(study.tables())
    if not {"post_party", "post_labels"} <= tables:
        return None
    keys = [p.key for p in election.parties]
    rows = study.sql("SELECT party, count(DISTINCT post_id) FILTER (WHERE in_election), count(DISTINCT post_id) "
                     "FROM post_party WHERE election = ? GROUP BY party", [election.key])
    got = {str(p): (int(a), int(b)) for p, a, b in rows}
    labelled, inside = study.sql("SELECT count(*), count(*) FILTER (WHERE in_election) FROM post_labels WHERE election = ?", [election.key])[0]
    if not labelled:
        return None
    return PartyCoverage({k: got.get(k, (0, 0))[0] for k in keys}, {k: got.get(k, (0, 0))[1] for k in keys}, int(inside or 0))


def unmatched_lines(cov: PartyCoverage, election: Any) -> list[str]:
    """One line per party that matched no election post, and a stronger one first when no post
    matched any party (or none is in the election at all)."""
    lines: list[str] = []
    zero = [p for p in election.parties if not cov.in_election.get(p.key)]
    if not zero:
        return lines
    keys = ", ".join(p.key for p in election.parties)
    if cov.election_posts == 0:
        lines.append(f"no post in the study belongs to the {election.name} conversation: none in its window names any of its parties "
                     f"({keys}) or carries its own hashtags or keywords; check them (`botwatch elections show`) and the window, "
                     "every election figure of this study is empty")
    elif len(zero) == len(election.parties):
        lines.append(f"no post in the study names any party of {election.name} ({keys}): the party figures are empty; "
                     "check the parties' hashtags, keywords and accounts")
    for p in zero:
        if not p.matchable:
            why = p.unmatchable_note()
        else:
            outside = cov.named.get(p.key, 0)
            why = (f"party {p.key} ({p.name}) matched 0 election posts"
                   + (f" ({outside:,} outside the window)" if outside else ": check its hashtags, keywords and accounts"))
        lines.append(why)
    return lines
