"""Hostile but legal objects (tests/hostile.py) fed to every public function, on both twins
(issue 9, part 6).

The rule, from DESIGN ("Bad input never crashes, hangs or leaks") and docs/wire-format.md: a
``str`` subclass is read as the characters it holds and a bytes-like object through its buffer,
so a hostile object gives exactly what its plain content gives (the same result, or the same
error: class, code, message, offset, path), on both twins; anything else is a TypeError (or the
function's documented jpqr error), identical on both twins. No user method is ever called: the
ones that raise ``Boom`` would fail the test.
"""

from __future__ import annotations

import binascii
import dataclasses
import enum
import gc
import sys
import threading
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import jpqr
from jpqr import DataObject, JPQRError, _kernels, batch
from jpqr.api import detect_profile
from jpqr.dataobject import MAX_INPUT_LENGTH
from jpqr.errors import DecodeError, EncodeError

from .conftest import twin
from .hostile import (
    BIG,
    CLEAN,
    HOSTILE,
    Boom,
    IndexOnly,
    LyingIndex,
    OtherBytes,
    OtherStr,
    Payloads,
    PretendStr,
    RaisingObject,
    RaisingStr,
    ShortLenBytes,
    ShortLenStr,
    released,
)

TWINS: tuple[_kernels.Implementation, ...] = ("python", "cython")
CONTENTS = [
    CLEAN,
    BIG,
    "",
    "0002010102116304ad0a",  # lower-case CRC
    "\ufeff" + CLEAN,  # a BOM
    CLEAN + "\r\n",  # transport line end
    "64200002ZH0104最佳运输0202北京",  # EMVCo §4.8 example: counts in characters
    "0002010102116304AD0",  # truncated
]


def _normal(result: Any) -> Any:
    if isinstance(result, batch.BatchResult):
        return ("batch", result.verdicts.tolist(), result.crcs.tolist())
    if isinstance(result, jpqr.Builder):
        return "builder"
    if isinstance(result, tuple):
        return repr(result)  # tells DataObject from tuple
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return repr(result)
    return (type(result), result)


def outcome(function: Callable[[Any], Any], value: Any) -> tuple[Any, ...]:
    """The result, or the error as everything a caller sees of it; Boom (a user method was
    called) and any other exception escape and fail the test."""
    try:
        result = function(value)
    except JPQRError as error:
        return ("jpqr", type(error), error.code, error.message, error.offset, error.path)
    except (TypeError, ValueError, IndexError) as error:
        return ("raised", type(error), str(error))
    except Boom:
        return ("boom",)  # a user method called: only iterating a user's iterable may
    return ("returned", _normal(result))


def _batch_one(payload: Any) -> Any:
    return batch.check([payload, payload])


# Functions that read the payload's content: a hostile object must give what its plain content
# gives. The kernels are looked up when called, so twin() reaches them.
READERS: dict[str, Callable[[Any], Any]] = {
    "decode": lambda p: _kernels.decode(p),
    "check": lambda p: _kernels.check(p),
    "check_code": lambda p: _kernels.check_code(p),
    "to_text": lambda p: _kernels.to_text(p),
    "crc16": lambda p: _kernels.crc16(p),
    "crc_verdict": lambda p: _kernels.crc_verdict(p),
    "jpqr.decode": lambda p: jpqr.decode(p),
    "jpqr.check": lambda p: jpqr.check(p),
    "validate": lambda p: jpqr.validate(p),
    "validate/lenient": lambda p: jpqr.validate(p, lenient=True),
    "validate/emvco": lambda p: jpqr.validate(p, "emvco"),
    "is_valid": lambda p: jpqr.is_valid(p),
    "parse": lambda p: jpqr.parse(p),
    "detect_profile": detect_profile,
    "batch.check": _batch_one,
}
# Functions that take text fields: the same, and the type is named in messages.
WRITERS: dict[str, Callable[[Any], Any]] = {
    "encode/value": lambda v: jpqr.encode([DataObject("59", v)]),
    "encode/id": lambda v: jpqr.encode([DataObject(v, "x")], crc=False),
    "encode/objects": lambda v: jpqr.encode(v),
    "template": lambda v: DataObject.template("62", v),
    "Builder.merchant_name": lambda v: jpqr.Builder("emvco").merchant_name(v),
    "Builder.merchant_city": lambda v: jpqr.Builder("emvco").merchant_city(v),
    "Builder.currency": lambda v: jpqr.Builder("emvco").currency(v),
    "Builder.country": lambda v: jpqr.Builder("emvco").country(v),
    "Builder.amount": lambda v: jpqr.Builder("emvco").amount(v),
    "Builder.bill_number": lambda v: jpqr.Builder("emvco").bill_number(v),
    "Builder.unreserved": lambda v: jpqr.Builder("emvco").unreserved("80", v, **{"01": "x"}),
    "Builder.from_dict": lambda v: jpqr.Builder.from_dict({"merchant_name": v}),
}
WRITER_CONTENTS = ["TOKYO", "JPY", "JP", "12.5", "00", "x" * 5000, "最佳", ""]


