"""``jpqr.batch.check`` against ``check_code`` item by item, on both twins: a list of payloads of
mixed shapes, and the same payloads as a numpy ``S`` array (NUL-padded rows, checked without the
GIL, on 1 or 2 threads). The batch must say of each item what check_code says of it alone.
"""

from __future__ import annotations

import numpy as np
from _common import PYTHON, fail, outcome, payload, payload_seeds, plain_bytes, run

from jpqr import _kernels, batch

SEPARATOR = b"\xf5\xf5"  # never in UTF-8, so seeds can carry several payloads


def test_one(data: bytes) -> None:
    items = [payload(part) for part in data.split(SEPARATOR)[:16]]
    threads = 2 if data[:1] and data[0] & 0x80 else 1
    expected = [PYTHON[1].check_code(item) for item in items]
    rows = [
        plain_bytes(item)  # what the item holds, never its own __bytes__ or encode
        for item in items
    ]
    # numpy drops trailing NULs of S items, so a row is what check_code says of it without them
    array = np.array(rows, dtype=f"S{max((len(r) for r in rows), default=1) or 1}")
    expected_rows = [PYTHON[1].check_code(row.rstrip(b"\0")) for row in rows]
    for twin in ("python", "cython"):
        _kernels.use(twin)
        result = outcome(batch.check, items, threads=threads)
        if result[0] != "ok":
            fail(f"batch.check raised on {twin}", items, result)
        got = list(zip(result[1].verdicts.tolist(), result[1].crcs.tolist(), strict=True))
        if got != expected:
            fail(f"batch.check is not check_code per item on {twin}", items, got, expected)
        result = outcome(batch.check, array, threads=threads)
        if result[0] != "ok":
            fail(f"batch.check of an S array raised on {twin}", array, result)
        got = list(zip(result[1].verdicts.tolist(), result[1].crcs.tolist(), strict=True))
        if got != expected_rows:
            fail(
                f"batch.check of an S array is not check_code per row on {twin}",
                array,
                got,
                expected_rows,
            )
    _kernels.use("cython")


def seeds() -> list[bytes]:
    singles = payload_seeds()
    return [SEPARATOR.join(singles[i : i + 5]) for i in range(0, len(singles), 5)]


if __name__ == "__main__":
    run(test_one, seeds)
