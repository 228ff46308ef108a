"""Language names as archives write them, to ISO 639-1 codes, and the tags that mean "not known".

FiveThirtyEight's IRA files name each post's language in words ("English", "Farsi (Persian)",
"Simplified Chinese") and write "LANGUAGE UNDEFINED" where the collector could not tell. The
reader that stores a post's language (`ingest.csv_formats.ira_lang`) and the content stage that
reads it (`content.language.normalise_tag`) share this one table, so that a name is never a code
to one and an unknown word to the other: "language undefined" stored as a language made 7,097
IRA posts (0.4 %) "not English" to the content stage, which then measured no stance for them and
never ran its own detector on them, and a language of their own to the origin model's counts.
"""

from __future__ import annotations

# Tags that say no language is known: Twitter's own ('und', 'zxx' media only, the q* codes of
# hashtag-, link- or emoji-only posts) and the words archives write for it.
UNKNOWN_TAGS = frozenset({
    "", "und", "zxx", "qme", "qht", "qst", "qam", "qct", "qnd", "unknown", "lang", "none", "language undefined",
})

# Codes Twitter writes where everyone else writes another one. Its API still returns Java's
# withdrawn ISO 639 codes for three languages ("lang": "in" for Indonesian, "iw" for Hebrew, "ji"
# for Yiddish; 8 of the twarc2 samples' posts in ../shared/data are tagged "in"), and its profiles'
# interface languages name Filipino and Malay "fil" and "msa". A detector, the IRA files'
# names and the origin model's country table use the current codes, so "in" must not be a
# language of its own (nor, read as a word, no language at all).
LEGACY_CODES = {"in": "id", "iw": "he", "ji": "yi", "fil": "tl", "msa": "ms"}


def current_code(code: str) -> str:
    """The current ISO 639-1 code for a (lower-case, region-less) language code: `LEGACY_CODES`
    mapped, any other code as it is."""
    return LEGACY_CODES.get(code, code)


def language_code(tag: str) -> str:
    """The language of a lower-cased tag: its region dropped ('en-gb', 'zh_tw' → 'en', 'zh') and
    Twitter's legacy codes mapped ('in' → 'id'). The caller lower-cases (or case-folds) it: the
    content stage, the origin model and the female-name signal each read tags this one way."""
    return current_code(tag.split("-")[0].split("_")[0])


LANGUAGE_NAMES = {
    "english": "en", "russian": "ru", "german": "de", "ukrainian": "uk", "italian": "it",
    "spanish": "es", "french": "fr", "arabic": "ar", "japanese": "ja", "dutch": "nl",
    "portuguese": "pt", "serbian": "sr", "macedonian": "mk", "bulgarian": "bg", "romanian": "ro",
    "farsi (persian)": "fa", "farsi": "fa", "persian": "fa", "turkish": "tr", "polish": "pl",
    "swedish": "sv", "norwegian": "no", "uzbek": "uz", "vietnamese": "vi", "chinese": "zh",
    "simplified chinese": "zh", "traditional chinese": "zh", "korean": "ko", "estonian": "et",
    "latvian": "lv", "lithuanian": "lt", "czech": "cs", "croatian": "hr", "hungarian": "hu",
    "finnish": "fi", "danish": "da", "greek": "el", "hebrew": "he", "hindi": "hi", "indonesian": "id",
    "kazakh": "kk", "belarusian": "be", "albanian": "sq", "slovak": "sk", "slovenian": "sl",
    "tagalog (filipino)": "tl", "tagalog": "tl", "thai": "th", "urdu": "ur", "pushto": "ps",
    "somali": "so", "catalan": "ca", "icelandic": "is", "kurdish": "ku", "malay": "ms",
    "gujarati": "gu", "bengali": "bn",
}
