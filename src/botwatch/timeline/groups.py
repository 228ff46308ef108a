"""Account groups that the time analyses compare: likely automated or not, foreign origin or
not, and each of the largest coordinated clusters.

Groups come from other issues' tables (`account_scores`, `cluster_members`), which may not exist
yet in a study; each group is added only when its source table is there, and the reason for any
absent group is returned so the report can say what it could not show rather than showing less
in silence. The thresholds are the team's contract (bot_probability >= 0.5; foreign = probability
of being run from outside the country the account scores were made for >= 0.5, the rule in
`botwatch.origin_rule`, `measured_home`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botwatch.origin_rule import foreign_sql, home_known, measured_home, no_election_note, scored_without_election, unknown_home_note
from botwatch.study import Study

GROUPS_TABLE = "timeline_groups"
BOT_THRESHOLD = 0.5
MAX_CLUSTERS = 10

AUTOMATED = "likely automated"
NOT_AUTOMATED = "not likely automated"
FOREIGN = "foreign origin"
NOT_FOREIGN = "not foreign (or unknown)"


# The clusters the per-cluster groups keep, largest (most members) first: (cid, n).
_LARGEST_CLUSTERS = f"""
    SELECT CAST(cluster_id AS VARCHAR) AS cid, count(*) AS n FROM cluster_members GROUP BY cluster_id
    ORDER BY n DESC, min(cluster_id) LIMIT {MAX_CLUSTERS}"""


def largest_clusters(study: Study) -> list[str]:
    """The per-cluster groups' values ("cluster 0", ...), largest cluster first, as the stage chose
    them: the report's "Largest coordinated clusters" chart ranked its lines by posts instead and,
    on the IRA tweets of November 2016, left out the two largest clusters (9 and 7 accounts) that
    the headline and the clusters table name. Empty without a `cluster_members` table."""
    if "cluster_members" not in study.tables():
        return []
    return [f"cluster {cid}" for cid, _ in study.sql(f"{_LARGEST_CLUSTERS}")]


@dataclass
class GroupInfo:
    """Which group dimensions a study supports, and why any are missing."""

    dimensions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    home: str | None = None  # the country foreign origin was measured against (None: no origin groups were tried)


def _columns(study: Study, table: str) -> set[str]:
    return set(study.columns(table))


def build_groups(study: Study, election: Any = None) -> GroupInfo:
    """(Re)write `timeline_groups`(platform, account_id, dimension, value): one row per account
    per group dimension it can be placed in."""
    info = GroupInfo()
    study.sql(f"CREATE OR REPLACE TABLE {GROUPS_TABLE} (platform VARCHAR, account_id VARCHAR, dimension VARCHAR, value VARCHAR)")
    tables = set(study.tables())
    parts: list[str] = []  # each dimension's SELECT, inserted together
    if "account_scores" in tables:
        cols = _columns(study, "account_scores")
        if "bot_probability" in cols:
            parts.append(
                f"""SELECT platform, account_id, 'automated',
                       CASE WHEN bot_probability >= {BOT_THRESHOLD} THEN '{AUTOMATED}' ELSE '{NOT_AUTOMATED}' END
                FROM account_scores WHERE bot_probability IS NOT NULL"""
            )
            info.dimensions.append("automated")
        # Measured against the country the account scores were made for (`measured_home`), not
        # this run's election: after `analyze -e us-2016` then `analyze -e uk-ge2017 --only
        # timeline`, accounts 90% American by distributions made for the US were "foreign origin"
        # against GB. The stored distributions answer for that country alone.
        home = measured_home(study, election) if election is not None else None
        if {"origin_country", "origin_probabilities"} <= cols and election is not None and scored_without_election(study):
            info.notes.append(f"Foreign-origin groups are not shown: {no_election_note()}.")
        if {"origin_country", "origin_probabilities"} <= cols and home:
            info.home = home.upper()
        if {"origin_country", "origin_probabilities"} <= cols and home and not home_known(home):
            info.notes.append(f"Foreign-origin groups are not shown: {unknown_home_note(home)}.")
        elif {"origin_country", "origin_probabilities"} <= cols and home:
            parts.append(
                f"""SELECT platform, account_id, 'origin',
                       CASE WHEN coalesce({foreign_sql(home)}, FALSE) THEN '{FOREIGN}' ELSE '{NOT_FOREIGN}' END
                FROM account_scores"""
            )
            info.dimensions.append("origin")
        elif election is None:
            info.notes.append("Foreign-origin groups need an election (its country); run analyze with --election.")
    else:
        info.notes.append("No account_scores table: groups 'likely automated' and 'foreign origin' are not shown (the accounts stages have not run).")
    if "cluster_members" in tables:
        # Ties in size go to the lower cluster number, compared as a number: as text, "10" < "8",
        # and the IRA slice of September 2016 drew clusters 10 and 11 but not 8 and 9 (all of three
        # accounts), where the coordination section draws clusters 0-11.
        parts.append(
            f"""SELECT * FROM (WITH sizes AS ({_LARGEST_CLUSTERS})
            SELECT DISTINCT m.platform, m.account_id, 'cluster', 'cluster ' || s.cid
            FROM cluster_members m JOIN sizes s ON CAST(m.cluster_id AS VARCHAR) = s.cid)"""
        )
        info.dimensions.append("cluster")
    else:
        info.notes.append("No cluster_members table: per-cluster timelines are not shown (the coordination stage has not run).")
    if parts:
        # One INSERT of every dimension: on a lake each INSERT is a Spark write job of its own
        # (timeline stage on the sample's lake: 25 jobs, 23 with one).
        study.sql(f"INSERT INTO {GROUPS_TABLE} " + " UNION ALL ".join(parts))
    return info
