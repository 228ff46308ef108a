"""Which rules in code made a study's content labels (`post_party` stance, `post_labels` sentiment).

Why: the content stage recorded the SHA-256 of its model files, so labels made with other files
were said to be out of date (`report.staleness.content_model_changed`), but a change to the
stance or sentiment rules in code changes the labels just as much and was never said: a report
could quote this release's macro-F1 beside labels made by older rules. The content stage records
`CONTENT_RULES_VERSION` in its run's parameters, and the staleness check compares it.

Bump the version whenever a change to the code moves any label, and say below which change each
bump was for:

1. A not-negative quote of one side's account cancels with the other side's pro cue
   (`content.stance` `rival_cues_cancel`, extended to quotes on 2026-12-07). Runs of earlier
   releases recorded no version and read as 0.
2. Hashtags compare with German umlauts and ß spelt out (`content.normalize.TAG_SPELLINGS`):
   #gehtwählen matches a file's #gehtwaehlen, #Gruene its #Grüne (2026-12-07).
3. Russian "ё" is read as "е" in tags and text (`tag_spellings.TAG_SPELLINGS`,
   `content.normalize.norm_text`): a post's #Зеленые or "зеленые" names a party listing
   #Зелёные or "зелёные" (2026-12-07).
4. A word mixing Latin and Cyrillic look-alike letters is read in the script most of its letters
   are in (`content.normalize.one_script`): a post's #EдинаяPоссия names a party listing
   #ЕдинаяРоссия (2026-12-07).
5. The stance and sentiment features read a party's names as the matcher does
   (`content.features.read_as_matcher`, `tag_spellings`): a post's #EдинаяPоссия, "зеленые",
   "lаbour" (a Cyrillic а) or #PodestaEmails33 is masked as `tgt`/`oth` where it had stayed a
   word (2026-12-08).
"""

from __future__ import annotations

from typing import Any

CONTENT_RULES_VERSION = 5
CONTENT_RULES_VERSION_KEY = "content_rules_version"

def recorded_rules_version(params: dict[str, Any]) -> int:
    """The rules version a content run was made with: the one it recorded, else 0. A run recorded
    none only when an earlier release made it (this release's content stage always records one),
    and every earlier release's rules are older than version 1's."""
    got = params.get(CONTENT_RULES_VERSION_KEY)
    return got if isinstance(got, int) and not isinstance(got, bool) else 0
