"""A user's program over the whole public API of jpqr, type-checked as such: ``mypy --strict`` and
pyright (basedpyright) must accept it (tests/test_signatures.py runs both, and runs the script on
both twins). Every value gets the type a user would write, so a wrong annotation in jpqr fails
here. It is not collected as a test (no ``test_`` prefix); it prints nothing and exits 0."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import jpqr
import jpqr.batch
import jpqr.render
from jpqr import (
    Builder,
    BuildError,
    Classification,
    CRCVerdict,
    DataObject,
    DecodeError,
    EncodeError,
    Issue,
    JPQRError,
    MerchantPresentedCode,
    ValidationError,
    ValidationReport,
)

SAMPLE = (
    "0002016003xxx01021129300012D156000000000510A93FO3230Q31280012D1560000000103081234"
    "567826680019jp.or.paymentsjapan0113000000000000102040001030600000104060000015303392"
    "5903xxx64180002JA0108メルペイ カフェ520441115802JP610710661436304DEE9"
)


def kernels() -> str:
    objects: tuple[DataObject, ...] = jpqr.decode(SAMPLE)
    first: DataObject = objects[0]
    identifier: str = first.id
    value: str = first.value
    account = next(obj for obj in objects if obj.id == "26")  # the JPQR identifier
    children: tuple[DataObject, ...] | None = account.children
    offset: int | None = first.offset
    guid: DataObject | None = account.find("00")
    again: str = jpqr.encode(objects)
    bare: str = jpqr.encode([DataObject("00", "01")], crc=False)
    crc: int = jpqr.crc16(SAMPLE[:-4])
    crc_of_bytes: int = jpqr.crc16(SAMPLE[:-4].encode(), init=0xFFFF)
    text: str = jpqr.format_crc(crc)
    verdict: CRCVerdict = jpqr.crc_verdict(SAMPLE)
    checked: CRCVerdict = jpqr.check(SAMPLE.encode())
    assert again == SAMPLE and bare == "000201" and crc == crc_of_bytes
    assert guid is not None and children is not None and offset == 0
    assert verdict == checked == "ok"
    return identifier + value + text


def validation() -> bool:
    report: ValidationReport = jpqr.validate(SAMPLE, "auto", strict=True, lenient=False)
    ok: bool = report.ok
    profile: str = report.profile
    issues: tuple[Issue, ...] = report.errors + report.warnings
    for issue in issues:
        name: str = issue.code
        path: str = issue.path
        where: int | None = issue.offset
        message: str = issue.message
        assert name and message and (where is None or where >= 0) and path is not None
    as_json: dict[str, object] = report.to_dict()
    valid: bool = jpqr.is_valid(SAMPLE, profile="jpqr")
    code: MerchantPresentedCode = jpqr.parse(SAMPLE)
    amount: Decimal | None = code.amount
    merchant: str | None = code.merchant_name
    payload: str = code.to_payload()
    assert ok and valid and profile == "jpqr" and "valid" in as_json and amount is None
    return payload == SAMPLE and merchant == "xxx"


def classification() -> tuple[str, ...]:
    found: Classification = jpqr.classify(SAMPLE)
    schemes: tuple[str, ...] = found.schemes
    profile: str = found.profile
    dynamic: bool | None = found.dynamic
    expires: datetime | None = found.expires
    for account in found.accounts:
        template: str = account.id
        guid: str | None = account.guid
        scheme: str | None = account.scheme
        assert template and (guid is None or scheme is None or scheme in schemes)
    warnings: tuple[Issue, ...] = jpqr.classify(SAMPLE.encode()).warnings
    assert profile == "jpqr" and dynamic is False and expires is None and warnings == ()
    return schemes


def building() -> str:
    code: MerchantPresentedCode = (
        Builder()
        .dynamic()
        .jpqr_identifier("0000000000001", "0001", "000001", "000001")
        .merchant_category_code("5999")
        .amount(Decimal("1500"))
        .merchant_name("EV CHARGE")
        .merchant_city("TOKYO")
        .postal_code("1066143")
        .language("JA", "EV充電ステーション")
        .reference_label("S-20261121-0042")
        .terminal_label("EVSE-1")
        .build()
    )
    from_spec: str = Builder.from_dict(
        {
            "jpqr_identifier": {
                "level1": "0000000000001",
                "level2": "0001",
                "level3": "000001",
                "level4": "000001",
            },
            "merchant_category_code": "5999",
            "merchant_name": "EV CHARGE",
            "merchant_city": "TOKYO",
            "postal_code": "1066143",
            "language": {"language_preference": "JA", "merchant_name": "EV充電"},
        }
    ).to_payload()
    session: Builder = Builder.from_code(code).to_dynamic(
        amount=2000, reference="S-20261121-0043", terminal="EVSE-2"
    )
    static: str = Builder.from_code(code.to_payload(), profile="jpqr").to_static().to_payload()
    assert code.is_dynamic and from_spec.startswith("000201")
    assert session.build().amount == Decimal(2000) and static.startswith("000201010211")
    return code.to_payload()


def errors() -> list[str]:
    found: list[str] = []
    try:
        _ = jpqr.decode("00zz")
    except DecodeError as exc:
        found.append(exc.code)
    try:
        _ = jpqr.parse("0002010102116304AD0A")
    except ValidationError as exc:
        found.append(exc.code)
    try:
        _ = Builder().merchant_category_code("59x9")
    except BuildError as exc:
        problems: tuple[Issue, ...] = tuple(exc.issues)
        found.append(exc.code)
        assert all(problem.code for problem in problems)
    try:
        _ = jpqr.encode([DataObject("0", "x")])
    except EncodeError as exc:
        found.append(exc.code)
    except JPQRError as exc:  # the base of them all, a ValueError
        found.append(exc.code)
    return found


def extras() -> int:
    qr = jpqr.render.qr_code(SAMPLE)
    batch: jpqr.batch.BatchResult = jpqr.batch.check([SAMPLE, "x"], threads=1)
    verdicts: list[str] = batch.names()
    assert jpqr.render.FORMATS == (".svg", ".png") and qr is not None
    return len(verdicts)


def main() -> int:
    implementation: str = jpqr.IMPLEMENTATION
    limit: int = jpqr.MAX_INPUT_LENGTH
    version: str = jpqr.__version__
    assert implementation in ("cython", "python") and limit > 512 and version
    assert kernels() and validation() and building().startswith("000201")
    assert classification() == ("jpqr",)
    assert len(errors()) == 4
    assert extras() == 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
