"""What a scaled count estimates, in words, from the study's `captures` table.

A capture made through a filter (an election preset's hashtags, keywords and accounts; an X search
query) records the share of what the *filter* let through, so dividing by that rate estimates the
filtered stream's posts, not the whole platform's (docs/collect.md, "Sample of a filter"). A
Bluesky capture of the uk-ge2017 filter at rate 1 was reported as "scaled to the whole platform by
1 / 1": the rate of 1 is no scaling at all, and the population is the filter's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botwatch.collect.filters import UNFILTERED, filter_terms
from botwatch.collect.state import kept_nothing, manifest_runs
from botwatch.platform_names import platform_name
from botwatch.study import Study


@dataclass(frozen=True)
class Scope:
    """What the counts describe. `filtered` names the capture's filter ("the Bluesky stream
    filtered by election preset uk-ge2017") when every source of posts is a filtered capture, or
    is None (an archive, an unfiltered sample of a platform's stream, or a mix); `partly` says, for
    a study mixing a filtered capture with other inputs, which part is filtered; `unscaled` is
    true at a rate of 1."""

    rate: float | None
    filtered: str | None
    unscaled: bool
    partly: str | None = None

    @property
    def population(self) -> str:
        """The population scaled counts estimate, for "scaled to …" sentences."""
        return f"all posts {self.filtered} let through" if self.filtered else "the whole platform"


def _describe(filt: Any) -> str | None:
    """One filter of the manifest in words, or None when the run was unfiltered. An unfiltered run
    records the origin `UNFILTERED` and no terms: read as a filter's words, every unfiltered
    Bluesky capture was "filtered" in the report, its counts "the posts the Bluesky capture's
    filter (none: everything the stream sent) let through", and said to hold no reposts."""
    if not filt:
        return None
    if isinstance(filt, dict):
        parts = [k for k in ("hashtags", "keywords", "handles", "query") if filt.get(k)]  # the terms it filtered by
        if filt.get("origin") == UNFILTERED and not parts:
            return None
        if filt.get("origin"):
            return str(filt["origin"])
        if parts:
            return "its " + ", ".join(parts)
        return None
    return str(filt)


def _kept_by(filt: Any) -> frozenset[str]:
    """What a recorded filter kept posts by, as matching reads it (terms case-aside, an X query),
    whatever its origin calls it: a user's own file recorded as "election preset KEY" before it was
    named a file, then as "election file KEY", or a tag in another case, is the same filter, while
    a run with no filter (the empty set) beside filtered runs is a change of terms."""
    if not isinstance(filt, dict):
        return frozenset({str(filt)})
    query = filt.get("query")
    return frozenset(filter_terms(filt)) | ({f"query:{query}"} if query else set())


def _run_filters(filters: Any, manifest: Any) -> list[Any]:
    """The filters a capture's posts were kept by: the recorded filters (`captures.filters`, one of
    each), less those of runs the manifest says ended keeping no post (`collect.state.kept_nothing`:
    a first run that never connected). Such a run's terms chose nothing, and the report said "its
    terms changed between runs" of a folder whose every post one filter kept, as `collect` had said."""
    try:
        parsed = json.loads(filters) if filters else []
    except ValueError:
        parsed = [filters]
    recorded = parsed if isinstance(parsed, list) else [parsed]
    try:
        runs = manifest_runs(json.loads(manifest) if manifest else None)
    except ValueError:
        runs = []
    if not runs:
        return recorded
    kept = [r.get("filter") for r in runs if isinstance(r, dict) and not kept_nothing(r)]
    if not kept:  # no run kept a post: the folder's filters, as recorded
        return recorded
    said = {json.dumps(f, sort_keys=True) for f in kept}
    return [f for f in recorded if json.dumps(f, sort_keys=True) in said] or recorded


def capture_filters(study: Study) -> list[tuple[str, str]]:
    """(platforms, filter in words) for every filtered capture recorded in the study."""
    if "captures" not in study.tables():
        return []
    out: list[tuple[str, str]] = []
    for platforms, filters, manifest in study.sql("SELECT platforms, filters, manifest FROM captures ORDER BY folder"):
        runs = _run_filters(filters, manifest)
        described = [w for f in runs if (w := _describe(f))]
        kept_by = {_kept_by(f) for f in runs if f}
        if len(kept_by) > 1:  # one folder, runs with other terms (a candidate added to the file): said, not named as one filter
            out.append((str(platforms or ""), "; ".join(dict.fromkeys(described)) + f", its terms changed between runs ({len(kept_by)} filters)"))
        elif described:  # the same terms under another name (a file once called a preset): the newest name
            out.append((str(platforms or ""), described[-1]))
    return out


def _other_sources(study: Study) -> int:
    """How many inputs that stored posts are not files a recorded capture wrote (an archive,
    someone else's export, another capture's file ingested without its manifest): their posts
    are not what a recorded capture's filter let through."""
    from botwatch.collect.study_link import captured, recorded_runs

    if "sources" not in study.tables():
        return 0
    rows = study.sql("SELECT DISTINCT source FROM sources WHERE format IS NOT NULL")
    captures = recorded_runs(study)
    return sum(1 for (src,) in rows if not captured(str(src), captures))


def _unfiltered_captures(study: Study) -> int:
    """Recorded captures with no filter (a sample of a platform's whole stream)."""
    n = 0
    for filters, manifest in study.sql("SELECT filters, manifest FROM captures"):
        runs = _run_filters(filters, manifest)
        if not any(_describe(f) for f in runs) or any(isinstance(f, dict) and not _describe(f) for f in runs):
            n += 1  # wholly unfiltered, or with a run that kept everything the stream sent
    return n


def scope(study: Study, sample_rate: float | None) -> Scope:
    """The counts' scope for the report's scaling sentences (parties section, Methods).

    The filter's wording ("counts are the posts the filter let through") holds only when every
    source of posts is a filtered capture: a study mixing an archive with a filtered capture was
    said to count only the filter's posts. For a mix, `partly` names the filtered part instead."""
    found = list(dict.fromkeys(capture_filters(study)))
    if not found:
        return Scope(rate=sample_rate, filtered=None, unscaled=sample_rate is not None and abs(sample_rate - 1.0) < 1e-12)
    names = sorted({platform_name(p) for plats, _ in found for p in plats.split(",") if p})
    what = "; ".join(dict.fromkeys(w for _, w in found))
    filtered: str | None = f"the {' and '.join(names) or 'captured'} capture's filter ({what})"
    partly = None
    others, unfiltered = _other_sources(study), _unfiltered_captures(study)
    if others or unfiltered:
        rest = " and ".join(x for x in (f"{others:,} other input{'s' if others != 1 else ''} (an archive or another export)" if others else "",
                                        f"{unfiltered:,} unfiltered capture{'s' if unfiltered != 1 else ''}" if unfiltered else "") if x)
        partly = (f"Only part of the study is filtered: the posts from the capture are those {filtered} let through, "
                  f"while the study also holds {rest}, so its counts mix the two.")
        filtered = None
    return Scope(rate=sample_rate, filtered=filtered, unscaled=sample_rate is not None and abs(sample_rate - 1.0) < 1e-12, partly=partly)


def filtered_reposts_note(study: Study) -> str | None:
    """What a filtered Bluesky capture leaves out, or None: `collect bluesky` with a filter asks
    Jetstream for posts only (a repost carries no words for the filter to match), so such a
    capture holds no reposts and its party counts are Bluesky's own posts, replies and quotes,
    while a filtered X stream keeps the retweets that match (they carry their original's text).
    Nothing said that, and a study of both read as if the two platforms were counted alike."""
    if not any("bluesky" in plats.split(",") for plats, _ in capture_filters(study)):
        return None
    has_retweets = "posts" in study.tables() and study.sql(
        "SELECT count(*) FROM posts WHERE platform <> 'bluesky' AND kind = 'retweet' AND text IS NOT NULL AND text <> ''")[0][0]
    other = "; the retweets of the other platforms carry their originals' words and are counted" if has_retweets else ""
    return ("The Bluesky capture was filtered, and a filtered capture asks for no reposts (a repost carries no words for the filter "
            f"to match): Bluesky's counts are its posts, replies and quotes, without reposts{other}")


def zero_where(study: Study, sample_rate: float | None) -> str:
    """Where a scaled zero's bound lies (`estimates.whole_counts.zero_text`): "on the platform", or,
    for a filtered capture, among the posts its filter let through, as the scaling sentences say:
    "at most about 298 on the platform" beside "scaled to all posts the filter let through"."""
    sc = scope(study, sample_rate)
    return f"among {sc.population}" if sc.filtered else "on the platform"
