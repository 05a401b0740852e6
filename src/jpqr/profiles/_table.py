"""The row types a profile's rule table is made of, and what each row checks.

A profile (``emvco.py``, ``jpqr.py``) is a :class:`Profile`: a name, a title and a tuple of rows,
run in order over the decoded tree, so the order of the rows is the order of the issues. Each row
checks one thing at one level of the tree (the root, or the template a :class:`Templates` row
descends into) and cites its source. A profile that extends another is the other's rows followed
by its own (:meth:`Profile.extend`); one that narrows another replaces rows (:meth:`Profile.without`
drops them by ``key``).

Paths in rows are relative to the level they run at and may reach into a template by its first
occurrence (``"64.00"``: ID 00 of the first ID 64). A row fires only on an object that is there
with a value (length 00 is ``tlv.zero_length``, reported by the structure checks), except where
it says otherwise.

What cannot be a row is a named rule function (``_functions.py``) that a :class:`Rule` row
references: the row says where it applies, the function's docstring what it checks.

The reference engine runs each tuple of rows as one planned function, made once (:func:`plan`,
"the plan" below): each row's "nothing to report" test inline, its ``apply`` only where the test
fails, so the issues are exactly those of the rows run one by one, at a fraction of the calls.

The compiled engine (``_rules.pyx``) compiles these rows into C structures at import; a row type
or a rule function it does not know makes it leave that profile to this reference engine.
"""

from __future__ import annotations

import linecache
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, cast

from ..dataobject import DataObject
from ..schema import Field
from ._formats import check_format, check_length, describe, join

if TYPE_CHECKING:
    from ._engine import Checker

__all__ = [
    "Absent",
    "Allowed",
    "AnyPresent",
    "Fields",
    "GuidFirst",
    "Level",
    "Pattern",
    "Profile",
    "Required",
    "Row",
    "Rule",
    "Templates",
    "describe",
    "ids",
    "join",
]


def ids(first: int, last: int) -> frozenset[str]:
    """The IDs ``first`` to ``last`` as 2-digit strings (``ids(26, 51)``)."""
    return frozenset(f"{n:02d}" for n in range(first, last + 1))


_UNRESERVED = ids(80, 99)


class Level:
    """The objects of one level of the tree (the root or one template), at ``path``, with the
    first object of each ID found once (duplicates are ``duplicate.id``; rules read the first)."""

    __slots__ = ("by_id", "objects", "path")

    def __init__(self, objects: tuple[DataObject, ...], path: str) -> None:
        self.objects = objects
        self.path = path
        by_id = {obj[0]: obj for obj in objects}
        if len(by_id) != len(objects):  # duplicates (duplicate.id): the first wins
            by_id = {}
            for obj in objects:
                by_id.setdefault(obj[0], obj)
        self.by_id: dict[str, DataObject] = by_id

    def find(self, path: str) -> DataObject | None:
        """The object at the relative ``path`` (``"53"``, ``"64.00"``), first occurrences."""
        obj = self.by_id.get(path)
        if obj is not None or "." not in path:
            return obj
        head, _, rest = path.partition(".")
        obj = self.by_id.get(head)
        while rest and obj is not None:
            head, _, rest = rest.partition(".")
            obj = next((child for child in obj.children or () if child.id == head), None)
        return obj


def _find(level: Level, path: str) -> DataObject | None:
    """``level.find(path)``, its usual case (a plain ID) in one lookup (the rows below inline
    it: they run by the million)."""
    return level.by_id.get(path) if "." not in path else level.find(path)


