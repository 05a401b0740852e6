"""The command-line habits of issue 13, run as subprocesses on both twins: ``--color``,
``--lenient``, ``decode --file`` and JSON errors, ``render -o -``, ``crc``, ``tags``, ``scan``,
``completion`` and Ctrl-C.

Expected values come from the published vectors, from SPEC.md (the tables of §3 and §4), from
ISO/IEC 18004 (what a QR code holds) or from independent computations here (``binascii.crc_hqx``,
QR images made with segno and read back with zxing-cpp), never from jpqr itself.
"""

from __future__ import annotations

import binascii
import io
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import segno
import zxingcpp
from PIL import Image

from jpqr.profiles import PROFILES

from .test_cli import (
    EMVCO_EXAMPLE,
    JPQR_SAMPLE,
    LOWERCASE_CRC,
    WRONG_INIT_CRC,
    json_lines,
    run_jpqr,
    run_on_tty,
    twin,
    twin_env,
)

__all__ = ["twin"]  # the fixture, shared with test_cli

BROKEN = "00020101zz116304AD0A"  # the length of ID 01 is not digits


def crc_of(text: str) -> str:
    return f"{binascii.crc_hqx(text.encode('utf-8'), 0xFFFF):04X}"


# --- --color ----------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["before", "after"])
def test_color_always_colours_a_pipe_even_with_no_color(twin: str, where: str) -> None:
    args = ["validate", WRONG_INIT_CRC]
    args = ["--color", "always", *args] if where == "before" else [*args, "--color", "always"]
    done = run_jpqr(twin, *args, env=twin_env(twin, NO_COLOR="1"))
    assert done.returncode == 1
    assert "\x1b[" in done.stdout  # an explicit option overrides NO_COLOR (no-color.org)


def test_color_never_on_a_terminal(twin: str) -> None:
    status, shown = run_on_tty(twin, ["validate", "--color", "never", WRONG_INIT_CRC])
    assert status == 1
    assert "INVALID" in shown and "\x1b[" not in shown


def test_color_auto_is_the_default_and_honours_no_color(twin: str) -> None:
    status, shown = run_on_tty(twin, ["--color", "auto", "decode", JPQR_SAMPLE])
    assert status == 0 and "\x1b[" in shown
    status, plain = run_on_tty(twin, ["decode", JPQR_SAMPLE], NO_COLOR="1")
    assert status == 0 and "\x1b[" not in plain


def test_color_refuses_other_values(twin: str) -> None:
    done = run_jpqr(twin, "--color", "sometimes", "validate", JPQR_SAMPLE)
    assert done.returncode == 2
    assert "invalid choice" in done.stderr


# --- --lenient --------------------------------------------------------------------------------


def test_validate_lenient_strips_transport_damage_with_a_warning(twin: str) -> None:
    damaged = "\ufeff" + JPQR_SAMPLE + " \r\n"
    strict = run_jpqr(twin, "validate", "--json", damaged)
    assert strict.returncode == 1
    done = run_jpqr(twin, "validate", "--json", "--lenient", damaged)
    assert done.returncode == 0, done.stdout
    [record] = json_lines(done.stdout)
    assert record["valid"] is True
    assert "payload.stripped" in [w["code"] for w in record["warnings"]]


def test_decode_lenient(twin: str) -> None:
    damaged = JPQR_SAMPLE + " "
    assert run_jpqr(twin, "decode", damaged).returncode == 1  # trailing characters
    done = run_jpqr(twin, "decode", "--lenient", damaged)
    assert done.returncode == 0
    assert done.stdout.endswith("CRC ok\n")
    assert "stripped trailing white space" in done.stderr
    # leading white space too, as validate(lenient=True) strips it (issue 12)
    done = run_jpqr(twin, "decode", "--lenient", "\t " + JPQR_SAMPLE)
    assert done.returncode == 0 and done.stdout.endswith("CRC ok\n")
    assert "stripped leading white space '\\t '" in done.stderr


# --- decode --file and JSON errors ------------------------------------------------------------


def test_decode_json_error_is_json(twin: str) -> None:
    done = run_jpqr(twin, "decode", "--json", BROKEN)
    assert done.returncode == 1
    assert done.stderr == ""
    [record] = json_lines(done.stdout)
    assert set(record["error"]) == {"code", "path", "offset", "message"}
    assert record["error"]["offset"] == 8  # the two characters after ID 01 (SPEC §1)
    assert record["error"]["code"].startswith("tlv.")


