import Foundation
import Testing
import TestSupport
@testable import GitKit

/// libgit2 is linked statically with its network parts stood in for (Package.swift).
@Suite("libgit2 as linked")
struct StaticLibgit2Tests {
    @Test("its start-up asks for the system CA bundle and is refused, so nothing is parsed")
    func caBundleRefused() throws {
        let repo = try TemporaryGitRepository("cmem-static-libgit2")
        try repo.write("a.md", "a\n")
        #expect(try repo.commit(["a.md"]) != nil)
        #expect(libgit2SkippedCABundle)
    }
}
