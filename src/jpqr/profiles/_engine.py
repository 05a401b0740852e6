"""The reference engine: reading the text, CRC, structure, then a profile's rule table.

A profile (``emvco.py``, ``jpqr.py``) is a table of rows (``_table.py``); :func:`run` does the
rest: it turns the input into text (stripping, with ``lenient=True``), judges the CRC, decodes,
checks the structure (EMVCo §4.1-4.3: 00 first, 63 last, one occurrence of an ID per level, no
zero lengths, templates that hold data objects) and, when the tree decoded, runs the profile's
rows over it. Every finding is collected as an :class:`~jpqr.report.Issue`.

This module imports nothing above the profiles: :func:`read` makes the typed code itself
(``model.from_tree``), so ``jpqr.api`` and the profile modules' ``parse`` both call down into it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Protocol, cast

from .. import _kernels
from .. import _tlv_errors as err
from .._crc_py import CRCVerdict, buffer_bytes, exact_str, format_crc
from ..dataobject import MAX_INPUT_LENGTH, NESTED_TEMPLATE_IDS, ROOT_TEMPLATE_IDS, DataObject
from ..errors import DecodeError, ValidationError, snippet
from ..report import Issue, ValidationReport
from ..schema import MAX_PAYLOAD_LENGTH
from ._formats import describe, join

if TYPE_CHECKING:
    from ..model import MerchantPresentedCode
    from ._table import Profile

__all__ = ["Checker", "Rules", "entry_points", "read", "run"]

Tree = tuple[DataObject, ...]
Payload = str | bytes | bytearray | memoryview
# Transport noise (issue 12): white space at either end, byte order marks at the start.
_NOISE = " \t\r\n"
_NOISE_BYTES = b" \t\r\n"
_BOM_BYTES = b"\xef\xbb\xbf"
_new = tuple.__new__
_BOM = "\ufeff"


class Checker:
    """Collects the issues of one payload; ``strict`` turns some warnings into errors.
    ``exponent`` is the currency's minor unit once a currency rule has read ID 53."""

    __slots__ = ("errors", "exponent", "strict", "warnings")

    def __init__(self, strict: bool = False) -> None:
        self.strict = strict
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []
        self.exponent: int | None = None

    # tuple.__new__: the Issue of these four fields without the named tuple's Python __new__
    def error(self, code: str, path: str, offset: int | None, message: str) -> None:
        self.errors.append(_new(Issue, (code, path, offset, message)))

    def warn(self, code: str, path: str, offset: int | None, message: str) -> None:
        self.warnings.append(_new(Issue, (code, path, offset, message)))


Rules = Callable[[Checker, Tree], None]
# Picks the profile from the decoded tree (profile "auto"): its name and rules.
Selector = Callable[[Tree], tuple[str, Rules]]


def run(
    payload: str | bytes | bytearray | memoryview,
    rules: Rules,
    profile: str,
    *,
    strict: bool = False,
    lenient: bool = False,
    select: Selector | None = None,
) -> tuple[ValidationReport, Tree | None]:
    """Check ``payload`` with the profile ``rules``: the report, and the tree when it decoded.

    With ``select``, the profile is chosen from the decoded tree (``rules`` and ``profile`` serve
    when the text does not decode).
    """
    checker = Checker(strict)
    try:
        payload = _plain(payload)
    except DecodeError as exc:  # over the hard cap, or a released memoryview: nothing is read
        checker.error(exc.code, exc.path, exc.offset, exc.message)
        # The report's payload is empty: showing even the start of it would be work on it.
        return _report(checker, profile, "missing", ""), None
    if lenient:
        payload = _strip(payload, checker)
    try:
        text = _kernels.to_text(payload)
    except DecodeError as exc:
        checker.error(exc.code, exc.path, exc.offset, exc.message)
        text = _readable(payload)
        verdict = _check_crc(checker, payload, text)
        return _report(checker, profile, verdict, text), None
    if not text:
        checker.error("payload.empty", "", 0, "expected a payload, found an empty text")
        return _report(checker, profile, "missing", text), None
    if len(text) > MAX_PAYLOAD_LENGTH:
        checker.error(
            "payload.too_long",
            "",
            MAX_PAYLOAD_LENGTH,
            f"expected at most {MAX_PAYLOAD_LENGTH} characters (EMVCo §4.1), found {len(text)}",
        )
    tree: Tree | None
    try:
        tree = _kernels.decode(text)
    except DecodeError as exc:
        checker.error(exc.code, exc.path, exc.offset, exc.message)
        tree = None
    else:
        if select is not None:
            profile, rules = select(tree)
        check_structure(checker, tree, primitives_of(rules))
        rules(checker, tree)
    verdict = _check_crc(checker, text, text)
    if checker.errors and not text.isascii():
        _hint_byte_lengths(checker, text, rules)
    return _report(checker, profile, verdict, text), tree


