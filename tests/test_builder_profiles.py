"""``Builder(profile=NAME)`` for every registered profile (issue 12, item 3), on both twins.

The national profiles are written concurrently with this file, so the builder is held to what
every registered profile says (``PROFILES``), and to a test-only profile (``napas-test``,
tests/napas_profile.py) that departs from EMVCo as VietQR does.

Expected payloads are the published examples of tests/data/schemes (NAPAS §6.1, odoo), never
the builder's own output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

import jpqr
from jpqr import Builder, BuildError
from jpqr.profiles import PROFILES, emvco
from jpqr.profiles._scheme import Scheme
from jpqr.profiles._table import Allowed, Fields, Profile
from jpqr.schema import Field

from .conftest import DATA
from .napas_profile import NAPAS_DYNAMIC, NAPAS_SPEC, SCHEME, TABLE, make_module, registered


@pytest.fixture
def napas() -> Iterator[ModuleType]:
    with registered(make_module(TABLE, SCHEME)) as module:
        yield module


def account(builder: Builder, service: str = "QRIBFTTA") -> Builder:
    values: dict[str, Any] = {"01": {"00": "970403", "01": "0011012345678"}, "02": service}
    return builder.merchant_account("38", "A000000727", **values)


# --- every registered profile ---------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_every_registered_profile_has_a_builder(name: str) -> None:
    assert Builder(name).profile == name


def test_jpqr_starts_with_japan_and_yen() -> None:
    # SPEC §4: 58 = JP and 53 = 392 in every JPQR code.
    code = Builder("jpqr")._objects()
    assert [(o.id, o.value) for o in code if o.id in ("53", "58")] == [("53", "392"), ("58", "JP")]


def test_emvco_starts_with_nothing() -> None:
    assert [o.id for o in Builder("emvco")._objects()] == ["00"]


def test_elqr_is_refused_with_the_reason() -> None:
    with pytest.raises(BuildError) as caught:
        Builder("elqr")
    assert caught.value.code == "build.profile"
    assert "eL-QR" in caught.value.message and "not reachable" in caught.value.message


def _published() -> Iterator[tuple[str, str]]:
    for path in sorted((DATA / "schemes").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            if entry["crc"] == "ok" and entry["tlv"] == "ok":
                yield path.stem, entry["payload"]


PUBLISHED = list(_published())


@pytest.mark.parametrize(("scheme", "payload"), PUBLISHED, ids=[s for s, _ in PUBLISHED])
def test_from_code_of_a_published_code_picks_its_scheme(
    impl: ModuleType, scheme: str, payload: str
) -> None:
    # A national profile not (yet) registered here is left out; its code reads as emvco.
    if scheme not in PROFILES:
        pytest.skip(f"profile {scheme} is not registered in this build")
    if not jpqr.validate(payload, scheme).ok:
        pytest.skip("the profile refuses this published code (its own test says why)")
    builder = Builder.from_code(payload, scheme)
    assert builder.profile == scheme
    rebuilt = builder.build().to_payload()
    assert jpqr.validate(rebuilt, scheme).ok


# --- a profile that departs from EMVCo ------------------------------------------------------


def test_napas_starts_with_the_country_of_its_scheme_and_the_currency_of_its_row(
    napas: ModuleType,
) -> None:
    objects = {o.id: o.value for o in Builder("napas-test")._objects()}
    assert (objects.get("58"), objects.get("53")) == ("VN", "704")


def test_napas_builds_the_published_example_without_52_59_60(
    impl: ModuleType, napas: ModuleType
) -> None:
    builder = account(Builder("napas-test").dynamic()).amount(180000).bill_number("NPS6869")
    code = builder.purpose("thanh toan don hang").build()
    assert code.to_payload() == NAPAS_DYNAMIC
    assert not jpqr.validate(NAPAS_DYNAMIC, "emvco").ok  # EMVCo keeps its own verdict


def test_from_code_picks_the_profile_that_classify_names(
    impl: ModuleType, napas: ModuleType
) -> None:
    assert jpqr.classify(NAPAS_DYNAMIC).profile == "napas-test"
    builder = Builder.from_code(NAPAS_DYNAMIC, "napas-test")
    assert builder.profile == "napas-test"
    assert builder.build().to_payload() == NAPAS_DYNAMIC


def test_from_dict_names_the_profile(impl: ModuleType, napas: ModuleType) -> None:
    assert Builder.from_dict(NAPAS_SPEC).to_payload() == NAPAS_DYNAMIC


def test_build_refuses_what_the_profile_refuses_and_lists_every_issue(
    impl: ModuleType, napas: ModuleType
) -> None:
    builder = account(Builder("napas-test"), service="QRIBFTTX").currency("USD")
    with pytest.raises(BuildError) as caught:
        builder.build()
    # No 01 (Bảng 1: M), a service code NAPAS does not name (Bảng 4), a currency the test row
    # refuses: each its own issue, in the order of the profile's rows.
    assert [(i.code, i.path) for i in caught.value.issues] == [
        ("field.missing", "01"),
        ("napas-test.currency", "53"),
        ("napas-test.service", "38.02"),
    ]


def test_a_missing_account_is_the_profiles_own_code(impl: ModuleType, napas: ModuleType) -> None:
    with pytest.raises(BuildError) as caught:
        Builder("napas-test").static().build()
    # EMVCo's row (at least one of 02-51) runs first, then the profile's own (38, Bảng 1).
    assert [i.code for i in caught.value.issues] == ["account.missing", "napas-test.account"]


def test_the_jpqr_identifier_is_jpqrs_own(napas: ModuleType) -> None:
    with pytest.raises(BuildError) as caught:
        Builder("napas-test").jpqr_identifier("0000000000001", "0001", "000001", "000001")
    assert caught.value.code == "build.profile"
    assert "'napas-test'" in caught.value.message


def test_no_country_preset_where_the_table_does_not_make_58_mandatory() -> None:
    table = TABLE.without("required 58")
    table = type(table)("loose-test", "Loose (test)", table.rows, table.source)
    with registered(make_module(table, SCHEME)):
        objects = {o.id: o.value for o in Builder("loose-test")._objects()}
        assert "58" not in objects and objects["53"] == "704"


def test_no_currency_preset_where_a_row_allows_two() -> None:
    # KHQR-like: 53 is 116 (KHR) or 840 (USD): the builder cannot choose one for the merchant.
    two = Allowed(path="53", values=frozenset({"116", "840"}), code="two-test.currency")
    table = emvco.TABLE.extend("two-test", "Two currencies (test)", (two,))
    scheme = Scheme("two-test", "Two currencies (test)", "KH")
    with registered(make_module(table, scheme)):
        objects = {o.id: o.value for o in Builder("two-test")._objects()}
        assert objects.get("58") == "KH" and "53" not in objects


# --- merchant account templates -------------------------------------------------------------


def test_a_nested_template_is_checked_value_by_value() -> None:
    with pytest.raises(BuildError) as caught:
        values: dict[str, Any] = {"01": {"00": "", "1": "x"}}
        Builder("emvco").merchant_account("38", "A000000727", **values)
    assert [(i.code, i.path) for i in caught.value.issues] == [
        ("field.length", "38.01.00"),
        ("build.sub_id", "38.01"),
    ]


def test_a_nested_template_must_fit_99_characters() -> None:
    with pytest.raises(BuildError) as caught:
        values: dict[str, Any] = {"01": {"00": "9" * 96}}
        Builder("emvco").merchant_account("38", "A000000727", **values)
    assert (caught.value.code, caught.value.path) == ("field.length", "38.01")
    assert re.search(r"found 100\b", caught.value.message)


def test_an_empty_nested_template_is_refused() -> None:
    with pytest.raises(BuildError) as caught:
        values: dict[str, Any] = {"01": {}}
        Builder("emvco").merchant_account("38", "A000000727", **values)
    assert (caught.value.code, caught.value.path) == ("build.spec", "38.01")


def test_promptpay_credit_transfer_under_emvco(impl: ModuleType) -> None:
    # odoo l10n_th test_l10n_th_emv_qr.py (promptpay.jsonl): PromptPay's AID in 29, its 01 the
    # mobile number as 0066 + the number without its 0 (dtinth/promptpay-qr, promptparse).
    code = (
        Builder("emvco")
        .dynamic()
        .merchant_account("29", "A000000677010111", **{"01": "0066810704060"})
        .merchant_category_code("0000")
        .currency("THB")
        .amount(100)
        .country("TH")
        .merchant_name("company_1_data")
        .merchant_city("Thailand")
        .to_payload()
    )
    assert code == (
        "00020101021229370016A0000006770101110113006681070406052040000530376454031005802TH5914"
        "company_1_data6008Thailand63048B76"
    )


def test_root_setters_follow_the_profiles_field_table(impl: ModuleType) -> None:
    # A scheme whose table lets 59 hold any text (format S, as SPEC §6 reports of real Pix
    # codes): the setter follows the table, where EMVCo's ans refuses the 'é' (SPEC §1).
    names = Field("59", "Merchant Name", "S", 1, 25)
    first, *rest = emvco.TABLE.rows
    assert isinstance(first, Fields)
    rows = (Fields(table={**first.table, "59": names}, source="this test"), *rest)
    table = Profile("text-test", "Any-text names (test)", rows)
    with registered(make_module(table, None)):
        code = (
            Builder("text-test")
            .merchant_account("02", value="4000123456789012")
            .merchant_category_code("5999")
            .currency("BRL")
            .country("BR")
            .merchant_name("Café")
            .merchant_city("BRASILIA")
            .build()
        )
        assert code.merchant_name == "Café"
    with pytest.raises(BuildError) as caught:
        Builder("emvco").merchant_name("Café")
    assert caught.value.code == "field.charset"


def test_the_payload_format_indicator_is_the_one_the_table_states(impl: ModuleType) -> None:
    # PayNet's DuitNow V1.5 (tests/data/schemes/README.md, duitnow): ID 00 is "02".
    version = Allowed(path="00", values=frozenset({"02"}), code="v2-test.version")
    table = emvco.TABLE.without("payload format").extend("v2-test", "Version 02 (test)", (version,))
    with registered(make_module(table, None)):
        builder = (
            Builder("v2-test")
            .merchant_account("02", value="4000123456789012")
            .merchant_category_code("5999")
            .currency("MYR")
            .country("MY")
            .merchant_name("KEDAI")
            .merchant_city("KUALA LUMPUR")
        )
        payload = builder.to_payload()
        assert payload.startswith("000202")
        assert Builder.from_code(payload, "v2-test").to_payload() == payload
        # EMVCo MPM v1.1 defines version 01 only (SPEC §3): kept as read, refused at build.
        assert Builder.from_code(payload, "v2-test").to_dynamic().to_payload()[:6] == "000202"
        with pytest.raises(BuildError) as caught:
            Builder.from_code(jpqr.parse(payload, "v2-test"), "emvco").build()
        assert [(i.code, i.path) for i in caught.value.issues] == [("field.value", "00")]
