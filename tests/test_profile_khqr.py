"""The ``khqr`` profile (Cambodia, Bakong; rows from bakong-khqr-php, the port of NBC's SDK) on
both twins: the published payloads of tests/data/schemes/khqr.jsonl with the verdict of the
SDK's ``verify()``, a single-rule mutation per row (CRC recomputed independently,
tests/scheme_codes.py), the clock of ``khqr.expired`` fixed (``validate_at``) or the system's
(``validate``, on codes whose expiry is long past or far ahead), and ``detect``/``expiry``."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

import jpqr
from jpqr.profiles import PROFILES, SCHEMES, emvco, khqr

from .conftest import twin
from .scheme_codes import ON_BOTH_TWINS, clean, found, mutate, published, read

ENTRIES = published("khqr")
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# For codes without a creation time: any day will do, none of them has a 99-01 to judge.
DAY = datetime(2024, 9, 1, tzinfo=timezone.utc)


def entry(fragment: str) -> str:
    """The payload of the one line whose source contains ``fragment``."""
    (payload,) = [e["payload"] for e in ENTRIES if fragment in e["source"]]
    return str(payload)


def stamp(payload: str, id: str) -> int | None:
    """99-``id`` (milliseconds) of ``payload``, read without jpqr; None where there is none."""
    root = dict(read(payload))
    inner = dict(read(root["99"])) if "99" in root else {}
    value = inner.get(id, "")
    return int(value) if len(value) == 13 and value.isdigit() else None


def made(payload: str) -> datetime:
    """When the code was made (99-00), or DAY: the clock its published verdict is read at."""
    ms = stamp(payload, "00")
    return DAY if ms is None else EPOCH + timedelta(milliseconds=ms)


INDIVIDUAL = entry("README.md:83 ")  # 29, KHR 500, 99-00 and 99-01 (dynamic)
MERCHANT = entry("README.md:126 ")  # 30 with 01 and 02, static, no 99
KHMER = entry("Timestamp/DecodeTest.php:15 ")  # 29 with 01 and 02, 64 in Khmer, 99
EXPIRED = entry("Timestamp/ValidTest.php:26 ")  # "KHQR was expired" (errorCode 46)
AT = made(INDIVIDUAL)

# The verdict of each published line that is not clean, by its source: the SDK's verify() (its
# errorCode in the comment), or EMVCo's code where EMVCo already says it.
EXPECTED = {
    # dynamic with a creation time only: EXPIRATION_TIMESTAMP_REQUIRED in verify(), although
    # the README examples of the same library call them valid (decode(), verify() of an older
    # version); see the module docstring.
    "README.md:136 ": [("khqr.expiry", "99.01")],
    "README.md:275 ": [("khqr.expiry", "99.01")],
    "tests/DecodeTest.php:46 ": [("khqr.expiry", "99.01")],
    "tests/DecodeTest.php:387 ": [("khqr.expiry", "99.01")],
    "README.md:297 ": [("khqr.expiry", "99")],  # an amount and no 99 (45)
    # "Decode Test 14": no 29/30, not a KHQR code
    "tests/DecodeTest.php:418 ": [
        ("account.missing", ""),
        ("khqr.account", "29"),
        ("khqr.expiry", "99.01"),
    ],
    "Mcc/ValidTest.php:16 ": [("field.format", "52")],  # 51: '1A2B'
    "Mcc/ValidTest.php:21 ": [("field.format", "52")],  # 51: '-100'
    "Timestamp/ValidTest.php:16 ": [("field.value", "01")],  # 48: 01 = 13
    "Timestamp/ValidTest.php:21 ": [("khqr.amount", "54")],  # 47: dynamic without 54
    "Timestamp/ValidTest.php:31 ": [("khqr.expiry", "99")],  # 45: dynamic without 99
    "Timestamp/ValidTest.php:36 ": [("khqr.expiry", "99.01")],  # 45: 99 without 01
    "Timestamp/ValidTest.php:41 ": [("khqr.expiry", "99.01")],  # 49: 14 digits
}


def test_the_profile_is_registered_with_its_scheme(impl: ModuleType) -> None:
    assert PROFILES["khqr"] is khqr and khqr.SCHEME in SCHEMES
    assert khqr.SCHEME.guids == {} and khqr.SCHEME.detect is khqr.detect
    assert khqr.SCHEME.country == "KH" and khqr.SCHEME.expiry is khqr.expiry


@pytest.mark.parametrize("line", ENTRIES, ids=lambda e: e["source"].split(" ")[1][-36:])
def test_published_payloads_get_the_sdk_verdict(impl: ModuleType, line: dict[str, str]) -> None:
    assert (line["crc"], line["tlv"]) == ("ok", "ok")
    payload = line["payload"]
    expected = next((codes for key, codes in EXPECTED.items() if key in line["source"]), [])
    report = khqr.validate_at(payload, made(payload))
    assert found(report) == expected
    assert report.profile == "khqr"


def test_the_expired_code_of_the_sdk_tests(impl: ModuleType) -> None:
    # Valid when made, expired two minutes later (its 99-01), and today (the system clock).
    end = EPOCH + timedelta(milliseconds=1727249484974)
    assert found(khqr.validate_at(EXPIRED, end)) == []
    assert found(khqr.validate_at(EXPIRED, end + timedelta(milliseconds=1))) == [
        ("khqr.expired", "99.01")
    ]
    assert found(khqr.validate(EXPIRED)) == [("khqr.expired", "99.01")]
    # The report does not change with the clock (the message names the expiry, not now).
    assert khqr.validate(EXPIRED) == khqr.validate_at(EXPIRED, end + timedelta(days=9999))
    assert found(jpqr.validate(EXPIRED, "khqr")) == [("khqr.expired", "99.01")]
    assert found(emvco.validate(EXPIRED)) == []  # EMVCo has no expiry


def test_an_expiry_far_ahead_passes_on_the_system_clock(impl: ModuleType) -> None:
    future = mutate(INDIVIDUAL, "99.01", "9999999999999")  # 2286
    assert found(khqr.validate(future)) == [] and khqr.is_valid(future)


@pytest.mark.parametrize(
    ("payload", "path", "value", "code", "where"),
    [
        (INDIVIDUAL, "29.00", "jonhsmith.nbcq", "khqr.account", "29.00"),  # name@bank
        (KHMER, "29.01", "8" * 33, "khqr.account", "29.01"),  # at most 32
        (KHMER, "29.02", "B" * 33, "khqr.account", "29.02"),
        (MERCHANT, "30.01", "1" * 33, "khqr.account", "30.01"),
        (MERCHANT, "30.02", "D" * 33, "khqr.account", "30.02"),
        (INDIVIDUAL, "53", "764", "khqr.currency", "53"),  # KHR or USD only
        (INDIVIDUAL, "54", None, "khqr.amount", "54"),  # dynamic without an amount
        (INDIVIDUAL, "99", None, "khqr.expiry", "99"),  # dynamic without 99
        (MERCHANT, "54", "5.00", "khqr.expiry", "99"),  # an amount without 99
        (INDIVIDUAL, "99.01", None, "khqr.expiry", "99.01"),
        (INDIVIDUAL, "99.01", "174225065418", "khqr.expiry", "99.01"),  # 12 digits
        (INDIVIDUAL, "99.01", "17422506541X4", "khqr.expiry", "99.01"),  # not digits
        (INDIVIDUAL, "99.01", "1742250594186", "khqr.expiry", "99.01"),  # before 99-00
    ],
)
def test_a_single_rule_mutation_gets_that_rule(
    impl: ModuleType, payload: str, path: str, value: str | None, code: str, where: str
) -> None:
    mutant = mutate(payload, path, value)
    assert found(khqr.validate_at(mutant, made(payload))) == [(code, where)]
    # KHQR only narrows EMVCo: the same code is clean there.
    assert found(emvco.validate(mutant)) == []


def test_a_code_without_a_bakong_account(impl: ModuleType) -> None:
    mutant = mutate(INDIVIDUAL, "29", rename="31")
    assert found(khqr.validate_at(mutant, AT)) == [("khqr.account", "29")]
    assert found(emvco.validate(mutant)) == []


def test_the_99_of_a_static_code_is_not_read(impl: ModuleType) -> None:
    # "Decode Test 5" uses 99 for something else; the SDK reads 99 only in a dynamic code.
    assert found(khqr.validate_at(entry("tests/DecodeTest.php:139 "), DAY)) == []
    assert found(khqr.validate_at(mutate(MERCHANT, "99", "0003abc"), DAY)) == []


def test_the_clock_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        khqr.table_at(datetime(2025, 1, 1))


def test_detect_needs_a_bakong_account_and_kh() -> None:
    tree = jpqr.decode
    kh = [p for p in clean("khqr") if "@" in p and "5802KH" in p]
    assert len(kh) == len(ENTRIES) - 1  # all but "Decode Test 14", which has no 29/30
    assert all(khqr.detect(tree(p)) for p in kh)
    assert not khqr.detect(tree(entry("tests/DecodeTest.php:418 ")))
    assert not khqr.detect(tree(mutate(INDIVIDUAL, "58", "TH")))
    assert not khqr.detect(tree(mutate(INDIVIDUAL, "29.00", "jonhsmith.nbcq")))


def test_expiry_is_99_01_in_utc() -> None:
    tree = jpqr.decode
    assert khqr.expiry(tree(INDIVIDUAL)) == EPOCH + timedelta(milliseconds=1742250654184)
    assert khqr.expiry(tree(MERCHANT)) is None
    assert khqr.expiry(tree(entry("tests/DecodeTest.php:139 "))) is None  # 99-00 is hex
    assert khqr.expiry(tree(entry("Timestamp/ValidTest.php:41 "))) is None  # 14 digits


@ON_BOTH_TWINS
@given(offset=st.integers(min_value=-(10**9), max_value=10**9))
def test_expired_exactly_after_99_01(impl: ModuleType, offset: int) -> None:
    end = EPOCH + timedelta(milliseconds=1742250654184)
    now = end + timedelta(milliseconds=offset)
    report = khqr.validate_at(INDIVIDUAL, now)
    assert found(report) == ([("khqr.expired", "99.01")] if now > end else [])


@pytest.mark.parametrize("payload", [e["payload"] for e in ENTRIES])
def test_the_twins_agree_on_every_published_payload(impl: ModuleType, payload: str) -> None:
    # Broken CRCs and templates included: the same report, issue for issue, on both twins.
    report = khqr.validate_at(payload, DAY)
    with twin("python"):
        assert report == khqr.validate_at(payload, DAY)
