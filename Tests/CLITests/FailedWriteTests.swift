import Foundation
import Testing
import MemoryModel
import TestSupport

/// A write is all or nothing: a failed commit leaves tree and index as they were; a git lock a live
/// writer holds is waited for within a bound, one a dead writer left is recovered (issue 19, items 6, 7).
@Suite struct FailedWriteTests {
    /// Creates `path` as a git lock a live process holds: this test process keeps it open.
    final class HeldLock {
        let path: String
        let fd: Int32
        init(_ path: String) {
            self.path = path
            fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        }
        func release() {
            close(fd)
            unlink(path)
        }
    }

    func record(_ f: CLIFixture, _ description: String, at time: String = "2026-12-05T10:00:00Z") throws -> ProcessResult {
        try f.cmem("event", "record", "--type", "deployment", "--description", description, "--time", time)
    }

    @Test(arguments: ["refs/heads/main.lock", "index.lock"])
    func aWriteBlockedByALiveLockChangesNothingAndIsNotCarriedByTheNext(lock: String) throws {
        let f = try CLIFixture()
        #expect(try record(f, "before").status == 0)
        let day = "timeline/2026/12/2026-12-05.md"
        let dayBefore = try String(contentsOfFile: f.repo + "/" + day, encoding: .utf8)
        let head = try f.git("rev-parse", "HEAD").trimmed
        let held = HeldLock(f.repo + "/.git/" + lock)
        #expect(held.fd >= 0)

        let failed = try record(f, "blocked write", at: "2026-12-05T11:00:00Z")
        #expect(failed.status != 0)
        #expect(failed.stderr.contains(lock), "\(failed.stderr)")
        #expect(failed.stderr.contains("try again"), "\(failed.stderr)")
        let status = try f.json("status")
        guard case let .array(locks)? = status["locks"] else { Issue.record("no locks in \(status)"); return }
        #expect(locks.first?["held_by_live_process"] == .bool(true), "\(status)")
        held.release()

        // Tree and index as they were: nothing pending, nothing staged, the note unchanged.
        #expect(try f.git("rev-parse", "HEAD").trimmed == head)
        #expect(try f.git("status", "--porcelain", "--untracked-files=all").trimmed == "")
        #expect(try String(contentsOfFile: f.repo + "/" + day, encoding: .utf8) == dayBefore)

        // The next write commits only itself; the failed one appears nowhere.
        #expect(try record(f, "after", at: "2026-12-05T12:00:00Z").status == 0)
        #expect(!(try f.git("log", "-p").stdout.contains("blocked write")))
        #expect(try f.git("log", "--oneline").stdout.split(separator: "\n").count == 3)
        #expect(try f.git("status", "--porcelain").trimmed == "")
    }

    @Test func locksADeadWriterLeftAreRecoveredAndShownByStatus() throws {
        let f = try CLIFixture()
        #expect(try record(f, "before").status == 0)
        // What a writer killed between creating its locks and renaming them leaves: nobody holds them.
        for lock in ["index.lock", "refs/heads/main.lock"] {
            let path = f.repo + "/.git/" + lock
            #expect(FileManager.default.createFile(atPath: path, contents: Data("stale".utf8)))
            let old = Date().addingTimeInterval(-30)
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path)
        }
        let status = try f.json("status")
        guard case let .array(locks)? = status["locks"] else { Issue.record("no locks in \(status)"); return }
        #expect(locks.count == 2)
        #expect(locks.allSatisfy { $0["held_by_live_process"] == .bool(false) })
        #expect(try f.cmem("status").stdout.contains("index.lock"))

        let r = try record(f, "after the crash", at: "2026-12-05T11:00:00Z")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: f.repo + "/.git/index.lock"))
        #expect(!FileManager.default.fileExists(atPath: f.repo + "/.git/refs/heads/main.lock"))
        #expect(try f.git("log", "-1", "--format=%s").stdout.contains("after the crash"))
        #expect(try f.git("fsck", "--no-progress").status == 0)
        #expect(try f.json("status")["locks"] == .array([]))
    }

    /// A process killed by the kernel at its Nth rename: first the note's, then git's locks and objects.
    @Test(arguments: 1...4)
    func aWriterKilledAtARenameNeverBlocksTheNext(when: Int) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/strace") else { return }
        let f = try CLIFixture()
        #expect(try record(f, "before").status == 0)
        let killed = try ProcessRunner.run("/usr/bin/strace", ["-f", "-o", "/dev/null", "-e", "inject=rename:signal=KILL:when=\(when)",
                                                                CMemBinary.path, "event", "record", "--type", "deployment",
                                                                "--description", "killed", "--time", "2026-12-05T11:00:00Z"],
                                           cwd: f.project, environment: ["CMEM_REPO": f.repo])
        #expect(killed.status != 0)
        let r = try record(f, "after the kill", at: "2026-12-05T12:00:00Z")
        #expect(r.status == 0, "after a kill at rename \(when): \(r.stderr)")
        #expect(try f.git("log", "-1", "--format=%s").stdout.contains("after the kill"))
        #expect(try f.git("fsck", "--no-progress").status == 0)
        #expect(!FileManager.default.fileExists(atPath: f.repo + "/.git/index.lock"))
        #expect(!FileManager.default.fileExists(atPath: f.repo + "/.git/refs/heads/main.lock"))
        let show = try f.json("event", "show", try #require(r.trimmed.split(separator: "\n").last.map(String.init)))
        #expect(show["event"]?["description"]?.stringValue == "after the kill" || show["description"]?.stringValue == "after the kill")
    }
}
