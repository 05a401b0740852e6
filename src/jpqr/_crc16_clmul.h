/* CRC-16/CCITT-FALSE by carry-less multiplication (PCLMULQDQ), included by _crc16.h.
 *
 * Folding as in Intel's "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ" (2009),
 * for a CRC that is not reflected. Polynomials sit in 128-bit registers with the coefficient of
 * x^i at bit i; a block of 16 payload bytes, byte-swapped, is such a polynomial (the first
 * byte's top bit is x^127). With A = H*x^64 + L the accumulator,
 *     A * x^k  ==  H * (x^(k+64) mod P) + L * (x^k mod P)        (mod P)
 * and both products fit in 80 bits, so folding in the next block by XOR keeps A congruent to the
 * message read so far. Four accumulators hide the multiplier's latency. At the end the 128-bit
 * remainder and the tail go through the slicing-by-16 table (which yields A * x^16 mod P, the
 * CRC register, for the remainder alone).
 *
 * The initial value is folded into the first two bytes (a CRC without reflection and without
 * final XOR started at I equals the CRC started at 0 of the message with I XORed into its
 * first 16 bits).
 *
 * Compiled only for x86-64 with GCC or Clang, with function target attributes; used only when
 * the CPU says it has PCLMULQDQ and SSSE3 (never -march=native).
 */
#ifndef JPQR_CRC16_CLMUL_H
#define JPQR_CRC16_CLMUL_H

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(JPQR_NO_CLMUL)
#define JPQR_HAVE_CLMUL 1
#include <immintrin.h>

/* Below this the table is as fast (the set-up and the final step cost ~30 table rounds); the
 * kernel needs 64 bytes anyway. Intel, ns a call at 32/64/128 bytes: table 7.4/13.5/26.5,
 * pclmul -/13.0/15.3 (in a loop); 11.5/18.5/30.8 and -/13.8/16.9 for a lone call. */
#define JPQR_CLMUL_MIN 64

static int jpqr_cpu_has_clmul = 0;
static int jpqr_cpu_has_avx512_clmul = 0;
/* x^(k+64) mod P and x^k mod P for shifts of k = 128, 256, 384 and 512 bits. */
static uint64_t jpqr_k128_hi, jpqr_k128_lo, jpqr_k256_hi, jpqr_k256_lo, jpqr_k384_hi,
    jpqr_k384_lo, jpqr_k512_hi, jpqr_k512_lo;
/* The same for shifts of 1024, 1536 and 2048 bits (the AVX-512 loop's four registers). */
static uint64_t jpqr_k1024_hi, jpqr_k1024_lo, jpqr_k1536_hi, jpqr_k1536_lo, jpqr_k2048_hi,
    jpqr_k2048_lo;

static uint64_t jpqr_xpow_mod(unsigned k)
{
    uint32_t r = 1;
    while (k--) {
        r <<= 1;
        if (r & 0x10000u)
            r ^= 0x10000u | JPQR_CRC_POLY;
    }
    return r;
}

static void jpqr_clmul_init(void)
{
    jpqr_k128_hi = jpqr_xpow_mod(192);
    jpqr_k128_lo = jpqr_xpow_mod(128);
    jpqr_k256_hi = jpqr_xpow_mod(320);
    jpqr_k256_lo = jpqr_xpow_mod(256);
    jpqr_k384_hi = jpqr_xpow_mod(448);
    jpqr_k384_lo = jpqr_xpow_mod(384);
    jpqr_k512_hi = jpqr_xpow_mod(576);
    jpqr_k512_lo = jpqr_xpow_mod(512);
    jpqr_k1024_hi = jpqr_xpow_mod(1088);
    jpqr_k1024_lo = jpqr_xpow_mod(1024);
    jpqr_k1536_hi = jpqr_xpow_mod(1600);
    jpqr_k1536_lo = jpqr_xpow_mod(1536);
    jpqr_k2048_hi = jpqr_xpow_mod(2112);
    jpqr_k2048_lo = jpqr_xpow_mod(2048);
    __builtin_cpu_init();
    jpqr_cpu_has_clmul = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("ssse3");
#if defined(__clang__) || __GNUC__ >= 8
    jpqr_cpu_has_avx512_clmul = jpqr_cpu_has_clmul && __builtin_cpu_supports("avx512f") &&
                                __builtin_cpu_supports("avx512bw") &&
                                __builtin_cpu_supports("vpclmulqdq");
#endif
}

