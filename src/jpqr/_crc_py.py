"""CRC-16/CCITT-FALSE, pure-Python twin (the readable reference for ``_crc.pyx``).

EMVCo MPM v1.1 §4.7.3 (ID 63): CRC-16 with polynomial 0x1021, initial value 0xFFFF, no reflection,
no final XOR, over the UTF-8 bytes of the payload up to and including ``6304``. The catalogue names
it CRC-16/CCITT-FALSE or CRC-16/IBM-3740; its check value on ``b"123456789"`` is 0x29B1.

>>> hex(crc16(b"123456789"))
'0x29b1'
>>> crc16_reference("123456789") == crc16("123456789")
True
>>> promptpay = "00020101021129370016A000000677010111011300668012345675802TH53037646304"
>>> format_crc(crc16(promptpay))  # published by dtinth/promptpay-qr
'6197'
"""

from __future__ import annotations

from binascii import crc_hqx
from operator import index
from typing import Final, Literal

from . import _tlv_errors as err

__all__ = [
    "CRC_MARKER",
    "CRCVerdict",
    "buffer_bytes",
    "crc16",
    "crc16_reference",
    "crc_verdict",
    "format_crc",
]

CRCVerdict = Literal["ok", "lowercase", "mismatch", "missing"]

POLYNOMIAL: Final = 0x1021
INITIAL: Final = 0xFFFF
# The CRC data object's ID and length, which the CRC covers (EMVCo §4.7.3).
CRC_MARKER: Final = "6304"
_CRC_MARKER_BYTES: Final = b"6304"


def _make_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ POLYNOMIAL) if crc & 0x8000 else (crc << 1)
        table.append(crc & 0xFFFF)
    return tuple(table)


_TABLE: Final = _make_table()


def buffer_bytes(payload: bytes | bytearray | memoryview, limit: int | None = None) -> bytes:
    """The bytes a bytes-like object's buffer holds, read through the buffer protocol only.

    Never a user ``__bytes__``, ``__len__``, ``__getitem__`` or ``__iter__``: a subclass that
    lies in those still has one buffer, and that buffer is what is checked and read. Over
    ``limit`` bytes it is refused (``tlv.too_long``) before anything is copied; a released
    memoryview is a :class:`~jpqr.errors.DecodeError` (``tlv.released``), not a bare ValueError.

    >>> buffer_bytes(memoryview(b"0002")[1:])
    b'002'
    """
    if type(payload) is bytes:
        if limit is not None and len(payload) > limit:
            raise err.too_long(len(payload), limit, "bytes")
        return payload
    if type(payload) is memoryview:
        check_released(payload)
    with memoryview(payload) as view:  # the one buffer, pinned (a bytearray cannot resize)
        size = view.nbytes
        if limit is not None and size > limit:
            raise err.too_long(size, limit, "bytes")
        return view.tobytes()


def check_released(view: memoryview) -> None:
    """A released memoryview is refused as :class:`~jpqr.errors.DecodeError` ``tlv.released``."""
    try:
        view.nbytes  # noqa: B018 - raises ValueError once released
    except ValueError:
        raise err.released() from None


def exact_str(text: str) -> str:
    """A ``str`` (of any subclass) as a plain ``str`` of the same characters: its character
    data, never what a subclass's ``__str__``, ``__len__`` or ``__getitem__`` says."""
    return text if type(text) is str else str.__str__(text)


def _is_str(data: object) -> bool:
    # type(), not isinstance(): isinstance() believes a __class__ attribute that lies
    return type(data) is str or issubclass(type(data), str)


def _is_buffer(data: object) -> bool:
    return issubclass(type(data), (bytes, bytearray, memoryview))


