"""jpqr.ocpp: payloads checked against the official OCPP JSON schemas shipped by the ocpp package.

The schemas (ocpp 2.1.0, ``ocpp/v21/schemas`` and ``ocpp/v201/schemas``) are the independent
oracle: every payload jpqr builds must validate, and every limit jpqr enforces is checked to be
the schema's own limit (one character under passes the schema, one over fails it).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ocpp.charge_point import (
    camel_to_snake_case,
    remove_nones,
    serialize_as_dict,
    snake_to_camel_case,
)
from ocpp.messages import MessageType, get_validator

import jpqr
from jpqr import DataObject
from jpqr.ocpp import (
    START_QR_PAYMENT,
    VENDOR_ID,
    OCPPError,
    PaymentSession,
    answer_start_qr_payment,
    qr_code_display_enabled,
    read_display_message,
    read_start_qr_payment,
    set_display_message,
    start_qr_payment_request,
)
from jpqr.ocpp.calls import data_transfer_call, data_transfer_result, set_display_message_call

# Every test touches decode/validate, so every test runs on both twins.
pytestmark = pytest.mark.usefixtures("impl")

VERSIONS = ["2.1", "2.0.1"]
EXPIRY = datetime(2026, 11, 21, 17, 30, tzinfo=timezone.utc)
RFC3339_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


# --- codes made independently of jpqr.Builder: SPEC.md §4 by hand, encoded with jpqr.encode ------


def jpqr_code(
    *,
    reference: str = "EV20261121-0001",
    terminal: str = "EVSE-1",
    amount: str | None = None,
    initiation: str = "12",
    japanese: bool = True,
    length: int | None = None,
) -> str:
    """A dynamic JPQR code (SPEC.md §4); ``length`` pads it with unreserved templates 80-99."""
    P, T = DataObject.primitive, DataObject.template
    objects = [
        P("00", "01"),
        P("01", initiation),
        T(
            "26",
            [
                P("00", "jp.or.paymentsjapan"),
                P("01", "0000000000001"),
                P("02", "0001"),
                P("03", "000001"),
                P("04", "000001"),
            ],
        ),
        P("52", "5999"),
        P("53", "392"),
        *([P("54", amount)] if amount is not None else []),
        P("58", "JP"),
        P("59", "EV CHARGING"),
        P("60", "TOKYO"),
        P("61", "1000001"),
        T("62", [P("05", reference), P("07", terminal)]),
    ]
    if japanese:
        objects.append(T("64", [P("00", "JA"), P("01", "充電ステーション")]))
    code = jpqr.encode(objects)
    if length is None:
        return code
    # Unreserved template "80" + LL + (0013jp.example.ev) + (01LL filler): 26..103 characters.
    remaining = length - len(code)
    pads = []
    tag = 80
    while remaining > 0:
        size = remaining if remaining <= 103 else min(103, remaining - 26)
        assert size >= 26, "cannot pad to that length"
        filler = "X" * (size - 25)
        pads.append(T(str(tag), [P("00", "jp.example.ev"), P("01", filler)]))
        remaining -= size
        tag += 1
    code = jpqr.encode([*objects, *pads])
    assert len(code) == length
    return code


def broken_crc(code: str) -> str:
    """The same code with a CRC that no longer matches."""
    return code[:-4] + ("0000" if code[-4:] != "0000" else "1111")


def schema_errors(
    action: str, payload: dict[str, Any], version: str, *, response: bool = False
) -> list[Any]:
    """The official schema's complaints about ``payload`` (empty when it validates)."""
    kind = MessageType.CallResult if response else MessageType.Call
    validator = get_validator(kind, action, version)
    errors = list(validator.iter_errors(payload))
    # Draft-4 validators do not check "format": date-time here; check it as RFC 3339 UTC.
    info = payload.get("message", {})
    for key in ("startDateTime", "endDateTime"):
        if isinstance(info, dict) and key in info and not RFC3339_UTC.fullmatch(info[key]):
            errors.append(f"{key} is not RFC 3339 UTC: {info[key]}")
    return errors


def display_refused(error_code: str, content: str, /, **options: Any) -> OCPPError:
    """``set_display_message(content, version="2.1", message_id=1, **options)`` refused."""
    options = {"version": "2.1", "message_id": 1, **options}
    return refused(error_code, set_display_message, content, **options)


