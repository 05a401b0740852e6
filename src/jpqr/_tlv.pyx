# cython: language_level=3, binding=False, boundscheck=False, wraparound=False
# cython: always_allow_keywords=False, cdivision=True
"""TLV decoder and encoder, compiled twin of ``jpqr._tlv_py`` (same results, same errors).

EMVCo MPM v1.1 §4.1-4.2. The walk reads the payload's internal PEP 393 buffer (``_tlv_scan.h``)
without slicing headers, makes each ``DataObject`` straight from its type's allocator, and takes
the 100 ID strings from a cache. Every error is made by the constructors in ``_tlv_errors``, with
the same arguments the pure twin passes, so messages match to the letter.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE
from cpython.object cimport PyObject, PyObject_TypeCheck, PyTypeObject
from cpython.tuple cimport PyTuple_GET_ITEM, PyTuple_GET_SIZE
from cpython.unicode cimport PyUnicode_FromObject
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t
from libc.stdlib cimport free, malloc

from jpqr._ccore cimport (
    JPQR_INVALID,
    PyUnicode_DATA,
    PyUnicode_GET_LENGTH,
    PyUnicode_IS_ASCII,
    PyUnicode_KIND,
    jpqr_clear_upper,
    jpqr_crc16,
    jpqr_crc_init_tables,
    jpqr_crc_path,
    jpqr_crc_set_path,
    jpqr_read,
    jpqr_verdict_ucs,
    jpqr_xinuse,
)

from jpqr import _tlv_errors as err
from jpqr._crc import crc16
from jpqr._crc_py import CRC_MARKER, buffer_bytes, format_crc
from jpqr._tlv_py import VERDICTS, snapshot
from jpqr.dataobject import (
    MAX_ENCODE_DEPTH,
    MAX_INPUT_LENGTH,
    MAX_VALUE_LENGTH,
    NESTED_TEMPLATE_IDS,
    ROOT_TEMPLATE_IDS,
    DataObject,
)
from jpqr.errors import DecodeError

__all__ = ["VERDICTS", "check", "check_code", "check_many", "check_rows", "decode", "encode",
           "to_text"]


cdef extern from "_tlv_scan.h" nogil:
    enum:
        JPQR_MAX_INPUT
        JPQR_BAD_HEADER
        JPQR_OVERRUN
    ctypedef struct jpqr_scan_error:
        int what
        Py_ssize_t pos
        Py_ssize_t prev
        int id
        int length
    Py_ssize_t jpqr_scan(int kind, const void* data, Py_ssize_t start, Py_ssize_t end,
                         jpqr_scan_error* e)
    int jpqr_is_ascii(const uint8_t* p, Py_ssize_t n)
    int jpqr_check_ucs(int kind, const void* data, Py_ssize_t n, int ascii, int32_t* crc_out)
    int jpqr_check_utf8(const uint8_t* p, Py_ssize_t n, int32_t* crc_out, uint32_t* scratch)
    ctypedef struct jpqr_text:
        int kind
        const void* data
        Py_ssize_t n
        int ascii
    void jpqr_check_pair(const jpqr_text* t, int* verdict, int32_t* crc_out)
    void jpqr_check_utf8_pair(const uint8_t* const* p, const Py_ssize_t* n, int* verdict,
                              int32_t* crc_out, uint32_t* scratch)


cdef extern from "_dataobject.h":
    int jpqr_dataobject_install(PyTypeObject* type) except -1


cdef extern from "_tlv_scan.h":
    ctypedef struct jpqr_builder:
        PyTypeObject* type
        PyObject** ids
        PyObject** offsets
        const signed char (*templates)[100]
        int ascii
    object jpqr_build(const jpqr_builder* b, int kind, const void* data,
                      Py_ssize_t start, Py_ssize_t end, Py_ssize_t count, int table)


jpqr_crc_init_tables()
if JPQR_MAX_INPUT != MAX_INPUT_LENGTH:  # the C walk's cap must be the documented one
    raise ImportError("jpqr._tlv was built for another MAX_INPUT_LENGTH; rebuild it")

# The cached ID strings and offsets: object creation is most of the cost of a decode.
cdef list _ID_STRINGS = [f"{n:02d}" for n in range(100)]
cdef frozenset _IDS = frozenset(_ID_STRINGS)
cdef list _OFFSETS = list(range(MAX_INPUT_LENGTH + 1))
cdef PyTypeObject* _DATAOBJECT = <PyTypeObject*>DataObject
# Checks that DataObject is a tuple with no fields of its own (jpqr_build relies on it too), then
# gives it a deallocator without subtype_dealloc's general work (_dataobject.h says why).
jpqr_dataobject_install(_DATAOBJECT)
cdef Py_ssize_t _MAX_INPUT = MAX_INPUT_LENGTH
cdef tuple _VERDICTS = VERDICTS

# Which IDs are templates, from the shared tables in jpqr.dataobject: set 0 is the payload's
# top level, set k the children of the k-th key of NESTED_TEMPLATE_IDS (keys are paths: a
# template nested in a top-level template, like 62.50), the last set is empty.
# _TEMPLATE[s][n] is the set the children of ID n use when it is a template in set s, else -1.
cdef enum:
    _MAX_SETS = 8
cdef signed char _TEMPLATE[_MAX_SETS][100]


cdef int _build_template_table() except -1:
    nested = sorted(NESTED_TEMPLATE_IDS)
    if not all(key in ROOT_TEMPLATE_IDS for key in nested):
        raise ImportError("jpqr._tlv: nested template tables below the top level are not built in")
    sets = [ROOT_TEMPLATE_IDS] + [NESTED_TEMPLATE_IDS[key] for key in nested] + [frozenset()]
    if len(sets) > _MAX_SETS:
        raise ImportError("jpqr._tlv: too many nested template tables")
    for s in range(_MAX_SETS):
        for n in range(100):
            _TEMPLATE[s][n] = -1
    for s, members in enumerate(sets):
        for n in range(100):
            id = _ID_STRINGS[n]
            if id in members:
                _TEMPLATE[s][n] = 1 + nested.index(id) if s == 0 and id in nested else len(sets) - 1
    return 0


_build_template_table()

cdef PyObject* _ID_POINTERS[100]
cdef PyObject** _OFFSET_POINTERS = <PyObject**>malloc((MAX_INPUT_LENGTH + 1) * sizeof(PyObject*))
if _OFFSET_POINTERS == NULL:
    raise MemoryError()
for _n in range(100):
    _ID_POINTERS[_n] = <PyObject*>_ID_STRINGS[_n]  # kept alive by the module's lists
for _n in range(MAX_INPUT_LENGTH + 1):
    _OFFSET_POINTERS[_n] = <PyObject*>_OFFSETS[_n]
cdef jpqr_builder _BUILDER
_BUILDER.type = _DATAOBJECT
_BUILDER.ids = _ID_POINTERS
_BUILDER.offsets = _OFFSET_POINTERS
_BUILDER.templates = _TEMPLATE


def _set_crc_path(int path):
    """For jpqr._crc._use_path only: this module's copy of the CRC kernels takes the same path."""
    if not jpqr_crc_set_path(path):
        raise ValueError(f"CRC path {path} is not available here")


