"""How many election posts each party of an election matched, and the lines that say which matched
none, or which the study's posts name so often that a party term is likely the archive's own query.

Why: an election whose parties match nothing (a typo'd hashtag, a party given only a name and a
leader, keywords in another language than the posts) used to analyse "ok" and report zeros in
silence, while the report's headline still spoke of that election. `analyze` warns with these
lines and the report lists such parties instead of dropping them.

And the other way: the ordinary brexit-2016 tweets (a scrape by Brexit hashtags) under a user's
EU-referendum file that listed #Brexit as a Vote Leave hashtag named Leave in 83% of all posts,
and the report read "38,286 election posts naming Vote Leave", a count of the scrape's own query.
Nothing marked it; `dominant_lines` now says so, with the party's most common hashtag.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from botwatch.content.normalize import TAG_SPELLINGS
from botwatch.count_text import num
from botwatch.elections.contest import ContestWords, contest_words, contest_words_for, current_contest_words
from botwatch.prob_text import percent
from botwatch.reshare_words import Reshare, reshare_words
from botwatch.script_twins import MIXED_SCRIPT_RE2, one_script
from botwatch.study import Study

# A party named by at least this share of all the study's posts: one party is rarely most of an
# election's talk unless the archive was collected with one of its terms.
DOMINANT_SHARE = 0.5


@dataclass(frozen=True)
class PartyCoverage:
    """Posts of the study per party of one election: in the election (window and match), and named at all."""

    in_election: dict[str, int]
    named: dict[str, int]
    election_posts: int  # posts in the election conversation (any party, or the election's own tags/keywords)
    posts: int = 0  # posts labelled for the election: every post of the study
    unread: tuple[tuple[str, int], ...] | None = None  # `unread_reposts`' rows (platform, n), when asked with the counts


def party_coverage(study: Study, election: Any, *, unread: bool = False) -> PartyCoverage | None:
    """The counts from `post_party` / `post_labels` labelled for `election`, or None when the
    content stage has not labelled the study for it. With `unread`, also `unread_reposts`' rows
    (`PartyCoverage.unread`). One query: on a lake each statement is Spark jobs of its own, and
    `analyze`'s warnings after the content stage asked three (9 jobs on the sample lake, 7 as one)."""
    tables = set(study.tables())
    if not {"post_party", "post_labels"} <= tables:
        return None
    keys = [p.key for p in election.parties]
    sql = ("SELECT 'party' AS what, party, count(DISTINCT post_id) FILTER (WHERE in_election) AS a, count(DISTINCT post_id) AS b "
           "FROM post_party WHERE election = ? GROUP BY party "
           "UNION ALL SELECT 'labels', NULL, count(*) FILTER (WHERE in_election), count(*) FROM post_labels WHERE election = ?")
    if unread and "posts" in tables:
        sql += f" UNION ALL SELECT 'unread', p.platform, count(*), NULL {_UNREAD_FROM}{_UNREAD_NAMED}GROUP BY p.platform"
    rows = study.sql(sql, [election.key, election.key])
    got = {str(p): (int(a), int(b)) for what, p, a, b in rows if what == "party"}
    inside, labelled = next((a, b) for what, _p, a, b in rows if what == "labels")
    if not labelled:
        return None
    held = tuple((str(p), int(a)) for what, p, a, _b in rows if what == "unread") if unread else None
    return PartyCoverage({k: got.get(k, (0, 0))[0] for k in keys}, {k: got.get(k, (0, 0))[1] for k in keys}, int(inside or 0), int(labelled),
                         held)