def test_decode_file_json_lines(twin: str, tmp_path: Path) -> None:
    file = tmp_path / "codes.txt"
    file.write_bytes(f"{JPQR_SAMPLE}\r\n\n{BROKEN}\n{EMVCO_EXAMPLE}".encode())
    done = run_jpqr(twin, "decode", "--json", "--file", str(file))
    assert done.returncode == 1  # one of them does not decode
    records = json_lines(done.stdout)
    assert [r["index"] for r in records] == [0, 1, 2]
    assert [r["line"] for r in records] == [1, 3, 4]
    assert "error" in records[1] and "objects" not in records[1]
    ids = [o["id"] for o in records[2]["objects"]]
    assert ids[0] == "00" and ids[-1] == "63"
    assert [c["value"] for c in records[2]["objects"] if c["id"] == "59"] == ["BEST TRANSPORT"]


def test_decode_file_human_and_stdin(twin: str) -> None:
    done = run_jpqr(twin, "decode", "-f", "-", input=f"{JPQR_SAMPLE}\n{BROKEN}\n")
    assert done.returncode == 1
    assert done.stdout.startswith("line 1:\nID ")
    assert "\nline 2: jpqr decode: [tlv." in done.stdout
    assert run_jpqr(twin, "decode", "-f", "-", input=JPQR_SAMPLE).returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["decode", "x", "--file", "-"], "not both"),
        (["decode"], "required: PAYLOAD"),
        (["decode", "--file", "/nonexistent/codes.txt"], "cannot read"),
    ],
)
def test_decode_file_usage_errors(twin: str, args: list[str], message: str) -> None:
    done = run_jpqr(twin, *args)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


def test_decode_file_empty_is_an_input_error(twin: str) -> None:
    done = run_jpqr(twin, "decode", "--file", "-", input="\n\n")
    assert done.returncode == 2
    assert "no payloads" in done.stderr


# --- render -o - and its size bound -----------------------------------------------------------


def read_qr(image: Image.Image) -> list[str]:
    return [found.text for found in zxingcpp.read_barcodes(image)]


def test_render_png_to_stdout(twin: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "jpqr", "render", JPQR_SAMPLE, "-o", "-", "--format", "png"],
        capture_output=True,
        env=twin_env(twin),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"\x89PNG\r\n\x1a\n")
    assert read_qr(Image.open(io.BytesIO(done.stdout))) == [JPQR_SAMPLE]


def test_render_svg_to_stdout_by_default(twin: str) -> None:
    done = run_jpqr(twin, "render", JPQR_SAMPLE, "-o", "-")
    assert done.returncode == 0
    assert done.stdout.startswith("<?xml") and done.stdout.rstrip().endswith("</svg>")


def test_render_format_overrides_the_suffix(twin: str, tmp_path: Path) -> None:
    out = tmp_path / "code.img"
    assert run_jpqr(twin, "render", JPQR_SAMPLE, "-o", str(out)).returncode == 2
    done = run_jpqr(twin, "render", JPQR_SAMPLE, "-o", str(out), "--format", "png")
    assert done.returncode == 0
    assert read_qr(Image.open(out)) == [JPQR_SAMPLE]


def test_render_refuses_more_than_any_qr_code_holds_at_once(twin: str) -> None:
    # ISO/IEC 18004 Table 7: version 40-L holds at most 7089 digits.
    done = run_jpqr(twin, "render", "-", "-o", "-", "--no-check", input="1" * 7090)
    assert done.returncode == 1
    assert "too large" in done.stderr and "7089" in done.stderr
    assert done.stdout == ""


# --- crc ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["without", "marker", "wrong", "lowercase", "right"])
def test_crc_places_the_crc(twin: str, given: str) -> None:
    body = LOWERCASE_CRC[:-4]  # ends with 6304
    right = crc_of(body)
    assert right == "A13A"  # the EMVCo example's CRC (published vector)
    text = {
        "without": body[:-4],
        "marker": body,
        "wrong": body + "DC39",
        "lowercase": body + right.lower(),
        "right": body + right,
    }[given]
    done = run_jpqr(twin, "crc", text)
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"CRC {right} goes at offset {len(body)} ")
    assert lines[-1] == body + right
    if given == "wrong":
        assert "DC39: wrong" in done.stdout
    if given == "lowercase":
        assert "upper case" in done.stdout


def test_crc_of_japanese_text_counts_utf8_bytes(twin: str) -> None:
    body = "0002010102116408" + "0002JA0102カフ" + "6304"
    done = run_jpqr(twin, "crc", body)
    assert done.stdout.splitlines()[-1] == body + crc_of(body)


