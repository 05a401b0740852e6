"""``Builder.from_dict`` on fuzzed JSON specs: only a JPQRError (BuildError, mostly) may come out,
never another exception, and whatever it builds validates under its profile on both twins and
decodes the same on both.

The spec is made from the fuzz bytes by a small grammar (the setter names, and values drawn from
a pool of near-misses: non-ASCII digits, huge exponents, wrong types), or read as JSON text when
the input is a JSON object.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import atheris
from _common import fail, outcome, run

import jpqr
from jpqr import _kernels
from jpqr.builder import Builder

KEYS = [
    "profile", "static", "dynamic", "point_of_initiation", "tip_prompt", "merchant_account",
    "merchant_accounts", "unreserved", "payment_system_template", "jpqr_identifier", "language",
    "merchant_category_code", "currency", "amount", "convenience_fee", "convenience_percentage",
    "country", "merchant_name", "merchant_city", "postal_code", "consumer_data_request",
    "bill_number", "mobile_number", "store_label", "loyalty_number", "reference_label",
    "customer_label", "terminal_label", "purpose", "merchant_tax_id", "merchant_channel", "colour",
]  # fmt: skip
ARG_KEYS = [
    "id", "guid", "value", "values", "level1", "level2", "level3", "level4", "template_id",
    "language_preference", "merchant_name", "merchant_city", "00", "01", "02", "05", "10", "99",
    "0", "²²", "",
]  # fmt: skip
STRINGS = [
    "", "jpqr", "emvco", "static", "dynamic", "02", "15", "25", "26", "29", "51", "52", "62", "64",
    "80", "99", "²²", "٣٣", "2", "0000000000001", "0001", "000001", "jp.or.paymentsjapan",
    "JP.OR.PAYMENTSJAPAN", "A000000677010111", "5999", "4111", "JPY", "jpy", "392", "USD", "840",
    "٣٩٢", "JP", "US", "jp", "1500", "1.5", "0", "0.00", "-1", "1e99", "1e99999999", "1e-99999999",
    "NaN", "Infinity", "1_000", " 1", "١٢", "12.345", "99.99", "100", "SHOP", "TOKYO", "1066143",
    "JA", "ZH", "EV充電", "Café", "\x00", "\n", "A" * 99, "A" * 100, "北" * 30, "ADM", "AEM", "X",
    "e\u0301", "\ufeff", "\ud800", "6304", "T1",
]  # fmt: skip


def value(fdp: atheris.FuzzedDataProvider, depth: int) -> Any:
    kind = fdp.ConsumeIntInRange(0, 11)
    if kind <= 3:
        return STRINGS[fdp.ConsumeIntInRange(0, len(STRINGS) - 1)]
    if kind == 4:
        return fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 40))
    if kind == 5:
        return fdp.PickValueInList([0, 1, -1, 1500, 10**20, 10**4000, True, False, None])
    if kind == 6:
        return fdp.PickValueInList([1.5, 0.0, -0.0, 1e308, float("nan"), float("inf")])
    if kind <= 9 and depth < 3:
        return {
            ARG_KEYS[fdp.ConsumeIntInRange(0, len(ARG_KEYS) - 1)]: value(fdp, depth + 1)
            for _ in range(fdp.ConsumeIntInRange(0, 6))
        }
    if depth < 3:
        return [value(fdp, depth + 1) for _ in range(fdp.ConsumeIntInRange(0, 3))]
    return STRINGS[fdp.ConsumeIntInRange(0, len(STRINGS) - 1)]


def spec_from(data: bytes) -> Any:
    if data[:1] == b"{":
        try:
            return json.loads(data)
        except (ValueError, RecursionError):
            return None
    fdp = atheris.FuzzedDataProvider(data)
    # From a spec that builds (so that the output checks are reached), or from nothing; then
    # set or delete keys.
    spec: dict[str, Any] = json.loads(json.dumps(BASES[fdp.ConsumeIntInRange(0, len(BASES) - 1)]))
    for _ in range(fdp.ConsumeIntInRange(0, 8)):
        key = KEYS[fdp.ConsumeIntInRange(0, len(KEYS) - 1)]
        if fdp.ConsumeBool():
            spec.pop(key, None)
        else:
            spec[key] = value(fdp, 0)
    return spec


def test_one(data: bytes) -> None:
    spec = spec_from(data)
    if spec is None:
        return
    built = outcome(lambda: Builder.from_dict(spec).build())
    if built[0] == "jpqr":
        return
    if built[0] != "ok":
        fail("Builder.from_dict(spec).build() raised a non-jpqr error", spec, built)
    code = built[1]
    text = code.to_payload()
    profile = spec.get("profile", "jpqr")
    for twin in ("python", "cython"):
        _kernels.use(twin)
        report = jpqr.validate(text, profile)
        if not report.ok:
            fail(f"built a code that does not validate on {twin}", spec, text, report.errors)
    _kernels.use("cython")
    if outcome(_kernels.decode, text) != outcome(jpqr._tlv_py.decode, text):
        fail("the twins decode a built code differently", spec, text)


def seeds() -> list[bytes]:
    return [json.dumps(s, ensure_ascii=False).encode() for s in BASES] + [
        bytes(range(n, n + 64)) for n in range(0, 192, 16)
    ]


BASES: list[dict[str, Any]] = [
    {
        "dynamic": True,
        "jpqr_identifier": {"level1": "0000000000001", "level2": "0001", "level3": "000001",
                            "level4": "000001"},
        "merchant_category_code": "5999", "amount": "1500", "merchant_name": "EV CHARGE",
        "merchant_city": "TOKYO", "postal_code": "1066143",
        "language": {"language_preference": "JA", "merchant_name": "EV充電ステーション"},
        "reference_label": "S-20261121-0042", "terminal_label": "EVSE-1",
    },
    {
        "profile": "emvco", "static": True, "merchant_account": {"id": "02",
        "value": "4000123456789012"}, "merchant_category_code": "5999", "currency": "USD",
        "country": "US", "merchant_name": "SHOP", "merchant_city": "NYC", "terminal_label": "T1",
    },
    {
        "profile": "emvco", "dynamic": True, "merchant_account": {"id": "29",
        "guid": "A000000677010111", "values": {"01": "0066801234567"}}, "country": "TH",
        "merchant_category_code": "5411", "currency": "764", "amount": "12.50",
        "merchant_name": "EV PARK", "merchant_city": "BANGKOK", "tip_prompt": True,
        "unreserved": {"id": "80", "guid": "A000000999", "values": {"01": "X"}},
        "payment_system_template": {"id": "50", "guid": "A000000888", "values": {"01": "Y"}},
    },
    {},
]  # fmt: skip


if __name__ == "__main__":
    sys.setrecursionlimit(10_000)
    run(test_one, seeds)
