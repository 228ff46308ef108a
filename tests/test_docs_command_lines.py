"""Every `botwatch ...` command line the user-facing docs show names a command that exists and
only options that command takes, so a renamed or removed option cannot leave README.md or docs/
telling a new user to type something the CLI refuses. (The long dated logs, methods.md,
performance.md, testing.md and the model cards, quote commands as they were run then, and are
not checked.) Only the command tree is read: nothing is run, so this costs well under a second."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer

ROOT = Path(__file__).resolve().parents[1]
USER_DOCS = ["README.md"] + [f"docs/{n}.md" for n in (
    "collect", "elections", "exports", "ingest-csv", "notebook", "python-api", "spark", "architecture", "labelling-guide")]


def _commands() -> dict[str, Any]:
    """The CLI's commands by name (a group's `commands` hold its subcommands)."""
    from botwatch.cli import app

    return dict(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def _snippets(text: str) -> list[str]:
    """The command text of each code block line (continuations joined, shell comments dropped)
    and of each inline code span that mentions `botwatch CMD`."""
    found: list[str] = []
    for lang, block in re.findall(r"^```(\w*)\n(.*?)^```", text, flags=re.S | re.M):
        if lang in ("", "bash", "sh"):
            for line in block.replace("\\\n", " ").splitlines():
                found.append(re.split(r"\s#", line, maxsplit=1)[0])
    prose = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    found += [" ".join(span.split()) for span in prose.split("`")[1::2]]
    return [s for s in found if re.search(r"(?<![\w./-])botwatch\s+[a-z]", s)]


def _calls(snippet: str) -> list[tuple[list[str], list[str]]]:
    """Each `botwatch WORD [WORD] ... --opt ...` in a snippet: its words and its options, up to the
    end of that command (a pipe, a redirect, `;`, `&&` or the next `botwatch`)."""
    out = []
    for part in re.split(r"(?<![\w./-])botwatch\s+", snippet)[1:]:
        part = re.split(r"\s(?:\||>|;|&&)\s?", part)[0]
        words = re.findall(r"^[a-z][a-z0-9|-]*(?:\s+[a-z][a-z0-9-]*)?", part)
        opts = re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", part)
        out.append((words[0].split() if words else [], opts))
    return out


def _options(cmd: Any) -> set[str]:
    return {o for p in cmd.params for o in (*p.opts, *p.secondary_opts)} | {"--help"}


@pytest.mark.parametrize("doc", USER_DOCS)
def test_every_command_line_in_the_doc_names_real_commands_and_options(doc: str) -> None:
    root = _commands()
    wrong: list[str] = []
    seen = 0
    for snippet in _snippets((ROOT / doc).read_text(encoding="utf-8")):
        for words, opts in _calls(snippet):
            if not words:
                continue
            names = words[0].split("|")  # `botwatch ingest|analyze --engine spark`
            for name in names:
                cmd = root.get(name)
                if cmd is None:
                    wrong.append(f"{snippet.strip()!r}: no command {name!r}")
                    continue
                if hasattr(cmd, "commands"):
                    sub = cmd.commands.get(words[1]) if len(words) > 1 else None
                    if sub is None:
                        if len(words) == 1 and not opts:
                            continue  # prose: "`botwatch collect` captures ..." names the group
                        wrong.append(f"{snippet.strip()!r}: {name} has no subcommand {words[1:2]}")
                        continue
                    cmd = sub
                seen += 1
                missing = [o for o in opts if o not in _options(cmd)]
                if missing:
                    wrong.append(f"{snippet.strip()!r}: {name} takes no {', '.join(missing)}")
    assert not wrong, "\n".join(wrong)
    assert seen or doc in ("docs/python-api.md", "docs/architecture.md", "docs/labelling-guide.md", "docs/notebook.md")


# spark-submit's own options, which docs/spark.md shows beside botwatch's.
SPARK_SUBMIT = {"--archives", "--conf", "--driver-memory", "--jars", "--packages", "--properties-file", "--py-files",
                "--master", "--deploy-mode"}


def _all_options(cmds: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for cmd in cmds.values():
        found |= _options(cmd) | _all_options(getattr(cmd, "commands", {}))
    return found


@pytest.mark.parametrize("doc", USER_DOCS)
def test_an_option_named_alone_in_prose_is_one_some_program_takes(doc: str) -> None:
    """An option quoted without its command ("`--rotate-mb` (64)") is one of the CLI's, or one a
    script, benchmark or module here declares (`"--floor"` in its argument parser), or
    spark-submit's: a renamed option cannot stay in the prose."""
    text = (ROOT / doc).read_text(encoding="utf-8")
    prose = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    spans = [" ".join(span.split()) for span in prose.split("`")[1::2]]
    named = {o for s in spans if not re.search(r"(?<![\w./-])botwatch\s+[a-z]", s)
             for o in re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", s)}
    unknown = named - _all_options(_commands()) - SPARK_SUBMIT
    if unknown:
        sources = "".join(p.read_text(encoding="utf-8") for folder in ("benchmarks", "scripts", "src/botwatch")
                          for p in (ROOT / folder).rglob("*.py"))
        unknown = {o for o in unknown if f'"{o}"' not in sources and f"'{o}'" not in sources}
    assert not unknown, f"{doc} names options nothing here takes: {sorted(unknown)}"


def test_methods_says_which_python_its_bare_python_commands_need() -> None:
    """docs/methods.md quotes its reproduction commands as `python scripts/...`; pasted into a shell
    whose `python` is not the project's venv they stop at `import botwatch`, so the page says up
    front which interpreter they mean."""
    text = (ROOT / "docs" / "methods.md").read_text(encoding="utf-8")
    assert re.search(r"`python (scripts|benchmarks)/", text), "no bare python commands left: drop this test"
    opening = text[:text.index("\n## ")]
    assert "`.venv/bin/python scripts/…`" in opening and "source .venv/bin/activate" in opening