def unmatched_lines(cov: PartyCoverage, election: Any, sample_rate: float | None = None, outside_window: bool = False) -> list[str]:
    """One line per party that matched no election post, and a stronger one first when no post
    matched any party (or none is in the election at all). With a `sample_rate` below 1 a party's
    zero may be the sample's: a 10% sample of the ordinary Brexit tweets held none of the Green
    Party's 20 posts, and the line sent the user to check hashtags that were right.

    `outside_window`: no post of the study falls in the election's window
    (`report.caveats.outside_election_window`, warned with what to do). Then the window is why
    nothing matched, and the lines say so: May 2017 tweets under us-2016 were told to check each
    party's hashtags, keywords and accounts, which were right.

    Worded in `election`'s own contest words, not the caller's (`contest.contest_words`): under a
    referendum file `botwatch.api.analyze`, which sets none, said "party leave (Leave)", and even
    `analyze` said "no post names any party" above "side leave (Leave) matched 0 election posts"."""
    lines: list[str] = []
    zero = [p for p in election.parties if not cov.in_election.get(p.key)]
    if not zero:
        return lines
    cw = contest_words(election)
    keys = ", ".join(p.key for p in election.parties)
    if cov.election_posts == 0 and outside_window:
        lines.append(f"no post in the study falls in the {election.name} window, so none names its {cw.many} ({keys}) there: "
                     f"every election figure of this study is empty because of the window, not the {cw.many}' hashtags or keywords")
        # Only what the window does not explain: a party named outside it, or one nothing can match.
        return lines + [_zero_line(p, cov, sample_rate, cw) for p in zero if not p.matchable or cov.named.get(p.key, 0)]
    if cov.election_posts == 0:
        lines.append(f"no post in the study belongs to the {election.name} conversation: none in its window names any of its {cw.many} "
                     f"({keys}) or carries its own hashtags or keywords; check them (`botwatch elections show`) and the window, "
                     "every election figure of this study is empty")
    elif len(zero) == len(election.parties):
        lines.append(f"no post in the study names any {cw.one} of {election.name} ({keys}): the {cw.one} figures are empty; "
                     f"check the {cw.many}' hashtags, keywords and accounts")
    return lines + [_zero_line(p, cov, sample_rate, cw) for p in zero]


def _zero_line(party: Any, cov: PartyCoverage, sample_rate: float | None, words: ContestWords) -> str:
    """`unmatched_lines`' line for one party that matched no election post."""
    if not party.matchable:
        return str(party.unmatchable_note(words.one))
    outside = cov.named.get(party.key, 0)
    return (f"{words.one} {party.key} ({party.name}) matched 0 election posts"
            + (f" ({outside:,} outside the window)" if outside else _check_terms(sample_rate)))


def _check_terms(sample_rate: float | None) -> str:
    """What to do about a party that matched nothing: check its terms, unless a sample could have
    missed all its posts (`estimates.whole_counts.zero_upper_bound`, the bound the estimates give a zero)."""
    from botwatch.count_text import counted
    from botwatch.estimates.whole_counts import zero_upper_bound

    bound = zero_upper_bound(sample_rate)
    if not bound:
        return ": check its hashtags, keywords and accounts"
    return (f": a sample at rate {sample_rate:g} misses every post of a party the platform names up to about {counted(bound, 'time')} (at 95%), "
            "so check its hashtags, keywords and accounts only if it should be named more often than that")


@dataclass(frozen=True)
class Dominant:
    """A party named by at least `DOMINANT_SHARE` of the study's posts, and the hashtag most of
    those posts carry (None: they carry none) with the share of the study's posts that carry it."""

    key: str
    name: str
    share: float
    tag: str | None
    tag_share: float

    def note(self) -> str:
        """The report's sentence: what the share means for the party's figures."""
        meaning = self._meaning(f"the {current_contest_words().one}'s")
        return f"{percent(self.share)} of the study's posts name {self.name}{self._tag()}: {meaning}"

    def line(self) -> str:
        """`analyze`'s warning line. The hashtag is a post's text: written for the terminal as
        `record_shown` writes it (a typed backslash as two), so `#Gop\\x07` is not read as a BEL;
        the report's `note` leaves that to the page's own escaping."""
        from dataclasses import replace

        from botwatch.shown_text import record_shown

        shown = replace(self, tag=record_shown(self.tag)) if self.tag else self
        return (f"{current_contest_words().one} {self.key} ({self.name}) is named by {percent(self.share)} of the study's posts{shown._tag()}: "
                f"{self._meaning('its')}; check its hashtags and keywords (`botwatch elections show`)")

    def _tag(self) -> str:
        """"; #Brexit is in 83% of them", or nothing where its posts carry no hashtag."""
        return f"; #{self.tag} is in {percent(self.tag_share)} of them" if self.tag else ""

    @staticmethod
    def _meaning(whose: str) -> str:
        """What a dominant party's figures mean; `whose` names the party's hashtags ("its")."""
        return (f"if the archive was collected with one of {whose} hashtags or keywords, its post counts and stance shares describe "
                f"that query, not how often or how favourably people named the {current_contest_words().one}")