@dataclass(frozen=True, slots=True)
class Row:
    """One rule of a table. ``source`` cites where it comes from (SPEC section, spec page)."""

    source: str = field(default="", kw_only=True)
    # A name for the row, so a narrower profile can drop or replace it (Profile.without).
    key: str = field(default="", kw_only=True)

    def apply(self, checker: Checker, level: Level) -> None:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Fields(Row):
    """Format (N, ans, S) and length bounds of every object of the level that ``table`` knows
    (templates excepted: their children are checked in their own level). With ``lengths_only``,
    only the bounds (a table that narrows another's lengths, like the JPQR identifier's)."""

    table: Mapping[str, Field] = field(default_factory=dict)
    lengths_only: bool = False

    def apply(self, checker: Checker, level: Level) -> None:
        table = self.table
        for obj in level.objects:
            spec = table.get(obj[0])
            if spec is not None and obj[1] and not spec.template:
                self.check_object(checker, spec, level.path, obj)

    def check_object(self, checker: Checker, spec: Field, parent: str, obj: DataObject) -> None:
        """Length, then format, of one object (in template ``parent``) that ``table`` knows."""
        value = obj[1]
        if not spec.min_length <= len(value) <= spec.max_length:
            check_length(checker, spec, parent, obj)
        # The format checks' own first tests, inline: a value that passes them needs no call.
        if not self.lengths_only and not (
            value.isascii() and (value.isdigit() if spec.format == "N" else value.isprintable())
        ):
            check_format(checker, spec, parent, obj)


@dataclass(frozen=True, slots=True)
class Required(Row):
    """``path`` must be there: else ``code`` (``field.missing``) with ``message``, or the usual
    "expected ID 52 (Merchant Category Code){why}, found none"."""

    path: str = ""
    why: str = ""
    code: str = "field.missing"
    message: str = ""

    def apply(self, checker: Checker, level: Level) -> None:
        path = self.path
        if (level.by_id.get(path) if "." not in path else level.find(path)) is None:
            path = join(level.path, self.path)
            message = self.message or f"expected {describe(path)}{self.why}, found none"
            checker.error(self.code, path, None, message)


@dataclass(frozen=True, slots=True)
class Absent(Row):
    """``path`` must not be there (``message`` may name the value as ``{found!r}``)."""

    path: str = ""
    code: str = ""
    message: str = ""

    def apply(self, checker: Checker, level: Level) -> None:
        path = self.path
        obj = level.by_id.get(path) if "." not in path else level.find(path)
        if obj is not None:
            path = join(level.path, self.path)
            checker.error(self.code, path, obj.offset, self.message.format(found=obj.value))


@dataclass(frozen=True, slots=True)
class AnyPresent(Row):
    """At least one of ``ids`` must be there at this level."""

    ids: frozenset[str] = frozenset()
    code: str = ""
    message: str = ""

    def apply(self, checker: Checker, level: Level) -> None:
        if self.ids.isdisjoint(level.by_id):
            checker.error(self.code, level.path, None, self.message)


@dataclass(frozen=True, slots=True)
class Allowed(Row):
    """The value of ``path`` must be one of ``values`` (compared upper-cased with
    ``fold_case``); ``message`` names the value as ``{found!r}``. With ``empty``, an empty value
    is judged too (else length 00 is left to ``tlv.zero_length``)."""

    path: str = ""
    values: Collection[str] = frozenset()
    code: str = "field.value"
    message: str = ""
    fold_case: bool = False
    empty: bool = False

    def apply(self, checker: Checker, level: Level) -> None:
        path = self.path
        obj = level.by_id.get(path) if "." not in path else level.find(path)
        if obj is None or not (obj.value or self.empty):
            return
        value = obj.value.upper() if self.fold_case else obj.value
        if value not in self.values:
            path = join(level.path, self.path)
            checker.error(self.code, path, obj.offset, self.message.format(found=obj.value))


@dataclass(frozen=True, slots=True)
class Pattern(Row):
    """The value of ``path`` must match ``pattern`` whole (``message`` as for :class:`Allowed`)."""

    path: str = ""
    pattern: re.Pattern[str] = re.compile("")
    code: str = "field.value"
    message: str = ""

    def apply(self, checker: Checker, level: Level) -> None:
        path = self.path
        obj = level.by_id.get(path) if "." not in path else level.find(path)
        if obj is not None and obj.value and not self.pattern.fullmatch(obj.value):
            path = join(level.path, self.path)
            checker.error(self.code, path, obj.offset, self.message.format(found=obj.value))


