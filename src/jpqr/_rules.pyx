# cython: language_level=3, binding=False, boundscheck=False, wraparound=False
# cython: always_allow_keywords=False, cdivision=True
"""The compiled rule engine: a profile's table (``jpqr.profiles._table``) compiled into C
structures, run in one pass over the text, building no Python object.

:func:`judge` answers for one payload: 1 where the code is clean (no error, no warning: the
report is ``ValidationReport(True, profile, "ok", (), (), payload)``), -1 where it certainly has
an error (``is_valid`` is False), 0 where it cannot say (a warning, a row or a type it does not
know, any doubt). Anything but 1 goes to the reference engine for the report, so messages stay
the reference engine's. Each check here is sound, not complete: it says "clean" only where the
reference engine would find nothing (tests/test_rules_differential.py holds it to that).

:func:`install` takes the compiled table of every registered profile (``profiles._compiled``
compiles those whose rows it knows). Under ``auto`` the pass judges only codes the reference's
``auto`` gives to ``emvco`` or ``jpqr``: every GUID of a 26-51 template has
``profiles._classify.guid_kind`` 0 (no scheme) or 1 (JPQR), and 58 is no country of a scheme
recognised without a GUID (``GUIDLESS_COUNTRIES``, KHQR's KH); anything else goes to the
reference. guid_kind's answers are cached here by the GUID's characters (128 entries), so a
GUID seen before costs no Python object; a new one is asked once, and the pass is made again
(asking runs Python, during which another thread may use the pass's memory).

Only an exact ``str`` (its PEP 393 buffer, never a method of the object) or exact ``bytes`` that
are all ASCII (their buffer: the text is the same characters) is judged; anything else, a
subclass included, is left to the reference engine.
"""

from cpython.object cimport PyObject
from libc.stdint cimport int32_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc
from libc.string cimport memset

from jpqr._ccore cimport (
    JPQR_OK,
    PyUnicode_DATA,
    PyUnicode_GET_LENGTH,
    PyUnicode_IS_ASCII,
    PyUnicode_KIND,
    jpqr_crc_init_tables,
    jpqr_crc_path,
    jpqr_crc_set_path,
    jpqr_read,
    jpqr_verdict_ucs,
)

cdef extern from "Python.h":
    char* PyBytes_AS_STRING(object o)
    Py_ssize_t PyBytes_GET_SIZE(object o)
    object PyUnicode_DecodeASCII(const char* s, Py_ssize_t size, const char* errors)

import unicodedata

from jpqr import _kernels
from jpqr.dataobject import NESTED_TEMPLATE_IDS, ROOT_TEMPLATE_IDS
from jpqr.profiles import _functions
from jpqr.profiles._table import (
    Absent,
    Allowed,
    AnyPresent,
    Fields,
    GuidFirst,
    Pattern,
    Required,
    Rule,
    Templates,
)
from jpqr.report import ValidationReport
from jpqr.schema import CURRENCIES, JPQR_GUID, MAX_PAYLOAD_LENGTH

__all__ = [
    "Unsupported", "clean_report", "compile_profile", "compiled_profiles", "install", "judge",
    "verdict",
]

jpqr_crc_init_tables()

cdef extern from "_tlv_scan.h" nogil:
    ctypedef struct jpqr_scan_error:
        int what
    int jpqr_header(int kind, const void* data, Py_ssize_t pos, int* id, int* length)


class Unsupported(Exception):
    """A row or rule function the compiled engine does not know: the profile stays with the
    reference engine."""


cdef enum:
    MAX_OBJECTS = 512   # each object takes at least 5 characters of a 512-character payload
    MAX_LEVELS = 128
    MAX_OPS = 256
    MAX_TABLES = 16
    MAX_SETS = 32
    MAX_SET_STRINGS = 8
    MAX_STRING = 24

# Operations, one a row.
cdef enum:
    OP_FIELDS = 1
    OP_LENGTHS        # Fields(lengths_only=True)
    OP_REQUIRED
    OP_ABSENT
    OP_ANY
    OP_ALLOWED
    OP_PATTERN
    OP_GUID_FIRST
    OP_TEMPLATES
    OP_CURRENCY       # _functions.currency
    OP_AMOUNT         # _functions.amount
    OP_FEE            # _functions.convenience_fee
    OP_CONSUMER       # _functions.consumer_data
    OP_IDENTIFIER     # _functions.jpqr_identifier
    OP_WHOLE          # _functions.whole_yen

cdef enum:
    FMT_NONE = 0
    FMT_N
    FMT_ANS
    FMT_S

ctypedef struct field_table:
    unsigned char fmt[100]        # FMT_NONE: not in the table
    unsigned char template[100]
    unsigned char min_len[100]
    unsigned char max_len[100]

ctypedef struct value_set:
    int count
    int fold_case
    int empty
    int lengths[MAX_SET_STRINGS]
    uint32_t strings[MAX_SET_STRINGS][MAX_STRING]
    int two_letter                # a bitmap of 2-character printable ASCII values instead
    uint64_t pairs[96][2]

ctypedef struct op:
    int kind
    int path[2]                   # one or two IDs
    int depth
    int table                     # OP_FIELDS/OP_LENGTHS, OP_IDENTIFIER: a field table
    int set                       # OP_ALLOWED: a value set; OP_WHOLE: the currency's set
    uint64_t ids[2]               # OP_ANY: the IDs; OP_TEMPLATES: see branches
    uint64_t mask[2]              # OP_PATTERN: the ASCII characters allowed
    int min_count, max_count      # OP_PATTERN: how many
    int nonempty                  # OP_TEMPLATES
    int branches                  # OP_TEMPLATES: how many (in branch_* from first_branch)
    int first_branch

ctypedef struct obj:
    int id
    int start                     # of the value
    int length
    int child                     # the level of a template's children, else -1

ctypedef struct level:
    int first                     # index of its first object in the pool
    int count