def unread_reposts(study: Study) -> tuple[int, Reshare]:
    """How many retweets carry no words of their own and share a post the study does not hold (a
    Bluesky repost of a post from before the capture, or of one the capture's filter let pass),
    and the platforms' words for them ("repost"). The content stage reads a wordless retweet with
    its original's words (`relational.with_shared_words`); these have none to read, so they name
    no party, whatever their originals said, where a Twitter retweet carries its original's text.
    One that names a party all the same (a repost of a party's account whose DID the study knows
    is its retweet cue) is not counted: the line said "they name no party" of reposts the party
    figures counted."""
    tables = set(study.tables())
    if "posts" not in tables:
        return 0, reshare_words([])
    named = _UNREAD_NAMED if "post_party" in tables else ""
    rows = study.sql(f"SELECT p.platform, count(*) {_UNREAD_FROM}{named}GROUP BY p.platform")
    return sum(int(k) for _, k in rows), reshare_words(p for p, _ in rows)


_UNREAD_FROM = ("FROM posts p LEFT JOIN posts o ON o.platform = p.platform AND o.post_id = p.ref_post_id "
                "WHERE p.kind = 'retweet' AND (p.text IS NULL OR p.text = '') AND o.post_id IS NULL ")
_UNREAD_NAMED = "AND NOT EXISTS (SELECT 1 FROM post_party pp WHERE pp.platform = p.platform AND pp.post_id = p.post_id) "


def unread_reposts_line(study: Study, cov: PartyCoverage | None = None) -> str | None:
    """`analyze`'s and `estimate`'s line for `unread_reposts` (None: there are none); from
    `cov.unread` where `party_coverage` counted them with the parties."""
    if cov is not None and cov.unread is not None:
        n, rs = sum(k for _, k in cov.unread), reshare_words(p for p, _ in cov.unread)
    else:
        n, rs = unread_reposts(study)
    if not n:
        return None
    one = n == 1
    return (f"{num(n)} {rs.noun if one else rs.nouns} {'carries' if one else 'carry'} no words of {'its' if one else 'their'} own and "
            f"{'shares a post' if one else 'share posts'} the study does not hold: {'it names' if one else 'they name'} no party and "
            f"{'is' if one else 'are'} outside the election talk whatever {'its original' if one else 'their originals'} said, so the party "
            f"counts and shares leave {'it' if one else 'them'} out (a {rs.noun} of a post the study holds is read with that post's words)")


def dominant_parties(study: Study, cov: PartyCoverage, election: Any) -> list[Dominant]:
    """The parties at least `DOMINANT_SHARE` of the study's posts name, each with the hashtag most
    of those posts carry: a party term that is also the archive's collection query makes nearly
    every post about the party, so its counts and stance shares describe the query."""
    out: list[Dominant] = []
    if not cov.posts:
        return out
    for p in election.parties:
        share = cov.named.get(p.key, 0) / cov.posts
        if share >= DOMINANT_SHARE:
            tag, n = top_hashtag(study, election.key, p.key, party_terms=p)
            out.append(Dominant(p.key, p.name, share, tag, n / cov.posts))
    return out


def dominant_lines(study: Study, cov: PartyCoverage, election: Any) -> list[str]:
    """`analyze`'s warning line per party of `dominant_parties`, in `election`'s contest words
    (`botwatch.api.analyze` sets none of its own: "party leave (Leave)" under a referendum file)."""
    with contest_words_for(contest_words(election)):
        return [d.line() for d in dominant_parties(study, cov, election)]


