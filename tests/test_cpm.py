"""Customer-presented codes (jpqr.cpm) on both twins: the published samples, every rule of the
EMV QRCPS and JPQR CPM profiles, the Base64 layer, the Builder, the CLI and jpqr.validate.

Expected values come from the samples' sources (tests/data/cpm/published.jsonl says what each
source claims), from the specs' rules worked out by hand, or from the standard library's base64
(never from jpqr.cpm itself).
"""

from __future__ import annotations

import base64
import binascii
import json
import subprocess
import sys
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jpqr
from jpqr import BuildError, DecodeError, ValidationError, cpm
from jpqr._ber_object import BerObject
from jpqr.dataobject import MAX_INPUT_LENGTH

from .conftest import DATA, PUBLISHED
from .test_ber import tlv

with open(DATA / "cpm" / "published.jsonl", encoding="utf-8") as _lines:
    SAMPLES = [json.loads(line) for line in _lines if line.strip()]
BY_NAME = {sample["name"]: sample for sample in SAMPLES}
ANNEX = BY_NAME["emvco-annex"]["payload"]
TRACK2 = BY_NAME["emvco-track2"]["payload"]
JPQR_SAMPLE = BY_NAME["jpqr-suzzshin"]["payload"]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def code(*objects: bytes) -> str:
    return b64(b"".join(objects))


PFI = tlv("85", b"CPV01")
AID = tlv("4F", bytes.fromhex("A0000000555555"))
PAN = tlv("5A", bytes.fromhex("4111111111111111"))  # passes the Luhn check
VALID = code(PFI, tlv("61", AID + PAN))


# --- the published samples ---


@pytest.mark.parametrize("sample", SAMPLES, ids=[s["name"] for s in SAMPLES])
def test_published_samples(impl: ModuleType, sample: dict[str, Any]) -> None:
    payload = sample["payload"]
    assert cpm.is_cpm(payload)
    report = cpm.validate(payload)
    if sample["expect"] == "ok":
        assert report.ok, report.errors
        assert report.profile == sample["profile"]
        objects = cpm.decode(payload)
        assert b64(impl.ber_encode(objects)) == payload  # round trip, byte for byte
    else:
        first = report.errors[0]
        assert (first.code, first.offset, first.path) == (
            sample["expect"],
            sample["offset"],
            sample["path"],
        )


def test_annex_example_reads_as_its_source_says(impl: ModuleType) -> None:
    parsed = cpm.parse(ANNEX)
    assert isinstance(parsed, cpm.ConsumerPresentedCode)
    assert parsed.payload_format == "CPV01"
    assert [(a.aid, a.label) for a in parsed.applications] == [
        ("A0000000555555", "Product1"),
        ("A0000000666666", "Product2"),
    ]
    common = parsed.common
    assert common is not None and common.pan is not None
    assert common.pan.value == "1234567890123458"
    assert common.cardholder_name == "CARDHOLDER/EMV"
    assert common.language_preference == "ruesdeen"
    assert common.transparent == (
        ("9F10", "06010A03000000"),
        ("9F26", "584FD385FA234BCC"),
        ("9F36", "0001"),
        ("9F37", "6D58EF13"),
    )
    # 1234567890123458 fails the Luhn check (worked by hand: the sum is 66): a warning only.
    assert cpm.validate(ANNEX).codes == ("cpm.pan_check_digit",)


def test_track2_sample(impl: ModuleType) -> None:
    parsed = cpm.parse(TRACK2)
    assert isinstance(parsed, cpm.ConsumerPresentedCode)
    track2 = parsed.applications[0].data.track2
    assert track2 is not None
    # The source: 1234567890123458 D 1912 201 12345 F
    assert (track2.pan.value, track2.expiry, track2.service_code) == (
        "1234567890123458",
        "1912",
        "201",
    )
    assert track2.discretionary.value == "12345"


