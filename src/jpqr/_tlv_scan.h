/* TLV walk for _tlv.pyx (hand-written, tracked in git): EMVCo MPM v1.1 §4.1-4.2.
 *
 * A data object is a 2-digit ID, a 2-digit length counted in characters (code points) and the
 * value. These functions read PEP 393 string buffers (kind 1, 2 or 4) or UTF-8 bytes and never
 * touch Python objects, so the batch loop runs them with the GIL released. Errors are only
 * located here; _tlv.pyx turns them into the very DecodeError the pure twin raises.
 */
#ifndef JPQR_TLV_SCAN_H
#define JPQR_TLV_SCAN_H

#include <Python.h>

#include "_crc16.h"

/* jpqr.dataobject.MAX_INPUT_LENGTH; _tlv.pyx checks at import that they agree. */
#define JPQR_MAX_INPUT 4096

enum { JPQR_BAD_HEADER = 1, JPQR_OVERRUN = 2 };

typedef struct {
    int what;        /* JPQR_BAD_HEADER or JPQR_OVERRUN */
    ptrdiff_t pos;   /* where the object's header starts */
    ptrdiff_t prev;  /* where the object before it starts (the pure twin's previous_start) */
    int id;          /* for JPQR_OVERRUN: the ID and the declared length */
    int length;
} jpqr_scan_error;

static inline int jpqr_digit(uint32_t c) { return c - '0' <= 9u ? (int)(c - '0') : -1; }

/* Read the header at pos, whose 4 characters are there: 1 with *id and *length where they are
 * four ASCII digits, else 0. 1-byte text (ASCII or Latin-1, the common case) is read as one
 * 32-bit word and checked for four digits at once: every byte 0x30..0x39 has the high nibble 3,
 * and still has it after adding 6. */
static inline int jpqr_header(int kind, const void *data, ptrdiff_t pos, int *id, int *length)
{
    if (kind == 1) {
        const uint8_t *h = (const uint8_t *)data + pos;
        uint32_t w;
        memcpy(&w, h, 4);
        if ((w & 0xF0F0F0F0u) != 0x30303030u || ((w + 0x06060606u) & 0xF0F0F0F0u) != 0x30303030u)
            return 0;
        *id = (h[0] - '0') * 10 + (h[1] - '0');
        *length = (h[2] - '0') * 10 + (h[3] - '0');
        return 1;
    }
    int i0 = jpqr_digit(jpqr_read(kind, data, pos)), i1 = jpqr_digit(jpqr_read(kind, data, pos + 1));
    int l0 = jpqr_digit(jpqr_read(kind, data, pos + 2)), l1 = jpqr_digit(jpqr_read(kind, data, pos + 3));
    if ((i0 | i1 | l0 | l1) < 0)
        return 0;
    *id = i0 * 10 + i1;
    *length = l0 * 10 + l1;
    return 1;
}

/* Walk one level of data objects in [start, end): the number of objects, or -1 with *e set. */
static ptrdiff_t jpqr_scan(int kind, const void *data, ptrdiff_t start, ptrdiff_t end,
                           jpqr_scan_error *e)
{
    ptrdiff_t pos = start, prev = start, count = 0;
    while (pos < end) {
        int id, length;
        if (end - pos < 4 || !jpqr_header(kind, data, pos, &id, &length)) {
            e->what = JPQR_BAD_HEADER;
            e->pos = pos;
            e->prev = prev;
            return -1;
        }
        if (pos + 4 + length > end) {
            e->what = JPQR_OVERRUN;
            e->pos = pos;
            e->prev = prev;
            e->id = id;
            e->length = length;
            return -1;
        }
        prev = pos;
        pos += 4 + length;
        count++;
    }
    return count;
}

