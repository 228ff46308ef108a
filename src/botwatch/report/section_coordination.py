"""Report section: the networks that act in unison — picture, clusters table, each cluster's timeline.

The picture is server-side SVG (no script, nothing fetched): igraph lays out the largest
clusters with a fixed seed, members are coloured by cluster and sized by activity, and the
accounts each cluster amplifies most are drawn as grey squares joined to the members that
amplified them. All text reaches the page through the autoescaping template.
"""

from __future__ import annotations

import json
import math
import random
from datetime import date
from typing import Any

import igraph as ig
from markupsafe import Markup

from botwatch.chart_table import MAX_ROWS, figures_table, number
from botwatch.coordination.clusters import MEMBER_SHARES, TOP_AMPLIFIED, top_amplified
from botwatch.coordination.peak_days import daily_co_actions, peak_words, tied_peak_days
from botwatch.report.fmt import account_label
from botwatch.report.sections import Section, render, section
from botwatch.reshare_words import behaviour_words, report_reshare
from botwatch.study import Study

# Colour-blind-safe qualitative palette (Okabe–Ito, then Tol's muted), reused cyclically.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#882255", "#117733", "#332288", "#999933", "#44AA99", "#AA4499"]
MAX_CLUSTERS_DRAWN = 12
MAX_NODES_DRAWN = 400
MIN_SHARES_DRAWN = 2  # an account drawn as amplified by a cluster: shared at least this often by its members
W, H = 900, 560


def _layout(study: Study, cluster_ids: list[int]) -> dict[str, Any]:
    """Positions (in SVG units) of the drawn members and amplified accounts, plus the lines."""
    marks = ",".join("?" for _ in cluster_ids)
    members = study.sql(
        f"SELECT platform, account_id, cluster_id, handle, posts, degree FROM cluster_members "
        f"WHERE cluster_id IN ({marks}) ORDER BY cluster_id, strength DESC, platform, account_id LIMIT {MAX_NODES_DRAWN}",
        cluster_ids,
    )
    if not members:
        return {"nodes": [], "edges": [], "targets": [], "links": []}
    key = {(p, a): i for i, (p, a, *_) in enumerate(members)}
    edges = [
        (key[(p, a)], key[(p, b)], w)
        for p, a, b, w in study.sql("SELECT platform, account_a, account_b, weight_idf FROM coordination_edges ORDER BY 1, 2, 3")
        if (p, a) in key and (p, b) in key
    ]
    # The two accounts each drawn cluster amplifies most (at least MIN_SHARES_DRAWN shares: one
    # retweet drew a square captioned "amplifies most", and among ties at one share it was
    # whichever sorted first), joined to the members that did it. A
    # target named by handle and one named by id alone are two targets (`by_handle` in the key,
    # ranked as the coordination stage ranks `clusters.top_amplified`): merged, a handle "12345"
    # and the account with id 12345 were one square, named after whichever form came first. A
    # Mastodon handle local to the instance collected counts with its instance, as the stage counts it.
    targets: list[tuple[str, int]] = []  # (label, cluster): "@handle", or "id N" when referred to by id alone
    links: list[tuple[int, int, int]] = []
    amp = study.sql(
        f"""
        WITH t AS (
            SELECT cluster_id, platform, account_id, target, by_handle, count(*) AS n
            FROM ({MEMBER_SHARES}) s WHERE cluster_id IN ({marks})
            GROUP BY 1, 2, 3, 4, 5
        ), top AS (
            SELECT cluster_id, target, by_handle FROM (
                SELECT cluster_id, target, by_handle, row_number() OVER (PARTITION BY cluster_id ORDER BY sum(n) DESC, target, by_handle DESC) AS rk
                FROM t GROUP BY cluster_id, target, by_handle HAVING sum(n) >= {MIN_SHARES_DRAWN}) WHERE rk <= 2
        )
        SELECT t.cluster_id, t.platform, t.account_id, t.target, t.by_handle, t.n FROM t JOIN top USING (cluster_id, target, by_handle)
        ORDER BY 1, 4, 5 DESC, 2, 3
        """,
        cluster_ids,
    )
    tindex: dict[tuple[int, str, int], int] = {}
    for cid, p, a, target, by_handle, n in amp:
        if (p, a) not in key:
            continue
        ti = tindex.setdefault((cid, target, by_handle), len(members) + len(targets))
        if ti == len(members) + len(targets):
            targets.append((account_label(target if by_handle else None, target), cid))
        links.append((key[(p, a)], ti, n))
    g = ig.Graph(n=len(members) + len(targets), edges=[(a, b) for a, b, _ in edges] + [(a, b) for a, b, _ in links])
    weights = [max(float(w or 0), 0.1) for _, _, w in edges] + [0.3] * len(links)
    state = random.getstate()
    random.seed(11)
    ig.set_random_number_generator(random)
    try:
        layout = g.layout_fruchterman_reingold(weights=weights, niter=500) if g.ecount() else g.layout_circle()
    finally:
        random.setstate(state)
    xs, ys = [c[0] for c in layout.coords], [c[1] for c in layout.coords]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    sx = (W - 80) / ((x1 - x0) or 1)
    sy = (H - 60) / ((y1 - y0) or 1)
    pos = [(40 + (x - x0) * sx, 30 + (y - y0) * sy) for x, y in layout.coords]
    colour = {cid: PALETTE[i % len(PALETTE)] for i, cid in enumerate(cluster_ids)}
    top_posts = max((m[4] or 0) for m in members) or 1
    nodes = [
        {
            "x": round(pos[i][0], 1), "y": round(pos[i][1], 1),
            "r": round(3 + 9 * math.sqrt((m[4] or 0) / top_posts), 1),
            "colour": colour[m[2]], "label": account_label(m[3], m[1], m[0]), "cluster": m[2], "posts": m[4] or 0, "degree": m[5],
        }
        for i, m in enumerate(members)
    ]
    return {
        "nodes": nodes,
        "edges": [{"x1": nodes[a]["x"], "y1": nodes[a]["y"], "x2": nodes[b]["x"], "y2": nodes[b]["y"]} for a, b, _ in edges],
        "targets": [
            {"x": round(pos[len(members) + j][0], 1), "y": round(pos[len(members) + j][1], 1), "label": t, "cluster": cid}
            for j, (t, cid) in enumerate(targets)
        ],
        "links": [
            {"x1": nodes[a]["x"], "y1": nodes[a]["y"], "x2": round(pos[b][0], 1), "y2": round(pos[b][1], 1)}
            for a, b, _ in links
        ],
        "colour": colour,
        # Each cluster's number written above its topmost member: the clusters differed by colour
        # alone (a legend of swatches), lost on a reader who does not tell the colours apart.
        "names": _cluster_names(nodes),
        "figures": _picture_figures(nodes, edges, targets, links),
    }