def _crc_path():
    """The CRC kernel this module's check() and batch kernels use (tests: see _crc._use_path)."""
    return jpqr_crc_path().decode("ascii")


_STATE_KERNELS = ("is_ascii", "check_ascii", "check_pair", "check_utf8", "check_utf8_pair",
                  "crc16")


def _upper_state_after(kernel, const uint8_t[::1] payload):
    """For tests: (result, XINUSE before, XINUSE after) of one C kernel of this module run on
    ``payload``, read in C on either side of the call, from a clean upper state (_crc16.h says
    what XINUSE is). ``kernel`` is one of _STATE_KERNELS; "check_ascii" and "check_pair" take
    the bytes as ASCII text (check() and the batch on ASCII). The states are None where the CPU
    cannot say."""
    cdef int64_t before, after
    cdef int result
    cdef int32_t crc
    cdef int pair_verdicts[2]
    cdef int32_t pair_crcs[2]
    cdef jpqr_text pair[2]
    cdef const uint8_t* rows[2]
    cdef Py_ssize_t lengths[2]
    cdef int which = _STATE_KERNELS.index(kernel)  # ValueError for any other name
    cdef Py_ssize_t n = payload.shape[0]
    cdef const uint8_t* p = &payload[0] if n else <const uint8_t*>""
    cdef uint32_t* scratch
    if n > JPQR_MAX_INPUT:
        raise ValueError("longer than any payload")
    scratch = <uint32_t*>malloc(JPQR_MAX_INPUT * sizeof(uint32_t))
    if scratch == NULL:
        raise MemoryError()
    for i in range(2):
        pair[i].kind = 1
        pair[i].data = p
        pair[i].n = n
        pair[i].ascii = 1
        rows[i] = p
        lengths[i] = n
    jpqr_clear_upper()
    before = jpqr_xinuse()
    if which == 0:
        result = jpqr_is_ascii(p, n)
    elif which == 1:
        result = jpqr_check_ucs(1, p, n, 1, &crc)
    elif which == 2:
        jpqr_check_pair(pair, pair_verdicts, pair_crcs)
        result = pair_verdicts[1]
    elif which == 3:
        result = jpqr_check_utf8(p, n, &crc, scratch)
    elif which == 4:
        jpqr_check_utf8_pair(rows, lengths, pair_verdicts, pair_crcs, scratch)
        result = pair_verdicts[1]
    else:
        result = jpqr_crc16(0xFFFF, p, <size_t>n)
    after = jpqr_xinuse()
    free(scratch)
    return result, None if before < 0 else before, None if after < 0 else after