def _call(call: Callable[[], object]) -> object:
    return call()


def both(function: Callable[[Any], Any], make: Callable[[], Any]) -> tuple[Any, ...]:
    """The outcome on each twin (a fresh object each time: a released view cannot be reused)."""
    results = []
    for name in TWINS:
        if name == "cython" and _kernels.NO_EXTENSIONS:
            continue
        with twin(name):
            results.append(outcome(function, make()))
    assert all(r == results[0] for r in results), results
    return results[0]


@pytest.mark.parametrize("function", list(READERS), ids=list(READERS))
@pytest.mark.parametrize("hostile", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_readers_read_the_content_not_the_methods(hostile: Any, function: str) -> None:
    name, make, plain = hostile
    call = READERS[function]
    for content in CONTENTS:
        if ("2-D" in name or "fortran" in name) and len(content) % 2:
            content += " "
        got = both(call, partial(make, content))
        assert got != ("boom",), (name, function, content)
        if plain is None:
            if function == "detect_profile":  # documented: "emvco" for anything unreadable
                assert got == ("returned", (str, "emvco"))
            else:
                assert got[:2] == ("raised", TypeError), (name, function, got)
            continue
        assert got == both(call, partial(plain, content)), (name, function, content)


@pytest.mark.parametrize("function", list(WRITERS), ids=list(WRITERS))
@pytest.mark.parametrize("hostile", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_writers_hold_both_twins_to_one_outcome(hostile: Any, function: str) -> None:
    name, make, plain = hostile
    for content in WRITER_CONTENTS:
        got = both(WRITERS[function], partial(make, content))
        iterated = function in ("encode/objects", "template") and plain is None
        assert got != ("boom",) or iterated, (name, function, content)  # its own __iter__
        # A str subclass is a str, except where the argument is the sequence of objects (its
        # type is named in the error: "found ShortLenStr").
        if plain is not None and plain(content) == content and "objects" not in function \
                and function != "template":  # fmt: skip
            assert got == both(WRITERS[function], partial(str, content)), (name, function, content)


def test_the_reproducers_of_issue_9(impl: ModuleType) -> None:
    # Cap on len() (10), decode on the 18000-byte buffer: read out of bounds before.
    with pytest.raises(DecodeError) as caught:
        impl.decode(ShortLenBytes(b"000201" * 3000))
    assert (caught.value.code, caught.value.offset) == ("tlv.too_long", MAX_INPUT_LENGTH)
    assert "found 18000" in caught.value.message
    # __bytes__ says 18000 bytes; the buffer, 20 bytes, is what is read.
    assert [o.id for o in impl.decode(OtherBytes(CLEAN.encode()))] == ["00", "01", "63"]
    assert impl.decode(OtherStr(CLEAN)) == impl.decode(CLEAN)
    assert impl.decode(ShortLenStr(BIG[:3996])) == impl.decode(BIG[:3996])


def test_str_subclasses_are_str(impl: ModuleType) -> None:
    # numpy.str_ (what indexing a numpy string array gives) and StrEnum members.
    for text in (np.array([CLEAN])[0], Payloads.CLEAN, RaisingStr(CLEAN)):
        assert impl.decode(text) == impl.decode(CLEAN)
        assert impl.check(text) == "ok"
        assert impl.crc16(text) == binascii.crc_hqx(CLEAN.encode(), 0xFFFF)
        assert impl.crc_verdict(text) == "ok"
        assert impl.to_text(text) == CLEAN and type(impl.to_text(text)) is str
        assert jpqr.validate(text) == jpqr.validate(CLEAN)
    objects = [DataObject(np.str_("00"), np.str_("01")), DataObject(Payloads.CLEAN[:2], "11")]
    assert impl.encode(objects) == "0002010002116304" + jpqr.format_crc(
        jpqr.crc16("0002010002116304")
    )
    assert type(impl.encode(objects)) is str


def test_lying_str_methods_do_not_change_what_is_written(impl: ModuleType) -> None:
    # OtherStr's __hash__/__eq__ say "00", __len__-free, __format__ says "9999": the
    # characters are what count.
    with pytest.raises(EncodeError) as caught:
        impl.encode([DataObject(OtherStr("zz"), "x")])
    assert caught.value.code == "tlv.invalid_id"
    assert impl.encode([DataObject("59", OtherStr("AB"))], crc=False) == "5902AB"
    assert impl.encode([DataObject("59", ShortLenStr("A" * 50))], crc=False) == "5950" + "A" * 50
    with pytest.raises(EncodeError, match="found 100"):
        impl.encode([DataObject("59", ShortLenStr("A" * 100))])

    # A property on a subclass does not change the tuple that is written.
    class Renamed(DataObject):
        __slots__ = ()

        @property
        def id(self) -> str:
            return "99"

    assert impl.encode([Renamed("59", "AB")], crc=False) == "5902AB"


def test_data_objects_of_the_wrong_size_are_refused(impl: ModuleType) -> None:
    for fields in [(), ("00",), ("00", "01", None, 0, "extra")]:
        malformed = tuple.__new__(DataObject, fields)
        with pytest.raises(EncodeError) as caught:
            impl.encode([malformed])
        assert caught.value.code == "tlv.not_data_object"
        assert f"of {len(fields)}" in caught.value.message


def test_a_lying_class_is_not_believed(impl: ModuleType) -> None:
    class PretendDataObject:
        @property  # type: ignore[misc]
        def __class__(self) -> type:
            return DataObject

    assert isinstance(PretendDataObject(), DataObject)  # what isinstance() believes
    with pytest.raises(EncodeError) as caught:
        impl.encode([PretendDataObject()])
    assert caught.value.code == "tlv.not_data_object"
    with pytest.raises(TypeError):
        impl.decode(PretendStr())


def test_released_memoryview_is_a_jpqr_error(impl: ModuleType) -> None:
    for function in (impl.decode, impl.check, impl.to_text, impl.crc16, impl.crc_verdict):
        with pytest.raises(DecodeError) as caught:
            function(released(CLEAN.encode()))
        assert caught.value.code == "tlv.released"
    assert impl.check_code(released(CLEAN.encode())) == (4, -1)
    report = jpqr.validate(released(CLEAN.encode()))
    assert (report.ok, report.codes, report.crc, report.payload) == (
        False,
        ("tlv.released",),
        "missing",
        "",
    )
    assert jpqr.is_valid(released(CLEAN.encode())) is False
    with pytest.raises(DecodeError):
        jpqr.parse(released(CLEAN.encode()))
    assert detect_profile(released(CLEAN.encode())) == "emvco"
    assert batch.check([released(CLEAN.encode())]).verdicts.tolist() == [4]


def test_user_str_and_repr_are_never_called(impl: ModuleType) -> None:
    # Policy: a wrong type is a TypeError (or the function's jpqr error) that names the type;
    # jpqr never formats a value it does not know with its own __str__/__repr__.
    for function in (impl.decode, impl.check, impl.crc16, impl.crc_verdict, jpqr.validate):
        with pytest.raises(TypeError, match="RaisingObject"):
            function(RaisingObject())  # type: ignore[arg-type]
    with pytest.raises(EncodeError) as caught:
        impl.encode([DataObject(RaisingObject(), "x")])  # type: ignore[arg-type]
    assert caught.value.message == "expected a 2-digit ID from 00 to 99, found a RaisingObject"
    with pytest.raises(EncodeError, match="found RaisingObject"):
        impl.encode([DataObject("59", RaisingObject())])  # type: ignore[arg-type]
    with pytest.raises(jpqr.BuildError, match="found RaisingObject"):
        jpqr.Builder().merchant_name(RaisingObject())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("init", "expected"),
    [
        (LyingIndex(0x1D0F), ("crc", 0x1D0F)),  # the int it holds; not its __index__ or <=
        (IndexOnly(0), ("crc", 0)),
        (IndexOnly(0x10000), ("ValueError", "got 65536")),
        (True, ("crc", 1)),
        (1.5, ("TypeError", "float")),
        ("1", ("TypeError", "str")),
        (None, ("TypeError", "NoneType")),
        (PretendStr(), ("TypeError", "PretendStr")),
    ],
    ids=["lying int", "index 0", "index 65536", "True", "float", "str", "None", "raising str"],
)
def test_crc16_init_is_read_once_as_an_int(impl: ModuleType, init: Any, expected: Any) -> None:
    import binascii

    if expected[0] == "crc":
        assert impl.crc16(b"123456789", init) == binascii.crc_hqx(b"123456789", expected[1])
        assert impl.crc16("123456789", init) == binascii.crc_hqx(b"123456789", expected[1])
        return
    with pytest.raises(TypeError if expected[0] == "TypeError" else ValueError) as caught:
        impl.crc16(b"x", init)
    assert expected[1] in str(caught.value)


def test_batch_refuses_a_single_payload(impl: ModuleType) -> None:
    for single in (CLEAN, CLEAN.encode(), bytearray(b"00"), memoryview(b"00"), OtherStr(CLEAN)):
        with pytest.raises(TypeError, match="sequence of payloads"):
            batch.check(single)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="sequence of payloads"):
            impl.check_many(single, np.zeros(30, np.uint8), np.zeros(30, np.int32))


