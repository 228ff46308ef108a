"""The typed election model and its loader.

A preset names the parties (pro/anti hashtags and keywords, official and allied accounts), the
election's own hashtags, when it was called (the trigger), polling day, the study window and key
events. Bad files are rejected with a message naming the file, the line and the field, because a
silently wrong preset (a misspelt `hashtag_pro` that is ignored, say) would skew every downstream
count without anyone noticing. Unknown fields are therefore errors, not ignored.

Times: event times without an offset are UTC (the study's convention); times with an offset are
converted to UTC. Dates (trigger, polling day, window) are calendar days in the election's own
`timezone`; `Election.window_utc()` turns them into the UTC instants stages filter on.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from botwatch.elections.locate import LineIndex
from botwatch.elections.toml_errors import toml_error_line
from botwatch.shown_text import name_shown
from botwatch.tag_spellings import ascii_tag_key
from botwatch.userfile import UserFileError, read_user_text


# An election file is a few KB of TOML; the limit stops `elections check /dev/zero` reading forever.
ELECTION_FILE_LIMIT = 4 * 1024 * 1024


class ElectionError(ValueError):
    """A preset that cannot be used; the message names the file, the line and the field."""


EVENT_KINDS = ("trigger", "manifesto", "debate", "attack", "pause", "resume", "polling", "result", "news", "event")

_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
_COLOUR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
_TAG_RE = re.compile(r"^#?[^\s#@]+$")
# A handle, or a Mastodon account as other servers name it (`user@server`, the `acct` posts carry):
# "@gruene@gruene.social" was refused as "not a valid entry here".
_HANDLE_RE = re.compile(r"^@?[A-Za-z0-9_.\-]+(?:@[A-Za-z0-9.\-]+\.[A-Za-z0-9\-]+)?$")
# What an entry refused by a pattern should be, said with the refusal ("'Af D' is not a valid entry
# here" left the reader to guess whether the space, the case or the letters were at fault).
_ENTRY_WORDS = {
    _TAG_RE: "a hashtag is one word, with no space, '@' or '#' but an optional leading one",
    _HANDLE_RE: "a handle is letters, digits, '_', '.' and '-' after an optional '@' (a Mastodon account: user@server)",
}


@dataclass(frozen=True)
class Party:
    key: str
    name: str
    colour: str = "#777777"
    leader: str = ""
    hashtags_pro: tuple[str, ...] = ()
    hashtags_anti: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()  # about the party, no stance implied
    keywords: tuple[str, ...] = ()  # words or phrases naming the party or its people
    keywords_pro: tuple[str, ...] = ()  # slogans that imply support
    keywords_anti: tuple[str, ...] = ()  # slurs and attack lines that imply opposition
    official_accounts: tuple[str, ...] = ()  # the party, its leader, its candidates' central accounts
    allied_accounts: tuple[str, ...] = ()  # movements and unions that campaign for the party
    # Names that are ambiguous outside the election's country ("conservatives" in US posts,
    # "Cameron", "sturgeon"): they count only when the post also carries a country cue of the
    # election or names a party unambiguously.
    keywords_context: tuple[str, ...] = ()
    # Name fragments that count inside a compound hashtag (#ThingsMoreTrustedThanHillary).
    tag_fragments: tuple[str, ...] = ()

    @property
    def accounts(self) -> tuple[str, ...]:
        """Official and allied handles: amplifying any of them counts as support."""
        return self.official_accounts + self.allied_accounts

    @property
    def all_hashtags(self) -> tuple[str, ...]:
        """Every hashtag listed for the party, pro, anti and topic, as the file writes them (a
        collection filter takes them all; `elections check` looks for one listed twice)."""
        return (*self.hashtags_pro, *self.hashtags_anti, *self.hashtags)

    @property
    def matchable(self) -> bool:
        """Whether anything in the file can match a post to this party: a hashtag, keyword,
        context keyword, tag fragment or account. `name` and `leader` are display-only (a leader's
        surname alone, "May", would match far too much), so a party with only those matches no
        post, and every figure about it would be a silent zero."""
        return any((self.hashtags_pro, self.hashtags_anti, self.hashtags, self.keywords, self.keywords_pro, self.keywords_anti,
                    self.official_accounts, self.allied_accounts, self.keywords_context, self.tag_fragments))

    def unmatchable_note(self, one: str = "party") -> str:
        """The one line `elections check` and `analyze` give for a party that cannot match; `one` is
        the contest's word for an option (`contest.ContestWords.one`: "side" for a referendum)."""
        lead = (f"; its leader {self.leader!r} is display-only: add the name to keywords to match it"
                if self.leader else "")
        return (f"{one} {self.key} has no hashtags, keywords or accounts, so no post can match it{lead}")