def refused(error_code: str, call: Any, /, *args: Any, **kwargs: Any) -> OCPPError:
    with pytest.raises(OCPPError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == error_code, caught.value
    assert isinstance(caught.value, jpqr.JPQRError)
    return caught.value


# --- SetDisplayMessageRequest --------------------------------------------------------------------


def test_ocpp21_sends_the_code_as_qrcode() -> None:
    code = jpqr_code()
    request = set_display_message(
        code, version="2.1", message_id=41, expires_at=EXPIRY, language="ja"
    )
    assert request == {
        "message": {
            "id": 41,
            "priority": "InFront",
            "endDateTime": "2026-11-21T17:30:00Z",
            "message": {"format": "QRCODE", "content": code, "language": "ja"},
        }
    }
    assert schema_errors("SetDisplayMessage", request, "2.1") == []


def test_ocpp201_sends_a_jpqr_code_as_utf8_to_the_qr_code_display() -> None:
    code = jpqr_code()  # 64-01 holds Japanese text: not ASCII
    request = set_display_message(
        code, version="2.0.1", message_id=3, qr_code_display=True, evse_id=2
    )
    assert request["message"]["message"] == {"format": "UTF8", "content": code}
    assert request["message"]["display"] == {"name": "QRCodeDisplay", "evse": {"id": 2}}
    assert schema_errors("SetDisplayMessage", request, "2.0.1") == []


def test_ocpp201_sends_an_ascii_code_as_ascii() -> None:
    code = jpqr_code(japanese=False)
    request = set_display_message(
        code, version="2.0.1", message_id=3, qr_code_display=True, profile="emvco"
    )
    assert request["message"]["message"]["format"] == "ASCII"
    assert request["message"]["display"] == {"name": "QRCodeDisplay"}
    assert schema_errors("SetDisplayMessage", request, "2.0.1") == []


def test_ocpp21_may_use_the_qr_code_display_route_when_asked() -> None:
    request = set_display_message(
        jpqr_code(), version="2.1", message_id=3, message_format="UTF8", qr_code_display=True
    )
    assert request["message"]["display"] == {"name": "QRCodeDisplay"}
    assert schema_errors("SetDisplayMessage", request, "2.1") == []


def test_a_station_without_qr_code_display_gets_no_text_message() -> None:
    error = display_refused("ocpp.display_disabled", jpqr_code(), version="2.0.1")
    assert "QRCodeDisplay.Enabled" in error.message
    display_refused(
        "ocpp.display_disabled",
        jpqr_code(),
        message_format="UTF8",
    )


@pytest.mark.parametrize("reported", [[], None, "junk", [{"component": {"name": "Display"}}]])
def test_qr_code_display_not_reported(reported: Any) -> None:
    assert qr_code_display_enabled(reported) is False


def notify_report_entry(value: str, component: str = "QRCodeDisplay") -> dict[str, Any]:
    return {
        "component": {"name": component},
        "variable": {"name": "Enabled"},
        "variableAttribute": [{"type": "Actual", "value": value}],
        "variableCharacteristics": {"dataType": "boolean", "supportsMonitoring": False},
    }


def test_qr_code_display_from_notify_report_as_json_and_as_the_ocpp_package_delivers_it() -> None:
    request = {
        "requestId": 1,
        "generatedAt": "2026-11-21T17:00:00Z",
        "seqNo": 0,
        "reportData": [notify_report_entry("true")],
    }
    for version in VERSIONS:
        assert schema_errors("NotifyReport", request, version) == []
    assert qr_code_display_enabled(request["reportData"]) is True
    assert qr_code_display_enabled(camel_to_snake_case(request)["report_data"]) is True
    assert qr_code_display_enabled([notify_report_entry("false")]) is False
    assert qr_code_display_enabled([notify_report_entry("true", "Display")]) is False


def test_qr_code_display_from_get_variables() -> None:
    result = {
        "attributeStatus": "Accepted",
        "attributeType": "Actual",
        "attributeValue": "true",
        "component": {"name": "QRCodeDisplay"},
        "variable": {"name": "Enabled"},
    }
    assert (
        schema_errors("GetVariables", {"getVariableResult": [result]}, "2.0.1", response=True) == []
    )
    assert qr_code_display_enabled([result]) is True
    assert qr_code_display_enabled([{**result, "attributeStatus": "UnknownComponent"}]) is False


def test_qrcode_is_refused_on_201_as_the_201_schema_refuses_it() -> None:
    display_refused(
        "ocpp.qrcode_unsupported",
        jpqr_code(),
        version="2.0.1",
        message_format="QRCODE",
        qr_code_display=True,
    )
    wire = {
        "message": {"id": 1, "priority": "InFront", "message": {"format": "QRCODE", "content": "x"}}
    }
    assert schema_errors("SetDisplayMessage", wire, "2.0.1") != []
    assert schema_errors("SetDisplayMessage", wire, "2.1") == []


def test_qr_underscore_code_is_refused_as_the_schema_refuses_it() -> None:
    error = display_refused(
        "ocpp.format",
        jpqr_code(),
        message_format="QR_CODE",
    )
    assert "QRCODE" in error.message
    wire = {
        "message": {
            "id": 1,
            "priority": "InFront",
            "message": {"format": "QR_CODE", "content": "x"},
        }
    }
    assert schema_errors("SetDisplayMessage", wire, "2.1") != []


@pytest.mark.parametrize("fmt", ["HTML", "URI", "PLAIN"])
def test_formats_that_cannot_carry_a_code(fmt: str) -> None:
    display_refused(
        "ocpp.format",
        "x",
        message_format=fmt,
        qr_code_display=True,
        profile=None,
    )


def test_ascii_format_with_non_ascii_content_is_refused() -> None:
    display_refused(
        "ocpp.format",
        jpqr_code(),
        version="2.0.1",
        message_format="ASCII",
        qr_code_display=True,
    )


# --- content length: the schema's limit, to the character ---------------------------------------


def test_ocpp201_boundary_512_and_513_with_real_codes() -> None:
    at_limit = jpqr_code(length=512)
    request = set_display_message(at_limit, version="2.0.1", message_id=1, qr_code_display=True)
    assert request["message"]["message"]["content"] == at_limit
    assert schema_errors("SetDisplayMessage", request, "2.0.1") == []

    over = at_limit[:-8] + "Y" + at_limit[-8:]  # one character more: broken, but length comes first
    assert len(over) == 513
    error = display_refused(
        "ocpp.content_too_long",
        over,
        version="2.0.1",
        qr_code_display=True,
    )
    assert "513" in error.message and "512" in error.message
    wire = {"message": {**request["message"], "message": {"format": "UTF8", "content": over}}}
    assert schema_errors("SetDisplayMessage", wire, "2.0.1") != []


def test_ocpp21_boundary_1024_and_1025_for_opaque_content() -> None:
    # A provider's URL or token: not an EMVCo code (profile=None), only the length is checked.
    at_limit = "https://pay.example/" + "a" * (1024 - 20)
    request = set_display_message(at_limit, version="2.1", message_id=1, profile=None)
    assert len(request["message"]["message"]["content"]) == 1024
    assert schema_errors("SetDisplayMessage", request, "2.1") == []

    over = at_limit + "a"
    display_refused(
        "ocpp.content_too_long",
        over,
        profile=None,
    )
    wire = {"message": {**request["message"], "message": {"format": "QRCODE", "content": over}}}
    assert schema_errors("SetDisplayMessage", wire, "2.1") != []


def test_ocpp21_refuses_a_jpqr_code_over_512_by_validation_not_by_length() -> None:
    # 513 characters fit OCPP 2.1 but break EMVCo's 512-character limit (SPEC.md §1).
    code = jpqr_code(length=512)
    over = code[:-8] + "Y" + code[-8:]
    display_refused("ocpp.invalid_code", over)


def test_station_configured_length() -> None:
    code = jpqr_code(length=300)
    set_display_message(code, version="2.1", message_id=1, max_length=300)
    error = display_refused(
        "ocpp.content_too_long",
        code,
        max_length=299,
    )
    assert "configured" in error.message
    for bad in (0, -1, True, "300"):
        display_refused("ocpp.max_length", code, max_length=bad)


def test_empty_content_is_refused() -> None:
    display_refused("ocpp.content_empty", "", profile=None)


def test_an_invalid_code_is_refused_before_sending() -> None:
    error = display_refused(
        "ocpp.invalid_code",
        broken_crc(jpqr_code()),
        version="2.1",
        message_id=1,
    )
    assert "crc" in error.message.lower()


# --- the other fields ----------------------------------------------------------------------------


@pytest.mark.parametrize("message_id", [-1, True, "1", 1.0])
def test_bad_message_id(message_id: Any) -> None:
    display_refused("ocpp.message_id", jpqr_code(), message_id=message_id)


def test_unknown_version() -> None:
    display_refused("ocpp.version", jpqr_code(), version="1.6")


def test_priority_must_be_an_ocpp_priority() -> None:
    for priority in ("AlwaysFront", "InFront", "NormalCycle"):
        request = set_display_message(jpqr_code(), version="2.1", message_id=1, priority=priority)
        assert schema_errors("SetDisplayMessage", request, "2.1") == []
    display_refused(
        "ocpp.priority",
        jpqr_code(),
        priority="Urgent",
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_state_follows_each_version_schema(version: str) -> None:
    for state in ("Charging", "Faulted", "Idle", "Unavailable", "Suspended", "Discharging"):
        wire = {
            "message": {
                "id": 1,
                "priority": "InFront",
                "state": state,
                "message": {"format": "UTF8", "content": "x"},
            }
        }
        schema_ok = schema_errors("SetDisplayMessage", wire, version) == []
        try:
            request = set_display_message(
                jpqr_code(),
                version=version,
                message_id=1,
                state=state,
                qr_code_display=True,
                message_format="UTF8",
            )
        except OCPPError as error:
            assert error.code == "ocpp.state"
            assert not schema_ok, state
        else:
            assert schema_ok, state
            assert request["message"]["state"] == state


def test_transaction_id_limit_is_the_schema_limit() -> None:
    request = set_display_message(jpqr_code(), version="2.1", message_id=1, transaction_id="T" * 36)
    assert schema_errors("SetDisplayMessage", request, "2.1") == []
    display_refused(
        "ocpp.transaction_id",
        jpqr_code(),
        transaction_id="T" * 37,
    )
    wire = {"message": {**request["message"], "transactionId": "T" * 37}}
    assert schema_errors("SetDisplayMessage", wire, "2.1") != []


def test_language_limit_is_the_schema_limit() -> None:
    set_display_message(jpqr_code(), version="2.1", message_id=1, language="ja-JP-x1")
    display_refused(
        "ocpp.language",
        jpqr_code(),
        language="ja-JP-x12",
    )


def test_expiry_is_utc_rfc3339_and_must_be_aware() -> None:
    jst = timezone(timedelta(hours=9))
    request = set_display_message(
        jpqr_code(),
        version="2.1",
        message_id=1,
        starts_at=datetime(2026, 11, 22, 2, 0, tzinfo=jst),
        expires_at=datetime(2026, 11, 22, 2, 10, tzinfo=jst),
    )
    assert request["message"]["startDateTime"] == "2026-11-21T17:00:00Z"
    assert request["message"]["endDateTime"] == "2026-11-21T17:10:00Z"
    assert schema_errors("SetDisplayMessage", request, "2.1") == []
    display_refused(
        "ocpp.datetime",
        jpqr_code(),
        expires_at=datetime(2026, 11, 21, 17, 30),
    )
    display_refused(
        "ocpp.datetime",
        jpqr_code(),
        starts_at=EXPIRY,
        expires_at=EXPIRY,
    )


def test_evse_is_named_on_every_version() -> None:
    # D5: a 2.1 QRCODE message names its EVSE with the display component EVSE (the 2.1 schema
    # allows display on every MessageInfo); 2.0.1 puts it on QRCodeDisplay.
    request = set_display_message(jpqr_code(), version="2.1", message_id=1, evse_id=2)
    assert request["message"]["display"] == {"name": "EVSE", "evse": {"id": 2}}
    assert schema_errors("SetDisplayMessage", request, "2.1") == []
    display_refused("ocpp.evse_id", jpqr_code(), evse_id=0)
    display_refused(
        "ocpp.evse_id",
        jpqr_code(),
        version="2.0.1",
        qr_code_display=True,
        evse_id=0,
    )


# --- the ocpp package's call objects -------------------------------------------------------------


def on_the_wire(call: Any) -> dict[str, Any]:
    """What ocpp's ChargePoint.call puts in the frame for a call object."""
    wire: dict[str, Any] = remove_nones(snake_to_camel_case(serialize_as_dict(call)))
    return wire


@pytest.mark.parametrize("version", VERSIONS)
def test_call_objects_send_exactly_the_checked_dict(version: str) -> None:
    request = set_display_message(
        jpqr_code(),
        version=version,
        message_id=9,
        expires_at=EXPIRY,
        transaction_id="tx-1",
        language="ja",
        qr_code_display=True,
        message_format="UTF8",
        evse_id=1,
        starts_at=EXPIRY - timedelta(minutes=5),
        state="Idle",
    )
    call = set_display_message_call(request, version)
    module = "ocpp.v21.call" if version == "2.1" else "ocpp.v201.call"
    assert type(call).__module__ == module and type(call).__name__ == "SetDisplayMessage"
    assert on_the_wire(call) == request

    trigger = start_qr_payment_request(2)
    transfer = data_transfer_call(trigger, version)
    assert type(transfer).__module__ == module
    assert on_the_wire(transfer) == trigger


def test_importing_jpqr_and_jpqr_ocpp_does_not_import_the_ocpp_package() -> None:
    script = (
        "import sys; import jpqr, jpqr.ocpp; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('ocpp', 'websockets')))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# --- the station reading a SetDisplayMessage -----------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_station_reads_the_message_as_json_and_as_the_ocpp_package_delivers_it(
    version: str,
) -> None:
    code = jpqr_code()
    request = set_display_message(
        code,
        version=version,
        message_id=5,
        expires_at=EXPIRY,
        transaction_id="tx-9",
        qr_code_display=version == "2.0.1",
        evse_id=1 if version == "2.0.1" else None,
    )
    for message in (request["message"], camel_to_snake_case(request)["message"]):
        shown = read_display_message(message)
        assert shown.message_id == 5
        assert shown.content == code
        assert shown.is_qr_code
        assert shown.ends_at == "2026-11-21T17:30:00Z"
        assert shown.transaction_id == "tx-9"
        assert jpqr.crc_verdict(shown.content) == "ok"


def test_station_treats_plain_text_as_text() -> None:
    shown = read_display_message(
        {"id": 1, "priority": "InFront", "message": {"format": "UTF8", "content": "ようこそ"}}
    )
    assert not shown.is_qr_code


@pytest.mark.parametrize(
    "message",
    [
        {},
        {"id": 1, "priority": "InFront"},
        {"id": 1, "priority": "InFront", "message": "x"},
        {"id": "1", "priority": "InFront", "message": {"format": "UTF8", "content": "x"}},
        {"id": 1, "priority": "InFront", "message": {"format": "UTF8", "content": 5}},
    ],
)
def test_station_refuses_a_malformed_message(message: Any) -> None:
    refused("ocpp.display_message", read_display_message, message)


# --- the StartQRPayment trigger ------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_trigger_request_is_the_white_paper_message(version: str) -> None:
    request = start_qr_payment_request(1)
    assert request == {
        "vendorId": "org.openchargealliance.qrpayment",
        "messageId": "StartQRPayment",
        "data": {"evseId": 1},
    }
    assert schema_errors("DataTransfer", request, version) == []


def test_trigger_read_as_json_as_rewritten_by_ocpp_and_as_a_string() -> None:
    request = start_qr_payment_request(4)
    delivered = camel_to_snake_case(request)  # what an ocpp @on handler receives
    assert delivered["data"] == {"evse_id": 4}
    assert read_start_qr_payment(VENDOR_ID, START_QR_PAYMENT, request["data"]) == 4
    assert (
        read_start_qr_payment(delivered["vendor_id"], delivered["message_id"], delivered["data"])
        == 4
    )
    assert read_start_qr_payment(VENDOR_ID, START_QR_PAYMENT, json.dumps({"evseId": 4})) == 4
    assert read_start_qr_payment(VENDOR_ID, START_QR_PAYMENT, {"evseId": 4, "evse_id": 4}) == 4


@pytest.mark.parametrize("version", VERSIONS)
def test_trigger_answers_validate_against_the_response_schema(version: str) -> None:
    cases = [
        (VENDOR_ID, START_QR_PAYMENT, {"evseId": 1}, "Accepted"),
        ("com.example", START_QR_PAYMENT, {"evseId": 1}, "UnknownVendorId"),
        (VENDOR_ID, "StopQRPayment", {"evseId": 1}, "UnknownMessageId"),
        (VENDOR_ID, None, {"evseId": 1}, "UnknownMessageId"),
        (VENDOR_ID, START_QR_PAYMENT, {"evseId": 9}, "Rejected"),
    ]
    for vendor, message, data, status in cases:
        answer = answer_start_qr_payment(vendor, message, data, evse_ids={1, 2})
        response = answer.to_response()
        assert response["status"] == status
        assert answer.accepted is (status == "Accepted")
        assert schema_errors("DataTransfer", response, version, response=True) == []
        # what an ocpp @on handler returns puts the same dict on the wire
        assert on_the_wire(data_transfer_result(response, version)) == response


def test_trigger_is_rejected_when_the_station_cannot_display() -> None:
    answer = answer_start_qr_payment(VENDOR_ID, START_QR_PAYMENT, {"evseId": 1}, can_display=False)
    assert (answer.status, answer.evse_id) == ("Rejected", None)
    assert answer.to_response()["statusInfo"]["reasonCode"] == "NoQRCodeDisplay"
    # a malformed request is still named as such, not blamed on the display
    answer = answer_start_qr_payment("com.example", START_QR_PAYMENT, {}, can_display=False)
    assert answer.status == "UnknownVendorId"


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"evseId": 0},
        {"evseId": -1},
        {"evseId": True},
        {"evseId": "1"},
        {"evseId": 1.5},
        {"evseId": 1, "evse_id": 2},
        "not json",
        "[1]",
        [1],
        1,
        '{"evse": 1}',
    ],
)
def test_trigger_with_bad_data_is_rejected(data: Any) -> None:
    answer = answer_start_qr_payment(VENDOR_ID, START_QR_PAYMENT, data)
    assert answer.status == "Rejected"
    assert answer.evse_id is None
    assert answer.to_response()["statusInfo"]["reasonCode"] == "InvalidData"
    refused("ocpp.trigger_data", read_start_qr_payment, VENDOR_ID, START_QR_PAYMENT, data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(
    data=json_values
    | st.dictionaries(st.sampled_from(["evseId", "evse_id", "x"]), json_values, max_size=3)
    | st.text(max_size=20)
)
def test_trigger_answer_never_raises(data: Any) -> None:
    for form in (data, json.dumps(data)):
        answer = answer_start_qr_payment(VENDOR_ID, START_QR_PAYMENT, form)
        assert answer.status in ("Accepted", "Rejected")
        assert answer.accepted is (answer.evse_id is not None)


def test_trigger_with_absurdly_nested_json_is_rejected() -> None:
    answer = answer_start_qr_payment(VENDOR_ID, START_QR_PAYMENT, "[" * 100_000 + "]" * 100_000)
    assert answer.status == "Rejected"


@settings(max_examples=150, deadline=None)
@given(
    message=st.dictionaries(st.sampled_from(["id", "priority", "message", "display"]), json_values)
)
def test_station_reading_never_crashes(message: dict[str, Any]) -> None:
    try:
        shown = read_display_message(message)
    except OCPPError as error:
        assert error.code == "ocpp.display_message"
    else:
        assert isinstance(shown.content, str) and isinstance(shown.message_id, int)


def test_station_builder_refuses_a_bad_evse() -> None:
    for evse in (0, -2, True, "1"):
        refused("ocpp.trigger_data", start_qr_payment_request, evse)


# --- the payment session -------------------------------------------------------------------------


def session(**changes: Any) -> PaymentSession:
    fields: dict[str, Any] = {
        "station_id": "CS-0001",
        "evse_id": 1,
        "message_id": 41,
        "reference": "EV20261121-0001",
        "model": "prepaid",
        "amount": Decimal(2000),
        "code": jpqr_code(amount="2000"),
        "expires_at": EXPIRY,
    }
    fields.update(changes)
    return PaymentSession(**fields)


def test_prepaid_session_refunds_the_unused_part() -> None:
    done = session().displayed().authorised().started().completed(Decimal(1500))
    assert done.state == "refunded"
    assert (done.refund, done.capture, done.release) == (Decimal(500), None, None)
    # all of it used: nothing to refund, the session ends captured
    assert session().authorised().completed(Decimal(2000)).state == "captured"


def test_authorisation_session_captures_and_releases() -> None:
    started = session(model="authorisation", amount=Decimal(3000), code=jpqr_code())
    done = started.displayed().authorised().completed(Decimal(1234))
    assert done.state == "captured"
    assert (done.capture, done.release, done.refund) == (Decimal(1234), Decimal(1766), None)
    nothing = started.displayed().authorised().started().completed(Decimal(0))
    assert (nothing.state, nothing.release) == ("released", Decimal(3000))
    # the authorisation code may also carry the maximum itself
    session(model="authorisation", amount=Decimal(3000), code=jpqr_code(amount="3000"))


@pytest.mark.parametrize("version", VERSIONS)
def test_refresh_replaces_the_code_under_the_same_message_id(version: str) -> None:
    options = {"qr_code_display": True} if version == "2.0.1" else {}
    first = session().displayed()
    before = first.display_request(version, **options)
    new_code = jpqr_code(amount="2000", terminal="EVSE-1R")
    later = EXPIRY + timedelta(minutes=10)
    second = first.refreshed(new_code, later)
    after = second.display_request(version, **options)
    assert second.state == "shown" and second.revision == 1
    assert after["message"]["id"] == before["message"]["id"] == 41
    assert before["message"]["message"]["content"] == first.code
    assert after["message"]["message"]["content"] == new_code
    assert after["message"]["endDateTime"] == "2026-11-21T17:40:00Z"
    assert schema_errors("SetDisplayMessage", after, version) == []
    # an expired code is final (cancelled at the provider): the next code is a new session
    refused("ocpp.session_state", first.expired(EXPIRY).refreshed, new_code, later)


def test_clear_request_names_the_message_id() -> None:
    request = session().clear_request()
    assert request == {"id": 41}
    for version in VERSIONS:
        assert schema_errors("ClearDisplayMessage", request, version) == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"code": jpqr_code(amount="2000", initiation="11")}, "ocpp.session_code"),
        ({"code": jpqr_code(amount="2000", reference="OTHER")}, "ocpp.session_code"),
        ({"code": jpqr_code(amount="1999")}, "ocpp.session_code"),
        ({"code": jpqr_code()}, "ocpp.session_code"),  # prepaid without amount
        ({"model": "authorisation", "code": jpqr_code(amount="100")}, "ocpp.session_code"),
        ({"model": "credit"}, "ocpp.session"),
        ({"amount": Decimal(0)}, "ocpp.session"),
        ({"amount": 2000}, "ocpp.session"),
        ({"reference": ""}, "ocpp.session"),
        ({"reference": "R" * 26}, "ocpp.session"),
        ({"evse_id": 0}, "ocpp.evse_id"),
        ({"state": "displayed"}, "ocpp.session"),  # not a state of jpqr.ocpp.flow
        ({"expires_at": datetime(2026, 11, 21, 17, 30)}, "ocpp.datetime"),
        ({"code": broken_crc(jpqr_code(amount="2000"))}, "ocpp.invalid_code"),
    ],
)
def test_session_refuses_inconsistent_records(changes: dict[str, Any], code: str) -> None:
    refused(code, session, **changes)