ctypedef struct walk:
    int kind
    const void* data
    Py_ssize_t n
    int nobjects
    int nlevels
    int exponent                  # -1 where no currency rule found one (or None)
    short root_at[100]            # the first object of each ID at the root, or -1
    obj objects[MAX_OBJECTS]
    level levels[MAX_LEVELS]

# One compiled profile: its program (ops[start:start+count] is the root's).
ctypedef struct program:
    int count
    op ops[MAX_OPS]
    field_table tables[MAX_TABLES]
    int ntables
    value_set sets[MAX_SETS]
    int nsets
    # OP_TEMPLATES branches: IDs, then the ops they run
    uint64_t branch_ids[MAX_OPS][2]
    int branch_start[MAX_OPS]
    int branch_count[MAX_OPS]
    int nbranches
    int root_count

# ISO 4217: the minor unit of each numeric code, -1 where ISO says N.A., -2 where unassigned.
cdef signed char _EXPONENT[1000]
for _n in range(1000):
    _EXPONENT[_n] = -2
for _code, _currency in CURRENCIES.items():
    _EXPONENT[int(_code)] = -1 if _currency.exponent is None else _currency.exponent

# Which IDs decode() reads as templates: at the root, and inside 62 (jpqr.dataobject).
cdef unsigned char _ROOT_TEMPLATE[100]
cdef unsigned char _NESTED_TEMPLATE[100]
cdef int _NESTED_PARENT = 62
if sorted(NESTED_TEMPLATE_IDS) != ["62"]:
    raise ImportError("jpqr._rules knows templates nested in 62 only; rebuild it")
for _n in range(100):
    _ROOT_TEMPLATE[_n] = f"{_n:02d}" in ROOT_TEMPLATE_IDS
    _NESTED_TEMPLATE[_n] = f"{_n:02d}" in NESTED_TEMPLATE_IDS["62"]
cdef uint32_t _GUID[19]
if len(JPQR_GUID) != 19:
    raise ImportError("jpqr._rules: the JPQR GUID is 19 characters")
for _n in range(19):
    _GUID[_n] = ord(JPQR_GUID[_n])
cdef Py_ssize_t _MAX_PAYLOAD = MAX_PAYLOAD_LENGTH

# Code points a text may hold and be NFC whatever surrounds them: NFC_QC Yes, combining class 0
# and the second character of no canonical composition (Latin-1 and Latin Extended-A, CJK
# symbols, kana without the combining voiced marks 3099/309A, CJK ideographs, fullwidth forms).
# A text of these and ASCII needs no unicodedata.is_normalized() call; any other non-ASCII
# character does. tests/test_rules_differential.py proves the claim on each Python's Unicode.
NFC_SAFE = ((0xA0, 0x17F), (0x3000, 0x3029), (0x3030, 0x303F), (0x3041, 0x3096),
            (0x309B, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xFF01, 0xFF9D))
cdef uint32_t _NFC_SAFE[8][2]
for _n, (_low, _high) in enumerate(NFC_SAFE):
    _NFC_SAFE[_n][0] = _low
    _NFC_SAFE[_n][1] = _high


cdef inline bint _nfc_safe(uint32_t c) noexcept nogil:
    cdef int i
    if c < 0x80:
        return True
    for i in range(8):
        if _NFC_SAFE[i][0] <= c <= _NFC_SAFE[i][1]:
            return True
    return False


cdef bint _surely_nfc(walk* w) noexcept:
    """Whether every character of the text is in NFC_SAFE (else ask unicodedata)."""
    cdef Py_ssize_t i
    cdef const uint16_t* wide
    cdef Py_ssize_t k
    cdef uint16_t any
    if w.kind == 2:  # most non-ASCII codes (kana, kanji, Latin-1): 16 characters at a time
        wide = <const uint16_t*>w.data
        i = 0
        while i < w.n:
            any = 0
            for k in range(i, min(i + 16, w.n)):
                any |= wide[k]
            if any >= 0x80:  # a non-ASCII character among them
                for k in range(i, min(i + 16, w.n)):
                    if wide[k] >= 0x80 and not _nfc_safe(wide[k]):
                        return False
            i += 16
        return True
    for i in range(w.n):
        if not _nfc_safe(jpqr_read(w.kind, w.data, i)):
            return False
    return True


def _set_crc_path(int path):
    """For jpqr._crc._use_path: this module's copy of the CRC kernels takes the same path."""
    if not jpqr_crc_set_path(path):
        raise ValueError(f"CRC path {path} is not available here")


def _crc_path():
    """The CRC kernel this module's judge() uses (tests: see _crc._use_path)."""
    return jpqr_crc_path().decode("ascii")


# --- compiling a table ---------------------------------------------------------------------


cdef class Compiled:
    """A profile compiled for :func:`judge`."""
    cdef program* p
    cdef readonly str name

    # No __cinit__: Cython's vectorcall of a no-argument construction hands it a NULL argument
    # array and adds 0 to it (UBSan: zero offset to null pointer). compile_profile() allocates
    # the program; a Compiled made any other way has none, and judge()/install() refuse it.

    def __dealloc__(self):
        free(self.p)


cdef int _id(str text) except -1:
    if len(text) != 2 or not (text.isascii() and text.isdigit()):
        raise Unsupported(f"ID {text!r}")
    return int(text)


cdef inline void _set_bit(uint64_t* bits, int n) noexcept nogil:
    bits[n >> 6] |= (<uint64_t>1) << (n & 63)


cdef inline bint _bit(const uint64_t* bits, int n) noexcept nogil:
    return (bits[n >> 6] >> (n & 63)) & 1


cdef int _path(op* o, str path) except -1:
    parts = path.split(".")
    if not 1 <= len(parts) <= 2:
        raise Unsupported(f"path {path!r}")
    o.depth = len(parts)
    for i, part in enumerate(parts):
        o.path[i] = _id(part)
    return 0


