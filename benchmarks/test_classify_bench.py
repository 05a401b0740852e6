"""``jpqr.classify`` of the JPQR example and of a code whose GUID is a near miss, against
``jpqr.decode`` of the same text in the same run (the baseline: classify is decode plus the
scheme look-up), on both twins; and ``guid_kind`` of a GUID seen before (what the compiled auto
pass asks on a cache miss of its own) against a dict look-up of it."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

import jpqr
from jpqr.profiles import _classify

from .conftest import JPQR_VALID, timed

NEAR_MISS = JPQR_VALID.replace("jp.or.paymentsjapan", "jp.co.paymentsjapan")  # CRC aside
CODES = {"jpqr": JPQR_VALID, "near-miss": NEAR_MISS}


@pytest.mark.parametrize("kind", sorted(CODES))
@pytest.mark.parametrize("what", ["classify", "decode"])
def test_classify(benchmark: Any, impl: ModuleType, kind: str, what: str) -> None:
    benchmark.group = f"classify-{kind}-{impl.IMPLEMENTATION}"
    benchmark.name = f"{what}[{impl.IMPLEMENTATION}]"
    benchmark.extra_info["baseline"] = what == "decode"
    function = jpqr.classify if what == "classify" else jpqr.decode
    result = timed(benchmark, function, CODES[kind], calls=50)
    if what == "classify":
        assert result.profile == ("jpqr" if kind == "jpqr" else "emvco")


@pytest.mark.parametrize("what", ["guid_kind", "dict"])
def test_guid_kind(benchmark: Any, what: str) -> None:
    benchmark.group = "guid_kind"
    benchmark.name = what
    benchmark.extra_info["baseline"] = what == "dict"
    table = {"JP.CO.PAYMENTSJAPAN": 2}
    function = _classify.guid_kind if what == "guid_kind" else table.get
    assert timed(benchmark, function, "JP.CO.PAYMENTSJAPAN") == 2
