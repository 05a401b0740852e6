# cython: language_level=3, binding=False, boundscheck=False, wraparound=False
# cython: always_allow_keywords=False, cdivision=True
"""Compiled twin of ``jpqr.model.from_tree``: the same typed code, made without the Python frames
of the dataclasses' ``__init__`` (each object gets its whole ``__dict__`` in one call, as the
pure twin's ``__init__`` does). ``parse`` uses it on the compiled twin for a clean code;
tests/test_rules_differential.py holds it to ``model.from_tree`` on every tree it is given.

It reads only DataObject trees as jpqr.decode makes them (exact tuples of str, int and None); a
tree of anything else goes to the pure twin.
"""

cdef extern from "Python.h":
    object PyType_GenericNew(object type, object args, object kwds)
    int PyObject_GenericSetDict(object o, object value, void* context) except -1
    unsigned int PyUnicode_READ_CHAR(object o, Py_ssize_t index)
    Py_ssize_t PyUnicode_GET_LENGTH(object o)

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
    _decimal,
    from_tree as _pure_from_tree,
)
from jpqr.schema import JPQR_GUID, by_numeric

__all__ = ["from_tree"]

cdef tuple _NO_ARGS = ()
cdef dict _POINT_OF_INITIATION = {"11": "static", "12": "dynamic"}
cdef dict _TIP_KINDS = {"01": "prompt", "02": "fixed", "03": "percentage"}
cdef frozenset _LANGUAGE_FIELDS = frozenset({"00", "01", "02"})
cdef tuple _ADDITIONAL = tuple(ADDITIONAL_DATA_FIELDS)
cdef frozenset _ADDITIONAL_SET = frozenset(ADDITIONAL_DATA_FIELDS)
cdef str _GUID = JPQR_GUID
for _cls in (AdditionalData, JPQRIdentifier, LanguageTemplate, MerchantAccount,
             MerchantPresentedCode, Template, TipOrConvenience):
    if _cls.__new__ is not object.__new__ or "__slots__" in vars(_cls):
        raise ImportError(f"jpqr._rules_model makes {_cls.__name__} as a plain dataclass")
if tuple(ADDITIONAL_DATA_FIELDS) != tuple(f"{n:02d}" for n in range(1, 12)):
    raise ImportError("jpqr._rules_model reads 62-01..11 as model.ADDITIONAL_DATA_FIELDS did")


cdef inline object _make(object cls, dict values):
    """An instance of the (plain, frozen) dataclass ``cls`` with ``values`` as its __dict__:
    what object.__new__(cls) and the pure twin's __init__ do, in two C calls."""
    cdef object obj = PyType_GenericNew(cls, _NO_ARGS, None)
    PyObject_GenericSetDict(obj, values, NULL)
    return obj


cdef dict _values(object objects):
    """Sub-ID to value in the order of the objects; of duplicates, the first wins."""
    cdef dict values = {}
    if not objects:
        return values
    for obj in <tuple>objects:
        id = (<tuple>obj)[0]
        if id not in values:
            values[id] = (<tuple>obj)[1]
    return values


cdef object _template(tuple obj):
    cdef dict values = _values(obj[2])
    return _make(Template, {"id": obj[0], "guid": values.get("00"), "values": values})


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


def from_tree(objects):
    """``jpqr.model.from_tree(objects)``, compiled."""
    if not _plain_tree(objects, 0):
        return _pure_from_tree(objects)
    return _read(<tuple>objects)


def from_decoded(tuple objects):
    """:func:`from_tree` of a tree the compiled decode() just made (exact DataObjects of str:
    nothing to check again)."""
    return _read(objects)