class Shrinking(list[Any]):
    """A list that empties itself while it is read (as another thread might)."""

    def __iter__(self) -> Any:
        for index in range(len(self)):
            if index == 2:
                self.clear()
                self.extend(["x"] * 3)
            yield list.__getitem__(self, index) if index < len(self) else "0"


def test_batch_of_a_list_that_changes_while_read(impl: ModuleType) -> None:
    # Every index gets a computed result (never np.empty's memory): the snapshot is taken
    # first, and changes made while it is taken are the caller's; the results match them.
    items = Shrinking(["bad"] * 520 + [CLEAN])
    result = batch.check(items)
    assert len(result.verdicts) == len(result.crcs)
    assert result.verdicts.tolist() == [4] * len(result.verdicts) or 0 not in result.verdicts
    # The list replaced under a running check (a thread): what was snapshot is checked.
    payloads = ["bad"] * 100_000 + [CLEAN]
    stop = threading.Event()

    def mutate() -> None:
        while not stop.is_set():
            payloads[:] = [CLEAN] * 10
            payloads[:] = ["bad"] * 100_000 + [CLEAN]

    worker = threading.Thread(target=mutate)
    worker.start()
    try:
        for _ in range(5):
            result = batch.check(payloads)
            verdicts = result.verdicts.tolist()
            assert set(verdicts) <= {0, 4}
            assert verdicts.count(0) in (1, len(verdicts))  # one of the two states, whole
    finally:
        stop.set()
        worker.join()


