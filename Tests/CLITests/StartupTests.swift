import Foundation
import Testing
import TestSupport

/// What a cmem process does before its command runs.
@Suite struct StartupTests {
    /// libgit2 is linked in, not loaded: none of the shared libraries it would bring (TLS, Kerberos, SSH,
    /// OpenSSL) is loaded into a cmem process.
    @Test func noNetworkLibrariesAreLoaded() throws {
        let r = try ProcessRunner.run(CMemBinary.path, ["--version"], environment: ["LD_TRACE_LOADED_OBJECTS": "1"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("libc.so"), "\(r.stdout)")
        for library in ["libgit2", "libmbed", "libgssapi", "libkrb5", "libssh2", "libcrypto", "libhttp_parser", "libpcre2"] {
            #expect(!r.stdout.contains(library), "\(library) is loaded: \(r.stdout)")
        }
    }
}
