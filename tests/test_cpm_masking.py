"""No PAN or track 2 appears unmasked anywhere jpqr.cpm speaks: report messages, issue and
exception strings and reprs, typed objects, JSON, the CLI, log records. Hypothesis makes codes
around random card numbers, then breaks them every way a mutation can (one byte of the BER data
or one character of the Base64 text changed, dropped, added, or the code cut short) and reads
everything each path says."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jpqr import JPQRError, _ber_py, cpm
from jpqr._ber_object import BerObject
from jpqr.cpm import render

from .conftest import IMPLEMENTATIONS, twin
from .test_ber import tlv

# Distinct enough that 7 of its digits in a row cannot come from anything else in the output
# (the AID A0000000555555, an offset, an expiry date).
digits = st.text(alphabet="0123456789", min_size=12, max_size=19).filter(
    lambda pan: len(set(pan[:7])) >= 5 and len(set(pan[-7:])) >= 5
)


def forms(pan: str) -> list[str]:
    """What would give the PAN away: its digits, the hex and bytes forms of its BCD, and the
    Base64 of its BCD at each alignment (a code's text carries it so). (PCI DSS lets the first
    6 and last 4 show: any 7 digits in a row at its start do not.)"""
    bcd = bytes.fromhex(pan + "F" * (len(pan) % 2))
    return [pan, pan[:7], pan[-7:], bcd.hex().upper(), bcd.hex(), repr(bcd)[2:-1], *base64s(bcd)]


def base64s(data: bytes) -> list[str]:
    """The Base64 characters that only ``data`` decides, at each of the 3 alignments it may
    have in a longer text (8 characters or more: shorter runs could come from anything)."""
    runs = []
    for shift in range(3):
        text = base64.b64encode(b"\0" * shift + data + b"\0\0\0").decode()
        first = -(-shift // 3)  # the first group of 3 bytes that starts inside data
        last = (shift + len(data)) // 3  # the first group that ends past it
        run = text[4 * first : 4 * last]
        if len(run) >= 8:
            runs.append(run)
    return runs


def said(payload: Any, shown: bool = True) -> list[str]:
    """Everything jpqr.cpm says about a payload, on every path (with ``shown``, the decoded
    values that ``jpqr decode`` and a BerObject's repr show too)."""
    out: list[str] = []
    for lenient in (False, True):
        report = cpm.validate(payload, lenient=lenient)
        out += [repr(report), str(report), repr(report.errors), repr(report.warnings)]
        out.append(str(report.to_dict()))
        out += [str(issue) for issue in report.errors + report.warnings]
        out.append(render.explain("payload", report))
    calls: list[Callable[[Any], object]] = [cpm.parse]
    if shown:
        calls += [cpm.decode, render.decode_rows]
    for call in calls:
        try:
            result = call(payload)
        except JPQRError as exc:
            out += [str(exc), repr(exc), exc.message]
        else:
            # Where the mutation made the PAN's bytes another tag's value (an AID, which the
            # typed code shows too: Application.aid), the typed code shows them by the data's
            # own account; its errors are still checked.
            if shown or call is not cpm.parse:
                out += [repr(result), str(result)]
    if shown:
        out += [
            text
            for _, text in (
                render.decode_command(payload, True),
                render.decode_command(payload, False),
            )
        ]
    return out


def claimed_elsewhere(data: bytes, pan: str) -> bool:
    """Whether a mutation moved the PAN's bytes under a tag that shows its value: a 5A turned
    4F is an AID by the data's own account, and ``jpqr decode`` (and a BerObject's repr)
    show AIDs. Every message, report, error and typed object is checked all the same."""
    bcd = bytes.fromhex(pan + "F" * (len(pan) % 2))[:4]
    try:
        tree = _ber_py.decode(data)
    except JPQRError:
        return False
    stack = list(tree)
    while stack:
        obj = stack.pop()
        if obj.children is not None:
            stack.extend(obj.children)
        elif obj.tag not in ("57", "5A") and bcd in obj.value:
            return True
    return False


def code_around(pan: str, expiry: str) -> bytes:
    track = bytes.fromhex(pan + "D" + expiry + "201" + "1234" + "F" * ((len(pan) + 8) % 2))
    cn = bytes.fromhex(pan + "F" * (len(pan) % 2))
    app = tlv("4F", bytes.fromhex("A0000000555555")) + tlv("57", track) + tlv("5A", cn)
    return tlv("85", b"CPV01") + tlv("61", app) + tlv("62", tlv("5A", cn))


def leaked(pan: str, outputs: list[str]) -> list[str]:
    return [form for form in forms(pan) for text in outputs if form in text]


MASKING = settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("name", IMPLEMENTATIONS)
@MASKING
@given(digits, st.sampled_from(["2512", "1912", "9901"]), st.data())
def test_no_pan_on_any_path(name: str, pan: str, expiry: str, data: st.DataObject) -> None:
    raw = bytearray(code_around(pan, expiry))
    text = base64.b64encode(bytes(raw)).decode()
    kind = data.draw(st.sampled_from(["none", "byte", "drop", "add", "cut", "char"]))
    if kind != "none" and kind != "char":
        index = data.draw(st.integers(0, len(raw) - 1))
        byte = data.draw(st.integers(0, 255))
        if kind == "byte":
            raw[index] = byte
        elif kind == "drop":
            del raw[index]
        elif kind == "add":
            raw.insert(index, byte)
        else:
            del raw[index:]
        text = base64.b64encode(bytes(raw)).decode()
    elif kind == "char":
        index = data.draw(st.integers(0, len(text) - 1))
        text = text[:index] + data.draw(st.sampled_from("A/+=-_ \n\x00é")) + text[index + 1 :]
    try:
        shown = not claimed_elsewhere(base64.b64decode(text, validate=True), pan)
    except ValueError:
        shown = True
    with twin(name):  # type: ignore[arg-type]
        outputs = said(text, shown) + said(text.encode(), shown)
    assert leaked(pan, outputs) == []


@given(digits)
def test_builder_errors_mask(pan: str) -> None:
    makers: list[Callable[[], cpm.Builder]] = [
        lambda: cpm.Builder().application("A0", pan=pan),  # AID too short: the error is elsewhere
        lambda: cpm.Builder().application("A0000000555555", track2=pan),  # no separator
        lambda: cpm.Builder().application("A0000000555555", pan=pan + "x"),
        lambda: cpm.Builder().application("A0000000555555", track2=pan + "D25"),
    ]
    for make in makers:
        try:
            make().build()
        except JPQRError as exc:
            assert leaked(pan, [str(exc), repr(exc)]) == []


@given(digits)
def test_typed_objects_and_ber_objects_mask(pan: str) -> None:
    masked = cpm.Masked(pan)
    track = cpm.Track2(masked, "2512", "201", cpm.Masked("1234"))
    data = cpm.CommonData(
        pan=masked, track2=track, other=(("5B", pan),), transparent=(("9F7C", pan),)
    )
    obj = BerObject("5A", bytes.fromhex(pan + "F" * (len(pan) % 2)), None, 0)
    outputs = [repr(masked), str(masked), repr(track), str(track), repr(data), repr(obj), str(obj)]
    outputs.append(repr(BerObject("62", obj.value, (obj,), 0)))
    assert leaked(pan, outputs) == []
    assert masked.value == pan  # read on purpose only


def test_no_log_records(caplog: pytest.LogCaptureFixture) -> None:
    pan = "4111111111111111"
    with caplog.at_level(logging.DEBUG):
        said(base64.b64encode(code_around(pan, "2512")).decode())
    assert leaked(pan, [record.getMessage() for record in caplog.records]) == []


def test_mask_bounds() -> None:
    # PCI DSS 3.4.1: the first six and last four at most; shorter values show less.
    assert cpm.mask("4111111111111111111") == "411111*********1111"
    assert cpm.mask("411111111111") == "********1111"
    assert cpm.mask("411111111") == "*********"


@pytest.mark.parametrize("twin_name", IMPLEMENTATIONS)
@pytest.mark.parametrize("profile", ["emvco", "jpqr"])
def test_cli_never_echoes_cpm_text_checked_as_a_merchant_code(twin_name: str, profile: str) -> None:
    # `jpqr validate --profile emvco CPM-TEXT` marked the offending part of the payload: the
    # Base64 that carries the PAN, whole for a short code.
    from .test_cli import run_jpqr

    pan = "1234567890123458"
    text = base64.b64encode(
        tlv("85", b"CPV01")
        + tlv("61", tlv("4F", bytes.fromhex("A0000000555555")) + tlv("5A", bytes.fromhex(pan)))
    ).decode()
    done = run_jpqr(twin_name, "validate", "--profile", profile, "--color", "never", text)
    assert done.returncode == 1 and "INVALID" in done.stdout, done
    shown = done.stdout + done.stderr
    assert [form for form in forms(pan) if form in shown] == []