def test_jpqr_sample(impl: ModuleType) -> None:
    assert JPQR_SAMPLE.startswith("hQVKUFFS")
    parsed = cpm.parse(JPQR_SAMPLE)
    assert isinstance(parsed, cpm.JPQRConsumerCode)
    assert parsed.payload_format == "JPQR1"
    assert parsed.provider_id == "12345678"
    assert parsed.payment_id.value == "87654321"
    assert parsed.free_area == '{"key":"value"}'
    assert cpm.detect_profile(JPQR_SAMPLE) == "jpqr-cpm"


def test_no_merchant_presented_payload_is_cpm() -> None:
    for vector in PUBLISHED:
        assert not cpm.is_cpm(vector["payload"]), vector["payload"]


@pytest.mark.parametrize(
    "payload",
    [None, 5, "", "h", "hP", "hg", "0002010102116304AD0A", b"\x85\x05", memoryview(b"hQhQ")[1::2]],
)
def test_is_cpm_refuses(payload: Any) -> None:
    assert cpm.is_cpm(payload) is False


@pytest.mark.parametrize(
    "payload",
    [
        "hQ",
        "hf",
        b"hQVD",
        bytearray(b"hQ"),
        memoryview(b"hQ"),
        memoryview(b"hxQx")[::2],
        "\ufeffhQ",
        " \nhQ",
        b"\xef\xbb\xbfhQ",
    ],
)
def test_is_cpm_accepts(payload: Any) -> None:
    assert cpm.is_cpm(payload) is True


# --- jpqr.validate and the CLI ---


def test_jpqr_validate_routes_cpm_text(impl: ModuleType) -> None:
    report = jpqr.validate(ANNEX)
    assert report.profile == "emv-cpm" and report.ok and report.crc == "none"
    assert jpqr.validate(JPQR_SAMPLE).profile == "jpqr-cpm"
    assert jpqr.validate("0002010102116304AD0A").profile == "emvco"  # MPM as before
    assert report == cpm.validate(ANNEX)
    forced = jpqr.validate(JPQR_SAMPLE, "emv-cpm")  # a CPM profile by name
    assert forced.profile == "emv-cpm" and "cpm.payload_format" in forced.codes


@pytest.mark.parametrize("sample", SAMPLES, ids=[s["name"] for s in SAMPLES])
def test_jpqr_is_valid_routes_cpm_text_as_validate_does(
    impl: ModuleType, sample: dict[str, Any]
) -> None:
    # The compiled pass judges the text as a merchant code first: its sure "invalid" must not
    # answer for CPM text under "auto" (is_valid said False for every valid CPM code there).
    payload = sample["payload"]
    for profile in ("auto", sample.get("profile", "emv-cpm")):
        for text, lenient in ((payload, False), (payload + "\r\n", True), (payload + "\n", False)):
            expected = jpqr.validate(text, profile, lenient=lenient).ok
            assert jpqr.is_valid(text, profile, lenient=lenient) is expected, (profile, text)
    assert jpqr.is_valid(payload) is (sample["expect"] == "ok")


def test_jpqr_validate_routes_cpm_text_with_a_bom_when_lenient(impl: ModuleType) -> None:
    report = jpqr.validate("\ufeff" + VALID + "\r\n", lenient=True)
    assert (report.profile, report.ok, report.codes) == ("emv-cpm", True, ("cpm.stripped",))
    strict = jpqr.validate(" " + VALID)  # not lenient: the space is an error where it stands
    assert [(e.code, e.offset) for e in strict.errors] == [("cpm.base64", 0)]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jpqr", *args], capture_output=True, text=True, check=False
    )


def test_cli_validate_and_decode() -> None:
    result = _cli("validate", VALID)
    assert result.returncode == 0
    assert result.stdout.startswith("payload: valid (profile emv-cpm, customer-presented, no CRC)")
    result = _cli("validate", "--json", "hQVDUFYwMQ==")
    assert result.returncode == 1
    assert json.loads(result.stdout)["errors"][0]["code"] == "cpm.missing"
    result = _cli("decode", "--json", VALID)
    assert result.returncode == 0
    document = json.loads(result.stdout)
    assert document[1]["children"][1] == {
        "tag": "5A",
        "name": "Application PAN",
        "length": 8,
        "value": "411111******1111",
        "children": None,
    }
    result = _cli("decode", ANNEX)
    assert result.returncode == 0 and "CARDHOLDER/EMV" in result.stdout
    assert "1234567890123458" not in result.stdout
    result = _cli("decode", "hQVDUFYwMQ")
    assert result.returncode == 1 and "cpm.base64_length" in result.stderr