cdef int _table(program* p, table, bint lengths_only) except -1:
    if p.ntables >= MAX_TABLES:
        raise Unsupported("too many field tables")
    cdef field_table* t = &p.tables[p.ntables]
    for id, spec in table.items():
        n = _id(id)
        if not (0 <= spec.min_length <= spec.max_length <= 99):
            raise Unsupported(f"length bounds of {id}")
        fmt = {"N": FMT_N, "ans": FMT_ANS, "S": FMT_S}.get(spec.format)
        if fmt is None:
            raise Unsupported(f"format {spec.format!r} of {id}")
        t.fmt[n] = fmt
        t.template[n] = spec.template
        t.min_len[n] = spec.min_length
        t.max_len[n] = spec.max_length
    p.ntables += 1
    return p.ntables - 1


cdef int _value_set(program* p, values, bint fold_case, bint empty) except -1:
    if p.nsets >= MAX_SETS:
        raise Unsupported("too many value sets")
    cdef value_set* s = &p.sets[p.nsets]
    s.fold_case = fold_case
    s.empty = empty
    values = sorted(values)
    if len(values) > MAX_SET_STRINGS:
        if fold_case or not all(len(v) == 2 and v.isascii() and v.isprintable() for v in values):
            raise Unsupported("a large value set that is not 2 printable ASCII characters")
        s.two_letter = 1
        for v in values:
            _set_bit(s.pairs[ord(v[0]) - 32], ord(v[1]) - 32)
    else:
        for i, v in enumerate(values):
            if len(v) > MAX_STRING or not v.isascii() or (fold_case and v != v.upper()):
                raise Unsupported(f"value {v!r}")
            s.lengths[i] = len(v)
            for k, c in enumerate(v):
                s.strings[i][k] = ord(c)
        s.count = len(values)
    p.nsets += 1
    return p.nsets - 1


cdef int _pattern(op* o, pattern) except -1:
    """``[class]{n}`` or ``[class]{m,n}`` of ASCII ranges: what the tables' patterns are."""
    import re

    match = re.fullmatch(r"\[((?:[ -~]-[ -~]|[ -~])+?)\]\{(\d+)(?:,(\d+))?\}", pattern.pattern)
    if match is None or pattern.flags & ~re.UNICODE:
        raise Unsupported(f"pattern {pattern.pattern!r}")
    klass = match.group(1)
    i = 0
    while i < len(klass):
        if i + 2 < len(klass) and klass[i + 1] == "-":
            low, high = ord(klass[i]), ord(klass[i + 2])
            i += 3
        else:
            low = high = ord(klass[i])
            i += 1
        for c in range(low, high + 1):
            _set_bit(o.mask, c)
    o.min_count = int(match.group(2))
    o.max_count = int(match.group(3) or match.group(2))
    return 0


cdef int _compile_rows(program* p, rows) except -1:
    """Append the ops of ``rows``; their Templates branches are appended after them."""
    cdef int start = p.count
    cdef op* o
    pending = []
    if p.count + len(rows) > MAX_OPS:
        raise Unsupported("too many rows")
    p.count += len(rows)
    for index, row in enumerate(rows):
        o = &p.ops[start + index]
        kind = type(row)
        if kind is Fields:
            o.kind = OP_LENGTHS if row.lengths_only else OP_FIELDS
            o.table = _table(p, row.table, False)
        elif kind is Required:
            o.kind = OP_REQUIRED
            _path(o, row.path)
        elif kind is Absent:
            o.kind = OP_ABSENT
            _path(o, row.path)
        elif kind is AnyPresent:
            o.kind = OP_ANY
            for id in row.ids:
                _set_bit(o.ids, _id(id))
        elif kind is Allowed:
            o.kind = OP_ALLOWED
            _path(o, row.path)
            o.set = _value_set(p, row.values, row.fold_case, row.empty)
        elif kind is Pattern:
            o.kind = OP_PATTERN
            _path(o, row.path)
            _pattern(o, row.pattern)
        elif kind is GuidFirst:
            o.kind = OP_GUID_FIRST
        elif kind is Templates:
            o.kind = OP_TEMPLATES
            o.nonempty = row.nonempty
            pending.append((start + index, row))
        elif kind is Rule:
            _rule(p, o, row)
        else:
            raise Unsupported(f"row type {kind.__name__}")
    for at, row in pending:
        o = &p.ops[at]
        if p.nbranches + len(row.rows) > MAX_OPS:
            raise Unsupported("too many template branches")
        o.first_branch = p.nbranches
        o.branches = len(row.rows)
        p.nbranches += len(row.rows)
        for b, (members, inner) in enumerate(row.rows):
            for id in members:
                _set_bit(p.branch_ids[o.first_branch + b], _id(id))
            p.branch_start[o.first_branch + b] = p.count
            p.branch_count[o.first_branch + b] = len(inner)
            _compile_rows(p, inner)
    return start


# The options each rule function compiled here reads (any other makes it Unsupported).
_OPTIONS = {
    _functions.currency: frozenset(), _functions.amount: frozenset(),
    _functions.convenience_fee: frozenset(), _functions.consumer_data: frozenset(),
    _functions.jpqr_identifier: frozenset({"levels"}),
    _functions.whole_yen: frozenset({"currency"}),
}


cdef int _rule(program* p, op* o, row) except -1:
    function = row.function
    try:
        known = _OPTIONS.get(function)
    except TypeError:  # an unhashable "function"
        known = None
    if known is None or set(row.options) != known:
        raise Unsupported(f"rule function {getattr(function, '__name__', function)!r} "
                          f"with options {sorted(row.options)!r}")
    if function is _functions.currency and row.path == "53":
        o.kind = OP_CURRENCY
    elif function is _functions.amount:
        o.kind = OP_AMOUNT
    elif function is _functions.convenience_fee:
        o.kind = OP_FEE
    elif function is _functions.consumer_data:
        o.kind = OP_CONSUMER
    elif function is _functions.jpqr_identifier:
        o.kind = OP_IDENTIFIER
        o.table = _table(p, row.options["levels"], True)
    elif function is _functions.whole_yen:
        o.kind = OP_WHOLE
        o.set = _value_set(p, [row.options["currency"]], False, False)
    else:
        raise Unsupported(f"rule function {getattr(function, '__name__', function)!r}")
    if row.path:
        _path(o, row.path)
    return 0