#if JPQR_HAVE_CLMUL && JPQR_HAVE_AVX512_CLMUL
/* 64 bytes a step, the last part by a masked load (which reads nothing past the end). */
JPQR_AVX512_TARGET static int jpqr_is_ascii_avx512(const uint8_t *p, ptrdiff_t n)
{
    __m512i acc = _mm512_setzero_si512();
    ptrdiff_t i = 0;
    for (; i + 64 <= n; i += 64)
        acc = _mm512_or_si512(acc, _mm512_loadu_si512(p + i));
    if (i < n)
        acc = _mm512_or_si512(
            acc, _mm512_maskz_loadu_epi8((__mmask64)((UINT64_C(1) << (n - i)) - 1), p + i));
    int ascii = _mm512_movepi8_mask(acc) == 0;
    /* Explicit rather than left to the compiler, which may drop it (GCC PR 112891; see
     * jpqr_crc16_avx512): dirty upper halves slow every later SSE/AVX switch on Intel. */
    _mm256_zeroupper();
    return ascii;
}
#endif

/* The AVX-512 test from 512 bytes on. Intel Xeon (Sapphire Rapids), ns a call, 8-byte loop
 * against AVX-512 in a loop: 20 bytes 3.8/6.1, 200 6.1/6.9, 256 6.9/6.1, 512 11.5/8.4; a lone
 * call (the 512-bit units cold, as for check() between Python code) 200 bytes 7.7/15.4, 512
 * 12.3/18.4. Payloads are mostly shorter than 512 (SPEC: "should not exceed 512 characters"). */
#define JPQR_AVX512_ASCII_MIN 512

static inline int jpqr_is_ascii(const uint8_t *p, ptrdiff_t n)
{
#if JPQR_HAVE_CLMUL && JPQR_HAVE_AVX512_CLMUL
    if (n >= JPQR_AVX512_ASCII_MIN && jpqr_cpu_has_avx512_clmul) /* which includes AVX-512BW */
        return jpqr_is_ascii_avx512(p, n);
#endif
    uint64_t acc = 0, word;
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) { /* eight bytes at a time; memcpy makes the unaligned load */
        memcpy(&word, p + i, 8);
        acc |= word;
    }
    for (; i < n; i++)
        acc |= p[i];
    return (acc & UINT64_C(0x8080808080808080)) == 0;
}

/* Strict UTF-8 (as Python's "strict": no overlong forms, no surrogates, nothing above
 * U+10FFFF) into code points; the count, or -1 where it is not UTF-8. */
static ptrdiff_t jpqr_utf8_decode(const uint8_t *p, ptrdiff_t n, uint32_t *out)
{
    ptrdiff_t i = 0, k = 0;
    while (i < n) {
        if (p[i] < 0x80 && i + 8 <= n) { /* ASCII runs, eight bytes at a time */
            uint64_t word;
            memcpy(&word, p + i, 8);
            if ((word & UINT64_C(0x8080808080808080)) == 0) {
                for (int j = 0; j < 8; j++)
                    out[k++] = p[i + j];
                i += 8;
                continue;
            }
        }
        uint32_t b = p[i], c;
        int more;
        uint32_t lo = 0x80, hi = 0xBF; /* allowed range of the first continuation byte */
        if (b < 0x80) {
            out[k++] = b;
            i++;
            continue;
        } else if (b >= 0xC2 && b <= 0xDF) {
            c = b & 0x1F;
            more = 1;
        } else if (b >= 0xE0 && b <= 0xEF) {
            c = b & 0x0F;
            more = 2;
            if (b == 0xE0)
                lo = 0xA0;
            else if (b == 0xED)
                hi = 0x9F;
        } else if (b >= 0xF0 && b <= 0xF4) {
            c = b & 0x07;
            more = 3;
            if (b == 0xF0)
                lo = 0x90;
            else if (b == 0xF4)
                hi = 0x8F;
        } else {
            return -1;
        }
        if (i + more >= n) /* truncated sequence */
            return -1;
        for (int j = 1; j <= more; j++) {
            uint32_t t = p[i + j];
            if (j == 1 ? (t < lo || t > hi) : (t < 0x80 || t > 0xBF))
                return -1;
            c = (c << 6) | (t & 0x3F);
        }
        out[k++] = c;
        i += more + 1;
    }
    return k;
}

