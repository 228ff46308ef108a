"""Reading real labelled accounts into model input (profile features + label + source).

Two public sets are supported out of the box (see ../shared/data/README.md for provenance):
stclab (v1.1 profile columns, a Kaggle-origin bot-or-not set) and Gilani et al. 2017 (per-account
aggregates from Stweeler). They describe accounts differently, so each is mapped onto the
profile features it can honestly fill; everything else stays NaN. A user's own CSV of labels is
read by `read_labels_csv` (canonical or v1.1 column names, a `bot` column of 1/0, and when each
profile was observed: `observation_time`, the same columns the shipped model's training reads).
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from botwatch.accounts.evaluate import BOT_WORDS
from botwatch.accounts.profile import profile_features
from botwatch.accounts.status_field import READ_JSON, READ_LITERAL, READ_TWEEPY, status_times
from botwatch.labels_encoding import HEADER_AGAIN  # said of a row that repeats the header, by every labels reader alike
from botwatch.shown_text import name_shown

# v1.1 column names → canonical profile names.
V11_TO_CANONICAL: dict[str, str] = {
    "screen_name": "handle",
    "name": "display_name",
    "followers_count": "followers",
    "friends_count": "following",
    "statuses_count": "posts_count",
    "lang": "account_lang",
    "default_profile_image": "default_image",
    "favourites_count": "likes_count",
    "listedcount": "listed_count",
    "profile_use_background_image": "background_image",
}
# stclab was collected in March 2017 (its newest last-status is 2017-03); used when a row has none.
STCLAB_COLLECTED = pd.Timestamp("2017-03-15")


def parse_twitter_time(values: pd.Series) -> pd.Series:
    """Times in either the v1.1 form (`Sat Oct 17 22:35:31 +0000 2015`), ISO 8601, or the
    two spreadsheet forms stclab partly holds (`13-03-2017 22:21`, `5/27/2010 13:08`); naive UTC."""
    v = values.astype("object")
    a = pd.to_datetime(v, format="%a %b %d %H:%M:%S %z %Y", errors="coerce", utc=True).dt.tz_localize(None)
    b = pd.to_datetime(v, format="%d-%m-%Y %H:%M", errors="coerce")
    c = pd.to_datetime(v, format="%m/%d/%Y %H:%M", errors="coerce")  # month-first, also in stclab
    d = pd.to_datetime(v, format="ISO8601", errors="coerce", utc=True).dt.tz_localize(None)
    return a.fillna(b).fillna(c).fillna(d)


# Where a labelled profile's observation time (when its counts were taken) is read from, the first
# a row has wins: `observed_at` (or `ref_time`) said outright, the shared layout's `captured_at`,
# else the time of the status the profile came with (`status_created_at`; see the data README),
# else the `created_at` inside a v1.1 `status` field (stclab's latest status). Account age and every
# per-day rate are measured at this time, in training the shipped model and a user's alike.
OBSERVED_AT_COLUMNS = ("observed_at", "ref_time", "captured_at", "status_created_at", "status")


def observation_time(raw: pd.DataFrame) -> pd.Series:
    """Per row of a labelled-profiles table (columns as strings), when the profile was observed
    (`OBSERVED_AT_COLUMNS`, first known wins); NaT where the row gives none. One function for the
    shipped model's training (`profile_rows_features`, `load_stclab`) and `botwatch train-bot-model`
    (`read_labels_csv`): the user's path measured age at today's date, so a model trained on 2019
    profiles learned "younger than ~11 years means bot" and called a 2017 study's MPs bots."""
    return observation_times(raw)[0]


def observation_times(raw: pd.DataFrame) -> tuple[pd.Series, Counter[str]]:
    """`observation_time`, with a count of the `status` cells by how each was read or why it gave
    no time (`status_field.status_times`; empty when the table has no `status` column), so that a
    loader can say how many rows fell back to another time instead of hiding it."""
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    counts: Counter[str] = Counter()
    for col in OBSERVED_AT_COLUMNS:
        if col not in raw.columns:
            continue
        values = raw[col]
        if col == "status":
            times, counts = status_times(values.tolist())
            values = pd.Series(times, index=raw.index, dtype="object")
        out = out.fillna(parse_twitter_time(values).astype("datetime64[ns]"))
    return out, counts


