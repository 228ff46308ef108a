"""Posts per hour and per day, by dimension (platform, kind, party, stance, sentiment, group),
on the UTC clock and the election's local clock — written once in Ibis so DuckDB and Spark
compute the same table.

`tagged_posts` gives one row per (post, dimension, value) — a post about two parties is counted
once under each — and `aggregate` counts posts, distinct accounts and mean sentiment per time
bucket. Sentiment is bucketed with VADER's conventional ±0.05 compound cut-offs (Hutto & Gilbert
2014): `post_labels.sentiment` holds VADER's compound, or, on English election posts, the trained
model's class written as ±(0.05 + margin) / 0.0 so that the same cut reads it.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from botwatch.estimates.relational import post_party_measured

SENTIMENT_CUT = 0.05
FREQS = {"hour": "h", "day": "D"}
CLOCKS = ("utc", "local")
NOT_MEASURED = "not measured"  # the `party_stance` value's stance where the stance was not measured
COLUMNS = ["platform", "post_id", "account_id", "created_at", "local_at", "offset_minutes", "dimension", "value", "sentiment"]


# How the party series' values read in text for people: the stored values are keys
# ("democrat", "democrat:support", "democrat | likely automated"), printed as they were.
STANCE_WORDS = {"support": "support for {}", "oppose": "opposition to {}", "neutral": "neutral about {}", NOT_MEASURED: "{}, stance not measured"}
DIMENSION_WORDS = {"party_stance": "stance", "party_group": "party and group"}  # "party" said by contest in series_label


def series_label(election: object, dimension: str, value: str) -> str:
    """"dimension: value" of a stored series as a reader reads it: a party by its name in the
    election (`elections.party_name`, the key where it has none), its stance in words ("stance:
    support for Democrats (Clinton)", not "party_stance: democrat:support"), its account group
    after it; the series of all posts by its value alone; any other dimension as stored."""
    from botwatch.elections import party_name
    from botwatch.elections.contest import contest_words

    one = contest_words(election).one  # a referendum's series read "party: Leave" beside a "By side" chart
    if dimension == "party":
        return f"{one}: {party_name(election, value)}"
    if dimension == "party_stance" and ":" in value:
        key, _, stance = value.partition(":")
        name = party_name(election, key)
        words = STANCE_WORDS[stance].format(name) if stance in STANCE_WORDS else f"{name}: {stance}"
        return f"{DIMENSION_WORDS[dimension]}: {words}"
    if dimension == "party_group" and " | " in value:
        key, _, group = value.partition(" | ")
        return f"{one} and group: {party_name(election, key)}, by {group} accounts"
    if dimension == "all":  # the one series of every post: "all: all posts" said it twice
        return value
    return f"{dimension}: {value}"


def base_posts(posts: ir.Table, offsets: ir.Table, labels: ir.Table | None) -> ir.Table:
    """Posts with their local time (via the per-hour offset table, exact across a clock change
    inside an hour) and, where known, sentiment.

    Every dimension of `tagged_posts` starts from these rows: a caller that stores them once
    (the timeline stage) saves the engine a scan of posts and two joins per dimension."""
    p = posts.select("platform", "post_id", "account_id", "created_at", "kind").filter(posts.created_at.notnull())
    p = p.mutate(utc_hour=p.created_at.truncate("h"))
    j = p.left_join(offsets, p.utc_hour == offsets.utc_hour)
    # The offset before the change for the part of a change hour before it (`zones.offsets_table`).
    off = ibis.ifelse(j.switch_at.notnull() & (j.created_at < j.switch_at), j.offset_before, j.offset_minutes).fill_null(0)
    j = j.select("platform", "post_id", "account_id", "created_at", "kind", local_at=j.created_at + off.as_interval("m"), offset_minutes=off.cast("int32"))
    if labels is not None:
        lab = labels.select(l_platform=labels.platform, l_post_id=labels.post_id, sentiment=labels.sentiment.cast("float64"))
        j = j.left_join(lab, (j.platform == lab.l_platform) & (j.post_id == lab.l_post_id)).drop("l_platform", "l_post_id")
    else:
        j = j.mutate(sentiment=ibis.null("float64"))
    return j


def _tag(t: ir.Table, dimension: str, value: ir.Value, sentiment: ir.Value | None = None) -> ir.Table:
    return t.select(
        "platform", "post_id", "account_id", "created_at", "local_at", "offset_minutes",
        dimension=ibis.literal(dimension), value=value.cast("string"),
        sentiment=(t.sentiment if sentiment is None else sentiment).cast("float64"),
    )


def sentiment_bucket(s: ir.FloatingValue) -> ir.StringValue:
    """'negative' / 'neutral' / 'positive' by VADER's compound cut-offs."""
    return ibis.cases((s <= -SENTIMENT_CUT, "negative"), (s >= SENTIMENT_CUT, "positive"), else_="neutral")


def tagged_posts(
    posts: ir.Table,
    offsets: ir.Table,
    *,
    groups: ir.Table | None = None,
    post_party: ir.Table | None = None,
    post_labels: ir.Table | None = None,
) -> ir.Table:
    """One row per post per (dimension, value) it belongs to; columns `COLUMNS`."""
    return tag_base(base_posts(posts, offsets, post_labels), groups=groups, post_party=post_party, sentiment=post_labels is not None)


def tag_base(base: ir.Table, *, groups: ir.Table | None = None, post_party: ir.Table | None = None, sentiment: bool = False) -> ir.Table:
    """`tagged_posts` from `base_posts` rows (a stored copy or the expression itself); `sentiment`:
    the rows carry post_labels' sentiment, so the sentiment dimension is counted."""
    parts = [
        _tag(base, "all", ibis.literal("all posts")),
        _tag(base, "platform", base.platform),
        _tag(base, "kind", base.kind.fill_null("unknown")),
    ]
    if sentiment:
        s = base.filter(base.sentiment.notnull())
        parts.append(_tag(s, "sentiment", sentiment_bucket(s.sentiment)))
    if groups is not None:
        g = groups.select(g_platform=groups.platform, g_account_id=groups.account_id, g_dimension=groups.dimension, g_value=groups.value)
        j = base.join(g, (base.platform == g.g_platform) & (base.account_id == g.g_account_id))
        parts.append(
            j.select("platform", "post_id", "account_id", "created_at", "local_at", "offset_minutes",
                     dimension=j.g_dimension, value=j.g_value, sentiment=j.sentiment.cast("float64"))
        )
    if post_party is not None:
        # A row whose stance was not measured (a non-English post that only names the party:
        # `estimates.relational.stance_measured`, the report's rule) is `PARTY:not measured`, not
        # `PARTY:neutral`: its "neutral" (or the account prior's answer) is no reading of the post.
        measured = post_party_measured(post_party) & post_party.stance.notnull()
        pp = post_party.select(q_platform=post_party.platform, q_post_id=post_party.post_id, party=post_party.party,
                               stance=measured.ifelse(post_party.stance, ibis.literal(NOT_MEASURED)), p_sentiment=post_party.sentiment.cast("float64"))
        j = base.join(pp, (base.platform == pp.q_platform) & (base.post_id == pp.q_post_id))
        parts.append(_tag(j, "party", j.party, j.p_sentiment))
        parts.append(_tag(j, "party_stance", j.party.concat(":", j.stance), j.p_sentiment))
        if groups is not None:
            g = groups.select(g_platform=groups.platform, g_account_id=groups.account_id, g_dimension=groups.dimension, g_value=groups.value)
            jg = j.join(g, (j.platform == g.g_platform) & (j.account_id == g.g_account_id))
            parts.append(_tag(jg, "party_group", jg.party.concat(" | ", jg.g_value), jg.p_sentiment))
    return ibis.union(*parts, distinct=False).select(*COLUMNS)


# Scale of the decimal that `exact_mean` sums in: sentiment is VADER's compound or the trained
# model's score, both rounded to 4 places in [-1, 1]; 18 places keep any double of that range to
# within 1e-18 and leave 20 digits for the sum.
_MEAN_DECIMAL = ibis.expr.datatypes.Decimal(38, 18)


def exact_mean(x: ir.FloatingColumn) -> ir.FloatingScalar:
    """The mean of a float column from an exact decimal sum. Why: a float `avg` adds in whatever
    order the engine's parallel threads meet the rows, so re-running one study stored another
    last bit in thousands of timeline rows (the demo: 8,106 of 46,203 rows between two runs); a
    decimal sum is exact in any order, so the stored mean is the same on every run. NULL where
    the column has no value, as `mean`."""
    return x.cast(_MEAN_DECIMAL).sum().cast("float64") / x.count()


def aggregate(tagged: ir.Table, freq: str, clock: str) -> ir.Table:
    """Counts per (dimension, value, bucket) for one frequency ('hour'|'day') and clock ('utc'|'local').

    `utc_offset_minutes` is the clock's offset east of UTC in the bucket: 0 on the UTC clock; on
    the local clock, for an hour, the zone's offset then, and part of the hour's key. Why: the
    wall clock shows one hour twice on the night clocks go back (Europe/Berlin's 02:00 on 29
    October 2017, at +120 then +60; London's and New York's 01:00), and keyed by wall time alone
    the two real hours were one bucket holding both hours' posts, a false burst. A local day keeps one row (NULL: the day of a
    change holds two offsets). The hour's real start, in UTC, is `bucket - utc_offset_minutes`,
    the order to read hours in; a local hour that a spring-forward night skips is never a bucket."""
    ts = tagged.created_at if clock == "utc" else tagged.local_at
    if clock == "utc":
        offset: ir.Value = ibis.literal(0, "int32")
    elif freq == "hour":
        offset = tagged.offset_minutes.cast("int32")
    else:
        offset = ibis.null("int32")
    t = tagged.mutate(bucket=ts.truncate(FREQS[freq]), utc_offset_minutes=offset)
    out = t.group_by(["dimension", "value", "bucket", "utc_offset_minutes"]).aggregate(
        posts=t.count(),
        # per (platform, account_id), as the accounts table keys them: by id alone a `twitter` "42"
        # and an `x` "42" posting in one hour were one account of a party's bucket
        accounts=(t.platform.fill_null("") + ":" + t.account_id).nunique(),
        sentiment_mean=exact_mean(t.sentiment),
        sentiment_n=t.sentiment.count(),
    )
    return out.mutate(freq=ibis.literal(freq), clock=ibis.literal(clock)).select(
        "freq", "clock", "dimension", "value", "bucket", "utc_offset_minutes", "posts", "accounts", "sentiment_mean", "sentiment_n"
    )


def timeline(tagged: ir.Table) -> ir.Table:
    """The `timeline` table: every frequency on every clock."""
    return ibis.union(*[aggregate(tagged, f, c) for f in FREQS for c in CLOCKS], distinct=False)
