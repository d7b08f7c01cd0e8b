/* libgit2 built against mbedTLS (Debian's build) parses the whole system CA bundle inside
 * git_libgit2_init(): some 140 PEM certificates, 3 to 5 ms of base64 and ASN.1 on every cmem process,
 * a quarter of a hook's or an `event record`'s budget. cmem never speaks TLS through libgit2: fetch and
 * push go through the git CLI (MemorySync.Synchronizer), which has its own TLS.
 *
 * libgit2 is linked statically with `--wrap` for the two loaders (see Package.swift), so its calls come
 * here. Both fail as if the bundle could not be read; libgit2 ignores that at init and carries on with
 * no trusted roots. This fails closed: were cmem ever to open an HTTPS remote through libgit2,
 * certificate verification would refuse every server rather than trust one. */

#include "cgitfast.h"

#define CGF_X509_FILE_IO_ERROR (-0x2900) /* MBEDTLS_ERR_X509_FILE_IO_ERROR */

static volatile int skipped = 0;

int cgf_ca_bundle_skipped(void) {
    return skipped;
}

int __wrap_mbedtls_x509_crt_parse_file(void *chain, const char *path) {
    (void)chain;
    (void)path;
    skipped = 1;
    return CGF_X509_FILE_IO_ERROR;
}

int __wrap_mbedtls_x509_crt_parse_path(void *chain, const char *path) {
    (void)chain;
    (void)path;
    skipped = 1;
    return CGF_X509_FILE_IO_ERROR;
}
