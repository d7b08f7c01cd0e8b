#ifndef CGITFAST_H
#define CGITFAST_H
/* Hashing and compression for GitKit's fast commit path: SHA-1 (with the x86 SHA extensions when the
 * CPU has them) and raw deflate segments through zlib; the one system call Swift's Glibc does not declare. GitKit is the only module that uses this. */
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t h[5];
    uint64_t length;
    uint8_t buffer[64];
    size_t used;
} cgf_sha1_ctx;

void cgf_sha1_init(cgf_sha1_ctx *ctx);
void cgf_sha1_update(cgf_sha1_ctx *ctx, const void *data, size_t length);
void cgf_sha1_final(cgf_sha1_ctx *ctx, uint8_t digest[20]);

/* 1 when the hardware path is in use. Tests turn it off to check the portable path gives the same digests. */
int cgf_sha1_hardware(void);
void cgf_sha1_set_hardware(int enabled);

/* Compresses `length` bytes as a raw deflate segment at `level`, starting from an empty window so it does
 * not refer to anything before it. With final == 0 the segment ends with a full flush (byte aligned, not
 * the last block), so segments can be concatenated; with final != 0 it ends the stream.
 * Returns the number of bytes written to `out`, or -1 when `capacity` is too small or zlib fails.
 * `cgf_deflate_bound` gives a sufficient capacity. */
long cgf_deflate_segment(const uint8_t *in, size_t length, int level, int final, uint8_t *out, size_t capacity);
size_t cgf_deflate_bound(size_t length);

uint32_t cgf_adler32(uint32_t adler, const uint8_t *data, size_t length);
uint32_t cgf_crc32(uint32_t crc, const uint8_t *data, size_t length);

/* CRC-32C (Castagnoli), on SSE4.2 when the CPU has it. Start from 0. */
uint32_t cgf_crc32c(uint32_t crc, const uint8_t *data, size_t length);

/* The adler32 of two pieces one after the other, from theirs (zlib's adler32_combine). */
uint32_t cgf_adler32_combine(uint32_t first, uint32_t second, size_t second_length);

/* Starts writing back the file's dirty pages without waiting (Linux's sync_file_range, SYNC_FILE_RANGE_WRITE):
 * the first half of a batched fsync. Returns 0, or -1 with errno. */
int cgf_start_writeback(int fd);

/* 1 once libgit2's init has asked for the system CA bundle and been told no (see no_ca_bundle.c). */
int cgf_ca_bundle_skipped(void);

#endif
