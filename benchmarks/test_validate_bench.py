"""``validate``, ``is_valid`` and ``parse`` on a valid JPQR code, the EMVCo example (valid, Chinese
text) and a code with three errors (benchmarks/payloads.py): the compiled twin (the compiled rule
engine, then the reference engine for findings) against the pure twin (the baseline) and, for
``validate``, against the peers ``qriskit.validate`` and ``cemacqr.validate`` (extra ``bench``).

DESIGN.md / issue 10 bars: clean ``validate`` ≤ 2 µs compiled and ≥ 25x the peers, ``is_valid``
≤ 1 µs, ``parse`` ≤ 6 µs; codes with findings and the pure twin no slower than before
(``benchmarks/report.py`` prints them)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

import jpqr

from .conftest import VALIDATE_PAYLOADS, timed
from .payloads import ASCII_VALID, PROMPTPAY_VALID

KINDS = sorted(VALIDATE_PAYLOADS)
VALID = {"emvco", "jpqr-valid"}


def _bench(benchmark: Any, what: str, kind: str, name: str, baseline: bool) -> None:
    benchmark.group = f"{what}-{kind}"
    benchmark.name = name
    benchmark.extra_info["baseline"] = baseline


@pytest.mark.parametrize("kind", KINDS)
def test_validate(benchmark: Any, impl: ModuleType, kind: str) -> None:
    _bench(
        benchmark, "validate", kind, f"jpqr[{impl.IMPLEMENTATION}]", impl.IMPLEMENTATION == "python"
    )
    report = timed(benchmark, jpqr.validate, VALIDATE_PAYLOADS[kind], calls=50)
    assert report.crc == "ok"
    assert report.ok == (kind in VALID), report.codes
    assert len(report.errors) == (0 if kind in VALID else 3)


@pytest.mark.parametrize("kind", KINDS)
def test_is_valid(benchmark: Any, impl: ModuleType, kind: str) -> None:
    _bench(
        benchmark, "is_valid", kind, f"jpqr[{impl.IMPLEMENTATION}]", impl.IMPLEMENTATION == "python"
    )
    assert timed(benchmark, jpqr.is_valid, VALIDATE_PAYLOADS[kind], calls=50) == (kind in VALID)


@pytest.mark.parametrize("form", ["str", "bytes"])
def test_is_valid_ascii(benchmark: Any, impl: ModuleType, form: str) -> None:
    """A valid ASCII code as text and as exact bytes (the compiled pass reads both itself)."""
    name = f"jpqr[{impl.IMPLEMENTATION}]"
    baseline = impl.IMPLEMENTATION == "python" and form == "str"
    _bench(benchmark, "is_valid", "ascii-valid", f"{name} {form}", baseline)
    payload = ASCII_VALID if form == "str" else ASCII_VALID.encode("ascii")
    assert timed(benchmark, jpqr.is_valid, payload, calls=50) is True


def test_is_valid_promptpay(benchmark: Any, impl: ModuleType) -> None:
    """A valid PromptPay code under auto: the national profile runs on the reference engine."""
    name = f"jpqr[{impl.IMPLEMENTATION}]"
    _bench(benchmark, "is_valid", "promptpay-valid", name, impl.IMPLEMENTATION == "python")
    assert jpqr.validate(PROMPTPAY_VALID).profile == "promptpay"
    assert timed(benchmark, jpqr.is_valid, PROMPTPAY_VALID, calls=50) is True


@pytest.mark.parametrize("kind", sorted(VALID))
def test_parse(benchmark: Any, impl: ModuleType, kind: str) -> None:
    _bench(
        benchmark, "parse", kind, f"jpqr[{impl.IMPLEMENTATION}]", impl.IMPLEMENTATION == "python"
    )
    code = timed(benchmark, jpqr.parse, VALIDATE_PAYLOADS[kind], calls=50)
    assert code.to_payload() == VALIDATE_PAYLOADS[kind]


def _peer(peer: str) -> Callable[[str], Any]:
    module = pytest.importorskip(peer)
    if peer == "qriskit":
        validate: Callable[[str], Any] = module.validate
        return validate

    def cemacqr_validate(payload: str) -> Any:  # it validates a parsed payload
        try:
            return module.validate(module.parse_payload(payload))
        except module.CemacQrError as exc:
            return exc

    return cemacqr_validate


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("peer", ["qriskit", "cemacqr"])
def test_peer_validate(benchmark: Any, peer: str, kind: str) -> None:
    _bench(benchmark, "validate", kind, f"{peer}.validate", False)
    timed(benchmark, _peer(peer), VALIDATE_PAYLOADS[kind], calls=20)