def test_crc_stdin_and_errors(twin: str) -> None:
    done = run_jpqr(twin, "crc", "-", input="000201010211\n")
    assert done.stdout.splitlines()[-1] == "0002010102116304" + crc_of("0002010102116304")
    bad = run_jpqr(twin, "crc", "-", input=b"\xff\xfe\n")
    assert bad.returncode == 2 and "UTF-8" in bad.stderr


# --- tags ---------------------------------------------------------------------------------------


def tags(twin: str, *args: str) -> list[dict[str, object]]:
    done = run_jpqr(twin, "tags", "--json", *args)
    assert done.returncode == 0, done.stderr
    rows: list[dict[str, object]] = json.loads(done.stdout)
    return rows


def test_tags_emvco_from_spec_tables(twin: str) -> None:
    rows = {row["id"]: row for row in tags(twin, "--profile", "emvco")}
    # SPEC.md §3: (ID, name, format, min, max, presence)
    expected = [
        ("00", "Payload Format Indicator", "N", 2, 2, "M"),
        ("52", "Merchant Category Code", "N", 4, 4, "M"),
        ("59", "Merchant Name", "ans", 1, 25, "M"),
        ("60", "Merchant City", "ans", 1, 15, "M"),
        ("63", "CRC", "ans", 4, 4, "M"),
        ("62.05", "Reference Label", "ans", 1, 25, "O"),
        ("62.07", "Terminal Label", "ans", 1, 25, "O"),
        ("64.00", "Language Preference", "ans", 2, 2, "M"),
    ]
    for key, name, form, low, high, presence in expected:
        row = rows[key]
        assert (row["name"], row["format"], row["min_length"], row["max_length"]) == (
            name,
            form,
            low,
            high,
        )
        assert row["presence"] == presence
    assert "26-51" in rows and "80-99" in rows  # merchant account and unreserved templates
    assert not any("JPQR" in str(row["name"]) for row in rows.values())


def test_tags_jpqr_adds_the_identifier(twin: str) -> None:
    rows = {row["id"]: row for row in tags(twin)}  # jpqr is the default
    # SPEC.md §4: the four levels, 13, 4, 6 and 6 characters, all mandatory.
    for level, length in zip(("01", "02", "03", "04"), (13, 4, 6, 6), strict=True):
        row = rows[f"26-51.{level}"]
        assert row["min_length"] == row["max_length"] == length
        assert row["presence"] == "M"
        assert f"Level {int(level)}" in str(row["name"])


def test_tags_table(twin: str) -> None:
    done = run_jpqr(twin, "tags", "--profile", "emvco")
    assert done.returncode == 0
    head, *lines = done.stdout.splitlines()
    assert head.split() == ["ID", "Name", "Format", "Length", "Presence"]
    assert any(line.split()[0] == "62.05" and "Reference Label" in line for line in lines)


# --- scan ---------------------------------------------------------------------------------------


def qr_png(path: Path, *payloads: str) -> Path:
    """A PNG holding one QR code per payload, side by side (made with segno, not jpqr)."""
    images = []
    for payload in payloads:
        buffer = io.BytesIO()
        segno.make_qr(payload, encoding="utf-8", eci=False).save(buffer, kind="png", scale=6)
        images.append(Image.open(io.BytesIO(buffer.getvalue())).convert("L"))
    width = sum(image.width for image in images)
    sheet = Image.new("L", (width, max(image.height for image in images)), 255)
    x = 0
    for image in images:
        sheet.paste(image, (x, 0))
        x += image.width
    sheet.save(path)
    return path


def test_scan_names_each_file(twin: str, tmp_path: Path) -> None:
    good = qr_png(tmp_path / "good.png", JPQR_SAMPLE)
    bad = qr_png(tmp_path / "bad.png", WRONG_INIT_CRC)
    done = run_jpqr(twin, "scan", str(good), str(bad))
    assert done.returncode == 1
    assert f"{good}: valid (profile jpqr" in done.stdout
    assert f"{bad}: INVALID" in done.stdout and "crc.mismatch" in done.stdout


def test_scan_json_and_several_codes_in_one_image(twin: str, tmp_path: Path) -> None:
    sheet = qr_png(tmp_path / "sheet.png", JPQR_SAMPLE, EMVCO_EXAMPLE)
    jpeg = tmp_path / "photo.jpg"
    qr_png(tmp_path / "one.png", JPQR_SAMPLE)
    Image.open(tmp_path / "one.png").convert("RGB").save(jpeg, quality=90)
    done = run_jpqr(twin, "scan", "--json", str(sheet), str(jpeg))
    assert done.returncode == 0, done.stdout
    records = json_lines(done.stdout)
    assert [r["index"] for r in records] == [0, 1, 2]
    assert [r["file"] for r in records] == [str(sheet), str(sheet), str(jpeg)]
    assert sorted(r["profile"] for r in records[:2]) == ["emvco", "jpqr"]
    assert all(r["valid"] for r in records)
    human = run_jpqr(twin, "scan", str(sheet))
    assert "(code 1 of 2)" in human.stdout and "(code 2 of 2)" in human.stdout