cpdef str to_text(payload):
    """Check the input's type and size and return it as text (``bytes`` are read as UTF-8).

    As the pure twin: a ``str`` subclass is its characters, a bytes-like object its buffer (read
    by ``_crc_py.buffer_bytes``), each capped before any work proportional to it."""
    cdef str text
    cdef object raw
    cdef Py_ssize_t n
    if isinstance(payload, str):  # PyUnicode_Check: the type's flags, not a __class__ that lies
        n = PyUnicode_GET_LENGTH(payload)  # the characters it holds, not its __len__
        if n > _MAX_INPUT:
            raise err.too_long(n, _MAX_INPUT, "characters")
        text = payload if type(payload) is str else PyUnicode_FromObject(payload)  # exact copy
    elif type(payload) is bytes:
        n = PyBytes_GET_SIZE(payload)
        if n > _MAX_INPUT:
            raise err.too_long(n, _MAX_INPUT, "bytes")
        try:
            text = (<bytes>payload).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise err.invalid_utf8(exc) from None
    elif isinstance(payload, (bytes, bytearray, memoryview)):
        # The one buffer, capped in bytes (a memoryview of wider items is longer than its len()),
        # copied to bytes; never a subclass's __bytes__ or __len__.
        raw = buffer_bytes(payload, _MAX_INPUT)
        if type(raw) is not bytes or PyBytes_GET_SIZE(raw) > _MAX_INPUT:  # trust nothing
            raise SystemError("jpqr: buffer_bytes broke its contract")
        try:
            text = (<bytes>raw).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise err.invalid_utf8(exc) from None
    else:
        raise TypeError(f"expected a payload as str or bytes, not {type(payload).__name__}")
    if PyUnicode_GET_LENGTH(text) and jpqr_read(PyUnicode_KIND(text), PyUnicode_DATA(text), 0) \
            == 0xFEFF:
        raise err.bom()
    return text


cdef object _scan_error(str text, Py_ssize_t end, jpqr_scan_error* e):
    """The DecodeError the pure twin raises at the top level (nested errors are never raised)."""
    if e.what == JPQR_BAD_HEADER:
        return err.bad_header(text, e.pos, end, "", e.prev)
    return err.length_overrun(text, e.pos, end, _ID_STRINGS[e.id], e.length, "")


def decode(payload):
    """Read a payload as a tree of data objects."""
    cdef str text = to_text(payload)
    cdef int kind = PyUnicode_KIND(text)
    cdef const void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(text)
    cdef jpqr_scan_error e
    if n > _MAX_INPUT:  # jpqr_build indexes the cached offsets (0.._MAX_INPUT) by position
        raise SystemError("jpqr: to_text broke its contract")
    cdef Py_ssize_t count = jpqr_scan(kind, data, 0, n, &e)
    if count < 0:
        raise _scan_error(text, n, &e)
    cdef jpqr_builder builder = _BUILDER
    builder.ascii = PyUnicode_IS_ASCII(text)
    return jpqr_build(&builder, kind, data, 0, n, count, 0)


def check(payload):
    """Check-only: the structure :func:`decode` reads, then the CRC verdict, building no objects."""
    cdef str text
    cdef int kind
    cdef const void* data
    cdef Py_ssize_t n
    cdef int32_t crc
    cdef jpqr_scan_error e
    if type(payload) is bytes and PyBytes_GET_SIZE(payload) <= JPQR_MAX_INPUT and \
            jpqr_is_ascii(<const uint8_t*>PyBytes_AS_STRING(payload), PyBytes_GET_SIZE(payload)):
        # ASCII bytes are their own text: walk them where they lie.
        kind = 1
        data = PyBytes_AS_STRING(payload)
        n = PyBytes_GET_SIZE(payload)
        if jpqr_scan(kind, data, 0, n, &e) < 0:
            text = payload.decode("ascii")
            raise _scan_error(text, n, &e)
        return _VERDICTS[jpqr_verdict_ucs(kind, data, n, 1, &crc)]
    text = to_text(payload)
    kind = PyUnicode_KIND(text)
    data = PyUnicode_DATA(text)
    n = PyUnicode_GET_LENGTH(text)
    if jpqr_scan(kind, data, 0, n, &e) < 0:
        raise _scan_error(text, n, &e)
    return _VERDICTS[jpqr_verdict_ucs(kind, data, n, PyUnicode_IS_ASCII(text), &crc)]