def status_unread(counts: Counter[str]) -> dict[str, int]:
    """The `status` cells that gave no time, by why (the spellings that were read left out)."""
    return {k: v for k, v in counts.items() if k not in (READ_JSON, READ_LITERAL, READ_TWEEPY) and v}


def _truthy(s: pd.Series) -> pd.Series:
    m = {"true": True, "1": True, "false": False, "0": False}
    return s.astype("object").map(lambda v: m.get(str(v).strip().strip('"').lower()) if isinstance(v, str) or isinstance(v, (int, bool)) else None)


def canonical_profiles(raw: pd.DataFrame) -> pd.DataFrame:
    """Rename v1.1 columns, parse times and booleans; leaves canonical columns as they are."""
    df = raw.rename(columns={k: v for k, v in V11_TO_CANONICAL.items() if k in raw.columns and v not in raw.columns})
    if "created_at" in df.columns:
        df["created_at"] = parse_twitter_time(df["created_at"])
    for b in ("verified", "default_profile", "default_image", "background_image"):
        if b in df.columns:
            df[b] = _truthy(df[b])
    for s in ("handle", "display_name", "description", "location"):
        if s in df.columns:
            df[s] = df[s].map(lambda v: v.strip() if isinstance(v, str) and v.strip() else None)
    if "handle" in df.columns:
        # A labels file written by hand often spells a handle "@name", which no study stores: its
        # handle features (length, entropy, case and digit shares) were learnt one character off,
        # and its training digest matched no study account.
        df["handle"] = df["handle"].map(lambda v: (v.removeprefix("@").strip() or None) if isinstance(v, str) else v)
    return df


def load_stclab(root: Path) -> pd.DataFrame:
    """stclab bots + nonbots → features, `label`, `source`, `handle`."""
    frames = []
    for name in ("bots_data.csv.gz", "nonbots_data.csv.gz"):
        frames.append(pd.read_csv(root / name, dtype=str, keep_default_na=False, na_values=[""]))
    raw = pd.concat(frames, ignore_index=True)
    observed, read = observation_times(raw)
    ref_time = observed.fillna(STCLAB_COLLECTED)
    df = canonical_profiles(raw)
    feats = profile_features(df, ref_time)
    feats["label"] = pd.to_numeric(raw["bot"], errors="coerce").astype(int)
    feats["source"] = "stclab"
    feats["handle"] = df["handle"]
    feats["account_id"] = raw["id_str"].fillna(raw["id"])
    kept = ~feats.duplicated(subset=["handle"])
    out = feats[kept].reset_index(drop=True)
    # How the `status` cells were read (all rows, before duplicates are dropped) and how many kept
    # accounts were measured at their own status: printed by scripts/train_bot_model.py, so the
    # rows measured at the collection date instead are counted, not hidden.
    out.attrs["status_read"] = dict(sorted(read.items()))
    out.attrs["observed_at_own_status"] = int(observed[kept.to_numpy()].notna().sum())
    return out


def load_gilani(root: Path) -> pd.DataFrame:
    """Gilani 2017 bots + humans (all four popularity bands) → the profile features it can fill:
    handle shape, follower/friend ratio, account age and likes. Everything else is NaN."""
    frames = []
    for label, folder in ((1, "bots"), (0, "humans")):
        for f in sorted((root / folder).glob("*.csv.gz")):
            d = pd.read_csv(f, skipinitialspace=True)
            d["label"] = label
            d["band"] = f.name.split(".")[1]
            frames.append(d)
    raw = pd.concat(frames, ignore_index=True)
    df = pd.DataFrame({"handle": raw["screen_name"].astype(str).str.strip()})
    feats = profile_features(df)
    ratio = pd.to_numeric(raw["follower_friend_ratio"], errors="coerce")
    feats["ff_ratio_log10"] = np.log10(ratio.clip(lower=1e-3))
    feats["age_days"] = pd.to_numeric(raw["age_of_account_in_days"], errors="coerce")
    feats["log_age_days"] = np.log1p(feats["age_days"])
    # `user_favourited` is the account's own likes (favourites) count as Stweeler recorded it:
    # humans median ~2,400, bots ~380. Gilani's other columns describe tweets in its collection
    # window (not the profile) and are left out.
    likes = pd.to_numeric(raw["user_favourited"], errors="coerce")
    feats["log_likes"] = np.log1p(likes)
    feats["log_likes_per_day"] = np.log1p(likes / feats["age_days"].clip(lower=1.0))
    feats["label"] = raw["label"].astype(int)
    feats["source"] = "gilani2017"
    feats["handle"] = df["handle"]
    # The same handle can appear in two bands with one label; an account labelled both ways is dropped.
    agree = feats.groupby("handle")["label"].transform("nunique") == 1
    return feats[agree].drop_duplicates(subset=["handle"]).reset_index(drop=True)