class Validate(Protocol):
    def __call__(
        self, payload: Payload, *, strict: bool = False, lenient: bool = False
    ) -> ValidationReport: ...


class IsValid(Protocol):
    def __call__(
        self, payload: Payload, *, strict: bool = False, lenient: bool = False
    ) -> bool: ...


class Parse(Protocol):
    def __call__(
        self, payload: Payload, *, strict: bool = False, lenient: bool = False
    ) -> MerchantPresentedCode: ...


def entry_points(profile: Profile) -> tuple[Validate, IsValid, Parse]:
    """``validate``, ``is_valid`` and ``parse`` of one profile module."""
    rules, name, title = profile.check, profile.name, profile.title

    def validate(
        payload: Payload, *, strict: bool = False, lenient: bool = False
    ) -> ValidationReport:
        return run(payload, rules, name, strict=strict, lenient=lenient)[0]

    def is_valid(payload: Payload, *, strict: bool = False, lenient: bool = False) -> bool:
        return validate(payload, strict=strict, lenient=lenient).ok

    def parse(
        payload: Payload, *, strict: bool = False, lenient: bool = False
    ) -> MerchantPresentedCode:
        return read(*run(payload, rules, name, strict=strict, lenient=lenient))

    validate.__doc__ = f"Check ``payload`` against {title}; never raises on bad input."
    is_valid.__doc__ = f"Whether ``payload`` is a valid {title} code."
    parse.__doc__ = f"The typed {title} code; raises ``ValidationError`` for the first error."
    return validate, is_valid, parse


def read(report: ValidationReport, tree: Tree | None) -> MerchantPresentedCode:
    """The typed code of a checked tree; the first error raised (``DecodeError`` where the text
    did not decode, else ``ValidationError``)."""
    if report.errors:
        first = report.errors[0]
        cls = ValidationError if tree is not None else DecodeError
        raise cls(first.code, first.message, offset=first.offset, path=first.path)
    assert tree is not None
    from ..model import from_tree  # the typed layer loads with the first parse

    return from_tree(tree)


def _report(checker: Checker, profile: str, crc: str, text: str) -> ValidationReport:
    errors = checker.errors
    return _new(  # as Checker.error makes its issues
        ValidationReport,
        (not errors, profile, crc, tuple(errors), tuple(checker.warnings), text),
    )


def _plain(payload: object) -> str | bytes:
    """The payload as a plain ``str`` or ``bytes`` (a subclass as its characters or its buffer,
    never its own methods), refused before any work proportional to it when it is over the hard
    cap (``tlv.too_long``: no copy, no CRC over 100 MB; ``lenient=True`` does not strip it
    either) or a released memoryview (``tlv.released``). TypeError for any other type."""
    if type(payload) is str or type(payload) is bytes:
        size = len(payload)
        if size > MAX_INPUT_LENGTH:
            unit = "characters" if type(payload) is str else "bytes"
            raise err.too_long(size, MAX_INPUT_LENGTH, unit)
        return payload
    if issubclass(type(payload), str):  # type(): isinstance() believes a lying __class__
        text = cast(str, payload)
        if str.__len__(text) > MAX_INPUT_LENGTH:
            raise err.too_long(str.__len__(text), MAX_INPUT_LENGTH, "characters")
        return exact_str(text)
    if issubclass(type(payload), (bytes, bytearray, memoryview)):
        return buffer_bytes(cast(bytes, payload), MAX_INPUT_LENGTH)
    raise TypeError(f"expected a payload as str or bytes, not {type(payload).__name__}")


def _readable(payload: str | bytes | bytearray | memoryview) -> str:
    if isinstance(payload, str):
        return payload
    return bytes(payload).decode("utf-8", "replace")


