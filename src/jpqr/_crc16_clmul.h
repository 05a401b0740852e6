/* CRC-16/CCITT-FALSE by carry-less multiplication (PCLMULQDQ), included by _crc16.h.
 *
 * Folding as in Intel's "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ" (2009),
 * for a CRC that is not reflected. Polynomials sit in 128-bit registers with the coefficient of
 * x^i at bit i; a block of 16 payload bytes, byte-swapped, is such a polynomial (the first
 * byte's top bit is x^127). With A = H*x^64 + L the accumulator,
 *     A * x^k  ==  H * (x^(k+64) mod P) + L * (x^k mod P)        (mod P)
 * and both products fit in 80 bits, so folding in the next block by XOR keeps A congruent to the
 * message read so far. Four accumulators hide the multiplier's latency. At the end the 128-bit
 * remainder goes through one slicing-by-16 step (which yields A * x^16 mod P, the CRC register)
 * and the tail bytes through the table.
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

/* Below this the table is as fast (the set-up and the final step cost ~30 table rounds). */
#define JPQR_CLMUL_MIN 64

static int jpqr_cpu_has_clmul = 0;
/* x^(k+64) mod P and x^k mod P for shifts of k = 128, 256, 384 and 512 bits. */
static uint64_t jpqr_k128_hi, jpqr_k128_lo, jpqr_k256_hi, jpqr_k256_lo, jpqr_k384_hi,
    jpqr_k384_lo, jpqr_k512_hi, jpqr_k512_lo;

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
    __builtin_cpu_init();
    jpqr_cpu_has_clmul = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("ssse3");
}

#define JPQR_CLMUL_TARGET __attribute__((target("pclmul,ssse3,sse2")))

JPQR_CLMUL_TARGET static inline __m128i jpqr_fold(__m128i a, __m128i k)
{
    return _mm_xor_si128(_mm_clmulepi64_si128(a, k, 0x11), _mm_clmulepi64_si128(a, k, 0x00));
}

JPQR_CLMUL_TARGET static uint16_t jpqr_crc16_clmul(uint16_t crc, const uint8_t *p, size_t n)
{
    const __m128i swap = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m128i k128 = _mm_set_epi64x((long long)jpqr_k128_hi, (long long)jpqr_k128_lo);
    uint8_t last[16];
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
    _mm_storeu_si128((__m128i *)last, _mm_shuffle_epi8(a0, swap));
    return jpqr_crc16_table(jpqr_crc16_table(0, last, 16), p, n);
}

#else
#define JPQR_HAVE_CLMUL 0
static void jpqr_clmul_init(void) {}
#endif

#endif /* JPQR_CRC16_CLMUL_H */