def top_hashtag(study: Study, election: str, party: str, party_terms: Any = None) -> tuple[str | None, int]:
    """The hashtag most of the posts naming `party` carry (as one of them writes it) and how many
    posts carry it; (None, 0) when they carry none. Tags compare as the matcher compares them:
    case-folded, look-alike letters read in one script (`_one_script_key`), '#', '_', '-' and
    spaces dropped, umlauts spelt out (`normalize.norm_tags_arrow`, without its NFKC folding).

    With `party_terms` (the election's party), only a tag that names the party counts: one it
    lists (a trailing year dropped, as the matcher drops it) or one holding a `tag_fragments`
    word: brexit-2016 named Vote Leave by its listed #Brexit, gop-debate-2015 the Republicans by
    the fragment "gop" inside #GOPDebate. Any tag at all read, under an EU-referendum file that
    kept #Brexit for the election itself, "53% of the study's posts name Leave; #Brexit is in 52%
    of them: if the archive was collected with one of the party's hashtags…", naming a tag that
    names no party; the party's own commonest tag there is #VoteLeave (39%)."""
    if not {"posts", "post_party"} <= set(study.tables()):
        return None, 0
    pp = study.table("post_party")
    named = pp.filter((pp.election == election) & (pp.party == party)).select("platform", "post_id").distinct()
    from botwatch.content.relational import with_shared_words

    posts = with_shared_words(study.table("posts"))  # a wordless repost carries its original's tags, as it was labelled
    j = posts.join(named, ["platform", "post_id"])
    u = j.select(j.platform, j.post_id, tag=j.hashtags.unnest())
    key = _one_script_key(study, u, u.tag.lower()).re_replace(r"^#|[_\-\s]", "")
    for letter, spelt in TAG_SPELLINGS:  # as the matcher spells them, so a listed #Grüne names a post's #Gruene here too
        key = key.replace(letter, spelt)
    u = u.mutate(key=key)
    counts = u.group_by("key").aggregate(n=(u.platform + ":" + u.post_id).nunique())
    ordered = counts.order_by([counts.n.desc(), counts.key])
    if party_terms is None:
        top = study.expr_arrow(ordered.limit(1)).to_pylist()
    else:
        names = _names_party(party_terms)
        top = [r for r in study.expr_arrow(ordered).to_pylist() if r["key"] is not None and names(r["key"])][:1]
    if not top:
        return None, 0
    # Written as most of its posts write it (#Brexit, not the #BREXIT that sorts first).
    mine = u.filter(u.key == top[0]["key"])
    forms = mine.group_by("tag").aggregate(k=mine.count())
    shown = study.expr_arrow(forms.order_by([forms.k.desc(), forms.tag]).limit(1)).to_pylist()[0]["tag"]
    return str(shown).lstrip("#"), int(top[0]["n"])


def _one_script_key(study: Study, tags: Any, low: Any) -> Any:
    """`low` (lower-cased tags, a column of the Ibis table `tags`) with each tag mixing Latin and
    Cyrillic look-alike letters read in one script, before separators are dropped, as
    `normalize.norm_tags_arrow` reads it: #EдинаяPоссия (Latin E and P) is #ЕдинаяРоссия. Counted
    apart, the two split one tag's posts and the line could name another tag as the party's
    commonest. `one_script` is Python, so the few distinct mixed tags are read once and written
    back by a CASE; a study without one costs one scan and changes nothing."""
    lows = tags.select(low=low)
    mixed = study.expr_arrow(lows.filter(lows.low.re_search(MIXED_SCRIPT_RE2)).distinct())
    fixed = {t: one_script(t) for t in mixed.column("low").to_pylist() if t is not None}
    fixed = {t: f for t, f in fixed.items() if f != t}
    return low.substitute(fixed) if fixed else low


def _names_party(party: Any) -> Any:
    """Whether a hashtag (compared as `top_hashtag` compares it) names `party`: listed for it, with
    or without a trailing year, or holding one of its `tag_fragments`."""
    from botwatch.content.normalize import norm_tag, strip_year

    listed = {norm_tag(h) for h in party.all_hashtags}
    fragments = [f for f in (norm_tag(f) for f in party.tag_fragments) if f]
    return lambda key: key in listed or strip_year(key) in listed or any(f in key for f in fragments)


def listed_bluesky_accounts(study: Study, listed: list[str]) -> tuple[Any, list[str]]:
    """The study's Bluesky accounts (`account_id`, `handle`, an Arrow table) whose handle is among
    `listed` (the election's listed Bluesky handles, lower-cased), and the listed handles none of
    which the study knows while it holds Bluesky posts ([] when it knows one, holds no Bluesky post
    or `listed` is empty). Bluesky posts name accounts by DID, and the study learns a DID's handle
    only from identity events, which `collect bluesky` keeps only in a capture with no filter and
    no sample: in that case no Bluesky post is matched to a party's account. The content stage
    (which gives the matcher the known DIDs) and the report's Parties section both say so from this."""
    # In SQL, not Ibis: the report reads a lake through `LakeReader`, which has no Ibis tables
    # (the lake parity test's report stopped on `'LakeReader' object has no attribute 'table'`).
    if not listed:
        return None, []
    names = ", ".join("'" + h.replace("'", "''") + "'" for h in sorted(set(listed)))
    rows = study.sql("SELECT account_id, handle FROM accounts WHERE platform = 'bluesky' AND handle IS NOT NULL "
                     f"AND lower(handle) IN ({names})")
    known = pa.table({"account_id": pa.array([r[0] for r in rows], pa.string()), "handle": pa.array([r[1] for r in rows], pa.string())})
    if known.num_rows or not study.sql("SELECT 1 FROM posts WHERE platform = 'bluesky' LIMIT 1"):
        return known, []
    return known, sorted(set(listed))
