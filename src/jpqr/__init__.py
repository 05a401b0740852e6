"""jpqr: read, check and make EMVCo merchant-presented QR payment codes, JPQR (統一QRコード) first.

>>> import jpqr
>>> objects = jpqr.decode("00020101021129370016A000000677010111011300668012345675802TH53037646304"
...                       "6197")
>>> [o.id for o in objects]
['00', '01', '29', '58', '53', '63']
>>> objects[2].find("00").value
'A000000677010111'
>>> hex(jpqr.crc16("123456789"))
'0x29b1'
"""

from __future__ import annotations

from . import _kernels
from ._crc_py import CRCVerdict, format_crc
from .dataobject import MAX_INPUT_LENGTH, DataObject
from .errors import BuildError, DecodeError, EncodeError, JPQRError, ValidationError

__version__ = "0.1.0"

__all__ = [
    "IMPLEMENTATION",
    "MAX_INPUT_LENGTH",
    "BuildError",
    "CRCVerdict",
    "DataObject",
    "DecodeError",
    "EncodeError",
    "JPQRError",
    "ValidationError",
    "__version__",
    "crc16",
    "crc_verdict",
    "decode",
    "encode",
    "format_crc",
]

# Bound here once; _kernels.use() rebinds them when a test switches twins.
IMPLEMENTATION = _kernels.IMPLEMENTATION
crc16 = _kernels.crc16
crc_verdict = _kernels.crc_verdict
decode = _kernels.decode
encode = _kernels.encode