# --- the Base64 layer ---

BASE64_REFUSED = [
    ("", "cpm.empty", 0),
    ("hQVD UFYwMQ==", "cpm.base64", 4),
    ("hQVD-FYwMQ==", "cpm.base64", 4),
    ("hQVDUFYwMQ=A", "cpm.base64", 10),
    ("hQVDUFYwMQ", "cpm.base64_length", 10),
    ("hQVDUFYwM===", "cpm.base64_length", 12),
    ("hQVDUFYwMR==", "cpm.base64_padding", 9),  # R = 010001: its low 4 bits are not zero
    ("hQVDUFYwMQ==\n", "cpm.base64", 12),
    ("\ufeffhQVDUFYwMQ==", "cpm.base64", 0),
]


@pytest.mark.parametrize(("payload", "code", "offset"), BASE64_REFUSED)
def test_base64_refused(payload: str, code: str, offset: int) -> None:
    report = cpm.validate(payload)
    assert [(e.code, e.offset) for e in report.errors] == [(code, offset)]
    with pytest.raises(DecodeError):
        cpm.parse(payload)


def test_lenient_strips_with_a_warning(impl: ModuleType) -> None:
    report = cpm.validate("\ufeff" + VALID + "\r\n", lenient=True)
    assert report.ok and report.codes == ("cpm.stripped",)
    assert report.payload == VALID


