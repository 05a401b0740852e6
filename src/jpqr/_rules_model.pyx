# cython: language_level=3, binding=False, boundscheck=False, wraparound=False
# cython: always_allow_keywords=False, cdivision=True
"""Compiled twin of ``jpqr.model.from_tree``: the same typed code, made without the Python frames
of the dataclasses' ``__init__`` and without a dictionary per object (each field is set into the
instance's shared-key storage, see :func:`_make`), the root read through a table of 100 IDs
instead of dictionaries keyed by the decoded IDs. ``parse`` uses it on the compiled twin for a clean code;
tests/test_rules_differential.py holds it to ``model.from_tree`` on every tree it is given.

It reads only DataObject trees as jpqr.decode makes them (exact tuples of str, int and None); a
tree of anything else goes to the pure twin.
"""

from cpython.object cimport PyObject, PyTypeObject

cdef extern from "Python.h":
    int PyObject_GenericSetAttr(object o, object name, object value) except -1
    unsigned int PyUnicode_READ_CHAR(object o, Py_ssize_t index)
    Py_ssize_t PyUnicode_GET_LENGTH(object o)
    bint PyUnicode_IS_ASCII(object o)

from libc.string cimport memset

import sys
from dataclasses import fields

from jpqr.dataobject import DataObject
from jpqr.model import (
    ADDITIONAL_DATA_FIELDS,
    AdditionalData,
    JPQRIdentifier,
    LanguageTemplate,
    MerchantAccount,
    MerchantPresentedCode,
    Template,
    TipOrConvenience,
    from_tree as _pure_from_tree,
)
from decimal import Decimal

from jpqr.schema import CURRENCIES, JPQR_GUID, by_numeric

__all__ = ["from_tree"]

cdef tuple _NO_ARGS = ()
cdef dict _POINT_OF_INITIATION = {"11": "static", "12": "dynamic"}
cdef dict _TIP_KINDS = {"01": "prompt", "02": "fixed", "03": "percentage"}
cdef str _GUID = JPQR_GUID
for _cls in (AdditionalData, JPQRIdentifier, LanguageTemplate, MerchantAccount,
             MerchantPresentedCode, Template, TipOrConvenience):
    if _cls.__new__ is not object.__new__ or "__slots__" in vars(_cls) or \
            _cls.__setattr__ is object.__setattr__:
        raise ImportError(f"jpqr._rules_model makes {_cls.__name__} as a plain frozen dataclass")
if tuple(ADDITIONAL_DATA_FIELDS) != tuple(f"{n:02d}" for n in range(1, 12)):
    raise ImportError("jpqr._rules_model reads 62-01..11 as model.ADDITIONAL_DATA_FIELDS did")
if type(CURRENCIES) is not dict or by_numeric("392") is not CURRENCIES["392"]:
    raise ImportError("jpqr._rules_model reads currencies as schema.by_numeric did")
if len(JPQR_GUID) != 19 or not JPQR_GUID.isascii() or JPQR_GUID != JPQR_GUID.lower():
    raise ImportError("jpqr._rules_model compares the JPQR GUID as 19 lower-case ASCII characters")


cdef tuple _names(object cls):
    """The field names of the dataclass ``cls`` in order, interned (attribute lookups compare
    them by identity)."""
    return tuple([sys.intern(spec.name) for spec in fields(cls)])


cdef tuple _ACCOUNT = _names(MerchantAccount)
cdef tuple _IDENTIFIER = _names(JPQRIdentifier)
cdef tuple _TIP = _names(TipOrConvenience)
cdef tuple _TEMPLATE = _names(Template)
cdef tuple _ADDITIONAL = _names(AdditionalData)
cdef tuple _LANGUAGE = _names(LanguageTemplate)
cdef tuple _CODE = _names(MerchantPresentedCode)


