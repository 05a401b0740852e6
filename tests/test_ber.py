"""The BER-TLV layer (jpqr._ber_py and its compiled twin jpqr._ber) on both twins: tag classes,
multi-byte tags, short and long lengths, templates, and every refusal of hostile input.

Expected bytes are written by hand from ISO/IEC 8825-1 and EMV Book 3 Annex B, or computed by
the independent encoder in this module (:func:`tlv`), never by the code under test.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jpqr import BuildError, DecodeError, EncodeError
from jpqr._ber_object import MAX_DEPTH, MAX_INPUT_BYTES, BerObject

ON_BOTH_TWINS = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def length_field(size: int) -> bytes:
    """The shortest definite length (X.690 §8.1.3), written here apart from the code."""
    if size < 128:
        return bytes([size])
    body = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag: str, value: bytes) -> bytes:
    return bytes.fromhex(tag) + length_field(len(value)) + value


def test_primitive_and_offsets(impl: ModuleType) -> None:
    data = bytes.fromhex("50034142435F2002414A")
    assert impl.ber_decode(data) == (
        BerObject("50", b"ABC", None, 0),
        BerObject("5F20", b"AJ", None, 5),
    )


def test_constructed_template_has_children(impl: ModuleType) -> None:
    data = tlv("61", tlv("4F", b"\xa0\x00\x00\x00\x55") + tlv("63", tlv("9F26", b"\x01" * 8)))
    (app,) = impl.ber_decode(data)
    assert app.tag == "61" and app.offset == 0 and app.value == data[2:]
    assert [c.tag for c in app.children] == ["4F", "63"]
    inner = app.children[1].children
    assert inner == (BerObject("9F26", b"\x01" * 8, None, 11),)  # 2 + 7 + 2 bytes in


@pytest.mark.parametrize(
    ("tag", "tag_class", "constructed"),
    [
        ("01", "universal", False),
        ("30", "universal", True),  # SEQUENCE
        ("5A", "application", False),
        ("61", "application", True),
        ("85", "context", False),
        ("A5", "context", True),
        ("C1", "private", False),
        ("E1", "private", True),
        ("9F10", "context", False),  # two bytes: EMV writes numbers below 31 in the long form
        ("BF0C", "context", True),  # two bytes, constructed (FCI issuer discretionary data)
        ("9F8101", "context", False),  # three bytes
        ("DF7F", "private", False),
    ],
)
def test_tag_classes_and_forms(
    impl: ModuleType, tag: str, tag_class: str, constructed: bool
) -> None:
    value = tlv("50", b"A") if constructed else b"\x01\x02"
    (obj,) = impl.ber_decode(tlv(tag, value))
    assert obj.tag == tag and obj.tag_class == tag_class
    assert (obj.children is not None) is constructed
    assert impl.ber_encode((obj,)) == tlv(tag, value)


@pytest.mark.parametrize("size", [0, 1, 127, 128, 255, 256, 1000, 4000])
def test_length_forms(impl: ModuleType, size: int) -> None:
    data = tlv("C1", b"\x55" * size)
    (obj,) = impl.ber_decode(data)
    assert obj.value == b"\x55" * size
    assert impl.ber_encode((obj,)) == data
    expected_header = {0: "C100", 127: "C17F", 128: "C18180", 255: "C181FF", 256: "C1820100"}
    if size in expected_header:
        assert data[: len(expected_header[size]) // 2].hex().upper() == expected_header[size]


REFUSED = [
    # (hex, code, offset, path)
    ("00", "ber.zero_tag", 0, ""),
    ("6103500000", "ber.zero_tag", 4, "61"),
    ("9F", "ber.truncated", 0, ""),
    ("9F81", "ber.truncated", 0, ""),
    ("50", "ber.truncated", 1, "50"),
    ("9F8001", "ber.tag_not_minimal", 0, ""),
    ("9F818101", "ber.tag_too_long", 0, ""),
    ("5080", "ber.indefinite_length", 1, "50"),
    ("61800000", "ber.indefinite_length", 1, "61"),
    ("50FF", "ber.length_reserved", 1, "50"),
    ("5083010000", "ber.length_too_long", 1, "50"),
    ("50840000000100", "ber.length_too_long", 1, "50"),
    ("50817F" + "00" * 127, "ber.length_not_minimal", 1, "50"),
    ("50820080" + "00" * 128, "ber.length_not_minimal", 1, "50"),
    ("5081", "ber.truncated", 1, "50"),
    ("508201", "ber.truncated", 1, "50"),
    ("500241", "ber.length_overrun", 0, "50"),
    ("6104500241", "ber.length_overrun", 0, "61"),
    ("610350024142", "ber.length_overrun", 2, "61.50"),  # overruns the template, not the data
    ("5082FFFF41", "ber.length_overrun", 0, "50"),
]


@pytest.mark.parametrize(("data", "code", "offset", "path"), REFUSED)
def test_refused(impl: ModuleType, data: str, code: str, offset: int, path: str) -> None:
    with pytest.raises(DecodeError) as info:
        impl.ber_decode(bytes.fromhex(data))
    assert (info.value.code, info.value.offset, info.value.path) == (code, offset, path)


def test_depth_cap(impl: ModuleType) -> None:
    data = tlv("50", b"A")
    for _ in range(MAX_DEPTH):
        data = tlv("61", data)
    assert impl.ber_decode(data)[0].tag == "61"  # MAX_DEPTH templates: read
    with pytest.raises(DecodeError) as info:
        impl.ber_decode(tlv("61", data))
    assert info.value.code == "ber.too_deep"
    assert info.value.path == ".".join(["61"] * (MAX_DEPTH + 1))


def test_input_cap_before_any_work(impl: ModuleType) -> None:
    impl.ber_decode(tlv("C1", b"\x00" * (MAX_INPUT_BYTES - 4)))
    with pytest.raises(DecodeError) as info:
        impl.ber_decode(b"\x00" * (MAX_INPUT_BYTES + 1))  # a zero tag too: the cap comes first
    assert (info.value.code, info.value.offset) == ("ber.too_long", MAX_INPUT_BYTES)


def test_empty_is_no_objects(impl: ModuleType) -> None:
    assert impl.ber_decode(b"") == ()


@pytest.mark.parametrize("payload", ["hQVDUFYwMQ==", None, 5, [b"\x50\x00"]])
def test_not_bytes_is_type_error(impl: ModuleType, payload: Any) -> None:
    with pytest.raises(TypeError, match="expected BER-TLV data as bytes"):
        impl.ber_decode(payload)


def test_bytes_like(impl: ModuleType) -> None:
    data = tlv("50", b"AB")
    expected = impl.ber_decode(data)
    assert impl.ber_decode(bytearray(data)) == expected
    assert impl.ber_decode(memoryview(b"xx" + data)[2:]) == expected
    view = memoryview(data)
    view.release()
    with pytest.raises(DecodeError, match="released"):
        impl.ber_decode(view)


ENCODE_REFUSED: list[tuple[Any, str, str]] = [
    ([BerObject("5a", b"")], "ber.invalid_tag", ""),  # lower case: not how decode writes it
    ([BerObject("9F", b"")], "ber.invalid_tag", ""),  # a first byte that needs more
    ([BerObject("5F80", b"")], "ber.invalid_tag", ""),  # ends in a byte with bit 8 set
    ([BerObject("5F8001", b"")], "ber.invalid_tag", ""),  # leading 80
    ([BerObject("5001", b"")], "ber.invalid_tag", ""),  # two tags, not one
    ([BerObject("00", b"")], "ber.invalid_tag", ""),
    ([BerObject("9F818101", b"")], "ber.invalid_tag", ""),  # 4 bytes
    ([BerObject("ZZ", b"")], "ber.invalid_tag", ""),
    ([BerObject(0x50, b"")], "ber.invalid_tag", ""),  # type: ignore[arg-type]
    ([BerObject("50", "text")], "ber.invalid_value", "50"),  # type: ignore[arg-type]
    ([BerObject("50", bytearray(b"x"))], "ber.invalid_value", "50"),  # type: ignore[arg-type]
    ([BerObject("50", b"", ())], "ber.children_mismatch", "50"),
    ([BerObject("61", b"")], "ber.children_mismatch", "61"),
    ([BerObject("61", b"", (BerObject("50", b"\x00" * 0x10000),))], "ber.value_too_long", "61.50"),
    ([BerObject("61", b"", (("50", b"", None, 0),))], "ber.not_ber_object", ""),  # type: ignore[arg-type]
    ([BerObject("61", b"", b"\x50\x00")], "ber.not_ber_object", ""),  # type: ignore[arg-type]
    ([("50", b"", None, 0)], "ber.not_ber_object", ""),
]


@pytest.mark.parametrize(("objects", "code", "path"), ENCODE_REFUSED)
def test_encode_refused(impl: ModuleType, objects: Any, code: str, path: str) -> None:
    with pytest.raises(EncodeError) as info:
        impl.ber_encode(objects)
    assert (info.value.code, info.value.path) == (code, path)


@pytest.mark.parametrize("objects", [b"\x50\x00", "5000", bytearray(b"\x50\x00")])
def test_encode_refuses_one_value(impl: ModuleType, objects: Any) -> None:
    with pytest.raises(EncodeError, match="expected BerObject items"):
        impl.ber_encode(objects)


def test_encode_depth_cap(impl: ModuleType) -> None:
    tree = BerObject("50", b"A")
    for _ in range(MAX_DEPTH + 1):
        tree = BerObject("61", b"", (tree,))
    with pytest.raises(EncodeError) as info:
        impl.ber_encode([tree])
    assert info.value.code == "ber.too_deep"


def test_encode_ignores_a_template_value(impl: ModuleType) -> None:
    # A template is written from its children, as decode() reads it; its value is not read.
    tree = BerObject("61", b"stale", (BerObject("50", b"A"),))
    assert impl.ber_encode([tree]) == bytes.fromhex("6103500141")


def test_encode_reads_tuple_fields_not_properties(impl: ModuleType) -> None:
    class Lying(BerObject):
        @property
        def tag(self) -> str:
            return "5A"

        @property
        def value(self) -> bytes:
            return b"lie"

    assert impl.ber_encode([Lying("50", b"A")]) == bytes.fromhex("500141")


def test_build_error_is_not_encode_error() -> None:
    assert not issubclass(BuildError, EncodeError)


# --- round trips over generated trees ---

PRIMITIVE_TAGS = [
    f"{b:02X}" for b in (0x01, 0x1E, 0x42, 0x4F, 0x50, 0x57, 0x5A, 0x82, 0x85, 0x99, 0xC3)
] + ["5F20", "5F2D", "9F10", "9F26", "9F27", "9F36", "9F37", "DF01", "9F8101", "5F7F"]
CONSTRUCTED_TAGS = ["30", "61", "62", "63", "64", "A5", "E1", "BF0C", "7F21"]
values = st.one_of(st.binary(max_size=20), st.binary(min_size=120, max_size=300))


def primitive() -> st.SearchStrategy[tuple[BerObject, bytes]]:
    def make(tag: str, value: bytes) -> tuple[BerObject, bytes]:
        return BerObject(tag, value), tlv(tag, value)

    return st.builds(make, st.sampled_from(PRIMITIVE_TAGS), values)


def node(
    children: st.SearchStrategy[tuple[BerObject, bytes]],
) -> st.SearchStrategy[tuple[BerObject, bytes]]:
    def make(tag: str, kids: list[tuple[BerObject, bytes]]) -> tuple[BerObject, bytes]:
        value = b"".join(encoded for _, encoded in kids)
        return BerObject(tag, value, tuple(obj for obj, _ in kids)), tlv(tag, value)

    return st.builds(make, st.sampled_from(CONSTRUCTED_TAGS), st.lists(children, max_size=3))


trees = st.lists(st.recursive(primitive(), node, max_leaves=12), max_size=4)


def without_offsets(objects: tuple[BerObject, ...] | None) -> Any:
    if objects is None:
        return None
    return tuple(BerObject(o.tag, o.value, without_offsets(o.children)) for o in objects)


def offsets_point_at_tags(objects: tuple[BerObject, ...], data: bytes) -> None:
    for obj in objects:
        assert obj.offset is not None
        assert data[obj.offset : obj.offset + len(obj.tag) // 2].hex().upper() == obj.tag
        offsets_point_at_tags(obj.children or (), data)


@ON_BOTH_TWINS
@given(trees)
def test_round_trip(impl: ModuleType, items: list[tuple[BerObject, bytes]]) -> None:
    objects = tuple(obj for obj, _ in items)
    data = b"".join(encoded for _, encoded in items)
    if len(data) > MAX_INPUT_BYTES:
        return
    assert impl.ber_encode(objects) == data  # against the independent encoder above
    decoded = impl.ber_decode(data)
    assert without_offsets(decoded) == objects  # decode(encode(x)) == x
    assert impl.ber_encode(decoded) == data  # encode(decode(b)) == b
    offsets_point_at_tags(decoded, data)


# --- what a repr may show ---


def test_repr_masks_card_numbers_and_templates() -> None:
    pan = BerObject("5A", bytes.fromhex("4111111111111111"), None, 0)
    track = BerObject("57", bytes.fromhex("4111111111111111D2512201"), None, 10)
    template = BerObject("62", tlv("5A", pan.value), (pan,), 0)
    for shown in (repr(pan), str(track), repr(template), repr((template,))):
        assert (
            "4111111111111111" not in shown and "\\x11\\x11" not in shown and "A\\x11" not in shown
        )
    assert repr(pan) == "BerObject(tag='5A', value=<8 bytes, masked>, children=None, offset=0)"