def test_scan_unreadable_files_are_input_errors_and_the_rest_is_scanned(
    twin: str, tmp_path: Path
) -> None:
    good = qr_png(tmp_path / "good.png", JPQR_SAMPLE)
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    blank = tmp_path / "blank.png"
    Image.new("L", (200, 200), 255).save(blank)
    done = run_jpqr(twin, "scan", str(text), str(blank), str(tmp_path / "gone.png"), str(good))
    assert done.returncode == 2
    assert f"{good}: valid" in done.stdout
    assert "not a PNG or JPEG image" in done.stderr
    assert "expected a QR code in the image, found none" in done.stderr
    assert "No such file" in done.stderr
    assert "Traceback" not in done.stderr


def test_scan_refuses_a_huge_image_unread(twin: str, tmp_path: Path) -> None:
    huge = tmp_path / "huge.png"
    Image.new("1", (8001, 8001), 1).save(huge)  # 64 million pixels and one; a few kB on disk
    done = run_jpqr(twin, "scan", str(huge))
    assert done.returncode == 2
    assert "pixels" in done.stderr and "8001x8001" in done.stderr


def test_scan_without_the_extra_says_how_to_install_it(twin: str, tmp_path: Path) -> None:
    blocker = tmp_path / "blocked"
    blocker.mkdir()
    (blocker / "zxingcpp.py").write_text("raise ImportError('blocked for the test')\n")
    good = qr_png(tmp_path / "good.png", JPQR_SAMPLE)
    done = run_jpqr(twin, "scan", str(good), env=twin_env(twin, PYTHONPATH=str(blocker)))
    assert done.returncode == 2
    assert 'pip install "jpqr[scan]"' in done.stderr


# --- completion ---------------------------------------------------------------------------------


