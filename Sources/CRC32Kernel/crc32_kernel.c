// CRC-32 for the runner's download checks and the sandbox's archives. zlib computes it (and combines CRCs); on x86-64
// processors with PCLMULQDQ, runs of 64 bytes and more are folded with carry-less multiplications instead, about five
// times faster than zlib 1.2's table-driven loop (bench/client/RESULTS.md). No static library with such a kernel is
// packaged for Debian (ISA-L's is shared only), and the release binary may link nothing beyond libc, libstdc++, zlib
// and libyaml (SPEC 10), hence this file.
//
// The folding is the algorithm of V. Gopal, E. Ozturk et al., "Fast CRC Computation for Generic Polynomials Using
// PCLMULQDQ Instruction" (Intel, 2009), as Chromium's zlib implements it in crc32_simd.c (zlib licence), with its
// constants for the reflected polynomial 0xEDB88320.

#include "crc32_kernel.h"

#include <zlib.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

static const uint64_t __attribute__((aligned(16))) k1k2[] = {0x0154442bd4, 0x01c6e41596};
static const uint64_t __attribute__((aligned(16))) k3k4[] = {0x01751997d0, 0x00ccaa009e};
static const uint64_t __attribute__((aligned(16))) k5k0[] = {0x0163cd6124, 0x0000000000};
static const uint64_t __attribute__((aligned(16))) poly[] = {0x01db710641, 0x01f7011641};

// The CRC register (not inverted) after `length` bytes, `length` at least 64 and a multiple of 16.
__attribute__((target("pclmul,sse4.1"))) static uint32_t fold(const uint8_t *buf, size_t length, uint32_t crc) {
    __m128i x0, x1, x2, x3, x4, x5, x6, x7, x8, y5, y6, y7, y8;

    x5 = _mm_loadu_si128((const __m128i *)k1k2);
    x0 = _mm_cvtsi32_si128((int)crc);
    x1 = _mm_loadu_si128((const __m128i *)(buf + 0x00));
    x2 = _mm_loadu_si128((const __m128i *)(buf + 0x10));
    x3 = _mm_loadu_si128((const __m128i *)(buf + 0x20));
    x4 = _mm_loadu_si128((const __m128i *)(buf + 0x30));
    x1 = _mm_xor_si128(x1, x0);
    buf += 64;
    length -= 64;

    // Four lanes of 16 bytes folded 64 bytes at a time.
    while (length >= 64) {
        x6 = _mm_clmulepi64_si128(x1, x5, 0x00);
        x7 = _mm_clmulepi64_si128(x2, x5, 0x00);
        x8 = _mm_clmulepi64_si128(x3, x5, 0x00);
        x0 = _mm_clmulepi64_si128(x4, x5, 0x00);
        x1 = _mm_clmulepi64_si128(x1, x5, 0x11);
        x2 = _mm_clmulepi64_si128(x2, x5, 0x11);
        x3 = _mm_clmulepi64_si128(x3, x5, 0x11);
        x4 = _mm_clmulepi64_si128(x4, x5, 0x11);
        y5 = _mm_loadu_si128((const __m128i *)(buf + 0x00));
        y6 = _mm_loadu_si128((const __m128i *)(buf + 0x10));
        y7 = _mm_loadu_si128((const __m128i *)(buf + 0x20));
        y8 = _mm_loadu_si128((const __m128i *)(buf + 0x30));
        x1 = _mm_xor_si128(_mm_xor_si128(x1, x6), y5);
        x2 = _mm_xor_si128(_mm_xor_si128(x2, x7), y6);
        x3 = _mm_xor_si128(_mm_xor_si128(x3, x8), y7);
        x4 = _mm_xor_si128(_mm_xor_si128(x4, x0), y8);
        buf += 64;
        length -= 64;
    }

    // The four lanes folded into one.
    x5 = _mm_loadu_si128((const __m128i *)k3k4);
    x0 = _mm_clmulepi64_si128(x1, x5, 0x00);
    x1 = _mm_clmulepi64_si128(x1, x5, 0x11);
    x1 = _mm_xor_si128(_mm_xor_si128(x1, x2), x0);
    x0 = _mm_clmulepi64_si128(x1, x5, 0x00);
    x1 = _mm_clmulepi64_si128(x1, x5, 0x11);
    x1 = _mm_xor_si128(_mm_xor_si128(x1, x3), x0);
    x0 = _mm_clmulepi64_si128(x1, x5, 0x00);
    x1 = _mm_clmulepi64_si128(x1, x5, 0x11);
    x1 = _mm_xor_si128(_mm_xor_si128(x1, x4), x0);

    // What is left, 16 bytes at a time.
    while (length >= 16) {
        x2 = _mm_loadu_si128((const __m128i *)buf);
        x0 = _mm_clmulepi64_si128(x1, x5, 0x00);
        x1 = _mm_clmulepi64_si128(x1, x5, 0x11);
        x1 = _mm_xor_si128(_mm_xor_si128(x1, x2), x0);
        buf += 16;
        length -= 16;
    }

    // 128 bits folded to 64.
    x2 = _mm_clmulepi64_si128(x1, x5, 0x10);
    x3 = _mm_setr_epi32(~0, 0, ~0, 0);
    x1 = _mm_srli_si128(x1, 8);
    x1 = _mm_xor_si128(x1, x2);
    x5 = _mm_loadl_epi64((const __m128i *)k5k0);
    x2 = _mm_srli_si128(x1, 4);
    x1 = _mm_and_si128(x1, x3);
    x1 = _mm_clmulepi64_si128(x1, x5, 0x00);
    x1 = _mm_xor_si128(x1, x2);

    // Barrett reduction to 32 bits.
    x0 = _mm_loadu_si128((const __m128i *)poly);
    x2 = _mm_and_si128(x1, x3);
    x2 = _mm_clmulepi64_si128(x2, x0, 0x10);
    x2 = _mm_and_si128(x2, x3);
    x2 = _mm_clmulepi64_si128(x2, x0, 0x00);
    x1 = _mm_xor_si128(x1, x2);
    return (uint32_t)_mm_extract_epi32(x1, 1);
}

// Whether the processor has PCLMULQDQ and SSE4.1 (CPUID leaf 1, ECX bits 1 and 19); asked once.
static int can_fold(void) {
    static int answer = -1;
    if (answer < 0) {
        unsigned a, b, c, d;
        answer = __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 1)) && (c & (1u << 19));
    }
    return answer;
}
#endif

// zlib takes a 32-bit length.
static uint32_t zlib_crc32(uint32_t crc, const uint8_t *bytes, size_t length) {
    while (length > 0) {
        unsigned part = length > (1u << 30) ? (1u << 30) : (unsigned)length;
        crc = (uint32_t)crc32(crc, bytes, part);
        bytes += part;
        length -= part;
    }
    return crc;
}

uint32_t hookctl_crc32(uint32_t crc, const uint8_t *bytes, size_t length) {
#if defined(__x86_64__)
    if (length >= 64 && can_fold()) {
        size_t folded = length & ~(size_t)15;
        crc = ~fold(bytes, folded, ~crc);
        bytes += folded;
        length -= folded;
    }
#endif
    return zlib_crc32(crc, bytes, length);
}

uint32_t hookctl_crc32_combine(uint32_t crc1, uint32_t crc2, int64_t length2) {
    return (uint32_t)crc32_combine(crc1, crc2, (z_off_t)length2);
}