def compile_profile(profile):
    """The profile's table compiled; :class:`Unsupported` where a row is not known here."""
    cdef Compiled compiled = Compiled.__new__(Compiled)
    compiled.p = <program*>malloc(sizeof(program))
    if compiled.p == NULL:
        raise MemoryError()
    memset(compiled.p, 0, sizeof(program))
    compiled.name = profile.name
    _compile_rows(compiled.p, profile.rows)
    compiled.p.root_count = len(profile.rows)
    return compiled


# --- the pass ------------------------------------------------------------------------------


cdef int _read_level(walk* w, Py_ssize_t start, Py_ssize_t end, int table) noexcept:
    """Walk [start, end) as one level into the pool: its index, -1 where it does not read as
    data objects (or a limit of the pool is reached), -2 for a zero length. ``table``: 0 the
    root, 1 inside 62, 2 a level that holds no templates (decode()'s template tables)."""
    cdef int id, length, child
    cdef int index = w.nlevels
    cdef Py_ssize_t pos = start
    if w.nlevels >= MAX_LEVELS:
        return -1
    w.nlevels += 1
    w.levels[index].first = w.nobjects
    w.levels[index].count = 0
    # First the level's own objects (contiguous in the pool), then their children.
    while pos < end:
        if end - pos < 4 or not jpqr_header(w.kind, w.data, pos, &id, &length):
            return -1
        if pos + 4 + length > end or w.nobjects >= MAX_OBJECTS:
            return -1
        if length == 0:
            return -2
        w.objects[w.nobjects].id = id
        w.objects[w.nobjects].start = <int>(pos + 4)
        w.objects[w.nobjects].length = length
        w.objects[w.nobjects].child = -1
        if index == 0 and w.root_at[id] < 0:
            w.root_at[id] = <short>w.nobjects
        w.nobjects += 1
        w.levels[index].count += 1
        pos += 4 + length
    cdef int first = w.levels[index].first
    cdef int count = w.levels[index].count
    cdef int i
    cdef obj* o
    for i in range(first, first + count):
        o = &w.objects[i]
        if (table == 0 and _ROOT_TEMPLATE[o.id]) or (table == 1 and _NESTED_TEMPLATE[o.id]):
            child = _read_level(w, o.start, o.start + o.length,
                                1 if table == 0 and o.id == _NESTED_PARENT else 2)
            if child < 0:
                return child  # tlv.template_not_tlv, tlv.zero_length: a finding
            o.child = child
    return index


cdef inline int _find(walk* w, int lvl, int id) noexcept:
    """The first object of ``id`` in the level, or -1."""
    if lvl == 0:
        return w.root_at[id]
    cdef level* l = &w.levels[lvl]
    cdef int i
    for i in range(l.first, l.first + l.count):
        if w.objects[i].id == id:
            return i
    return -1


cdef inline int _find_path(walk* w, int lvl, const op* o) noexcept:
    cdef int i = _find(w, lvl, o.path[0])
    if i < 0 or o.depth == 1:
        return i
    if w.objects[i].child < 0:
        return -1
    return _find(w, w.objects[i].child, o.path[1])


cdef inline uint32_t _char(walk* w, int i) noexcept:
    return jpqr_read(w.kind, w.data, i)


cdef inline int _ascii_ok(const uint8_t* p, int n, int fmt) noexcept nogil:
    """N or ans over bytes (a 1-byte text), without a branch a character."""
    cdef int i
    cdef uint32_t bad = 0
    if fmt == FMT_N:
        for i in range(n):
            bad |= <uint32_t>(p[i] - 48) > 9
    else:
        for i in range(n):
            bad |= <uint32_t>(p[i] - 0x20) > 0x5E
    return not bad


cdef inline int _wide_ok(const uint16_t* p, int n, int fmt) noexcept nogil:
    """N or ans over 2-byte characters."""
    cdef int i
    cdef uint32_t bad = 0
    if fmt == FMT_N:
        for i in range(n):
            bad |= <uint32_t>(p[i] - 48) > 9
    else:
        for i in range(n):
            bad |= <uint32_t>(p[i] - 0x20) > 0x5E
    return not bad


cdef int _format_ok(walk* w, const obj* o, int fmt) noexcept:
    """1 where the value is of the format with nothing to report; 0 for a finding (or doubt:
    non-ASCII S text, whose NFC judge() checks once for the whole payload)."""
    cdef int i
    cdef uint32_t c
    if fmt != FMT_S and w.kind == 1:
        return _ascii_ok(<const uint8_t*>w.data + o.start, o.length, fmt)
    if fmt != FMT_S and w.kind == 2:
        return _wide_ok(<const uint16_t*>w.data + o.start, o.length, fmt)
    for i in range(o.start, o.start + o.length):
        c = _char(w, i)
        if fmt == FMT_N:
            if c - 48 > 9:
                return 0
        elif fmt == FMT_ANS:
            if c < 0x20 or c > 0x7E:
                return 0
        elif c < 0x20 or 0x7F <= c <= 0x9F or 0xD800 <= c <= 0xDFFF:
            return 0
    return 1


cdef int _fields(walk* w, int lvl, const field_table* t, bint lengths_only) noexcept:
    cdef level* l = &w.levels[lvl]
    cdef int i, fmt
    cdef obj* o
    for i in range(l.first, l.first + l.count):
        o = &w.objects[i]
        fmt = t.fmt[o.id]
        if fmt == FMT_NONE or t.template[o.id]:
            continue
        if o.length < t.min_len[o.id] or o.length > t.max_len[o.id]:
            return 0
        if not lengths_only and not _format_ok(w, o, fmt):
            return 0
    return 1


