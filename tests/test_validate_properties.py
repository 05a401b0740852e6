"""Hypothesis: codes made by the Builder validate, and single mutations are caught with the
right code (a digit changed, a mandatory object dropped, an object duplicated, a length off by
one, a CRC digit flipped), on both twins. Mutated payloads are re-assembled here, with the CRC
from ``binascii`` (tests/test_validate.py), not by the code under test."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jpqr
from jpqr import Builder, DataObject

from .test_builder import specs
from .test_validate import crc_of

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
MANDATORY = ["00", "52", "53", "58", "59", "60"]  # SPEC §3 (63 is the CRC's own rule)


def with_crc(objects: list[DataObject]) -> str:
    body = "".join(f"{o.id}{len(o.value):02d}{o.value}" for o in objects) + "6304"
    return body + crc_of(body)


def built(spec: dict[str, Any]) -> tuple[str, list[DataObject]]:
    payload = Builder.from_dict(spec).to_payload()
    objects = [o for o in jpqr.decode(payload) if o.id != "63"]
    return payload, objects


@SETTINGS
@given(spec=specs)
def test_built_codes_validate(impl: ModuleType, spec: dict[str, Any]) -> None:
    payload, objects = built(spec)
    report = jpqr.validate(payload)
    assert report.ok and report.profile == "jpqr" and report.crc == "ok", report.errors
    assert with_crc(objects) == payload  # the builder's CRC is the independent one


@SETTINGS
@given(spec=specs, data=st.data())
def test_changed_digit_is_caught_by_the_crc(
    impl: ModuleType, spec: dict[str, Any], data: st.DataObject
) -> None:
    payload, _ = built(spec)
    positions = [i for i, c in enumerate(payload[:-4]) if c.isdigit()]
    at = data.draw(st.sampled_from(positions))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != payload[at]]))
    report = jpqr.validate(payload[:at] + digit + payload[at + 1 :])
    assert "crc.mismatch" in report.codes or (at >= len(payload) - 8 and not report.ok)


@SETTINGS
@given(spec=specs, data=st.data())
def test_dropped_mandatory_object(
    impl: ModuleType, spec: dict[str, Any], data: st.DataObject
) -> None:
    _, objects = built(spec)
    id = data.draw(st.sampled_from(MANDATORY))
    report = jpqr.validate(with_crc([o for o in objects if o.id != id]), "jpqr")
    assert any(i.code == "field.missing" and i.path == id for i in report.errors), report.errors


@SETTINGS
@given(spec=specs, data=st.data())
def test_duplicated_object(impl: ModuleType, spec: dict[str, Any], data: st.DataObject) -> None:
    _, objects = built(spec)
    index = data.draw(st.integers(1, len(objects) - 1))
    objects.insert(index, objects[index])
    report = jpqr.validate(with_crc(objects), "jpqr")
    assert any(i.code == "duplicate.id" and i.path == objects[index].id for i in report.errors), (
        report.errors
    )


@SETTINGS
@given(spec=specs, data=st.data())
def test_length_off_by_one(impl: ModuleType, spec: dict[str, Any], data: st.DataObject) -> None:
    payload, objects = built(spec)
    index = data.draw(st.integers(0, len(objects) - 1))
    delta = data.draw(st.sampled_from([-1, 1]))
    parts = [f"{o.id}{len(o.value):02d}{o.value}" for o in objects]
    obj = objects[index]
    parts[index] = f"{obj.id}{len(obj.value) + delta:02d}{obj.value}"
    body = "".join(parts) + "6304"
    kept_crc = jpqr.validate(body + payload[-4:])
    assert "crc.mismatch" in kept_crc.codes or "crc.missing" in kept_crc.codes
    # Even with a CRC recomputed over the damage, the structure gives it away.
    report = jpqr.validate(body + crc_of(body), "jpqr")
    assert not report.ok
    assert any(not code.startswith("crc.") for code in report.codes), report.errors


@SETTINGS
@given(spec=specs, data=st.data())
def test_flipped_crc_digit(impl: ModuleType, spec: dict[str, Any], data: st.DataObject) -> None:
    payload, _ = built(spec)
    at = data.draw(st.integers(len(payload) - 4, len(payload) - 1))
    other = data.draw(st.sampled_from([c for c in "0123456789ABCDEF" if c != payload[at]]))
    report = jpqr.validate(payload[:at] + other + payload[at + 1 :])
    assert report.crc == "mismatch" and "crc.mismatch" in report.codes