def _picture_figures(nodes: list[dict[str, Any]], edges: list[tuple[int, int, Any]], targets: list[tuple[str, int]],
                     links: list[tuple[int, int, Any]]) -> Markup:
    """What the network picture draws, as hidden tables a screen reader reads (`chart_table`): each
    account drawn with its cluster, posts and links (its circle's tooltip), the lines between them,
    then each grey square with the members that amplified it. The picture's facts sat in circle
    tooltips alone, so "Coordination network: 15 accounts in 5 clusters" was all a reader who
    cannot see it heard. The lines are a table of their own, capped as a chart's table is
    (`MAX_ROWS`, the strongest first): listed under both accounts of each, the 6,496 lines of an
    IRA study's picture made the hidden table 1.1 MB."""
    rows = [(n["label"], str(n["cluster"]), number(n["posts"]), number(n["degree"])) for n in nodes]
    out = figures_table(f"Coordination network ({len(nodes)} accounts drawn)", ["Account", "Cluster", "Posts", "Coordination links"], rows)
    if edges:
        strongest = sorted(edges, key=lambda e: (-float(e[2] or 0), nodes[e[0]]["label"], nodes[e[1]]["label"]))
        pairs = [(nodes[a]["label"], nodes[b]["label"]) for a, b, _ in strongest[:MAX_ROWS]]
        said = "each line drawn, the strongest first"
        if len(edges) > MAX_ROWS:
            said = (f"the {MAX_ROWS:,} strongest of the {len(edges):,} lines drawn; the other {len(edges) - MAX_ROWS:,} are left out here "
                    "(every pair is in the study's coordination_edges table: botwatch export STUDY coordination_edges -o edges.csv)")
        out += figures_table("Lines between the accounts drawn", ["Account", "Joined to"], pairs, said=said)
    if targets:
        by: list[list[str]] = [[] for _ in targets]
        for a, t, _ in links:
            by[t - len(nodes)].append(nodes[a]["label"])
        out += figures_table("Accounts each drawn cluster amplifies most (grey squares)", ["Account", "Cluster", "Amplified by"],
                             [(label, str(cid), ", ".join(sorted(by[j]))) for j, (label, cid) in enumerate(targets)], said="who amplified them")
    return Markup(out)