def test_bytes_and_caps() -> None:
    assert cpm.validate(VALID.encode()).ok
    assert cpm.validate(bytearray(VALID.encode())).ok
    assert cpm.validate(b"hQ\xff=").errors[0].code == "cpm.base64"
    too_long = "A" * (MAX_INPUT_LENGTH + 1)
    assert cpm.validate(too_long).errors[0].code == "cpm.too_long"
    assert cpm.validate(too_long.encode()).errors[0].code == "cpm.too_long"
    with pytest.raises(TypeError):
        cpm.validate(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown CPM profile"):
        cpm.validate(VALID, "emvco")


def test_ber_errors_become_issues(impl: ModuleType) -> None:
    report = cpm.validate(code(PFI, bytes.fromhex("6180")))
    assert [(e.code, e.offset, e.path) for e in report.errors] == [
        ("ber.indefinite_length", 8, "61")
    ]
    with pytest.raises(DecodeError) as info:
        cpm.parse(code(PFI, bytes.fromhex("6180")))
    assert info.value.code == "ber.indefinite_length"


# --- the rules of EMV QRCPS ---


def codes_of(*objects: bytes) -> tuple[str, ...]:
    return cpm.validate(code(*objects)).codes


RULES = [
    ("valid", (PFI, tlv("61", AID + PAN)), ()),
    ("no 85", (tlv("61", AID + PAN),), ("cpm.missing",)),
    ("85 not first", (tlv("61", AID + PAN), PFI), ("cpm.order",)),
    ("85 twice", (PFI, PFI, tlv("61", AID + PAN)), ("cpm.duplicate",)),
    ("85 other version", (tlv("85", b"CPV02"), tlv("61", AID + PAN)), ("cpm.payload_format",)),
    ("85 length", (tlv("85", b"CPV1"), tlv("61", AID + PAN)), ("cpm.length",)),
    ("no 61", (PFI,), ("cpm.missing",)),
    ("two 61", (PFI, tlv("61", AID + PAN), tlv("61", AID + PAN)), ()),
    ("62 twice", (PFI, tlv("61", AID), tlv("62", PAN), tlv("62", PAN)), ("cpm.duplicate",)),
    ("no 4F", (PFI, tlv("61", PAN)), ("cpm.missing",)),
    ("no account", (PFI, tlv("61", AID)), ("cpm.account_missing",)),
    ("account in 62", (PFI, tlv("61", AID), tlv("62", PAN)), ()),
    ("4F short", (PFI, tlv("61", tlv("4F", b"\xa0\x00\x00\x00") + PAN)), ("cpm.length",)),
    ("4F long", (PFI, tlv("61", tlv("4F", b"\xa0" * 17) + PAN)), ("cpm.length",)),
    ("50 not ans", (PFI, tlv("61", AID + tlv("50", b"Caf\xe9") + PAN)), ("cpm.format",)),
    ("5F2D not an", (PFI, tlv("61", AID + PAN + tlv("5F2D", b"e-"))), ("cpm.format",)),
    (
        "5A not cn",
        (PFI, tlv("61", AID + tlv("5A", bytes.fromhex("41111111111111AF")))),
        ("cpm.format",),
    ),
    ("5A padded", (PFI, tlv("61", AID + tlv("5A", bytes.fromhex("4111111111111111110F")))), ()),
    ("5A short", (PFI, tlv("61", AID + tlv("5A", bytes.fromhex("41111111111F")))), ("cpm.format",)),
    (
        "5A Luhn",
        (PFI, tlv("61", AID + tlv("5A", bytes.fromhex("4111111111111112")))),
        ("cpm.pan_check_digit",),
    ),
    ("9F25 not n", (PFI, tlv("61", AID + PAN + tlv("9F25", b"\x11\x1a"))), ("cpm.format",)),
    ("misplaced 4F", (PFI, tlv("61", AID + PAN), tlv("62", AID)), ("cpm.misplaced",)),
    ("misplaced 9F26", (PFI, tlv("61", AID + PAN + tlv("9F26", b"\x00" * 8))), ("cpm.misplaced",)),
    ("unknown in 61", (PFI, tlv("61", AID + PAN + tlv("9F53", b"\x01"))), ("cpm.unknown_tag",)),
    ("unknown in 63", (PFI, tlv("61", AID + PAN + tlv("63", tlv("9F74", b"1")))), ()),
    (
        "9F26 short",
        (PFI, tlv("61", AID + PAN + tlv("63", tlv("9F26", b"\x00" * 7)))),
        ("cpm.length",),
    ),
    (
        "9F27 twice",
        (PFI, tlv("61", AID + PAN + tlv("63", tlv("9F27", b"\x80") * 2))),
        ("cpm.duplicate",),
    ),
    ("64 in 61", (PFI, tlv("61", AID + PAN + tlv("64", b""))), ("cpm.misplaced",)),
]


@pytest.mark.parametrize(("name", "objects", "expected"), RULES, ids=[r[0] for r in RULES])
def test_emv_rules(
    impl: ModuleType, name: str, objects: tuple[bytes, ...], expected: tuple[str, ...]
) -> None:
    assert codes_of(*objects) == expected


TRACK2_CASES = [
    ("4111111111111111D251220112345", ()),  # padded with F to whole bytes
    ("4111111111111111D2512201", ()),
    ("4111111111111111", ("cpm.track2",)),  # no separator
    ("41111111111D2512201F", ("cpm.track2",)),  # an 11-digit PAN
    ("4111111111111111D251220", ("cpm.track2",)),  # no service code
    ("4111111111111111D2513201", ("cpm.track2",)),  # month 13
    ("4111111111111111D25122F1", ("cpm.track2",)),  # F not at the end
    ("4111111111111112D2512201", ("cpm.pan_check_digit",)),
]


@pytest.mark.parametrize(("nibbles", "expected"), TRACK2_CASES)
def test_track2_rules(impl: ModuleType, nibbles: str, expected: tuple[str, ...]) -> None:
    value = bytes.fromhex(nibbles + "F" * (len(nibbles) % 2))
    assert codes_of(PFI, tlv("61", AID + tlv("57", value))) == expected


# --- the rules of JPQR CPM ---

JPFI = tlv("85", b"JPQR1")
PROVIDER = tlv("4F", b"12345678")
PAYMENT = tlv("57", b"87654321")

JPQR_RULES = [
    ("valid", (JPFI, tlv("61", PROVIDER + PAYMENT)), ()),
    ("free area", (JPFI, tlv("61", PROVIDER + PAYMENT + tlv("99", "自由".encode()))), ()),
    ("no 57", (JPFI, tlv("61", PROVIDER)), ("cpm.missing",)),
    ("no 4F", (JPFI, tlv("61", PAYMENT)), ("cpm.missing",)),
    (
        "two 61",
        (JPFI, tlv("61", PROVIDER + PAYMENT), tlv("61", PROVIDER + PAYMENT)),
        ("cpm.duplicate",),
    ),
    ("62", (JPFI, tlv("61", PROVIDER + PAYMENT), tlv("62", b"")), ("cpm.unknown_tag",)),
    ("57 not text", (JPFI, tlv("61", PROVIDER + tlv("57", b"\x12\x34"))), ("cpm.format",)),
]


@pytest.mark.parametrize(
    ("name", "objects", "expected"), JPQR_RULES, ids=[r[0] for r in JPQR_RULES]
)
def test_jpqr_rules(
    impl: ModuleType, name: str, objects: tuple[bytes, ...], expected: tuple[str, ...]
) -> None:
    report = cpm.validate(code(*objects))
    assert report.profile == "jpqr-cpm"
    assert report.codes == expected


def test_profile_can_be_forced() -> None:
    assert cpm.validate(JPQR_SAMPLE, "emv-cpm").profile == "emv-cpm"
    assert "cpm.payload_format" in cpm.validate(JPQR_SAMPLE, "emv-cpm").codes
    assert "cpm.payload_format" in cpm.validate(VALID, "jpqr-cpm").codes


def test_parse_raises_the_first_error() -> None:
    with pytest.raises(ValidationError) as info:
        cpm.parse(code(PFI, tlv("61", PAN)))
    assert (info.value.code, info.value.path) == ("cpm.missing", "61.4F")


# --- the Builder ---


def test_builder_emv(impl: ModuleType) -> None:
    text = (
        cpm.Builder()
        .application("A0000000555555", label="Product1")
        .application("A0000000666666", label="Product2")
        .common(
            pan="1234567890123458",
            cardholder_name="CARDHOLDER/EMV",
            language="ruesdeen",
            transparent={
                "9F10": "06010A03000000",
                "9F26": "584FD385FA234BCC",
                "9F36": "0001",
                "9F37": "6D58EF13",
            },
        )
        .build()
    )
    assert text == ANNEX  # the annex example, rebuilt from what its source says it holds


def test_builder_track2_and_jpqr(impl: ModuleType) -> None:
    assert (
        cpm.Builder().application("A0000000555555", track2="1234567890123458=191220112345").build()
        == TRACK2
    )
    assert cpm.Builder.jpqr("12345678", "87654321", '{"key":"value"}').build() == JPQR_SAMPLE


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: cpm.Builder().application("A0"), "cpm.length"),
        (lambda: cpm.Builder().application("XYZ"), "cpm.format"),
        (lambda: cpm.Builder().application("A0000000555555"), "cpm.account_missing"),
        (lambda: cpm.Builder().application("A0000000555555", pan="41111111111x"), "cpm.format"),
        (
            lambda: cpm.Builder().application("A0000000555555", track2="4111111111111111"),
            "cpm.track2",
        ),
        (
            lambda: cpm.Builder("CPV02").application("A0000000555555", pan="4111111111111111"),
            "cpm.payload_format",
        ),
        (lambda: cpm.Builder.jpqr("", "1"), "cpm.length"),
    ],
)
def test_builder_refuses(make: Any, code: str) -> None:
    with pytest.raises(BuildError) as info:
        make().build()
    assert info.value.code == code