def _as_bytes(data: bytes | bytearray | memoryview | str) -> bytes | bytearray | memoryview:
    if type(data) is bytes:
        return data
    if _is_str(data):
        return str.encode(data, "utf-8", "surrogatepass")  # type: ignore[arg-type]
    if _is_buffer(data):
        if type(data) is memoryview:
            check_released(data)
            if not data.c_contiguous:  # its bytes in C order, as crc_verdict reads them
                return data.tobytes()
        elif type(data) is not bytearray:
            # A subclass may export another buffer (PEP 688 __buffer__), not contiguous: read
            # once, in C order, as buffer_bytes() reads it for decode() and crc_verdict().
            view = memoryview(data)  # type: ignore[arg-type]
            return view if view.c_contiguous else view.tobytes()
        return data
    raise TypeError(f"crc16() takes bytes or str, not {type(data).__name__}")


def _check_init(init: int) -> int:
    """``init`` as an exact int (``operator.index``: never a float cut short, never a lying
    comparison), checked to be 16 bits."""
    value = init if type(init) is int else index(init)
    if not 0 <= value <= 0xFFFF:
        raise ValueError(f"init must be a 16-bit value (0 to 0xFFFF), got {value!r}")
    return value


def crc16_reference(data: bytes | bytearray | memoryview | str, init: int = INITIAL) -> int:
    """CRC-16/CCITT-FALSE, one table look-up per byte: the reference every faster path is held to.

    >>> crc16_reference(b"123456789")
    10673
    """
    buffer = _as_bytes(data)
    crc = _check_init(init)
    for byte in buffer_bytes(buffer):
        crc = ((crc << 8) & 0xFFFF) ^ _TABLE[(crc >> 8) ^ byte]
    return crc


def crc16(data: bytes | bytearray | memoryview | str, init: int = INITIAL) -> int:
    """CRC-16/CCITT-FALSE of ``data``; a ``str`` is taken as its UTF-8 bytes.

    ``binascii.crc_hqx`` computes this very CRC in C, so the pure twin uses it for speed.

    >>> crc16("123456789")
    10673
    """
    if not (_is_str(data) or _is_buffer(data)):
        raise TypeError(f"crc16() takes bytes or str, not {type(data).__name__}")
    start = _check_init(init)  # first: its __index__ may release or change the data
    return crc_hqx(_as_bytes(data), start)


def format_crc(crc: int) -> str:
    """The CRC as ID 63 carries it: four upper-case hex digits, zero-padded.

    >>> format_crc(0x7B)
    '007B'
    """
    return f"{crc:04X}"


def crc_verdict(payload: str | bytes | bytearray | memoryview) -> CRCVerdict:
    """Judge the CRC a payload ends with, whether or not the rest of it decodes.

    ``"ok"``: ends with ``6304`` and the right upper-case CRC; ``"lowercase"``: the right CRC in
    lower case; ``"mismatch"``: ends with ``6304`` and four characters that are not the right CRC;
    ``"missing"``: does not end with ``6304`` plus four characters.

    >>> crc_verdict("0002010102116304AD0A"), crc_verdict("0002010102116304ad0a")
    ('ok', 'lowercase')
    >>> crc_verdict("0002010102116304"), crc_verdict("0002010102116304AD0B")
    ('missing', 'mismatch')
    """
    if _is_str(payload):
        payload = exact_str(payload)  # type: ignore[arg-type]
        if len(payload) < 8 or payload[-8:-4] != CRC_MARKER:
            return "missing"
        found = payload[-4:]
        expected = format_crc(crc_hqx(payload[:-4].encode("utf-8", "surrogatepass"), INITIAL))
    else:
        raw = buffer_bytes(_as_bytes(payload))
        if len(raw) < 8 or raw[-8:-4] != _CRC_MARKER_BYTES:
            return "missing"
        try:
            found = raw[-4:].decode("ascii")
        except UnicodeDecodeError:
            return "mismatch"
        expected = format_crc(crc_hqx(raw[:-4], INITIAL))
    if found == expected:
        return "ok"
    if found.upper() == expected:
        return "lowercase"
    return "mismatch"