def test_refusals_allocate_nothing_proportional_to_the_input(impl: ModuleType) -> None:
    # tracemalloc counts memory, not time: each refusal of a 100 MB input must stay O(1).
    huge_text = "0" * 100_000_000
    huge_bytes = b"0" * 100_000_000
    huge_array = bytearray(huge_bytes[:50_000_000])
    lying_bytes = ShortLenBytes(huge_bytes[:10_000_000])
    lying_text = ShortLenStr(huge_text[:10_000_000])
    strided = memoryview(huge_bytes)[::2]
    long_amount = "1" + "0" * 10_000_000
    calls: list[Callable[[], Any]] = [
        lambda: jpqr.validate(huge_text),
        lambda: jpqr.validate(huge_bytes),
        lambda: jpqr.validate(huge_array),
        lambda: jpqr.validate(huge_text, lenient=True),
        lambda: jpqr.validate(lying_text),
        lambda: jpqr.is_valid(memoryview(huge_bytes)),
        lambda: jpqr.is_valid(strided),
        lambda: impl.decode(huge_text),
        lambda: impl.decode(lying_bytes),
        lambda: impl.check(strided),
        lambda: impl.check_code(lying_text),
        lambda: impl.to_text(huge_array),
        lambda: impl.encode(huge_text),
        lambda: impl.encode([DataObject("59", huge_text)]),
        lambda: impl.encode([DataObject("59", lying_text)]),
        lambda: DataObject.template("62", huge_text),  # type: ignore[arg-type]
        lambda: batch.check(huge_text),
        lambda: jpqr.Builder().merchant_name(huge_text),
        lambda: jpqr.Builder().merchant_name(lying_text),
        lambda: jpqr.Builder().amount(huge_text),
        lambda: jpqr.Builder().amount(long_amount),
    ]
    for number, call in enumerate(calls):
        for _attempt in range(2):  # the first call also loads the lazy layers
            gc.collect()
            tracemalloc.start()
            try:
                outcome(_call, call)
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
        assert peak < 256 * 1024, (number, peak)


