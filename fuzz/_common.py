"""What the harnesses share: turning fuzz bytes into payloads of every accepted shape, the CRC path
to run, and a normalised outcome (result, or the error's class, code, message, offset, path) to
hold the two twins to.

Not part of jpqr and not run by the test suite: see fuzz/README.md.
"""

from __future__ import annotations

import array
import binascii
import json
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The lazy layers, loaded now so that atheris.instrument_all() sees them too.
import jpqr.api
import jpqr.batch
import jpqr.builder
import jpqr.model  # noqa: F401
from jpqr import _crc_py, _kernels, _tlv_py
from jpqr.errors import JPQRError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.hostile import HOSTILE  # noqa: E402  (the objects of tests/test_hostile_objects.py)

PUBLISHED = ROOT / "tests" / "data" / "published.jsonl"

PYTHON = (_crc_py, _tlv_py)
if "cython" not in _kernels.available():
    sys.exit("fuzz: the compiled twin is not built (or JPQR_NO_EXTENSIONS is set); nothing to diff")
from jpqr import _crc, _tlv  # noqa: E402

CYTHON = (_crc, _tlv)

# Code points that stress the compiled twin: each PEP 393 kind, lone surrogates (which only
# "surrogatepass" encodes), the BOM, digits and hex letters that are not ASCII, characters whose
# upper case is ASCII (dotless i, long s, the ff ligature), the line ends str.splitlines knows.
ODD = [
    "\x80", "\xa0", "\xe9", "\xff", "\u0100", "\u0131", "\u017f", "\u0660", "\u00b2", "\u2028",
    "\x85", "\ufeff", "\ufb00", "\uff21", "\uff10", "\ud800", "\udbff", "\udc00", "\udfff",
    "\uffff", "\U00010000", "\U0001f600", "\U0010ffff", "北", "最", "ａ", "\x00", "\r", "\n", " ",
]  # fmt: skip

SHAPES = 8  # the low 3 bits of the first byte pick one


def use_crc_path() -> str:
    """Switch both extensions to the CRC path in $JPQR_CRC_PATH (default: the CPU's best)."""
    path = os.environ.get("JPQR_CRC_PATH")
    if path:
        _crc._use_path(path)  # ValueError where this CPU lacks it
    return str(_crc.CRC_PATH)


def _odd_text(data: bytes) -> str:
    """ASCII stays; every other byte becomes one of the ODD code points."""
    return "".join(chr(b) if b < 0x80 else ODD[b % len(ODD)] for b in data)


def _fix_crc(text: str, flags: int) -> str:
    """Make fuzzed text carry a right CRC now and then (else "ok" is never reached): bit 3 puts
    the right CRC over the last 4 characters after a 6304, bit 4 appends 6304 and the CRC,
    bit 5 writes it in lower case."""
    if flags & 0x10:
        text += "6304????"
    if flags & 0x08 and len(text) >= 8 and text[-8:-4] == "6304":
        crc = binascii.crc_hqx(text[:-4].encode("utf-8", "surrogatepass"), 0xFFFF)
        digits = f"{crc:04X}"
        text = text[:-4] + (digits.lower() if flags & 0x20 else digits)
    return text


# The hostile objects with a plain content (tests/hostile.py): subclasses of str, bytes and
# bytearray whose __len__, __bytes__, __str__, __getitem__, encode, __hash__ lie or raise,
# numpy.str_/bytes_, strided, wide, 2-D and Fortran-ordered memoryviews.
HOSTILE_SHAPES = [entry for entry in HOSTILE if entry[2] is not None]


