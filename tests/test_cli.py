"""The ``jpqr`` command line, run as a subprocess (``python -m jpqr``) on both twins.

Expected values come from the published vectors (tests/data/published.jsonl: their recorded
``crc`` facts and what their sources say), from SPEC.md and DESIGN.md (exit statuses, JSON fields,
line handling), or from independent computations here (``binascii.crc_hqx``, display widths from
``unicodedata``), never from jpqr itself.
"""

from __future__ import annotations

import binascii
import json
import os
import pty
import re
import subprocess
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from .conftest import IMPLEMENTATIONS, PUBLISHED

JPQR_SAMPLE = PUBLISHED[9]["payload"]  # mercari/go-emv-code: a valid static JPQR
EMVCO_EXAMPLE = PUBLISHED[11]["payload"]  # the EMVCo spec example: valid EMVCo, not JPQR (CN)
LOWERCASE_CRC = PUBLISHED[46]["payload"]  # the EMVCo example with its right CRC in lower case
WRONG_INIT_CRC = PUBLISHED[47]["payload"]  # the EMVCo example, CRC made with init 0x1111

JSON_FIELDS = {"index", "valid", "profile", "crc", "errors", "warnings"}
ISSUE_FIELDS = {"code", "path", "offset", "message"}


def right_crc(payload: str) -> str:
    """The CRC the payload should end with, computed here independently of jpqr."""
    return f"{binascii.crc_hqx(payload[:-4].encode('utf-8'), 0xFFFF):04X}"


def twin_env(twin: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("JPQR_NO_EXTENSIONS", "NO_COLOR")}
    if twin == "python":
        env["JPQR_NO_EXTENSIONS"] = "1"
    env.update(extra)
    return env


