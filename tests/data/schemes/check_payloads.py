"""Recompute the ``crc`` and ``tlv`` facts of every ``<scheme>.jsonl`` line here.

This is an independent reading of each payload, written apart from jpqr (it imports
nothing from it), so that tests can hold jpqr to facts it did not produce.

- ``crc``: ``ok`` (``6304`` + 4 upper-case hex digits, equal to CRC-16/CCITT-FALSE of the
  UTF-8 bytes of everything up to and including ``6304``), ``lowercase`` (right value in
  lower case), ``mismatch`` (``6304`` + 4 other characters, hex or not), ``decimal``
  (eL-QR's ``6305`` + 5 decimal digits: only the shape is checked, the algorithm is
  unsourced), ``missing`` (none of these at the end).
- ``tlv``: ``ok`` when the string reads as ID (2 digits), length (2 digits, 01-99,
  counted in characters), value, to its end, and so does the value of each template
  (26-51, 62, 64, 80-99); else ``error``.

Usage: ``python check_payloads.py`` checks and exits 1 on a difference;
``python check_payloads.py --write`` rewrites the two fields in place.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE_IDS = frozenset(range(26, 52)) | {62, 64} | frozenset(range(80, 100))
DEC5 = re.compile(r"[0-9]{5}")


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, xorout 0.

    >>> hex(crc16_ccitt_false(b"123456789"))
    '0x29b1'
    """
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def crc_fact(payload: str) -> str:
    """Classify the CRC at the end of ``payload``.

    >>> crc_fact("00020101021129370016A000000677010111011300668012345675802TH530376463046197")
    'ok'
    >>> crc_fact("00020101021129370016A000000677010111011300668012345675802TH5303764630461b7")
    'mismatch'
    >>> crc_fact("0002010102126304" + "43d8"), crc_fact("000201010212")
    ('lowercase', 'missing')
    >>> crc_fact("000201" + "6305" + "01234")
    'decimal'
    """
    tail = payload[-9:]
    if len(payload) >= 9 and tail.startswith("6305") and DEC5.fullmatch(tail[4:]):
        return "decimal"
    if len(payload) < 8 or payload[-8:-4] != "6304":
        return "missing"
    expected = f"{crc16_ccitt_false(payload[:-4].encode('utf-8')):04X}"
    found = payload[-4:]
    if found == expected:
        return "ok"
    if found.upper() == expected:
        return "lowercase"
    return "mismatch"


def reads_as_tlv(text: str, nested: bool) -> bool:
    """True when ``text`` is a sequence of ID/length/value objects to its end.

    >>> reads_as_tlv("0002010102", nested=True)
    False
    """
    pos = 0
    while pos < len(text):
        head = text[pos : pos + 4]
        if len(head) < 4 or not head.isascii() or not head.isdigit():
            return False
        tag, length = int(head[:2]), int(head[2:])
        if length == 0 or pos + 4 + length > len(text):
            return False
        value = text[pos + 4 : pos + 4 + length]
        if nested and tag in TEMPLATE_IDS and not reads_as_tlv(value, nested=False):
            return False
        pos += 4 + length
    return True


def tlv_fact(payload: str) -> str:
    """``ok`` or ``error`` for the whole payload (templates read one level down)."""
    return "ok" if payload and reads_as_tlv(payload, nested=True) else "error"


def facts(entry: dict[str, str]) -> dict[str, str]:
    """The two computed fields of one ``<scheme>.jsonl`` line.

    >>> facts({"payload": "000201" + "6304" + "abcd"})
    {'crc': 'mismatch', 'tlv': 'ok'}
    """
    return {"crc": crc_fact(entry["payload"]), "tlv": tlv_fact(entry["payload"])}


def differences(write: bool = False) -> list[str]:
    """Where the stored ``crc``/``tlv`` fields differ from a fresh computation (and fix them if
    ``write``). The committed files are kept in step, so this is empty:

    >>> differences()
    []
    """
    found: list[str] = []
    for path in sorted(HERE.glob("*.jsonl")):
        out: list[str] = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            entry = json.loads(line)
            for key, value in facts(entry).items():
                if entry.get(key) != value:
                    found.append(f"{path.name}:{number}: {key} {entry.get(key)!r} -> {value!r}")
                entry[key] = value
            out.append(json.dumps(entry, ensure_ascii=False))
        if write:
            path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return found


def main(argv: list[str]) -> int:
    write = "--write" in argv
    found = differences(write)
    for message in found:
        print(message)
    return 1 if found and not write else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