def _strip(
    payload: str | bytes | bytearray | memoryview, checker: Checker
) -> str | bytes | bytearray | memoryview:
    """``lenient=True``: drop transport noise, with a warning for each end: white space (space,
    tab, CR, LF) and byte order marks before the payload, white space after it."""
    if not isinstance(payload, str):
        payload = bytes(payload)  # a memoryview's len() counts items, not bytes
    leading = _leading_noise(payload)
    if leading:
        checker.warn(
            "payload.stripped",
            "",
            None,
            f"expected the payload alone, found {_describe_leading(payload[:leading])}; "
            "removed before checking (lenient mode)",
        )
    trailing: str | bytes
    if isinstance(payload, str):
        stripped: str | bytes = payload[leading:].rstrip(_NOISE)
        trailing = payload[leading + len(stripped) :]
        tab = "\t" in trailing
    else:
        stripped = payload[leading:].rstrip(_NOISE_BYTES)
        trailing = payload[leading + len(stripped) :]
        tab = b"\t" in trailing
    if trailing:
        checker.warn(
            "payload.stripped",
            "",
            None,
            f"expected the payload alone, found trailing {'tabs, ' if tab else ''}line ends or "
            "spaces; removed before checking (lenient mode)",
        )
    return stripped


def _leading_noise(payload: str | bytes) -> int:
    """How many characters (or bytes) of white space and byte order marks the payload starts
    with (copy-pasted codes start with tabs or spaces; editors and file exports add the BOM)."""
    if isinstance(payload, str):
        return len(payload) - len(payload.lstrip(_NOISE + _BOM))
    rest = payload
    while True:  # the BOM is three bytes: no lstrip() set holds it
        shorter = rest.lstrip(_NOISE_BYTES).removeprefix(_BOM_BYTES)
        if len(shorter) == len(rest):
            return len(payload) - len(rest)
        rest = shorter


def _describe_leading(noise: str | bytes) -> str:
    """``a leading byte order mark and leading white space '\\t '``: what was before the payload."""
    text = noise if isinstance(noise, str) else noise.decode("utf-8")  # BOMs and ASCII only
    marks = text.count(_BOM)
    white = text.replace(_BOM, "")
    what = []
    if marks:
        what.append(
            "a leading byte order mark" if marks == 1 else f"{marks} leading byte order marks"
        )
    if white:
        what.append(f"leading white space {white!r}")
    return " and ".join(what)


# --- CRC (EMVCo §4.7.3, SPEC §2) -------------------------------------------------------------


def _check_crc(checker: Checker, payload: Payload, text: str) -> CRCVerdict:
    verdict = _kernels.crc_verdict(payload)
    if verdict == "ok":
        return verdict
    offset = len(text) - 4
    if verdict == "missing":
        checker.error("crc.missing", "63", None, _missing_message(text))
        return verdict
    expected = format_crc(_kernels.crc16(text[:-4]))
    found = text[-4:]
    if verdict == "lowercase":
        message = (
            f"expected the CRC in upper-case hex, {expected}, found {found!r}; the value is right, "
            "but EMVCo writes it in upper case and some wallets compare it as text"
        )
        if checker.strict:
            checker.error("crc.lowercase", "63", offset, message + " (strict mode)")
        else:
            checker.warn("crc.lowercase", "63", offset, message)
        return verdict
    checker.error(
        "crc.mismatch",
        "63",
        offset,
        f"expected CRC {expected} (CRC-16/CCITT-FALSE over the UTF-8 bytes up to and including "
        f"6304), found {found!r}{_mismatch_hint(text, found)}",
    )
    return verdict


def _missing_message(text: str) -> str:
    base = "expected the payload to end with the CRC object: 6304 and four hex digits"
    leading = _leading_noise(text)
    stripped = text[leading:].rstrip(_NOISE)
    if stripped != text and _kernels.crc_verdict(stripped) in ("ok", "lowercase"):
        before = f"{_noise_name(text[:leading])} at the start and " if leading else ""
        return (
            f"{base}, found {snippet(text[-10:])}; the CRC is right once {before}the characters "
            "after it are removed"
        )
    tail = text[-7:]
    if tail.startswith("6303") and all(c in "0123456789abcdefABCDEF" for c in tail[4:]):
        return f"{base}, found {tail!r}: a 3-digit CRC; the generator forgot the zero padding"
    return f"{base}, found {snippet(text[-8:])}"


