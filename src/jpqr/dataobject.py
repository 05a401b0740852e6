"""The data object (ID, length, value) and which IDs are templates: the wire model both twins share.

EMVCo MPM v1.1 §4.1-4.2: a payload is a sequence of data objects, each a 2-digit ID, a 2-digit
length counted in characters, and the value; a template's value is itself such a sequence.

>>> obj = DataObject.primitive("59", "BEST TRANSPORT")
>>> obj
DataObject(id='59', value='BEST TRANSPORT', children=None, offset=None)
>>> DataObject.template("62", [DataObject.primitive("05", "S-1")]).value
'0503S-1'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final, NamedTuple

__all__ = [
    "MAX_INPUT_LENGTH",
    "MAX_VALUE_LENGTH",
    "NESTED_TEMPLATE_IDS",
    "ROOT_TEMPLATE_IDS",
    "DataObject",
    "find_path",
    "is_template",
]

# The decoder refuses anything longer before doing any work (DESIGN "Input limits"): EMVCo caps a
# payload at 512 characters, so 4096 leaves room for diagnosis while bounding the work per call.
MAX_INPUT_LENGTH: Final = 4096
# Two length digits (EMVCo §4.2).
MAX_VALUE_LENGTH: Final = 99
# How deep encode() follows templates in templates. Each level adds at least 4 characters (ID and
# length), so no value of 99 characters holds more than 24 levels: a deeper tree can never
# encode. The cap makes both twins refuse it alike on every CPython, where recursion limits
# differ (3.12 counts C and Python recursion apart, so the compiled twin reached other depths).
MAX_ENCODE_DEPTH: Final = 32

# Root templates: merchant account information 26-51, additional data 62, language template 64,
# RFU 65-79 (EMVCo gives them format S but no structure, so they stay primitives) and
# unreserved templates 80-99 (EMVCo §4.5, Table 3.5).
ROOT_TEMPLATE_IDS: Final = frozenset(
    [f"{n:02d}" for n in range(26, 52)] + ["62", "64"] + [f"{n:02d}" for n in range(80, 100)]
)
# Templates inside templates: only the payment-system specific templates 50-99 of ID 62.
NESTED_TEMPLATE_IDS: Final = {"62": frozenset(f"{n:02d}" for n in range(50, 100))}


# The encoder of the twin in use, for DataObject.template. The kernel selector (jpqr._kernels, a
# layer above this one) sets it when it loads and when it switches twins, so this module imports
# nothing above itself; `import jpqr` always loads the selector first.
_encode: Callable[..., str] | None = None


def is_template(path: str) -> bool:
    """Whether the object at ``path`` (``"62"``, ``"62.50"``) is read as a template.

    >>> is_template("26"), is_template("62.50"), is_template("62.05"), is_template("26.00")
    (True, True, False, False)
    """
    parent, _, child = path.rpartition(".")
    if not parent:
        return child in ROOT_TEMPLATE_IDS
    return child in NESTED_TEMPLATE_IDS.get(parent, ())


def find_path(objects: Iterable[DataObject], path: str) -> DataObject | None:
    """The first object at the ID path ``path`` in a decoded tree, or ``None``: ``"59"`` at the
    root, ``"62.05"`` for ID 05 inside the first 62 (the paths of report issues).

    >>> import jpqr
    >>> tree = jpqr.decode("00020101021162090505S-14263049FB0")
    >>> find_path(tree, "62.05").value
    'S-142'
    >>> find_path(tree, "62.07") is None, find_path(tree, "54") is None
    (True, True)
    >>> find_path(tree, "6205")
    Traceback (most recent call last):
      ...
    ValueError: expected an ID path of two-character IDs joined by '.' (such as '62.05'), ...
    """
    ids = path.split(".") if type(path) is str else None
    if not ids or any(len(id) != 2 for id in ids):
        raise ValueError(
            f"expected an ID path of two-character IDs joined by '.' (such as '62.05'), "
            f"found {path!r}"
        )
    level: Iterable[DataObject] | None = objects
    found: DataObject | None = None
    for id in ids:
        found = next((obj for obj in level or () if obj.id == id), None)
        if found is None:
            return None
        level = found.children
    return found


class DataObject(NamedTuple):
    """One data object: ``id`` (2 digits), ``value`` (the raw text, for templates too),
    ``children`` (the parsed objects of a template, ``None`` for a primitive or for a template
    whose value is not a sequence of data objects) and ``offset`` (character index of the ID in
    the payload; ``None`` for an object made in code).

    A named tuple, so both twins can make it cheaply and results compare with ``==``.
    """

    id: str
    value: str
    children: tuple[DataObject, ...] | None = None
    offset: int | None = None

    @classmethod
    def primitive(cls, id: str, value: str) -> DataObject:
        """A data object holding a plain value."""
        return cls(id, value)

    @classmethod
    def template(cls, id: str, children: Iterable[DataObject]) -> DataObject:
        """A template made of ``children``; its ``value`` is their encoding.

        >>> DataObject.template("64", [DataObject.primitive("00", "JA")]).value
        '0002JA'
        """
        from . import _tlv_errors  # made there, so both twins' errors are the same

        if issubclass(type(children), (str, bytes, bytearray, memoryview)):
            raise _tlv_errors.not_data_objects(children)  # not a sequence of data objects
        kids = tuple(children)
        assert _encode is not None, "jpqr._kernels sets the encoder when it loads"
        return cls(id, _encode(kids, crc=False), kids)

    def find(self, id: str) -> DataObject | None:
        """The first child with ``id``, or ``None``.

        >>> DataObject.template("64", [DataObject.primitive("00", "JA")]).find("00").value
        'JA'
        """
        for child in self.children or ():
            if child.id == id:
                return child
        return None