/* check-only of a text buffer: a JPQR_* verdict code, JPQR_INVALID where decode() raises;
 * *crc_out gets the expected CRC where the text ends in 6304 and 4 characters, else -1. */
static int jpqr_check_ucs(int kind, const void *data, ptrdiff_t n, int ascii, int32_t *crc_out)
{
    jpqr_scan_error e;
    *crc_out = -1;
    if (n > JPQR_MAX_INPUT || (n > 0 && jpqr_read(kind, data, 0) == 0xFEFF))
        return JPQR_INVALID;
    int verdict = jpqr_verdict_ucs(kind, data, n, ascii, crc_out);
    return jpqr_scan(kind, data, 0, n, &e) < 0 ? JPQR_INVALID : verdict;
}

/* A text for jpqr_check_pair(): a PEP 393 buffer, or ASCII bytes as kind 1. */
typedef struct {
    int kind;
    const void *data;
    ptrdiff_t n;
    int ascii;
} jpqr_text;

/* jpqr_check_ucs() of two texts at once, with the same results. A walk is one chain of dependent
 * loads (each length says where the next header is), so a single walk leaves the CPU waiting;
 * two walks in one loop are two independent chains it follows side by side. A batch always has
 * a second payload to offer. */
static void jpqr_check_pair(const jpqr_text t[2], int verdict[2], int32_t crc_out[2])
{
    ptrdiff_t pos[2] = {0, 0}, end[2];
    int refused[2], walked[2];
    for (int i = 0; i < 2; i++) {
        crc_out[i] = -1;
        refused[i] = t[i].n > JPQR_MAX_INPUT ||
                     (t[i].n > 0 && jpqr_read(t[i].kind, t[i].data, 0) == 0xFEFF);
        end[i] = refused[i] ? 0 : t[i].n;
        walked[i] = 1;
    }
    while (pos[0] < end[0] && pos[1] < end[1]) {
        for (int i = 0; i < 2; i++) {
            int id, length;
            if (end[i] - pos[i] < 4 || !jpqr_header(t[i].kind, t[i].data, pos[i], &id, &length) ||
                pos[i] + 4 + length > end[i]) {
                walked[i] = 0;
                end[i] = pos[i]; /* stops this walk, and the loop */
            } else {
                pos[i] += 4 + length;
            }
        }
    }
    for (int i = 0; i < 2; i++) {
        jpqr_scan_error e;
        if (pos[i] < end[i]) /* the rest of the longer walk, alone */
            walked[i] = jpqr_scan(t[i].kind, t[i].data, pos[i], end[i], &e) >= 0;
        if (refused[i]) {
            verdict[i] = JPQR_INVALID;
            continue;
        }
        int v = jpqr_verdict_ucs(t[i].kind, t[i].data, t[i].n, t[i].ascii, &crc_out[i]);
        verdict[i] = walked[i] ? v : JPQR_INVALID;
    }
}

/* The same for UTF-8 bytes; `scratch` holds JPQR_MAX_INPUT code points. */
static int jpqr_check_utf8(const uint8_t *p, ptrdiff_t n, int32_t *crc_out, uint32_t *scratch)
{
    *crc_out = -1;
    if (n > JPQR_MAX_INPUT)
        return JPQR_INVALID;
    if (jpqr_is_ascii(p, n))
        return jpqr_check_ucs(1, p, n, 1, crc_out);
    ptrdiff_t count = jpqr_utf8_decode(p, n, scratch);
    if (count < 0 || scratch[0] == 0xFEFF)
        return JPQR_INVALID;
    jpqr_scan_error e;
    int verdict = JPQR_MISSING;
    if (count >= 8 && scratch[count - 8] == '6' && scratch[count - 7] == '3' &&
        scratch[count - 6] == '0' && scratch[count - 5] == '4') {
        /* The CRC covers the UTF-8 of all but the last 4 characters: these very bytes. */
        ptrdiff_t tail = 0;
        for (ptrdiff_t i = count - 4; i < count; i++)
            tail += scratch[i] < 0x80 ? 1 : scratch[i] < 0x800 ? 2 : scratch[i] < 0x10000 ? 3 : 4;
        uint16_t crc = jpqr_crc16(0xFFFF, p, (size_t)(n - tail));
        *crc_out = crc;
        verdict = jpqr_crc_compare(scratch + count - 4, crc);
    }
    return jpqr_scan(4, scratch, 0, count, &e) < 0 ? JPQR_INVALID : verdict;
}

