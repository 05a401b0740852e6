"""The BER-TLV data object and the caps both BER twins share (``_ber_py``, ``_ber.pyx``).

EMV QRCPS (Consumer-Presented Mode) codes are BER-TLV (ISO/IEC 8825-1, as EMV Book 3 Annex B
restricts it): a tag of one or more bytes, a length in short or long form, the value; a tag with
bit 6 of its first byte set is constructed, and its value is itself a sequence of data objects.

A ``BerObject`` never shows the value of a tag that holds a card number in its ``repr`` (57 Track
2 Equivalent Data, 5A Application PAN, 56 Track 1 Data, 9F6B Track 2 Data: EMV Book 3 Annex A),
and never the value of a template (its children show what it holds), so a PAN cannot reach a log
line through it.

>>> obj = BerObject("50", b"Product1")
>>> obj
BerObject(tag='50', value=b'Product1', children=None, offset=None)
>>> BerObject("5A", bytes.fromhex("1234567890123458"), None, 4)
BerObject(tag='5A', value=<8 bytes, masked>, children=None, offset=4)
>>> obj.constructed, BerObject("61", b"", ()).constructed
(False, True)
"""

from __future__ import annotations

from typing import Final, NamedTuple

__all__ = [
    "MAX_DEPTH",
    "MAX_INPUT_BYTES",
    "MAX_LENGTH_BYTES",
    "MAX_TAG_BYTES",
    "MAX_VALUE_BYTES",
    "SENSITIVE_TAGS",
    "BerObject",
]

# Refused before any work: a QR code holds at most 2953 bytes (ISO/IEC 18004, version 40-L),
# so 4096 leaves room for diagnosis while bounding the work per call.
MAX_INPUT_BYTES: Final = 4096
# Templates in templates: QRCPS nests two deep (61 > 63, 62 > 64); 8 bounds the recursion of
# both twins alike on every CPython.
MAX_DEPTH: Final = 8
# EMV Book 3 Annex B1: EMV tags are at most 2 bytes; 3 leaves room for a scheme's own tags.
MAX_TAG_BYTES: Final = 3
# EMV Book 3 Annex B2: a length field is 1 to 3 bytes ('81' then 1 byte, '82' then 2 bytes).
MAX_LENGTH_BYTES: Final = 2
MAX_VALUE_BYTES: Final = 0xFFFF
# Tags whose values are card numbers or hold them (EMV Book 3 Annex A): never shown unmasked.
SENSITIVE_TAGS: Final = frozenset({"56", "57", "5A", "9F6B"})
_CLASSES: Final = ("universal", "application", "context", "private")


class BerObject(NamedTuple):
    """One BER-TLV data object: ``tag`` (upper-case hex of its tag bytes, ``"9F26"``), ``value``
    (its bytes; for a template the encoded children), ``children`` (a tuple for a constructed
    tag, ``None`` for a primitive one), ``offset`` (byte offset of the tag in the decoded data)."""

    tag: str
    value: bytes
    children: tuple[BerObject, ...] | None = None
    offset: int | None = None

    @property
    def tag_class(self) -> str:
        """The class of the tag (bits 8-7 of its first byte, ISO/IEC 8825-1 §8.1.2.2):
        ``"universal"``, ``"application"``, ``"context"`` or ``"private"``.

        >>> BerObject("61", b"", ()).tag_class, BerObject("9F26", b"").tag_class
        ('application', 'context')
        """
        return _CLASSES[int(self.tag[:2], 16) >> 6]

    @property
    def constructed(self) -> bool:
        """Whether the tag is constructed (bit 6 of its first byte: ISO/IEC 8825-1 §8.1.2.5)."""
        return self.children is not None

    def find(self, tag: str) -> BerObject | None:
        """The first child with ``tag``, or None (also for a primitive).

        >>> BerObject("61", b"", (BerObject("4F", b"\\xa0"),)).find("4F").value
        b'\\xa0'
        """
        for child in self.children or ():
            if child.tag == tag:
                return child
        return None

    def __repr__(self) -> str:
        # Plain tuple reads: a subclass's properties cannot make the repr show what it hides.
        tag, value, children, offset = (tuple.__getitem__(self, i) for i in range(4))
        if children is not None or tag in SENSITIVE_TAGS:
            size = len(value) if isinstance(value, (bytes, bytearray)) else "?"
            what = "masked" if tag in SENSITIVE_TAGS else "template"
            shown = f"<{size} bytes, {what}>"
        else:
            shown = repr(value)
        return f"BerObject(tag={tag!r}, value={shown}, children={children!r}, offset={offset!r})"
