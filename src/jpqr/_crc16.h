/* CRC-16/CCITT-FALSE kernels shared by _crc.pyx and _tlv.pyx (hand-written, tracked in git).
 *
 * EMVCo MPM v1.1 §4.7.3: polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR.
 * The readable reference is jpqr/_crc_py.py (crc16_reference); every path here is tested
 * against it and against binascii.crc_hqx.
 *
 * Paths, picked at run time from the CPU (never -march=native), so one wheel runs everywhere:
 *   - slicing-by-16: 16 table look-ups per 16 bytes, portable C;
 *   - PCLMULQDQ folding, and the same on AVX-512 registers with VPCLMULQDQ (x86-64, GCC/Clang
 *     function target attributes): _crc16_clmul.h.
 * Functions here never touch Python objects, so they run with the GIL released.
 */
#ifndef JPQR_CRC16_H
#define JPQR_CRC16_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define JPQR_CRC_POLY 0x1021u

/* jpqr_crc_table[k][b]: the CRC register after byte b followed by k zero bytes (from 0). */
static uint16_t jpqr_crc_table[16][256];

static void jpqr_crc_make_tables(void)
{
    for (unsigned b = 0; b < 256; b++) {
        unsigned crc = b << 8;
        for (int bit = 0; bit < 8; bit++)
            crc = (crc & 0x8000u) ? ((crc << 1) ^ JPQR_CRC_POLY) : (crc << 1);
        jpqr_crc_table[0][b] = (uint16_t)crc;
    }
    for (int k = 1; k < 16; k++)
        for (unsigned b = 0; b < 256; b++) {
            unsigned prev = jpqr_crc_table[k - 1][b];
            jpqr_crc_table[k][b] = (uint16_t)((prev << 8) ^ jpqr_crc_table[0][prev >> 8]);
        }
}

static inline uint16_t jpqr_crc16_bytewise(uint16_t crc, const uint8_t *p, size_t n)
{
    while (n--)
        crc = (uint16_t)((crc << 8) ^ jpqr_crc_table[0][(crc >> 8) ^ *p++]);
    return crc;
}

/* Slicing-by-16: the register is only 16 bits, so it folds into the first two bytes of each
 * 16-byte block; byte i of the block then contributes table[15 - i] (linearity of the CRC). */
static uint16_t jpqr_crc16_table(uint16_t crc, const uint8_t *p, size_t n)
{
    const uint16_t(*t)[256] = (const uint16_t(*)[256])jpqr_crc_table;
    while (n >= 16) {
        crc = t[15][p[0] ^ (crc >> 8)] ^ t[14][p[1] ^ (crc & 0xFFu)] ^ t[13][p[2]] ^
              t[12][p[3]] ^ t[11][p[4]] ^ t[10][p[5]] ^ t[9][p[6]] ^ t[8][p[7]] ^ t[7][p[8]] ^
              t[6][p[9]] ^ t[5][p[10]] ^ t[4][p[11]] ^ t[3][p[12]] ^ t[2][p[13]] ^
              t[1][p[14]] ^ t[0][p[15]];
        p += 16;
        n -= 16;
    }
    return jpqr_crc16_bytewise(crc, p, n);
}

#include "_crc16_clmul.h"
#ifndef JPQR_CLMUL_MIN
#define JPQR_CLMUL_MIN 0 /* no carry-less kernels in this build */
#endif
#ifndef JPQR_AVX512_MIN
#define JPQR_AVX512_MIN 0
#endif

/* The path jpqr_crc16() takes: 0 table, 1 PCLMULQDQ, 2 VPCLMULQDQ on AVX-512 registers; the
 * best the CPU has, unless a test or benchmark says otherwise. */
enum { JPQR_PATH_TABLE = 0, JPQR_PATH_PCLMUL = 1, JPQR_PATH_AVX512 = 2 };
static int jpqr_use_clmul = JPQR_PATH_TABLE;

