"""Hostile input to the command line (issue 13's findings): the human report stays linear in the
payload however many issues it has, and ``jpqr build`` refuses huge or absurdly nested specs with
a clean message and exit status 2, in bounded memory, on both twins."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest

import jpqr
from jpqr import _explain, _terminal
from jpqr._terminal import Marker, Style

from .test_cli import run_jpqr, twin

__all__ = ["twin"]  # the fixture, shared with test_cli


def many_issues() -> str:
    # 1 000 empty RFU objects 65: two errors for each (zero length, duplicate ID), 4 020
    # characters in all.
    body = "000201010211" + "6500" * 1000 + "6304"
    return body + jpqr.format_crc(jpqr.crc16(body))


def test_human_report_escapes_the_payload_once_not_once_per_issue(
    impl: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = many_issues()
    report = jpqr.validate(payload)
    assert len(report.errors) > 1000
    calls = 0
    escape = _terminal.safe_char

    def counted(ch: str) -> str:
        nonlocal calls
        calls += 1
        return escape(ch)

    monkeypatch.setattr(_terminal, "safe_char", counted)
    text = _explain.explain("payload", payload, report, Style(colour=False), Marker(Style(False)))
    assert text.count("\n  error ") == len(report.errors) > 2000
    # Once per character of the payload, plus the messages (the payload was escaped once per
    # issue: 8 million calls here).
    messages = sum(
        len(issue.message) + len(issue.code) + len(issue.path) for issue in report.errors
    )
    assert calls <= len(payload) + messages


def test_located_parts_are_the_same_with_the_index(impl: ModuleType) -> None:
    payload = many_issues()
    tree = impl.decode(payload)
    index = _explain._index(tree)
    located = 0
    for issue in jpqr.validate(payload).errors:
        plain = _explain.locate(payload, issue.code, issue.path, issue.offset, tree)
        fast = _explain.locate(payload, issue.code, issue.path, issue.offset, tree, index)
        assert fast == plain, issue
        located += plain is not None
    assert located == len(jpqr.validate(payload).errors) - 6  # all but the 6 missing fields
    # and an offset no object at the path holds, and a path nothing is at
    for path, offset in (("65", 0), ("65", 11), ("65", len(payload)), ("70", None)):
        plain = _explain.locate(payload, "x.y", path, offset, tree)
        assert _explain.locate(payload, "x.y", path, offset, tree, index) == plain
    # the object 00 02 01 at 0 holds offset 0; nothing is at 70
    assert _explain.locate(payload, "x.y", "65", 0, tree, index) == (0, 6)
    assert _explain.locate(payload, "x.y", "70", None, tree, index) is None


def test_build_refuses_a_spec_too_long_to_be_one(twin: str, tmp_path: Path) -> None:
    spec = tmp_path / "huge.json"
    spec.write_bytes(b" " * (2 << 20) + b"{}")
    done = run_jpqr(twin, "build", str(spec))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        f"jpqr: error: the spec {str(spec)!r} is longer than 1,048,576 bytes; a spec "
        "describes one code\n"
    )


@pytest.mark.parametrize(
    "spec", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000]
)
def test_build_refuses_absurdly_nested_json_cleanly(twin: str, spec: str) -> None:
    done = run_jpqr(twin, "build", "-", input=spec)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == "jpqr: error: the spec '-' is nested too deeply to be a spec\n"
    assert "Traceback" not in done.stderr


def test_build_refuses_a_deep_but_parseable_spec_cleanly(twin: str) -> None:
    # Nested a few hundred deep: json reads it, the builder gets a value of the wrong shape.
    spec = {"merchant_name": json.loads("[" * 500 + "]" * 500)}
    done = run_jpqr(twin, "build", "-", input=json.dumps(spec))
    assert done.returncode in (1, 2) and done.stdout == ""
    assert "Traceback" not in done.stderr and done.stderr.startswith("jpqr")
