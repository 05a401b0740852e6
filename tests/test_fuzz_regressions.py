"""Inputs found by fuzzing (fuzz/), minimised, on both twins: each once crashed, leaked, read out of
bounds or made the twins disagree. Expected values come from the spec's rules (MAX_INPUT_LENGTH
is counted in bytes for byte input), not from the code under test."""

from __future__ import annotations

import array
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest

import jpqr
from jpqr.dataobject import MAX_INPUT_LENGTH
from jpqr.errors import DecodeError


def _wide_view(payload: bytes) -> memoryview:
    """The payload's bytes seen as 4-byte items: len() is a quarter of the byte count."""
    return memoryview(array.array("I", payload))


# 1500 items of 4 bytes: 6000 bytes, over the 4096-byte cap, though len() says 1500. The compiled
# decode walked all 6000 characters and indexed its table of cached offsets (4097 entries) past
# its end: a segfault. check_code() said "invalid" on one twin and "missing" on the other.
OVERSIZED = _wide_view(b"0000" * 1500)


def test_memoryview_of_wide_items_is_capped_in_bytes(impl: ModuleType) -> None:
    assert OVERSIZED.nbytes > MAX_INPUT_LENGTH >= len(OVERSIZED)
    with pytest.raises(DecodeError) as caught:
        impl.decode(OVERSIZED)
    assert caught.value.code == "tlv.too_long"
    assert caught.value.offset == MAX_INPUT_LENGTH
    assert str(OVERSIZED.nbytes) in caught.value.message
    with pytest.raises(DecodeError, match="6000"):
        impl.check(OVERSIZED)
    assert impl.check_code(OVERSIZED) == (4, -1)  # "invalid", as decode() refuses it
    assert impl.to_text.__name__ == "to_text"
    with pytest.raises(DecodeError):
        impl.to_text(OVERSIZED)


def test_memoryview_of_wide_items_within_the_cap_reads_as_its_bytes(impl: ModuleType) -> None:
    payload = b"0002010102116304AD0A"  # EMVCo §4.7.3 example; 20 bytes, 5 items of 4 bytes
    view = _wide_view(payload)
    assert [o.id for o in impl.decode(view)] == ["00", "01", "63"]
    assert impl.check(view) == "ok"
    assert impl.check_code(view) == (0, 0xAD0A)


def test_validate_reports_an_oversized_wide_memoryview(impl: ModuleType) -> None:
    report = jpqr.validate(OVERSIZED)
    assert not report.ok
    assert "tlv.too_long" in [issue.code for issue in report.errors]


@pytest.mark.cython
@pytest.mark.skipif(jpqr._kernels.NO_EXTENSIONS, reason="JPQR_NO_EXTENSIONS")
def test_crc_path_switch_reaches_the_decoder_kernels() -> None:
    # _crc16.h is compiled into both extensions, each with its own path switch: _use_path() set
    # only _crc's, so check(), check_code() and the batch kernels never ran the paths tests chose.
    from jpqr import _crc, _tlv

    before = _crc._use_path("table")
    try:
        assert _tlv._crc_path() == "table"
    finally:
        _crc._use_path(before)
    assert _tlv._crc_path() == before


# Builder.from_dict (what `jpqr build` reads): only a BuildError may come out of a bad spec.


@pytest.mark.parametrize(
    "spec",
    [
        {"unreserved": "64"},  # dict("64"): ValueError, not BuildError
        {"merchant_accounts": ["02"]},
        {"merchant_account": {"id": "²²", "value": "4000123456789012"}},  # int("²²") raises
        {"unreserved": {"id": "⁸⁰", "guid": "A000000677010111"}},
        {"payment_system_template": {"id": "⁵⁰", "guid": "A000000677010111"}},
        {"merchant_account": {"id": "٣٣", "guid": "A000000677010111"}},  # int() reads 33
    ],
)
def test_builder_spec_of_the_wrong_shape_is_a_build_error(
    impl: ModuleType, spec: dict[str, Any]
) -> None:
    with pytest.raises(jpqr.BuildError) as caught:
        jpqr.Builder.from_dict(spec).build()
    assert caught.value.code in ("build.spec", "build.id")


@pytest.mark.parametrize("amount", ["1e99999999", "1e-99999999", "1E+13"])
def test_builder_amount_with_a_huge_exponent_is_refused_at_once(
    impl: ModuleType, amount: str
) -> None:
    # Formatting 1e99999999 as a fixed-point number wrote 100 MB of text before the 13-character
    # limit (EMVCo ID 54, ans 13) refused it; 1e999999999 would be 1 GB. As text, an exponent is
    # not EMVCo's amount form and is refused at the setter; as a Decimal, by its length.
    with pytest.raises(jpqr.BuildError) as as_text:
        jpqr.Builder("emvco").amount(amount)
    assert (as_text.value.code, as_text.value.path) == ("amount.format", "54")
    builder = jpqr.Builder("emvco").amount(Decimal(amount))
    with pytest.raises(jpqr.BuildError) as caught:
        builder._objects()
    assert caught.value.code == "field.length"
    assert caught.value.path == "54"
    assert len(caught.value.message) < 200