def _noise_name(noise: str) -> str:
    """``the byte order mark``, ``the white space`` or both: the noise before a payload."""
    marks = noise.count(_BOM)
    what = ["the byte order mark" if marks == 1 else "the byte order marks"] if marks else []
    if len(noise) > marks:
        what.append("the white space")
    return " and ".join(what)


def _mismatch_hint(text: str, found: str) -> str:
    """Name the usual generator mistakes when one of them reproduces the CRC found (SPEC §2, §6)."""
    body = text[:-4]
    leading = _leading_noise(body)
    if leading and format_crc(_kernels.crc16(body[leading:])) == found.upper():
        # The generator was right; an editor, a file export or a copy-paste added the BOM
        # (tlv.bom) or the white space.
        noise = _noise_name(body[:leading])
        verb = "are" if " and " in noise or noise.endswith("marks") else "is"
        return f"; the CRC is right once {noise} at the start {verb} removed"
    candidates: list[tuple[str, Callable[[], int]]] = [
        ("the 6304 left out", lambda: _kernels.crc16(body[:-4])),
        ("the text as Latin-1", lambda: _kernels.crc16(body.encode("latin-1"))),
        ("the text as UTF-16", lambda: _kernels.crc16(body.encode("utf-16-be"))),
        ("init 0x1111 instead of 0xFFFF", lambda: _kernels.crc16(body, 0x1111)),
    ]
    for what, compute in candidates:
        try:
            if format_crc(compute()) == found.upper():
                return f"; that CRC is what one gets with {what}, which is wrong"
        except UnicodeEncodeError:
            continue
    return ""


# --- structure (EMVCo §4.1-4.3, SPEC §1) -------------------------------------------------------


def primitives_of(rules: Rules) -> frozenset[str]:
    """The root IDs 80-99 that the profile behind ``rules`` reads as primitives
    (``Profile.primitives``): ``rules`` is a profile's bound ``check``, or an object with a
    ``primitives`` attribute of its own (api's ``auto``)."""
    owner = getattr(rules, "__self__", rules)
    found = getattr(owner, "primitives", None)
    return found if isinstance(found, frozenset) else frozenset()


def check_structure(checker: Checker, tree: Tree, primitives: frozenset[str] = frozenset()) -> None:
    """Position of 00 and 63, duplicates, zero lengths and templates that are not data objects
    (except the root IDs of ``primitives``, which the profile reads as primitive values)."""
    if tree and tree[0].id != "00":
        checker.error(
            "position.first",
            tree[0].id,
            tree[0].offset,
            f"expected ID 00 (Payload Format Indicator) first, found ID {tree[0].id}",
        )
    ids = {obj[0] for obj in tree}
    # The scan for a 63 that is not last, unless the only 63 is the last object (the usual case).
    if "63" in ids and (tree[-1][0] != "63" or len(ids) != len(tree)):
        for index, obj in enumerate(tree):
            if obj.id == "63" and index != len(tree) - 1:
                checker.error(
                    "position.last",
                    "63",
                    obj.offset,
                    f"expected ID 63 (CRC) last, found it followed by ID {tree[index + 1].id}",
                )
    if "63" not in ids:
        _check_swallowed_crc(checker, tree)
    _check_level(checker, tree, "", len(ids) != len(tree), primitives)


def _check_swallowed_crc(checker: Checker, tree: Tree) -> None:
    """SPEC §6 trap: a declared length that swallows the ``6304`` and still ends at the end of
    the text. The text then ends like a CRC object (so the CRC verdict may even be "ok"), but ID
    63 is not a data object of the root: the code has no CRC (EMVCo §4.7.3, 63 mandatory)."""
    if not tree or tree[-1].id == "63" or any(obj.id == "63" for obj in tree):
        return  # (63 last: the usual case, without the scan)
    last = tree[-1]
    if last.value[-8:-4] != "6304" or last.offset is None:
        return  # no trailing 6304: crc.missing says it
    marker = last.offset + 4 + len(last.value) - 8
    checker.error(
        "field.missing",
        "63",
        marker,
        f"expected ID 63 (CRC) as the last data object, found its 6304 at offset {marker} "
        f"inside {describe(last.id)}, whose declared length {len(last.value):02d} swallows it",
    )