def payload(data: bytes) -> Any:
    """A payload of one of the accepted types (str of each kind, bytes, bytearray, memoryview of
    several layouts) from fuzz bytes: the first byte says which and how, the rest is content.

    With bit 6 set and shape 0-6 (bit 6 is used by shape 7 only), the text is wrapped in one of
    the hostile objects instead (shape and bit 7 pick which): the twins must agree on it, and
    the kernels' own checks (to_text, crc_hqx of its plain bytes) must hold for it too."""
    if not data:
        return ""
    flags, body = data[0], data[1:]
    shape = flags & 7
    if shape != 7 and flags & 0x40:
        make = HOSTILE_SHAPES[(shape | (flags >> 7) << 3) % len(HOSTILE_SHAPES)][1]
        return make(_fix_crc(_odd_text(body), flags))
    if shape == 0:
        return _fix_crc(body.decode("latin-1"), flags).encode("latin-1")  # raw bytes, any
    if shape == 1:
        return _fix_crc(body.decode("utf-8", "surrogateescape"), flags)  # lone surrogates
    if shape == 2:
        return _fix_crc(body.decode("latin-1"), flags)  # kind 1, not ASCII
    if shape == 3:
        return _fix_crc(_odd_text(body), flags)  # kind 1, 2 or 4
    text = _fix_crc(_odd_text(body), flags)
    raw = text.encode("utf-8", "surrogatepass")
    if shape == 4:
        return raw
    if shape == 5:
        return bytearray(raw)
    if shape == 6:
        return memoryview(raw)
    # shape 7: a view over wider items or a strided one, by the top bits
    if flags & 0x80 and len(raw) % 4 == 0:
        return memoryview(array.array("I", raw))
    if flags & 0x40:
        return memoryview(raw + raw)[::2]  # not contiguous
    return memoryview(raw)[1:] if raw else memoryview(raw)


def outcome(function: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, ...]:
    """("ok", result) or the error as plain data: for a JPQRError its class, code, message,
    offset and path; for anything else ("raised", class name, message)."""
    try:
        return ("ok", function(*args, **kwargs))
    except JPQRError as exc:
        return ("jpqr", type(exc).__name__, exc.code, exc.message, exc.offset, exc.path)
    except Exception as exc:
        return ("raised", type(exc).__name__, str(exc))


def accepted_type(value: Any) -> bool:
    return issubclass(type(value), (str, bytes, bytearray, memoryview))


def plain_bytes(value: Any) -> bytes:
    """What an accepted payload holds, as bytes, read the way jpqr reads it (its characters or
    its buffer), never through its own methods: the oracle for hostile objects."""
    if issubclass(type(value), str):
        return str.encode(value, "utf-8", "surrogatepass")
    with memoryview(value) as view:
        return view.tobytes()


def fail(what: str, value: Any, *details: Any) -> None:
    """Stop the fuzzer with everything needed to turn the input into a regression test."""
    shown = repr(value) if type(value) in (str, bytes, bytearray, memoryview) else type(value)
    lines = [f"FUZZ FAILURE: {what}", f"  input: {shown!r}"]
    if isinstance(value, memoryview):
        lines.append(f"  memoryview format={value.format!r} bytes={value.tobytes()!r}")
    if type(value) not in (str, bytes, bytearray, memoryview):
        lines.append(f"  a {type(value).__name__} holding {plain_bytes(value)!r}")
    lines += [f"  {detail!r}" for detail in details]
    raise AssertionError("\n".join(lines))


def seeds() -> list[str]:
    """The published payloads (tests/data/published.jsonl)."""
    with open(PUBLISHED, encoding="utf-8") as lines:
        return [json.loads(line)["payload"] for line in lines if line.strip()]