def test_builder_objects() -> None:
    objects = cpm.Builder().application("A0000000555555", pan="4111111111111111").objects()
    assert objects[0] == BerObject("85", b"CPV01")
    assert objects[1].children == (
        BerObject("4F", bytes.fromhex("A0000000555555")),
        BerObject("5A", bytes.fromhex("4111111111111111")),
    )


# --- the codes are documented, the two Base64 paths agree -------------------------------------


def test_issue_codes_are_documented() -> None:
    import re
    from pathlib import Path

    import jpqr

    root = Path(__file__).parent.parent
    package = Path(jpqr.__file__).parent  # the jpqr in use: the source tree or an installed one
    sources = [*sorted((package / "cpm").glob("*.py")), package / "_ber_errors.py"]
    emitted = set()
    for source in sources:
        emitted |= set(re.findall(r'"((?:cpm|ber)\.[a-z_0-9]+)"', source.read_text("utf-8")))
    assert len(emitted) > 30
    page = (root / "docs" / "issue-codes.md").read_text("utf-8")
    assert sorted(code for code in emitted if f"`{code}`" not in page) == []


@pytest.mark.skipif(sys.version_info < (3, 11), reason="binascii strict_mode is Python 3.11+")
@settings(max_examples=1000)
@given(st.text(alphabet="ABab09+/=-_ \né", max_size=16))
def test_canonical_pattern_is_strict_base64(text: str) -> None:
    # Python 3.10 has no strict_mode: there the pattern decides, and the two paths must accept
    # exactly the same texts once the canonical check (re-encoding) is done on both.
    from jpqr.cpm.text import _CANONICAL

    def canonical(data: bytes | None) -> bool:
        return data is not None and binascii.b2a_base64(data, newline=False).decode() == text

    try:
        strict: bytes | None = binascii.a2b_base64(text, strict_mode=True)  # type: ignore[call-arg,unused-ignore]
    except ValueError:
        strict = None
    pattern = binascii.a2b_base64(text) if _CANONICAL.fullmatch(text) else None
    assert canonical(strict) == canonical(pattern)