cdef int _check_one(object payload, int32_t* crc, uint32_t* scratch) except -1:
    """check_code() in C: the verdict code, and the expected CRC or -1 in *crc."""
    cdef str text
    if isinstance(payload, str):
        return jpqr_check_ucs(PyUnicode_KIND(payload), PyUnicode_DATA(payload),
                              PyUnicode_GET_LENGTH(payload), PyUnicode_IS_ASCII(payload), crc)
    if type(payload) is bytes:
        return jpqr_check_utf8(<const uint8_t*>PyBytes_AS_STRING(payload),
                               PyBytes_GET_SIZE(payload), crc, scratch)
    try:  # bytearray, memoryview: rare, so through to_text() like the pure twin
        text = to_text(payload)
    except DecodeError:
        crc[0] = -1
        return JPQR_INVALID
    return jpqr_check_ucs(PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text),
                          PyUnicode_IS_ASCII(text), crc)


def check_code(payload):
    """:func:`check` as two numbers: the index into VERDICTS and the expected CRC or -1."""
    cdef int32_t crc
    cdef uint32_t* scratch = <uint32_t*>malloc(JPQR_MAX_INPUT * sizeof(uint32_t))
    if scratch == NULL:
        raise MemoryError()
    try:
        verdict = _check_one(payload, &crc, scratch)
    finally:
        free(scratch)
    return verdict, crc


cdef bint _as_text(object payload, jpqr_text* t):
    """Whether jpqr_check_pair() can take the payload (str, or ASCII bytes), filling ``t``."""
    if isinstance(payload, str):
        t.kind = PyUnicode_KIND(payload)
        t.data = PyUnicode_DATA(payload)
        t.n = PyUnicode_GET_LENGTH(payload)
        t.ascii = PyUnicode_IS_ASCII(payload)
        return True
    if type(payload) is bytes and PyBytes_GET_SIZE(payload) <= JPQR_MAX_INPUT and \
            jpqr_is_ascii(<const uint8_t*>PyBytes_AS_STRING(payload), PyBytes_GET_SIZE(payload)):
        t.kind = 1
        t.data = PyBytes_AS_STRING(payload)
        t.n = PyBytes_GET_SIZE(payload)
        t.ascii = 1
        return True
    return False


def check_many(payloads, unsigned char[::1] verdicts, int32_t[::1] crcs):
    """Store check_code() of each payload at its index in ``verdicts`` and ``crcs``.

    Texts are checked two at a time (jpqr_check_pair): the first waits, holding a reference to
    its payload, until a second comes or the payloads end."""
    cdef int32_t crc
    cdef Py_ssize_t index = 0, waiting = -1
    cdef jpqr_text pair[2]
    cdef int pair_verdicts[2]
    cdef int32_t pair_crcs[2]
    cdef object held = None  # the waiting payload, whose buffer pair[0] points into
    # A tuple taken once and checked against the room for results (the pure twin's snapshot()):
    # nothing the payloads' code or another thread does can change what is read.
    cdef tuple items = snapshot(payloads, verdicts, crcs)
    if PyTuple_GET_SIZE(items) > verdicts.shape[0] or PyTuple_GET_SIZE(items) > crcs.shape[0]:
        raise IndexError("more payloads than room for their results")
    cdef uint32_t* scratch = <uint32_t*>malloc(JPQR_MAX_INPUT * sizeof(uint32_t))
    if scratch == NULL:
        raise MemoryError()
    try:
        for payload in items:
            if not _as_text(payload, &pair[0 if waiting < 0 else 1]):
                verdicts[index] = _check_one(payload, &crc, scratch)
                crcs[index] = crc
            elif waiting < 0:
                waiting = index
                held = payload
            else:
                jpqr_check_pair(pair, pair_verdicts, pair_crcs)
                verdicts[waiting] = pair_verdicts[0]
                crcs[waiting] = pair_crcs[0]
                verdicts[index] = pair_verdicts[1]
                crcs[index] = pair_crcs[1]
                waiting = -1
                held = None
            index += 1
    finally:
        if waiting >= 0:  # also before an error: every payload seen gets its result
            verdicts[waiting] = jpqr_check_ucs(pair[0].kind, pair[0].data, pair[0].n,
                                               pair[0].ascii, &crc)
            crcs[waiting] = crc
        free(scratch)


