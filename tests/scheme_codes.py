"""The published payloads of a national scheme (``tests/data/schemes/<name>.jsonl``) and their
single-rule mutations, made independently of jpqr: a reader that knows only ID, length, value
(lengths in characters), and the CRC of ``check_payloads.py`` recomputed after each change."""

from __future__ import annotations

import importlib.util
import json
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from jpqr.report import ValidationReport

from .conftest import DATA

SCHEMES = DATA / "schemes"
_spec = importlib.util.spec_from_file_location("check_payloads", SCHEMES / "check_payloads.py")
assert _spec is not None and _spec.loader is not None
_checks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_checks)
crc16 = _checks.crc16_ccitt_false

Objects = list[tuple[str, str]]


def published(name: str) -> list[dict[str, Any]]:
    """Every line of ``<name>.jsonl``."""
    with open(SCHEMES / f"{name}.jsonl", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def clean(name: str) -> list[str]:
    """The payloads of ``<name>.jsonl`` whose CRC and TLV facts are both ``ok``."""
    return [e["payload"] for e in published(name) if e["crc"] == "ok" and e["tlv"] == "ok"]


def read(text: str) -> Objects:
    """``text`` as (ID, value) pairs, one level."""
    objects, pos = [], 0
    while pos < len(text):
        end = pos + 4 + int(text[pos + 2 : pos + 4])
        objects.append((text[pos : pos + 2], text[pos + 4 : end]))
        pos = end
    return objects


def write(objects: Objects) -> str:
    """The pairs as ID, 2-digit length (in characters), value."""
    assert all(len(value) <= 99 for _, value in objects), "a value over 99 characters"
    return "".join(f"{id}{len(value):02d}{value}" for id, value in objects)


def with_crc(body: str) -> str:
    """``body`` (without its 63) followed by ``6304`` and its CRC."""
    body += "6304"
    return body + f"{crc16(body.encode('utf-8')):04X}"


def mutate(payload: str, path: str, value: str | None = None, *, rename: str = "") -> str:
    """``payload`` with the object at ``path`` (``"53"``, ``"26.01"``; the first of its ID) set
    to ``value``, or removed (``None``), or given the ID ``rename``; added at the end of its
    level where it is not there; the CRC recomputed."""
    root = [obj for obj in read(payload) if obj[0] != "63"]
    return with_crc(write(_change(root, path.split("."), value, rename)))


def _change(objects: Objects, path: list[str], value: str | None, rename: str) -> Objects:
    head, rest = path[0], path[1:]
    index = next((i for i, obj in enumerate(objects) if obj[0] == head), None)
    out = list(objects)
    if rest:
        assert index is not None, f"no ID {head} to descend into"
        inner = write(_change(read(out[index][1]), rest, value, rename))
        out[index] = (head, inner)
    elif rename:
        assert index is not None, f"no ID {head} to rename"
        out[index] = (rename, out[index][1])
    elif value is None:
        assert index is not None, f"no ID {head} to remove"
        del out[index]
    elif index is None:
        out.append((head, value))
    else:
        out[index] = (head, value)
    return out


def found(report: ValidationReport) -> list[tuple[str, str]]:
    """The (code, path) of each error of ``report``, in order."""
    return [(issue.code, issue.path) for issue in report.errors]


def warned(report: ValidationReport) -> list[tuple[str, str]]:
    """The (code, path) of each warning of ``report``, in order."""
    return [(issue.code, issue.path) for issue in report.warnings]


# GUIDs of no scheme here ("x." in front keeps them off every known one), and the sub-values of
# a template (any printable ASCII), for the "foreign template" properties: at most 26 + 4 and
# 4 x (10 + 4) characters, so the template stays within a 2-digit length.
GUIDS = st.from_regex(r"x\.[a-z.]{1,24}", fullmatch=True)
SUB_VALUES = st.lists(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=10),
    max_size=4,
)
# The impl fixture is the same for every example (it only selects a twin).
ON_BOTH_TWINS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def foreign(guid: str, values: list[str]) -> str:
    """A template of another scheme: ``guid`` in 00, then ``values`` as 01, 02, ..."""
    return write([("00", guid), *((f"{n:02d}", value) for n, value in enumerate(values, 1))])
