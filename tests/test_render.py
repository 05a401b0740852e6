"""``jpqr render`` and ``jpqr.render``: QR images that a real decoder (zxing-cpp) reads back as the
very payload, Japanese and Chinese text included, on both twins."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import zxingcpp  # the test extra
from PIL import Image

from .conftest import PUBLISHED
from .test_cli import JPQR_SAMPLE, WRONG_INIT_CRC, run_jpqr, twin, twin_env

__all__ = ["twin"]  # the fixture, shared with test_cli

SAMPLES = {
    "jpqr-japanese": JPQR_SAMPLE,  # 64-01 メルペイ カフェ
    "emvco-chinese": PUBLISHED[0]["payload"],  # 64 with 最佳运输 / 北京
    "promptpay-ascii": PUBLISHED[38]["payload"],
}


def read_qr(image: object) -> list[str]:
    """The texts of the QR codes zxing-cpp finds in ``image``."""
    return [found.text for found in zxingcpp.read_barcodes(image)]


@pytest.mark.parametrize("payload", SAMPLES.values(), ids=SAMPLES.keys())
def test_png_reads_back_as_the_payload(twin: str, tmp_path: Path, payload: str) -> None:
    out = tmp_path / "code.png"
    done = run_jpqr(twin, "render", payload, "-o", str(out), "--no-check")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    with Image.open(out) as image:
        assert image.format == "PNG"
        assert read_qr(image.convert("L")) == [payload]


def test_svg_is_an_svg_document(twin: str, tmp_path: Path) -> None:
    out = tmp_path / "code.svg"
    done = run_jpqr(twin, "render", JPQR_SAMPLE, "-o", str(out))
    assert done.returncode == 0, done.stderr
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg")
    assert float(root.attrib["width"]) > 0


def terminal_to_image(text: str) -> Image.Image:
    """Rebuild the image a terminal shows from half-block characters (two rows a line)."""
    halves = {" ": (0, 0), "▀": (1, 0), "▄": (0, 1), "█": (1, 1)}
    lines = [line for line in text.splitlines() if line.strip(" ")]
    width = max(len(line) for line in lines)
    scale = 8
    image = Image.new("L", (width * scale, len(lines) * 2 * scale), 0)
    for y, line in enumerate(lines):
        for x, ch in enumerate(line.ljust(width)):
            upper, lower = halves[ch]
            for row, on in ((2 * y, upper), (2 * y + 1, lower)):
                if on:
                    box = (x * scale, row * scale, (x + 1) * scale, (row + 1) * scale)
                    image.paste(255, box)
    # Padding so the quiet zone is wide enough whichever colour the blocks stand for.
    framed = Image.new("L", (image.width + 16 * scale, image.height + 16 * scale), 255)
    framed.paste(image, (8 * scale, 8 * scale))
    return framed


def test_terminal_reads_back_as_the_payload(twin: str) -> None:
    done = run_jpqr(twin, "render", JPQR_SAMPLE, "--terminal")
    assert done.returncode == 0, done.stderr
    assert set(done.stdout) <= set(" ▀▄█\n")
    image = terminal_to_image(done.stdout)
    found = read_qr(image) or read_qr(Image.eval(image, lambda v: 255 - v))
    assert found == [JPQR_SAMPLE]


def test_invalid_payload_is_not_rendered(twin: str, tmp_path: Path) -> None:
    out = tmp_path / "code.png"
    done = run_jpqr(twin, "render", WRONG_INIT_CRC, "-o", str(out))
    assert done.returncode == 1
    assert "crc.mismatch" in done.stderr and "--no-check" in done.stderr
    assert not out.exists()
    forced = run_jpqr(twin, "render", WRONG_INIT_CRC, "-o", str(out), "--no-check")
    assert forced.returncode == 0
    with Image.open(out) as image:
        assert read_qr(image.convert("L")) == [WRONG_INIT_CRC]


def test_payload_from_stdin(twin: str, tmp_path: Path) -> None:
    out = tmp_path / "code.png"
    done = run_jpqr(twin, "render", "-", "-o", str(out), input=JPQR_SAMPLE + "\r\n")
    assert done.returncode == 0, done.stderr
    with Image.open(out) as image:
        assert read_qr(image.convert("L")) == [JPQR_SAMPLE]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "code.gif"], ".svg or .png"),
        (["-o", "/nonexistent/dir/code.png"], "cannot write"),
        (["-o", "code.png", "--terminal"], "not allowed with"),
        (["-o", "code.png", "--scale", "0"], "--scale"),
    ],
)
def test_render_usage_errors_exit_2(twin: str, args: list[str], message: str) -> None:
    done = run_jpqr(twin, "render", JPQR_SAMPLE, *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_more_than_a_qr_code_holds_exits_1(twin: str, tmp_path: Path) -> None:
    # A version 40 QR code holds at most 2953 bytes (ISO/IEC 18004, byte mode, level L).
    out = tmp_path / "code.svg"
    done = run_jpqr(twin, "render", "a" * 3000, "-o", str(out), "--no-check")
    assert done.returncode == 1
    assert "too large" in done.stderr
    assert not out.exists()


def test_missing_qr_extra_exits_2(twin: str, tmp_path: Path) -> None:
    # A segno that cannot be imported, first on the path: as if the qr extra were not installed.
    (tmp_path / "segno.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'segno'\", name='segno')\n", encoding="utf-8"
    )
    path = os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    env = twin_env(twin, PYTHONPATH=path)
    out = tmp_path / "code.png"
    done = run_jpqr(twin, "render", JPQR_SAMPLE, "-o", str(out), env=env)
    assert done.returncode == 2
    assert 'python -m pip install "jpqr[qr]"' in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()
    # The other commands do not need the extra.
    assert run_jpqr(twin, "validate", JPQR_SAMPLE, env=env).returncode == 0


def test_library_save_refuses_other_formats(tmp_path: Path) -> None:
    from jpqr import render

    with pytest.raises(ValueError, match=r"\.svg or \.png"):
        render.save(JPQR_SAMPLE, tmp_path / "code.gif")
    render.save(JPQR_SAMPLE, tmp_path / "code.PNG", scale=4)
    with Image.open(tmp_path / "code.PNG") as image:
        assert read_qr(image.convert("L")) == [JPQR_SAMPLE]