cdef int _in_set(walk* w, const obj* o, const value_set* s) noexcept:
    cdef int i, k
    cdef uint32_t c, a, b
    if s.two_letter:
        if o.length != 2:
            return 0
        a = _char(w, o.start)
        b = _char(w, o.start + 1)
        if a < 32 or a > 127 or b < 32 or b > 127:
            return 0
        return _bit(s.pairs[a - 32], b - 32)
    for i in range(s.count):
        if s.lengths[i] != o.length:
            continue
        for k in range(o.length):
            c = _char(w, o.start + k)
            if s.fold_case and 0x61 <= c <= 0x7A:
                c -= 32
            elif s.fold_case and c > 0x7F:
                return 0  # a non-ASCII letter may upper-case to ASCII (ı to I): doubt
            if c != s.strings[i][k]:
                break
        else:
            return 1
    return 0


cdef int _amount_ok(walk* w, const obj* o, int exponent) noexcept:
    """SPEC §3: digits with at most one "." and a digit somewhere, not zero, and no more
    decimals than the currency's minor unit (``exponent`` -1: none known)."""
    cdef int i, digits = 0, nonzero = 0, dot = -1
    cdef uint32_t c
    for i in range(o.length):
        c = _char(w, o.start + i)
        if c == 0x2E:
            if dot >= 0:
                return 0
            dot = i
        elif c - 48 <= 9:
            digits += 1
            nonzero |= c != 0x30
        else:
            return 0
    if not digits or not nonzero:
        return 0
    if dot >= 0 and exponent >= 0 and o.length - dot - 1 > exponent:
        return 0  # amount.decimals (a warning) or jpqr.amount
    return 1


cdef int _percentage_ok(walk* w, const obj* o) noexcept:
    """57: one or two digits, optionally "." and one or two digits, from 00.01 to 99.99."""
    cdef int i, dot = -1, nonzero = 0
    cdef uint32_t c
    for i in range(o.length):
        c = _char(w, o.start + i)
        if c == 0x2E and dot < 0:
            dot = i
        elif c - 48 <= 9:
            nonzero |= c != 0x30
        else:
            return 0
    if dot < 0:
        return 1 <= o.length <= 2 and nonzero
    return 1 <= dot <= 2 and 1 <= o.length - dot - 1 <= 2 and nonzero


cdef int _fee_ok(walk* w, int lvl) noexcept:
    """_functions.convenience_fee with nothing to report."""
    cdef int indicator = _find(w, lvl, 55), fee = _find(w, lvl, 56), share = _find(w, lvl, 57)
    cdef int kind = 0  # 0 none or unknown, 1 prompt, 2 fixed, 3 percentage
    cdef obj* o
    if indicator >= 0:
        o = &w.objects[indicator]
        if o.length == 2 and _char(w, o.start) == 0x30 and 0x31 <= _char(w, o.start + 1) <= 0x33:
            kind = _char(w, o.start + 1) - 0x30
        else:
            return 0
    if (kind == 2) != (fee >= 0) or (kind == 3) != (share >= 0):
        return 0
    if fee >= 0 and not _amount_ok(w, &w.objects[fee], w.exponent):
        return 0
    if share >= 0 and not _percentage_ok(w, &w.objects[share]):
        return 0
    return 1


cdef int _identifier(walk* w, int lvl, const field_table* t) noexcept:
    """_functions.jpqr_identifier with nothing to report: the first 26-51 template whose GUID
    is the JPQR one holds every level of ``t`` at its length."""
    cdef int template = _jpqr_template(w, lvl)
    cdef int n, i, child
    if template < 0:
        return 0
    child = w.objects[template].child
    for n in range(100):
        if t.fmt[n] != FMT_NONE:
            i = _find(w, child, n)
            if i < 0:
                return 0
    return _fields(w, child, t, True)


cdef int _jpqr_template(walk* w, int lvl) noexcept:
    """find_identifier(): -1 where there is none, -2 where a GUID is in doubt (non-ASCII)."""
    cdef level* l = &w.levels[lvl]
    cdef int i, guid, k
    cdef uint32_t c
    cdef obj* g
    for i in range(l.first, l.first + l.count):
        if not (26 <= w.objects[i].id <= 51) or w.objects[i].child < 0:
            continue
        guid = _find(w, w.objects[i].child, 0)
        if guid < 0:
            continue
        g = &w.objects[guid]
        if g.length != 19:
            continue
        for k in range(19):
            c = _char(w, g.start + k)
            if c > 0x7F:
                return -2  # str.lower() of a non-ASCII letter may be ASCII (K, Kelvin)
            if 0x41 <= c <= 0x5A:
                c += 32
            if c != _GUID[k]:
                break
        else:
            return i
    return -1


