"""The one exception hierarchy of jpqr, raised alike by the pure-Python and the Cython twins.

Every error is a :class:`JPQRError` (a :class:`ValueError`) carrying a stable dotted ``code``,
the character ``offset`` in the payload (a byte offset for invalid UTF-8) or ``None``, the ID
``path`` (``"62.05"``; ``""`` for the payload itself) and one plain sentence saying what was
expected and what was found.

>>> err = DecodeError("tlv.invalid_id", "expected a 2-digit ID, found 'AB'", offset=4)
>>> err.code, err.offset, isinstance(err, ValueError)
('tlv.invalid_id', 4, True)
>>> str(err)
"expected a 2-digit ID, found 'AB' (at offset 4)"
"""

from __future__ import annotations

__all__ = [
    "BuildError",
    "DecodeError",
    "EncodeError",
    "JPQRError",
    "ValidationError",
    "snippet",
]

# Hostile input is cut short in messages: a person needs to see where, not all 4096 characters.
_SNIPPET_LIMIT = 24


def snippet(text: str | bytes, limit: int = _SNIPPET_LIMIT) -> str:
    """Quote ``text`` for a message, cut to ``limit`` characters.

    >>> snippet("6304A13A\\n")
    "'6304A13A\\\\n'"
    >>> snippet("x" * 40)
    "'xxxxxxxxxxxxxxxxxxxxxxxx'…(40 characters)"
    """
    if len(text) <= limit:
        return repr(text)
    unit = "bytes" if isinstance(text, bytes) else "characters"
    return f"{text[:limit]!r}…({len(text)} {unit})"


class JPQRError(ValueError):
    """Base of every jpqr error: ``code``, ``offset``, ``path`` and a plain ``message``."""

    def __init__(
        self, code: str, message: str, *, offset: int | None = None, path: str = ""
    ) -> None:
        self.code = code
        self.message = message
        self.offset = offset
        self.path = path
        super().__init__(code, message, offset, path)

    def __str__(self) -> str:
        where = []
        if self.path:
            where.append(f"ID {self.path}")
        if self.offset is not None:
            where.append(f"offset {self.offset}")
        return f"{self.message} (at {', '.join(where)})" if where else self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.code!r}, {self.message!r}, "
            f"offset={self.offset!r}, path={self.path!r})"
        )

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only arguments do not survive the default exception pickling.
        return (_rebuild, (type(self), self.code, self.message, self.offset, self.path))

    def __eq__(self, other: object) -> bool:
        # Lets tests hold the twins to identical errors with a plain ==.
        if not isinstance(other, JPQRError):
            return NotImplemented
        return (type(self), self.code, self.message, self.offset, self.path) == (
            type(other),
            other.code,
            other.message,
            other.offset,
            other.path,
        )

    __hash__ = ValueError.__hash__


def _rebuild(
    cls: type[JPQRError], code: str, message: str, offset: int | None, path: str
) -> JPQRError:
    return cls(code, message, offset=offset, path=path)


class DecodeError(JPQRError):
    """The text cannot be read as data objects (ID, length, value)."""


class EncodeError(JPQRError):
    """Data objects that cannot be written as a payload (bad ID, value too long)."""


class ValidationError(JPQRError):
    """A payload that decodes but breaks a rule of its profile (raised by ``jpqr.parse``)."""


class BuildError(JPQRError):
    """A builder value that would make an invalid code; names the field and the rule."""
