import Foundation
import Testing
import TestSupport
@testable import GitKit

/// libgit2's failures arrive as `GitError`s with named codes; GitKit's own file handling fails with
/// `SystemError`s.
@Suite("Errors")
struct ErrorTests {
    @Test("codes mirror git_error_code and match by name, in switches and in catch clauses")
    func namedCodes() throws {
        #expect(GitError.Code.notFound.rawValue == -3)
        #expect(GitError.Code.locked.rawValue == -14)
        #expect(GitError.Code.modified.rawValue == -15)
        #expect(GitError.Code.unbornBranch.rawValue == -9)
        #expect(GitError.Code.iterationOver.rawValue == -31)
        #expect(GitError.Code.notOwned.rawValue == -36)
        let error = GitError(code: .locked, message: "index.lock exists", function: "git_index_write")
        switch error.code {
        case .locked: break
        default: Issue.record("\(error.code) did not match .locked")
        }
        do {
            throw error
        } catch GitError.Code.notFound {
            Issue.record("matched the wrong code")
        } catch GitError.Code.locked {
            // expected
        }
        #expect(!(GitError.Code.locked ~= SystemError.posix(errno: EEXIST, call: "open", path: "/x")))
        #expect(error.description == "git_index_write: index.lock exists (locked (-14))")
        #expect(GitError.Code(rawValue: -99).description == "code (-99)")
    }

    @Test("a failing libgit2 call is reported with its code, class, message and function")
    func capturedAtTheCall() throws {
        let repo = try TemporaryGitRepository("cmem-errors")
        try repo.write("a.md", "a\n")
        let head = try #require(try repo.commit(["a.md"]))
        #expect(try repo.repository.blob(at: head, path: "missing.md") == nil)
        let missing = try #require(ObjectID(hex: String(repeating: "0", count: 39) + "1"))
        do {
            _ = try repo.repository.commitInfo(missing)
            Issue.record("looked up a commit that does not exist")
        } catch let error as GitError {
            #expect(error.code == .notFound)
            #expect(error.errorClass == .odb)
            #expect(error.function == "git_commit_lookup")
            #expect(!error.message.isEmpty)
        }
        #expect(throws: GitError.self) { try GitRepository(path: repo.path + "/no-such-directory") }
    }

    @Test("an object that cannot be stored is a SystemError naming the call, the path and errno")
    func systemErrors() throws {
        let repo = try TemporaryGitRepository("cmem-errors")
        let objects = repo.repository.gitDir + "objects"
        let content = Array("not stored\n".utf8)
        let hex = ObjectID(raw: content.withUnsafeBytes { SHA1.blobID($0) }).hex
        // The object's folder is a file: the temporary object cannot be created in it.
        try Data().write(to: URL(fileURLWithPath: "\(objects)/\(hex.prefix(2))"))
        do {
            _ = try SegmentedBlobWriter(gitDir: repo.repository.gitDir).write(path: "x.md", content: content)
            Issue.record("stored an object under a file")
        } catch let SystemError.posix(code, call, path) {
            #expect(code == ENOTDIR)
            #expect(call == "open")
            #expect(path.hasPrefix("\(objects)/\(hex.prefix(2))/tmp_obj_cmem_"))
        }
        #expect(SystemError.posix(errno: ENOENT, call: "rename", path: "/x/index").description
            == "rename /x/index: No such file or directory (errno 2)")
    }

    @Test("index.lock held by someone else is .locked, as libgit2 reports it")
    func indexLockIsLocked() throws {
        let repo = try TemporaryGitRepository("cmem-errors")
        try repo.write("a.md", "a\n")
        try repo.commit(["a.md"])
        let lock = repo.repository.gitDir + "index.lock"
        try Data().write(to: URL(fileURLWithPath: lock))
        defer { try? FileManager.default.removeItem(atPath: lock) }
        try repo.write("a.md", "b\n")
        var st = stat()
        #expect(lstat(repo.path + "/a.md", &st) == 0)
        let entry = IndexFile.Entry(path: Array("a.md".utf8), id: [UInt8](repeating: 1, count: 20), mode: 0o100644, stat: st)
        do {
            _ = try IndexFile.update(gitDir: repo.repository.gitDir, entries: [entry])
            Issue.record("wrote the index through someone else's lock")
        } catch GitError.Code.locked {
            // expected, after waiting briefly for the lock to go
        }
    }
}
