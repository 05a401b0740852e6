"""Check many payloads per call: structure and CRC verdict as numpy arrays (extra ``batch``).

For payment back ends that check codes at volume. Each payload gets exactly what
:func:`jpqr._tlv_py.check` says of it, as numbers: a verdict code, an index into
:data:`VERDICTS` (``"ok"``, ``"lowercase"``, ``"mismatch"``, ``"missing"``: the CRC verdicts, or
``"invalid"`` where :func:`jpqr.decode` would raise), and the CRC the payload should carry (over
its text up to and including a trailing ``6304``), or -1 where the text does not end in ``6304``
and four characters or is not text at all.

Input: a sequence of ``str``/``bytes`` (read where they lie, no copy into an array first), or a
one-dimensional numpy array of ``bytes`` (dtype ``S``: fixed-width, NUL-padded), which the compiled
twin checks with the GIL released, on ``threads`` threads if asked. Items of any other type raise
``TypeError``, as :func:`jpqr.decode` does.

>>> import numpy as np
>>> from jpqr import batch
>>> result = batch.check(["0002010102116304AD0A", "0002010102116304ad0a", b"000201", "0002"])
>>> result.verdicts.tolist(), result.names()
([0, 1, 3, 4], ['ok', 'lowercase', 'missing', 'invalid'])
>>> [f"{crc:04X}" if crc >= 0 else None for crc in result.crcs.tolist()]
['AD0A', 'AD0A', None, None]
>>> batch.check(np.array([b"0002010102116304AD0A", b"x"])).ok.tolist()
[True, False]
"""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType
from typing import TYPE_CHECKING, NamedTuple

from . import _kernels
from ._tlv_py import VERDICTS

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["VERDICTS", "BatchResult", "check"]

Payload = str | bytes | bytearray | memoryview


class BatchResult(NamedTuple):
    """``verdicts`` (uint8, indices into :data:`VERDICTS`) and ``crcs`` (int32, -1 for none)."""

    verdicts: npt.NDArray[np.uint8]
    crcs: npt.NDArray[np.int32]

    @property
    def ok(self) -> npt.NDArray[np.bool_]:
        """Where the payload decodes and carries the right upper-case CRC."""
        ok: npt.NDArray[np.bool_] = self.verdicts == 0
        return ok

    def names(self) -> list[str]:
        """The verdicts as their names."""
        return [VERDICTS[code] for code in self.verdicts.tolist()]


def check(payloads: Iterable[Payload] | npt.NDArray[np.bytes_], *, threads: int = 1) -> BatchResult:
    """Check every payload: structure as :func:`jpqr.decode` reads it, then the CRC.

    ``threads`` splits a numpy ``S`` array between that many threads (the compiled loop runs
    without the GIL); it does not change the result.

    >>> check([]).verdicts.shape
    (0,)
    """
    np = _numpy()

    # type(), not isinstance(): isinstance() believes a __class__ that lies
    if issubclass(type(payloads), (str, bytes, bytearray, memoryview)):
        # one payload is not a sequence of them: checking each character is never what is meant
        raise TypeError(
            f"batch.check() takes a sequence of payloads, found one {type(payloads).__name__}; "
            "wrap a single payload in a list"
        )
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    # issubclass(type()) is what the object is; isinstance() only narrows the type for mypy
    if issubclass(type(payloads), np.ndarray) and isinstance(payloads, np.ndarray):
        if payloads.ndim != 1:
            raise ValueError(f"expected a one-dimensional array, found {payloads.ndim} dimensions")
        if payloads.dtype.kind == "S":
            return _check_rows(np.ascontiguousarray(payloads), threads)
        payloads = payloads.tolist()
    # A snapshot, taken once: a list that changes while it is checked (a callback, another
    # thread) cannot leave a result unwritten (np.empty) or one index short; the kernels
    # check the size again and write every index of it or raise.
    items = tuple(payloads)
    verdicts = np.empty(len(items), np.uint8)
    crcs = np.empty(len(items), np.int32)
    _kernels.check_many(items, verdicts, crcs)
    return BatchResult(verdicts, crcs)


def _numpy() -> ModuleType:
    try:
        import numpy
    except ImportError:
        raise ImportError("jpqr.batch needs numpy: pip install 'jpqr[batch]'") from None
    return numpy


# Rows per piece of work when several threads share an array: small enough that a thread the
# OS schedules late (the other core busy) leaves its share to the others, large enough that
# the Python-level hand-out (~1 µs) stays ~1 ns per row.
_CHUNK = 1024


def _check_rows(rows: npt.NDArray[np.bytes_], threads: int) -> BatchResult:
    np = _numpy()

    count = len(rows)
    width = rows.dtype.itemsize
    verdicts = np.empty(count, np.uint8)
    crcs = np.empty(count, np.int32)
    flat = rows.view(np.uint8).reshape(count * width).data
    kernel = _kernels.check_rows
    # No more threads than chunks: one without a chunk would only cost its start (~0.6 ms).
    threads = min(threads, -(-count // _CHUNK))
    if threads == 1 or count < 2 * _CHUNK:
        kernel(flat, width, verdicts, crcs)
        return BatchResult(verdicts, crcs)
    import itertools
    import threading

    # Every thread takes the next chunk until none is left (next() on a count is atomic under
    # the GIL; the kernel runs without it). A fixed split would make the whole call wait for
    # the slowest thread, slower than one thread when another process holds the second core.
    chunks = itertools.count()
    failures: list[BaseException] = []

    def work() -> None:
        try:
            while (start := next(chunks) * _CHUNK) < count:
                stop = min(start + _CHUNK, count)
                part = flat[start * width : stop * width]
                kernel(part, width, verdicts[start:stop], crcs[start:stop])
        except BaseException as exc:  # pragma: no cover - kernels raise only on bad arguments
            failures.append(exc)

    workers = [threading.Thread(target=work) for _ in range(1, threads)]
    for worker in workers:
        worker.start()
    work()  # the caller's thread works too
    for worker in workers:
        worker.join()
    if failures:
        raise failures[0]
    return BatchResult(verdicts, crcs)
