# cython: language_level=3, binding=False, boundscheck=False, wraparound=False
# cython: always_allow_keywords=False, cdivision=True
"""BER-TLV decoder and encoder, compiled twin of ``jpqr._ber_py`` (same results, same errors).

EMV QRCPS §7, EMV Book 3 Annex B. The walk reads the bytes where they lie; tag strings of one
and two bytes come from caches. Every error is made by the constructors in ``_ber_errors``
with the arguments the pure twin passes, so messages match to the letter.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.object cimport PyObject_TypeCheck, PyTypeObject
from cpython.ref cimport Py_INCREF
from cpython.tuple cimport PyTuple_GET_ITEM, PyTuple_GET_SIZE, PyTuple_SET_ITEM

from jpqr import _ber_errors as err
from jpqr._ber_object import (
    MAX_DEPTH,
    MAX_INPUT_BYTES,
    MAX_LENGTH_BYTES,
    MAX_TAG_BYTES,
    MAX_VALUE_BYTES,
    BerObject,
)
from jpqr._ber_py import length_bytes, tag_bytes
from jpqr._ber_py import to_bytes as _pure_to_bytes

__all__ = ["decode", "encode", "tag_bytes", "to_bytes"]

cdef Py_ssize_t _MAX_INPUT = MAX_INPUT_BYTES
cdef int _MAX_DEPTH = MAX_DEPTH
cdef int _MAX_TAG = MAX_TAG_BYTES
cdef int _MAX_LENGTH = MAX_LENGTH_BYTES
cdef Py_ssize_t _MAX_VALUE = MAX_VALUE_BYTES
cdef PyTypeObject* _BEROBJECT = <PyTypeObject*>BerObject

cdef extern from "Python.h":
    object PyType_GenericAlloc(PyTypeObject* type, Py_ssize_t items)


cdef extern from "_dataobject.h":
    int jpqr_dataobject_install(PyTypeObject* type) except -1


# BerObject(...) made straight from the allocator, as tuple.__new__(BerObject, fields) makes
# it (a call through tuple.__new__ was most of a decode): the NamedTuple must add no storage of
# its own to the tuple, which is checked here once.
if (BerObject.__mro__ != (BerObject, tuple, object) or BerObject.__dictoffset__
        or BerObject.__basicsize__ != tuple.__basicsize__ or BerObject.__weakrefoffset__):
    raise ImportError("jpqr._ber: BerObject is not a plain NamedTuple; rebuild jpqr")
# The cheaper deallocator DataObject has (_dataobject.h says why and how subclasses keep
# CPython's): this module's copy of it, installed on BerObject.
jpqr_dataobject_install(_BEROBJECT)


cdef inline object _ber_object(str tag, object value, object children, Py_ssize_t pos):
    cdef object obj = PyType_GenericAlloc(_BEROBJECT, 4)
    cdef object offset = pos
    Py_INCREF(tag)
    PyTuple_SET_ITEM(obj, 0, tag)
    Py_INCREF(value)
    PyTuple_SET_ITEM(obj, 1, value)
    Py_INCREF(children)
    PyTuple_SET_ITEM(obj, 2, children)
    Py_INCREF(offset)
    PyTuple_SET_ITEM(obj, 3, offset)
    return obj
if _MAX_LENGTH != 2 or _MAX_TAG > 3:
    raise ImportError("jpqr._ber was built for other BER caps; rebuild it")

# The tag strings of one-byte tags, and of two-byte tags by their 16-bit value.
cdef list _TAG1 = [f"{n:02X}" for n in range(256)]
cdef dict _TAG2 = {}
# The shortest length fields, cached for the short form.
cdef list _LENGTH1 = [bytes((n,)) for n in range(0x80)]


cpdef bytes to_bytes(data):
    """Check the input's type and size and return its bytes (the pure twin's rules)."""
    cdef object raw
    if type(data) is bytes:
        if PyBytes_GET_SIZE(data) > _MAX_INPUT:
            raise err.too_long(PyBytes_GET_SIZE(data), _MAX_INPUT)
        return data
    # PyBytes_Check and friends: the type's flags, not a __class__ that lies
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise err.not_bytes(data)
    raw = _pure_to_bytes(data)
    if type(raw) is not bytes or PyBytes_GET_SIZE(raw) > _MAX_INPUT:  # trust nothing
        raise SystemError("jpqr: to_bytes broke its contract")
    return raw


def decode(data):
    """Read BER-TLV data as a tree of BerObject."""
    cdef bytes raw = to_bytes(data)
    return _decode(raw, <const unsigned char*>PyBytes_AS_STRING(raw), 0, PyBytes_GET_SIZE(raw),
                   "", 0)


cdef str _tag_text(const unsigned char* p, Py_ssize_t pos, Py_ssize_t index):
    cdef Py_ssize_t size = index - pos
    cdef int key
    if size == 1:
        return _TAG1[p[pos]]
    if size == 2:
        key = (p[pos] << 8) | p[pos + 1]
        text = _TAG2.get(key)
        if text is None:
            text = _TAG1[p[pos]] + _TAG1[p[pos + 1]]
            _TAG2[key] = text
        return text
    return (<bytes>PyBytes_FromStringAndSize(<const char*>p + pos, size)).hex().upper()


cdef tuple _decode(bytes raw, const unsigned char* p, Py_ssize_t start, Py_ssize_t end,
                   str parent, int depth):
    cdef list objects = []
    cdef Py_ssize_t pos = start, index, length_at, value_end
    cdef Py_ssize_t length, count, k
    cdef unsigned int first, byte
    cdef str tag, path
    cdef object children
    while pos < end:
        first = p[pos]
        if first == 0:
            raise err.zero_tag(pos, parent)
        index = pos + 1
        if first & 0x1F == 0x1F:
            while True:
                if index >= end:
                    raise err.truncated(pos, parent, "", "the rest of a multi-byte tag")
                byte = p[index]
                if index == pos + 1 and byte == 0x80:
                    raise err.tag_not_minimal(pos, parent)
                index += 1
                if not byte & 0x80:
                    break
                if index - pos >= _MAX_TAG:
                    raise err.tag_too_long(pos, parent, _MAX_TAG)
        tag = _tag_text(p, pos, index)
        if index >= end:
            raise err.truncated(index, parent, tag, "a length")
        length_at = index
        length = p[index]
        index += 1
        if length & 0x80:
            count = length & 0x7F
            path = f"{parent}.{tag}" if parent else tag
            if count == 0:
                raise err.indefinite_length(length_at, path)
            if length == 0xFF:
                raise err.length_reserved(length_at, path)
            if count > _MAX_LENGTH:
                raise err.length_too_long(length_at, path, count, _MAX_LENGTH)
            if count > end - index:
                raise err.truncated(length_at, parent, tag, f"{count} more length bytes")
            length = 0
            for k in range(count):
                length = (length << 8) | p[index + k]
            if length < (0x80 if count == 1 else 0x100):
                raise err.length_not_minimal(length_at, path, length)
            index += count
        if length > end - index:  # no sum that could overflow
            raise err.length_overrun(pos, parent, tag, length, end - index)
        value_end = index + length
        children = None
        if first & 0x20:
            if depth >= _MAX_DEPTH:
                raise err.too_deep(pos, parent, tag, _MAX_DEPTH)
            children = _decode(raw, p, index, value_end, f"{parent}.{tag}" if parent else tag,
                               depth + 1)
        objects.append(_ber_object(
            tag, PyBytes_FromStringAndSize(<const char*>p + index, length), children, pos))
        pos = value_end
    return tuple(objects)


def encode(objects):
    """Write data objects as BER-TLV, the inverse of decode()."""
    if isinstance(objects, (str, bytes, bytearray, memoryview)):
        raise err.not_ber_objects(objects)  # one value, not data objects: never iterated
    return _encode(objects, "", 0)


cdef bytes _encode(objects, str parent, int depth):
    cdef list parts = []
    cdef Py_ssize_t size
    cdef bytes head
    for obj in objects:
        # The type's own subtype check (isinstance() would believe a lying __class__), and the
        # tuple's real size before any item is read: the pure twin's fields().
        if not PyObject_TypeCheck(obj, _BEROBJECT):
            raise err.not_ber_objects(obj)
        if PyTuple_GET_SIZE(obj) != 4:
            raise err.malformed_ber_object(obj)
        tag = <object>PyTuple_GET_ITEM(obj, 0)
        head = tag_bytes(tag, parent)
        if type(head) is not bytes or PyBytes_GET_SIZE(head) == 0:  # trust nothing
            raise SystemError("jpqr: tag_bytes broke its contract")
        tag = head.hex().upper()
        children = <object>PyTuple_GET_ITEM(obj, 2)
        if (<const unsigned char*>PyBytes_AS_STRING(head))[0] & 0x20:
            if children is None:
                raise err.children_expected(tag, parent)
            if isinstance(children, (str, bytes, bytearray, memoryview)):
                raise err.not_ber_objects(children)
            if depth >= _MAX_DEPTH:
                raise err.encode_too_deep(tag, parent, _MAX_DEPTH)
            value = _encode(children, f"{parent}.{tag}" if parent else tag, depth + 1)
        else:
            if children is not None:
                raise err.children_unexpected(tag, parent)
            value = <object>PyTuple_GET_ITEM(obj, 1)
            if type(value) is not bytes:
                if not isinstance(value, bytes):
                    raise err.bad_value(tag, value, parent)
                with memoryview(value) as view:  # its buffer, not its __bytes__
                    value = view.tobytes()
        size = PyBytes_GET_SIZE(value)
        if size > _MAX_VALUE:
            raise err.value_too_long(tag, size, parent, _MAX_VALUE)
        parts.append(head)
        parts.append(_LENGTH1[size] if size < 0x80 else length_bytes(size))
        parts.append(value)
    return b"".join(parts)
