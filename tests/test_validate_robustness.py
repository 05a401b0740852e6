"""Junk never crashes or hangs validation, and the twins give identical reports."""

from __future__ import annotations

from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jpqr
from jpqr import _kernels
from jpqr.report import ValidationReport

from .conftest import PUBLISHED, twin
from .strategies import SCRIPTS, trees
from .test_validate import crc_of

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
junk_text = st.text(alphabet=SCRIPTS + "0123456789" * 4 + "\ufeff\r\n\x00\x7f", max_size=300)


def check_report(report: ValidationReport) -> None:
    assert report.ok == (not report.errors)
    assert report.crc in ("ok", "lowercase", "mismatch", "missing")
    assert report.profile in ("emvco", "jpqr")
    for issue in report.errors + report.warnings:
        assert issue.code.count(".") == 1 and issue.message
        assert issue.offset is None or 0 <= issue.offset <= max(len(report.payload), 4096)


@SETTINGS
@given(text=junk_text, profile=st.sampled_from(["auto", "emvco", "jpqr"]))
def test_junk_text(impl: ModuleType, text: str, profile: str) -> None:
    for given_text in (text, text + "6304", text + "6304" + crc_of(text + "6304")):
        for lenient in (False, True):
            check_report(jpqr.validate(given_text, profile, lenient=lenient))


@SETTINGS
@given(data=st.binary(max_size=300))
def test_junk_bytes(impl: ModuleType, data: bytes) -> None:
    check_report(jpqr.validate(data))
    check_report(jpqr.validate(data, strict=True, lenient=True))


@SETTINGS
@given(objects=trees)
def test_random_trees(impl: ModuleType, objects: list[jpqr.DataObject]) -> None:
    payload = impl.encode(objects)
    report = jpqr.validate(payload)
    check_report(report)
    assert report.crc == "ok"
    if report.ok:
        assert jpqr.parse(payload).to_payload() == payload
    else:
        with pytest.raises(jpqr.JPQRError) as caught:
            jpqr.parse(payload)
        assert caught.value.code == report.errors[0].code


TWINS: tuple[_kernels.Implementation, ...] = ("python", "cython")


def reports_by_twin(payload: str) -> list[ValidationReport]:
    results = []
    for name in TWINS:
        with twin(name):
            results.append(jpqr.validate(payload))
    return results


# A compiled twin that is not built fails these (twin() raises); only pure mode on purpose skips.
needs_both = pytest.mark.skipif(_kernels.NO_EXTENSIONS, reason="JPQR_NO_EXTENSIONS is set")


@needs_both
@pytest.mark.parametrize("vector", PUBLISHED, ids=[f"v{i}" for i in range(len(PUBLISHED))])
def test_twins_give_identical_reports_on_vectors(vector: dict[str, str]) -> None:
    first, *others = reports_by_twin(vector["payload"])
    assert all(other == first for other in others)


@needs_both
@settings(max_examples=150, deadline=None)
@given(text=junk_text)
def test_twins_give_identical_reports_on_junk(text: str) -> None:
    first, *others = reports_by_twin(text)
    assert all(other == first for other in others)
