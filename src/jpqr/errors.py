"""The one exception hierarchy of jpqr, raised alike by the pure-Python and the Cython twins.

Every error is a :class:`JPQRError` (a :class:`ValueError`) carrying a stable dotted ``code``,
the character ``offset`` in the payload (a byte offset for invalid UTF-8) or ``None``, the ID
``path`` (``"62.05"``; ``""`` for the payload itself) and one plain sentence saying what was
expected and what was found. ``str(err)`` starts with the code in brackets, so a log line or a
traceback names the rule; ``err.message`` is the sentence alone.

>>> err = DecodeError("tlv.invalid_id", "expected a 2-digit ID, found 'AB'", offset=4)
>>> err.code, err.offset, isinstance(err, ValueError)
('tlv.invalid_id', 4, True)
>>> str(err)
"[tlv.invalid_id] expected a 2-digit ID, found 'AB' (at offset 4)"
>>> err.message
"expected a 2-digit ID, found 'AB'"

An error may stand for several problems found at once (a :class:`BuildError` for a spec with
many bad fields): ``err.issues`` lists every one as a :class:`jpqr.report.Issue` (``code``,
``path``, ``offset``, ``message``, as in a validation report), the first being the error's own.

>>> [issue.code for issue in err.issues]
['tlv.invalid_id']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .report import Issue

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
    """Base of every jpqr error: ``code``, ``offset``, ``path``, a plain ``message``, and
    ``issues``: every problem it stands for (``issues=`` gives them, the first being this
    error's own; by default the error alone)."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        offset: int | None = None,
        path: str = "",
        issues: Sequence[Issue] = (),
    ) -> None:
        self.code = code
        self.message = message
        self.offset = offset
        self.path = path
        # Kept as given; without them the error is its own one issue (see ``issues``).
        self._issues: tuple[Issue, ...] = tuple(issues)
        super().__init__(code, message, offset, path)

    @property
    def issues(self) -> tuple[Issue, ...]:
        """Every problem this error stands for, the first being its own code, path and message.

        >>> err = BuildError("field.length", "expected 4 characters", path="52")
        >>> err.issues
        (Issue(code='field.length', path='52', offset=None, message='expected 4 characters'),)
        """
        given: tuple[Issue, ...] = getattr(self, "_issues", ())  # a subclass may skip __init__
        if given:
            return given
        from .report import Issue  # made when asked (never cached: it follows the attributes)

        return (Issue(self.code, self.path, self.offset, self.message),)

    def __str__(self) -> str:
        # One line, the error's own problem first, then the others: a log line or a terminal
        # gets every problem without a line break to escape.
        return "; and ".join(_line(i.code, i.message, i.path, i.offset) for i in self.issues)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.code!r}, {self.message!r}, "
            f"offset={self.offset!r}, path={self.path!r})"
        )

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only arguments do not survive the default exception pickling.
        return (
            _rebuild,
            (type(self), self.code, self.message, self.offset, self.path, self._issues),
        )

    def __eq__(self, other: object) -> bool:
        # Lets tests hold the twins to identical errors with a plain ==.
        if not isinstance(other, JPQRError):
            return NotImplemented
        return (type(self), self.code, self.message, self.offset, self.path, self.issues) == (
            type(other),
            other.code,
            other.message,
            other.offset,
            other.path,
            other.issues,
        )

    __hash__ = ValueError.__hash__


def _line(code: str, message: str, path: str, offset: int | None) -> str:
    where = []
    if path:
        where.append(f"ID {path}")
    if offset is not None:
        where.append(f"offset {offset}")
    return f"[{code}] {message} (at {', '.join(where)})" if where else f"[{code}] {message}"


def _rebuild(
    cls: type[JPQRError],
    code: str,
    message: str,
    offset: int | None,
    path: str,
    issues: tuple[Issue, ...] = (),
) -> JPQRError:
    return cls(code, message, offset=offset, path=path, issues=issues)


class DecodeError(JPQRError):
    """The text cannot be read as data objects (ID, length, value)."""


class EncodeError(JPQRError):
    """Data objects that cannot be written as a payload (bad ID, value too long)."""


class ValidationError(JPQRError):
    """A payload that decodes but breaks a rule of its profile (raised by ``jpqr.parse``)."""


class BuildError(JPQRError):
    """A builder value that would make an invalid code; names the field and the rule.

    ``issues`` lists every problem found at once (``Builder.from_dict`` checks every field of a
    spec, ``Builder.build`` every missing object); the error itself is the first of them.

    >>> from jpqr import Builder
    >>> try:
    ...     Builder.from_dict({"merchant_category_code": "599", "country": "XX"})
    ... except BuildError as exc:
    ...     print(exc.code, [(i.code, i.path) for i in exc.issues])
    field.length [('field.length', '52'), ('country.unknown', '58')]
    """