/* jpqr_check_utf8() of two byte strings: as a pair (jpqr_check_pair) when both are ASCII. */
static void jpqr_check_utf8_pair(const uint8_t *const p[2], const ptrdiff_t n[2], int verdict[2],
                                 int32_t crc_out[2], uint32_t *scratch)
{
    if (n[0] <= JPQR_MAX_INPUT && n[1] <= JPQR_MAX_INPUT && jpqr_is_ascii(p[0], n[0]) &&
        jpqr_is_ascii(p[1], n[1])) {
        jpqr_text t[2] = {{1, p[0], n[0], 1}, {1, p[1], n[1], 1}};
        jpqr_check_pair(t, verdict, crc_out);
        return;
    }
    for (int i = 0; i < 2; i++)
        verdict[i] = jpqr_check_utf8(p[i], n[i], &crc_out[i], scratch);
}

/* Copy `length` characters of `data` from `start` into a new str of the narrowest kind that
 * holds them: the canonical form CPython requires (a str of ASCII characters must be an ASCII
 * string, or == and hash() go wrong), which PyUnicode_Substring finds with more calls and checks.
 * The OR of the characters tells the kind: it is below 0x80 (0x100, 0x10000) exactly when every
 * character is. Single Latin-1 characters come from CPython's cache of them, as slicing does. */
#define JPQR_NARROW(FROM, TO, src, dst, n)                                                       \
    do {                                                                                           \
        const FROM *s_ = (const FROM *)(src);                                                      \
        TO *d_ = (TO *)(dst);                                                                      \
        for (ptrdiff_t i_ = 0; i_ < (n); i_++)                                                     \
            d_[i_] = (TO)s_[i_];                                                                   \
    } while (0)

static PyObject *jpqr_value(int kind, const void *data, ptrdiff_t start, ptrdiff_t length,
                            int ascii)
{
    const char *src = (const char *)data + start * kind;
    uint32_t any = 0;
    PyObject *value;
    if (ascii) { /* the caller knows the whole text is ASCII */
    } else if (kind == 1) {
        for (ptrdiff_t i = 0; i < length; i++)
            any |= ((const Py_UCS1 *)src)[i];
    } else if (kind == 2) {
        for (ptrdiff_t i = 0; i < length; i++)
            any |= ((const Py_UCS2 *)src)[i];
    } else {
        for (ptrdiff_t i = 0; i < length; i++)
            any |= ((const Py_UCS4 *)src)[i];
    }
    if (length == 1 && any < 0x100)
        return PyUnicode_FromOrdinal((int)jpqr_read(kind, data, start));
    Py_UCS4 max = any < 0x80 ? 0x7F : any < 0x100 ? 0xFF : any < 0x10000 ? 0xFFFF : 0x10FFFF;
    value = PyUnicode_New(length, max);
    if (value == NULL || length == 0) /* the empty string is a singleton: never written */
        return value;
    int to = PyUnicode_KIND(value);
    void *dst = PyUnicode_DATA(value);
    if (to == kind)
        memcpy(dst, src, (size_t)(length * kind));
    else if (kind == 2)
        JPQR_NARROW(Py_UCS2, Py_UCS1, src, dst, length);
    else if (to == 1)
        JPQR_NARROW(Py_UCS4, Py_UCS1, src, dst, length);
    else
        JPQR_NARROW(Py_UCS4, Py_UCS2, src, dst, length);
    return value;
}