#define JPQR_CLMUL_TARGET __attribute__((target("pclmul,ssse3,sse2")))

JPQR_CLMUL_TARGET static inline __m128i jpqr_fold(__m128i a, __m128i k)
{
    return _mm_xor_si128(_mm_clmulepi64_si128(a, k, 0x11), _mm_clmulepi64_si128(a, k, 0x00));
}

/* Byte masks for jpqr_clmul_finish: 16 bytes loaded from jpqr_shift_tab + 16 - s shuffle a
 * register left by s bytes (towards its high end), from + 16 + s right by s; the 0x80 entries
 * make zeros. 16 bytes from jpqr_low_tab + 16 - n keep the low n bytes. */
static const uint8_t jpqr_shift_tab[48] = {
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80};
static const uint8_t jpqr_low_tab[32] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

/* The CRC register from the folded remainder (its 16 bytes as a number, first message byte
 * highest) and the last n < 16 bytes at p, which have at least 16 bytes of the message before
 * them. A CRC started at 0 is M(x)·x^16 mod P, so any 16-byte V ≡ M mod P gives it: with M =
 * remainder ‖ tail = R_hi·x^128 + (R_lo ‖ tail), fold the first n bytes R_hi once more (two
 * multiplications, as in the loop) onto the last 16 bytes of M, then one slicing-by-16 step.
 * The tail comes from one 16-byte load ending at the message's end, its low n bytes kept. Up
 * to 3 tail bytes go byte by byte after the table step instead: shorter than the fold. */
JPQR_CLMUL_TARGET static inline uint16_t jpqr_clmul_finish(__m128i remainder, const uint8_t *p,
                                                           size_t n)
{
    const __m128i swap = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    uint8_t buf[16];
    if (n > 3) { /* up to 3 bytes are cheaper one by one after the table step */
        const __m128i k128 = _mm_set_epi64x((long long)jpqr_k128_hi, (long long)jpqr_k128_lo);
        __m128i r_hi = _mm_shuffle_epi8(
            remainder, _mm_loadu_si128((const __m128i *)(jpqr_shift_tab + 32 - n)));
        __m128i r_lo = _mm_shuffle_epi8(
            remainder, _mm_loadu_si128((const __m128i *)(jpqr_shift_tab + 16 - n)));
        __m128i tail = _mm_and_si128(
            _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + n - 16)), swap),
            _mm_loadu_si128((const __m128i *)(jpqr_low_tab + 16 - n)));
        remainder = _mm_xor_si128(jpqr_fold(r_hi, k128), _mm_or_si128(r_lo, tail));
    }
    _mm_storeu_si128((__m128i *)buf, _mm_shuffle_epi8(remainder, swap));
    return n > 3 ? jpqr_crc16_table(0, buf, 16) : jpqr_crc16_bytewise(jpqr_crc16_table(0, buf, 16), p, n);
}

JPQR_CLMUL_TARGET static uint16_t jpqr_crc16_clmul(uint16_t crc, const uint8_t *p, size_t n)
{
    const __m128i swap = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m128i k128 = _mm_set_epi64x((long long)jpqr_k128_hi, (long long)jpqr_k128_lo);
    __m128i a0, a1, a2, a3;

    /* n >= JPQR_CLMUL_MIN >= 64: four whole blocks to start from. The initial value goes
     * onto the first two bytes, the top 16 bits of the swapped first block. */
    a0 = _mm_xor_si128(_mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)p), swap),
                       _mm_set_epi64x((long long)((uint64_t)crc << 48), 0));
    a1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), swap);
    a2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), swap);
    a3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), swap);
    p += 64;
    n -= 64;
    if (n >= 64) {
        const __m128i k512 = _mm_set_epi64x((long long)jpqr_k512_hi, (long long)jpqr_k512_lo);
        do {
            a0 = _mm_xor_si128(jpqr_fold(a0, k512),
                               _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)p), swap));
            a1 = _mm_xor_si128(jpqr_fold(a1, k512),
                               _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), swap));
            a2 = _mm_xor_si128(jpqr_fold(a2, k512),
                               _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), swap));
            a3 = _mm_xor_si128(jpqr_fold(a3, k512),
                               _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), swap));
            p += 64;
            n -= 64;
        } while (n >= 64);
    }
    /* a0*x^384 + a1*x^256 + a2*x^128 + a3, the three folds side by side. */
    a0 = _mm_xor_si128(
        _mm_xor_si128(
            jpqr_fold(a0, _mm_set_epi64x((long long)jpqr_k384_hi, (long long)jpqr_k384_lo)),
            jpqr_fold(a1, _mm_set_epi64x((long long)jpqr_k256_hi, (long long)jpqr_k256_lo))),
        _mm_xor_si128(jpqr_fold(a2, k128), a3));
    while (n >= 16) {
        a0 = _mm_xor_si128(jpqr_fold(a0, k128),
                           _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)p), swap));
        p += 16;
        n -= 16;
    }
    return jpqr_clmul_finish(a0, p, n);
}