cdef object _read(tuple objects):
    cdef int number
    cdef dict by_id = {}
    cdef dict values = {}
    cdef list accounts = []
    cdef list unreserved = []
    cdef dict rfu = {}
    cdef tuple obj
    cdef str id
    for item in <tuple>objects:
        obj = <tuple>item
        id = <str>obj[0]
        if id not in by_id:
            by_id[id] = obj
            values[id] = obj[1]
        number = _number(id)
        if number < 0:  # not two digits (a tree made by hand): compared as text, as the pure twin
            if "02" <= id <= "25":
                number = 2
            elif "26" <= id <= "51":
                number = 26
            else:
                if id >= "80" and obj[2] is not None:
                    unreserved.append(_template(obj))
                if "65" <= id <= "79" and id not in rfu:
                    rfu[id] = obj[1]
                continue
        if 2 <= number <= 25:
            accounts.append(_make(MerchantAccount, {
                "id": id, "value": obj[1], "guid": None, "values": {}}))
        elif 26 <= number <= 51:
            sub = _values(obj[2])
            accounts.append(_make(MerchantAccount, {
                "id": id, "value": obj[1], "guid": sub.get("00"), "values": sub}))
        elif number >= 80 and obj[2] is not None:
            unreserved.append(_template(obj))
        elif 65 <= number <= 79 and id not in rfu:
            rfu[id] = obj[1]
    jpqr = None
    for account in accounts:
        guid = account.guid
        if guid is not None and guid.lower() == _GUID:
            sub = account.values
            jpqr = _make(JPQRIdentifier, {
                "level1": sub.get("01", ""), "level2": sub.get("02", ""),
                "level3": sub.get("03", ""), "level4": sub.get("04", ""),
                "template_id": account.id})
            break
    currency_code = values.get("53")
    tip = None
    kind = _TIP_KINDS.get(values.get("55", "")) if "55" in values else None
    if kind is not None:
        tip = _make(TipOrConvenience, {
            "kind": kind, "fixed_fee": _decimal(values.get("56")),
            "percentage": _decimal(values.get("57"))})
    return _make(MerchantPresentedCode, {
        "payload_format": values.get("00", ""),
        "point_of_initiation": _POINT_OF_INITIATION.get(values.get("01", "")),
        "merchant_accounts": tuple(accounts) if accounts else (),
        "jpqr": jpqr,
        "merchant_category_code": values.get("52"),
        "currency": by_numeric(currency_code) if currency_code else None,
        "amount": _decimal(values.get("54")),
        "tip_or_convenience": tip,
        "country": values.get("58"),
        "merchant_name": values.get("59"),
        "merchant_city": values.get("60"),
        "postal_code": values.get("61"),
        "additional_data": _additional(by_id.get("62")),
        "language": _language(by_id.get("64")),
        "unreserved": tuple(unreserved) if unreserved else (),
        "rfu": rfu,
        "crc": values.get("63"),
        "objects": objects,
    })


cdef object _additional(object item):
    if item is None or (<tuple>item)[2] is None:
        return None
    cdef tuple children = (<tuple>item)[2]
    cdef dict values = _values(children)
    cdef dict rfu = {}
    cdef list templates = []
    for child in children:
        if (<tuple>child)[2] is not None:
            templates.append(_template(<tuple>child))
        elif (<tuple>child)[0] not in _ADDITIONAL_SET:
            if (<tuple>child)[0] not in rfu:
                rfu[(<tuple>child)[0]] = (<tuple>child)[1]
    get = values.get
    return _make(AdditionalData, {
        "bill_number": get("01"), "mobile_number": get("02"), "store_label": get("03"),
        "loyalty_number": get("04"), "reference_label": get("05"),
        "customer_label": get("06"), "terminal_label": get("07"), "purpose": get("08"),
        "consumer_data_request": get("09"), "merchant_tax_id": get("10"),
        "merchant_channel": get("11"), "rfu": rfu,
        "templates": tuple(templates) if templates else ()})


cdef object _language(object item):
    if item is None or (<tuple>item)[2] is None:
        return None
    cdef dict values = _values((<tuple>item)[2])
    cdef dict rfu = {}
    for key, value in values.items():
        if key not in _LANGUAGE_FIELDS:
            rfu[key] = value
    return _make(LanguageTemplate, {
        "language_preference": values.get("00", ""), "merchant_name": values.get("01", ""),
        "merchant_city": values.get("02"), "rfu": rfu})
