"""``jpqr.validate`` on both twins: never raises on str/bytes-like input, and the two twins give
identical reports, under every profile and with strict/lenient.

Also holds each report to what the kernels say: ``report.crc`` is the CRC verdict of the text, and
a payload the decoder refuses is never ``ok``; and the compiled rule engine (``jpqr._rules``) to
the reference engine: where it says "clean" the pure twin's report has no issue at all, where it
says "an error" that report is not ok.
"""

from __future__ import annotations

from _common import PYTHON, fail, outcome, payload, payload_seeds, run

import jpqr
from jpqr import _kernels
from jpqr.profiles._compiled import judge

PROFILES = ("auto", "emvco", "jpqr")


def report_data(report: jpqr.ValidationReport) -> tuple[object, ...]:
    return (
        report.ok,
        report.profile,
        report.crc,
        tuple((i.code, i.path, i.offset, i.message) for i in report.errors),
        tuple((i.code, i.path, i.offset, i.message) for i in report.warnings),
        report.payload,
    )


def test_one(data: bytes) -> None:
    value = payload(data)
    flags = data[1] if len(data) > 1 else 0
    profile = PROFILES[flags % 3]
    options = {"strict": bool(flags & 4), "lenient": bool(flags & 8)}
    results: dict[str, object] = {}
    for twin in ("python", "cython"):
        _kernels.use(twin)
        result = outcome(jpqr.validate, value, profile, **options)
        if result[0] != "ok":
            fail(f"validate raised on {twin}", value, profile, options, result)
        results[twin] = report_data(result[1])
        valid = outcome(jpqr.is_valid, value, profile, **options)
        if valid != ("ok", result[1].ok):
            fail(f"is_valid is not validate().ok on {twin}", value, valid)
        parsed = outcome(jpqr.parse, value, profile, **options)
        if parsed[0] == "raised" or (parsed[0] == "ok") != result[1].ok:
            fail(f"parse does not follow validate on {twin}", value, parsed, result[1].errors)
        results[twin + " parse"] = repr(parsed)
    _kernels.use("cython")
    verdict = outcome(judge, value, profile, options["lenient"])
    expected = results["python"]
    assert isinstance(expected, tuple)
    if verdict[0] != "ok" or (
        verdict[1][0] == 1
        and (not expected[0] or expected[3] or expected[4] or expected[2] != "ok")
    ):
        fail(
            "the compiled engine says clean where the reference finds issues",
            value,
            verdict,
            expected,
        )
    if verdict[1][0] == -1 and expected[0]:
        fail("the compiled engine says invalid where the reference says ok", value, expected)
    if results["python"] != results["cython"] or results["python parse"] != results["cython parse"]:
        fail("validate: the twins disagree", value, profile, options, *results.items())
    report = results["python"]
    assert isinstance(report, tuple)
    if not options["lenient"]:
        decoded = outcome(PYTHON[1].decode, value)
        if decoded[0] != "ok" and report[0]:
            fail("validate says ok for a payload decode refuses", value, decoded)
        text = outcome(PYTHON[1].to_text, value)
        if text[0] == "ok" and text[1] and report[2] != PYTHON[0].crc_verdict(text[1]):
            fail("report.crc is not crc_verdict of the text", value, report[2])


if __name__ == "__main__":
    run(test_one, payload_seeds)
