# cython: language_level=3, binding=False, boundscheck=False, wraparound=False
# cython: always_allow_keywords=False
"""CRC-16/CCITT-FALSE, compiled twin of ``jpqr._crc_py`` (same functions, same errors).

The kernels are C in ``_crc16.h`` and ``_crc16_clmul.h``: slicing-by-16 tables everywhere, and
carry-less multiplication (PCLMULQDQ, or VPCLMULQDQ on AVX-512 registers) chosen at run time
where the CPU has it (``CRC_PATH``). ``str`` is read straight from its internal buffer and
encoded to UTF-8 in chunks ("surrogatepass", as the pure twin does).
"""

from cpython.buffer cimport PyBUF_SIMPLE, PyBuffer_Release, PyObject_GetBuffer
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE
from cpython.long cimport PyLong_AsLongAndOverflow
from cpython.number cimport PyNumber_Index

from jpqr._ccore cimport (
    JPQR_AVX512_MIN,
    JPQR_CLMUL_MIN,
    PyUnicode_DATA,
    PyUnicode_GET_LENGTH,
    PyUnicode_IS_ASCII,
    PyUnicode_KIND,
    int32_t,
    int64_t,
    jpqr_clear_upper,
    jpqr_crc16,
    jpqr_crc16_on_path,
    jpqr_crc16_ucs,
    jpqr_crc_init_tables,
    jpqr_crc_path,
    jpqr_crc_set_path,
    jpqr_verdict_bytes,
    jpqr_verdict_ucs,
    jpqr_xinuse,
    uint8_t,
    uint16_t,
)

from jpqr._crc_py import CRC_MARKER, CRCVerdict, check_released, format_crc

__all__ = ["CRC_MARKER", "CRCVerdict", "crc16", "crc_verdict", "format_crc"]

jpqr_crc_init_tables()

#: The kernel this CPU uses: "avx512", "pclmul" or "table".
CRC_PATH = jpqr_crc_path().decode("ascii")


CRC_PATHS = ("table", "pclmul", "avx512")
# From how many bytes jpqr_crc16() leaves the table for each carry-less kernel (_crc16_clmul.h
# says why there); for benchmarks that must reach a kernel.
_CLMUL_MIN = JPQR_CLMUL_MIN
_AVX512_MIN = JPQR_AVX512_MIN


def _use_path(path):
    """For tests and benchmarks: switch the CRC kernel of this process (one of CRC_PATHS);
    returns the one used before. ValueError where this CPU or build lacks it."""
    global CRC_PATH
    if path not in CRC_PATHS or not jpqr_crc_set_path(CRC_PATHS.index(path)):
        raise ValueError(f"the {path!r} CRC path is not available here")
    # _tlv and _rules have their own copies of the kernels (static in _crc16.h): check(), the
    # batch kernels and the compiled rule engine must follow, or tests of a path never reach them.
    from jpqr import _rules, _tlv
    _tlv._set_crc_path(CRC_PATHS.index(path))
    _rules._set_crc_path(CRC_PATHS.index(path))
    before, CRC_PATH = CRC_PATH, path
    return before


def _upper_state():
    """For tests: XGETBV(1) now (XINUSE, see _crc16.h), or None where this CPU cannot say."""
    cdef int64_t state = jpqr_xinuse()
    return None if state < 0 else state


def _clear_upper():
    """For tests: put the upper halves of the vector registers in their initial state."""
    jpqr_clear_upper()


def _upper_state_after(path, const uint8_t[::1] data):
    """For tests: (crc, XINUSE before, XINUSE after) of one CRC kernel run on ``data``, read in C
    on either side of the call, from a clean upper state. ``path`` is one of CRC_PATHS (that
    kernel itself, at any length from 64 bytes) or "crc16" (the dispatch, as crc16() runs it).
    ValueError where the kernel cannot run it; the states are None where the CPU cannot say."""
    cdef int64_t before, after
    cdef int32_t crc
    cdef int kernel = -1 if path == "crc16" else CRC_PATHS.index(path) if path in CRC_PATHS \
        else -2
    cdef const uint8_t* p = &data[0] if data.shape[0] else NULL
    cdef size_t n = <size_t>data.shape[0]
    if kernel == -2:
        raise ValueError(f"no CRC kernel {path!r}")
    jpqr_clear_upper()
    before = jpqr_xinuse()
    if kernel == -1:
        crc = jpqr_crc16(0xFFFF, p, n)
    else:
        crc = jpqr_crc16_on_path(kernel, 0xFFFF, p, n)
    after = jpqr_xinuse()
    if crc < 0:
        raise ValueError(f"the {path!r} CRC kernel cannot run {n} bytes here")
    return crc, None if before < 0 else before, None if after < 0 else after