cdef object _make(object cls, tuple names, tuple values):
    """An instance of the frozen dataclass ``cls`` with ``values`` for its fields ``names``.

    What object.__new__(cls) and the dataclass's own __init__ (object.__setattr__ a field, in
    field order) do, without its frame: each attribute goes into the instance's shared-key
    storage (the class's cached keys, PEP 412), so no dictionary is built and resized per object
    (setting a whole __dict__, as the pure twin does, gives the same attributes in the same
    order, and so the same repr, equality and pickle)."""
    # object.__new__ (import checks each class has it): on Python 3.11+ it also readies the
    # instance's inline attribute values, where PyType_GenericNew leaves a dictionary to make.
    cdef object obj = (<PyTypeObject*>cls).tp_new(cls, <PyObject*>_NO_ARGS, NULL)
    cdef Py_ssize_t i
    for i in range(len(names)):
        PyObject_GenericSetAttr(obj, names[i], values[i])
    return obj


cdef dict _values(object objects):
    """Sub-ID to value in the order of the objects; of duplicates, the first wins."""
    cdef dict values = {}
    if not objects:
        return values
    for obj in <tuple>objects:
        values.setdefault((<tuple>obj)[0], (<tuple>obj)[1])
    return values


cdef dict _CURRENCIES = CURRENCIES


cdef object _decimal_of(object value):
    """model._decimal without its frame: the amount as a Decimal, None if empty or not one."""
    if not value:
        return None
    try:
        return Decimal(value)
    except ArithmeticError:
        return None


cdef object _template(tuple obj):
    cdef dict values = _values(obj[2])
    return _make(Template, _TEMPLATE, (obj[0], values.get("00"), values))


cdef bint _plain_tree(object objects, int depth) noexcept:
    """Only exact DataObjects of (str, str, tuple or None, int): what decode() makes."""
    if type(objects) is not tuple or depth > 3:
        return False
    for obj in <tuple>objects:
        if type(obj) is not DataObject or len(<tuple>obj) != 4:
            return False
        if type((<tuple>obj)[0]) is not str or type((<tuple>obj)[1]) is not str:
            return False
        children = (<tuple>obj)[2]
        if children is not None and not _plain_tree(children, depth + 1):
            return False
    return True


cdef inline int _number(str id) noexcept:
    """The ID as a number (00-99), or -1 for anything else."""
    if PyUnicode_GET_LENGTH(id) != 2:
        return -1
    cdef unsigned int a = PyUnicode_READ_CHAR(id, 0), b = PyUnicode_READ_CHAR(id, 1)
    if not (48 <= a <= 57 and 48 <= b <= 57):
        return -1
    return <int>(a - 48) * 10 + <int>(b - 48)


cdef bint _is_jpqr_guid(object guid):
    """``guid.lower() == JPQR_GUID`` (model.find_jpqr), without a new string for ASCII text."""
    cdef Py_ssize_t k
    cdef unsigned int c
    if guid is None:
        return False
    if not PyUnicode_IS_ASCII(guid):  # a non-ASCII letter may lower-case to ASCII (Kelvin sign)
        return guid.lower() == _GUID
    if PyUnicode_GET_LENGTH(guid) != 19:
        return False
    for k in range(19):
        c = PyUnicode_READ_CHAR(guid, k)
        if 0x41 <= c <= 0x5A:
            c += 32
        if c != PyUnicode_READ_CHAR(_GUID, k):
            return False
    return True


def from_tree(objects):
    """``jpqr.model.from_tree(objects)``, compiled."""
    if not _plain_tree(objects, 0):
        return _pure_from_tree(objects)
    return _read(<tuple>objects)


def from_decoded(tuple objects):
    """:func:`from_tree` of a tree the compiled decode() just made (exact DataObjects of str:
    nothing to check again)."""
    return _read(objects)


cdef inline object _value(PyObject* obj):
    """The value of a root object found (borrowed from the tree), or None."""
    if obj == NULL:
        return None
    return (<tuple>obj)[1]