def run_jpqr(
    twin: str,
    *args: str,
    input: str | bytes | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m jpqr ARGS`` with the twin forced; stdout and stderr decoded as UTF-8."""
    data = input.encode("utf-8") if isinstance(input, str) else input
    done = subprocess.run(
        [sys.executable, "-m", "jpqr", *args],
        input=data if data is not None else b"",
        capture_output=True,
        env=env or twin_env(twin),
        cwd=cwd,
        timeout=120,
        check=False,
    )
    return subprocess.CompletedProcess(
        done.args,
        done.returncode,
        done.stdout.decode("utf-8"),
        done.stderr.decode("utf-8"),
    )


def json_lines(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]


def codes(issues: Sequence[dict[str, Any]]) -> list[str]:
    return [issue["code"] for issue in issues]


@pytest.fixture(params=IMPLEMENTATIONS)
def twin(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def test_subprocess_runs_the_twin(twin: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import jpqr; print(jpqr.IMPLEMENTATION)"],
        capture_output=True,
        text=True,
        env=twin_env(twin),
        check=True,
    )
    assert done.stdout.strip() == twin


# --- validate --json: field by field ----------------------------------------------------------


def test_validate_json_jpqr_sample(twin: str) -> None:
    done = run_jpqr(twin, "validate", "--json", JPQR_SAMPLE)
    assert done.returncode == 0, done.stderr
    [record] = json_lines(done.stdout)
    assert set(record) >= JSON_FIELDS
    assert record["index"] == 0
    assert record["valid"] is True
    assert record["profile"] == "jpqr"  # auto: the template 26 carries jp.or.paymentsjapan
    assert record["crc"] == "ok"
    assert record["errors"] == []
    assert isinstance(record["warnings"], list)
    assert done.stderr == ""


def test_validate_json_crc_mismatch(twin: str) -> None:
    done = run_jpqr(twin, "validate", "--json", WRONG_INIT_CRC)
    assert done.returncode == 1
    [record] = json_lines(done.stdout)
    assert record["index"] == 0
    assert record["valid"] is False
    assert record["profile"] == "emvco"  # no JPQR identifier
    assert record["crc"] == "mismatch"
    [issue] = [i for i in record["errors"] if i["code"] == "crc.mismatch"]
    assert set(issue) == ISSUE_FIELDS
    assert issue["path"] == "63"
    # The offset points into the CRC object, the last 8 characters.
    assert len(WRONG_INIT_CRC) - 8 <= issue["offset"] < len(WRONG_INIT_CRC)
    assert "A13A" in issue["message"] and "DC39" in issue["message"]
    assert right_crc(WRONG_INIT_CRC) == "A13A"


def test_validate_json_several_arguments(twin: str) -> None:
    payloads = [JPQR_SAMPLE, WRONG_INIT_CRC, EMVCO_EXAMPLE]
    done = run_jpqr(twin, "validate", "--json", *payloads)
    assert done.returncode == 1  # one of them is invalid
    records = json_lines(done.stdout)
    assert [r["index"] for r in records] == [0, 1, 2]
    assert [r["valid"] for r in records] == [True, False, True]
    assert [r["crc"] for r in records] == ["ok", "mismatch", "ok"]
    assert all("line" not in r for r in records)  # arguments have no line numbers


def test_validate_every_published_crc_fact(twin: str) -> None:
    # Every published vector, as arguments (checked as given, trailing line ends included): the
    # crc field matches the recorded fact, and a vector whose CRC is not ok is never valid.
    done = run_jpqr(twin, "validate", "--json", *(v["payload"] for v in PUBLISHED))
    assert done.returncode == 1
    records = json_lines(done.stdout)
    assert len(records) == len(PUBLISHED)
    for record, vector in zip(records, PUBLISHED, strict=True):
        assert set(record) >= JSON_FIELDS
        assert record["crc"] == vector["crc"], vector["source"]
        if vector["crc"] in ("mismatch", "missing") or vector["tlv"] == "error":
            assert record["valid"] is False, vector["source"]
        for issue in record["errors"] + record["warnings"]:
            assert set(issue) == ISSUE_FIELDS


def test_validate_lowercase_crc_is_a_warning_unless_strict(twin: str) -> None:
    relaxed = run_jpqr(twin, "validate", "--json", LOWERCASE_CRC)
    assert relaxed.returncode == 0
    [record] = json_lines(relaxed.stdout)
    assert record["valid"] is True
    assert record["crc"] == "lowercase"
    assert "crc.lowercase" in codes(record["warnings"])
    assert "crc.lowercase" not in codes(record["errors"])

    strict = run_jpqr(twin, "validate", "--json", "--strict", LOWERCASE_CRC)
    assert strict.returncode == 1
    [record] = json_lines(strict.stdout)
    assert record["valid"] is False
    assert record["crc"] == "lowercase"
    assert "crc.lowercase" in codes(record["errors"])


def test_validate_profile_option(twin: str) -> None:
    # The EMVCo example is a Chinese code: as JPQR its country is wrong (mercari/go-emv-code).
    done = run_jpqr(twin, "validate", "--json", "--profile", "jpqr", EMVCO_EXAMPLE)
    assert done.returncode == 1
    [record] = json_lines(done.stdout)
    assert record["profile"] == "jpqr"
    assert "jpqr.country" in codes(record["errors"])
    done = run_jpqr(twin, "validate", "--json", "--profile", "emvco", JPQR_SAMPLE)
    [record] = json_lines(done.stdout)
    assert record["profile"] == "emvco"


def test_validate_argument_is_not_stripped(twin: str) -> None:
    # Only lines read from a file or stdin lose their line ending; an argument is checked as
    # given, and a trailing space is transport damage to report (DESIGN "Choices").
    done = run_jpqr(twin, "validate", "--json", JPQR_SAMPLE + " ")
    assert done.returncode == 1
    [record] = json_lines(done.stdout)
    assert "tlv.trailing_characters" in codes(record["errors"])


# --- input: stdin, files, lines ---------------------------------------------------------------


def test_validate_reads_stdin(twin: str) -> None:
    done = run_jpqr(twin, "validate", "--json", input=f"{JPQR_SAMPLE}\r\n{WRONG_INIT_CRC}\n")
    assert done.returncode == 1
    records = json_lines(done.stdout)
    assert [(r["index"], r["line"], r["valid"]) for r in records] == [(0, 1, True), (1, 2, False)]
    for args in (["--file", "-"], ["-"]):
        dash = run_jpqr(twin, "validate", "--json", *args, input=JPQR_SAMPLE)
        assert dash.returncode == 0
        assert [(r["line"], r["valid"]) for r in json_lines(dash.stdout)] == [(1, True)]


def test_validate_a_thousand_payloads(twin: str, tmp_path: Path) -> None:
    # Every 7th payload has the wrong CRC; Windows line endings on every 3rd line; an empty line
    # every 100 lines, skipped but counted in line numbers; no newline at the very end.
    lines: list[bytes] = []
    expected: list[tuple[int, bool]] = []  # (line number, valid)
    for n in range(1000):
        if n % 100 == 99:
            lines.append(b"\n")
        payload = WRONG_INIT_CRC if n % 7 == 0 else (JPQR_SAMPLE if n % 2 else EMVCO_EXAMPLE)
        ending = b"\r\n" if n % 3 == 0 else b"\n"
        lines.append(payload.encode("utf-8") + ending)
        expected.append((len(lines), n % 7 != 0))
    lines[-1] = lines[-1].rstrip(b"\r\n")
    file = tmp_path / "codes.txt"
    file.write_bytes(b"".join(lines))

    done = run_jpqr(twin, "validate", "--json", "-f", str(file))
    assert done.returncode == 1
    records = json_lines(done.stdout)
    assert len(records) == 1000
    assert [r["index"] for r in records] == list(range(1000))
    assert [(r["line"], r["valid"]) for r in records] == expected
    assert done.stderr == ""  # no progress display when stderr is not a terminal

    human = run_jpqr(twin, "validate", "--quiet", "-f", str(file))
    assert human.returncode == 1
    invalid = sum(1 for _, valid in expected if not valid)
    assert human.stdout.splitlines()[-1] == (
        f"1000 payloads: {1000 - invalid} valid, {invalid} invalid"
    )
    assert human.stdout.count("INVALID") == invalid


def test_validate_all_valid_file_exits_0(twin: str, tmp_path: Path) -> None:
    file = tmp_path / "good.txt"
    file.write_text(f"{JPQR_SAMPLE}\n\n{EMVCO_EXAMPLE}\n\n", encoding="utf-8")
    done = run_jpqr(twin, "validate", "--file", str(file))
    assert done.returncode == 0, done.stdout
    assert "line 1: valid" in done.stdout
    assert "line 3: valid" in done.stdout
    assert done.stdout.splitlines()[-1] == "2 payloads: 2 valid, 0 invalid"


def test_validate_invalid_utf8_line(twin: str, tmp_path: Path) -> None:
    bad = JPQR_SAMPLE.encode("utf-8").replace("メ".encode(), b"\xff\xfe", 1)
    file = tmp_path / "mixed.txt"
    file.write_bytes(JPQR_SAMPLE.encode("utf-8") + b"\n" + bad + b"\n" + b"\xc3\n")
    done = run_jpqr(twin, "validate", "--json", "--file", str(file))
    assert done.returncode == 1
    records = json_lines(done.stdout)
    assert [r["valid"] for r in records] == [True, False, False]
    assert "tlv.invalid_utf8" in codes(records[1]["errors"])
    # The offset is in bytes for a payload that is not UTF-8 (jpqr.errors), here the 0xFF.
    [issue] = [i for i in records[1]["errors"] if i["code"] == "tlv.invalid_utf8"]
    assert issue["offset"] == bad.index(b"\xff")
    human = run_jpqr(twin, "validate", "--file", str(file))
    assert human.returncode == 1
    assert "\\xff" in human.stdout  # the bad byte is shown escaped, and marked
    marked = human.stdout.splitlines()
    row = next(i for i, line in enumerate(marked) if "\\xff\\xfeルペイ" in line)
    assert marked[row + 1].strip() == "^" * 4


def test_validate_over_long_line(twin: str, tmp_path: Path) -> None:
    # 20,000 characters on one line: refused as too long without reading it whole, and the
    # next line is still checked.
    file = tmp_path / "long.txt"
    file.write_text("0" * 20_000 + "\n" + JPQR_SAMPLE + "\n", encoding="utf-8")
    done = run_jpqr(twin, "validate", "--json", "--file", str(file))
    assert done.returncode == 1
    first, second = json_lines(done.stdout)
    assert first["valid"] is False
    assert "tlv.too_long" in codes(first["errors"])
    assert (second["line"], second["valid"]) == (2, True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["validate", "--file", "/nonexistent/codes.txt"], "No such file"),
        (["validate", "--file", "."], "directory"),
        (["validate", "--file", "codes.txt", "0002"], "not both"),
        (["validate", "--profile", "no-such-profile", "0002"], "invalid choice"),
        (["validate", "--no-such-option"], "unrecognized arguments"),
        (["nonsense"], "invalid choice"),
        ([], "a command is required"),
        (["decode"], "required: PAYLOAD"),
        (["render", "0002"], "one of the arguments -o/--output --terminal is required"),
    ],
)
def test_usage_and_input_errors_exit_2(twin: str, args: list[str], message: str) -> None:
    done = run_jpqr(twin, *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr


def test_validate_empty_input_exits_2(twin: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\r\n\n", encoding="utf-8")
    for done in (
        run_jpqr(twin, "validate", "--file", str(empty)),
        run_jpqr(twin, "validate", input=""),
    ):
        assert done.returncode == 2
        assert "no payloads" in done.stderr


# --- the human report -------------------------------------------------------------------------


def columns(text: str) -> int:
    """Terminal columns of ``text`` (East Asian wide characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def test_human_report_marks_the_wrong_crc(twin: str) -> None:
    done = run_jpqr(twin, "validate", WRONG_INIT_CRC)
    assert done.returncode == 1
    out = done.stdout
    assert "\x1b[" not in out  # no colour on a pipe
    lines = out.splitlines()
    assert lines[0].startswith("payload: INVALID")
    assert "crc.mismatch" in out and "ID 63" in out
    # The excerpt ends with the CRC value, and the carets sit exactly under "DC39".
    row = next(i for i, line in enumerate(lines) if line.rstrip().endswith("6304DC39"))
    excerpt, carets = lines[row], lines[row + 1]
    start = columns(excerpt[: excerpt.index("DC39")])
    assert carets == " " * start + "^^^^"


def test_human_report_marks_an_overrun(twin: str) -> None:
    # 59 declares 30 characters but the rest of the payload holds fewer: the object is marked from
    # its ID to the end (it swallowed the CRC object).
    payload = "000201" + "5930ACME" + "6304" + "ABCD"
    done = run_jpqr(twin, "validate", payload)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert any("tlv.length_overrun" in line for line in lines)
    row = next(i for i, line in enumerate(lines) if line.strip() == payload)
    assert lines[row + 1] == " " * (lines[row].index(payload) + 6) + "^" * (len(payload) - 6)


def test_human_report_valid_jpqr(twin: str) -> None:
    done = run_jpqr(twin, "validate", JPQR_SAMPLE)
    assert done.returncode == 0
    assert done.stdout.startswith("payload: valid (profile jpqr, CRC ok")
    several = run_jpqr(twin, "validate", JPQR_SAMPLE, WRONG_INIT_CRC)
    assert several.returncode == 1
    assert several.stdout.startswith("argument 1: valid (profile jpqr, CRC ok")
    assert "\nargument 2: INVALID (profile emvco, CRC mismatch" in several.stdout
    assert several.stdout.endswith("\n2 payloads: 1 valid, 1 invalid\n")


def test_human_report_escapes_control_characters(twin: str) -> None:
    # A payload is untrusted: an ESC in it must not reach the terminal.
    payload = "000201" + "5905A\x1b[2J" + "6304ABCD"
    done = run_jpqr(twin, "validate", payload)
    assert done.returncode == 1
    assert "\x1b" not in done.stdout
    assert "\\x1b[2J" in done.stdout


def run_on_tty(
    twin: str, args: Sequence[str], *, stdin_too: bool = False, **env: str
) -> tuple[int, str]:
    """Run ``jpqr`` with stdout and stderr (and stdin, with ``stdin_too``) on a pseudo-terminal;
    return status and what it showed."""
    main, secondary = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "jpqr", *args],
            stdin=secondary if stdin_too else subprocess.DEVNULL,
            stdout=secondary,
            stderr=secondary,
            env=twin_env(twin, **env),
        )
    finally:
        os.close(secondary)
    chunks = []
    for chunk in _read_all(main):
        chunks.append(chunk)
    status = process.wait(timeout=120)
    os.close(main)
    return status, b"".join(chunks).decode("utf-8")