PAIR_SETS = ("botwiki2019", "verified2019")
PAIR_SOURCE = "botwiki+verified"


def load_profiles_csv(folder: Path, source: str | None = None) -> pd.DataFrame:
    """A `profiles.csv.gz` of the shared layout (botwiki-2019, verified-2019) → features, `label`,
    `source`, `handle`, `account_id`. Account age and rates are measured at `captured_at` when
    known, else at `status_created_at` (the profile came with that status; see the data README)."""
    raw = pd.read_csv(folder / "profiles.csv.gz", dtype=str, keep_default_na=False, na_values=[""])
    return profile_rows_features(raw, source or folder.name)


def profile_rows_features(raw: pd.DataFrame, source: str) -> pd.DataFrame:
    """Rows of the shared profiles layout (all columns as strings) → features, `label`, `source`,
    `handle`, `account_id` (the training path of `load_profiles_csv`)."""
    ref = observation_time(raw)
    df = canonical_profiles(raw)
    feats = profile_features(df, ref)
    feats["label"] = pd.to_numeric(raw["label"], errors="coerce").astype(int)
    feats["source"] = source
    feats["handle"] = df["handle"]
    feats["account_id"] = raw["id"].astype(str)
    return feats


def load_pair(root: Path, exclude_ids: set[str] = frozenset(), exclude_handles: set[str] = frozenset()) -> pd.DataFrame:
    """botwiki-2019 bots + verified-2019 humans as one two-class source (each set has one class, so
    neither is ever used alone). Accounts also in another source (by id or lower-cased handle) are
    dropped so that a leave-one-source-out test never sees its own answer."""
    frames = [load_profiles_csv(root / name, PAIR_SOURCE) for name in PAIR_SETS]
    pair = pd.concat(frames, ignore_index=True)
    keep = ~pair["account_id"].isin(exclude_ids) & ~pair["handle"].str.lower().isin({h.lower() for h in exclude_handles})
    return pair[keep].drop_duplicates(subset=["account_id"]).reset_index(drop=True)


# Canonical profile columns the bot model's required features come from (`scoring.REQUIRED_ANY`:
# account age, likes, posting rate, default profile/image); v1.1 names are accepted too.
PROFILE_COLUMNS = ("created_at", "likes_count", "posts_count", "default_profile", "default_image")
OBSERVED_AT_NEED = ("`observed_at`, when each profile was taken (or the shared sets' `captured_at` / `status_created_at`, "
                    "or a v1.1 `status` holding its `created_at`), or --observed-at DATE when all were taken that day")
LABELS_NEED = ("a labelled-accounts CSV needs a header row, a `bot` column of 1/0 (or true/false, yes/no, bot/human) and profile columns: created_at, "
               "favourites_count, statuses_count, default_profile, default_profile_image (v1.1 names; followers_count, friends_count help), "
               f"with {OBSERVED_AT_NEED}: account age and every per-day rate are measured then, not today")
# Columns a labels file may name an account by; kept so the model file can record its training
# accounts as digests (`training_accounts.key_digest`), never in the clear.
ID_COLUMNS = ("id_str", "id", "account_id", "user_id")


@dataclass(frozen=True)
class LabelsFile:
    """A user's labels read for training: `frame` (features, `label`, `source`, `handle`,
    `account_id`) and the rows left out, counted by why (label not 1/0, no observation time)."""

    frame: pd.DataFrame
    left_out: dict[str, int]
    # The profile columns the model learns from (`PROFILE_COLUMNS`, as v1.1 names) that no row
    # fills: a header spelled "Created At" trained a model blind to account age, and nothing said so.
    unfilled: tuple[str, ...] = ()
    # Per reason of `left_out` that can say where its rows are, the words to print instead of the
    # bare count: the rows cut short and the labels not read, with their lines (and values).
    where: dict[str, str] = field(default_factory=dict)


