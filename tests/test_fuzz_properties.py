"""The fuzz/ harnesses' kernel checks as a short deterministic hypothesis run (no atheris):
payloads of every accepted shape (str of each PEP 393 kind with lone surrogates and the BOM;
bytes, bytearray, memoryviews of wide items, strided and offset), short and near the 4096 cap,
often with a right CRC fixed in, on every CRC path this CPU runs (which the compiled decoder
kernels follow too). Both twins give the same result or the same error, only JPQRError comes
out, and the CRC is binascii.crc_hqx's (an independent implementation)."""

from __future__ import annotations

import array
import binascii
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jpqr import JPQRError, _crc_py, _tlv_py
from jpqr.dataobject import MAX_INPUT_LENGTH

if os.environ.get("JPQR_NO_EXTENSIONS"):
    pytest.skip("JPQR_NO_EXTENSIONS is set: no compiled twin to compare", allow_module_level=True)

from jpqr import _crc, _tlv  # type: ignore[attr-defined, unused-ignore]

from .conftest import PUBLISHED, crc_paths

ODD = "\x80\xe9\xff\u0100\u0131\u017f\u0660\u00b2\u2028\x85\ufeff\ufb00\uff21\ud800\udfff\uffff"
ODD += "\U00010000\U0010ffff北\x00\r\n "
DIGITS = "0123456789"
VERDICTS = ("ok", "lowercase", "mismatch", "missing", "invalid")

# Text that looks like payloads: published ones cut and spliced, and runs of digits and odd
# characters, so that headers parse and walks go deep.
pieces = st.one_of(
    st.sampled_from([p["payload"] for p in PUBLISHED]).flatmap(
        lambda p: st.tuples(st.integers(0, len(p)), st.integers(0, len(p))).map(
            lambda ab: p[min(ab) : max(ab)]
        )
    ),
    st.text(alphabet=DIGITS, min_size=1, max_size=8),
    st.text(alphabet=ODD + DIGITS + "6304", max_size=8),
)


@st.composite
def texts(draw: st.DrawFn) -> str:
    text = "".join(draw(st.lists(pieces, max_size=12)))
    if draw(st.booleans()):  # long: the SIMD CRC loops and the 4096 cap
        text = text * draw(st.integers(1, 4200 // max(len(text), 1) + 2))
    if draw(st.booleans()):
        text = text[: len(text) - 8] + "6304" if len(text) >= 8 else text + "6304"
        crc = f"{binascii.crc_hqx(text.encode('utf-8', 'surrogatepass'), 0xFFFF):04X}"
        text += crc.lower() if draw(st.booleans()) else crc
    return text


@st.composite
def payloads(draw: st.DrawFn) -> object:
    text = draw(texts())
    raw = text.encode("utf-8", "surrogatepass")
    shape = draw(st.sampled_from(["str", "bytes", "bytearray", "view", "wide", "strided", "tail"]))
    if shape == "str":
        return text
    if shape == "bytes":
        return raw
    if shape == "bytearray":
        return bytearray(raw)
    if shape == "view":
        return memoryview(raw)
    if shape == "wide":
        return memoryview(array.array("I", raw + b"\0" * (-len(raw) % 4)))
    if shape == "strided":
        return memoryview(bytes(b for pair in zip(raw, raw, strict=True) for b in pair))[::2]
    return memoryview(b"x" + raw)[1:]


def outcome(function: Callable[..., Any], *args: Any) -> tuple[Any, ...]:
    try:
        result = function(*args)
    except JPQRError as error:
        return ("jpqr", type(error), error.code, error.message, error.offset, error.path)
    except Exception as error:
        return ("raised", type(error), str(error))
    return ("ok", repr(result), result)


@pytest.fixture(params=crc_paths())
def crc_path(request: pytest.FixtureRequest) -> Iterator[str]:
    before = _crc._use_path(request.param)
    try:
        yield request.param
    finally:
        _crc._use_path(before)


@settings(
    max_examples=400,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(payload=payloads())
def test_kernels_agree_on_every_shape_and_crc_path(crc_path: str, payload: object) -> None:
    results = {}
    for name, pure, compiled in [
        ("to_text", _tlv_py, _tlv),
        ("decode", _tlv_py, _tlv),
        ("check", _tlv_py, _tlv),
        ("check_code", _tlv_py, _tlv),
        ("crc_verdict", _crc_py, _crc),
        ("crc16", _crc_py, _crc),
    ]:
        expected = outcome(getattr(pure, name), payload)
        assert outcome(getattr(compiled, name), payload) == expected, name
        strided = name == "crc16" and expected[1] is BufferError  # crc16 needs one block
        assert expected[0] != "raised" or strided, (name, expected)
        results[name] = expected
    if results["to_text"][0] != "ok":
        assert results["check_code"][2] == (4, -1)
        return
    text = results["to_text"][2]
    assert len(text.encode("utf-8", "surrogatepass")) <= 4 * MAX_INPUT_LENGTH
    want_crc = -1
    if len(text) >= 8 and text[-8:-4] == "6304":
        want_crc = binascii.crc_hqx(text[:-4].encode("utf-8", "surrogatepass"), 0xFFFF)
    checked = results["check"]
    want_code = VERDICTS.index(checked[2]) if checked[0] == "ok" else 4
    assert results["check_code"][2] == (want_code, want_crc)
    if results["crc16"][0] == "ok":
        raw = (
            payload.encode("utf-8", "surrogatepass") if isinstance(payload, str) else bytes(payload)  # type: ignore[call-overload]
        )
        assert results["crc16"][2] == binascii.crc_hqx(raw, 0xFFFF)


# Builder.from_dict, what `jpqr build` reads from JSON: a spec that builds, with keys set to
# near-miss values or removed. Only a JPQRError may come out, and what builds validates.
BUILDABLE = {
    "profile": "emvco",
    "dynamic": True,
    "merchant_account": {"id": "29", "guid": "A000000677010111", "values": {"01": "0066801"}},
    "merchant_category_code": "5411",
    "currency": "764",
    "country": "TH",
    "amount": "12.50",
    "merchant_name": "EV PARK",
    "merchant_city": "BANGKOK",
}
SPEC_KEYS = [*BUILDABLE, "tip_prompt", "unreserved", "payment_system_template", "language",
             "postal_code", "terminal_label", "convenience_fee", "jpqr_identifier"]  # fmt: skip
NEAR_MISSES = st.sampled_from(
    ["", "02", "29", "80", "²²", "٣٣", "1e99999999", "NaN", "-1", "北", "\x00", "A" * 100, "JPY"]
)
SPEC_VALUES = st.recursive(
    NEAR_MISSES | st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["id", "guid", "value", "values", "01", "²²"]), inner, max_size=4
        )
    ),
    max_leaves=6,
)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(
    changes=st.dictionaries(st.sampled_from(SPEC_KEYS), SPEC_VALUES | st.just(None), max_size=4),
)
def test_builder_from_dict_raises_only_jpqr_errors(changes: dict[str, Any]) -> None:
    import jpqr

    spec = {**BUILDABLE, **changes}
    try:
        code = jpqr.Builder.from_dict(spec).build()
    except JPQRError:
        return
    assert jpqr.validate(code.to_payload(), "emvco").ok