def check_rows(const unsigned char[::1] rows, Py_ssize_t width, unsigned char[::1] verdicts,
               int32_t[::1] crcs):
    """check_many() over NUL-padded fixed-width records (a numpy ``S`` array), GIL released,
    two records at a time."""
    cdef Py_ssize_t count, index, i
    cdef const uint8_t* row[2]
    cdef Py_ssize_t n[2]
    cdef int pair_verdicts[2]
    cdef int32_t pair_crcs[2]
    cdef int32_t crc
    cdef uint32_t* scratch
    if width <= 0:
        raise ValueError(f"width must be positive, got {width}")
    count = rows.shape[0] // width
    if count > verdicts.shape[0] or count > crcs.shape[0]:
        raise IndexError("more payloads than room for their results")
    if count == 0:
        return
    scratch = <uint32_t*>malloc(JPQR_MAX_INPUT * sizeof(uint32_t))
    if scratch == NULL:
        raise MemoryError()
    with nogil:
        for index in range(0, count - 1, 2):
            for i in range(2):
                row[i] = &rows[(index + i) * width]
                n[i] = _unpadded(row[i], width)
            jpqr_check_utf8_pair(row, n, pair_verdicts, pair_crcs, scratch)
            for i in range(2):
                verdicts[index + i] = pair_verdicts[i]
                crcs[index + i] = pair_crcs[i]
        if count % 2:
            row[0] = &rows[(count - 1) * width]
            verdicts[count - 1] = jpqr_check_utf8(row[0], _unpadded(row[0], width), &crc, scratch)
            crcs[count - 1] = crc
    free(scratch)


cdef inline Py_ssize_t _unpadded(const uint8_t* row, Py_ssize_t width) noexcept nogil:
    """The record's length without its trailing NUL padding."""
    while width > 0 and row[width - 1] == 0:
        width -= 1
    return width


def encode(objects, *, crc=True):
    """Write data objects as a payload, the inverse of :func:`decode`."""
    cdef list root_ids = []
    if isinstance(objects, (str, bytes, bytearray, memoryview)):
        raise err.not_data_objects(objects)  # one payload, not data objects: never iterated
    cdef str text = _encode_objects(objects, "", root_ids)
    if crc and "63" not in root_ids:
        text += CRC_MARKER
        text += format_crc(crc16(text))
    return text


cdef str _encode_objects(objects, str parent_path, list ids, int depth=0):
    cdef list parts = []
    cdef Py_ssize_t length
    for obj in objects:
        # The type's own subtype check (isinstance() would believe a lying __class__), and the
        # tuple's real size before any item is read: the pure twin's fields().
        if not PyObject_TypeCheck(obj, _DATAOBJECT):
            raise err.not_data_objects(obj)
        if PyTuple_GET_SIZE(obj) != 4:
            raise err.malformed_data_object(obj)
        id = <object>PyTuple_GET_ITEM(obj, 0)
        if type(id) is not str:
            if not isinstance(id, str) or PyUnicode_GET_LENGTH(id) != 2:
                raise err.bad_id(id, parent_path)
            id = PyUnicode_FromObject(id)  # its characters, not its __hash__/__eq__
        if id not in _IDS:
            raise err.bad_id(id, parent_path)
        if ids is not None:
            ids.append(id)
        children = <object>PyTuple_GET_ITEM(obj, 2)
        if children is not None:
            if isinstance(children, (str, bytes, bytearray, memoryview)):
                raise err.not_data_objects(children)
            # The depth cap keeps the C stack bounded (templates nested 100 000 deep once
            # overflowed it) and refuses alike with the pure twin on every CPython.
            if depth >= MAX_ENCODE_DEPTH:
                raise err.too_deep(id, parent_path, MAX_ENCODE_DEPTH)
            value = _encode_objects(children, f"{parent_path}.{id}" if parent_path else id,
                                    None, depth + 1)
        else:
            value = <object>PyTuple_GET_ITEM(obj, 1)
            if not isinstance(value, str):
                raise err.bad_value(id, value, parent_path)
        length = PyUnicode_GET_LENGTH(value)  # its characters, not its __len__
        if length > MAX_VALUE_LENGTH:
            raise err.value_too_long(id, length, parent_path)
        if type(value) is not str:
            value = PyUnicode_FromObject(value)
        parts.append(id)
        parts.append(_ID_STRINGS[length])
        parts.append(value)
    return "".join(parts)