def _check_level(
    checker: Checker,
    objects: Tree,
    parent: str,
    duplicates: bool,
    primitives: frozenset[str] = frozenset(),
) -> None:
    """Duplicates (where ``duplicates`` says the level has some), zero lengths and templates
    that are not data objects, object by object, then the templates' own levels."""
    # Paths and messages are built only for a finding (and for the templates to recurse into).
    seen: dict[str, DataObject] = {}
    templates = NESTED_TEMPLATE_IDS.get(parent, ()) if parent else ROOT_TEMPLATE_IDS
    for obj in objects:
        if duplicates and seen.setdefault(obj.id, obj) is not obj:
            first = seen[obj.id]
            path = join(parent, obj.id)
            level = f"in template {parent}" if parent else "at the root"
            checker.error(
                "duplicate.id",
                path,
                obj.offset,
                f"expected one {describe(path)} {level}"
                f" (EMVCo §4.3.1.2), found another at offset {obj.offset}"
                f" after the one at offset {first.offset}",
            )
        children = obj[2]
        if not obj[1]:
            path = join(parent, obj.id)
            checker.error(
                "tlv.zero_length",
                path,
                obj.offset,
                f"expected a length from 01 to 99 for {describe(path)}, found 00",
            )
        elif children is not None:
            path = f"{parent}.{obj[0]}" if parent else obj[0]
            twice = len(children) > 1 and len({child[0] for child in children}) != len(children)
            _check_level(checker, children, path, twice)
        elif obj[0] in templates and obj[0] not in primitives:
            path = join(parent, obj.id)
            checker.error("tlv.template_not_tlv", path, obj.offset, _not_tlv_message(obj, path))


def _template_ids(parent: str) -> Collection[str]:
    """The IDs that are templates at the level of ``parent`` (``""``: the root)."""
    if not parent:
        return ROOT_TEMPLATE_IDS
    return NESTED_TEMPLATE_IDS.get(parent, ())


def _is_template(parent: str, id: str) -> bool:
    return id in _template_ids(parent)


def _not_tlv_message(obj: DataObject, path: str) -> str:
    """Decode the template's value again to say where its content stops being data objects."""
    start = (obj.offset or 0) + 4
    where = ""
    try:
        _kernels.decode(obj.value)
    except DecodeError as exc:
        inner = exc.message.split("; ")[0].replace("the payload", f"template {path}")
        at = f" at offset {start + exc.offset}" if exc.offset is not None else ""
        where = f": {inner}{at}"
    return (
        f"expected {describe(path)} to hold data objects (ID, length, value), "
        f"found {snippet(obj.value)}{where}"
    )


# --- a hint for generators that count bytes (SPEC §1 and §6) -----------------------------------


def _hint_byte_lengths(checker: Checker, text: str, rules: Rules) -> None:
    """When the lengths only add up counted in UTF-8 bytes, say so: the usual generator bug."""
    data = text.encode("utf-8", "surrogatepass")
    tree = _decode_bytes(data, 0, len(data), "")
    if tree is None:
        return
    trial = Checker(checker.strict)
    check_structure(trial, tree)
    rules(trial, tree)
    if len(trial.errors) < len([e for e in checker.errors if not e.code.startswith("crc.")]):
        checker.error(
            "tlv.utf8_byte_lengths",
            "",
            None,
            "expected lengths counted in characters (EMVCo §4.1: the example 64200002ZH0104最佳运输"
            "0202北京 adds up only so), found lengths that add up when counted in UTF-8 bytes; "
            "the generator counts bytes",
        )


def _decode_bytes(data: bytes, start: int, end: int, parent: str) -> Tree | None:
    """A decoder that counts lengths in bytes; ``None`` where even that does not read."""
    objects = []
    pos = start
    while pos < end:
        header = data[pos : pos + 4]
        if len(header) < 4 or not header.isdigit():
            return None
        id = header[:2].decode()
        value_end = pos + 4 + int(header[2:])
        if value_end > end:
            return None
        try:
            value = data[pos + 4 : value_end].decode("utf-8")
        except UnicodeDecodeError:
            return None
        children = None
        if _is_template(parent, id):
            children = _decode_bytes(data, pos + 4, value_end, join(parent, id))
            if children is None:
                return None
        objects.append(DataObject(id, value, children, pos))
        pos = value_end
    return tuple(objects)