def _read_all(fd: int) -> Iterator[bytes]:
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the other side is closed
            return
        if not chunk:
            return
        yield chunk


def test_colour_only_on_a_terminal(twin: str) -> None:
    status, shown = run_on_tty(twin, ["validate", WRONG_INIT_CRC])
    assert status == 1
    assert "\x1b[" in shown and "INVALID" in shown
    status, plain = run_on_tty(twin, ["validate", WRONG_INIT_CRC], NO_COLOR="1")
    assert status == 1
    assert "\x1b[" not in plain and "INVALID" in plain


def test_progress_only_on_a_terminal(twin: str, tmp_path: Path) -> None:
    file = tmp_path / "codes.txt"
    file.write_text((JPQR_SAMPLE + "\n") * 50, encoding="utf-8")
    status, shown = run_on_tty(twin, ["validate", "--quiet", "--file", str(file)], NO_COLOR="1")
    assert status == 0
    assert "checked 1 payload, 0 invalid" in shown
    assert re.search(r"\[[#-]{20}\] +\d+% checked", shown)  # a file's size is known: a bar
    assert shown.rstrip().endswith("50 payloads: 50 valid, 0 invalid")
    piped = run_jpqr(twin, "validate", "--quiet", "--file", str(file))
    assert "checked" not in piped.stdout + piped.stderr


