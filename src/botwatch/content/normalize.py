"""Normalising hashtags, handles and text so that matching is case- and variant-insensitive.

People write the same tag many ways (#VoteLabour, #votelabour, #Vote_Labour, #ImWithHer2016,
#PodestaEmails9, #Grüne and #Gruene, #Зелёные and #Зеленые), so tags are case-folded, stripped of
'_' and '-', German umlauts and ß spelt out (ae, oe, ue, ss), Russian ё read as е (in text too),
and a trailing number may be dropped when comparing. The same functions are applied to the preset's lists and to the posts, so both
sides agree by construction.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

# German umlauts and ß spelt out in tags, and words mixing Latin and Cyrillic look-alikes read in
# one script: in modules free of Arrow, which the live collectors share.
from botwatch.script_twins import MIXED_SCRIPT_RE2, one_script
from botwatch.tag_spellings import SEPARATORS as _SEP, TAG_SPELLINGS, YE, YO, ascii_tag_key, spell_out as _spell_tag

_YEAR = re.compile(r"\d+$")
YEAR_RE2 = r"\d+$"
URL_RE2 = r"https?://\S+"


# Greek final sigma: lower-case "Σ" is "σ" wherever it stands in Arrow's lower-casing, so an
# upper-case post ("ΜΗΤΣΟΤΑΚΗΣ") ends in "σ" where the word as written ends in "ς".
FINAL_SIGMA, SIGMA = "\u03c2", "\u03c3"


def _one_script_arrow(v: pa.Array) -> pa.Array:
    """`one_script` over the rows of a lower-cased string array that hold a mixed-script word
    (found by one regular expression over all rows, so text in one script costs one scan)."""
    if isinstance(v, pa.ChunkedArray):
        v = v.combine_chunks()
    mask = pc.fill_null(pc.match_substring_regex(v, MIXED_SCRIPT_RE2), False)
    if not pc.any(mask).as_py():
        return v
    fixed = [one_script(x) if x is not None else None for x in pc.filter(v, mask).to_pylist()]
    return pc.replace_with_mask(v, mask, pa.array(fixed, v.type))


def fold(word: str) -> str:
    """A word of an election file as the posts' words are compared with it: NFKC, lower-cased by
    the same function as the posts' text and tags (`norm_text`, `norm_tags_arrow`), final sigma
    as sigma. Python's `casefold` made "ß" "ss", "ς" "σ" and "İ" "i̇" where the posts' lower-casing
    keeps "ß" and "ς" and gives "i": a file's "weiß", "Μητσοτάκης" or "İYİ" matched no post.
    Russian "ё" is read as "е", as `norm_text` reads the posts: "зелёные" names a post's "зеленые"."""
    low = pc.utf8_lower(pc.utf8_normalize(pa.array([word], pa.string()), "NFKC"))[0].as_py()
    return one_script(low.replace(FINAL_SIGMA, SIGMA).replace(YO, YE))


def norm_tag(tag: str) -> str:
    """'#Vote_Labour' → 'votelabour' (`fold`ed, separators removed); '#Grüne' → 'gruene', as
    '#Gruene' (`TAG_SPELLINGS`)."""
    key = ascii_tag_key(tag)  # the same answer without an Arrow call, where the tag is ASCII
    return key if key is not None else _spell_tag(_SEP.sub("", fold(tag).lstrip("#")))


def strip_year(tag: str) -> str:
    """'imwithher2016' → 'imwithher', 'podestaemails9' → 'podestaemails'; all-digit tags are kept."""
    s = _YEAR.sub("", tag)
    return s or tag


def norm_tags_arrow(tags: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Flattened, normalised tags of a list<string> column and each tag's row index."""
    flat = pc.list_flatten(tags)
    parents = pc.list_parent_indices(tags)
    v = pc.utf8_normalize(flat, "NFKC")
    v = pc.utf8_lower(v)
    v = pc.replace_substring(v, FINAL_SIGMA, SIGMA)
    v = _one_script_arrow(v)
    v = pc.replace_substring_regex(v, r"^#|[_\-\s]", "")
    for letter, spelt in TAG_SPELLINGS:
        v = pc.replace_substring(v, letter, spelt)
    return v, parents


def norm_text(text: pa.Array) -> pa.Array:
    """Lower-cased text with URLs blanked, typographic apostrophes straightened, Russian "ё"
    read as the "е" most Russian text prints for it (a file's keyword "зелёные" and a post's
    "зеленые" are one word; `tag_spellings`) and words mixing Latin and Cyrillic look-alikes
    in one script (`one_script`)."""
    t = pc.fill_null(text, "")
    t = pc.utf8_normalize(t, "NFKC")
    t = pc.utf8_lower(t)
    t = pc.replace_substring(t, YO, YE)
    t = _one_script_arrow(t)
    t = pc.replace_substring(t, "\u2019", "'")
    t = pc.replace_substring(t, "&amp;", "&")
    return pc.replace_substring_regex(t, URL_RE2, " ")