cdef object _read(tuple objects):
    # The first object of each root ID (borrowed: ``objects`` holds them), as the pure twin's
    # first-of-each dict, without hashing and comparing the decoded IDs.
    cdef PyObject* first[100]
    cdef int number
    cdef list accounts = []
    cdef list unreserved = []
    cdef dict rfu = {}
    cdef tuple obj
    cdef str id
    cdef object jpqr = None
    memset(first, 0, sizeof(first))
    for item in objects:
        obj = <tuple>item
        id = <str>obj[0]
        number = _number(id)
        if number < 0:  # not two digits (a tree made by hand): the pure twin's text comparisons
            return _pure_from_tree(objects)
        if first[number] == NULL:
            first[number] = <PyObject*>obj
            if 65 <= number <= 79:
                rfu[id] = obj[1]
        if 2 <= number <= 25:
            accounts.append(_make(MerchantAccount, _ACCOUNT, (id, obj[1], None, {})))
        elif 26 <= number <= 51:
            sub = _values(obj[2])
            guid = sub.get("00")
            accounts.append(_make(MerchantAccount, _ACCOUNT, (id, obj[1], guid, sub)))
            if jpqr is None and _is_jpqr_guid(guid):  # model.find_jpqr: the first such account
                jpqr = _make(JPQRIdentifier, _IDENTIFIER, (
                    sub.get("01", ""), sub.get("02", ""), sub.get("03", ""), sub.get("04", ""),
                    id))
        elif number >= 80 and obj[2] is not None:
            unreserved.append(_template(obj))
    tip = None
    if first[55] != NULL:
        kind = _TIP_KINDS.get(_value(first[55]))
        if kind is not None:
            tip = _make(TipOrConvenience, _TIP, (
                kind, _decimal_of(_value(first[56])), _decimal_of(_value(first[57]))))
    currency_code = _value(first[53])
    payload_format = _value(first[0])
    point = _value(first[1])
    return _make(MerchantPresentedCode, _CODE, (
        "" if payload_format is None else payload_format,
        _POINT_OF_INITIATION.get(point) if point is not None else None,
        tuple(accounts) if accounts else (),
        jpqr,
        _value(first[52]),
        _CURRENCIES.get(currency_code) if currency_code else None,
        _decimal_of(_value(first[54])),
        tip,
        _value(first[58]),
        _value(first[59]),
        _value(first[60]),
        _value(first[61]),
        _additional(first[62]),
        _language(first[64]),
        tuple(unreserved) if unreserved else (),
        rfu,
        _value(first[63]),
        objects,
    ))


cdef inline object _or(PyObject* value, object default):
    """A value found (borrowed), or ``default``."""
    if value == NULL:
        return default
    return <object>value


cdef object _additional(PyObject* item):
    if item == NULL or (<tuple>item)[2] is None:
        return None
    cdef tuple children = (<tuple>item)[2]
    cdef PyObject* found[12]  # 01-11: the first value of each (model.ADDITIONAL_DATA_FIELDS)
    cdef dict rfu = {}
    cdef list templates = []
    cdef int number
    memset(found, 0, sizeof(found))
    for child in children:
        id = (<tuple>child)[0]
        number = _number(<str>id)
        if 1 <= number <= 11:
            if found[number] == NULL:
                found[number] = <PyObject*>(<tuple>child)[1]
        if (<tuple>child)[2] is not None:
            templates.append(_template(<tuple>child))
        elif not 1 <= number <= 11 and id not in rfu:
            rfu[id] = (<tuple>child)[1]
    return _make(AdditionalData, _ADDITIONAL, (
        _or(found[1], None), _or(found[2], None), _or(found[3], None), _or(found[4], None),
        _or(found[5], None), _or(found[6], None), _or(found[7], None), _or(found[8], None),
        _or(found[9], None), _or(found[10], None), _or(found[11], None), rfu,
        tuple(templates) if templates else ()))


cdef object _language(PyObject* item):
    if item == NULL or (<tuple>item)[2] is None:
        return None
    cdef PyObject* found[3]  # 00-02: the first value of each
    cdef dict rfu = {}
    cdef int number
    memset(found, 0, sizeof(found))
    for child in <tuple>(<tuple>item)[2]:
        id = (<tuple>child)[0]
        number = _number(<str>id)
        if 0 <= number <= 2:
            if found[number] == NULL:
                found[number] = <PyObject*>(<tuple>child)[1]
        elif id not in rfu:
            rfu[id] = (<tuple>child)[1]
    return _make(LanguageTemplate, _LANGUAGE, (
        _or(found[0], ""), _or(found[1], ""), _or(found[2], None), rfu))