cdef int _run(const program* p, walk* w, int start, int count, int lvl) noexcept:
    """1 where the ops find nothing at level ``lvl``, 0 for a finding or a doubt."""
    cdef int k, i, b, j, code
    cdef const op* o
    cdef obj* x
    cdef level* l = &w.levels[lvl]
    for k in range(start, start + count):
        o = &p.ops[k]
        if o.kind == OP_FIELDS or o.kind == OP_LENGTHS:
            if not _fields(w, lvl, &p.tables[o.table], o.kind == OP_LENGTHS):
                return 0
        elif o.kind == OP_REQUIRED:
            if _find_path(w, lvl, o) < 0:
                return 0
        elif o.kind == OP_ABSENT:
            if _find_path(w, lvl, o) >= 0:
                return 0
        elif o.kind == OP_ANY:
            for i in range(l.first, l.first + l.count):
                if _bit(o.ids, w.objects[i].id):
                    break
            else:
                return 0
        elif o.kind == OP_ALLOWED:
            i = _find_path(w, lvl, o)
            if i >= 0 and not _in_set(w, &w.objects[i], &p.sets[o.set]):
                return 0
        elif o.kind == OP_PATTERN:
            i = _find_path(w, lvl, o)
            if i >= 0:
                x = &w.objects[i]
                if not o.min_count <= x.length <= o.max_count:
                    return 0
                for j in range(x.start, x.start + x.length):
                    if _char(w, j) > 127 or not _bit(o.mask, _char(w, j)):
                        return 0
        elif o.kind == OP_GUID_FIRST:
            if _find(w, lvl, 0) >= 0 and w.objects[l.first].id != 0:
                return 0
        elif o.kind == OP_TEMPLATES:
            for i in range(l.first, l.first + l.count):
                x = &w.objects[i]
                if x.child < 0:
                    continue
                for b in range(o.first_branch, o.first_branch + o.branches):
                    if _bit(p.branch_ids[b], x.id):
                        if not _run(p, w, p.branch_start[b], p.branch_count[b], x.child):
                            return 0
                        break
        elif o.kind == OP_CURRENCY:
            i = _find_path(w, lvl, o)
            if i >= 0:
                x = &w.objects[i]
                if x.length != 3 or not _format_ok(w, x, FMT_N):
                    return 0
                code = (_char(w, x.start) - 48) * 100 + (_char(w, x.start + 1) - 48) * 10 + \
                    (_char(w, x.start + 2) - 48)
                if _EXPONENT[code] == -2:
                    return 0
                w.exponent = _EXPONENT[code]
        elif o.kind == OP_AMOUNT:
            i = _find_path(w, lvl, o)
            if i >= 0 and not _amount_ok(w, &w.objects[i], w.exponent):
                return 0
        elif o.kind == OP_FEE:
            if not _fee_ok(w, lvl):
                return 0
        elif o.kind == OP_CONSUMER:
            i = _find_path(w, lvl, o)
            if i >= 0:
                x = &w.objects[i]
                b = 0
                for j in range(x.start, x.start + x.length):
                    code = _char(w, j)
                    code = 1 if code == 0x41 else 2 if code == 0x4D else 4 if code == 0x45 else 8
                    if code == 8 or b & code:
                        return 0
                    b |= code
        elif o.kind == OP_IDENTIFIER:
            if not _identifier(w, lvl, &p.tables[o.table]):
                return 0
        elif o.kind == OP_WHOLE:
            i = _find(w, lvl, 53)
            if i >= 0 and _in_set(w, &w.objects[i], &p.sets[o.set]):
                j = _find_path(w, lvl, o)
                if j >= 0:
                    x = &w.objects[j]
                    for code in range(x.start, x.start + x.length):
                        if _char(w, code) == 0x2E and code != x.start + x.length - 1:
                            return 0  # decimals: jpqr.amount (or another finding)
        else:
            return 0
    return 1


cdef int _structure(walk* w) noexcept:
    """The engine's checks of the root (_engine.check_structure): 00 first, one 63 and last
    (6304 and the 4 hex digits judge() compared), one occurrence of an ID per level."""
    cdef int lvl, i, id
    cdef uint64_t seen[2]
    cdef level* root = &w.levels[0]
    if root.count < 2 or w.objects[root.first].id != 0:
        return 0
    cdef obj* last = &w.objects[root.first + root.count - 1]
    if last.id != 63 or last.length != 4:
        return 0
    for lvl in range(w.nlevels):
        seen[0] = seen[1] = 0
        for i in range(w.levels[lvl].first, w.levels[lvl].first + w.levels[lvl].count):
            id = w.objects[i].id
            if _bit(seen, id):
                return 0
            _set_bit(seen, id)
    return 1


cdef int _read(int kind, const void* data, Py_ssize_t n, bint ascii, walk* w) noexcept:
    """The engine's part of a pass over the characters ``data`` (PEP 393 ``kind``; ASCII bytes
    are kind 1): length, CRC, the walk into the pool and the structure. 1 where the rows may
    run, -1 for a certain error, 0 where the reference must say."""
    cdef int32_t crc
    cdef int verdict, i
    w.kind = kind
    w.data = data
    w.n = n
    w.nobjects = 0
    w.nlevels = 0
    w.exponent = -1
    memset(w.root_at, 0xFF, sizeof(w.root_at))
    if w.n == 0 or w.n > _MAX_PAYLOAD:
        return -1  # payload.empty, payload.too_long
    verdict = jpqr_verdict_ucs(w.kind, w.data, w.n, ascii, &crc)
    if verdict != JPQR_OK:
        return 0 if verdict == 1 else -1  # lowercase: a warning (or strict's error)
    i = _read_level(w, 0, w.n, 0)
    if i == -2:
        return -1  # tlv.zero_length
    if i < 0:
        return 0  # a decode error, or a template that is not data objects (or the pool's end)
    return _structure(w)


cdef walk* _WALK = <walk*>malloc(sizeof(walk))
if _WALK == NULL:
    raise MemoryError()


# --- what "auto" needs to know: the GUIDs classify cares about, the guidless countries -------

# guid_kind() answers by the GUID's characters, cached here (bounded: one entry a slot, the
# last GUID hashed to it), so a code whose GUIDs were seen before builds no Python object.
cdef enum:
    GUID_SLOTS = 128             # in pairs: a GUID is in slot 2k or 2k+1 of its hash
    GUID_CHARS = 40              # a longer GUID is left to the reference
    GUID_TRIES = 3               # passes a code may take to learn its GUIDs (2 but for a clash)
    KIND_PLAIN = 0               # profiles._classify.PLAIN, JPQR, OTHER
    KIND_JPQR = 1
    KIND_OTHER = 2
    KIND_MISS = -1

ctypedef struct guid_entry:
    int length                   # 0: empty slot
    int kind
    uint32_t chars[GUID_CHARS]

