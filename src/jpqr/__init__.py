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

# First: in the jpqr command, Ctrl-C exits 130 without a traceback from here on.
from . import _interrupt  # noqa: F401

# isort: split
from typing import TYPE_CHECKING, Any

from . import _kernels
from ._crc_py import CRCVerdict, format_crc
from .dataobject import MAX_INPUT_LENGTH, DataObject
from .errors import BuildError, DecodeError, EncodeError, JPQRError, ValidationError

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .api import classify, is_valid, parse, validate
    from .builder import Builder
    from .model import MerchantPresentedCode
    from .profiles._classify import Classification
    from .report import Issue, ValidationReport

__all__ = [
    "IMPLEMENTATION",
    "MAX_INPUT_LENGTH",
    "BuildError",
    "Builder",
    "CRCVerdict",
    "Classification",
    "DataObject",
    "DecodeError",
    "EncodeError",
    "Issue",
    "JPQRError",
    "MerchantPresentedCode",
    "ValidationError",
    "ValidationReport",
    "__version__",
    "check",
    "classify",
    "crc16",
    "crc_verdict",
    "decode",
    "encode",
    "format_crc",
    "is_valid",
    "parse",
    "validate",
]

# Bound here once; _kernels.use() rebinds them when a test switches twins.
IMPLEMENTATION = _kernels.IMPLEMENTATION
if TYPE_CHECKING:  # the pure twin's signatures, which the compiled twin's match (pyright would
    # otherwise see the rebinding in _kernels.use() and type these as Any)
    from ._crc_py import crc16, crc_verdict
    from ._tlv_py import check, decode, encode
else:
    check = _kernels.check
    crc16 = _kernels.crc16
    crc_verdict = _kernels.crc_verdict
    decode = _kernels.decode
    encode = _kernels.encode

# The layers above the kernels load on first use, so `import jpqr` stays fast (DESIGN: ≤ 30 ms).
_LAZY = {
    "validate": "api",
    "classify": "api",
    "Classification": "api",
    "Builder": "builder",
    "parse": "api",
    "is_valid": "api",
    "MerchantPresentedCode": "model",
    "Issue": "report",
    "ValidationReport": "report",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'jpqr' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