def read_labels_csv(path: Path, observed_at: pd.Timestamp | None = None) -> LabelsFile:
    """A user's labels: profile columns (canonical or v1.1 names), `bot` (1/0) and when each
    profile was observed (`observation_time`'s columns, else `observed_at` for every row without
    one). A file that gives no observation time at all is refused (ValueError): measured at today's
    date, a 2019 set's humans are ~6,000 days old and its bots ~3,000, and the model learns that
    "young" means bot, which every study measured at its posts' time then is. A row with no time of
    its own, or a label other than 1/0, is left out and counted; so are an account's rows after
    its first, and every row of an account its rows label both bot and human."""
    try:
        raw = _read_raw(path)
    except UnicodeDecodeError as exc:
        from botwatch.labels_encoding import undecodable_reason

        raise ValueError(f"{name_shown(path)}: not a labelled-accounts CSV ({undecodable_reason(path, exc)}); {LABELS_NEED}") from None
    except pd.errors.EmptyDataError:  # blank throughout: said as `evaluate-accounts` says it, not "not readable as CSV text"
        from botwatch.labels_encoding import blank_file_said

        raise ValueError(blank_file_said(name_shown(path), "a `bot` column and profile columns")) from None
    except ValueError as exc:  # pandas' tokenizer message said nothing of what the file needs
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        why = f"line {m.group(2)} has {m.group(3)} fields, the first line {m.group(1)}" if m else "not readable as CSV text"
        from botwatch.labels_encoding import first_line_separator_hint

        # A European spreadsheet's semicolons: said, as `evaluate-accounts` says it of the same file.
        raise ValueError(f"{name_shown(path)}: not a labelled-accounts CSV ({why}){first_line_separator_hint(path)}; {LABELS_NEED}") from None
    # Header names as `evaluate-accounts` reads them (spaces around, any case): a spreadsheet's
    # "Bot" or "Screen_Name" was refused here ("no `bot` column") after the same file was measured there.
    folded = [str(c).strip().lower() for c in raw.columns]
    if len(set(folded)) == len(folded):
        raw.columns = folded
    from botwatch.accounts.evaluate import BOT_COLUMNS, columns_listed, label_columns_disagree

    label_col = next((c for c in BOT_COLUMNS if c in raw.columns), None)  # the order `evaluate-accounts` reads
    labels_only = raw[[c for c in BOT_COLUMNS if c in raw.columns]]
    if why := label_columns_disagree(labels_only.columns, enumerate(labels_only.to_dict("records"), start=1), unit="row"):
        raise ValueError(f"{name_shown(path)}: {why}")
    if label_col is None:
        from botwatch.labels_encoding import first_line_separator_hint

        raise ValueError(f"{name_shown(path)}: no `bot` column (columns: {columns_listed(raw.columns)}){first_line_separator_hint(path)}; {LABELS_NEED}")
    named = set(raw.columns) | {V11_TO_CANONICAL[c] for c in raw.columns if c in V11_TO_CANONICAL}
    if not named & set(PROFILE_COLUMNS):
        raise ValueError(f"{name_shown(path)}: none of the profile columns the bot model learns from; {LABELS_NEED}")
    if raw.empty:  # was told its `observed_at` column "holds no readable time"
        raise ValueError(f"{name_shown(path)}: a header and no rows: it holds no labelled account")
    lines, short, extra = _row_lines(path, len(raw), list(raw.columns).index(label_col))
    beyond = extra.map(bool)  # cells beyond the header that hold something, which pandas dropped
    raw, empty_rows = _without_empty_rows(raw, beyond)
    short, extra, beyond = short.reindex(raw.index), extra.reindex(raw.index), beyond.reindex(raw.index)
    lines = lines.reindex(raw.index) if lines is not None else None
    if raw.empty:
        raise ValueError(f"{name_shown(path)}: its {empty_rows} row(s) after the header are all empty cells: it holds no labelled "
                         "account; add rows with a `bot` label and profile columns")
    ref = observation_time(raw)
    if observed_at is not None:
        ref = ref.fillna(observed_at)
    if ref.notna().sum() == 0:
        given = [c for c in OBSERVED_AT_COLUMNS if c in raw.columns]
        why = f"its {', '.join(f'`{c}`' for c in given)} column{'s hold' if len(given) > 1 else ' holds'} no readable time" if given else "it has no column saying when the profiles were taken"
        raise ValueError(f"{name_shown(path)}: {why}, and account age and every per-day rate would be measured at today's date; give {OBSERVED_AT_NEED}")
    df = canonical_profiles(raw)
    v11 = {c: k for k, c in V11_TO_CANONICAL.items()}
    unfilled = tuple(v11.get(c, c) for c in PROFILE_COLUMNS if c not in df.columns or not df[c].notna().any())
    feats = profile_features(df, ref)
    labels = pd.to_numeric(raw[label_col], errors="coerce")
    # The spellings `evaluate-accounts` reads (true/false, yes/no, bot/human): the same labels file
    # was measured by it and then refused here, every row "label not 1/0".
    from botwatch.accounts.evaluate import FALSE, TRUE

    words = raw[label_col].fillna("").str.strip().str.casefold()
    labels = labels.mask(words.isin(TRUE), 1).mask(words.isin(FALSE), 0)
    # A row cut short (a field's unquoted line break) is left out whatever its cells hold: its
    # later cells are on the next row. It is counted as such, not as "label not 1/0".
    # A row with cells beyond the header is left out too, as `evaluate-accounts` refuses it: which
    # of its cells are the ones meant is the writer's to say.
    # A row that repeats the header (two files joined with both header rows kept) is left out and
    # said as such: its `bot` cell reads "bot", a bot label, and stclab's two files joined so were
    # trained on as 1,463 accounts (691 bots), one of them "screen_name".
    header = _header_again(raw)
    good_label = labels.isin([0, 1]) & ~short & ~beyond & ~header
    keep = good_label & ref.notna()
    unread = ~good_label & ~short & ~beyond & ~header
    left_out = {"empty row": empty_rows, SHORT_ROWS: int(short.sum()), EXTRA_CELLS: int(beyond.sum()), HEADER_AGAIN: int(header.sum()),
                LABEL_NOT_READ: int(unread.sum()), "no observation time": int((good_label & ref.isna()).sum())}
    where = _where_left_out(raw[label_col], lines, short, unread)
    if header.any() and lines is not None:
        from botwatch.count_text import lines_said

        where[HEADER_AGAIN] = f"{lines_said([int(n) for n in lines[header]])} ({HEADER_AGAIN})"
    if beyond.any() and lines is not None:
        where[EXTRA_CELLS] = _extra_rows_said(lines[beyond].tolist(), extra[beyond].tolist(), len(raw.columns))
    # One account on several rows (stclab's files hold five accounts twice, each once as a bot and
    # once as a human) was trained on as several accounts and counted so ("trained on N accounts"):
    # its first row is kept and the others are counted; one labelled both ways is left out, as
    # `evaluate-accounts` leaves out a label an account's rows give differently. An account is its
    # id and handle together: 248 stclab ids were mangled to "7.01E+17" by a spreadsheet, so an id alone joins distinct accounts.
    id_col = next((c for c in ID_COLUMNS if c in raw.columns), None)
    parts = [raw[id_col].str.strip()] if id_col is not None else []
    if "handle" in df.columns:
        parts.append(df["handle"].astype("string").str.strip().str.lower())
    if parts:
        has_key = pd.concat([x.fillna("").str.len() > 0 for x in parts], axis=1).any(axis=1)
        named = keep & has_key
        key = parts[0].fillna("").astype(str)
        for x in parts[1:]:
            key = key + "\x1f" + x.fillna("").astype(str)
        again = named & key.where(named).duplicated(keep="first")
        # An account whose rows call it both a bot and a human has no label to learn from: its first
        # row's was trained on, whichever it happened to be. All its rows are left out and counted
        # (those left out already, such as for no observation time, under that reason).
        labelled = good_label & has_key
        both = named & (key.map(labels[labelled].groupby(key[labelled]).nunique()) > 1)
        keep &= ~again & ~both
        left_out["an account its rows label both bot and human"] = int(both.sum())
        left_out["an account an earlier row named: the first kept"] = int((again & ~both).sum())
    feats = feats[keep].copy()
    feats["label"] = labels[keep].astype(int)
    feats["source"] = Path(path).name
    feats["handle"] = df.loc[keep, "handle"] if "handle" in df.columns else None
    feats["account_id"] = raw.loc[keep, id_col] if id_col else None
    # A Mastodon profile URL or Bluesky DID in any id column (Mastodon's API gives `id`, the local
    # number, beside `url`-like ids a user may copy into `account_id`): the id a study of that
    # platform stores, so the model file records it (`training_accounts.platform_unique`).
    from botwatch.accounts.training_accounts import platform_unique

    unique = pd.Series([None] * len(raw), index=raw.index, dtype=object)
    for c in (c for c in ID_COLUMNS if c in raw.columns):
        unique = unique.where(unique.notna(), raw[c].where(raw[c].map(platform_unique)))
    feats["unique_id"] = unique[keep]
    return LabelsFile(feats.reset_index(drop=True), {k: v for k, v in left_out.items() if v}, unfilled, where)


