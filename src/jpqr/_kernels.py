"""Picks the kernels: the compiled Cython twin when it is importable, else the pure-Python twin.

``JPQR_NO_EXTENSIONS=1`` (any non-empty value) forces the pure twin, as does any Python other than
CPython. The layers above call the kernels through this module (``_kernels.decode(...)``), so
:func:`use` can switch every layer at once; the test suite runs on both twins that way.

Where the compiled twin should be there and is not (a build that fell back to pure Python, a
broken install), the ``jpqr`` logger says so once, at import, as a warning: a program keeps
running (it is no Python warning, so ``-W error`` cannot turn it into an exception), and with no
logging set up Python prints it on stderr. ``UNAVAILABLE`` keeps the reason; ``jpqr --version``
shows it.
"""

from __future__ import annotations

import os
import sys
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

from . import _crc_py, _tlv_py, dataobject

__all__ = [
    "IMPLEMENTATION",
    "UNAVAILABLE",
    "Implementation",
    "available",
    "ber_decode",
    "ber_encode",
    "check",
    "check_code",
    "check_many",
    "check_rows",
    "crc16",
    "crc_kernel",
    "crc_verdict",
    "decode",
    "encode",
    "to_text",
    "use",
]

Implementation = Literal["cython", "python"]

NO_EXTENSIONS = bool(os.environ.get("JPQR_NO_EXTENSIONS")) or sys.implementation.name != "cpython"


#: Why the compiled twin is not in use (None when it is, or when pure mode was asked for).
UNAVAILABLE: str | None = None


def _load_cython() -> tuple[ModuleType, ModuleType] | None:
    global UNAVAILABLE
    # By name, so type checkers need no stub for the optional compiled modules.
    try:
        return import_module(f"{__package__}._crc"), import_module(f"{__package__}._tlv")
    except ImportError as exc:
        UNAVAILABLE = f"the compiled twin cannot be imported ({exc})"
        import logging  # here, not at the top: it costs ~7 ms of a 30 ms `import jpqr`

        logging.getLogger(__package__).warning(
            "jpqr: %s; using the pure-Python twin, about 10x slower. Reinstall jpqr where a C "
            "compiler is available (or from a wheel), or set JPQR_NO_EXTENSIONS=1 to choose "
            "the pure twin and silence this.",
            UNAVAILABLE,
        )
        return None


_COMPILED = None if (TYPE_CHECKING or NO_EXTENSIONS) else _load_cython()
_TWINS: dict[str, tuple[ModuleType, ModuleType]] = {"python": (_crc_py, _tlv_py)}
if _COMPILED is not None:
    _TWINS["cython"] = _COMPILED

IMPLEMENTATION: Implementation = "cython" if _COMPILED is not None else "python"
crc16 = _crc_py.crc16
crc_verdict = _crc_py.crc_verdict
decode = _tlv_py.decode
encode = _tlv_py.encode
to_text = _tlv_py.to_text
# Check-only and the batch kernels (jpqr.batch): see _tlv_py.check and _tlv_py.check_code.
check = _tlv_py.check
check_code = _tlv_py.check_code
check_many = _tlv_py.check_many
check_rows = _tlv_py.check_rows
# The BER-TLV kernels of customer-presented codes (jpqr.cpm), ber_decode and ber_encode, are
# loaded with the first CPM code (see __getattr__): merchant codes never pay for them.
_BER_MODULES = {"python": "_ber_py", "cython": "_ber"}
_BER_NAMES = ("ber_decode", "ber_encode")
if TYPE_CHECKING:
    from ._ber_py import decode as ber_decode
    from ._ber_py import encode as ber_encode


def __getattr__(name: str) -> Any:
    """``ber_decode`` / ``ber_encode`` of the twin in use, imported on first use (PEP 562)."""
    if name not in _BER_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = import_module(f"{__package__}.{_BER_MODULES[IMPLEMENTATION]}")
    globals().update(ber_decode=module.decode, ber_encode=module.encode)
    return globals()[name]


def crc_kernel() -> str:
    """The CRC kernel in use: the compiled twin's (``"avx512"``, ``"pclmul"``, ``"table"``, as
    the CPU allows) or ``"binascii"`` (the pure twin's ``binascii.crc_hqx``)."""
    if IMPLEMENTATION == "cython":
        path: str = _TWINS["cython"][0].CRC_PATH
        return path
    return "binascii"


def available() -> tuple[Implementation, ...]:
    """The twins that can be used in this process (``"python"`` always)."""
    return tuple(_TWINS)  # type: ignore[arg-type]


def use(name: Implementation) -> None:
    """Route every layer through one twin; for tests and benchmarks, not for applications."""
    global IMPLEMENTATION, crc16, crc_verdict, decode, encode, to_text
    global check, check_code, check_many, check_rows
    if name not in _TWINS:
        reason = "JPQR_NO_EXTENSIONS is set" if NO_EXTENSIONS else "it is not built"
        raise ImportError(f"the {name} implementation is not available: {reason}")
    crc_module, tlv_module = _TWINS[name]
    IMPLEMENTATION = name
    crc16 = crc_module.crc16
    crc_verdict = crc_module.crc_verdict
    decode = tlv_module.decode
    encode = tlv_module.encode
    to_text = tlv_module.to_text
    check = tlv_module.check
    check_code = tlv_module.check_code
    check_many = tlv_module.check_many
    check_rows = tlv_module.check_rows
    for ber in _BER_NAMES:  # loaded again, from this twin, when next asked for
        globals().pop(ber, None)
    dataobject._encode = encode  # DataObject.template encodes with the twin in use
    package = sys.modules[__package__]
    for attr in ("IMPLEMENTATION", "check", "crc16", "crc_verdict", "decode", "encode"):
        setattr(package, attr, globals()[attr])


dataobject._encode = encode
if IMPLEMENTATION == "cython":
    use("cython")
