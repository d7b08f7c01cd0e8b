/* CRC-32C (Castagnoli), used to recognise unchanged 64 KiB segments of a growing file. zlib's crc32 runs
 * at about 1 GB/s here; the SSE4.2 instruction does several times that, and every event re-checks the
 * megabyte or so of a day file that it did not change. A table-driven version serves other CPUs. */
#include "cgitfast.h"
#include <zlib.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <nmmintrin.h>

__attribute__((target("sse4.2")))
static uint32_t crc32c_sse42(uint32_t crc, const uint8_t *p, size_t n) {
    uint64_t c = ~crc & 0xFFFFFFFFu;
    while (n && ((uintptr_t)p & 7)) { c = _mm_crc32_u8((uint32_t)c, *p++); n--; }
    /* One stream, 8 bytes an instruction: well past what is needed, without the combining code. */
    while (n >= 8) {
        uint64_t v;
        __builtin_memcpy(&v, p, 8);
        c = _mm_crc32_u64(c, v);
        p += 8; n -= 8;
    }
    while (n--) c = _mm_crc32_u8((uint32_t)c, *p++);
    return ~(uint32_t)c;
}

static int has_sse42(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    return (c & bit_SSE4_2) != 0;
}
#endif

static uint32_t table[256];
static int table_ready = 0;

static uint32_t crc32c_table(uint32_t crc, const uint8_t *p, size_t n) {
    if (!table_ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
            table[i] = c;
        }
        table_ready = 1;
    }
    crc = ~crc;
    while (n--) crc = table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

uint32_t cgf_crc32c(uint32_t crc, const uint8_t *data, size_t length) {
#if defined(__x86_64__)
    static int sse42 = -1;
    if (sse42 < 0) sse42 = has_sse42();
    if (sse42) return crc32c_sse42(crc, data, length);
#endif
    return crc32c_table(crc, data, length);
}

uint32_t cgf_adler32_combine(uint32_t first, uint32_t second, size_t second_length) {
    return (uint32_t)adler32_combine(first, second, (z_off_t)second_length);
}
