import Foundation
import Testing
import TestSupport

/// What a cmem process does before its command runs.
@Suite struct StartupTests {
    /// libgit2 (Debian's, built with mbedTLS) would parse the system CA bundle at start-up; cmem defines
    /// the loader itself so that libgit2's call binds to the executable and does nothing.
    @Test func libgit2DoesNotLoadTheCABundle() throws {
        let f = try CLIFixture()
        let r = try CMemBinary.run(["event", "record", "--type", "deployment", "--description", "bindings"], repo: f.repo,
                                   cwd: f.project, environment: ["LD_DEBUG": "bindings"])
        #expect(r.status == 0)
        let binding = r.stderr.split(separator: "\n").first { $0.contains("libgit2") && $0.contains("`mbedtls_x509_crt_parse_file'") }
        let line = try #require(binding, "libgit2 never bound mbedtls_x509_crt_parse_file")
        #expect(line.contains(" to \(CMemBinary.path) ") || line.contains("/cmem [0]"), "\(line)")
    }
}
