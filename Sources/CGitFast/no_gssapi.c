/* libgit2 is linked statically (see Package.swift) and its HTTP transport refers to GSSAPI for the
 * "Negotiate" (Kerberos/SPNEGO) authentication scheme. cmem never opens a remote through libgit2:
 * fetch and push go through the git CLI (MemorySync.Synchronizer). Rather than load libgssapi_krb5
 * and its six dependencies into every process (about half a millisecond of start-up), these stand in
 * for the nine symbols libgit2 uses. Every call fails with GSS_S_FAILURE, so Negotiate would simply be
 * unavailable, never half-working. */

#include <stddef.h>
#include <stdint.h>

typedef uint32_t cgf_om_uint32;
#define CGF_GSS_S_FAILURE ((cgf_om_uint32)13u << 16)

__attribute__((visibility("default"), used)) void *GSS_C_NT_HOSTBASED_SERVICE = NULL;

#define CGF_GSS_FAIL(name)                                             \
    __attribute__((visibility("default"), used))                       \
    cgf_om_uint32 name(cgf_om_uint32 *minor_status, ...) {             \
        if (minor_status != NULL) *minor_status = 0;                   \
        return CGF_GSS_S_FAILURE;                                      \
    }

CGF_GSS_FAIL(gss_delete_sec_context)
CGF_GSS_FAIL(gss_display_status)
CGF_GSS_FAIL(gss_import_name)
CGF_GSS_FAIL(gss_indicate_mechs)
CGF_GSS_FAIL(gss_init_sec_context)
CGF_GSS_FAIL(gss_release_buffer)
CGF_GSS_FAIL(gss_release_name)
CGF_GSS_FAIL(gss_release_oid_set)