#if defined(__clang__) || __GNUC__ >= 8 /* the first to know VPCLMULQDQ */
#define JPQR_HAVE_AVX512_CLMUL 1
/* The same folding on four 128-bit lanes at once (VPCLMULQDQ on 512-bit registers): one
 * register holds the four accumulators of the loop above.
 *
 * From 512 bytes on, where it starts to win on Intel and AMD alike. ns a call in a loop, Intel
 * Xeon (Sapphire Rapids, KVM), gcc 12 (clang 14 within 1.5 ns), after the VZEROUPPER fix:
 *   bytes     64    128   256   320   384   512   1024  4096
 *   pclmul    13.0  15.3  18.5  20.2  23.2  25.0  39.2  151
 *   avx512    15.3  17.0  19.5  19.0  20.5  19.7  22.8  62
 * AMD (issue 9): equal at 100-256 bytes, AVX-512 ahead from 512. Intel also charges the first
 * 512-bit instructions after a few µs without any (the upper lanes power up): a lone call then
 * costs 30-60 ns more, and only wins from ~4 KB. At 512 every EMVCo payload (at most 512
 * characters, the CRC over all but 4) stays on PCLMUL, and bulk CRCs get the wide kernel. */
#define JPQR_AVX512_MIN 512
#define JPQR_AVX512_TARGET                                                                      \
    __attribute__((target("avx512f,avx512bw,vpclmulqdq,pclmul,ssse3,sse2")))

JPQR_AVX512_TARGET static inline __m512i jpqr_fold512(__m512i x, __m512i k, __m512i next)
{
    return _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(x, k, 0x11),
                                     _mm512_clmulepi64_epi128(x, k, 0x00), next, 0x96);
}

JPQR_AVX512_TARGET static inline __m512i jpqr_k_broadcast(uint64_t hi, uint64_t lo)
{
    return _mm512_broadcast_i32x4(_mm_set_epi64x((long long)hi, (long long)lo));
}

/* The AVX-512 part: every whole 64-byte block of the n >= 64 bytes at p, folded down to one
 * 128-bit remainder congruent to them. A function of its own that ends in a return: the 16-byte
 * steps and the table call that finish the CRC run in jpqr_crc16_avx512 below, after it. GCC
 * omits the VZEROUPPER a function owes when it ends in a call (GCC PR 112891), and while the
 * upper halves stay dirty Intel CPUs charge every later switch between SSE and VEX code in the
 * process (Intel's optimization manual, "Mixing AVX code with SSE code"): crc16 of 256 bytes
 * took 190 ns instead of 35, and decode 1.7x as long after it. The explicit VZEROUPPER keeps it
 * so whatever the compiler decides; tests/test_upper_state.py checks every path. */
