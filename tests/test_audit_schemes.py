"""Audit of the national profiles and ``classify`` (issue 12), on both twins: inputs that made
``validate``, ``classify`` or ``jpqr validate`` raise something other than a jpqr error.

- KHQR's 99-01 read with ``str.isdigit()``, which is true for "²" (``int()`` then raised
  ValueError out of ``validate`` and ``classify``) and for "١" (read as a timestamp).
- PayNow's 26-04 ``00010101000000`` (a date the ``sgqr`` rows accept) is before year 1 once
  moved from Singapore time to UTC: ``classify`` raised OverflowError.

Payloads are mutations of published ones with the CRC recomputed independently
(tests/scheme_codes.py)."""

from __future__ import annotations

from types import ModuleType

import pytest

import jpqr
from jpqr.cli import main

from . import test_cli
from .scheme_codes import found, mutate
from .test_cli import run_jpqr

twin = test_cli.twin  # the fixture: each twin as a subprocess

# bakong-khqr-php README.md:83 (khqr.jsonl): dynamic, 99-00 creation and 99-01 expiry.
KHQR = (
    "00020101021229180014jonhsmith@nbcq52045999530311654035005802KH5910Jonh Smith6010"
    "PHNOM PENH993400131742250594187011317422506541846304EA38"
)
# A test's 'PUBLISHED.payNow' vector (sgqr.jsonl): 26-04 = 20260304.
PAYNOW = (
    "00020101021226470009SG.PAYNOW010120208123456780301004082026030452040000530370254040.99"
    "5802SG5911testcompany6009Singapore62270123testordernumber1234567863040047"
)


@pytest.mark.parametrize("digit", ["²", "١"])
@pytest.mark.parametrize("profile", ["auto", "khqr"])
def test_khqr_expiry_of_non_ascii_digits_is_no_timestamp(
    impl: ModuleType, digit: str, profile: str
) -> None:
    code = mutate(KHQR, "99.01", "174225065418" + digit)  # 13 characters, not 13 digits
    report = jpqr.validate(code, profile)
    assert report.profile == "khqr"
    assert found(report) == [("khqr.expiry", "99.01")]
    assert "13 digits" in report.errors[0].message
    assert jpqr.is_valid(code, profile) is False
    with pytest.raises(jpqr.ValidationError, match=r"khqr\.expiry"):
        jpqr.parse(code, profile)
    assert jpqr.classify(code).expires is None


def test_paynow_expiry_before_year_one_in_utc(impl: ModuleType) -> None:
    code = mutate(PAYNOW, "26.04", "00010101000000")  # a date and time the sgqr rows accept
    found_ = jpqr.classify(code)
    assert found_.schemes[0] == "sgqr"
    assert found_.expires is None  # no UTC datetime holds it
    report = jpqr.validate(code)
    assert (report.profile, report.ok) == ("sgqr", True)


@pytest.mark.parametrize("json", [[], ["--json"]])
def test_cli_validate_reports_them(
    impl: ModuleType, json: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    expired = mutate(KHQR, "99.01", "174225065418²")
    paynow = mutate(PAYNOW, "26.04", "00010101000000")
    assert main(["validate", *json, expired]) == 1
    assert main(["validate", *json, paynow]) == 0
    out = capsys.readouterr().out
    assert "khqr.expiry" in out


@pytest.mark.parametrize("noise", [" \t", "\t", "\ufeff ", "\r\n"])
def test_decode_lenient_strips_what_validate_lenient_strips(twin: str, noise: str) -> None:
    # Leading white space was stripped by validate --lenient only: decode --lenient said
    # tlv.invalid_id at offset 0 for a pasted code that validate --lenient called valid.
    pasted = noise + PAYNOW + " \t"
    assert run_jpqr(twin, "validate", "--lenient", pasted).returncode == 0
    done = run_jpqr(twin, "decode", "--lenient", pasted)
    assert done.returncode == 0, done.stdout
    assert done.stdout.endswith("CRC ok\n")
    assert "trailing white space" in done.stderr


def test_quiet_keeps_a_near_miss_under_a_profile_chosen_by_name(
    impl: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    # docs/cli.md: a near miss is shown whichever profile --profile forces, so that a mistyped
    # GUID never passes silently; --quiet hid it under --profile emvco (the report is clean).
    typo = mutate(PAYNOW, "26.00", "SG.PAYN0W")  # a listed near miss of SG.PAYNOW
    assert jpqr.validate(typo, "emvco").ok and not jpqr.validate(typo, "emvco").warnings
    assert main(["validate", "-q", "--profile", "emvco", typo, PAYNOW]) == 0
    out = capsys.readouterr().out
    assert "scheme.near_miss" in out and "argument 1:" in out
    assert "argument 2:" not in out  # the clean code stays hidden


def test_every_national_issue_code_is_documented() -> None:
    # tests/test_validate.py::test_issue_codes_are_documented reads the EMVCo and JPQR prefixes
    # only: no code of a national profile (khqr.expired, whose verdict reads the clock, among
    # them) was on docs/issue-codes.md.
    import re
    from pathlib import Path

    from jpqr.profiles import PROFILES

    package = Path(jpqr.__file__).parent / "profiles"
    names = "|".join(name for name in PROFILES if name not in ("emvco", "jpqr"))
    pattern = re.compile(rf'"((?:{names})\.[a-z_]+)"')
    emitted = {
        code
        for source in package.glob("*.py")
        for code in pattern.findall(source.read_text("utf-8"))
    }
    assert len(emitted) > 40  # the nine national profiles' own codes
    page = (Path(__file__).parent.parent / "docs" / "issue-codes.md").read_text("utf-8")
    assert sorted(code for code in emitted if f"`{code}`" not in page) == []
    assert "depends on the clock" in page.split("`khqr.expired`")[1].split("\n")[0]
