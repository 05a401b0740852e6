"""Hostile but legal Python objects, shared by tests/test_hostile_objects.py, the hypothesis
differential tests and the fuzz harnesses (fuzz/_common.py).

Each is a subclass of an accepted type (or an object pretending to be one) whose own methods
lie: ``__len__``, ``__bytes__``, ``__str__``, ``__getitem__``, ``__iter__``, ``encode``,
``__hash__``/``__eq__``, ``__format__``, ``__class__``. jpqr reads a ``str`` subclass as the
characters it holds and a bytes-like object through its buffer, so every one of them must give
exactly what its plain content gives (:func:`plain`), on both twins; an object that only pretends
(a lying ``__class__``) is the wrong type.
"""

from __future__ import annotations

import array
import enum
from collections.abc import Callable
from typing import Any

import numpy as np


class Boom(Exception):
    """Raised by the lying methods that raise: never expected out of jpqr."""


def _boom(*args: object, **kwargs: object) -> Any:
    raise Boom("a user method was called")


# --- bytes and bytearray subclasses -------------------------------------------------------------


class ShortLenBytes(bytes):
    def __len__(self) -> int:
        return 10


class LongLenBytes(bytes):
    def __len__(self) -> int:
        return 1 << 40


class OtherBytes(bytes):
    def __bytes__(self) -> bytes:
        return b"000201" * 3000


class RaisingBytes(bytes):
    __bytes__ = __len__ = __getitem__ = __iter__ = __str__ = __repr__ = __hash__ = _boom
    __eq__ = __format__ = decode = _boom


class ShortLenBytearray(bytearray):
    def __len__(self) -> int:
        return 10


class OtherBytearray(bytearray):
    def __bytes__(self) -> bytes:
        return b"000201" * 3000

    def __getitem__(self, index: Any) -> Any:
        return b"99"

    def __iter__(self) -> Any:
        return iter(b"99")


# --- str subclasses -----------------------------------------------------------------------------


class ShortLenStr(str):
    def __len__(self) -> int:
        return 3


class LongLenStr(str):
    def __len__(self) -> int:
        return 1 << 40


class OtherStr(str):
    def __str__(self) -> str:
        return "000201" * 3000

    def __getitem__(self, index: Any) -> Any:
        return "99"

    def encode(self, *args: Any, **kwargs: Any) -> bytes:
        return b"000201" * 3000

    def __format__(self, spec: str) -> str:
        return "9999"

    def __hash__(self) -> int:
        return hash("00")

    def __eq__(self, other: object) -> bool:
        return True

    def __iter__(self) -> Any:
        return iter("99")

    def upper(self) -> str:
        return "X"


class RaisingStr(str):
    __str__ = __len__ = __getitem__ = __iter__ = __repr__ = __hash__ = __eq__ = _boom
    __format__ = encode = upper = startswith = removeprefix = rstrip = isascii = _boom
    __ne__ = __lt__ = __contains__ = _boom


class Payloads(str, enum.Enum):  # enum.StrEnum is 3.11+; the same thing on 3.10
    CLEAN = "0002010102116304AD0A"


# --- objects that only pretend -----------------------------------------------------------------


class PretendStr:
    """isinstance(x, str) is True (isinstance() believes __class__); it holds no characters."""

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return str

    __str__ = __len__ = __getitem__ = __iter__ = _boom


class PretendBytes:
    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return bytes

    __bytes__ = __len__ = __getitem__ = __iter__ = _boom


class RaisingObject:
    """Neither str nor bytes: TypeError, without calling its __str__/__repr__."""

    __str__ = __repr__ = __len__ = __bytes__ = __iter__ = __index__ = _boom


# --- memoryviews -------------------------------------------------------------------------------


def released(data: bytes) -> memoryview:
    view = memoryview(data)
    view.release()
    return view


def strided(data: bytes) -> memoryview:
    """Every other byte of ``data`` doubled: not contiguous, and its bytes are ``data``."""
    doubled = bytes(b for byte in data for b in (byte, 0))
    return memoryview(doubled)[::2]


