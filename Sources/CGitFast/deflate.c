#include "cgitfast.h"
#include <zlib.h>

size_t cgf_deflate_bound(size_t length) {
    /* Stored blocks cost 5 bytes per 16 KiB at worst, plus the flush marker and slack. */
    return length + length / 1000 + 5 * (length / 16384 + 1) + 64;
}

long cgf_deflate_segment(const uint8_t *in, size_t length, int level, int final, uint8_t *out, size_t capacity) {
    z_stream s = {0};
    if (deflateInit2(&s, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) return -1;
    s.next_in = (Bytef *)in;
    s.avail_in = (uInt)length;
    s.next_out = out;
    s.avail_out = (uInt)capacity;
    int rc = deflate(&s, final ? Z_FINISH : Z_FULL_FLUSH);
    long produced = (long)(capacity - s.avail_out);
    int complete = final ? rc == Z_STREAM_END : (rc == Z_OK && s.avail_in == 0 && s.avail_out > 0);
    deflateEnd(&s);
    return complete ? produced : -1;
}

uint32_t cgf_adler32(uint32_t adler, const uint8_t *data, size_t length) {
    return (uint32_t)adler32_z(adler, data, length);
}

uint32_t cgf_crc32(uint32_t crc, const uint8_t *data, size_t length) {
    return (uint32_t)crc32_z(crc, data, length);
}
