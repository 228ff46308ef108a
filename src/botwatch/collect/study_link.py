"""Carry a capture's sampling rate and filter into the study, and read them back for scale-up.

`botwatch ingest STUDY capture/` calls `record_captures()`: every capture folder among the inputs
(or the folder holding an input file) is written to the study's `captures` table with its rate,
platforms and filters. `analyze` and `estimate`, when not given `--sample-rate`, use
`recorded_sample_rate()`: the one rate all recorded captures share. Captures at different rates in
one study give no single rate; the user is then told to choose.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from botwatch.collect.state import FolderError, meta_dir, read_manifest, utc_time
from botwatch.study import Study, utcnow

TABLE = "captures"
_DDL = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
  folder VARCHAR PRIMARY KEY, sample_rate DOUBLE, platforms VARCHAR, filters VARCHAR, runs INTEGER, manifest VARCHAR, recorded_at TIMESTAMP)"""


def capture_folders(inputs: Iterable[str]) -> list[Path]:
    """The capture folders an ingest's inputs belong to (a folder given, or a file's folder)."""
    found: dict[str, Path] = {}
    for p in inputs:
        if p == "-":
            continue
        path = Path(p)
        folder = path if path.is_dir() else path.parent
        try:
            is_capture = (meta_dir(folder) / "capture.json").is_file()
        except OSError:  # a folder nobody may read: its own input line says so; it ended the command with exit 2
            continue
        if is_capture:
            found[os.path.realpath(folder)] = folder
    return list(found.values())


def record_captures(study: Study, inputs: Iterable[str]) -> list[dict[str, Any]]:
    """Record (or refresh) each capture folder's manifest in the study; the rows written."""
    rows = []
    for folder in capture_folders(inputs):
        try:
            m = read_manifest(folder)
        except FolderError:
            continue
        if not m:
            continue
        runs = m.get("runs") or []
        old_disconnect_notices(folder, runs)
        filters = [r.get("filter") for r in runs]
        uniq = [json.loads(x) for x in dict.fromkeys(json.dumps(f, sort_keys=True) for f in filters)]
        row = {
            "folder": os.path.realpath(folder), "sample_rate": manifest_rate(m),
            "platforms": ",".join(sorted({str(r.get("platform")) for r in runs})), "filters": json.dumps(uniq), "runs": len(runs),
            "manifest": json.dumps(m, default=str),
        }
        study.sql(_DDL)
        study.sql(f"DELETE FROM {TABLE} WHERE folder = ?", [row["folder"]])
        study.sql(f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?, ?, ?, ?)", [*row.values(), utcnow()])
        rows.append(row)
    return rows


def old_disconnect_notices(folder: Path, runs: list[Any]) -> None:
    """Move X's disconnect notices out of the `unknown` frames of the X stream's runs recorded before
    they were recognised (no `disconnect_notices` in the run): such a run kept each aside in
    `malformed-x-stream.jsonl` as an unknown frame, and `status` said X's routine notice as a bad
    frame. Each notice kept aside is counted to the run that had begun last when it was kept aside
    (at most the run's `unknown`). `runs` (the study's copy) is changed; the folder's manifest is not."""
    from botwatch.collect.x import disconnect_notice

    def count(value: Any) -> int:
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    stream = [(utc_time(r.get("started")), r) for r in runs if isinstance(r, dict) and r.get("stream") == "x-stream"]
    stream = sorted(((t, r) for t, r in stream if t is not None), key=lambda tr: tr[0])
    if not any("disconnect_notices" not in r and count(r.get("unknown")) > 0 for _, r in stream):
        return
    found: dict[int, int] = {}
    try:
        with open(meta_dir(folder) / "malformed-x-stream.jsonl", "rb") as fh:
            for line in fh:
                try:
                    kept = json.loads(line)
                    frame = json.loads(kept["frame"]) if kept.get("kind") == "unknown" else None
                except (ValueError, TypeError, KeyError, AttributeError):
                    continue
                at = utc_time(kept.get("at"))
                if at is None or not isinstance(frame, dict) or not disconnect_notice(frame):
                    continue
                begun = [i for i, (t, _) in enumerate(stream) if t <= at + _SLACK]
                if begun:
                    found[begun[-1]] = found.get(begun[-1], 0) + 1
    except OSError:
        return
    for i, n in found.items():
        run = stream[i][1]
        if "disconnect_notices" in run:  # recorded since notices were recognised: none was kept aside
            continue
        n = min(n, count(run.get("unknown")))
        run["unknown"], run["disconnect_notices"] = count(run.get("unknown")) - n, n