/* What the decoder needs besides the text: the DataObject type (a tuple subclass that adds no
 * fields: DataObject is a NamedTuple with __slots__ = (); _tlv.pyx checks that at import), the
 * 100 cached ID strings, cached offsets 0..JPQR_MAX_INPUT, and the template table:
 * templates[s][id] is the table the children of `id` use when `id` is a template in table s,
 * else -1 (built from jpqr.dataobject by _tlv.pyx). */
typedef struct {
    PyTypeObject *type;
    PyObject **ids;
    PyObject **offsets;
    const signed char (*templates)[100];
    int ascii; /* the text is ASCII (set per call) */
} jpqr_builder;

/* Build the `count` data objects of one level of [start, end), which jpqr_scan() found sound,
 * as a tuple; NULL with a Python error set (MemoryError) on failure.
 *
 * Each DataObject is allocated straight from its type, without the temporary tuple that calling
 * the class would build (what tuple.__new__ does inside, less zeroing memory that is written at
 * once). The tree holds only str, int, None and tuples of those (the objects and the tuples of
 * children), which cannot make a reference cycle, so none of it is tracked by the garbage
 * collector: what CPython's own _PyTuple_MaybeUntrack decides for such tuples at its next pass,
 * without the tracking, the passes over them and the untracking.
 * A template whose value is not data objects keeps children=None: not an error. */
static PyObject *jpqr_build(const jpqr_builder *b, int kind, const void *data,
                            ptrdiff_t start, ptrdiff_t end, ptrdiff_t count, int table)
{
    PyObject *objects = PyTuple_New(count);
    if (objects == NULL)
        return NULL;
    ptrdiff_t pos = start;
    for (ptrdiff_t i = 0; i < count; i++) {
        int id = 0, length = 0, two_digits;
        jpqr_header(kind, data, pos, &id, &length);
        ptrdiff_t value_end = pos + 4 + length;
        PyObject *children = NULL, *value, *object;
        int child_table = b->templates[table][id];
        if (child_table >= 0) {
            jpqr_scan_error e;
            ptrdiff_t nested = jpqr_scan(kind, data, pos + 4, value_end, &e);
            if (nested >= 0) {
                children = jpqr_build(b, kind, data, pos + 4, value_end, nested, child_table);
                if (children == NULL)
                    goto fail;
            }
        }
        if (length == 2 && (two_digits = jpqr_digit(jpqr_read(kind, data, pos + 4))) >= 0 &&
            jpqr_digit(jpqr_read(kind, data, pos + 5)) >= 0) {
            /* "01", "12", "11"...: two digits are one of the cached ID strings */
            value = b->ids[two_digits * 10 + jpqr_digit(jpqr_read(kind, data, pos + 5))];
            Py_INCREF(value);
        } else {
            value = jpqr_value(kind, data, pos + 4, length, b->ascii);
        }
        if (value == NULL) {
            Py_XDECREF(children);
            goto fail;
        }
        object = (PyObject *)PyObject_GC_NewVar(PyTupleObject, b->type, 4);
        if (object == NULL) {
            Py_DECREF(value);
            Py_XDECREF(children);
            goto fail;
        }
        Py_INCREF(b->ids[id]);
        PyTuple_SET_ITEM(object, 0, b->ids[id]);
        PyTuple_SET_ITEM(object, 1, value);
        if (children == NULL) {
            Py_INCREF(Py_None);
            PyTuple_SET_ITEM(object, 2, Py_None);
        } else {
            PyTuple_SET_ITEM(object, 2, children);
        }
        Py_INCREF(b->offsets[pos]);
        PyTuple_SET_ITEM(object, 3, b->offsets[pos]);
        PyTuple_SET_ITEM(objects, i, object);
        pos = value_end;
    }
    if (count)
        PyObject_GC_UnTrack(objects); /* PyTuple_New tracks it (the empty tuple is never tracked) */
    return objects;
fail:
    Py_DECREF(objects); /* the items not yet set are NULL, which tuple deallocation skips */
    return NULL;
}

#endif /* JPQR_TLV_SCAN_H */