def test_builder_of_long_text_says_how_long(impl: ModuleType) -> None:
    with pytest.raises(jpqr.BuildError) as caught:
        jpqr.Builder().merchant_name("x" * 5000)
    assert caught.value.code == "field.length"
    assert "found 5000" in caught.value.message and "x" * 30 not in caught.value.message
    with pytest.raises(jpqr.BuildError) as caught:
        jpqr.Builder().amount("1" * 5000)
    assert caught.value.code == "field.length"
    assert jpqr.Builder().amount(Decimal("1")) is not None


def test_strenum_member_is_its_value() -> None:
    assert isinstance(Payloads.CLEAN, str) and isinstance(Payloads.CLEAN, enum.Enum)
    assert str.__str__(Payloads.CLEAN) == CLEAN


@pytest.mark.skipif(sys.version_info < (3, 12), reason="PEP 688 __buffer__ is 3.12+")
def test_a_python_buffer_is_the_buffer_that_is_read(impl: ModuleType) -> None:
    # PEP 688: a bytes subclass may export another buffer than its own bytes. That buffer, the
    # one actually read, is what is capped and decoded, on both twins.
    class Exports(bytes):
        def __init__(self, exported: bytes) -> None:
            self.exported = exported

        def __buffer__(self, flags: int) -> memoryview:
            return memoryview(self.exported)

    big = Exports(b"00")
    big.exported = BIG.encode()
    with pytest.raises(DecodeError, match="found 18000"):
        impl.decode(big)
    small = Exports(BIG.encode())
    small.exported = CLEAN.encode()
    assert impl.decode(small) == impl.decode(CLEAN)
    assert impl.check(small) == impl.crc_verdict(small) == "ok"
    assert jpqr.validate(small).crc == "ok"


def test_crc16_reads_init_before_the_data(impl: ModuleType) -> None:
    # init's __index__ is user code: it runs before the buffer is looked at, so a view it
    # releases is refused as released (not a bare ValueError from the buffer protocol), and a
    # bytearray it changes is read as it is after, on both twins.
    import binascii

    view = memoryview(bytearray(CLEAN.encode()))

    class Releases:
        def __index__(self) -> int:
            view.release()
            return 0xFFFF

    with pytest.raises(DecodeError) as caught:
        impl.crc16(view, Releases())
    assert caught.value.code == "tlv.released"
    data = bytearray(CLEAN.encode())

    class Changes:
        def __index__(self) -> int:
            data[:] = b"x" * 70000
            return 0xFFFF

    assert impl.crc16(data, Changes()) == binascii.crc_hqx(b"x" * 70000, 0xFFFF)


@pytest.mark.skipif(sys.version_info < (3, 12), reason="PEP 688 __buffer__ is 3.12+")
def test_a_python_buffer_that_is_not_contiguous_is_read_in_c_order(impl: ModuleType) -> None:
    # A bytes subclass whose __buffer__ exports a strided view: every reader takes its bytes in
    # C order (as decode() does), none fails with BufferError, and the twins agree.
    import binascii

    class Strided(bytes):
        def __buffer__(self, flags: int) -> memoryview:
            return memoryview(bytes(c for c in CLEAN.encode() for _ in (0, 1)))[::2]

    payload = Strided(b"")
    assert impl.crc16(payload) == binascii.crc_hqx(CLEAN.encode(), 0xFFFF)
    assert impl.crc_verdict(payload) == impl.check(payload) == "ok"
    assert impl.decode(payload) == impl.decode(CLEAN)
