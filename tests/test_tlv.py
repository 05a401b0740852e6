"""The TLV decoder and encoder (EMVCo MPM v1.1 §4.1-4.2, SPEC.md §1 and §6), on both twins."""

from __future__ import annotations

import pickle
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jpqr import DataObject, DecodeError, EncodeError, JPQRError
from jpqr.dataobject import MAX_INPUT_LENGTH

from .strategies import SCRIPTS, trees, without_offsets

# The EMVCo specification's example (as published in mercari/go-emv-code and dongri/emv-qrcode).
EMVCO_EXAMPLE = (
    "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678"
    "520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京"
    "540523.7253031565502016233030412340603***0708A60086670902ME"
    "91320016A0112233449988770708123456786304A13A"
)


def raises(impl: ModuleType, payload: object, code: str) -> DecodeError:
    with pytest.raises(DecodeError) as info:
        impl.decode(payload)
    assert info.value.code == code, info.value
    return info.value


class TestDecode:
    def test_ids_values_offsets(self, impl: ModuleType) -> None:
        objects = impl.decode("000201010212")
        assert objects == (DataObject("00", "01", None, 0), DataObject("01", "12", None, 6))

    def test_empty_payload(self, impl: ModuleType) -> None:
        assert impl.decode("") == ()

    def test_lengths_count_characters(self, impl: ModuleType) -> None:
        # SPEC.md §1: the EMVCo example adds up only in code points (20, not 36 bytes).
        (language,) = impl.decode("64200002ZH0104最佳运输0202北京")
        assert language.value == "0002ZH0104最佳运输0202北京"
        assert [(c.id, c.value, c.offset) for c in language.children] == [
            ("00", "ZH", 4),
            ("01", "最佳运输", 10),
            ("02", "北京", 18),
        ]

    def test_offsets_are_characters_not_bytes(self, impl: ModuleType) -> None:
        objects = impl.decode(EMVCO_EXAMPLE)
        after = next(o for o in objects if o.id == "54")
        assert EMVCO_EXAMPLE[after.offset : after.offset + 4] == "5405"

    def test_bytes_input_is_utf8(self, impl: ModuleType) -> None:
        assert impl.decode(EMVCO_EXAMPLE.encode("utf-8")) == impl.decode(EMVCO_EXAMPLE)
        assert impl.decode(bytearray(b"000201")) == impl.decode("000201")

    def test_characters_outside_bmp(self, impl: ModuleType) -> None:
        (obj,) = impl.decode("5903😀𠮷é")
        assert obj.value == "😀𠮷é"

    def test_templates_root_and_62(self, impl: ModuleType) -> None:
        objects = impl.decode(EMVCO_EXAMPLE)
        by_id = {o.id: o for o in objects}
        assert by_id["29"].children is not None
        assert by_id["29"].find("00") == DataObject("00", "D15600000000", None, 16)
        assert by_id["62"].children is not None and by_id["64"].children is not None
        assert by_id["91"].children is not None
        assert by_id["59"].children is None and by_id["54"].children is None

    def test_62_payment_system_template_nested(self, impl: ModuleType) -> None:
        (additional,) = impl.decode("62200503ABC50090005hello")
        assert additional.children is not None
        reference, system = additional.children
        assert reference.children is None
        assert system.id == "50" and system.children == (DataObject("00", "hello", None, 15),)

    def test_templates_nest_two_levels_only(self, impl: ModuleType) -> None:
        # 62 holds payment-system templates 50-99, whose own sub-IDs are primitives.
        (additional,) = impl.decode("620862045000")
        assert additional.children is not None
        (system,) = additional.children
        assert system.id == "62" and system.children == (DataObject("50", "", None, 8),)
        assert system.children[0].children is None

    def test_62_low_ids_are_primitives(self, impl: ModuleType) -> None:
        (additional,) = impl.decode("6210050600020A")
        assert additional.children == (DataObject("05", "00020A", None, 4),)
        assert additional.children[0].children is None

    def test_rfu_65_79_are_primitives(self, impl: ModuleType) -> None:
        (rfu,) = impl.decode("65060002AB")
        assert rfu.children is None

    def test_template_that_is_not_tlv_keeps_children_none(self, impl: ModuleType) -> None:
        objects = impl.decode("6205hello5802JP")
        assert objects[0] == DataObject("62", "hello", None, 0)
        assert objects[1].id == "58"

    def test_template_with_byte_counted_child_is_not_tlv(self, impl: ModuleType) -> None:
        objects = impl.decode("64130002JA0106メルペ")
        assert objects[0].children is None

    def test_zero_length_objects_are_read(self, impl: ModuleType) -> None:
        # SPEC.md §6: "6200" is forbidden by EMVCo but carried by real codes; validation reports it.
        objects = impl.decode("00020162008000")
        assert objects[1] == DataObject("62", "", (), 6)
        assert objects[2] == DataObject("80", "", (), 10)

    def test_duplicates_and_order_are_not_decode_errors(self, impl: ModuleType) -> None:
        # SPEC.md §6: duplicate IDs, 63 not last, 00 not first are validation matters.
        objects = impl.decode("5802JP5802JP63040000000201")
        assert [o.id for o in objects] == ["58", "58", "63", "00"]