static void jpqr_crc_init_tables(void)
{
    jpqr_crc_make_tables();
    jpqr_clmul_init();
#if JPQR_HAVE_CLMUL
    jpqr_use_clmul = jpqr_cpu_has_avx512_clmul ? JPQR_PATH_AVX512
                     : jpqr_cpu_has_clmul     ? JPQR_PATH_PCLMUL
                                              : JPQR_PATH_TABLE;
#endif
}

/* For tests and benchmarks: pick a JPQR_PATH_*; returns 0 where the CPU cannot run it. */
static int jpqr_crc_set_path(int path)
{
#if JPQR_HAVE_CLMUL
    if ((path == JPQR_PATH_PCLMUL && !jpqr_cpu_has_clmul) ||
        (path == JPQR_PATH_AVX512 && !jpqr_cpu_has_avx512_clmul))
        return 0;
    jpqr_use_clmul = path;
    return 1;
#else
    return path == JPQR_PATH_TABLE;
#endif
}

/* The CRC over a byte buffer through the fastest path this CPU has. */
static inline uint16_t jpqr_crc16(uint16_t crc, const uint8_t *p, size_t n)
{
#if JPQR_HAVE_CLMUL
#if JPQR_HAVE_AVX512_CLMUL
    if (n >= JPQR_AVX512_MIN && jpqr_use_clmul == JPQR_PATH_AVX512)
        return jpqr_crc16_avx512(crc, p, n);
#endif
    if (n >= JPQR_CLMUL_MIN && jpqr_use_clmul)
        return jpqr_crc16_clmul(crc, p, n);
#endif
    return jpqr_crc16_table(crc, p, n);
}

/* For tests: one kernel itself (a JPQR_PATH_*), whatever the length; -1 where this CPU or build
 * lacks it, or the length is below the 64 bytes the carry-less kernels start from. */
static inline int32_t jpqr_crc16_on_path(int path, uint16_t crc, const uint8_t *p, size_t n)
{
    if (path == JPQR_PATH_TABLE)
        return jpqr_crc16_table(crc, p, n);
#if JPQR_HAVE_CLMUL
    if (path == JPQR_PATH_PCLMUL && jpqr_cpu_has_clmul && n >= 64)
        return jpqr_crc16_clmul(crc, p, n);
#if JPQR_HAVE_AVX512_CLMUL
    if (path == JPQR_PATH_AVX512 && jpqr_cpu_has_avx512_clmul && n >= 64)
        return jpqr_crc16_avx512(crc, p, n);
#endif
#endif
    return -1;
}

/* For tests: XINUSE (XGETBV with ECX=1), the XSAVE state components not in their initial state,
 * or -1 where the CPU cannot report it (CPUID.(EAX=0Dh,ECX=1):EAX bit 2). Bit 2 (bits 128-255 of
 * ymm0-15) or bit 6 (bits 256-511 of zmm0-15) still set when a kernel has returned means it left
 * the upper halves dirty; on Intel every later switch between SSE and VEX code then pays
 * (Intel's optimization manual, "Mixing AVX code with SSE code"). The "memory" clobber keeps the
 * read in its place between the calls around it. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
static int64_t jpqr_xinuse(void)
{
    static int supported = -1;
    if (supported < 0) {
        unsigned a, b, c, d;
        supported = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_OSXSAVE) &&
                    __get_cpuid_max(0, NULL) >= 0xD;
        if (supported) {
            __cpuid_count(0xD, 1, a, b, c, d);
            supported = (a >> 2) & 1;
        }
    }
    if (!supported)
        return -1;
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(1) : "memory");
    return (int64_t)(((uint64_t)hi << 32) | lo);
}

/* For tests: put the upper halves back in their initial state, so that what XINUSE shows after a
 * kernel is that kernel's doing. Only where they are dirty, which means AVX is on. */
static void jpqr_clear_upper(void)
{
    int64_t state = jpqr_xinuse();
    if (state > 0 && (state & 0x44))
        __asm__ volatile("vzeroupper" ::: "memory");
}
#else
static int64_t jpqr_xinuse(void) { return -1; }
static void jpqr_clear_upper(void) {}
#endif

