#include "cgitfast.h"
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define CGF_X86 1
#endif

static inline uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void sha1_portable(uint32_t h[5], const uint8_t *p, size_t blocks) {
    while (blocks--) {
        uint32_t w[80];
        for (int i = 0; i < 16; i++)
            w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
        for (int i = 16; i < 80; i++) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
        for (int i = 0; i < 80; i++) {
            uint32_t f, k;
            if (i < 20) { f = (b & c) | (~b & d); k = 0x5A827999; }
            else if (i < 40) { f = b ^ c ^ d; k = 0x6ED9EBA1; }
            else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC; }
            else { f = b ^ c ^ d; k = 0xCA62C1D6; }
            uint32_t t = rol(a, 5) + f + e + k + w[i];
            e = d; d = c; c = rol(b, 30); b = a; a = t;
        }
        h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
        p += 64;
    }
}

#ifdef CGF_X86
/* The SHA-NI round structure from Intel's white paper "New Instructions Supporting the Secure Hash
 * Algorithm on Intel Architecture Processors" (public domain rendition by Sean Gulley). */
#define ROUNDS4(e_in, e_out, m, f)            \
    e_in = _mm_sha1nexte_epu32(e_in, m);      \
    e_out = abcd;                             \
    abcd = _mm_sha1rnds4_epu32(abcd, e_in, f);

__attribute__((target("sha,sse4.1,ssse3")))
static void sha1_shani(uint32_t h[5], const uint8_t *p, size_t blocks) {
    const __m128i mask = _mm_set_epi64x(0x0001020304050607ULL, 0x08090a0b0c0d0e0fULL);
    __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)h), 0x1B);
    __m128i e0 = _mm_set_epi32((int)h[4], 0, 0, 0), e1;
    __m128i m0, m1, m2, m3;
    while (blocks--) {
        __m128i abcd_save = abcd, e0_save = e0;
        m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 0)), mask);
        m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), mask);
        m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), mask);
        m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), mask);

        /* 0-3 */
        e0 = _mm_add_epi32(e0, m0);
        e1 = abcd;
        abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);
        /* 4-7 */
        ROUNDS4(e1, e0, m1, 0);
        m0 = _mm_sha1msg1_epu32(m0, m1);
        /* 8-11 */
        ROUNDS4(e0, e1, m2, 0);
        m1 = _mm_sha1msg1_epu32(m1, m2);
        m0 = _mm_xor_si128(m0, m2);
        /* 12-15 */
        e1 = _mm_sha1nexte_epu32(e1, m3);
        e0 = abcd;
        m0 = _mm_sha1msg2_epu32(m0, m3);
        abcd = _mm_sha1rnds4_epu32(abcd, e1, 0);
        m2 = _mm_sha1msg1_epu32(m2, m3);
        m1 = _mm_xor_si128(m1, m3);

#define STEP(ea, eb, ma, mb, mc, md, f)           \
        ea = _mm_sha1nexte_epu32(ea, ma);          \
        eb = abcd;                                 \
        mb = _mm_sha1msg2_epu32(mb, ma);           \
        abcd = _mm_sha1rnds4_epu32(abcd, ea, f);   \
        md = _mm_sha1msg1_epu32(md, ma);           \
        mc = _mm_xor_si128(mc, ma);

        STEP(e0, e1, m0, m1, m2, m3, 0) /* 16-19 */
        STEP(e1, e0, m1, m2, m3, m0, 1) /* 20-23 */
        STEP(e0, e1, m2, m3, m0, m1, 1) /* 24-27 */
        STEP(e1, e0, m3, m0, m1, m2, 1) /* 28-31 */
        STEP(e0, e1, m0, m1, m2, m3, 1) /* 32-35 */
        STEP(e1, e0, m1, m2, m3, m0, 1) /* 36-39 */
        STEP(e0, e1, m2, m3, m0, m1, 2) /* 40-43 */
        STEP(e1, e0, m3, m0, m1, m2, 2) /* 44-47 */
        STEP(e0, e1, m0, m1, m2, m3, 2) /* 48-51 */
        STEP(e1, e0, m1, m2, m3, m0, 2) /* 52-55 */
        STEP(e0, e1, m2, m3, m0, m1, 2) /* 56-59 */
        STEP(e1, e0, m3, m0, m1, m2, 3) /* 60-63 */
        STEP(e0, e1, m0, m1, m2, m3, 3) /* 64-67 */
