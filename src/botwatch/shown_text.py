"""Text from outside (file names, record text, reasons quoting a file's bytes) made safe to print.

Why: a file name or a record holding an ESC (`\\x1b[2J`), a carriage return or a right-to-left
override reached the terminal raw: it could clear or repaint the screen, or show `exe.png` for
`gnp.exe`. Every user-facing line that echoes such text passes it through `controls_shown`, the
one place that decides what is shown escaped. Escaping is idempotent (what it writes is printable),
so a message escaped by its writer and again by `fail` reads the same.
"""

from __future__ import annotations

from functools import lru_cache
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markupsafe import Markup

__all__ = ["controls_shown", "file_shown", "name_shown", "has_hidden", "html_shown", "joins_emoji", "json_shown", "record_shown", "shell_shown", "shell_word", "shown_in_page", "shown_in_page_json", "terminal_shown"]

# C0/C1 controls, the line and paragraph separators, and the invisible characters that can disguise
# text (zero-width marks and joiners, bidi embeddings, overrides, isolates and the Arabic letter
# mark, the BOM; the soft hyphen, the combining grapheme joiner, the Hangul and halfwidth fillers
# that make a display name look blank, the Khmer inherent vowels, the Mongolian vowel separator,
# the interlinear annotation marks, and the tag characters U+E0000-E007F, which carry whole hidden
# ASCII strings). One set for the terminal, the exports and the report, as (first, last) code points:
# the terminal's regex (`_CONTROL`) and the exported files' (`FILE_CONTROL_RANGES`, written for
# DuckDB as `table_export.CONTROL_CLASS`) are both built from it.
CONTROL_RANGES = ((0x00, 0x1F), (0x7F, 0x9F), (0xAD, 0xAD), (0x34F, 0x34F), (0x61C, 0x61C), (0x115F, 0x1160), (0x17B4, 0x17B5),
                  (0x180E, 0x180E), (0x200B, 0x200F), (0x2028, 0x202E), (0x2060, 0x2064), (0x2066, 0x2069), (0x3164, 0x3164),
                  (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF9, 0xFFFB), (0xE0000, 0xE007F))
# What an exported file (CSV, GraphML) keeps as it is of that set: NUL (a CSV drops it, Parquet
# keeps it), tab and line breaks (CSV quoting carries them), the zero-width space, non-joiner and
# joiner (the word breaks of Thai, Khmer, Lao and Burmese text; Persian words; emoji sequences) and
# the direction marks LRM, RLM and ALM, which right-to-left posts carry and which override nothing.
KEPT_IN_FILES = "\x00\t\n\r\u200b\u200c\u200d\u200e\u200f\u061c"


def _without(ranges: tuple[tuple[int, int], ...], kept: str) -> tuple[tuple[int, int], ...]:
    """`ranges` less the code points of `kept`."""
    out: list[tuple[int, int]] = []
    for lo, hi in ranges:
        start = lo
        for cp in range(lo, hi + 1):
            if chr(cp) in kept:
                if start < cp:
                    out.append((start, cp - 1))
                start = cp + 1
        if start <= hi:
            out.append((start, hi))
    return tuple(out)


FILE_CONTROL_RANGES = _without(CONTROL_RANGES, KEPT_IN_FILES)
# What an exported file writes escaped: those, and the backslash itself, written `\\`. Left as it
# was, a handle holding the six characters `\u202e` and one holding U+202E read alike in a CSV or
# GraphML file; with it, `\\u202e` is the text and `\u202e` the character.
FILE_ESCAPED_RANGES = tuple(sorted(FILE_CONTROL_RANGES + ((0x5C, 0x5C),)))


def _python_class(ranges: tuple[tuple[int, int], ...]) -> str:
    """A character class for `re` (each code point as a `\\U` escape)."""
    return "[" + "".join(f"\\U{lo:08x}" + ("" if lo == hi else f"-\\U{hi:08x}") for lo, hi in ranges) + "]"