def write_corpus(directory: Path, items: list[bytes]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for index, item in enumerate(items):
        (directory / f"seed-{index:04d}").write_bytes(item)


def payload_seeds() -> list[bytes]:
    """Each published payload in several shapes (first byte: see payload())."""
    items = []
    for text in seeds():
        raw = text.encode("utf-8", "surrogatepass")
        # bytes, str (surrogateescape), ASCII/odd str, bytes via odd text, right CRC re-fixed
        items += [b"\x00" + raw, b"\x01" + raw, b"\x0b" + raw, b"\x0c" + raw, b"\x0f" + raw]
        # wrapped in each hostile object (bit 6; shape and bit 7 pick which)
        items += [bytes([0x48 | shape | top]) + raw for shape in range(7) for top in (0, 0x80)]
    return items


def run(test_one: Callable[[bytes], None], seed_items: Callable[[], list[bytes]]) -> None:
    """The harness's main: ``--seed DIR`` writes the seed corpus; ``--replay FILE...`` runs inputs
    once without atheris (for sanitizers and debugging); otherwise atheris/libFuzzer, whose
    arguments (corpus directories, -max_total_time=…, -runs=…) pass through."""
    if len(sys.argv) >= 3 and sys.argv[1] == "--seed":
        write_corpus(Path(sys.argv[2]), seed_items())
        print(f"wrote {len(seed_items())} seeds to {sys.argv[2]}")
        return
    print(f"jpqr fuzz: CRC path {use_crc_path()}", file=sys.stderr)
    if len(sys.argv) >= 4 and sys.argv[1] == "--mutate":
        mutate(test_one, float(sys.argv[2]), [Path(p) for p in sys.argv[3:]])
        return
    if len(sys.argv) >= 2 and sys.argv[1] == "--replay":
        paths = [Path(p) for p in sys.argv[2:]]
        files = [f for p in paths for f in (sorted(p.iterdir()) if p.is_dir() else [p])]
        for file in files:
            test_one(file.read_bytes())
        print(f"replayed {len(files)} inputs", file=sys.stderr)
        return
    import atheris

    atheris.instrument_all()  # coverage of the pure twin (and the layers above) guides libFuzzer
    atheris.Setup(sys.argv, test_one)
    atheris.Fuzz()


def _mutant(rng: random.Random, item: bytes, pool: list[bytes]) -> bytes:
    data = bytearray(item)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        at = rng.randint(0, len(data))
        if op == 0 and data:  # flip a byte
            data[rng.randrange(len(data))] = rng.randrange(256)
        elif op == 1:  # insert bytes, often digits (headers) or a 6304
            pieces = [b"6304", b"00", b"99", b"0", b"\x80", bytes([rng.randrange(256)])]
            data[at:at] = rng.choice(pieces)
        elif op == 2 and data:  # delete a run
            del data[at : at + rng.randint(1, 8)]
        elif op == 3 and data:  # change a digit (lengths and IDs)
            i = rng.randrange(len(data))
            data[i] = 0x30 + rng.randrange(10)
        elif op == 4:  # splice another input in
            other = rng.choice(pool)
            data[at:at] = other[rng.randint(0, len(other)) :][: rng.randint(0, 64)]
        elif op == 5 and data:  # new shape byte
            data[0] = rng.randrange(256)
        elif op == 6 and data:  # repeat a chunk (long inputs: the SIMD CRC loops)
            chunk = data[at : at + rng.randint(1, 256)]
            data[at:at] = chunk * rng.randint(1, 16)
    return bytes(data[:8192])


def mutate(test_one: Callable[[bytes], None], seconds: float, paths: list[Path]) -> None:
    """Without atheris: mutate the corpus at random (seeded, so a run can be repeated with
    $FUZZ_SEED) for ``seconds``. For sanitizer builds, where libFuzzer's coverage is not there."""
    files = [f for p in paths for f in (sorted(p.iterdir()) if p.is_dir() else [p])]
    pool = [f.read_bytes() for f in files] or [b""]
    seed = int(os.environ.get("FUZZ_SEED", "0"))
    rng = random.Random(seed)
    for item in pool:
        test_one(item)
    runs, stop = len(pool), time.monotonic() + seconds
    while time.monotonic() < stop:
        for _ in range(200):
            data = _mutant(rng, rng.choice(pool), pool)
            try:
                test_one(data)
            except BaseException:
                crash = Path(os.environ.get("FUZZ_ARTIFACTS", ".")) / f"crash-{seed}-{runs}"
                crash.write_bytes(data)
                print(f"input written to {crash}", file=sys.stderr)
                raise
            runs += 1
    print(f"mutate: {runs} runs in {seconds:.0f} s, seed {seed}", file=sys.stderr)
