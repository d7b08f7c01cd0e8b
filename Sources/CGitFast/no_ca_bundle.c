/* libgit2 1.5 built against mbedTLS (Debian's build) parses the whole system CA bundle inside
 * git_libgit2_init(): some 140 PEM certificates, 3 to 4 ms of base64 and ASN.1 on every cmem process,
 * which is a quarter of a hook's or an `event record`'s budget. cmem never speaks TLS through libgit2:
 * fetch and push go through the git CLI (MemorySync.Synchronizer), which has its own TLS.
 *
 * So the executable defines the two mbedTLS loaders libgit2 calls. A definition in the executable comes
 * first in the dynamic linker's search, so libgit2's calls bind here instead of to libmbedx509. Both fail
 * as if the bundle could not be read; libgit2 ignores that at init and carries on with no trusted roots.
 * This fails closed: were cmem ever to open an HTTPS remote through libgit2, certificate verification
 * would refuse every server rather than trust one. A libgit2 built with OpenSSL never calls these, and
 * nothing else in the process uses mbedTLS. GitKitTests checks the binding on the real binary. */

#define CGF_X509_FILE_IO_ERROR (-0x2900) /* MBEDTLS_ERR_X509_FILE_IO_ERROR */

__attribute__((visibility("default"), used))
int mbedtls_x509_crt_parse_file(void *chain, const char *path) {
    (void)chain;
    (void)path;
    return CGF_X509_FILE_IO_ERROR;
}

__attribute__((visibility("default"), used))
int mbedtls_x509_crt_parse_path(void *chain, const char *path) {
    (void)chain;
    (void)path;
    return CGF_X509_FILE_IO_ERROR;
}
