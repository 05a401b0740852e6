"""The rules of a customer-presented code, run over its BER-TLV tree: where each tag may stand,
how often, its length and format (tables in :mod:`jpqr.cpm.schema`), and each profile's own rules.

No message quotes the value of a sensitive tag (57, 5A, JPQR 57): it says what is wrong with
it, by position, never the digits.

>>> from jpqr import _ber_py
>>> tree = _ber_py.decode(bytes.fromhex("8505435056303161094F07A0000000555555"))
>>> [issue.code for issue in check(tree, EMV)[0]]
['cpm.account_missing']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from .._ber_object import BerObject
from ..errors import snippet
from ..report import Issue
from .schema import EMV, Profile, Spec

__all__ = ["check", "luhn_ok", "pan_error", "track2_error"]

_AN: Final = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_ANS: Final = frozenset(range(0x20, 0x7F))  # B3 §4.3: the printable ASCII characters


def _join(parent: str, tag: str) -> str:
    return f"{parent}.{tag}" if parent else tag


def _nibbles(value: bytes) -> str:
    return value.hex().upper()


def pan_error(digits: str) -> str | None:
    """Why PAN digits (the nibbles of 5A before its F padding, or of 57 before D) are not a
    PAN, or None: 12 to 19 decimal digits (ISO/IEC 7812-1)."""
    if not digits.isdigit() or not digits.isascii():
        return "a PAN of decimal digits"
    if not 12 <= len(digits) <= 19:
        return f"a PAN of 12 to 19 digits, found {len(digits)}"
    return None


def luhn_ok(digits: str) -> bool:
    """The ISO/IEC 7812-1 check digit (Luhn).

    >>> luhn_ok("79927398713"), luhn_ok("79927398710")
    (True, False)
    """
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = ord(char) - 48
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def track2_error(value: bytes) -> str | None:
    """Why a track 2 equivalent (EMV Book 3 Annex A, tag 57) is malformed, or None: PAN,
    separator D, expiry YYMM, service code (3 digits), discretionary digits, and an F only to
    pad the last byte. Says what, never the digits."""
    nibbles = _nibbles(value)
    pan, separator, rest = nibbles.partition("D")
    if not separator:
        return "expected the field separator D after the PAN, found none"
    why = pan_error(pan)
    if why:
        return f"expected {why} before the separator D"
    if rest.endswith("F"):
        rest = rest[:-1]
    if not rest.isdigit():
        return "expected decimal digits after the separator D (an F only as the last nibble)"
    if len(rest) < 7:
        return (
            f"expected an expiry date (YYMM) and a service code after D, found {len(rest)} digits"
        )
    if not 1 <= int(rest[2:4]) <= 12:
        return "expected an expiry month 01 to 12"
    return None


def _format_error(spec: Spec, value: bytes) -> str | None:
    """Why ``value`` breaks its format (EMV Book 3 §4.3), or None. Never quotes a value."""
    kind = spec.format
    if kind == "an" and not _AN.issuperset(value):
        return "alphanumeric characters (A-Z, a-z, 0-9)"
    if kind == "ans" and not _ANS.issuperset(value):
        return "printable ASCII characters"
    if kind == "n" and not _nibbles(value).isdigit():
        return "BCD digits (each nibble 0-9)"
    if kind == "cn":
        digits = _nibbles(value).rstrip("F")
        if not digits.isdigit():
            return "BCD digits padded on the right with F"
        why = pan_error(digits) if spec.tag == "5A" else None
        if why:
            return why
    return None


def _shown(value: bytes) -> str:
    """How a message may show a value: printable ASCII as text, cut short, anything else by
    its size only (bytes that are not text may be a card number that ended up here)."""
    if _ANS.issuperset(value):
        return snippet(value.decode("ascii"))
    return f"{len(value)} bytes that are not ASCII text"


class _Checker:
    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []

    def error(self, code: str, path: str, offset: int | None, message: str) -> None:
        self.errors.append(Issue(code, path, offset, message))

    def warn(self, code: str, path: str, offset: int | None, message: str) -> None:
        self.warnings.append(Issue(code, path, offset, message))

    def template(self, objects: Sequence[BerObject], key: str, path: str, at: int | None) -> None:
        profile = self.profile
        allowed = profile.templates[key]
        transparent = key in profile.transparent
        seen: dict[str, int] = {}
        for obj in objects:
            tag = obj.tag
            where = _join(path, tag)
            count = seen[tag] = seen.get(tag, 0) + 1
            placement = allowed.get(tag)
            spec = profile.tags.get(tag)
            if placement is None and not transparent:
                if spec is not None:
                    self.error(
                        "cpm.misplaced",
                        where,
                        obj.offset,
                        f"expected {spec.name} (tag {tag}) elsewhere, found it in "
                        f"{'the payload' if not path else f'template {path}'}",
                    )
                else:
                    self.warn(
                        "cpm.unknown_tag",
                        where,
                        obj.offset,
                        f"expected a tag {profile.name} defines here, found tag {tag} "
                        f"({len(obj.value)} bytes); it is kept, not checked",
                    )
                continue
            if count == 2 and not (placement and placement.repeat):
                self.error(
                    "cpm.duplicate",
                    where,
                    obj.offset,
                    f"expected tag {tag} at most once in "
                    f"{'the payload' if not path else f'template {path}'}, found it again",
                )
            if spec is None:
                continue  # transparent: any tag may pass to the issuer
            if spec.format == "template":
                if obj.children is None or tag not in profile.templates:
                    continue
                self.template(obj.children, tag, where, obj.offset)
                continue
            self.value(spec, obj, where)
        for tag, placement in allowed.items():
            if placement.required and tag not in seen:
                name = profile.tags[tag].name
                self.error(
                    "cpm.missing",
                    _join(path, tag),
                    at,
                    f"expected {name} (tag {tag}) in "
                    f"{'the payload' if not path else f'template {path}'}, found none",
                )

    def value(self, spec: Spec, obj: BerObject, where: str) -> None:
        value, size = obj.value, len(obj.value)
        if size < spec.min or (spec.max is not None and size > spec.max):
            bound = str(spec.min) if spec.min == spec.max else f"{spec.min} to {spec.max}"
            if spec.max is None:
                bound = f"at least {spec.min}"
            self.error(
                "cpm.length",
                where,
                obj.offset,
                f"expected {spec.name} of {bound} bytes, found {size}",
            )
            return
        if spec.format == "track2":
            why = track2_error(value)
            if why:
                self.error("cpm.track2", where, obj.offset, f"{spec.name}: {why}")
            elif not luhn_ok(_nibbles(value).partition("D")[0]):
                self.warn(
                    "cpm.pan_check_digit",
                    where,
                    obj.offset,
                    "expected the PAN in Track 2 Equivalent Data to pass the Luhn check "
                    "(ISO/IEC 7812-1), found a wrong check digit (a token may not)",
                )
            return
        why = _format_error(spec, value)
        if why:
            self.error("cpm.format", where, obj.offset, f"expected {spec.name} as {why}")
            return
        if spec.tag == "5A" and not luhn_ok(_nibbles(value).rstrip("F")):
            self.warn(
                "cpm.pan_check_digit",
                where,
                obj.offset,
                "expected the Application PAN to pass the Luhn check (ISO/IEC 7812-1), "
                "found a wrong check digit (a token may not)",
            )


def check(tree: Sequence[BerObject], profile: Profile) -> tuple[list[Issue], list[Issue]]:
    """The errors and warnings of a decoded code under ``profile``."""
    checker = _Checker(profile)
    if tree and tree[0].tag != "85" and any(obj.tag == "85" for obj in tree):
        first = next(obj for obj in tree if obj.tag == "85")
        checker.error(
            "cpm.order",
            "85",
            first.offset,
            f"expected the Payload Format Indicator (tag 85) first, found tag {tree[0].tag} "
            "before it",
        )
    checker.template(tree, "", "", None)
    indicator = next((obj for obj in tree if obj.tag == "85"), None)
    if indicator is not None and len(indicator.value) == 5:
        expected = "CPV01" if profile is EMV else "JPQR"
        if not indicator.value.startswith(expected.encode()):
            checker.error(
                "cpm.payload_format",
                "85",
                indicator.offset,
                f"expected a Payload Format Indicator {expected}{'' if profile is EMV else '…'},"
                f" found {_shown(indicator.value)}",
            )
    if profile is EMV:
        _account(checker, tree)
    return checker.errors, checker.warnings


def _account(checker: _Checker, tree: Sequence[BerObject]) -> None:
    """QRCPS §7: each application template, or the common data template, carries the account:
    Track 2 Equivalent Data (57) or the Application PAN (5A)."""
    common = next((obj for obj in tree if obj.tag == "62" and obj.children is not None), None)
    if common is not None and any(child.tag in ("57", "5A") for child in common.children or ()):
        return
    for obj in tree:
        if obj.tag == "61" and not any(child.tag in ("57", "5A") for child in obj.children or ()):
            checker.error(
                "cpm.account_missing",
                "61",
                obj.offset,
                "expected Track 2 Equivalent Data (57) or the Application PAN (5A) in the "
                "application template or the common data template (62), found neither",
            )