@dataclass(frozen=True)
class Event:
    at: datetime  # naive UTC
    label: str
    kind: str = "event"
    end: datetime | None = None  # naive UTC; for spans such as the pause in campaigning
    source: str = ""


@dataclass(frozen=True)
class Election:
    key: str
    name: str
    country: str  # ISO 3166-1 alpha-2 of the electorate: "foreign origin" means anything else
    timezone: str
    trigger_date: date
    polling_day: date
    window_start: date
    window_end: date
    hashtags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    parties: tuple[Party, ...] = ()
    events: tuple[Event, ...] = ()
    sources: tuple[str, ...] = ()
    # Words that place a post in the election's country (for parties' `keywords_context`).
    context_cues: tuple[str, ...] = ()
    # Phrases blanked before party keywords are matched: other senses of a party's name ("child
    # labour", "Tory Lanez") and other countries' parties of the same name.
    exclude_phrases: tuple[str, ...] = ()
    # "parties" (default), "referendum" or "candidates": which words text for a reader uses for the
    # options (botwatch.elections.contest); matching and stored names do not depend on it.
    contest: str = "parties"
    path: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # The TOML text it was read from: a study analysed with a user's own file records it, so the
    # report and later commands use the same election when the file is gone or was edited since.
    text: str = field(default="", repr=False, compare=False)

    @property
    def shipped(self) -> bool:
        """True for a preset shipped with botwatch (its key alone finds it again)."""
        return self.path.startswith("preset:")

    def party(self, key: str) -> Party:
        for p in self.parties:
            if p.key == key:
                return p
        raise ElectionError(f"{self.key}: no party {key!r}; parties: {', '.join(p.key for p in self.parties)}")

    def local_midnight_utc(self, d: date) -> datetime:
        """00:00 of day `d` in the election's time zone, as naive UTC."""
        local = datetime.combine(d, time(0, 0), tzinfo=ZoneInfo(self.timezone))
        return local.astimezone(timezone.utc).replace(tzinfo=None)

    def window_utc(self) -> tuple[datetime, datetime]:
        """The study window as a half-open UTC interval [start, end): whole local days."""
        return self.local_midnight_utc(self.window_start), self.local_midnight_utc(self.window_end + timedelta(days=1))

    def events_outside_window(self) -> list[Event]:
        """Events that start outside the study window (`window_utc`): a typo'd year puts an event
        where no chart of the study shows it, and it passed `elections check` as "ok"."""
        start, end = self.window_utc()
        return [e for e in self.events if not start <= e.at < end]

    def timezone_note(self) -> str:
        """A warning for a file that gave no `timezone`, or "": its days and hours are then UTC's
        without a word, and a German election's accounts, keeping a day at UTC+2, sat in the
        circadian "Moscow" band (UTC+3 ± 1) that a zone within an hour of it leaves out."""
        if self.shipped or not self.raw or "timezone" in self.raw:
            return ""
        from botwatch.accounts.gazetteer import countries

        home = countries().get(self.country)
        zones = home.time_zones if home is not None else ()
        hint = f' (for {self.country}, e.g. timezone = "{zones[0]}")' if zones else ""
        return (f"{self.key}: no timezone given, so its local days (window, polling day) and hours (the hour-of-day chart, "
                f"the circadian home zone) are UTC; give the election's IANA zone{hint}")

    def days_before_polling_utc(self, days: int) -> tuple[datetime, datetime]:
        """The `days` calendar days before polling day (polling day itself excluded), in UTC."""
        return self.local_midnight_utc(self.polling_day - timedelta(days=days)), self.local_midnight_utc(self.polling_day)