# --- round trips of built codes ------------------------------------------------------------------

labels = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ abcxyz0123456789/-", min_size=1, max_size=16)
pans = st.text(alphabet="0123456789", min_size=12, max_size=19)
aids = st.binary(min_size=5, max_size=16).map(lambda b: b.hex().upper())


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(aids, st.none() | labels), min_size=1, max_size=3), pans, st.data())
def test_built_codes_round_trip(
    impl: ModuleType, apps: list[tuple[str, str | None]], pan: str, data: st.DataObject
) -> None:
    builder = cpm.Builder()
    for aid, label in apps:
        builder.application(aid, label=label)
    name = data.draw(st.none() | st.text(alphabet="ABCXYZ /", min_size=2, max_size=26))
    builder.common(pan=pan, cardholder_name=name, transparent={"9F26": "00" * 8, "9F36": "0001"})
    text = builder.build()
    assert base64.b64encode(impl.ber_encode(cpm.decode(text))).decode() == text
    parsed = cpm.parse(text)
    assert isinstance(parsed, cpm.ConsumerPresentedCode)
    assert [(a.aid, a.label) for a in parsed.applications] == apps
    assert parsed.common is not None and parsed.common.pan == cpm.Masked(pan)
    assert parsed.common.cardholder_name == name
    assert parsed.common.transparent == (("9F26", "00" * 8), ("9F36", "0001"))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=16),
    st.text(alphabet="0123456789abcdef-", min_size=1, max_size=64),
    st.none() | st.text(max_size=40),
)
def test_built_jpqr_codes_round_trip(
    impl: ModuleType, provider: str, payment: str, free: str | None
) -> None:
    text = cpm.Builder.jpqr(provider, payment, free).build()
    assert text.startswith("hQVKUFFS")
    parsed = cpm.parse(text)
    assert isinstance(parsed, cpm.JPQRConsumerCode)
    assert (parsed.provider_id, parsed.payment_id.value) == (provider, payment)
    assert parsed.free_area == free  # UTF-8 there and back (hypothesis text has no surrogates)


@settings(max_examples=1000)
@given(st.text(alphabet="ABab09+/=-_ \né", max_size=16))
def test_to_data_accepts_exactly_canonical_base64(text: str) -> None:
    # The oracle: the standard library's decoder, then its encoder gives the text back.
    from jpqr.cpm.text import to_data

    try:
        decoded = base64.b64decode(text, validate=True)
        canonical = text and base64.b64encode(decoded).decode() == text
        expected: bytes | None = decoded if canonical else None
    except ValueError:
        expected = None
    try:
        got: bytes | None = to_data(text)
    except DecodeError:
        got = None
    assert got == expected