@dataclass(frozen=True, slots=True)
class GuidFirst(Row):
    """A warning (``position.guid``) when the template's GUID (00) is there but not first."""

    def apply(self, checker: Checker, level: Level) -> None:
        guid = level.by_id.get("00")
        first = level.objects[0].id if level.objects else "00"
        if guid is not None and first != "00":
            checker.warn(
                "position.guid",
                join(level.path, "00"),
                guid.offset,
                f"expected the GUID (ID 00) first in template {level.path}, found ID {first} first",
            )


# A named rule function: what a row cannot say (see _functions.py).
class RuleFunction(Protocol):
    def __call__(self, checker: Checker, level: Level, row: Rule) -> None: ...


@dataclass(frozen=True, slots=True)
class Rule(Row):
    """A named rule function applied at ``path`` (its docstring says what it checks)."""

    function: RuleFunction | None = None
    path: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)

    def apply(self, checker: Checker, level: Level) -> None:
        assert self.function is not None
        self.function(checker, level, self)


@dataclass(frozen=True, slots=True)
class Templates(Row):
    """Descend into the templates of the level, in the order they appear: a template whose ID is
    in one of the keys of ``rows`` (sets of IDs) gets those rows, run at its own level. With
    ``nonempty`` (the root), a template of length 00 is left out."""

    rows: tuple[tuple[frozenset[str], tuple[Row, ...]], ...] = ()
    nonempty: bool = True

    def apply(self, checker: Checker, level: Level) -> None:
        for obj in level.objects:
            if obj.children is None or (self.nonempty and not obj.value):
                continue
            for members, rows in self.rows:
                if obj.id in members:
                    plan(rows)(checker, Level(obj.children, join(level.path, obj.id)))
                    break


@dataclass(frozen=True, slots=True)
class Profile:
    """A profile: ``name`` (``"jpqr"``), ``title`` (``"JPQR"``) and its rows, run in order."""

    name: str
    title: str
    rows: tuple[Row, ...]
    source: str = ""
    # Root IDs of 80-99 that this profile reads as primitive data objects, not templates: a
    # scheme's departure from EMVCo §4.7.11 (DuitNow's 82 and TrueMoney's 81 hold hex), so the
    # engine's structure check does not call their values "not data objects".
    primitives: frozenset[str] = frozenset()

    def extend(
        self,
        name: str,
        title: str,
        rows: Iterable[Row],
        source: str = "",
        primitives: Iterable[str] = (),
    ) -> Profile:
        """A profile that is this one plus ``rows`` after its own (and ``primitives`` among
        the unreserved templates 80-99 it reads as primitive values, besides this one's)."""
        extra = frozenset(primitives)
        if not extra <= _UNRESERVED:
            raise ValueError(f"primitives must be IDs 80-99, found {sorted(extra - _UNRESERVED)}")
        return Profile(name, title, (*self.rows, *rows), source, self.primitives | extra)

    def without(self, *keys: str) -> Profile:
        """This profile with the rows of these ``key`` names left out (a profile that departs
        from another: a national scheme where 52, 59 or 60 are not mandatory)."""
        unknown = set(keys) - {row.key for row in self.rows}
        if unknown:
            raise ValueError(f"no rows with key {sorted(unknown)} in profile {self.name}")
        return replace(self, rows=tuple(row for row in self.rows if row.key not in keys))

    def check(self, checker: Checker, tree: tuple[DataObject, ...]) -> None:
        """Run the rows over a decoded tree (its structure is checked before, by the engine)."""
        _plan(self.rows).run(checker, tree, "", Level(tree, ""))


