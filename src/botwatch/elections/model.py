"""The typed election model and its loader.

A preset names the parties (with pro/anti hashtags and official accounts), the election's own
hashtags, when it was called (the trigger), polling day, the study window and key events. Bad
files are rejected with a message naming the field, because a silently wrong preset would skew
every downstream count.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any


class ElectionError(ValueError):
    """A preset that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Party:
    key: str
    name: str
    colour: str = "#777777"
    hashtags_pro: tuple[str, ...] = ()
    hashtags_anti: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    official_accounts: tuple[str, ...] = ()
    allied_accounts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Event:
    at: datetime
    label: str
    kind: str = "event"


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
    path: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def party(self, key: str) -> Party:
        for p in self.parties:
            if p.key == key:
                return p
        raise ElectionError(f"{self.key}: no party {key!r}; parties: {', '.join(p.key for p in self.parties)}")


def _presets_dir() -> Any:
    return resources.files("botwatch.elections") / "presets"


def list_presets() -> list[str]:
    """Names of the presets shipped with botwatch."""
    return sorted(p.name[:-5] for p in _presets_dir().iterdir() if p.name.endswith(".toml"))


def _req(d: dict[str, Any], key: str, where: str) -> Any:
    if key not in d:
        raise ElectionError(f"{where}: missing required field {key!r}")
    return d[key]


def _as_date(v: Any, where: str) -> date:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, str):
        try:
            return date.fromisoformat(v)
        except ValueError:
            pass
    raise ElectionError(f"{where}: expected a date like 2017-06-08, got {v!r}")


def _as_datetime(v: Any, where: str) -> datetime:
    if isinstance(v, datetime):
        return v.replace(tzinfo=None) if v.tzinfo is None else v
    if isinstance(v, date):
        return datetime(v.year, v.month, v.day)
    if isinstance(v, str):
        try:
            return datetime.fromisoformat(v)
        except ValueError:
            pass
    raise ElectionError(f"{where}: expected a date-time like 2017-05-22T21:31:00, got {v!r}")


def _strs(d: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    v = d.get(key, [])
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise ElectionError(f"{where}: {key!r} must be a list of strings")
    return tuple(v)


def parse_election(data: dict[str, Any], path: str) -> Election:
    """Validate a parsed TOML document into an `Election`."""
    where = path
    parties = []
    for i, p in enumerate(data.get("parties", [])):
        pw = f"{where}: parties[{i}]"
        if not isinstance(p, dict):
            raise ElectionError(f"{pw}: must be a table")
        parties.append(
            Party(
                key=str(_req(p, "key", pw)),
                name=str(_req(p, "name", pw)),
                colour=str(p.get("colour", "#777777")),
                hashtags_pro=_strs(p, "hashtags_pro", pw),
                hashtags_anti=_strs(p, "hashtags_anti", pw),
                hashtags=_strs(p, "hashtags", pw),
                keywords=_strs(p, "keywords", pw),
                official_accounts=_strs(p, "official_accounts", pw),
                allied_accounts=_strs(p, "allied_accounts", pw),
            )
        )
    events = []
    for i, e in enumerate(data.get("events", [])):
        ew = f"{where}: events[{i}]"
        events.append(Event(_as_datetime(_req(e, "at", ew), f"{ew}.at"), str(_req(e, "label", ew)), str(e.get("kind", "event"))))
    window = data.get("window", {})
    trigger = _as_date(_req(data, "trigger_date", where), f"{where}: trigger_date")
    polling = _as_date(_req(data, "polling_day", where), f"{where}: polling_day")
    start = _as_date(window.get("start", trigger), f"{where}: window.start")
    end = _as_date(window.get("end", polling), f"{where}: window.end")
    if end < start:
        raise ElectionError(f"{where}: window.end is before window.start")
    return Election(
        key=str(_req(data, "key", where)),
        name=str(_req(data, "name", where)),
        country=str(_req(data, "country", where)).upper(),
        timezone=str(data.get("timezone", "UTC")),
        trigger_date=trigger,
        polling_day=polling,
        window_start=start,
        window_end=end,
        hashtags=_strs(data, "hashtags", where),
        keywords=_strs(data, "keywords", where),
        parties=tuple(parties),
        events=tuple(sorted(events, key=lambda e: e.at)),
        sources=_strs(data, "sources", where),
        path=path,
        raw=data,
    )


def load_election(ref: str | Path) -> Election:
    """Load a shipped preset by name, or a TOML file by path."""
    p = Path(ref)
    if p.suffix == ".toml" or p.exists():
        if not p.exists():
            raise ElectionError(f"no election file at {p}")
        text, path = p.read_text(encoding="utf-8"), str(p)
    else:
        f = _presets_dir() / f"{ref}.toml"
        if not f.is_file():
            raise ElectionError(f"no preset named {ref!r}; presets: {', '.join(list_presets())}")
        text, path = f.read_text(encoding="utf-8"), f"preset:{ref}"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ElectionError(f"{path}: invalid TOML: {exc}") from None
    return parse_election(data, path)