def completion(twin: str, shell: str, tmp_path: Path) -> Path:
    done = run_jpqr(twin, "completion", shell)
    assert done.returncode == 0
    path = tmp_path / f"jpqr.{shell}"
    path.write_text(done.stdout)
    return path


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_parse(twin: str, shell: str, tmp_path: Path) -> None:
    path = completion(twin, shell, tmp_path)
    for name in ("validate", "decode", "scan", "tags", "--profile", "--color"):
        assert name.lstrip("-") in path.read_text()
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    done = subprocess.run([shell, "-n", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def bash_complete(script: Path, *words: str) -> list[str]:
    line = " ".join(f"'{w}'" for w in words)
    program = (
        f"source {script}; COMP_WORDS=(jpqr {line}); COMP_CWORD={len(words)}; _jpqr; "
        'printf "%s\\n" "${COMPREPLY[@]}"'
    )
    done = subprocess.run(["bash", "-c", program], capture_output=True, text=True, check=True)
    return done.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_commands_options_and_choices(twin: str, tmp_path: Path) -> None:
    script = completion(twin, "bash", tmp_path)
    assert bash_complete(script, "va") == ["validate"]
    # Every registered profile (jpqr.profiles.PROFILES), in whatever order the shell gives them.
    assert sorted(bash_complete(script, "validate", "--profile", "")) == sorted(["auto", *PROFILES])
    assert "--lenient" in bash_complete(script, "decode", "--le")
    assert bash_complete(script, "completion", "f") == ["fish"]
    assert bash_complete(script, "--color", "n") == ["never"]
    (tmp_path / "codes.txt").write_text(JPQR_SAMPLE)
    assert bash_complete(script, "validate", "-f", str(tmp_path / "co")) == [
        str(tmp_path / "codes.txt")
    ]


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completes_commands_and_choices(twin: str, tmp_path: Path) -> None:
    script = completion(twin, "fish", tmp_path)

    def complete(line: str) -> list[str]:
        program = f"source {script}; complete -C '{line}'"
        done = subprocess.run(["fish", "-c", program], capture_output=True, text=True, check=True)
        return [row.split("\t")[0] for row in done.stdout.splitlines()]

    assert complete("jpqr va") == ["validate"]
    assert sorted(complete("jpqr tags --profile ")) == sorted(PROFILES)


# --- Ctrl-C -------------------------------------------------------------------------------------

# Sends SIGINT to itself while jpqr.cli loads its modules (the startup imports), as a user's Ctrl-C
# would, then runs the command line as the `jpqr` script does.
INTERRUPT_DURING_IMPORT = """
import os, signal, sys
sys.argv[0], sys.orig_argv = {argv0!r}, {orig_argv!r}

class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == {module!r}:
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, Interrupt())
from jpqr.cli import main
sys.exit(main(["validate", "0002010102116304AD0A"]))
"""


@pytest.mark.parametrize(
    "module", ["jpqr._kernels", "jpqr.dataobject", "argparse", "jpqr.cli.validate", "jpqr.cli.scan"]
)
@pytest.mark.parametrize(
    ("argv0", "orig_argv"),
    [("/usr/bin/jpqr", ["python3", "/usr/bin/jpqr"]), ("-m", ["python3", "-m", "jpqr"])],
    ids=["script", "python-m"],
)
def test_ctrl_c_during_startup_imports_exits_130_quietly(
    twin: str, module: str, argv0: str, orig_argv: list[str]
) -> None:
    program = INTERRUPT_DURING_IMPORT.format(module=module, argv0=argv0, orig_argv=orig_argv)
    exits_130_quietly(twin, program)


def exits_130_quietly(twin: str, program: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        env=twin_env(twin),
        check=False,
    )
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr and "KeyboardInterrupt" not in done.stderr


# The same, with Ctrl-C landing while the signal module itself loads (it is slow to load: its
# enums), which the handler's own installation used to do before the handler was in place.
INTERRUPT_DURING_SIGNAL_IMPORT = """
import os, sys
sys.argv[0], sys.orig_argv = "/usr/bin/jpqr", ["python3", "/usr/bin/jpqr"]

class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == "signal":
            os.kill(os.getpid(), 2)  # SIGINT, without importing signal first
        return None

sys.meta_path.insert(0, Interrupt())
from jpqr.cli import main
sys.exit(main(["validate", "0002010102116304AD0A"]))
"""


def test_ctrl_c_while_the_signal_module_loads_exits_130_quietly(twin: str) -> None:
    exits_130_quietly(twin, INTERRUPT_DURING_SIGNAL_IMPORT)


@pytest.mark.parametrize("entry", ["script", "module"])
def test_ctrl_c_while_reading_exits_130_quietly(twin: str, entry: str) -> None:
    script = Path(sys.executable).with_name("jpqr")
    command = [str(script)] if entry == "script" else [sys.executable, "-m", "jpqr"]
    process = subprocess.Popen(
        [*command, "validate", "--file", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=twin_env(twin),
    )
    assert process.stdin is not None
    process.stdin.write(f"{JPQR_SAMPLE}\n".encode())
    process.stdin.flush()
    time.sleep(1.5)  # started, one payload read, waiting for the next line
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert b"Traceback" not in err and b"KeyboardInterrupt" not in err
    assert out.startswith(b"line 1: valid")  # what was done before Ctrl-C is still written


def test_a_program_importing_the_cli_keeps_its_own_sigint_handling(twin: str) -> None:
    program = (
        "import signal, jpqr.cli; "
        "print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        env=twin_env(twin),
        check=False,
    )
    assert done.stdout == "True\n"


# --- bounded memory on any input ----------------------------------------------------------------

# Runs a command with stdin from a file and prints the most memory it held (KiB, Linux).
PEAK_RSS = """
import resource, subprocess, sys
with open(sys.argv[1], "rb") as stdin:
    subprocess.run(sys.argv[2:], stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_rss_kib(twin: str, stdin: Path, *args: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, str(stdin), sys.executable, "-m", "jpqr", *args],
        capture_output=True,
        text=True,
        env=twin_env(twin),
        check=True,
    )
    return int(done.stdout)


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "--file", "-"],
        ["decode", "--file", "-"],
        ["decode", "-"],
        ["crc", "-"],
        ["render", "-", "-o", "-", "--no-check"],
        ["build", "-"],
    ],
    ids=["validate", "decode-file", "decode", "crc", "render", "build"],
)
def test_a_huge_line_on_stdin_takes_no_more_memory_than_a_short_one(
    twin: str, tmp_path: Path, args: list[str]
) -> None:
    small = tmp_path / "small.txt"
    small.write_bytes(b"0" * 1000)
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as stream:  # 48 MiB on one line, no newline
        for _ in range(48):
            stream.write(b"0" * (1 << 20))
    baseline = peak_rss_kib(twin, small, *args)
    peak = peak_rss_kib(twin, huge, *args)
    assert peak - baseline < 8 * 1024, (baseline, peak)  # KiB: a whole read would be 48 MiB+