def two_dimensional(data: bytes) -> memoryview:
    """``data`` as a 2-row numpy view (ndim 2: len() counts rows)."""
    if len(data) % 2:
        data += b" "
    return memoryview(np.frombuffer(data, np.uint8).reshape(2, -1))  # type: ignore[arg-type]


def wide(data: bytes) -> memoryview:
    while len(data) % 4:
        data += b" "
    return memoryview(array.array("I", data))


def fortran(data: bytes) -> memoryview:
    """A Fortran-ordered 2-D view: not C-contiguous; its bytes in C order are what is read."""
    if len(data) % 2:
        data += b" "
    return memoryview(np.asfortranarray(np.frombuffer(data, np.uint8).reshape(2, -1)))  # type: ignore[arg-type]


# --- the table ---------------------------------------------------------------------------------


def _b(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # fuzzed text may hold lone surrogates


CLEAN = "0002010102116304AD0A"  # EMVCo §4.7.3: 00, 01, 63 with the right CRC
BIG = "000201" * 3000  # 18000 characters: over the 4096 cap

#: (name, make, plain): ``make(content)`` builds the hostile object around ``content`` (str),
#: ``plain(content)`` the plain str or bytes it must be read as. For the objects that are the
#: wrong type, ``plain`` is None: they must raise TypeError.
Maker = Callable[[str], Any]
HOSTILE: list[tuple[str, Maker, Maker | None]] = [
    ("bytes/__len__ short", lambda s: ShortLenBytes(_b(s)), lambda s: _b(s)),
    ("bytes/__len__ long", lambda s: LongLenBytes(_b(s)), lambda s: _b(s)),
    ("bytes/__bytes__", lambda s: OtherBytes(_b(s)), lambda s: _b(s)),
    ("bytes/raising", lambda s: RaisingBytes(_b(s)), lambda s: _b(s)),
    ("bytearray/__len__", lambda s: ShortLenBytearray(_b(s)), lambda s: _b(s)),
    ("bytearray/__bytes__", lambda s: OtherBytearray(_b(s)), lambda s: _b(s)),
    ("str/__len__ short", ShortLenStr, lambda s: s),
    ("str/__len__ long", LongLenStr, lambda s: s),
    ("str/__str__ etc", OtherStr, lambda s: s),
    ("str/raising", RaisingStr, lambda s: s),
    ("numpy.str_", np.str_, lambda s: s),
    ("numpy.bytes_", lambda s: np.bytes_(_b(s)), lambda s: _b(s)),
    ("memoryview/strided", lambda s: strided(_b(s)), lambda s: _b(s)),
    ("memoryview/wide", lambda s: wide(_b(s)), lambda s: wide(_b(s)).tobytes()),
    (
        "memoryview/2-D",
        lambda s: two_dimensional(_b(s)),
        lambda s: two_dimensional(_b(s)).tobytes(),
    ),
    ("memoryview/fortran", lambda s: fortran(_b(s)), lambda s: fortran(_b(s)).tobytes()),
    ("pretend str", lambda s: PretendStr(), None),
    ("pretend bytes", lambda s: PretendBytes(), None),
    ("raising object", lambda s: RaisingObject(), None),
    ("None", lambda s: None, None),
    ("int", lambda s: 5, None),
    ("float", lambda s: 1.5, None),
    ("list of str", lambda s: [s], None),
]


def hostile(index: int, content: str) -> Any:
    """The ``index``-th hostile object (modulo the table) around ``content``: for the fuzzers."""
    return HOSTILE[index % len(HOSTILE)][1](content)


class LyingIndex(int):
    """An init whose comparisons and __index__ lie: the value is what the int holds."""

    def __index__(self) -> int:
        return 1 << 20

    def __le__(self, other: object) -> bool:
        return True

    def __ge__(self, other: object) -> bool:
        return True

    def __lt__(self, other: object) -> bool:
        return False

    def __gt__(self, other: object) -> bool:
        return False

    __repr__ = __str__ = _boom


class IndexOnly:
    """Not an int, but has __index__ (as numpy integers do): read through it, once."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value