def _cluster_names(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A label per drawn cluster: its number, centred over its members, above the highest one."""
    out = []
    for cid in dict.fromkeys(n["cluster"] for n in nodes):
        own = [n for n in nodes if n["cluster"] == cid]
        x = sum(n["x"] for n in own) / len(own)
        y = min(n["y"] - n["r"] for n in own) - 4
        out.append({"cluster": cid, "x": round(min(max(x, 30.0), W - 30.0), 1), "y": round(max(y, 12.0), 1)})
    return out


def _timelines(study: Study, cluster_ids: list[int]) -> dict[str, Any]:
    """Daily co-actions per drawn cluster on one shared day axis (small multiples)."""
    marks = ",".join("?" for _ in cluster_ids)
    rows = study.sql(f"{daily_co_actions(f'WHERE m.cluster_id IN ({marks})')} ORDER BY 1, 2", cluster_ids)
    if not rows:
        return {"rows": [], "first": None, "last": None}
    first: date = min(r[1] for r in rows)
    last: date = max(r[1] for r in rows)
    days = (last - first).days + 1
    width = 900
    bw = width / max(days, 1)
    out = []
    for cid in cluster_ids:
        series = [(d, n) for c, d, n in rows if c == cid]
        if not series:
            continue
        top = max(n for _, n in series) or 1
        out.append(
            {
                "cluster": cid,
                "max": top,
                "bars": [
                    {"x": round((d - first).days * bw, 2), "w": round(max(bw - 0.5, 1.0), 2), "h": round(28 * n / top, 1), "day": d.isoformat(), "n": n}
                    for d, n in series
                ],
            }
        )
    return {"rows": out, "first": first, "last": last, "width": width, "days": days}


ACTIVITY = ("posts_first_at", "posts_last_at", "peak_day", "peak_day_co_actions")


def coordination_facts(study: Study) -> dict[str, Any] | None:
    """Everything the section shows, or None when the coordination stage has not run."""
    if "clusters" not in study.tables() or "coordination_summary" not in study.tables():
        return None
    summary = json.loads(study.sql("SELECT summary FROM coordination_summary")[0][0])
    names = ("cluster_id", "size", "edges", "density", "behaviours", "first_at", "last_at", "posts", "top_amplified", "share_automated", "share_foreign", "scored",
             "top_category", "label", *ACTIVITY)
    # When each network was active (members' first and last posts, the busiest day of co-actions):
    # NULL for a study whose clusters an older botwatch built, and the table says "not recorded".
    have = set(study.columns("clusters"))
    activity = ", ".join(c if c in have else f"NULL AS {c}" for c in ACTIVITY)
    clusters = [
        dict(zip(names, r))
        for r in study.sql(
            "SELECT cluster_id, size, edges, density, behaviours, first_at, last_at, posts, top_amplified, share_automated, share_foreign, scored_members, top_category, label, "
            f"{activity} FROM clusters ORDER BY cluster_id"
        )
    ]
    # How many members the foreign share is of: members with origin evidence (the others' "foreign"
    # is NULL). The column printed "100%" bare, where a cluster of 4 could have 2 with evidence;
    # the likely-automated column beside it always said "of N scored".
    with_origin = dict(study.sql('SELECT cluster_id, count("foreign") FROM cluster_members GROUP BY 1 ORDER BY 1'))
    central = _central_labels(study)
    for c in clusters:
        c["with_origin"] = int(with_origin.get(c["cluster_id"], 0))
        # "@handle", or "id N" for an account the posts named by id alone (it was "@N").
        c["top_amplified"] = [dict(a, label=account_label(a["handle"], a["account_id"] or a["account"])) for a in top_amplified(c["top_amplified"])]
        if c["label"] is not None:
            c["label"] = central.get((c["cluster_id"], c["label"]), c["label"])
    tied_days = tied_peak_days(study)
    for c in clusters:
        c["peak_words"] = peak_words(c, tied_days.get(c["cluster_id"], []))
    null_rows = study.sql("SELECT k, observed_pairs, null_pairs FROM coordination_null ORDER BY k") if "coordination_null" in study.tables() else None
    accounts = study.sql("SELECT count(*) FROM cluster_members")[0][0]
    return {"summary": summary, "clusters": clusters, "accounts": accounts, "null_rows": null_rows}


def _central_labels(study: Study) -> dict[tuple[int, str], str]:
    """(cluster, stored label) -> the label as the report names accounts ("@handle" or "id N").
    The clusters table stores its most central member as `coalesce(handle, account_id)`, which the
    table and the headline printed bare ("around 1234567", "around jill"); the member it names
    says which of the two it is. Two members may bear the name (two instances' local Mastodon
    "alice", named "@alice@a.social" and "@alice@b.social"): the strongest of them is the one the
    stage named the cluster after (`clusters._write_cluster_summaries`)."""
    have = set(study.columns("cluster_members"))
    strength = "m.strength DESC NULLS LAST, " if "strength" in have else ""
    rows = study.sql(
        "SELECT m.cluster_id, c.label, m.handle, m.account_id, m.platform FROM cluster_members m "
        "JOIN clusters c ON c.cluster_id = m.cluster_id AND c.label = coalesce(m.handle, m.account_id) "
        f"ORDER BY 1, {strength}3 NULLS LAST, 4"
    )
    found: dict[tuple[int, str], str] = {}
    for cid, label, handle, account_id, platform in rows:
        found.setdefault((cid, label), account_label(handle, account_id, platform))
    return found


def resolution(study: Study, window_s: int) -> dict[str, Any] | None:
    """What the timestamps let "within N seconds" mean, when some inputs are stamped to the whole
    minute (the IRA release): None when every input has finer timestamps. `all`: every post is
    minute-stamped; `below`: the window is shorter than a minute, so among those posts it catches
    only posts stamped in the same minute. The report said "co-acting within 60 s" (and a sweep
    "at 10 s") on data that cannot time anything closer than a minute."""
    from botwatch.coordination.network import MINUTE_S, minute_stamped

    m = minute_stamped(study)
    if not m["sources"]:
        return None
    return {
        "sources": ", ".join(f"{f} ({n:,} posts)" for f, n in m["sources"]), "all": m["posts"] == m["total"],
        "below": window_s < MINUTE_S, "window": window_s, "upto": window_s + MINUTE_S, "minute": MINUTE_S,
    }


def _home_unknown(summary: dict[str, Any], election: Any) -> bool:
    """Whether the country the members' foreign flag was measured against (the stage's recorded
    `country`: the scoring country, else its election's; else the report's election's) is one the
    origin model cannot name: a cluster's foreign-origin share is then not measured (not "not
    scored": its members were scored). The report's election may be a later stage's: a study
    scored and clustered for us-2016, then analysed with an Estonian election for another stage,
    read "not measured" beside clusters measured against the US."""
    from botwatch.origin_rule import home_known

    home = summary["country"] if "country" in summary else getattr(election, "country", None)
    return bool(home) and not home_known(home)


def shares_named(study: Study, cluster_id: int) -> tuple[int, int]:
    """(retweets and quotes by the cluster's members that name the account they shared, all their
    retweets and quotes): `top_amplified` counts only the first, as the stage does."""
    known, total = study.sql(
        f"""
        SELECT count(CASE WHEN coalesce(p.ref_handle, p.ref_account_id) IS NOT NULL THEN 1 END), count(*)
        FROM posts p JOIN cluster_members m ON m.platform = p.platform AND m.account_id = p.account_id
        WHERE m.cluster_id = {int(cluster_id)} AND p.kind IN ('retweet', 'quote')
        """
    )[0]
    return int(known or 0), int(total or 0)


def unnamed_words(known: int, total: int, nouns: str = "retweets") -> str:
    """The clause said in place of `amplified_words` when most of the cluster's shares name no author.

    Why: on the IRA tweets of 4-7 October 2016 the headline read "the largest, 9 accounts around
    @FinnaGlo, amplified @herc_omega most (2 shares)", where 2,070 of the members' 2,077 retweets
    carry no "RT @handle:" (the release marks them retweets without naming whom): the data cannot
    say whom the cluster amplified most, and the sentence named an account from 7 shares. Said
    after it, as ", but only 1 of its members' 4,887 retweets and quotes name the account they
    shared" (the first 100,000 IRA tweets), it still let "amplified @ukrfootball most (1 share)"
    stand first, the sentence a reader quotes: the ranking is now left out where this is said.
    `nouns`: the platform's word for its shares (`reshare_words`: "boosts" on Mastodon)."""
    if total == 0 or known * 2 >= total:
        return ""
    return (f"whom its members amplified most cannot be read from the data: only {known:,} of their {total:,} {nouns} "
            f"and quotes {'names' if known == 1 else 'name'} the account shared")


def amplified_words(top: list[dict[str, Any]], stored: int = TOP_AMPLIFIED) -> str:
    """The headline's clause on what the largest cluster amplified most, from its `top_amplified`
    entries (ranked, labelled): one account only where it leads alone. Where several tie at the
    top the clause names them as a tie ("… tie at 1 share each"), and "possibly more" where the
    tie fills every stored entry (`stored`: the stage keeps `clusters.TOP_AMPLIFIED`). Why: on the
    validation's development study the headline read "amplified @rentvchannel most (1 shares)" where three
    accounts had one share each, singling out whichever sorted first. Empty when nothing was
    amplified."""
    if not top:
        return ""
    n = int(top[0]["shares"])
    unit = "share" if n == 1 else "shares"
    tied = [e for e in top if int(e["shares"]) == n]
    if len(tied) == 1:
        return f"amplified {top[0]['label']} most ({n:,} {unit})"
    names = [str(e["label"]) for e in tied]
    more = len(tied) >= stored
    listed = ", ".join(names) + ", possibly more" if more else ", ".join(names[:-1]) + " and " + names[-1]
    return f"amplified no one account most: {listed} tie at {n:,} {unit} each"


def union_fdr(summary: dict[str, Any]) -> dict[str, Any] | None:
    """How many tests could keep an edge (each behaviour alone and all together, those that
    tested at least one pair) and the worst-case false discovery rate of their union: each test
    holds its own FDR, an edge is kept when any test keeps it, so the kept network's FDR is
    bounded only by the sum (docs/methods.md, "Each behaviour, and all together").

    Why: the headline said "each beating a null model at a 5% false discovery rate" on the IRA
    slice of 4-7 October 2016, where 5 tests kept edges and 15 of the 66 kept pairs were kept by a
    single behaviour's test and not by the combined one; a reader took 5% for the whole network's
    rate, where the stated bound is 25%. None when the summary names at most one test."""
    tests = summary.get("tests") or {}
    fdr = float((summary.get("options") or {}).get("max_fdr") or 0.0)
    n = sum(1 for t in tests.values() if int((t or {}).get("tested") or 0) > 0)
    if n <= 1:
        return None
    return {"tests": n, "fdr": fdr, "bound": min(1.0, n * fdr)}


def _window_election(study: Study, election: Any) -> tuple[Any, bool]:
    """(the election whose window the clusters' co-acting is checked against, whether to name it):
    the report's `election`, or, when the stages were analysed with different elections
    (`mixed_elections.election_groups`), the one the coordination stage ran under, named. A study
    analysed with us-2016, then `-e uk-ge2017 --only coordination`, headlined "None of these
    clusters co-acted inside the election window (2017-04-18 to 2017-06-09) ... not of this
    election's talk" in a report whose kicker, Parties and accounts are about the US election."""
    from botwatch.report.mixed_elections import election_groups

    if election_groups(study) is None:
        return election, False
    from botwatch.elections.recorded import stage_election

    return stage_election(study, "coordination"), True


def window_activity(study: Study, election: Any, n_clusters: int, *, named: bool = False) -> dict[str, Any] | None:
    """How much of the clusters' co-acting fell inside the election's window (`zones.window_utc`):
    the clusters that co-acted there at least once, and their co-actions there out of all.

    Why: the coordination test reads the whole archive, and the headline said "1,076 accounts in
    174 clusters acted in unison" in a report on the 2016 US election whose largest cluster
    co-acted in Russian from 2015 to 2017; a reader took the networks for the election's. A
    co-action is a pair of posts of two members of one cluster (as the daily chart counts them),
    dated by the earlier post. None without an election window or clusters. `named`: the
    sentence names the election (`name`), for a report whose stages used different ones."""
    from botwatch.timeline import zones

    w = zones.window_utc(election) if election is not None else None
    if w is None or not n_clusters or "coordination_evidence" not in study.tables():
        return None
    lo, hi = (f"TIMESTAMP '{t:%Y-%m-%d %H:%M:%S}'" for t in w)  # literal: the same SQL on DuckDB and Spark
    inside = f"least(e.t_a, e.t_b) >= {lo} AND least(e.t_a, e.t_b) < {hi}"
    # How many of the co-actions involve an election post (`post_labels.in_election`, the posts the
    # Parties section counts), in the same pass: in the window is not about the election. The
    # GE2017 sample beside the IRA's tweets of May–June 2017 headlined "63 accounts in 22 clusters
    # acted in unison …; 582 of the 1,914 co-actions of all clusters (30%) fall in [the election
    # window]", which a journalist would print as networks in the election's talk, where 8 of the
    # 1,914 touched an election post. Not asked where the content stage has not run (no
    # `post_labels`), or where the stages used different elections (`named`: its labels are of
    # another election than the window named).
    talk = not named and "post_labels" in study.tables()
    said = ", count(DISTINCT CASE WHEN la.in_election OR lb.in_election THEN e.post_a || '|' || e.post_b END)" if talk else ""
    labels = ("LEFT JOIN post_labels la ON la.platform = e.platform AND la.post_id = e.post_a "
              "LEFT JOIN post_labels lb ON lb.platform = e.platform AND lb.post_id = e.post_b") if talk else ""
    clusters, in_window, total, *election_talk = study.sql(
        f"""
        SELECT count(DISTINCT CASE WHEN {inside} THEN m.cluster_id END),
               count(DISTINCT CASE WHEN {inside} THEN e.post_a || '|' || e.post_b END),
               count(DISTINCT e.post_a || '|' || e.post_b){said}
        FROM coordination_evidence e JOIN cluster_members m ON m.platform = e.platform AND m.account_id = e.account_a
        JOIN cluster_members mb ON mb.platform = e.platform AND mb.account_id = e.account_b AND mb.cluster_id = m.cluster_id
        {labels}
        """
    )[0]
    return {"clusters": int(clusters or 0), "of": n_clusters, "co_actions": int(in_window or 0), "all": int(total or 0),
            "start": election.window_start, "end": election.window_end, "name": election.name if named else None,
            "talk": int(election_talk[0] or 0) if election_talk else None}


@section("coordination", order=50)
def coordination_section(study: Study, ctx: dict[str, Any]) -> Section | None:
    facts = coordination_facts(study)
    if facts is None:
        return None
    drawn = [c["cluster_id"] for c in facts["clusters"] if c["size"] >= 2][:MAX_CLUSTERS_DRAWN]
    picture = _layout(study, drawn) if drawn else None
    timelines = _timelines(study, drawn) if drawn else None
    s = facts["summary"]
    big = facts["clusters"][0] if facts["clusters"] else None
    res = resolution(study, int(s["options"]["window_s"]))
    window_election, named = _window_election(study, ctx.get("election"))
    in_window = window_activity(study, window_election, len(facts["clusters"]), named=named)
    union = union_fdr(s)
    headline = []
    if big is not None:
        unnamed = unnamed_words(*shares_named(study, big["cluster_id"]), report_reshare(study, ctx).nouns) if big["top_amplified"] else ""
        headline.append(render("coordination_headline.html.j2", s=s, big=big, n_clusters=len(facts["clusters"]), accounts=facts["accounts"], res=res,
                               amplified=amplified_words(big["top_amplified"]) if not unnamed else "", unnamed=unnamed, in_window=in_window, union=union,
                               # Clusters as large as the first: "the largest, 3 accounts around @X" was read beside
                               # another cluster of 3 (and six times its co-actions) on IRA tweets of 2017.
                               tied=sum(1 for c in facts["clusters"][1:] if c["size"] == big["size"])))
    rs = report_reshare(study, ctx)
    # Fewer than two accounts that posted: no pair could co-act, so "no pair co-acted more than
    # chance allows. That is a result" (@UKLabour's week of May 2017, its one posting account)
    # claimed a finding where nothing was measured.
    posting = study.sql("SELECT count(DISTINCT (platform, account_id)) FROM posts")[0][0] if "posts" in study.tables() else None
    html = render(
        "coordination.html.j2", posting=posting,
        beh=lambda names: [behaviour_words(n, rs) for n in names or []],
        f=facts, s=s, picture=picture, timelines=timelines, W=W, H=H,
        shown=facts["clusters"][:50], res=res, home_unknown=_home_unknown(s, ctx.get("election")), in_window=in_window, union=union,
    )
    return Section("coordination", "Networks acting in unison", Markup(html), order=50, headline=headline)