def manifest_rate(manifest: dict[str, Any]) -> float | None:
    """A manifest's sample rate (no `sample_rate` key: 1, as before), or None when the value is no
    rate: not a number in (0, 1]. A hand-edited or damaged manifest ("abc", null) ended `ingest`
    in "This is a bug in botwatch" after the files were stored, and a rate of 0 or 5 was recorded
    and ended every later `estimate` the same way."""
    import math

    given = manifest.get("sample_rate", 1.0)
    try:
        rate = float(given) if not isinstance(given, bool) else math.nan
    except (TypeError, ValueError):
        return None
    return rate if math.isfinite(rate) and 0 < rate <= 1 else None


# The names RotatingWriter gives closed files: `<stream>-<UTC time>-<pid>.jsonl.gz`.
_CAPTURE_FILE = re.compile(r"^(bluesky|mastodon-.+|x-stream|x-search-[0-9a-f]+)-\d{8}T\d+Z-\d+\.jsonl\.gz$")


def recorded_sample_rate(study: Study) -> tuple[float | None, str]:
    """(rate, what to tell the user): the rate every recorded capture shares, or None and why not.

    A study that also holds inputs botwatch did not capture (an archive, someone else's capture)
    gets no rate from its captures: theirs is unknown, and one rate applied to both would be wrong.
    """
    if TABLE not in study.tables():
        return None, _unrecorded_captures(study)
    held = _capture_rows(study)
    unusable = sorted((f, m) for f, m, r in held if r is None)  # by folder, the table's key
    if unusable:
        folder, manifest = unusable[0]
        try:
            given = json.dumps(json.loads(manifest).get("sample_rate"))
        except (ValueError, TypeError, AttributeError):
            given = "unreadable"
        return None, (f"the capture manifest of {folder} (.botwatch/capture.json) gives no usable sample rate ({given}; a rate is a "
                      "number above 0 and at most 1), so its posts' rate is unknown: pass --sample-rate to scale")
    rates = sorted({r for _f, _m, r in held})
    sources = _source_names(study)
    # A file named as a capture's that no recorded capture wrote (a 100% capture's file copied
    # beside, or into, a 1% capture's folder without its own manifest) was taken at a rate nobody
    # recorded: it got the recorded capture's, and `estimate` scaled its posts up a hundredfold.
    captures = [(str(f), _runs(m)) for f, m, _r in held]  # `recorded_runs`
    astray = [s for s in sources if _CAPTURE_FILE.match(os.path.basename(s)) and not captured(s, captures)]
    if rates and astray:
        return None, (f"the study holds captures at rate {', '.join(f'{r:g}' for r in rates)} and {len(astray)} file(s) named as "
                      f"botwatch collect names its files (e.g. {astray[0]}) that no recorded capture wrote, ingested without their own "
                      "capture manifest, so their rate is unknown: ingest them from their capture folder, or pass --sample-rate to scale")
    others = [s for s in sources if not _CAPTURE_FILE.match(os.path.basename(s))]
    if rates and others:
        return None, (f"the study holds captures at rate {', '.join(f'{r:g}' for r in rates)} and {len(others)} other input(s) "
                      f"(e.g. {others[0]}) whose rate is unknown: pass --sample-rate to scale")
    if len(rates) == 1:
        return rates[0], f"sample rate {rates[0]:g} from the study's capture manifest (botwatch collect --sample)"
    if len(rates) > 1:
        return None, (f"captures in this study were taken at different rates ({', '.join(f'{r:g}' for r in rates)}), and no one rate "
                      "scales them all: ingest each capture into a study of its own, or pass --sample-rate to scale every post by one rate")
    return None, ""


_FILE_PARTS = re.compile(r"^(?P<stream>.+)-(?P<stamp>\d{8}T\d{6})\d*Z-(?P<pid>\d+)\.jsonl\.gz$")
_SLACK = timedelta(seconds=5)


def _runs(manifest: Any) -> list[dict[str, Any]]:
    try:
        runs = json.loads(manifest).get("runs") if manifest else None
    except (ValueError, AttributeError):
        runs = None
    return [r for r in runs if isinstance(r, dict)] if isinstance(runs, list) else []


def frames_aside(runs: list[Any]) -> int | None:
    """Frames a capture's manifest `runs` kept aside (`malformed` plus `unknown`), or None where a
    count is no whole number (a manifest edited by hand). One rule for `status` and the report:
    a count of 1e400 (infinity to JSON) raised OverflowError, which neither caught."""
    try:
        return sum(int(r.get("malformed") or 0) + int(r.get("unknown") or 0) for r in runs if isinstance(r, dict))
    except (ValueError, TypeError, OverflowError):
        return None