def test_output_to_a_non_utf8_stream(twin: str) -> None:
    # JSON stays valid JSON (non-ASCII escaped), the human report does not crash.
    env = twin_env(twin, PYTHONIOENCODING="ascii")
    done = run_jpqr(twin, "decode", "--json", JPQR_SAMPLE, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.isascii()
    assert "メルペイ カフェ" in [
        c["value"] for o in json.loads(done.stdout) for c in o["children"] or ()
    ]
    bad = JPQR_SAMPLE.replace("JA", "J\u30a2")
    human = run_jpqr(twin, "validate", bad, env=env)
    assert human.returncode == 1
    assert "Traceback" not in human.stderr


def test_reader_going_away_is_quiet(twin: str, tmp_path: Path) -> None:
    # `jpqr validate --json -f big.txt | head -1`: far more output than a pipe holds.
    file = tmp_path / "codes.txt"
    file.write_text((JPQR_SAMPLE + "\n") * 3000, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "jpqr", "validate", "--json", "--file", str(file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=twin_env(twin),
    )
    assert process.stdout is not None and process.stderr is not None
    first = json.loads(process.stdout.readline())
    assert first["index"] == 0
    process.stdout.close()
    errors = process.stderr.read().decode("utf-8")
    assert process.wait(timeout=120) == 2
    assert errors == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args",
    [["validate", JPQR_SAMPLE], ["decode", JPQR_SAMPLE], ["render", JPQR_SAMPLE, "--terminal"]],
    ids=["validate", "decode", "render"],
)
def test_output_that_cannot_be_written_exits_2(twin: str, args: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "jpqr", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            env=twin_env(twin),
            check=False,
        )
    assert done.returncode == 2
    errors = done.stderr.decode("utf-8")
    assert errors == "jpqr: error: cannot write the output: No space left on device\n"


# --- decode -----------------------------------------------------------------------------------


def test_decode_table(twin: str) -> None:
    done = run_jpqr(twin, "decode", JPQR_SAMPLE)
    assert done.returncode == 0, done.stderr
    # Root objects start their row; a template's objects are indented under it.
    rows = {line.split()[0]: line for line in done.stdout.splitlines()[1:] if line[:1].isdigit()}
    for id, name, value in [
        ("00", "Payload Format Indicator", "01"),
        ("52", "Merchant Category Code", "4111"),
        ("53", "Transaction Currency", "392"),
        ("58", "Country Code", "JP"),
        ("61", "Postal Code", "1066143"),
        ("63", "CRC", "DEE9"),
    ]:
        assert name in rows[id] and rows[id].endswith(value)
    assert "jp.or.paymentsjapan" in done.stdout
    assert "メルペイ カフェ" in done.stdout


def test_decode_json(twin: str) -> None:
    done = run_jpqr(twin, "decode", "--json", JPQR_SAMPLE)
    assert done.returncode == 0, done.stderr
    tree = json.loads(done.stdout)
    # The order of the sample, as published (60 before 01 is allowed: SPEC §1).
    assert [o["id"] for o in tree] == [
        "00", "60", "01", "29", "31", "26", "53", "59", "64", "52", "58", "61", "63"
    ]  # fmt: skip
    by_id = {o["id"]: o for o in tree}
    for obj in tree:
        assert set(obj) == {"id", "name", "value", "children"}
    assert by_id["59"] == {
        "id": "59",
        "name": "Merchant Name",
        "value": "xxx",
        "children": None,
    }
    jpqr_template = by_id["26"]
    assert [(c["id"], c["value"]) for c in jpqr_template["children"]] == [
        ("00", "jp.or.paymentsjapan"),
        ("01", "0000000000001"),
        ("02", "0001"),
        ("03", "000001"),
        ("04", "000001"),
    ]
    assert all(c["children"] is None and c["name"] for c in jpqr_template["children"])
    # Under the JPQR GUID the sub-objects are the four levels of the store identifier (SPEC §4).
    for level, child in enumerate(jpqr_template["children"][1:], 1):
        assert f"level {level}" in child["name"].lower()
    language = {c["id"]: c for c in by_id["64"]["children"]}
    assert language["00"]["value"] == "JA"
    assert language["01"]["value"] == "メルペイ カフェ"
    assert language["00"]["name"] == "Language Preference"


def test_decode_structure_error_exits_1(twin: str) -> None:
    payload = "000201" + "5930ACME" + "6304ABCD"
    done = run_jpqr(twin, "decode", payload)
    assert done.returncode == 1
    assert "tlv.length_overrun" in done.stderr
    assert done.stdout == ""
    stdin = run_jpqr(twin, "decode", "-", input=JPQR_SAMPLE + "\n")
    assert stdin.returncode == 0
    assert "jp.or.paymentsjapan" in stdin.stdout


# --- build ------------------------------------------------------------------------------------


def tlv(id: str, value: str) -> str:
    """One data object written by hand (SPEC §1: ID, length in characters, value)."""
    return f"{id}{len(value):02d}{value}"


def with_crc(body: str) -> str:
    body += "6304"
    return body + f"{binascii.crc_hqx(body.encode('utf-8'), 0xFFFF):04X}"


# The EV-charging recipe: a dynamic JPQR for one session, amount in yen, session reference in
# 62-05 and the EVSE in 62-07, the Japanese name in 64 (SPEC §4, §5), in canonical order.
LEVELS = ("0000000000001", "0001", "000001", "000001")


def session_code(amount: str) -> str:
    return with_crc(
        tlv("00", "01")
        + tlv("01", "12")
        + tlv(
            "26",
            tlv("00", "jp.or.paymentsjapan")
            + "".join(tlv(f"0{n}", level) for n, level in enumerate(LEVELS, 1)),
        )
        + tlv("52", "5999")
        + tlv("53", "392")
        + tlv("54", amount)
        + tlv("58", "JP")
        + tlv("59", "EV CHARGE")
        + tlv("60", "TOKYO")
        + tlv("61", "1066143")
        + tlv("62", tlv("05", "S-20261121-0042") + tlv("07", "EVSE-1"))
        + tlv("64", tlv("00", "JA") + tlv("01", "EV充電ステーション"))
    )


SESSION_CODE = session_code("1500")
# The same session as options and as a JSON spec (Builder.from_dict keys).
SESSION_VALUES = {
    "merchant_category_code": "5999",
    "amount": "1500",
    "merchant_name": "EV CHARGE",
    "merchant_city": "TOKYO",
    "postal_code": "1066143",
    "reference_label": "S-20261121-0042",
    "terminal_label": "EVSE-1",
}
SESSION_OPTIONS = [
    "--dynamic",
    "--jpqr",
    *LEVELS,
    *(
        word
        for key, value in SESSION_VALUES.items()
        for word in (f"--{key.replace('_', '-')}", value)
    ),
    "--language",
    "JA",
    "EV充電ステーション",
]
SESSION_SPEC = {
    "point_of_initiation": "dynamic",
    "jpqr_identifier": {f"level{n}": level for n, level in enumerate(LEVELS, 1)},
    "language": {"language_preference": "JA", "merchant_name": "EV充電ステーション"},
    **SESSION_VALUES,
}


def test_build_from_options(twin: str) -> None:
    done = run_jpqr(twin, "build", *SESSION_OPTIONS)
    assert done.returncode == 0, done.stderr
    assert done.stdout == SESSION_CODE + "\n"
    check = run_jpqr(twin, "validate", "--json", done.stdout.strip())
    assert check.returncode == 0
    [record] = json_lines(check.stdout)
    assert (record["valid"], record["profile"], record["crc"]) == (True, "jpqr", "ok")


def test_build_from_spec_file_and_stdin(twin: str, tmp_path: Path) -> None:
    spec = tmp_path / "session.json"
    spec.write_text(json.dumps(SESSION_SPEC, ensure_ascii=False), encoding="utf-8")
    done = run_jpqr(twin, "build", str(spec))
    assert done.returncode == 0, done.stderr
    assert done.stdout == SESSION_CODE + "\n"
    piped = run_jpqr(twin, "build", input=json.dumps(SESSION_SPEC))
    assert piped.stdout == SESSION_CODE + "\n"
    # Options override the spec: the amount of the next session.
    other = run_jpqr(twin, "build", "-", "--amount", "2000", input=json.dumps(SESSION_SPEC))
    assert other.returncode == 0, other.stderr
    assert other.stdout == session_code("2000") + "\n"


def test_build_with_nothing_to_build_exits_2(twin: str) -> None:
    # Without a spec or options, and with a person at the terminal rather than a pipe on stdin.
    status, shown = run_on_tty(twin, ["build"], stdin_too=True, NO_COLOR="1")
    assert status == 2
    assert "give a JSON spec file, '-' for stdin, or options" in shown


def test_build_refused_value_exits_1(twin: str) -> None:
    # Merchant name is format ans, printable ASCII (SPEC §3): the builder names the field.
    options = [o if o != "EV CHARGE" else "Café" for o in SESSION_OPTIONS]
    done = run_jpqr(twin, "build", *options)
    assert done.returncode == 1
    assert done.stdout == ""
    assert "merchant_name" in done.stderr and "ID 59" in done.stderr
    # A spec key that names no setter is refused the same way.
    unknown = run_jpqr(twin, "build", input=json.dumps({**SESSION_SPEC, "colour": "red"}))
    assert unknown.returncode == 1
    assert "colour" in unknown.stderr


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["-"], "{not json", "not valid JSON"),
        (["-"], "[1, 2]", "must be a JSON object"),
        (["-"], b"\xff\xfe{}", "not UTF-8"),
        (["/nonexistent/spec.json"], "", "No such file"),
        (["--language", "JA"], "", "expected 2 arguments"),
        (["--language-city", "東京"], "", "needs --language"),
        (["--jpqr", "1", "2"], "", "expected 4 arguments"),
    ],
)
def test_build_input_errors_exit_2(
    twin: str, args: list[str], stdin: str | bytes, message: str
) -> None:
    done = run_jpqr(twin, "build", *args, input=stdin)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