# Releasing the GIL costs more than the CRC of a short buffer.
cdef Py_ssize_t _NOGIL_FROM = 1 << 16
cdef tuple _VERDICTS = ("ok", "lowercase", "mismatch", "missing")


cdef inline bint _is_buffer(object data):
    return isinstance(data, (bytes, bytearray, memoryview))


cdef uint16_t _check_init(object init) except? 0:
    cdef long value
    cdef int overflow = 0
    if type(init) is int:  # the common case, without Python comparisons
        value = PyLong_AsLongAndOverflow(init, &overflow)  # never raises for an int
        if not overflow and 0 <= value <= 0xFFFF:
            return <uint16_t>value
    # As the pure twin: an exact int first (never a float cut short, never a comparison that
    # lies), then its range.
    number = init if type(init) is int else PyNumber_Index(init)
    if not 0 <= number <= 0xFFFF:
        raise ValueError(f"init must be a 16-bit value (0 to 0xFFFF), got {number!r}")
    return number


cdef object _contiguous(object data):
    """A buffer that PyBUF_SIMPLE can read: its bytes in C order where it is not contiguous, as
    the pure twin reads it. A bytes or bytearray subclass may export another buffer (PEP 688
    __buffer__), so it is read once, through a memoryview."""
    cdef object view
    if type(data) is memoryview:
        check_released(data)
        return data if data.c_contiguous else data.tobytes()
    if type(data) is bytes or type(data) is bytearray:
        return data
    view = memoryview(data)
    return view if view.c_contiguous else view.tobytes()


def crc16(data, init=0xFFFF):
    """CRC-16/CCITT-FALSE of ``data``; a ``str`` is taken as its UTF-8 bytes."""
    cdef Py_buffer view
    cdef uint16_t start
    cdef uint16_t crc
    if isinstance(data, str):
        start = _check_init(init)
        return jpqr_crc16_ucs(start, PyUnicode_KIND(data), PyUnicode_DATA(data), 0,
                              PyUnicode_GET_LENGTH(data), PyUnicode_IS_ASCII(data))
    if type(data) is bytes:
        start = _check_init(init)
        return jpqr_crc16(start, <const uint8_t*>PyBytes_AS_STRING(data),
                          <size_t>PyBytes_GET_SIZE(data))
    if not _is_buffer(data):
        raise TypeError(f"crc16() takes bytes or str, not {type(data).__name__}")
    start = _check_init(init)  # first: its __index__ may release or change the data
    data = _contiguous(data)
    PyObject_GetBuffer(data, &view, PyBUF_SIMPLE)
    try:
        if view.len < _NOGIL_FROM:
            crc = jpqr_crc16(start, <const uint8_t*>view.buf, <size_t>view.len)
        else:  # a bytearray could change under another thread; the buffer export pins it
            with nogil:
                crc = jpqr_crc16(start, <const uint8_t*>view.buf, <size_t>view.len)
    finally:
        PyBuffer_Release(&view)
    return crc


def crc_verdict(payload):
    """Judge the CRC a payload ends with, whether or not the rest of it decodes."""
    cdef Py_buffer view
    cdef int32_t crc
    cdef int verdict
    if isinstance(payload, str):
        verdict = jpqr_verdict_ucs(PyUnicode_KIND(payload), PyUnicode_DATA(payload),
                                   PyUnicode_GET_LENGTH(payload), PyUnicode_IS_ASCII(payload),
                                   &crc)
        return _VERDICTS[verdict]
    if not _is_buffer(payload):
        raise TypeError(f"crc16() takes bytes or str, not {type(payload).__name__}")
    payload = _contiguous(payload)
    PyObject_GetBuffer(payload, &view, PyBUF_SIMPLE)
    try:
        verdict = jpqr_verdict_bytes(<const uint8_t*>view.buf, view.len, &crc)
    finally:
        PyBuffer_Release(&view)
    return _VERDICTS[verdict]