@pytest.mark.parametrize("init", [2**70, -(2**70), 0x10000, -1])
def test_crc16_refuses_an_init_outside_16_bits(impl: ModuleType, init: int) -> None:
    # The compiled twin raised OverflowError for ints beyond a C long.
    with pytest.raises(ValueError) as caught:
        impl.crc16("123456789", init)
    assert str(caught.value) == f"init must be a 16-bit value (0 to 0xFFFF), got {init!r}"


def test_crc16_refuses_a_float_init_as_binascii_does(impl: ModuleType) -> None:
    # The compiled twin took 1.5 as 1 and returned a CRC; binascii.crc_hqx refuses a float.
    import binascii

    with pytest.raises(TypeError) as expected:
        binascii.crc_hqx(b"123456789", 1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError) as caught:
        impl.crc16("123456789", 1.5)
    assert str(caught.value) == str(expected.value)


@pytest.mark.parametrize("init", ["1", None])
def test_crc16_refuses_an_init_that_is_no_number(impl: ModuleType, init: object) -> None:
    with pytest.raises(TypeError):
        impl.crc16("123456789", init)


def test_crc16_takes_a_bool_init_as_binascii_does(impl: ModuleType) -> None:
    import binascii

    assert impl.crc16("123456789", True) == binascii.crc_hqx(b"123456789", 1)


def _nested(depth: int) -> jpqr.DataObject:
    obj = jpqr.DataObject("00", "x")
    for _ in range(depth):
        obj = jpqr.DataObject("62", "", (obj,))
    return obj


@pytest.mark.parametrize("depth", [33, 997, 5_000, 100_000])
def test_encode_of_absurdly_deep_templates_is_refused_at_the_depth_cap(
    impl: ModuleType, depth: int
) -> None:
    # The compiled encoder recursed in C without the interpreter's depth check: a segfault at
    # 100 000 levels (C stack overflow). Then RecursionError on both twins on 3.11, but not on
    # 3.13, whose C recursion limit is another (EncodeError from the compiled twin at 5 000).
    # Now both refuse any tree deeper than 32 templates the same way on every CPython: no such
    # tree can encode (each level adds 4 characters to a 99-character value).
    with pytest.raises(jpqr.EncodeError) as caught:
        impl.encode([_nested(depth)])
    assert caught.value.code == "tlv.too_deep"
    assert caught.value.path == ".".join(["62"] * 33)
    assert "at most 32 deep" in caught.value.message


def test_encode_at_the_depth_cap_says_which_value_is_too_long(impl: ModuleType) -> None:
    # 32 levels are followed: the error is the value that overflows, 5 + 4 * 24 = 101 characters
    # at the 25th template from the bottom (the 8th from the top).
    with pytest.raises(jpqr.EncodeError) as caught:
        impl.encode([_nested(32)])
    assert caught.value.code == "tlv.value_too_long"
    assert caught.value.path == ".".join(["62"] * 8)


def test_encode_of_deep_templates_says_which_value_is_too_long(impl: ModuleType) -> None:
    with pytest.raises(jpqr.EncodeError) as caught:
        impl.encode([_nested(30)])
    assert caught.value.code == "tlv.value_too_long"
    # 00 01 x (5) then 4 more per level: the 25th template's value is 5 + 4 * 24 = 101 characters
    assert caught.value.path == ".".join(["62"] * 6)
    assert "found 101" in caught.value.message


def test_lenient_validate_of_a_wide_memoryview_strips_nothing_it_does_not_have(
    impl: ModuleType,
) -> None:
    # Lenient mode compared the stripped bytes (20) with len() of the view (5 items) and warned
    # "payload.stripped" about a payload with no BOM and no trailing spaces.
    view = _wide_view(b"0002010102116304AD0A")
    report = jpqr.validate(view, lenient=True)
    assert [issue.code for issue in report.warnings] == []
    assert report.payload == "0002010102116304AD0A"
    stripped = jpqr.validate(_wide_view(b"0002010102116304AD0A\r\n  "), lenient=True)
    assert [issue.code for issue in stripped.warnings] == ["payload.stripped"]
    assert stripped.payload == "0002010102116304AD0A"


# --- issue 9: hostile objects (found by an outside tester feeding 35 hostile inputs to the 31
# public functions; the harnesses now feed them too, see fuzz/_common.py). Expected values are
# the spec's: the cap is on the bytes actually decoded, a str subclass is its characters.


class _LyingLength(bytes):
    def __len__(self) -> int:
        return 10


class _OtherBytes(bytes):
    def __bytes__(self) -> bytes:
        return b"000201" * 3000