# --- the plan: a table's rows as one function per level ----------------------------------------
#
# Running the rows one call at a time costs more than the checks themselves (a clean code's root
# has some 25 rows, most of them one dict lookup). So each tuple of rows is made once into one
# Python function (its plan): for every row, in order, the row's own "nothing to report" test
# inline, and the row's apply() only where that test does not pass. The tests are necessary
# conditions of a finding, so the issues, their order and the checker's state are those of
# apply() row by row. Rule functions are always called, in their place; a row type the plan does
# not know runs its apply(). A template's level is a Level object only where a row needs one (a
# Rule, a finding, duplicates); else its first-occurrence dict alone. plan_source(rows) shows the
# code (kept in linecache, so tracebacks show it too).

Step = Callable[["Checker", Level], None]


class _Plan(NamedTuple):
    rows: tuple[Row, ...]  # kept, so the id() the cache is keyed by stays theirs
    # run(checker, objects, path, level or None): the rows over the objects of one level
    run: Callable[[Checker, tuple[DataObject, ...], str, Level | None], None]
    source: str


_PLANS: dict[int, _Plan] = {}


def _plan(rows: tuple[Row, ...]) -> _Plan:
    found = _PLANS.get(id(rows))
    if found is None or found.rows is not rows:
        found = _PLANS[id(rows)] = _make_plan(rows)
    return found


def plan(rows: tuple[Row, ...]) -> Step:
    """One function that runs ``rows`` in order over a level (made once per tuple of rows)."""
    run = _plan(rows).run

    def step(checker: Checker, level: Level) -> None:
        run(checker, level.objects, level.path, level)

    return step


def plan_source(rows: tuple[Row, ...]) -> str:
    """The Python source of the plan of ``rows`` (to read what a table runs).

    >>> from jpqr.profiles import emvco
    >>> lines = plan_source(emvco.TABLE.rows).splitlines()
    >>> start = lines.index("    # row 1: Required 00")
    >>> print(lines[start + 1].strip())
    if '00' not in by_id:
    """
    return _plan(rows).source


class _Writer:
    """The lines of one plan and the values its code names (rows, tables, sets, functions)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[str, object] = {
            "Level": Level,
            "lookup": _lookup,
            "is_normalized": unicodedata.is_normalized,
        }

    def name(self, value: object, prefix: str) -> str:
        name = f"{prefix}{len(self.names)}"
        self.names[name] = value
        return name

    def line(self, text: str, depth: int = 1) -> None:
        self.lines.append("    " * depth + text)


# The start of every plan: ``by_id``, the first object of each ID, from the Level when there is
# one; else the dict of the objects, or a Level after all where a row needs one or there are
# duplicates (the Level keeps the first of each).
_PROLOGUE = """\
def run(checker, objects, path, level):
    if level is not None:
        by_id = level.by_id
    else:
        by_id = {obj[0]: obj for obj in objects}
        if len(by_id) != len(objects):
            level = Level(objects, path)
            by_id = level.by_id
    get = by_id.get
"""
_PROLOGUE_LEVEL = """\
def run(checker, objects, path, level):
    if level is None:
        level = Level(objects, path)
    by_id = level.by_id
    get = by_id.get