def recorded_runs(study: Study) -> list[tuple[str, list[dict[str, Any]]]]:
    """(folder, the manifest's runs) of every capture recorded in the study."""
    if TABLE not in study.tables():
        return []
    return [(str(f), _runs(m)) for f, m, _r in _capture_rows(study)]


def _capture_rows(study: Study) -> list[tuple[Any, Any, Any]]:
    """(folder, manifest, sample_rate) of every recorded capture (one row per folder). The small
    table is read at the driver on either engine (`driver_arrow`: on a local lake Arrow reads it
    with no Spark job, where `analyze` and `estimate` asked it three times through Spark SQL
    before the first stage)."""
    t = study.driver_arrow(TABLE, ["folder", "manifest", "sample_rate"])
    return list(zip(*(c.to_pylist() for c in t.columns)))


def captured(source: str, captures: list[tuple[str, list[dict[str, Any]]]]) -> bool:
    """Whether one of the recorded `captures` (`recorded_runs`) wrote the file `source`."""
    return any(_wrote(source, folder, runs) for folder, runs in captures)


def _wrote(source: str, folder: str, runs: list[dict[str, Any]]) -> bool:
    """Whether the capture recorded at `folder` (its manifest's `runs`) wrote the file `source`.

    A closed file's name holds its stream, the time it was opened and the collector's process id,
    which the manifest's run records too: a copy of the file, wherever it was ingested from (a
    folder it was copied to, then the capture folder itself, its files skipped by hash), is matched
    to its run; a file another capture wrote is not, even copied into this folder. Manifests that
    record no process ids (older runs) are matched by where the file lay."""
    m = _FILE_PARTS.match(os.path.basename(source))
    if m is None:
        return False
    if not any("pid" in r for r in runs):
        where = os.path.dirname(source) or "."
        return folder in (os.path.realpath(where), os.path.abspath(where))
    opened = datetime.strptime(m["stamp"], "%Y%m%dT%H%M%S").replace(tzinfo=timezone.utc)
    for r in runs:
        if str(r.get("stream")) != m["stream"] or str(r.get("pid")) != m["pid"]:
            continue
        started, ended = utc_time(r.get("started")), utc_time(r.get("ended"))
        if (started is None or started - _SLACK <= opened) and (ended is None or opened <= ended + _SLACK):
            return True
    return False


def _source_names(study: Study) -> list[str]:
    """Each input the study's `sources` table names, once, earliest ingested first (a NULL time
    last; ties in the order the rows are read), so the "e.g." of the notes below is the first
    ingested on either engine. Row order alone is not: a DuckDB study's `SELECT DISTINCT` gave its
    hash table's order, and a lake's appended parts are named at random (`part-<uuid>`) and read in
    name order. Read at the driver (`driver_arrow`: on a local lake Arrow reads it with no Spark
    job, where `analyze` and `estimate` asked through Spark SQL, two Spark jobs for a few rows)."""
    from botwatch.runs_table import sort_values  # a time past year 9999 has no Python datetime

    read = study.driver_arrow("sources", ["source", "ingested_at"])
    first: dict[Any, Any] = {}
    for source, at in zip(read.column("source").to_pylist(), sort_values(read.column("ingested_at"))):
        if source not in first or (at is not None and (first[source] is None or at < first[source])):
            first[source] = at
    return [str(s) for s in sorted(first, key=lambda s: (first[s] is None, first[s]))]


def _unrecorded_captures(study: Study) -> str:
    """What to say of a study holding files `botwatch collect` wrote but no capture manifest: their
    rate is unknown ("" when it holds none). Closed files copied out of their folder (`scp
    capture/*.gz`, which leaves the hidden `.botwatch/` behind) and ingested from there were
    counted as observed without a word, though a 1% capture's counts are a hundredth of the posts."""
    if "sources" not in study.tables():
        return ""
    named = [s for s in _source_names(study) if _CAPTURE_FILE.match(os.path.basename(s))]
    if not named:
        return ""
    return (f"{len(named)} input(s) written by botwatch collect (e.g. {named[0]}) were ingested without their capture folder's "
            "manifest (.botwatch/capture.json, which records the sample rate), so their rate is unknown: ingest them from their "
            "capture folder (botwatch ingest STUDY capture/), or pass --sample-rate")

