"""The command lines shown in README.md, docs/cli.md and docs/profiles.md are a contract: each
``jpqr …`` command in a ```sh block, followed by a ```text block, prints exactly that text (at 80
columns, on a pipe, run in docs/ so that the files the examples name are there), on both twins,
through the installed ``jpqr`` entry point and ``python -m jpqr`` alike. A command may end in
``| head -n N``: then the first N lines are what it shows."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from .test_cli import run_jpqr, twin, twin_env

__all__ = ["twin"]  # the fixture, shared with test_cli

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
DOCUMENTS = [ROOT / "README.md", DOCS / "cli.md", DOCS / "profiles.md"]
HEAD = re.compile(r"\s*\|\s*head -n (\d+)$")
DECODE_ERROR = re.compile(r"jpqr decode: \[[a-z_]+\.[a-z_]+\] ")
# A ```sh block holding one jpqr command, then (blank lines only between) a ```text block.
EXAMPLE = re.compile(r"```sh\n(jpqr [^\n]*)\n```\n\s*```text\n(.*?)```", re.DOTALL)


def examples() -> list[tuple[str, str, str]]:
    found = []
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for n, match in enumerate(EXAMPLE.finditer(text), 1):
            found.append((f"{document.name}-{n}", match.group(1), match.group(2)))
    return found


EXAMPLES = examples()


def test_documents_show_examples() -> None:
    names = {name.split("-")[0] for name, _, _ in EXAMPLES}
    assert names == {"README.md", "cli.md", "profiles.md"}
    readme = [command for name, command, _ in EXAMPLES if name.startswith("README")]
    assert readme[0].startswith("jpqr validate ")


@pytest.mark.parametrize(
    ("command", "output"), [e[1:] for e in EXAMPLES], ids=[e[0] for e in EXAMPLES]
)
def test_example_prints_what_the_document_shows(twin: str, command: str, output: str) -> None:
    head = HEAD.search(command)
    if head is not None:
        command = command[: head.start()]
    args = shlex.split(command)[1:]
    done = run_jpqr(twin, *args, env=twin_env(twin, COLUMNS="80"), cwd=DOCS)
    shown = done.stdout
    if head is not None:
        shown = "".join(shown.splitlines(keepends=True)[: int(head.group(1))])
    assert shown == output
    # What the command printed says how it ends: a report of an invalid code, or a payload that
    # did not decode (in JSON or as the human error line).
    full = done.stdout
    invalid = any(mark in full for mark in ("INVALID", '"valid": false', '"error": {'))
    invalid = invalid or DECODE_ERROR.search(full) is not None
    assert done.returncode == (1 if invalid else 0), done.stderr


def test_installed_entry_point(twin: str) -> None:
    # `python -m pip install -e .` installs the `jpqr` script next to the interpreter.
    script = Path(sys.executable).with_name("jpqr")
    name, command, output = EXAMPLES[0]
    done = subprocess.run(
        [str(script), *shlex.split(command)[1:]],
        capture_output=True,
        env=twin_env(twin, COLUMNS="80"),
        check=False,
    )
    assert done.stdout.decode("utf-8") == output, name
    assert done.returncode == 0