"""


def _make_plan(rows: tuple[Row, ...]) -> _Plan:
    writer = _Writer()
    for number, row in enumerate(rows):
        writer.line(f"# row {number}: {type(row).__name__} {getattr(row, 'path', '')}".rstrip())
        _write_row(writer, row)
    # A Rule's function, or a row type without a test here, reads the Level itself.
    needs_level = any(type(row) not in _TESTED for row in rows)
    prologue = _PROLOGUE_LEVEL if needs_level else _PROLOGUE
    source = prologue + "\n".join(writer.lines) + "\n"
    filename = f"<jpqr plan {id(rows):x}>"
    exec(compile(source, filename, "exec"), writer.names)  # source made above from the rows
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return _Plan(rows, cast(Any, writer.names["run"]), source)


def _write_find(writer: _Writer, path: str) -> None:
    """``obj = `` the object at ``path`` (a plain ID in one dict lookup)."""
    if "." not in path:
        writer.line(f"obj = get({path!r})")
    else:
        writer.line(f"obj = lookup(by_id, {tuple(path.split('.'))!r})")


def _write_row(writer: _Writer, row: Row) -> None:
    apply = writer.name(row.apply, "apply")
    slow = f"{apply}(checker, level or Level(objects, path))"
    if type(row) is Fields:
        bounds = writer.name(
            {
                id: (spec.min_length, spec.max_length, spec.format == "N", spec, spec.format == "S")
                for id, spec in row.table.items()
                if not spec.template
            },
            "bounds",
        )
        one = writer.name(row.check_object, "one")
        test = "bound[0] <= len(value) <= bound[1]"
        if not row.lengths_only:
            # check_format's own first tests; for format S, also printable text in NFC (what
            # check_text passes: a name in Japanese or Chinese needs no call either)
            test += " and (value.isascii() and "
            test += "(value.isdigit() if bound[2] else value.isprintable())"
            test += ' or bound[4] and value.isprintable() and is_normalized("NFC", value))'
        writer.line("for obj in objects:")
        writer.line(f"bound = {bounds}.get(obj[0])", 2)
        writer.line("if bound is not None:", 2)
        writer.line("value = obj[1]", 3)
        writer.line(f"if value and not ({test}):", 3)
        writer.line(f"{one}(checker, bound[3], path, obj)", 4)
    elif type(row) is Required:
        if "." in row.path:
            writer.line(slow)
        else:
            writer.line(f"if {row.path!r} not in by_id:")
            writer.line(slow, 2)
    elif type(row) is Absent:
        if "." in row.path:
            _write_find(writer, row.path)
            writer.line("if obj is not None:")
        else:
            writer.line(f"if {row.path!r} in by_id:")
        writer.line(slow, 2)
    elif type(row) is AnyPresent:
        writer.line(f"if {writer.name(row.ids, 'ids')}.isdisjoint(by_id):")
        writer.line(slow, 2)
    elif type(row) is Allowed:
        _write_find(writer, row.path)
        value = "obj[1].upper()" if row.fold_case else "obj[1]"
        some = "" if row.empty else " and obj[1]"
        values = writer.name(row.values, "values")
        writer.line(f"if obj is not None{some} and {value} not in {values}:")
        writer.line(slow, 2)
    elif type(row) is Pattern:
        _write_find(writer, row.path)
        match = writer.name(row.pattern.fullmatch, "match")
        writer.line(f"if obj is not None and obj[1] and {match}(obj[1]) is None:")
        writer.line(slow, 2)
    elif type(row) is GuidFirst:
        writer.line('if "00" in by_id and objects[0][0] != "00":')
        writer.line(slow, 2)
    elif type(row) is Rule and row.function is not None:
        function = writer.name(row.function, "function")
        writer.line(f"{function}(checker, level, {writer.name(row, 'row')})")
        return
    elif type(row) is Templates:
        writer.line("for obj in objects:")
        writer.line("children = obj[2]", 2)
        writer.line("if children is None" + (" or not obj[1]:" if row.nonempty else ":"), 2)
        writer.line("continue", 3)
        writer.line("id = obj[0]", 2)
        for number, (members, inner) in enumerate(row.rows):
            keyword = "if" if number == 0 else "elif"
            writer.line(f"{keyword} id in {writer.name(members, 'ids')}:", 2)
            inner_plan = writer.name(_plan(inner).run, "plan")
            writer.line(
                f'{inner_plan}(checker, children, f"{{path}}.{{id}}" if path else id, None)', 3
            )
    else:  # a row type (or a subclass) this plan does not know: its apply, in its place
        writer.line(slow)


_TESTED = (Fields, Required, Absent, AnyPresent, Allowed, Pattern, GuidFirst, Templates)


def _lookup(by_id: dict[str, DataObject], ids: tuple[str, ...]) -> DataObject | None:
    """:meth:`Level.find` of a dotted path split into its IDs (first occurrences)."""
    obj = by_id.get(ids[0])
    for id in ids[1:]:
        if obj is None:
            return None
        for child in obj[2] or ():
            if child[0] == id:
                obj = child
                break
        else:
            return None
    return obj