_CONTROL = re.compile(_python_class(CONTROL_RANGES))
_RECORD = re.compile(_python_class(tuple(sorted(CONTROL_RANGES + ((0x5C, 0x5C),)))))
_FILE_CONTROL = re.compile(_python_class(FILE_ESCAPED_RANGES))


ZWJ = "\u200d"
# Extended_Pictographic (Unicode's emoji-data.txt), as ranges: the characters an emoji ZWJ sequence
# (👨‍👩‍👧, 🏳️‍🌈, ❤️‍🔥) joins. Skin-tone modifiers (U+1F3FB-1F3FF) lie inside the last block.
_PICTOGRAPHIC = (
    (0xA9, 0xA9), (0xAE, 0xAE), (0x203C, 0x203C), (0x2049, 0x2049), (0x2122, 0x2122), (0x2139, 0x2139),
    (0x2194, 0x21AA), (0x231A, 0x23FF), (0x24C2, 0x24C2), (0x25AA, 0x25FE), (0x2600, 0x27BF), (0x2934, 0x2935),
    (0x2B05, 0x2B55), (0x3030, 0x3030), (0x303D, 0x303D), (0x3297, 0x3297), (0x3299, 0x3299), (0x1F000, 0x1FAFF),
    (0x1FC00, 0x1FFFD),
)
_VS16 = "\ufe0f"  # emoji presentation: may stand between a pictograph and the joiner (❤️‍🔥)


def _pictographic(ch: str) -> bool:
    o = ord(ch)
    return any(lo <= o <= hi for lo, hi in _PICTOGRAPHIC)


def joins_emoji(text: str, at: int) -> bool:
    """Whether the zero-width joiner at `text[at]` joins two pictographs (an emoji ZWJ sequence:
    👨‍👩‍👧), the one place a joiner is shown as it is. Anywhere else (inside a word, at either end)
    it is hidden text, a way to make two handles or hashtags look alike, and is tagged."""
    before = at - 1
    if before >= 0 and text[before] == _VS16:
        before -= 1
    return before >= 0 and at + 1 < len(text) and _pictographic(text[before]) and _pictographic(text[at + 1])


_BLACK_FLAG, _CANCEL_TAG = "\U0001f3f4", "\U000e007f"


# A subdivision flag: 🏴, tag letters, CANCEL TAG (`table_export.FLAG_SEQUENCE` is the same for DuckDB).
_FLAG = re.compile(f"{_BLACK_FLAG}[\U000e0020-\U000e007e]+{_CANCEL_TAG}")


@lru_cache(maxsize=1)
def _flag_spans(text: str) -> tuple[tuple[int, int], ...]:
    """The (start, end) of each subdivision flag in `text`, found once for all its tag characters:
    looked for around each one, a run of n tag characters cost n² steps (8,000 took 4.6 s)."""
    return tuple(m.span() for m in _FLAG.finditer(text))


def in_flag_sequence(text: str, at: int) -> bool:
    """Whether the tag character at `text[at]` belongs to an emoji flag of a subdivision (🏴 then
    tag letters then CANCEL TAG: the flags of England, Scotland and Wales, common in UK election
    talk), the one place tag characters are shown as they are; anywhere else they are hidden text."""
    return any(start < at < end for start, end in _flag_spans(text))


def _hidden_at(m: re.Match[str]) -> bool:
    """Whether the match of `_CONTROL` is hidden text (not a joiner inside an emoji sequence, nor a
    tag character inside a subdivision flag)."""
    ch = m.group()
    if ch == ZWJ:
        return not joins_emoji(m.string, m.start())
    if "\U000e0000" <= ch <= "\U000e007f":
        return not in_flag_sequence(m.string, m.start())
    return True


def _escaped(m: re.Match[str]) -> str:
    ch = m.group()
    if ch == "\\":  # only `file_shown` and `record_shown` match it
        return "\\\\"
    if not _hidden_at(m):
        return ch
    return f"\\x{ord(ch):02x}" if ord(ch) <= 0xFF else f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}"