/* Which path jpqr_crc16() takes on this CPU (for benchmarks and bug reports). */
static const char *jpqr_crc_path(void)
{
    return jpqr_use_clmul == JPQR_PATH_AVX512   ? "avx512"
           : jpqr_use_clmul == JPQR_PATH_PCLMUL ? "pclmul"
                                                : "table";
}

/* UTF-8 encoders for each PEP 393 kind, into `out` (room for 4 bytes per code point); lone
 * surrogates become three bytes, as Python's "surrogatepass" makes them. One loop per kind keeps
 * the branch on the kind out of the loop. */
#define JPQR_UTF8_ENCODER(NAME, T, ASCII_RUN)                                                   \
    static size_t NAME(const T *s, ptrdiff_t n, uint8_t *out)                                   \
    {                                                                                           \
        uint8_t *o = out;                                                                       \
        for (ptrdiff_t i = 0; i < n; i++) {                                                     \
            ASCII_RUN                                                                           \
            uint32_t c = s[i];                                                                  \
            if (c < 0x80) {                                                                     \
                *o++ = (uint8_t)c;                                                              \
            } else if (c < 0x800) {                                                             \
                o[0] = (uint8_t)(0xC0 | (c >> 6));                                              \
                o[1] = (uint8_t)(0x80 | (c & 0x3F));                                            \
                o += 2;                                                                         \
            } else if (c < 0x10000) {                                                           \
                o[0] = (uint8_t)(0xE0 | (c >> 12));                                             \
                o[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));                                     \
                o[2] = (uint8_t)(0x80 | (c & 0x3F));                                            \
                o += 3;                                                                         \
            } else {                                                                            \
                o[0] = (uint8_t)(0xF0 | (c >> 18));                                             \
                o[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));                                    \
                o[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));                                     \
                o[3] = (uint8_t)(0x80 | (c & 0x3F));                                            \
                o += 4;                                                                         \
            }                                                                                   \
        }                                                                                       \
        return (size_t)(o - out);                                                               \
    }

#if defined(__SSE2__)
#include <emmintrin.h>
/* Runs of ASCII (most of a payload, even one with Chinese text) are copied 16 or 8 at a time:
 * SSE2 is part of x86-64 itself, so this needs no CPU detection. */
#define JPQR_ASCII_RUN_1                                                                        \
    while (i + 16 <= n) {                                                                       \
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));                                  \
        if (_mm_movemask_epi8(v))                                                               \
            break;                                                                              \
        _mm_storeu_si128((__m128i *)o, v);                                                      \
        o += 16;                                                                                \
        i += 16;                                                                                \
    }                                                                                           \
    if (i >= n)                                                                                 \
        break;
#define JPQR_ASCII_RUN_2                                                                        \
    while (i + 8 <= n) {                                                                        \
        __m128i v = _mm_loadu_si128((const __m128i *)(s + i));                                  \
        if (_mm_movemask_epi8(_mm_cmpeq_epi16(                                                  \
                _mm_and_si128(v, _mm_set1_epi16((short)0xFF80)), _mm_setzero_si128())) !=       \
            0xFFFF)                                                                             \
            break;                                                                              \
        _mm_storel_epi64((__m128i *)o, _mm_packus_epi16(v, v));                                 \
        o += 8;                                                                                 \
        i += 8;                                                                                 \
    }                                                                                           \
    if (i >= n)                                                                                 \
        break;
#else
#define JPQR_ASCII_RUN_1
#define JPQR_ASCII_RUN_2
#endif

JPQR_UTF8_ENCODER(jpqr_utf8_encode_1, uint8_t, JPQR_ASCII_RUN_1)
JPQR_UTF8_ENCODER(jpqr_utf8_encode_2, uint16_t, JPQR_ASCII_RUN_2)
JPQR_UTF8_ENCODER(jpqr_utf8_encode_4, uint32_t, )

/* The CRC over the UTF-8 encoding of code points [start, end) of a PEP 393 string buffer
 * (kind 1, 2 or 4), encoded in chunks on the stack. `ascii` says the buffer holds only ASCII,
 * which is its own UTF-8. */
