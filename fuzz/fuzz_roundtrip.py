"""Encode/decode round trips on both twins.

Two directions: (1) a tree of data objects made from the fuzz bytes (IDs, values of every PEP 393
kind, nested templates, now and then a bad ID, a non-str value or a value over 99 characters) is
encoded by both twins, which must agree (text, or the same EncodeError); the text must decode
back to a tree that encodes to the same text, and its CRC must be "ok" (EMVCo §4.7.3).
(2) any payload that decodes must encode back to itself: ``encode(decode(s), crc=False) == s``.
"""

from __future__ import annotations

from typing import Any

import atheris
from _common import CYTHON, ODD, PYTHON, fail, outcome, payload, payload_seeds, run

from jpqr.dataobject import DataObject

TEMPLATE_IDS = ["26", "29", "51", "62", "64", "80", "99", "50"]


def text(fdp: atheris.FuzzedDataProvider, size: int) -> str:
    chars = []
    for _ in range(size):
        pick = fdp.ConsumeIntInRange(0, 9)
        chars.append(ODD[fdp.ConsumeIntInRange(0, len(ODD) - 1)] if pick == 0 else
                     chr(fdp.ConsumeIntInRange(0x20, 0x7E)))  # fmt: skip
    return "".join(chars)


def tree(fdp: atheris.FuzzedDataProvider, depth: int) -> list[Any]:
    objects: list[Any] = []
    for _ in range(fdp.ConsumeIntInRange(0, 5)):
        kind = fdp.ConsumeIntInRange(0, 31)
        if kind < 20:
            id = f"{fdp.ConsumeIntInRange(0, 99):02d}"
        elif kind < 28:
            id = TEMPLATE_IDS[fdp.ConsumeIntInRange(0, len(TEMPLATE_IDS) - 1)]
        else:
            id = fdp.PickValueInList(["1", "100", "²²", "ab", 7, None, "٣٣"])
        if kind >= 20 and depth < 2:
            objects.append(DataObject(id, "", tuple(tree(fdp, depth + 1))))
        elif kind == 31:
            objects.append(fdp.PickValueInList([DataObject(id, 12), ("00", "01"), "0002"]))  # type: ignore[arg-type]
        else:
            objects.append(DataObject(id, text(fdp, fdp.ConsumeIntInRange(0, 101))))
    return objects


def test_one(data: bytes) -> None:
    encode_py, encode_c = PYTHON[1].encode, CYTHON[1].encode
    if data[:1] == b"P":  # direction (2): a payload
        value = payload(data[1:])
        decoded = outcome(PYTHON[1].decode, value)
        if decoded[0] == "ok":
            original = PYTHON[1].to_text(value)
            for encode in (encode_py, encode_c):
                again = outcome(encode, decoded[1], crc=False)
                if again != ("ok", original):
                    fail("encode(decode(s)) is not s", value, again)
        return
    fdp = atheris.FuzzedDataProvider(data)
    crc = fdp.ConsumeBool()
    objects = tree(fdp, 0)
    expected = outcome(encode_py, objects, crc=crc)
    got = outcome(encode_c, objects, crc=crc)
    if got != expected:
        fail("encode: the twins disagree", objects, expected, got)
    if expected[0] == "raised":
        fail("encode raised a non-jpqr error", objects, expected)
    if expected[0] != "ok":
        return
    encoded = expected[1]
    for decode, encode in ((PYTHON[1].decode, encode_py), (CYTHON[1].decode, encode_c)):
        back = outcome(decode, encoded)
        if back[0] != "ok":
            if len(encoded) > 4096:  # over MAX_INPUT_LENGTH: refused, by design
                continue
            fail("an encoded tree does not decode", objects, encoded, back)
        if outcome(encode, back[1], crc=False) != ("ok", encoded):
            fail("decode(encode(tree)) does not encode to the same text", objects, encoded)
    has_crc = crc and "63" not in {o.id for o in objects if isinstance(o, DataObject)}
    verdicts = {PYTHON[0].crc_verdict(encoded), CYTHON[0].crc_verdict(encoded)}
    if has_crc and verdicts != {"ok"}:
        fail("encode(crc=True) wrote a CRC that is not ok", objects, encoded)


def seeds() -> list[bytes]:
    return [b"P" + item for item in payload_seeds()] + [
        bytes(range(n, 256)) for n in range(0, 256, 8)
    ]


if __name__ == "__main__":
    run(test_one, seeds)