def file_shown(text: object) -> str:
    """`str(text)` as an exported file writes it (the GraphML export; the CSV export does the same
    in SQL, `table_export.visible_controls_sql`): each character of `FILE_CONTROL_RANGES` written
    as `\\x1b` / `\\u202e` / `\\U000e0041`, but a tag character inside a subdivision flag, and
    each backslash as two, so the text `\\u202e` (written `\\\\u202e`) and the character differ."""
    return _FILE_CONTROL.sub(_escaped, str(text))


def controls_shown(text: object) -> str:
    """`str(text)` with each control or invisible format character written as `\\x1b` (`\\u202e`
    above U+00FF), but a joiner inside an emoji sequence (`joins_emoji`); everything else, markup
    included, unchanged."""
    return _CONTROL.sub(_escaped, str(text))


def record_shown(text: object) -> str:
    """Text a record holds (a handle, a display name, a post, an evidence sentence quoting a
    profile, a cluster label) for the terminal: `controls_shown`, and each backslash written as
    two. With `controls_shown` alone a handle typed as the four characters `\\x07` and one
    holding a real BEL both printed `\\x07`: the reader could not tell what the account wrote
    from what botwatch escaped. Applied to the record's part of a message where it enters it,
    never to a whole line: botwatch's own text keeps its backslashes (the hint `tr '\\r' '\\n'`
    is a command to paste). Not idempotent, so applied once; `controls_shown` after it (`fail`,
    `warn`) changes nothing, since what it writes is printable."""
    return _RECORD.sub(_escaped, str(text))


# What `name_shown` escapes: `_RECORD`'s set and the lone surrogates U+DC80-DCFF, by which Python
# holds the bytes of a file name that are not UTF-8 (PEP 383, `os.fsdecode`).
_NAME = re.compile(_python_class(tuple(sorted(CONTROL_RANGES + ((0x5C, 0x5C), (0xDC80, 0xDCFF))))))
# How `ingest.source.shown_name` stores such a byte in `sources.path`: the four characters `\xff`.
_STORED_BYTE = re.compile(r"\\x([89a-f][0-9a-f])")


def _name_escaped(m: re.Match[str]) -> str:
    ch = m.group()
    if "\udc80" <= ch <= "\udcff":
        return f"\\x{ord(ch) - 0xDC00:02x}"
    return _escaped(m)


def name_shown(path: object, stored: bool = False) -> str:
    """A file name in a line of prose on the terminal (`ingest`'s line for each input, the "left
    aside" and "no such file" lines, `status`'s study, `collect`'s log): the rule of a record's
    text (`record_shown`), since the name is as much outside text as a handle: each backslash
    written as two, each control or invisible character as `\\x07` / `\\u202e`, and each byte
    of the name that is not UTF-8 as `\\xff`. So a file typed `a\\x07.jsonl` prints
    `a\\\\x07.jsonl` and one holding a BEL `a\\x07.jsonl`, where both printed alike.

    A name inside a command to paste is another rule, `shell_shown` (shell-quoted, backslashes as
    they are: doubled, the pasted command would name another file).

    `stored=True` for a name read back from `sources.path`, where `shown_name` wrote each non-UTF-8
    byte as the four characters `\\xff` (a name typed so is stored alike: the column cannot tell
    them apart). Those four characters are read as the byte they most likely were, so the name is
    shown as the line that read the file showed it; any other backslash is doubled."""
    import os

    s = os.fsdecode(path) if isinstance(path, (bytes, os.PathLike)) else str(path)
    if stored:
        s = _STORED_BYTE.sub(lambda m: chr(0xDC00 + int(m.group(1), 16)), s)
    return _NAME.sub(_name_escaped, s)