def party_name(election: Any, key: str) -> str:
    """How text for a reader names a party: its `name` in the election (the preset's or the user's
    file's), or the key as written where the election has no such party or none is at hand (a
    study whose election cannot be loaded). Notes and sentences said "20 posts name 'libertarian'"
    and "party_stance: democrat:support", the internal keys in Python's quotes."""
    for p in getattr(election, "parties", None) or ():
        if p.key == key:
            return p.name
    return key


# Which platform's account a listed official or allied handle names, by its form: `user@server`
# is a Mastodon account, a handle with a dot a Bluesky one (a domain name, "labour.bsky.social";
# Twitter's handles have no dot), any other a Twitter/X handle, as every shipped preset's is. A
# handle names an account of its own platform only: a Mastodon "UKLabour" of any instance, or a
# Bluesky "conservatives", counted as the party's own account, its posts as the party's support.
def handle_platform(handle: str) -> str:
    """'mastodon', 'bluesky' or 'twitter' (standing for Twitter and X): the platform a party's
    listed handle names an account of."""
    h = handle.lstrip("@")
    return "mastodon" if "@" in h else "bluesky" if "." in h else "twitter"


def party_handle_key(handle: str) -> str:
    """A listed handle as the key `post_handle_key` gives its account: its platform and the handle
    without its '@', lower-cased."""
    return f"{handle_platform(handle)}:{handle.lstrip('@').lower()}"


def post_handle_key(platform: Any, handle: Any) -> str | None:
    """The key a post's (or account's) handle on `platform` matches a listed handle by
    (`party_handle_key`), or None where that platform's accounts are named by no listed handle."""
    if not isinstance(handle, str) or not handle:
        return None
    plat = handle_key_platforms().get(platform) if isinstance(platform, str) else None
    return f"{plat}:{handle.lstrip('@').lower()}" if plat else None


def handle_key_platforms() -> dict[str, str]:
    """Each stored platform whose accounts a listed handle can name, to the platform word its keys
    carry (`party_handle_key`): Twitter's and X's are one, "twitter"."""
    from botwatch.platform_names import TWITTER_PLATFORMS

    return {**{p: "twitter" for p in TWITTER_PLATFORMS}, "mastodon": "mastodon", "bluesky": "bluesky"}


def _presets_dir() -> Any:
    return resources.files("botwatch.elections") / "presets"


def list_presets() -> list[str]:
    """Names of the presets shipped with botwatch."""
    return sorted(p.name[:-5] for p in _presets_dir().iterdir() if p.name.endswith(".toml"))


# -- validation ----------------------------------------------------------------------------------

_TOP = {"key", "name", "country", "timezone", "trigger_date", "polling_day", "hashtags", "keywords", "sources", "notes", "window", "parties", "events", "context_cues", "exclude_phrases", "contest"}
_WINDOW = {"start", "end"}
_PARTY = {f for f in Party.__dataclass_fields__}
_EVENT = {"at", "label", "kind", "end", "source"}


