"""CRC-16/CCITT-FALSE (EMVCo MPM v1.1 §4.7.3) and the CRC verdict, on both twins."""

from __future__ import annotations

import binascii
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jpqr._crc_py import crc16_reference, format_crc

# A payload published with its CRC by dtinth/promptpay-qr (tests/data/published.jsonl).
PROMPTPAY = "00020101021129370016A000000677010111011300668012345675802TH53037646304"


def bitwise_crc(data: bytes, init: int = 0xFFFF) -> int:
    """An independent, bit-at-a-time CRC-16/CCITT-FALSE, straight from its definition."""
    crc = init
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def test_check_value(impl: ModuleType) -> None:
    # The catalogue's check value for CRC-16/CCITT-FALSE (SPEC.md §2).
    assert impl.crc16(b"123456789") == 0x29B1
    assert impl.crc16("123456789") == 0x29B1


def test_reference_check_value() -> None:
    assert crc16_reference(b"123456789") == 0x29B1


def test_trap_init_0x1111_is_not_jpqr(impl: ModuleType) -> None:
    # SPEC.md §2 trap: an article claims init 0x1111; that gives 0xF379, not the JPQR CRC.
    assert impl.crc16(b"123456789", 0x1111) == 0xF379
    assert impl.crc16(b"123456789") != 0xF379


def test_published_payload(impl: ModuleType) -> None:
    assert format_crc(impl.crc16(PROMPTPAY)) == "6197"


def test_str_is_utf8(impl: ModuleType) -> None:
    text = "64200002ZH0104最佳运输0202北京"
    assert impl.crc16(text) == impl.crc16(text.encode("utf-8"))
    assert impl.crc16(text) != impl.crc16(text.encode("utf-16-be"))


def test_empty_input_is_init(impl: ModuleType) -> None:
    assert impl.crc16(b"") == 0xFFFF
    assert impl.crc16(b"", 0x1234) == 0x1234


def test_buffers(impl: ModuleType) -> None:
    data = b"0002010102116304"
    assert impl.crc16(bytearray(data)) == impl.crc16(memoryview(data)) == bitwise_crc(data)


@pytest.mark.parametrize("bad", [None, 12, ["a"]])
def test_bad_type(impl: ModuleType, bad: object) -> None:
    with pytest.raises(TypeError):
        impl.crc16(bad)


@pytest.mark.parametrize("init", [-1, 0x10000])
def test_bad_init(impl: ModuleType, init: int) -> None:
    with pytest.raises(ValueError, match="16-bit"):
        impl.crc16(b"x", init)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=600), init=st.integers(0, 0xFFFF))
def test_equals_crc_hqx(impl: ModuleType, data: bytes, init: int) -> None:
    # binascii.crc_hqx is CPython's own CRC-CCITT (poly 0x1021, no reflection): the same CRC.
    assert impl.crc16(data, init) == binascii.crc_hqx(data, init)
    assert crc16_reference(data, init) == binascii.crc_hqx(data, init)


@given(data=st.binary(max_size=64))
def test_reference_equals_bitwise(data: bytes) -> None:
    assert crc16_reference(data) == bitwise_crc(data)


def test_format_pads_and_uppercases() -> None:
    assert format_crc(0x7B) == "007B"
    assert format_crc(0xA13A) == "A13A"


class TestVerdict:
    GOOD = PROMPTPAY + "6197"

    def test_ok(self, impl: ModuleType) -> None:
        assert impl.crc_verdict(self.GOOD) == "ok"
        assert impl.crc_verdict(self.GOOD.encode()) == "ok"

    def test_lowercase(self, impl: ModuleType) -> None:
        # SPEC.md §6: lower-case CRC, seen in the wild (right value, wrong case).
        payload = "0002010102116304ad0a"
        assert bitwise_crc(b"0002010102116304") == 0xAD0A
        assert impl.crc_verdict(payload) == "lowercase"

    def test_mismatch(self, impl: ModuleType) -> None:
        assert impl.crc_verdict(PROMPTPAY + "6198") == "mismatch"
        assert impl.crc_verdict(PROMPTPAY + "XXXX") == "mismatch"

    def test_missing(self, impl: ModuleType) -> None:
        assert impl.crc_verdict(PROMPTPAY) == "missing"
        assert impl.crc_verdict("") == "missing"
        assert impl.crc_verdict(self.GOOD + "\n") == "missing"

    def test_unpadded_crc_is_missing(self, impl: ModuleType) -> None:
        # SPEC.md §6: a generator that forgot the zero padding writes 3 hex digits.
        assert impl.crc_verdict("00020101021163047B0") == "missing"

    def test_crc_over_latin1_or_utf16_is_mismatch(self, impl: ModuleType) -> None:
        # SPEC.md §6: the CRC must be computed over UTF-8 bytes.
        body = "00020126580014br.gov.bcb.pix5802BR6008BRASÍLIA6304"
        for wrong in ("latin-1", "utf-16-be"):
            payload = body + format_crc(bitwise_crc(body.encode(wrong)))
            assert impl.crc_verdict(payload) == "mismatch"
        assert impl.crc_verdict(body + format_crc(bitwise_crc(body.encode()))) == "ok"

    def test_crc_input_must_include_6304(self, impl: ModuleType) -> None:
        body = "000201010211"
        payload = body + "6304" + format_crc(bitwise_crc(body.encode()))
        assert impl.crc_verdict(payload) == "mismatch"

    def test_invalid_utf8_bytes_still_judged(self, impl: ModuleType) -> None:
        body = b"0002010102115903\xff\xfeA6304"
        assert impl.crc_verdict(body + format_crc(bitwise_crc(body)).encode()) == "ok"
        assert impl.crc_verdict(body + b"\xff\xff\xff\xff") == "mismatch"