def whole_sentences(line: str, limit: int) -> str:
    """The longest start of `line` that ends a sentence (a "." before a space) within `limit`
    characters; "" when its first sentence is longer. Messages cut at a character count ended
    mid-word ("A study can be open for wri"); the follow-mode batch line and the "not recorded"
    note both cut here, each with its own fallback."""
    end = line.rfind(". ", 0, limit + 1)
    return line[: end + 1] if end > 0 else ""


def not_an_option(name: str) -> str:
    """A relative file name that starts with `-` as `./-name`, any other name as it is.

    Quoting does not stop a command from reading `'-my study.duckdb'` as an option ("No such
    option: -m"), so a command given to paste (a hint, the reproduction script) that named such a
    study or input failed when pasted; `./` names the same file and cannot be read as one.
    `-` alone is no option to a command (Click takes it as an argument) and is stdin to `ingest`:
    written `./-`, a reproduced `ingest STUDY -` read a file named `-` instead of its stdin."""
    return "./" + name if name.startswith("-") and name != "-" else name


def shell_word(path: object, *, is_path: bool = True) -> str:
    """`path` as one word to paste into a shell, naming the same file: `shlex.quote` when every
    character of it can be shown as it is (`'my study.duckdb'`); else ANSI-C quoting, `$'...'`,
    which bash, zsh and ksh read (an older dash does not), with each byte of the name that is not UTF-8 as
    `\\xff` and each control or invisible character as its UTF-8 bytes (`\\x1b`). Shown inside
    plain single quotes, `'s\\udcff.duckdb'` or `'s\\x1b.duckdb'` named a file with those
    backslashes in it when pasted, not the file the user had. A name starting with `-` is written
    `./-name` (`not_an_option`); `is_path=False` for a word that is not a file (a search query, an
    account id), which is given back as it is."""
    import os
    import shlex

    s = os.fsdecode(path) if isinstance(path, (bytes, os.PathLike)) else str(path)
    if is_path:
        s = not_an_option(s)
    hidden = {m.start() for m in _CONTROL.finditer(s) if _hidden_at(m)}
    if not hidden and not any("\udc80" <= ch <= "\udcff" for ch in s):
        return shlex.quote(s)
    out = []
    for i, ch in enumerate(s):
        if "\udc80" <= ch <= "\udcff":  # a byte that is not UTF-8, as `os.fsdecode` holds it
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif i in hidden:
            out.append("".join(f"\\x{b:02x}" for b in ch.encode("utf-8", "surrogatepass")))
        elif ch in "\\'":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "$'" + "".join(out) + "'"


def shell_shown(path: object, *, is_path: bool = True) -> str:
    """A path in a command the output tells the user to run: quoted for a POSIX shell when it needs
    it (`'my study.duckdb'`), and written with `$'...'` escapes when it holds a byte that is not
    UTF-8 or a control character (`shell_word`), so the line is safe to print and the command
    names the same file when pasted. Printed bare, a study named with a space gave a command that
    named two files."""
    return controls_shown(shell_word(path, is_path=is_path))


def has_hidden(text: str) -> bool:
    """Whether `text` holds any character `controls_shown` would write escaped (tab and line breaks included)."""
    return any(_hidden_at(m) for m in _CONTROL.finditer(text))


def terminal_shown(text: str) -> tuple[str, int]:
    """`controls_shown` that keeps tab and line breaks (a file's own layout, shown whole), and how
    many characters it wrote escaped."""
    n = 0

    def one(m: re.Match[str]) -> str:
        nonlocal n
        if m.group() in "\t\n\r" or not _hidden_at(m):
            return m.group()
        n += 1
        return _escaped(m)

    return _CONTROL.sub(one, text), n