JPQR_AVX512_TARGET __attribute__((noinline)) static __m128i
jpqr_avx512_fold(uint16_t crc, const uint8_t *p, size_t n)
{
    const __m512i swap = _mm512_broadcast_i32x4(
        _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    const __m512i k512 = _mm512_broadcast_i32x4(
        _mm_set_epi64x((long long)jpqr_k512_hi, (long long)jpqr_k512_lo));
    /* lane j (bytes 16j..16j+15) is multiplied by x^(128*(3-j)); lane 3 is added as it is */
    const __m512i k_lanes = _mm512_set_epi64(
        0, 0, (long long)jpqr_k128_hi, (long long)jpqr_k128_lo, (long long)jpqr_k256_hi,
        (long long)jpqr_k256_lo, (long long)jpqr_k384_hi, (long long)jpqr_k384_lo);
    __m512i x = _mm512_xor_si512(_mm512_shuffle_epi8(_mm512_loadu_si512(p), swap),
                                 _mm512_set_epi64(0, 0, 0, 0, 0, 0, (long long)((uint64_t)crc << 48), 0));
    p += 64;
    n -= 64;
    if (n >= 256) {
        /* Long input: four registers (16 accumulators) hide the multiplier's latency. */
        const __m512i k2048 = jpqr_k_broadcast(jpqr_k2048_hi, jpqr_k2048_lo);
        __m512i x1 = _mm512_shuffle_epi8(_mm512_loadu_si512(p), swap);
        __m512i x2 = _mm512_shuffle_epi8(_mm512_loadu_si512(p + 64), swap);
        __m512i x3 = _mm512_shuffle_epi8(_mm512_loadu_si512(p + 128), swap);
        p += 192;
        n -= 192;
        while (n >= 256) {
            x = jpqr_fold512(x, k2048, _mm512_shuffle_epi8(_mm512_loadu_si512(p), swap));
            x1 = jpqr_fold512(x1, k2048, _mm512_shuffle_epi8(_mm512_loadu_si512(p + 64), swap));
            x2 = jpqr_fold512(x2, k2048, _mm512_shuffle_epi8(_mm512_loadu_si512(p + 128), swap));
            x3 = jpqr_fold512(x3, k2048, _mm512_shuffle_epi8(_mm512_loadu_si512(p + 192), swap));
            p += 256;
            n -= 256;
        }
        /* x*x^1536 + x1*x^1024 + x2*x^512 + x3 */
        x = _mm512_ternarylogic_epi64(
            jpqr_fold512(x, jpqr_k_broadcast(jpqr_k1536_hi, jpqr_k1536_lo), x3),
            jpqr_fold512(x1, jpqr_k_broadcast(jpqr_k1024_hi, jpqr_k1024_lo), _mm512_setzero_si512()),
            jpqr_fold512(x2, k512, _mm512_setzero_si512()), 0x96);
    }
    while (n >= 64) {
        x = jpqr_fold512(x, k512, _mm512_shuffle_epi8(_mm512_loadu_si512(p), swap));
        p += 64;
        n -= 64;
    }
    __m512i y = _mm512_ternarylogic_epi64(
        _mm512_clmulepi64_epi128(x, k_lanes, 0x11), _mm512_clmulepi64_epi128(x, k_lanes, 0x00),
        _mm512_maskz_mov_epi64(0xC0, x), 0x96);
    __m128i a0 = _mm_xor_si128(
        _mm_xor_si128(_mm512_castsi512_si128(y), _mm512_extracti32x4_epi32(y, 1)),
        _mm_xor_si128(_mm512_extracti32x4_epi32(y, 2), _mm512_extracti32x4_epi32(y, 3)));
    _mm256_zeroupper();
    return a0;
}

/* From 64 bytes on (JPQR_AVX512_MIN says from when it pays): the blocks of 64 on AVX-512
 * registers, the rest as in jpqr_crc16_clmul, with 128-bit registers and the table. */
JPQR_CLMUL_TARGET static uint16_t jpqr_crc16_avx512(uint16_t crc, const uint8_t *p, size_t n)
{
    const __m128i swap = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m128i k128 = _mm_set_epi64x((long long)jpqr_k128_hi, (long long)jpqr_k128_lo);
    __m128i a0 = jpqr_avx512_fold(crc, p, n);
    p += n & ~(size_t)63;
    n &= 63;
    while (n >= 16) {
        a0 = _mm_xor_si128(jpqr_fold(a0, k128),
                           _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)p), swap));
        p += 16;
        n -= 16;
    }
    return jpqr_clmul_finish(a0, p, n);
}
#else
#define JPQR_HAVE_AVX512_CLMUL 0
#endif

#else
#define JPQR_HAVE_CLMUL 0
static void jpqr_clmul_init(void) {}
#endif

#endif /* JPQR_CRC16_CLMUL_H */
