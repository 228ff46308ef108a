"""A Bluesky study whose accounts' profiles `collect bluesky` looked up at the AppView, read end to
end: ingest, the accounts stage, and what the report and `explain` then say of those accounts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from botwatch.cli import app
from botwatch.ingest.other_platforms import PROFILE_VIEW
from botwatch.study import open_study

LOOKED_UP_US = 1_796_500_000_000_000  # 2026-12-05, when the profiles were looked up
POSTED_US = LOOKED_UP_US - 3_600_000_000  # an hour earlier


def _post(i: int, did: str) -> dict[str, Any]:
    return {"did": did, "time_us": POSTED_US + i, "kind": "commit",
            "commit": {"operation": "create", "collection": "app.bsky.feed.post", "rkey": f"r{i}",
                       "record": {"text": f"post {i} #GE2017", "createdAt": "2026-12-05T08:00:00Z", "langs": ["en"]}}}


def _view(did: str, created: str, **over: Any) -> dict[str, Any]:
    profile = {"did": did, "handle": f"{did[-4:]}.bsky.social", "displayName": "Jane Doe", "description": "Voter.",
               "createdAt": created, "followersCount": 120, "followsCount": 300, "postsCount": 800, "avatar": "https://cdn.example/a.jpg", **over}
    return {"did": did, "time_us": LOOKED_UP_US, "kind": PROFILE_VIEW, "appview": "https://public.api.bsky.app", "profile": profile}


def study_of(tmp_path: Path, views: list[dict[str, Any]]) -> Path:
    """A study of one post by each viewed account and their profile views, the accounts stage run."""
    cap = tmp_path / "bluesky.jsonl"
    cap.write_text("".join(json.dumps(r) + "\n" for i, v in enumerate(views) for r in (_post(i, v["did"]), v)), encoding="utf-8")
    study = tmp_path / "s.duckdb"
    for args in (["ingest", str(study), str(cap)], ["analyze", str(study), "--no-election", "--only", "accounts"]):
        res = CliRunner().invoke(app, args)
        assert res.exit_code == 0, res.output
    return study


def test_the_unknown_ages_of_looked_up_profiles_are_blamed_on_the_missing_creation_date(tmp_path: Path) -> None:
    """An AppView dates some old accounts 0001-01-01 (no date): their age is unknown because the
    creation date is, though the time their profile was seen is known; the report said "(no time
    the profile was seen)" of every such account."""
    from botwatch.accounts.botmodel import shipped_model
    from botwatch.report.caveats import unknown_age_clause

    study = study_of(tmp_path, [_view("did:plc:aaaa", "0001-01-01T00:00:00.000Z"), _view("did:plc:bbbb", "2024-03-01T10:00:00.000Z")])
    with open_study(study) as st:
        said = unknown_age_clause(st, shipped_model().meta)
    assert said is not None and said.startswith("The account age of 1 of the 2 scored accounts is unknown (no creation date), so its probability"), said


def test_a_bluesky_account_never_looked_up_is_told_where_its_profile_comes_from(tmp_path: Path) -> None:
    """A capture made with --no-profiles (as the docs' first run against the fake Jetstream is), or
    an account still waiting for its lookup, has no profile fact the model reads: `explain` said
    "bot probability unknown" and nothing of why or what to do."""
    study = study_of(tmp_path, [_view("did:plc:aaaa", "2024-03-01T10:00:00.000Z")])
    cap = tmp_path / "more.jsonl"
    cap.write_text(json.dumps(_post(7, "did:plc:cccc")) + "\n", encoding="utf-8")  # its profile never looked up
    for args in (["ingest", str(study), str(cap)], ["analyze", str(study), "--no-election", "--only", "accounts"]):
        assert CliRunner().invoke(app, args).exit_code == 0
    said = " ".join(CliRunner().invoke(app, ["explain", str(study), "did:plc:cccc"]).output.split())
    assert "bot probability unknown; a Bluesky account's come from the profile lookups of `botwatch collect bluesky`" in said, said
    assert "(none for a capture made with --no-profiles;" in said
    looked_up = " ".join(CliRunner().invoke(app, ["explain", str(study), "did:plc:aaaa"]).output.split())
    assert "Bot probability: 0." in looked_up and "profile lookups" not in looked_up, looked_up


def test_the_explorer_says_the_bot_model_never_saw_a_bluesky_account(tmp_path: Path) -> None:
    """The explorer is where one account is picked and its evidence read ("account age (days) 1,000:
    raised the bot score"); only the headline said the model learned from Twitter accounts alone."""
    from botwatch.report.section_explorer import explorer

    study = study_of(tmp_path, [_view("did:plc:aaaa", "2024-03-01T10:00:00.000Z")])
    with open_study(study) as st:
        section = explorer(st, {})
    assert section is not None
    said = " ".join(str(section.html).replace("&#39;", "'").split())
    assert ("<li>The bot model learned from Twitter accounts only; 1 Bluesky account scored here comes from a platform it never saw, "
            "whose accounts' ages, counts and habits it reads as Twitter's, so its probability is not a measured figure.</li>") in said, said[:3000]
