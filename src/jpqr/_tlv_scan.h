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

/* Walk one level of data objects in [start, end): the number of objects, or -1 with *e set. */
static ptrdiff_t jpqr_scan(int kind, const void *data, ptrdiff_t start, ptrdiff_t end,
                           jpqr_scan_error *e)
{
    ptrdiff_t pos = start, prev = start, count = 0;
    while (pos < end) {
        int i0, i1, l0, l1;
        if (end - pos < 4 || (i0 = jpqr_digit(jpqr_read(kind, data, pos))) < 0 ||
            (i1 = jpqr_digit(jpqr_read(kind, data, pos + 1))) < 0 ||
            (l0 = jpqr_digit(jpqr_read(kind, data, pos + 2))) < 0 ||
            (l1 = jpqr_digit(jpqr_read(kind, data, pos + 3))) < 0) {
            e->what = JPQR_BAD_HEADER;
            e->pos = pos;
            e->prev = prev;
            return -1;
        }
        int length = l0 * 10 + l1;
        if (pos + 4 + length > end) {
            e->what = JPQR_OVERRUN;
            e->pos = pos;
            e->prev = prev;
            e->id = i0 * 10 + i1;
            e->length = length;
            return -1;
        }
        prev = pos;
        pos += 4 + length;
        count++;
    }
    return count;
}

static inline int jpqr_is_ascii(const uint8_t *p, ptrdiff_t n)
{
    uint8_t acc = 0;
    for (ptrdiff_t i = 0; i < n; i++)
        acc |= p[i];
    return acc < 0x80;
}

/* Strict UTF-8 (as Python's "strict": no overlong forms, no surrogates, nothing above
 * U+10FFFF) into code points; the count, or -1 where it is not UTF-8. */
static ptrdiff_t jpqr_utf8_decode(const uint8_t *p, ptrdiff_t n, uint32_t *out)
{
    ptrdiff_t i = 0, k = 0;
    while (i < n) {
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

/* The same for UTF-8 bytes; `scratch` holds JPQR_MAX_INPUT code points. */
static int jpqr_check_utf8(const uint8_t *p, ptrdiff_t n, int32_t *crc_out, uint32_t *scratch)
{
    *crc_out = -1;
    if (n > JPQR_MAX_INPUT)
        return JPQR_INVALID;
    if (jpqr_is_ascii(p, n))
        return jpqr_check_ucs(1, p, n, 1, crc_out);
    ptrdiff_t count = jpqr_utf8_decode(p, n, scratch);
    if (count < 0)
        return JPQR_INVALID;
    return jpqr_check_ucs(4, scratch, count, 0, crc_out);
}

/* Make an instance of a tuple subclass with 4 items (new references to each), without the
 * temporary tuple that calling the class would build: what tuple.__new__ does inside. */
static PyObject *jpqr_make_tuple4(PyTypeObject *type, PyObject *a, PyObject *b, PyObject *c,
                                  PyObject *d)
{
    PyObject *o = type->tp_alloc(type, 4);
    if (o == NULL)
        return NULL;
    Py_INCREF(a);
    Py_INCREF(b);
    Py_INCREF(c);
    Py_INCREF(d);
    PyTuple_SET_ITEM(o, 0, a);
    PyTuple_SET_ITEM(o, 1, b);
    PyTuple_SET_ITEM(o, 2, c);
    PyTuple_SET_ITEM(o, 3, d);
    return o;
}

#endif /* JPQR_TLV_SCAN_H */