class TestDecodeErrors:
    def test_truncated_header(self, impl: ModuleType) -> None:
        err = raises(impl, "00020163", "tlv.truncated_header")
        assert err.offset == 6

    def test_truncated_crc_header(self, impl: ModuleType) -> None:
        # mvallim/emv-qrcode: "incomplete CRC '63'"
        err = raises(impl, EMVCO_EXAMPLE[:-6], "tlv.truncated_header")
        assert err.offset == len(EMVCO_EXAMPLE) - 8

    def test_crc_header_without_value(self, impl: ModuleType) -> None:
        err = raises(impl, EMVCO_EXAMPLE[:-4], "tlv.length_overrun")
        assert err.path == "63" and err.offset == len(EMVCO_EXAMPLE) - 8

    @pytest.mark.parametrize("bad_id", ["AB", "0A", " 0", "٠١", "²³", "-1"])
    def test_invalid_id(self, impl: ModuleType, bad_id: str) -> None:
        err = raises(impl, "000201" + bad_id + "02xx", "tlv.invalid_id")
        assert err.offset == 6 and bad_id in err.message

    @pytest.mark.parametrize("bad_length", ["AB", "1 ", "٠٢", "+1", "-1"])
    def test_invalid_length(self, impl: ModuleType, bad_length: str) -> None:
        err = raises(impl, "000201" + "59" + bad_length + "xx", "tlv.invalid_length")
        assert err.offset == 8 and err.path == "59"

    def test_value_runs_past_end(self, impl: ModuleType) -> None:
        err = raises(impl, "0002015925SHORT", "tlv.length_overrun")
        assert err.offset == 6 and err.path == "59"
        assert "25" in err.message and "5" in err.message

    def test_overrun_that_swallows_the_crc(self, impl: ModuleType) -> None:
        # SPEC.md §6: a declared length that overruns and swallows the "6304".
        err = raises(impl, "0002016225050312345678906304ABCD", "tlv.length_overrun")
        assert err.path == "62" and "6304" in err.message

    def test_length_that_swallows_the_crc_and_desyncs(self, impl: ModuleType) -> None:
        err = raises(impl, "00020162090503ABC6304ABCD", "tlv.invalid_length")
        assert "CRC" in err.message

    @pytest.mark.parametrize("tail", ["\n", "\r\n", " ", "\r\n\r\n", "\t", " \n"])
    def test_trailing_line_end_or_space(self, impl: ModuleType, tail: str) -> None:
        # SPEC.md §6: trailing LF/CRLF after the CRC.
        err = raises(impl, EMVCO_EXAMPLE + tail, "tlv.trailing_characters")
        assert err.offset == len(EMVCO_EXAMPLE)
        assert repr(tail) in err.message

    def test_trailing_garbage_is_not_called_whitespace(self, impl: ModuleType) -> None:
        raises(impl, EMVCO_EXAMPLE + "x", "tlv.truncated_header")

    def test_leading_bom(self, impl: ModuleType) -> None:
        # SPEC.md §6: a BOM in front; as text and as UTF-8 bytes.
        err = raises(impl, "\ufeff" + EMVCO_EXAMPLE, "tlv.bom")
        assert err.offset == 0
        raises(impl, b"\xef\xbb\xbf" + EMVCO_EXAMPLE.encode(), "tlv.bom")

    def test_invalid_utf8_at_byte_offset(self, impl: ModuleType) -> None:
        err = raises(impl, b"0002015904AB\xffC", "tlv.invalid_utf8")
        assert err.offset == 12
        raises(impl, b"5902\xe6\x9c", "tlv.invalid_utf8")

    def test_input_over_hard_cap(self, impl: ModuleType) -> None:
        ok = "5999" + "x" * 99
        payload = ok * (MAX_INPUT_LENGTH // len(ok) + 1)
        err = raises(impl, payload, "tlv.too_long")
        assert str(MAX_INPUT_LENGTH) in err.message and len(err.message) < 200
        raises(impl, payload.encode(), "tlv.too_long")
        # at the cap itself: accepted structure
        assert impl.decode("00" + f"{0:02d}" + "x" * 0)

    def test_not_text(self, impl: ModuleType) -> None:
        with pytest.raises(TypeError):
            impl.decode(None)
        with pytest.raises(TypeError):
            impl.decode(12345)

    def test_hostile_input_is_cut_short(self, impl: ModuleType) -> None:
        err = raises(impl, "0002015999" + "x" * 50, "tlv.length_overrun")
        hostile = "59AB" + "<script>" * 400
        err = raises(impl, hostile, "tlv.invalid_length")
        assert len(str(err)) < 200

    def test_errors_are_value_errors_and_pickle(self, impl: ModuleType) -> None:
        err = raises(impl, "00020", "tlv.length_overrun")
        assert isinstance(err, JPQRError) and isinstance(err, ValueError)
        again = pickle.loads(pickle.dumps(err))
        assert again == err and type(again) is DecodeError
        assert (again.code, again.offset, again.path) == (err.code, err.offset, err.path)


class TestEncode:
    def test_appends_crc(self, impl: ModuleType) -> None:
        payload = impl.encode([DataObject("00", "01"), DataObject("01", "11")])
        # CRC of "0002010102116304" computed independently in test_crc.py (0xAD0A).
        assert payload == "0002010102116304AD0A"

    def test_without_crc(self, impl: ModuleType) -> None:
        assert impl.encode([DataObject("00", "01")], crc=False) == "000201"

    def test_existing_crc_kept_as_is(self, impl: ModuleType) -> None:
        lower = "0002010102116304ad0a"
        assert impl.encode(impl.decode(lower)) == lower

    def test_round_trip_published_example(self, impl: ModuleType) -> None:
        assert impl.encode(impl.decode(EMVCO_EXAMPLE)) == EMVCO_EXAMPLE
        without_crc = impl.decode(EMVCO_EXAMPLE)[:-1]
        assert impl.encode(without_crc) == EMVCO_EXAMPLE

    def test_template_from_children(self, impl: ModuleType) -> None:
        template = DataObject.template("62", [DataObject.primitive("05", "S-001")])
        assert impl.encode([template], crc=False) == "62090505S-001"

    def test_children_win_over_value(self, impl: ModuleType) -> None:
        stale = DataObject("62", "0501X", (DataObject("05", "Y"),))
        assert impl.encode([stale], crc=False) == "62050501Y"

    def test_zero_length_value(self, impl: ModuleType) -> None:
        assert impl.encode([DataObject("62", "")], crc=False) == "6200"

    def test_accepts_any_iterable(self, impl: ModuleType) -> None:
        objects = (DataObject("00", "01"), DataObject("01", "11"))
        assert impl.encode(o for o in objects) == impl.encode(list(objects))

    @pytest.mark.parametrize("bad", ["1", "100", "AB", "٠١", 1, None])
    def test_bad_id(self, impl: ModuleType, bad: object) -> None:
        with pytest.raises(EncodeError) as info:
            impl.encode([DataObject(bad, "x")])  # type: ignore[arg-type]
        assert info.value.code == "tlv.invalid_id"

    def test_value_too_long(self, impl: ModuleType) -> None:
        with pytest.raises(EncodeError) as info:
            impl.encode([DataObject.template("62", [DataObject("05", "x" * 99)])])
        assert info.value.code == "tlv.value_too_long" and info.value.path == "62"

    def test_nested_value_too_long_path(self, impl: ModuleType) -> None:
        with pytest.raises(EncodeError) as info:
            impl.encode([DataObject("62", "", (DataObject("05", "x" * 100),))])
        assert info.value.path == "62.05"

    def test_not_a_data_object(self, impl: ModuleType) -> None:
        with pytest.raises(EncodeError) as info:
            impl.encode([("00", "01")])
        assert info.value.code == "tlv.not_data_object"

    def test_value_not_text(self, impl: ModuleType) -> None:
        with pytest.raises(EncodeError) as info:
            impl.encode([DataObject("54", 100)])  # type: ignore[arg-type]
        assert info.value.code == "tlv.invalid_value"


# The impl fixture switches the twin once per test, not per example: safe to share.
ON_BOTH_TWINS = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@ON_BOTH_TWINS
@given(tree=trees)
def test_round_trip_generated_trees(impl: ModuleType, tree: list[DataObject]) -> None:
    payload = impl.encode(tree)
    decoded = impl.decode(payload)
    assert without_offsets(decoded[:-1]) == tuple(tree)
    assert impl.encode(decoded) == payload
    assert impl.crc_verdict(payload) == "ok"


@ON_BOTH_TWINS
@given(text=st.text(alphabet=SCRIPTS + "\n\r\ufeff", max_size=300))
def test_arbitrary_text_never_crashes(impl: ModuleType, text: str) -> None:
    try:
        objects = impl.decode(text)
    except DecodeError as err:
        assert err.code.startswith("tlv.") and err.message
    else:
        assert impl.encode(objects, crc=False) == text


@ON_BOTH_TWINS
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(impl: ModuleType, data: bytes) -> None:
    try:
        impl.decode(data)
    except DecodeError as err:
        assert err.code.startswith("tlv.")