#undef STEP
        /* 68-71 */
        e1 = _mm_sha1nexte_epu32(e1, m1);
        e0 = abcd;
        m2 = _mm_sha1msg2_epu32(m2, m1);
        abcd = _mm_sha1rnds4_epu32(abcd, e1, 3);
        m3 = _mm_xor_si128(m3, m1);
        /* 72-75 */
        e0 = _mm_sha1nexte_epu32(e0, m2);
        e1 = abcd;
        m3 = _mm_sha1msg2_epu32(m3, m2);
        abcd = _mm_sha1rnds4_epu32(abcd, e0, 3);
        /* 76-79 */
        e1 = _mm_sha1nexte_epu32(e1, m3);
        e0 = abcd;
        abcd = _mm_sha1rnds4_epu32(abcd, e1, 3);

        e0 = _mm_sha1nexte_epu32(e0, e0_save);
        abcd = _mm_add_epi32(abcd, abcd_save);
        p += 64;
    }
    abcd = _mm_shuffle_epi32(abcd, 0x1B);
    _mm_storeu_si128((__m128i *)h, abcd);
    h[4] = (uint32_t)_mm_extract_epi32(e0, 3);
}
#undef ROUNDS4

static int cpu_has_shani(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return ssse3 && sse41 && ((b >> 29) & 1);
}
#endif

/* -1: not yet probed. Written once per process in practice; a race would only repeat the probe. */
static int hardware = -1;

int cgf_sha1_hardware(void) {
#ifdef CGF_X86
    if (hardware < 0) hardware = cpu_has_shani();
    return hardware;
#else
    return 0;
#endif
}

void cgf_sha1_set_hardware(int enabled) {
#ifdef CGF_X86
    hardware = enabled ? cpu_has_shani() : 0;
#else
    (void)enabled;
#endif
}

static void blocks(uint32_t h[5], const uint8_t *p, size_t n) {
#ifdef CGF_X86
    if (cgf_sha1_hardware()) { sha1_shani(h, p, n); return; }
#endif
    sha1_portable(h, p, n);
}

void cgf_sha1_init(cgf_sha1_ctx *ctx) {
    static const uint32_t iv[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    memcpy(ctx->h, iv, sizeof iv);
    ctx->length = 0;
    ctx->used = 0;
}

void cgf_sha1_update(cgf_sha1_ctx *ctx, const void *data, size_t length) {
    const uint8_t *p = data;
    ctx->length += length;
    if (ctx->used) {
        size_t take = 64 - ctx->used < length ? 64 - ctx->used : length;
        memcpy(ctx->buffer + ctx->used, p, take);
        ctx->used += take; p += take; length -= take;
        if (ctx->used < 64) return;
        blocks(ctx->h, ctx->buffer, 1);
        ctx->used = 0;
    }
    if (length >= 64) {
        blocks(ctx->h, p, length / 64);
        p += length & ~(size_t)63;
        length &= 63;
    }
    memcpy(ctx->buffer, p, length);
    ctx->used = length;
}

void cgf_sha1_final(cgf_sha1_ctx *ctx, uint8_t digest[20]) {
    uint64_t bits = ctx->length * 8;
    uint8_t pad[72] = {0x80};
    size_t padlen = ctx->used < 56 ? 56 - ctx->used : 120 - ctx->used;
    uint8_t len[8];
    for (int i = 0; i < 8; i++) len[i] = (uint8_t)(bits >> (56 - 8 * i));
    uint64_t saved = ctx->length;
    cgf_sha1_update(ctx, pad, padlen);
    cgf_sha1_update(ctx, len, 8);
    ctx->length = saved;
    for (int i = 0; i < 5; i++) {
        digest[4 * i] = (uint8_t)(ctx->h[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(ctx->h[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(ctx->h[i] >> 8);
        digest[4 * i + 3] = (uint8_t)ctx->h[i];
    }
}