SHORT_ROWS = "fewer cells than the header"
EXTRA_CELLS = "more cells than the header"
# What is read is said with the rows that are not (`evaluate.BOT_WORDS`): "label not 1/0" sent a
# user whose file said bot/human, which is read, to rewrite every label.
LABEL_NOT_READ = "label not one of " + BOT_WORDS
EXTRA_ROWS_SHOWN = 5  # rows with cells beyond the header listed before "and N more"


def _header_again(raw: pd.DataFrame) -> pd.Series:
    """Per row of `raw`, whether its cells are its header's names (in any case, spaces around them
    ignored; an unnamed column's cell empty, as pandas names it "Unnamed: 3")."""
    same = pd.Series(True, index=raw.index)
    for c in raw.columns:
        name = str(c).strip().casefold()
        same &= raw[c].fillna("").astype(str).str.strip().str.casefold().eq("" if name.startswith("unnamed: ") else name)
    return same


def _read_raw(path: Path) -> pd.DataFrame:
    """A labels CSV as pandas reads it, every cell a string. `index_col=False`: where every row ends
    in a trailing comma (a spreadsheet export), pandas took the first column for the index and
    shifted the others one left, so `created_at` held the likes and `bot` was empty on every row.
    `usecols` every header column: without it pandas sized the rows by the first, and a later row
    with more cells (a trailing comma on some rows only) refused the whole file as "line 3 has 26
    fields, the first line 25", where `evaluate-accounts` read every row. The cells it then drops
    beyond the header are found and said by `_row_lines`, not warned of."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pd.errors.ParserWarning)
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], index_col=False, usecols=lambda _: True)


def _row_lines(path: Path, rows: int, label_at: int) -> tuple[pd.Series | None, pd.Series, pd.Series]:
    """Per row pandas read (`rows` of them, index 0…), its line in the file, whether it was cut
    short before its label cell (`labels_encoding.cut_short`, the column at `label_at`) and its cells
    beyond the header that hold something (`labels_encoding.extra_cells`). Lines are None, and no
    row cut short or with cells beyond, where the csv module counts the rows otherwise than pandas
    did: nothing is said rather than a wrong line."""
    from botwatch.labels_encoding import rows_read

    read = rows_read(path, rows, label_at)
    index = range(rows)
    if read is None:
        return None, pd.Series(False, index=index), pd.Series([[] for _ in index], index=index, dtype=object)
    return (pd.Series([line for line, _, _ in read], index=index),
            pd.Series([short for _, short, _ in read], index=index),
            pd.Series([extra for _, _, extra in read], index=index, dtype=object))


def _extra_rows_said(lines: list[int], extras: list[list[str]], width: int) -> str:
    """`LabelsFile.where` for the rows with cells beyond the header: how many, and each (the first
    `EXTRA_ROWS_SHOWN`) as `evaluate-accounts` says it (`labels_encoding.extra_cells_said`)."""
    from botwatch.count_text import counted
    from botwatch.labels_encoding import extra_cells_said

    said = "; ".join(extra_cells_said(int(line), width, extra) for line, extra in zip(lines[:EXTRA_ROWS_SHOWN], extras))
    more = f"; … and {len(lines) - EXTRA_ROWS_SHOWN:,} more" if len(lines) > EXTRA_ROWS_SHOWN else ""
    return f"{counted(len(lines), 'row')} ({EXTRA_CELLS}: {said}{more})"


def _where_left_out(label: pd.Series, lines: pd.Series | None, short: pd.Series, unread: pd.Series) -> dict[str, str]:
    """`LabelsFile.where`: the rows cut short and the labels not read, with their lines (the labels
    grouped by the value written, as `evaluate-accounts` says them), so that the user can find them."""
    from botwatch.count_text import counted, values_said
    from botwatch.labels_encoding import short_rows_said

    if lines is None:
        return {}
    out: dict[str, str] = {}
    if short.any():
        out[SHORT_ROWS] = short_rows_said(lines[short].tolist())
    if unread.any():
        bad: dict[str, list[int]] = {}
        for value, line in zip(label[unread].fillna("").str.strip(), lines[unread]):
            bad.setdefault(value, []).append(int(line))
        n = int(unread.sum())
        out[LABEL_NOT_READ] = f"{counted(n, 'row')} ({LABEL_NOT_READ}: {values_said(bad, lambda v: '' if v else 'empty', other='other value')})"
    return out


def _without_empty_rows(raw: pd.DataFrame, beyond: pd.Series) -> tuple[pd.DataFrame, int]:
    """`raw` without its rows of empty (or blank) cells, and how many there were. A file of such
    rows (a spreadsheet's saved empty lines) was told its `observed_at` column "holds no readable
    time", or, with --observed-at, each row "label not 1/0" and "need at least 10 bots": never
    that it holds no account at all. A row whose cells beyond the header hold something (`beyond`)
    is not empty: it is said as such, as `evaluate-accounts` says it."""
    empty = raw.apply(lambda col: col.fillna("").astype(str).str.strip().eq("")).all(axis=1) & ~beyond
    return raw[~empty], int(empty.sum())


def _v1_bool(v: object) -> bool | None:
    t = str(v).strip().lower() if isinstance(v, str) else None
    return True if t == "true" else False if t == "false" else None


def _v1_int(v: object) -> int | None:
    try:
        return int(float(v)) if isinstance(v, str) and v.strip() else None
    except ValueError:
        return None


def profiles_to_v1_statuses(raw: pd.DataFrame) -> list[dict[str, object]]:
    """Rows of the shared `profiles.csv.gz` layout as v1.1 statuses, one per account, posted at
    the time the profile was observed (`captured_at`, else `status_created_at`) with the profile as
    its `user`. This is how a labelled profile set reaches `botwatch ingest`: the end-to-end check
    that the stage computes the features training used (tests/test_accounts_v1_path.py).

    A row with neither time (a profile that never posted has no status time) is refused with a
    ValueError naming it: its status was written with `"created_at": NaN`, which is not JSON, so
    ingest rejected the line and the account was missing from `accounts_scored` without a word."""
    records = raw.to_dict("records")
    untimed = [str(r.get("id")) for r in records if not any(isinstance(r.get(c), str) and r[c].strip() for c in ("captured_at", "status_created_at"))]
    if untimed:
        raise ValueError(f"{len(untimed):,} profile(s) have neither captured_at nor status_created_at (id {', '.join(untimed[:5])}"
                         f"{', …' if len(untimed) > 5 else ''}): a v1.1 status needs the time the profile was observed; give one or leave them out")
    out: list[dict[str, object]] = []
    for i, r in enumerate(records):
        when = r.get("captured_at") if isinstance(r.get("captured_at"), str) and r["captured_at"].strip() else r.get("status_created_at")
        text = lambda c: r[c] if isinstance(r.get(c), str) else None  # noqa: E731
        user = {
            "id_str": str(r["id"]), "screen_name": text("screen_name"), "name": text("name"), "description": text("description"),
            "location": text("location"), "url": text("url"), "created_at": text("created_at"),
            "followers_count": _v1_int(r.get("followers_count")), "friends_count": _v1_int(r.get("friends_count")),
            "statuses_count": _v1_int(r.get("statuses_count")), "favourites_count": _v1_int(r.get("favourites_count")),
            "listed_count": _v1_int(r.get("listed_count")), "verified": _v1_bool(r.get("verified")),
            "default_profile": _v1_bool(r.get("default_profile")), "default_profile_image": _v1_bool(r.get("default_profile_image")),
            "lang": text("lang"), "time_zone": text("time_zone"), "utc_offset": _v1_int(r.get("utc_offset")),
        }
        if "url" not in raw.columns:  # a set without a link column knows nothing of one: no field, not `"url": null`
            del user["url"]
        out.append({"created_at": when, "id_str": str(9 * 10**17 + i), "text": "labelled profile", "user": user,
                    "entities": {"hashtags": [], "user_mentions": [], "urls": []}, "lang": "en", "source": "botwatch test"})
    return out