def json_shown(text: str) -> str:
    """A JSON document from `json.dumps(..., ensure_ascii=False)` with each control or invisible
    format character `controls_shown` escapes written as a JSON `\\uXXXX` escape: the same
    value to any JSON reader, but a handle's U+202E or C1 CSI (U+009B), which `json.dumps` leaves
    raw, no longer reaches a terminal that shows `--json` output. The document's own white space
    (line breaks, a tab of indentation, as DuckDB's JSON array writer indents) stays: inside its
    strings a JSON writer has already escaped every C0 control."""

    def one(m: re.Match[str]) -> str:
        ch = m.group()
        if ch in "\t\n\r" or not _hidden_at(m):
            return ch
        if ord(ch) > 0xFFFF:  # a tag character: JSON writes it as its UTF-16 surrogate pair
            hi, lo = divmod(ord(ch) - 0x10000, 0x400)
            return f"\\u{0xD800 + hi:04x}\\u{0xDC00 + lo:04x}"
        return f"\\u{ord(ch):04x}"

    return _CONTROL.sub(one, text)


def html_shown(value: object) -> "Markup":
    """`shown_in_page`, then HTML-escaped: a label the SVG builders write into markup themselves
    (the report's charts and the timeline's), which the template's own escaping never sees."""
    from markupsafe import escape

    return escape(shown_in_page(value))


def _tag(ch: str) -> str:
    return f"⟨U+{ord(ch):04X}⟩"


def _page_tag(m: re.Match[str]) -> str:
    ch = m.group()
    return ch if ch in "\t\n\r" or not _hidden_at(m) else _tag(ch)


def shown_in_page(text: object, limit: int | None = None) -> str:
    """Text from outside (a post, a name, a handle, a description, a hashtag, a URL, a file name) as
    the report shows it: every control or invisible format character written as a visible
    ⟨U+202E⟩ tag (the same set `controls_shown` escapes for a terminal), tab and line breaks kept
    (HTML white space; a post's lines written as tags would read differently), and so is a zero-width
    joiner inside an emoji sequence (`joins_emoji`: tagged, 👨‍👩‍👧 showed as three faces). `limit` cuts the
    original text to that many characters, the last one "…", before tagging, so a tag is never cut
    in half. Escaping markup stays the template's job.

    Why one function: the report had two, the template environment's last step (which wrote
    `\x1b` / `\u202e`) and the `user_text` filter (which wrote ⟨U+202E⟩ for a smaller set and let
    ESC through), so the same handle read differently from one section to the next. The tag, not
    `\u202e`, is the page's form: a post may hold the six characters `\u202e` as text, and the
    reader must be able to tell what the account wrote from what the report marked. The form is
    idempotent (a tag is printable), so text shown by a section and again by the template's last
    step reads the same."""
    if text is None:
        return ""
    s = str(text)
    if limit is not None and len(s) > limit:
        s = s[: max(limit - 1, 0)] + "…"
    return _CONTROL.sub(_page_tag, s)


# Inside JSON text a control character is an escape (`\u001b`, `\b`, `\f`; U+2028/9 written
# `\u2028` for a <script> block); one preceded by an even run of backslashes is an escape, an odd
# run makes it literal text ("\\u001b" is a backslash and five characters).
_JSON_ESCAPED = re.compile(r"(?<!\\)((?:\\\\)*)\\(u00[01][0-9a-fA-F]|u007[fF]|u2028|u2029|b|f)")
_JSON_SHORT = {"b": "\b", "f": "\f"}


def shown_in_page_json(text: str) -> str:
    """`shown_in_page` over a whole JSON document at once (the report's explorer data, one regex
    pass instead of one call per field for 100k accounts): raw characters and the JSON escapes of
    control characters become the same ⟨U+XXXX⟩ tags; `\n`, `\t` and `\r` are kept."""

    def escaped(m: re.Match[str]) -> str:
        code = m.group(2)
        ch = _JSON_SHORT.get(code) or chr(int(code[1:], 16))
        return m.group(1) + (m.group(0)[len(m.group(1)):] if ch in "\t\n\r" else _tag(ch))

    return _CONTROL.sub(_page_tag, _JSON_ESCAPED.sub(escaped, text))