class _Checker:
    """Validation helpers that know the file and its line index, so every error points home."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.lines = LineIndex(text)

    def fail(self, where: tuple[str | int, ...], msg: str) -> ElectionError:
        line = self.lines.line_of(where)
        loc = f"{name_shown(self.path)}:{line}" if line else name_shown(self.path)
        label = ".".join(str(w) if isinstance(w, str) else f"[{w}]" for w in where).replace(".[", "[") or "(top level)"
        return ElectionError(f"{loc}: {label}: {msg}")

    def known(self, d: dict[str, Any], allowed: set[str], where: tuple[str | int, ...]) -> None:
        for k in d:
            if k not in allowed:
                near = difflib.get_close_matches(k, sorted(allowed), n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else f"; allowed: {', '.join(sorted(allowed))}"
                raise self.fail(where + (k,), f"unknown field{hint}")

    def req(self, d: dict[str, Any], key: str, where: tuple[str | int, ...]) -> Any:
        if key not in d:
            raise self.fail(where + (key,), "missing required field")
        return d[key]

    def text(self, d: dict[str, Any], key: str, where: tuple[str | int, ...], default: str | None = None) -> str:
        v = d.get(key, default) if default is not None else self.req(d, key, where)
        if not isinstance(v, str) or not v.strip():
            raise self.fail(where + (key,), f"must be a non-empty string, got {v!r}")
        return v.strip()

    def optional_text(self, d: dict[str, Any], key: str, where: tuple[str | int, ...]) -> str:
        """A free-text field that may be left out; a number or list there is a mistake, not text."""
        v = d.get(key, "")
        if not isinstance(v, str):
            raise self.fail(where + (key,), f"must be a string, got {v!r}")
        return v.strip()

    def strs(self, d: dict[str, Any], key: str, where: tuple[str | int, ...], pattern: re.Pattern[str] | None = None, strip: str = "") -> tuple[str, ...]:
        v = d.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
            raise self.fail(where + (key,), f"must be a list of non-empty strings, got {v!r}")
        out = []
        for x in v:
            x = x.strip()
            if pattern is not None and not pattern.match(x):
                raise self.fail(where + (key,), f"{x!r} is not a valid entry here: {_ENTRY_WORDS.get(pattern, 'see docs/elections.md')}")
            out.append(x.lstrip(strip) if strip else x)
        return tuple(out)

    def day(self, v: Any, where: tuple[str | int, ...]) -> date:
        if isinstance(v, datetime):
            return v.date()
        if isinstance(v, date):
            return v
        if isinstance(v, str):
            try:
                return date.fromisoformat(v)
            except ValueError:
                pass
        raise self.fail(where, f"expected a date like 2017-06-08, got {v!r}")

    def instant(self, v: Any, where: tuple[str | int, ...]) -> datetime:
        if isinstance(v, str):
            try:
                v = datetime.fromisoformat(v)
            except ValueError:
                raise self.fail(where, f"expected a date-time like 2017-05-22T21:31:00 (UTC) or with an offset, got {v!r}") from None
        if isinstance(v, datetime):
            try:
                return v if v.tzinfo is None else v.astimezone(timezone.utc).replace(tzinfo=None)
            except (OverflowError, ValueError):  # 9999-12-31T23:59-12:00 is year 10000 in UTC: it was "a bug in botwatch"
                raise self.fail(where, f"{v.isoformat()} is outside the years 1-9999 in UTC") from None
        if isinstance(v, date):
            return datetime(v.year, v.month, v.day)
        raise self.fail(where, f"expected a date-time like 2017-05-22T21:31:00, got {v!r}")


# Parties without a `colour` get these in turn (Okabe & Ito's colour-blind-safe palette, without its
# grey-free black last resort first): every such party was #777777, so the report's per-party charts
# could not tell them apart, and grey is the charts' "oppose" colour.
DEFAULT_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
NO_COLOUR = "#777777"


def _default_colours(raw: list[Any], parties: list[Party]) -> list[Party]:
    """`parties` with a palette colour for each one whose table gave no `colour`, skipping colours
    other parties chose (any case), in file order, so a file gives the same colours every time."""
    taken = {p.colour.upper() for p, r in zip(parties, raw) if "colour" in r}
    free = [c for c in DEFAULT_COLOURS if c not in taken] or list(DEFAULT_COLOURS)
    out, n = [], 0
    for p, r in zip(parties, raw):
        if "colour" not in r:
            p = replace(p, colour=free[n % len(free)])
            n += 1
        out.append(p)
    return out


def _tag_key(tag: str) -> str:
    """A tag as the matcher compares it (`content.normalize.norm_tag`), read without Arrow where
    the tag is ASCII (`tag_spellings.ascii_tag_key`), so loading a file of ASCII tags (every
    preset) imports no pyarrow, numpy or pandas: `norm_tag` brought them into every command
    that reads an election file, a live `collect` among them."""
    key = ascii_tag_key(tag)
    if key is not None:
        return key
    from botwatch.content.normalize import norm_tag

    return norm_tag(tag)


def _parse_party(c: _Checker, p: Any, i: int) -> Party:
    w: tuple[str | int, ...] = ("parties", i)
    if not isinstance(p, dict):
        raise c.fail(w, "must be a table ([[parties]])")
    c.known(p, _PARTY, w)
    key = c.text(p, "key", w)
    if not _KEY_RE.match(key):
        raise c.fail(w + ("key",), f"{key!r} must be lower-case letters, digits, '-' or '_'")
    colour = c.text(p, "colour", w, NO_COLOUR)
    if not _COLOUR_RE.match(colour):
        raise c.fail(w + ("colour",), f"{colour!r} must be a colour like #E4003B")
    party = Party(
        key=key,
        name=c.text(p, "name", w),
        colour=colour,
        leader=c.optional_text(p, "leader", w),
        hashtags_pro=c.strs(p, "hashtags_pro", w, _TAG_RE, "#"),
        hashtags_anti=c.strs(p, "hashtags_anti", w, _TAG_RE, "#"),
        hashtags=c.strs(p, "hashtags", w, _TAG_RE, "#"),
        keywords=c.strs(p, "keywords", w),
        keywords_pro=c.strs(p, "keywords_pro", w),
        keywords_anti=c.strs(p, "keywords_anti", w),
        official_accounts=c.strs(p, "official_accounts", w, _HANDLE_RE, "@"),
        allied_accounts=c.strs(p, "allied_accounts", w, _HANDLE_RE, "@"),
        keywords_context=c.strs(p, "keywords_context", w),
        tag_fragments=c.strs(p, "tag_fragments", w),
    )
    # Compared as the matcher compares tags (`_tag_key`): a pro #wähleAfD and an anti #waehleAfD
    # are one tag to it, so every post carrying either read "mixed".
    pro = {_tag_key(h) for h in party.hashtags_pro}
    both = [h for h in party.hashtags_anti if _tag_key(h) in pro]
    if both:
        raise c.fail(w + ("hashtags_anti",), f"{', '.join(sorted(both))} listed as both pro and anti")
    # The same for a slogan: listed as both, every post using it was "mixed" (neither support nor
    # opposition) without a word, where the same slip with a hashtag is refused.
    words = lambda ws: {" ".join(x.casefold().split()) for x in ws}  # noqa: E731 - keywords match case-folded, any space
    both = words(party.keywords_pro) & words(party.keywords_anti)
    if both:
        raise c.fail(w + ("keywords_anti",), f"{', '.join(repr(x) for x in sorted(both))} listed as both pro and anti")
    return party


def _event_time(c: _Checker, v: Any, where: tuple[str | int, ...], tz: str, day_end: bool) -> datetime:
    """An event's `at` or `end` as naive UTC. A date alone (`at = 2020-11-03`) is a local day of
    the election, as the file's other dates are: `at` its start and `end` its end, the local
    midnights in `tz`. Read as UTC midnight, a day of an election west of UTC became the evening
    before, and `elections check` said an event on the window's first day lay outside the window
    and a polling event on polling day fell on the day before."""
    if isinstance(v, str) and len(v.strip()) == 10:  # "2020-11-03", quoted
        try:
            v = date.fromisoformat(v.strip())
        except ValueError:
            pass
    if isinstance(v, date) and not isinstance(v, datetime):
        try:
            d = v + timedelta(days=1) if day_end else v
            return datetime.combine(d, time(0, 0), tzinfo=ZoneInfo(tz)).astimezone(timezone.utc).replace(tzinfo=None)
        except (OverflowError, ValueError):
            raise c.fail(where, f"{v.isoformat()} is outside the years 1-9999 in UTC") from None
    return c.instant(v, where)


def _parse_event(c: _Checker, e: Any, i: int, tz: str = "UTC") -> Event:
    w: tuple[str | int, ...] = ("events", i)
    if not isinstance(e, dict):
        raise c.fail(w, "must be a table ([[events]])")
    c.known(e, _EVENT, w)
    kind = c.text(e, "kind", w, "event")
    if kind not in EVENT_KINDS:
        raise c.fail(w + ("kind",), f"{kind!r} is not one of {', '.join(EVENT_KINDS)}")
    at = _event_time(c, c.req(e, "at", w), w + ("at",), tz, day_end=False)
    end = _event_time(c, e["end"], w + ("end",), tz, day_end=True) if "end" in e else None
    if end is not None and end < at:
        raise c.fail(w + ("end",), "is before 'at'")
    return Event(at=at, label=c.text(e, "label", w), kind=kind, end=end, source=c.optional_text(e, "source", w))


# Codes people write for a country that are not its ISO 3166-1 alpha-2 code (the EU's and the
# Olympics' usage), with the code ISO gives it.
_COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}


def country_code(value: str) -> str:
    """A country code as botwatch stores it: stripped, upper-cased, "UK" read as "GB" and "EL" as
    "GR" (`_COUNTRY_ALIASES`). Every place that takes a country from a user reads it here, so
    `accounts --country UK` finds the accounts an election in "UK" calls GB (it found none)."""
    code = value.strip().upper()
    return _COUNTRY_ALIASES.get(code, code)


def _country(c: _Checker, value: str) -> str:
    """The election's country: two letters, upper-cased, "UK" read as "GB" and "EL" as "GR".

    Any two-letter code is accepted: an election in a country the origin model does not list
    (Estonia, Moldova, Taiwan...) still gets its parties, stance, timelines and networks, and
    `origin_rule.home_known` makes every foreign-origin figure "not measured" for it (a home
    country the model cannot name would otherwise give every account P(outside home) = 1). The two
    aliases are read as the country they name, so a study that recorded "UK" still loads."""
    code = country_code(value)
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise c.fail(("country",), f"{value!r} must be an ISO 3166-1 alpha-2 code such as GB or US")
    return code


def _contest(c: _Checker, data: dict[str, Any]) -> str:
    """The optional `contest` field: one of `contest.CONTESTS`, a misspelling named with the nearest
    (a "referendom" would otherwise leave the report saying "party" without a word)."""
    from botwatch.elections.contest import CONTESTS, DEFAULT_CONTEST

    v = data.get("contest", DEFAULT_CONTEST)
    if not isinstance(v, str):
        raise c.fail(("contest",), f"must be a string, one of {', '.join(repr(k) for k in CONTESTS)}; got {v!r}")
    if v.strip() not in CONTESTS:
        near = difflib.get_close_matches(v.strip(), list(CONTESTS), n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise c.fail(("contest",), f"{v!r} is not a kind of contest{hint}; write one of {', '.join(repr(k) for k in CONTESTS)}")
    return v.strip()


def parse_election(data: dict[str, Any], path: str, text: str = "") -> Election:
    """Validate a parsed TOML document into an `Election` (`text` lets errors give line numbers)."""
    c = _Checker(path, text)
    c.known(data, _TOP, ())
    key = c.text(data, "key", ())
    if not _KEY_RE.match(key):
        raise c.fail(("key",), f"{key!r} must be lower-case letters, digits, '-' or '_'")
    country = _country(c, c.text(data, "country", ()))
    tz = c.text(data, "timezone", (), "UTC")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise c.fail(("timezone",), f"{tz!r} is not a known IANA time zone (e.g. Europe/London)") from None
    trigger = c.day(c.req(data, "trigger_date", ()), ("trigger_date",))
    polling = c.day(c.req(data, "polling_day", ()), ("polling_day",))
    if polling < trigger:
        raise c.fail(("polling_day",), "is before trigger_date")
    window = data.get("window", {})
    if not isinstance(window, dict):
        raise c.fail(("window",), "must be a table with start and end")
    c.known(window, _WINDOW, ("window",))
    start = c.day(window.get("start", trigger), ("window", "start"))
    end = c.day(window.get("end", polling), ("window", "end"))
    if end < start:
        raise c.fail(("window", "end"), "is before window.start")
    if not start <= polling <= end:
        raise c.fail(("window",), f"polling day {polling} lies outside the window {start} … {end}")
    contest = _contest(c, data)
    raw_parties = data.get("parties", [])
    if not isinstance(raw_parties, list) or not raw_parties:
        raise c.fail(("parties",), "at least one [[parties]] table is required")
    parties = _default_colours(raw_parties, [_parse_party(c, p, i) for i, p in enumerate(raw_parties)])
    seen: set[str] = set()
    for i, p in enumerate(parties):
        if p.key in seen:
            raise c.fail(("parties", i, "key"), f"duplicate party key {p.key!r}")
        seen.add(p.key)
    raw_events = data.get("events", [])
    if not isinstance(raw_events, list):
        raise c.fail(("events",), "must be an array of tables ([[events]])")
    events = [_parse_event(c, e, i, tz) for i, e in enumerate(raw_events)]
    return Election(
        key=key,
        name=c.text(data, "name", ()),
        country=country,
        timezone=tz,
        trigger_date=trigger,
        polling_day=polling,
        window_start=start,
        window_end=end,
        hashtags=c.strs(data, "hashtags", (), _TAG_RE, "#"),
        keywords=c.strs(data, "keywords", ()),
        parties=tuple(parties),
        events=tuple(sorted(events, key=lambda e: e.at)),
        sources=c.strs(data, "sources", ()),
        context_cues=c.strs(data, "context_cues", ()),
        exclude_phrases=c.strs(data, "exclude_phrases", ()),
        contest=contest,
        path=path,
        raw=data,
        text=text,
    )


def _closest_preset(ref: str) -> str:
    """" (did you mean 'uk-ge2017'?)" for a name close to a preset's, else "": `--election ge2017`,
    `uk2017` or `US-2016` (the names a reader of the Swansea study or a US desk types first) were
    refused with the list alone, which a user had to compare letter by letter."""
    close = difflib.get_close_matches(ref.strip().lower(), list_presets(), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def preset_named(ref: str) -> str | None:
    """The shipped preset `ref` names: itself, else the one preset equal to it ignoring case
    (`US-2016` was refused with "did you mean 'us-2016'?", a hint that knew the answer); None
    where none, or more than one, matches."""
    names = list_presets()
    if ref in names:
        return ref
    folded = [n for n in names if n.casefold() == ref.casefold()]
    return folded[0] if len(folded) == 1 else None


def load_preset(key: str) -> Election:
    """The shipped preset `key` names (as `preset_named` matches it); never a file in the working
    directory. For a key a study or a label records: `load_election(key)` read a file of that
    name in the working directory first, so a user's `us-2016` there stood in for the preset."""
    name = preset_named(key)
    if name is None:
        raise ElectionError(f"no preset named {key!r}{_closest_preset(key)}; presets: {', '.join(list_presets())}")
    path = f"preset:{name}"
    election = election_from_text((_presets_dir() / f"{name}.toml").read_text(encoding="utf-8"), path)
    refuse_edited_preset(election, path)
    return election


