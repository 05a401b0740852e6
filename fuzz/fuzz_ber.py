"""Differential fuzzing of the BER-TLV layer and jpqr.cpm: ``_ber.decode``/``encode`` and
``to_bytes`` on the compiled twin against the pure one, and ``jpqr.cpm.validate``/``parse`` on
both twins.

The first input byte picks the shape: bits 0-2 as in ``_common.payload`` (bytes, bytearray,
memoryview plain, offset, strided, over 4-byte items; the str shapes reach the Base64 layer),
bit 6 a hostile object around the bytes (``tests/hostile.py``). Both twins must give the same
result or the same error; only JPQRError (TypeError for what is not bytes) may come out; what
decodes re-encodes to the same bytes; ``cpm.validate`` of its Base64 never raises and is alike
on both twins; and no report names the PAN of the seed codes unmasked.
"""

from __future__ import annotations

import array
import base64
import json

from _common import HOSTILE_SHAPES, ROOT, fail, outcome, run

from jpqr import _ber_py, _kernels, cpm

_ber = __import__("jpqr._ber", fromlist=["decode"])  # the compiled twin (_common checks it)
SAMPLES = ROOT / "tests" / "data" / "cpm" / "published.jsonl"
# The PANs the seed codes carry: a mutation keeps them, a report must not show them.
SECRETS = ("1234567890123458", "6263600100713672", "6292610358444335641")


def shaped(data: bytes) -> object:
    if not data:
        return b""
    flags, body = data[0], data[1:]
    shape = flags & 7
    if flags & 0x40:
        bytes_like = [e for e in HOSTILE_SHAPES if "str" not in e[0]]
        return bytes_like[(shape | (flags >> 7) << 3) % len(bytes_like)][1](body.decode("latin-1"))
    if shape == 1:
        return bytearray(body)
    if shape == 2:
        return memoryview(body)
    if shape == 3:
        return memoryview(b"x" + body)[1:]
    if shape == 4:
        return memoryview(body + body)[::2]
    if shape == 5 and len(body) % 4 == 0:
        return memoryview(array.array("I", body))
    if shape == 6:
        return body.decode("latin-1")  # text: BER refuses it, cpm reads it as Base64
    return body


def same(name: str, value: object) -> tuple[object, ...]:
    expected = outcome(getattr(_ber_py, name), value)
    got = outcome(getattr(_ber, name), value)
    if got != expected or repr(got) != repr(expected):
        fail(f"{name}: the twins disagree", value, ("python", expected), ("cython", got))
    if expected[0] == "raised" and expected[1] != "TypeError":
        fail(f"{name}: not a JPQRError", value, expected)
    return expected


def test_one(data: bytes) -> None:
    value = shaped(data)
    same("to_bytes", value)
    decoded = same("decode", value)
    if decoded[0] == "ok":
        encoded = same("encode", decoded[1])
        raw = outcome(_ber_py.to_bytes, value)
        if encoded != ("ok", raw[1]):
            fail("encode(decode(b)) is not b", value, encoded, raw)
    text = base64.b64encode(bytes(data[1:])).decode() if not isinstance(value, str) else value
    said = []  # what the reports and errors say (not report.payload: the caller's own text)
    for twin in ("python", "cython"):
        _kernels.use(twin)
        report = outcome(cpm.validate, text)
        if report[0] != "ok":
            fail(f"cpm.validate raised on {twin}", text, report)
        parsed = outcome(cpm.parse, text)
        said += [repr(report[1].to_dict()), repr(parsed[1:] if parsed[0] != "ok" else parsed)]
    _kernels.use("cython")
    if said[:2] != said[2:]:
        fail("cpm: the twins disagree", text, *said)
    for secret in SECRETS:
        if secret in said[0] or (said[1].startswith("('jpqr'") and secret in said[1]):
            fail("a PAN shown unmasked", text, secret)


def seeds() -> list[bytes]:
    """Each CPM sample's BER bytes, in each shape."""
    items = []
    with open(SAMPLES, encoding="utf-8") as lines:
        for line in lines:
            raw = base64.b64decode(json.loads(line)["payload"])
            items += [bytes([shape]) + raw for shape in range(8)]
            items += [bytes([0x40 | shape]) + raw for shape in range(4)]
    return items


if __name__ == "__main__":
    run(test_one, seeds)