cdef guid_entry _GUIDS[GUID_SLOTS]
memset(_GUIDS, 0, sizeof(_GUIDS))
cdef object _GUID_KIND = None    # profiles._classify.guid_kind
# The guidless countries (58 values, _classify.GUIDLESS_COUNTRIES) as a bitmap of 2-character
# printable ASCII; _GUIDLESS_ANY where one is not such a pair (auto then always says 0).
cdef uint64_t _GUIDLESS[96][2]
cdef bint _GUIDLESS_ANY = False


cdef inline uint32_t _guid_slot(walk* w, const obj* g) noexcept:
    """The first of the GUID's pair of slots (FNV-1a of its characters)."""
    cdef uint32_t h = 2166136261u
    cdef int i
    for i in range(g.start, g.start + g.length):
        h = (h ^ _char(w, i)) * 16777619u
    return (h % (GUID_SLOTS // 2)) * 2


cdef inline bint _holds(const guid_entry* e, walk* w, const obj* g) noexcept:
    cdef int i
    if e.length != g.length:
        return False
    for i in range(g.length):
        if e.chars[i] != _char(w, g.start + i):
            return False
    return True


cdef int _cached_kind(walk* w, const obj* g) noexcept:
    """guid_kind of the GUID ``g`` from the cache, or KIND_MISS."""
    cdef uint32_t slot
    if g.length > GUID_CHARS:
        return KIND_MISS
    slot = _guid_slot(w, g)
    if _holds(&_GUIDS[slot], w, g):
        return _GUIDS[slot].kind
    if _holds(&_GUIDS[slot + 1], w, g):
        return _GUIDS[slot + 1].kind
    return KIND_MISS


cdef int _ask_kind(object text, int start, int length, uint32_t slot) except -2:
    """guid_kind() of the GUID at text[start:start + length] (a Python call: other threads may
    use the walk meanwhile, so the caller starts its pass again), cached in ``slot``'s pair;
    KIND_OTHER where it does not answer 0, 1 or 2."""
    cdef guid_entry* e
    cdef int i, kind
    guid = text[start:start + length]
    if type(guid) is bytes:
        guid = (<bytes>guid).decode("ascii")  # _verdict saw it is ASCII
    try:
        found = _GUID_KIND(guid)
    except Exception:
        return KIND_OTHER  # the reference engine will say what it says
    if type(found) is not int or not 0 <= found <= 2:
        return KIND_OTHER
    kind = found
    if length <= GUID_CHARS:
        # Into the pair's first slot, what was there moved to the second (the older dropped).
        _GUIDS[slot + 1] = _GUIDS[slot]
        e = &_GUIDS[slot]
        e.length = 0
        for i in range(length):
            e.chars[i] = ord(guid[i])
        e.kind = kind
        e.length = length
    return kind


cdef int _auto(object text, walk* w) except -2:
    """For "auto": where the reference's auto applies emvco (1) or jpqr (2), and so the pass
    may judge (every 26-51 GUID of kind 0 or 1, 58 not a guidless country); 0 where it may
    apply another profile; -1 where a guid_kind answer was missing (asked now: pass again)."""
    cdef level* root = &w.levels[0]
    cdef int i, g, kind, country
    cdef uint32_t a, b
    cdef obj* x
    if _GUIDLESS_ANY:
        return 0
    country = _find(w, 0, 58)
    if country >= 0:
        x = &w.objects[country]
        if x.length == 2:
            a = _char(w, x.start)
            b = _char(w, x.start + 1)
            if a > 0x7E or b > 0x7E:
                return 0  # a non-ASCII letter may upper-case to ASCII
            if 0x61 <= a <= 0x7A:
                a -= 32
            if 0x61 <= b <= 0x7A:
                b -= 32
            if a >= 32 and b >= 32 and _bit(_GUIDLESS[a - 32], b - 32):
                return 0
        else:
            for i in range(x.start, x.start + x.length):
                if _char(w, i) > 0x7E:
                    return 0
    cdef bint jpqr_kind = False
    # The GUIDs not in the cache (at most one a template ID 26-51: _structure saw to that),
    # noted before any is asked: asking runs Python.
    cdef int missing = 0
    cdef int miss_start[26]
    cdef int miss_length[26]
    cdef uint32_t miss_slot[26]
    for i in range(root.first, root.first + root.count):
        x = &w.objects[i]
        if not (26 <= x.id <= 51) or x.child < 0:
            continue
        g = _find(w, x.child, 0)
        if g < 0:
            continue
        if w.objects[g].length > GUID_CHARS:
            return 0  # longer than any GUID (ans ..32): not cached, the reference reports it
        kind = _cached_kind(w, &w.objects[g])
        if kind == KIND_MISS:
            if missing < 26:
                miss_start[missing] = w.objects[g].start
                miss_length[missing] = w.objects[g].length
                miss_slot[missing] = _guid_slot(w, &w.objects[g])
            missing += 1
        elif kind == KIND_OTHER:
            return 0
        jpqr_kind |= kind == KIND_JPQR
    if missing:
        if missing > 26:
            return 0  # not a level _structure let through
        for i in range(missing):
            if _ask_kind(text, miss_start[i], miss_length[i], miss_slot[i]) == KIND_OTHER:
                return 0
        return -1
    # The profile chosen here (a JPQR GUID, _jpqr_template: api's auto) and the kinds agree.
    g = _jpqr_template(w, 0)
    if g == -2 or (g >= 0) != jpqr_kind:
        return 0
    return 2 if jpqr_kind else 1


# --- the tables in use -----------------------------------------------------------------------

cdef dict _TABLES = {}           # profile name -> Compiled (compiled profiles only)
cdef Compiled _EMVCO = None      # what "auto" applies (None: auto is left to the reference)
cdef Compiled _JPQR = None
cdef Compiled _APPLIED = None    # the profile of the last clean verdict
cdef str _CYTHON = "cython"


cdef inline bint _all_ascii(const uint8_t* p, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t i
    cdef uint8_t any = 0
    for i in range(n):
        any |= p[i]
    return any < 0x80


cdef int _verdict(object payload, object profile, bint lenient) except -2:
    """1 clean (``_APPLIED`` the profile applied), -1 certainly an error, 0 cannot say."""
    global _APPLIED
    cdef Compiled chosen = None
    cdef int verdict, found, tries
    cdef uint32_t c
    cdef int kind
    cdef const void* data
    cdef Py_ssize_t n
    cdef bint ascii
    # Nothing but an exact str, or exact bytes all ASCII (their text is the same characters):
    # no method of the object runs during the pass.
    if type(profile) is not str:
        return 0
    if type(payload) is str:
        kind = PyUnicode_KIND(payload)
        data = PyUnicode_DATA(payload)
        n = PyUnicode_GET_LENGTH(payload)
        ascii = PyUnicode_IS_ASCII(payload)
    elif type(payload) is bytes:
        kind = 1
        data = PyBytes_AS_STRING(payload)
        n = PyBytes_GET_SIZE(payload)
        # Too long: _read says so (-1) unread. Else UTF-8 (or not) goes to the reference.
        if n <= _MAX_PAYLOAD and not _all_ascii(<const uint8_t*>data, n):
            return 0
        ascii = True
    else:
        return 0
    if lenient and n:  # lenient strips these (_engine._strip), with a warning
        c = jpqr_read(kind, data, 0)
        if c == 0xFEFF or c == 0xEF or c == 0x20 or c == 0x09 or c == 0x0D or c == 0x0A:
            return 0  # 0xEF: the first byte of a UTF-8 BOM
        c = jpqr_read(kind, data, n - 1)
        if c == 0x20 or c == 0x09 or c == 0x0D or c == 0x0A:
            return 0
    cdef bint auto = profile == "auto"
    if auto:
        if _EMVCO is None or _JPQR is None:
            return 0
    else:
        chosen = _TABLES.get(profile)
        if chosen is None:
            return 0  # an unknown profile, or one not compiled: the reference engine says
    for tries in range(GUID_TRIES):
        verdict = _read(kind, data, n, ascii, _WALK)
        if verdict != 1:
            return verdict
        if not auto:
            break
        found = _auto(payload, _WALK)
        if found == 0:
            return 0
        if found > 0:
            chosen = _JPQR if found == 2 else _EMVCO
            break
        # -1: guid_kind was asked (Python ran, _WALK may be another call's): read again
    else:
        return 0
    if not _run(chosen.p, _WALK, 0, chosen.p.root_count, 0):
        return 0
    if not ascii and not _surely_nfc(_WALK) and not unicodedata.is_normalized("NFC", payload):
        return 0  # text.not_nfc may apply: a warning
    _APPLIED = chosen
    return 1


def judge(payload, profile, lenient):
    """(verdict, profile name) with the installed tables: 1 clean, -1 certainly an error, 0
    the reference engine must say. Only an exact ``str`` or ASCII ``bytes`` is judged."""
    cdef int verdict = _verdict(payload, profile, lenient)
    return verdict, _APPLIED.name if verdict == 1 else None


def install(tables, guid_kind, guidless):
    """The compiled tables :func:`verdict`, :func:`judge` and :func:`clean_report` use:
    ``tables`` maps each registered profile's name to its :func:`compile_profile` (or None
    where it is not compiled), ``guid_kind`` is ``profiles._classify.guid_kind`` and
    ``guidless`` ``profiles._classify.GUIDLESS_COUNTRIES``, read now. "auto" is judged only
    where both "emvco" and "jpqr" are compiled. The GUID cache is emptied."""
    global _TABLES, _EMVCO, _JPQR, _GUID_KIND, _GUIDLESS_ANY, _APPLIED
    cdef dict compiled = {}
    cdef Compiled table
    for name, value in dict(tables).items():
        if value is None:
            continue
        if type(name) is not str or type(value) is not Compiled or (<Compiled>value).p == NULL:
            raise TypeError("expected profile names and tables made by compile_profile()")
        compiled[name] = value
    if not callable(guid_kind):
        raise TypeError("guid_kind must be callable")
    countries = frozenset(guidless)
    memset(_GUIDLESS, 0, sizeof(_GUIDLESS))
    any_country = False
    for country in countries:
        if type(country) is str and len(country) == 2 and country.isascii() and \
                country.isprintable() and country == country.upper():
            _set_bit(_GUIDLESS[ord(country[0]) - 32], ord(country[1]) - 32)
        else:
            any_country = True
    _GUIDLESS_ANY = any_country
    memset(_GUIDS, 0, sizeof(_GUIDS))
    _TABLES = compiled
    _EMVCO = compiled.get("emvco")
    _JPQR = compiled.get("jpqr")
    _GUID_KIND = guid_kind
    _APPLIED = None


def compiled_profiles():
    """The names of the installed compiled tables, in order."""
    return tuple(_TABLES)


cdef dict _KERNELS = vars(_kernels)


cdef inline bint _in_use() noexcept:
    """Whether the compiled twin is in use (_kernels.use("python") turns it off): its
    IMPLEMENTATION read from the module's dict, no attribute lookup."""
    cdef object found = _KERNELS.get("IMPLEMENTATION")
    return found is _CYTHON or (type(found) is str and found == _CYTHON)


def verdict(payload, profile, lenient):
    """:func:`judge`'s verdict with the installed tables: what ``is_valid`` asks first."""
    if not _in_use():
        return 0
    return _verdict(payload, profile, lenient)


def clean_report(payload, profile, lenient):
    """The report of a clean code, from the compiled pass alone (the one object it builds), or
    None where the reference engine must report."""
    if not _in_use() or _verdict(payload, profile, lenient) != 1:
        return None
    if type(payload) is bytes:  # the report holds the text, as the reference engine's does
        payload = PyUnicode_DecodeASCII(PyBytes_AS_STRING(payload), PyBytes_GET_SIZE(payload),
                                        NULL)
    return tuple.__new__(ValidationReport, (True, _APPLIED.name, "ok", (), (), payload))
