"""The recorded reports (tests/data/reports/, made by make_fixture.py before the rules became data)
are reproduced byte for byte on both twins: every issue's code, path, offset and message, in order,
for about 23 000 payloads under every profile, strict off and on, and lenient."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from functools import cache
from types import ModuleType
from typing import Any

import pytest

from .conftest import DATA

FIXTURE = DATA / "reports" / "reports.jsonl.gz"
CHUNKS = 8


@cache
def entries() -> list[dict[str, Any]]:
    with gzip.open(FIXTURE, "rt", encoding="ascii") as lines:
        return [json.loads(line) for line in lines]


def expected_reports(entry: dict[str, Any]) -> Iterator[tuple[str, bool, bool, list[Any]]]:
    """(profile, strict, lenient, report) for every report the fixture implies."""
    recorded = entry["reports"]
    for profile in ("auto", "emvco", "jpqr"):
        plain = recorded[profile]
        yield profile, False, False, plain
        yield profile, True, False, recorded.get(profile + "+strict", plain)
    yield "auto", False, True, recorded.get("auto+lenient", recorded["auto"])


def test_fixture_is_large_and_varied() -> None:
    data = entries()
    assert len(data) > 20_000
    codes = {
        issue[0] for entry in data for report in entry["reports"].values() for issue in report[3]
    }
    assert len(codes) >= 30  # the fixture exercises most issue codes, not one path
    assert any(entry["reports"]["auto"][0] for entry in data)  # and valid codes


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_reports_are_reproduced(impl: ModuleType, chunk: int) -> None:
    import jpqr
    from tests.data.reports.make_fixture import decode_payload, report_record

    data = entries()
    for entry in data[chunk::CHUNKS]:
        payload = decode_payload(entry)
        for profile, strict, lenient, expected in expected_reports(entry):
            report = jpqr.validate(payload, profile, strict=strict, lenient=lenient)
            got = json.dumps(report_record(report, payload), ensure_ascii=True)
            want = json.dumps(expected, ensure_ascii=True)
            assert got == want, (payload, profile, strict, lenient)
            assert jpqr.is_valid(payload, profile, strict=strict, lenient=lenient) == expected[0]


@cache
def model_entries() -> list[tuple[int, str]]:
    with gzip.open(FIXTURE.with_name("models.jsonl.gz"), "rt", encoding="ascii") as lines:
        return [(int(index), str(digest)) for index, digest in map(json.loads, lines)]


def test_typed_models_are_reproduced(impl: ModuleType) -> None:
    """What from_tree reads (both twins: the compiled one reads a clean code's tree) and what
    parse gives for each recorded payload that decodes, against the recorded digests."""
    import jpqr
    from jpqr import model
    from jpqr.profiles._compiled import read_tree
    from tests.data.reports.make_fixture import decode_payload, model_digest

    data = entries()
    recorded = model_entries()
    assert len(recorded) > 10_000
    for index, digest in recorded:
        entry = data[index]
        payload = decode_payload(entry)
        tree = impl.decode(payload)
        assert model_digest(model.from_tree(tree)) == digest, payload
        if impl.IMPLEMENTATION == "cython" and type(payload) is str:
            assert model_digest(read_tree(tree)) == digest, payload
        if entry["reports"]["auto"][0]:
            assert model_digest(jpqr.parse(payload)) == digest, payload
