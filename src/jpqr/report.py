"""What validation found: :class:`Issue` (one finding) and :class:`ValidationReport` (all of them).

Every issue has a stable dotted ``code`` (listed in docs/issue-codes.md), the ID ``path`` of the
object it concerns (``"62.05"``; ``""`` for the payload as a whole), the character ``offset`` in
the checked payload (or ``None``) and one plain sentence: what was expected, what was found.

>>> issue = Issue("field.missing", "52", None, "expected ID 52, found none")
>>> report = ValidationReport(False, "emvco", "ok", (issue,), (), "...")
>>> report.to_dict()["errors"][0]["code"]
'field.missing'
>>> bool(report), report.to_dict()["valid"]
(False, False)
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from typing import Any, NamedTuple, NoReturn

__all__ = ["Issue", "ValidationReport"]


# Issue and ValidationReport are records made by the million (one report a code), so they are
# tuples: made in one C call (the compiled engine makes a clean report without any Python code),
# fields read through C descriptors, no __dict__, no per-field __setattr__. They keep what they
# had as frozen dataclasses: keyword construction, the same repr, equality only with their own
# class, hash(), pickling, FrozenInstanceError on assignment, no ordering.
# tests/test_report_model.py holds them to the dataclasses they were.


def _frozen(self: object, name: str, value: object) -> NoReturn:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _undeletable(self: object, name: str) -> NoReturn:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _no_order(self: object, other: object) -> Any:
    return NotImplemented


def _seal(cls: type) -> None:
    """What a frozen dataclass is and a tuple is not: equal only to its own class, immutable,
    not ordered, not concatenated (set after the class, where NamedTuple allows no methods of
    these names to be typed)."""

    # type(self), not cls: a subclass (jpqr.cpm's ConsumerReport) is equal to its own kind
    def __eq__(self: tuple[Any, ...], other: object) -> bool:
        return type(other) is type(self) and tuple.__eq__(self, other)

    def __ne__(self: tuple[Any, ...], other: object) -> bool:
        return not (type(other) is type(self) and tuple.__eq__(self, other))

    methods: dict[str, Any] = {
        "__eq__": __eq__,
        "__ne__": __ne__,
        "__hash__": tuple.__hash__,  # hash() of the fields, as the frozen dataclass had
        "__setattr__": _frozen,
        "__delattr__": _undeletable,
    }
    for name in ("__lt__", "__le__", "__gt__", "__ge__", "__add__", "__mul__", "__rmul__"):
        methods[name] = _no_order
    for name, method in methods.items():
        setattr(cls, name, method)


class Issue(NamedTuple):
    """One finding of validation: an error (the code is invalid) or a warning (it is doubtful)."""

    code: str
    path: str
    offset: int | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        """The issue as a JSON-ready dict with ``code``, ``path``, ``offset``, ``message``.

        >>> Issue("crc.mismatch", "63", 70, "expected CRC 6197, found 6198").to_dict()["offset"]
        70
        """
        return {
            "code": self.code,
            "path": self.path,
            "offset": self.offset,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = [f"ID {self.path}"] if self.path else []
        if self.offset is not None:
            where.append(f"offset {self.offset}")
        suffix = f" (at {', '.join(where)})" if where else ""
        return f"{self.code}: {self.message}{suffix}"


class ValidationReport(NamedTuple):
    """The verdict on one payload.

    ``ok`` is true when there are no errors (warnings do not make a code invalid); ``profile`` is
    the profile applied (``"emvco"`` or ``"jpqr"``); ``crc`` is ``"ok"``, ``"lowercase"``,
    ``"mismatch"`` or ``"missing"``, judged from the trailing ``6304`` and four characters even
    where the structure does not decode; ``payload`` is the text that was checked (after the
    stripping that ``lenient=True`` does), the reference for every ``offset``.
    """

    ok: bool
    profile: str
    crc: str
    errors: tuple[Issue, ...]
    warnings: tuple[Issue, ...]
    payload: str

    def __bool__(self) -> bool:
        return self.ok

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes of all errors, then all warnings, in order (handy in tests and filters)."""
        return tuple(issue.code for issue in self.errors + self.warnings)

    def format(self, *, label: str = "payload", color: bool = False, width: int = 76) -> str:
        """The human report, as ``jpqr validate`` prints it: the verdict, the code's scheme
        (:func:`jpqr.classify`), then each issue with
        where it is, its message and the offending part of the payload marked; ANSI colour with
        ``color=True``; excerpts fit ``width`` columns.

        >>> from jpqr import validate
        >>> mercari = ("0002016003xxx01021129300012D156000000000510A93FO3230Q31280012D15600000001"
        ...     "030812345678266800" "19jp.or.paymentsjapan0113000000000000102040001030600000104"
        ...     "060000015303392" "5903xxx64180002JA0108メルペイ カフェ"
        ...     "520441115802JP610710661436304DEE8")
        >>> print(validate(mercari).format(width=60))
        payload: INVALID (profile jpqr, CRC mismatch, 1 error)
          scheme: JPQR (Japan, 統一QRコード), static
          error crc.mismatch at ID 63, offset 222
            expected CRC DEE9 (CRC-16/CCITT-FALSE over the UTF-8
            bytes up to and including 6304), found 'DEE8'
            …0002JA0108メルペイ カフェ520441115802JP610710661436304DEE8
                                                                   ^^^^
        """
        from ._explain import explain_code  # the text renderer: loaded by who asks for text
        from ._terminal import Marker, Style

        style = Style(color)
        return explain_code(label, self.payload, self, style, Marker(style, width=width))

    def to_dict(self) -> dict[str, Any]:
        """``{"valid", "profile", "crc", "errors", "warnings"}``, issues as dicts (JSON-ready)."""
        return {
            "valid": self.ok,
            "profile": self.profile,
            "crc": self.crc,
            "errors": [issue.to_dict() for issue in self.errors],
            "warnings": [issue.to_dict() for issue in self.warnings],
        }


_seal(Issue)
_seal(ValidationReport)