def test_bytes_subclass_lying_in_len_is_capped_on_its_buffer(impl: ModuleType) -> None:
    # The cap was checked on len() (10) and the decode ran on all 18000 bytes: SIGSEGV.
    with pytest.raises(DecodeError) as caught:
        impl.decode(_LyingLength(b"000201" * 3000))
    assert (caught.value.code, caught.value.offset) == ("tlv.too_long", MAX_INPUT_LENGTH)
    assert "found 18000" in caught.value.message
    assert impl.check_code(_LyingLength(b"000201" * 3000)) == (4, -1)


def test_bytes_subclass_lying_in_bytes_is_read_as_its_buffer(impl: ModuleType) -> None:
    # __bytes__ gave 18000 bytes after the 20-byte buffer passed the cap: SIGSEGV.
    payload = _OtherBytes(b"0002010102116304AD0A")  # EMVCo §4.7.3 example
    assert [o.id for o in impl.decode(payload)] == ["00", "01", "63"]
    assert impl.check(payload) == impl.crc_verdict(payload) == "ok"
    assert jpqr.validate(payload).crc == "ok"


def test_freeing_a_data_object_subclass_with_del_returns() -> None:
    # Never returned with the compiled twin loaded (custom deallocator -> subtype_dealloc ->
    # custom deallocator ...); tests/test_dealloc.py has the other cases, in child processes.
    import subprocess
    import sys

    script = (
        "import jpqr\n"
        "class Logged(jpqr.DataObject):\n"
        "    def __del__(self): pass\n"
        "obj = Logged('00', '01'); del obj\n"
        "print(jpqr.IMPLEMENTATION)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_numpy_str_and_strenum_are_str(impl: ModuleType) -> None:
    # The compiled twin said "TypeError: Expected str" (cdef str in to_text).
    import enum

    import numpy as np

    class Codes(str, enum.Enum):
        CLEAN = "0002010102116304AD0A"

    for text in (np.array(["0002010102116304AD0A"])[0], Codes.CLEAN):
        assert impl.check(text) == "ok"
        assert [o.id for o in impl.decode(text)] == ["00", "01", "63"]
        assert impl.encode([jpqr.DataObject(np.str_("00"), text[4:6])], crc=False) == "000201"


def test_batch_of_a_list_emptied_while_it_is_read_has_no_unwritten_results() -> None:
    # An item's __len__ (called by the old list path) emptied the list: 520 "ok" from np.empty.
    np = pytest.importorskip("numpy")
    from jpqr import batch

    payloads: list[object] = []

    class Emptying(str):
        def __len__(self) -> int:
            payloads.clear()
            return 0

    payloads.extend(["bad"] * 520 + [Emptying("x")])
    result = batch.check(payloads)  # type: ignore[arg-type]
    assert result.verdicts.tolist() == [4] * 521  # every one computed: all invalid
    assert np.all(result.crcs == -1)


def test_batch_of_one_str_is_refused() -> None:
    from jpqr import batch

    with pytest.raises(TypeError, match="sequence of payloads"):
        batch.check("0002010102116304AD0A")


def test_released_memoryview_is_a_report_from_validate(impl: ModuleType) -> None:
    view = memoryview(b"0002010102116304AD0A")
    view.release()
    assert jpqr.validate(view).codes == ("tlv.released",)
    assert jpqr.is_valid(view) is False
    with pytest.raises(DecodeError):
        impl.decode(view)


def test_a_user_str_that_raises_is_never_called(impl: ModuleType) -> None:
    class Loud:
        def __str__(self) -> str:
            raise RuntimeError("called")

        __repr__ = __str__

    with pytest.raises(jpqr.EncodeError, match="found a Loud"):
        impl.encode([jpqr.DataObject(Loud(), "x")])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Loud"):
        impl.decode(Loud())


def test_over_long_input_is_refused_before_it_is_read(impl: ModuleType) -> None:
    # validate() of 100 MB: 286 MiB and 351 ms before tlv.too_long; encode() of a 100 MB str
    # (tuple() of its characters): 4.3 GB. tests/test_hostile_objects.py measures the memory.
    report = jpqr.validate(b"0" * 10_000_000)
    assert (report.codes, report.crc, report.payload) == (("tlv.too_long",), "missing", "")
    with pytest.raises(jpqr.EncodeError) as caught:
        impl.encode("0" * 10_000_000)
    assert caught.value.message == "expected DataObject items, found str"


@pytest.mark.cython
@pytest.mark.skipif(jpqr._kernels.NO_EXTENSIONS, reason="JPQR_NO_EXTENSIONS")
def test_crc_path_switch_reaches_the_rule_engine() -> None:
    # _rules carries a third copy of _crc16.h (its judge() checks the CRC of a clean code): a
    # switch that left it alone ran every CRC path test of validate()/is_valid() on one path.
    from jpqr import _crc, _rules

    before = _crc._use_path("table")
    try:
        assert _rules._crc_path() == "table"
    finally:
        _crc._use_path(before)
    assert _rules._crc_path() == before