static uint16_t jpqr_crc16_ucs(uint16_t crc, int kind, const void *data, ptrdiff_t start,
                               ptrdiff_t end, int ascii)
{
    enum { CHUNK = 1024 };
    uint8_t buf[4 * CHUNK];
    if (ascii)
        return jpqr_crc16(crc, (const uint8_t *)data + start, (size_t)(end - start));
    for (ptrdiff_t i = start; i < end; i += CHUNK) {
        ptrdiff_t n = end - i < CHUNK ? end - i : CHUNK;
        size_t k = kind == 1   ? jpqr_utf8_encode_1((const uint8_t *)data + i, n, buf)
                   : kind == 2 ? jpqr_utf8_encode_2((const uint16_t *)data + i, n, buf)
                               : jpqr_utf8_encode_4((const uint32_t *)data + i, n, buf);
        crc = jpqr_crc16(crc, buf, k);
    }
    return crc;
}

/* Verdict codes, in the order of jpqr._crc_py.CRCVerdict. */
enum { JPQR_OK = 0, JPQR_LOWERCASE = 1, JPQR_MISMATCH = 2, JPQR_MISSING = 3, JPQR_INVALID = 4 };

/* Compare the 4 characters a payload ends with to the expected CRC: exact upper-case hex is
 * "ok", the same digits with lower-case a-f "lowercase", anything else "mismatch". No other
 * code point upper-cases to a single hex digit, so this equals Python's found.upper() test. */
static inline int jpqr_crc_compare(const uint32_t found[4], uint16_t expected)
{
    static const char hex[] = "0123456789ABCDEF";
    int lower = 0;
    for (int i = 0; i < 4; i++) {
        uint32_t want = (uint32_t)hex[(expected >> (12 - 4 * i)) & 0xF];
        uint32_t c = found[i];
        if (c == want)
            continue;
        if (c >= 'a' && c <= 'f' && c - 32 == want) {
            lower = 1;
            continue;
        }
        return JPQR_MISMATCH;
    }
    return lower ? JPQR_LOWERCASE : JPQR_OK;
}

static inline uint32_t jpqr_read(int kind, const void *data, ptrdiff_t i)
{
    return kind == 1   ? ((const uint8_t *)data)[i]
           : kind == 2 ? ((const uint16_t *)data)[i]
                       : ((const uint32_t *)data)[i];
}

/* crc_verdict() of a text buffer; *crc_out gets the expected CRC, or -1 without a marker. */
static int jpqr_verdict_ucs(int kind, const void *data, ptrdiff_t n, int ascii, int32_t *crc_out)
{
    uint32_t found[4];
    *crc_out = -1;
    if (n < 8 || jpqr_read(kind, data, n - 8) != '6' || jpqr_read(kind, data, n - 7) != '3' ||
        jpqr_read(kind, data, n - 6) != '0' || jpqr_read(kind, data, n - 5) != '4')
        return JPQR_MISSING;
    uint16_t crc = jpqr_crc16_ucs(0xFFFF, kind, data, 0, n - 4, ascii);
    *crc_out = crc;
    for (int i = 0; i < 4; i++)
        found[i] = jpqr_read(kind, data, n - 4 + i);
    return jpqr_crc_compare(found, crc);
}

/* crc_verdict() of raw bytes (judged on the bytes, which need not be valid UTF-8). */
static int jpqr_verdict_bytes(const uint8_t *p, ptrdiff_t n, int32_t *crc_out)
{
    uint32_t found[4];
    *crc_out = -1;
    if (n < 8 || memcmp(p + n - 8, "6304", 4) != 0)
        return JPQR_MISSING;
    uint16_t crc = jpqr_crc16(0xFFFF, p, (size_t)(n - 4));
    *crc_out = crc;
    for (int i = 0; i < 4; i++)
        found[i] = p[n - 4 + i];
    return jpqr_crc_compare(found, crc);
}

#endif /* JPQR_CRC16_H */