def load_election(ref: str | Path) -> Election:
    """Load a TOML file by path, or a shipped preset by name (`load_preset`) where no such file is."""
    if not str(ref).strip():  # Path("") is ".": `--election ""` said "election file . is a directory"
        raise ElectionError(f"the election is empty: name a preset ({', '.join(list_presets())}) or an election TOML file")
    p = Path(ref)
    # A folder is never an election file: one named like a preset in the working directory (a
    # project's `uk-ge2017/`) made `--election uk-ge2017` fail with "election file uk-ge2017 is a
    # directory", where the preset was meant.
    if p.suffix == ".toml" or (p.exists() and not (p.is_dir() and preset_named(str(ref)) is not None)):
        if not p.exists():
            raise ElectionError(f"no election file at {name_shown(p)}")
        try:
            text, path = read_user_text(p, "election file", ELECTION_FILE_LIMIT), str(p)
        except UserFileError as exc:
            raise ElectionError(str(exc)) from None
    else:
        return load_preset(str(ref))
    election = election_from_text(text, path)
    refuse_edited_preset(election, path)
    return election


def refuse_edited_preset(election: Election, where: str) -> None:
    """Raise `ElectionError` for a user's election under a shipped preset's key that differs from
    that preset. It would be taken for the preset: the report quotes the accuracy measured on that
    preset's hand labels, which says nothing about this election. (A file loaded, or the text a
    study recorded: both pass here.)"""
    if not election.shipped and election.key in list_presets() and not _same_as_preset(election):
        raise ElectionError(
            f"{name_shown(where)}: key: {election.key!r} is the name of a shipped preset, but this file differs from it; "
            "give your election its own key (the report would otherwise quote the preset's measured accuracy for it)"
        )


def _same_as_preset(election: Election) -> bool:
    """True when a user's file holds exactly the shipped preset of its key (a pinned copy)."""
    preset = load_preset(election.key)
    return replace(election, path=preset.path) == preset


def election_from_text(text: str, path: str) -> Election:
    """Parse and validate an election's TOML text; `path` names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ElectionError(toml_error_line(name_shown(path), text, str(exc))) from None
    return parse_election(data, path, text)
