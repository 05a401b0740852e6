"""The ``promptpay`` profile (Thai QR Payment; rows from promptparse, dtinth/promptpay-qr,
lee-ratinan/emv-qr) on both twins: the published payloads of tests/data/schemes/promptpay.jsonl,
a single-rule mutation per row (CRC recomputed independently, tests/scheme_codes.py), and
``emvco``'s own verdict on the departing codes (no 52, 59, 60) kept."""

from __future__ import annotations

from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

import jpqr
from jpqr.profiles import PROFILES, SCHEMES, emvco, promptpay

from .conftest import twin
from .scheme_codes import ON_BOTH_TWINS, clean, found, mutate, published

ENTRIES = published("promptpay")
CLEAN = clean("promptpay")
DEPARTED = [("field.missing", "52"), ("field.missing", "59"), ("field.missing", "60")]


def entry(fragment: str) -> str:
    """The payload of the one line whose source contains ``fragment``."""
    (payload,) = [e["payload"] for e in ENTRIES if fragment in e["source"]]
    return str(payload)


PHONE = entry("index.test.js:22 ")  # 29-01 mobile
NATIONAL_ID = entry("index.test.js:45 ")  # 29-02
WALLET = entry("index.test.js:69 ")  # 29-03
BILL = entry("index.test.ts:98 ")  # 30: biller ID, ref 1, ref 2
TRUEMONEY = entry("index.test.ts:85 ")  # 81 as a UTF-16BE hex primitive


def test_the_profile_is_registered_with_its_scheme(impl: ModuleType) -> None:
    assert PROFILES["promptpay"] is promptpay and promptpay.SCHEME in SCHEMES
    assert promptpay.SCHEME.guids == {
        "A000000677010111": frozenset({"29"}),
        "A000000677010112": frozenset({"30"}),
        "A000000677010113": frozenset({"31"}),
    }
    assert "A000000677010114" not in promptpay.SCHEME.guids  # disputed
    assert "A00000677010111" in promptpay.SCHEME.near_misses


@pytest.mark.parametrize("payload", CLEAN)
def test_published_payloads_validate_clean(impl: ModuleType, payload: str) -> None:
    report = promptpay.validate(payload)
    assert found(report) == [] and report == jpqr.validate(payload, "promptpay")


@pytest.mark.parametrize("payload", [p for p in CLEAN if "5204" not in p])
def test_emvco_keeps_its_verdict_on_the_departure(impl: ModuleType, payload: str) -> None:
    # Every published code without 52 lacks 59 and 60 too: EMVCo says error, PromptPay ok.
    assert found(emvco.validate(payload)) == DEPARTED


def test_a_code_with_a_wrong_crc_gets_only_that(impl: ModuleType) -> None:
    (bad,) = [e["payload"] for e in ENTRIES if e["crc"] == "mismatch"]
    assert found(promptpay.validate(bad)) == [("crc.mismatch", "63")]


def test_truemoney_with_a_message_in_81(impl: ModuleType) -> None:
    # TrueMoney's 81 holds a UTF-16BE hex primitive: promptpay reads it so (its primitives),
    # emvco keeps calling 81 a template that holds no data objects.
    assert found(promptpay.validate(TRUEMONEY)) == []
    assert ("tlv.template_not_tlv", "81") in found(jpqr.validate(TRUEMONEY, "emvco"))


@pytest.mark.parametrize(
    ("payload", "path", "value", "code", "where"),
    [
        (PHONE, "29.00", "A000000677010114", "promptpay.account", "29"),  # disputed AID
        (PHONE, "29.00", "A00000677010111", "promptpay.account", "29"),  # near miss
        (BILL, "30.00", "A000000677010111", "promptpay.account", "30"),  # AID of 29 in 30
        (PHONE, "29.01", None, "promptpay.proxy", "29"),  # no proxy
        (PHONE, "29.01", "006680123456", "promptpay.proxy", "29.01"),  # 12 digits
        (PHONE, "29.01", "+66801234567X", "promptpay.proxy", "29.01"),
        (NATIONAL_ID, "29.02", "11111111111111", "promptpay.proxy", "29.02"),  # 14 digits
        (WALLET, "29.03", "01234567890123", "promptpay.proxy", "29.03"),  # 14 digits
        (BILL, "30.01", None, "promptpay.bill", "30.01"),
        (BILL, "30.02", None, "promptpay.bill", "30.02"),
    ],
)
def test_a_single_rule_mutation_gets_that_rule(
    impl: ModuleType, payload: str, path: str, value: str | None, code: str, where: str
) -> None:
    mutant = mutate(payload, path, value)
    assert found(promptpay.validate(mutant)) == [(code, where)]
    # EMVCo's verdict is its own: the missing 52, 59, 60 and nothing of PromptPay.
    assert found(emvco.validate(mutant)) == DEPARTED


def test_the_aid_is_compared_in_any_case(impl: ModuleType) -> None:
    assert promptpay.is_valid(mutate(PHONE, "29.00", "a000000677010111"))


def test_the_rows_of_29_judge_only_a_promptpay_29(impl: ModuleType) -> None:
    # A 29 of another owner beside a PromptPay bill payment: its sub-IDs are not PromptPay's.
    code = mutate(BILL, "29", "0009x.foo.bar0103abc")
    assert found(promptpay.validate(code)) == []


@ON_BOTH_TWINS
@given(number=st.from_regex(r"[0-9]{1,20}", fullmatch=True))
def test_a_mobile_proxy_is_13_digits(impl: ModuleType, number: str) -> None:
    report = promptpay.validate(mutate(PHONE, "29.01", number))
    assert found(report) == ([] if len(number) == 13 else [("promptpay.proxy", "29.01")])


@pytest.mark.parametrize("payload", [e["payload"] for e in ENTRIES])
def test_the_twins_agree_on_every_published_payload(impl: ModuleType, payload: str) -> None:
    # Broken CRCs and templates included: the same report, issue for issue, on both twins.
    report = promptpay.validate(payload)
    with twin("python"):
        assert report == promptpay.validate(payload)