def test_session_refuses_steps_out_of_order() -> None:
    created = session()
    refused("ocpp.session_state", created.started)
    refused("ocpp.session_state", created.completed, Decimal(1))
    refused("ocpp.session_state", created.returned)
    refused("ocpp.session_state", created.cancelled().refreshed, created.code, EXPIRY)
    refused("ocpp.session_state", created.cancelled().authorised)
    refused("ocpp.session_state", created.expired, EXPIRY - timedelta(seconds=1))
    paid = created.displayed().authorised()
    refused("ocpp.session_state", paid.cancelled)
    refused("ocpp.session_state", paid.authorised)  # a replayed webhook is not applied twice
    refused("ocpp.session_state", paid.started().started)  # nor a second Started
    done = paid.completed(Decimal(2000))
    refused("ocpp.session_state", done.completed, Decimal(2000))  # nor a second Ended
    assert paid.failed().returned().state == "refunded"
    refused("ocpp.session", paid.completed, Decimal(2001))
    refused("ocpp.session", paid.completed, Decimal(-1))
    refused("ocpp.session_code", created.refreshed, jpqr_code(amount="2000", reference="X"), EXPIRY)


def test_calls_without_the_ocpp_package_say_how_to_install_it() -> None:
    script = (
        "import sys; sys.modules['ocpp'] = None\n"  # as if the package were not installed
        "from jpqr.ocpp import start_qr_payment_request\n"
        "from jpqr.ocpp.calls import data_transfer_call\n"
        "try:\n"
        "    data_transfer_call(start_qr_payment_request(1), '2.1')\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "pip install 'jpqr[ocpp]'" in out.stdout
