import Foundation
import MemoryModel
import TestSupport
import Testing

/// Acknowledged means durable, and a write is all or nothing even when the writer is killed at any single
/// system call (issue 19, item 14). The order of what `cmem event record` syncs is read off strace; the
/// crash points stop the process with SIGKILL at each rename, link, fsync and write of one append and
/// check the repository after each.
@Suite(.serialized) struct DurabilityTests {
    static let strace = "/usr/bin/strace"
    static var hasStrace: Bool { FileManager.default.isExecutableFile(atPath: strace) }

    func record(_ f: CLIFixture, _ description: String, at time: String = "2026-12-05T10:00:00Z") throws -> ProcessResult {
        try f.cmem("event", "record", "--type", "deployment", "--component", "api", "--description", description, "--time", time)
    }

    /// Every object of the new commit, the branch and its reflogs are fsynced, the objects before the
    /// branch names them, and all of it before the id is printed.
    @Test func anAppendSyncsObjectsThenTheBranchBeforeAnswering() throws {
        guard Self.hasStrace else { return }
        let f = try CLIFixture()
        #expect(try record(f, "the day exists").status == 0)
        let trace = f.dir.file("trace.txt")
        let r = try ProcessRunner.run(Self.strace, ["-f", "-y", "-s", "0", "-o", trace, "-e", "trace=fsync,fdatasync,rename,renameat,renameat2,write",
                                                   CMemBinary.path, "event", "record", "--type", "deployment", "--component", "api",
                                                   "--description", "traced", "--time", "2026-12-05T11:00:00Z"],
                                      cwd: f.project, environment: ["CMEM_REPO": f.repo])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
        /// The index of the first line that fsyncs `path` (the descriptor strace annotates with its path).
        func fsyncLine(_ path: String) -> Int? {
            lines.firstIndex { ($0.contains("fsync(") || $0.contains("fdatasync(")) && $0.contains("<\(path)>") && ($0.hasSuffix("= 0") || $0.hasSuffix("<unfinished ...>")) }
        }
        let git = f.repo + "/.git/"
        var objects: [String] = []
        for rev in ["HEAD", "HEAD^{tree}", "HEAD:timeline", "HEAD:timeline/2026", "HEAD:timeline/2026/12", "HEAD:timeline/2026/12/2026-12-05.md"] {
            let id = try f.git("rev-parse", rev).trimmed
            objects.append(git + "objects/" + id.prefix(2) + "/" + id.dropFirst(2))
        }
        let refRename = lines.firstIndex { $0.contains("rename") && $0.contains("refs/heads/main.lock") }
        let refSync = fsyncLine(git + "refs/heads/main")
        let logSync = fsyncLine(git + "logs/HEAD")
        let answer = lines.lastIndex { $0.contains("write(1<") }
        let ref = try #require(refRename, "the branch moves by renaming its lock")
        for object in objects {
            let synced = try #require(fsyncLine(object), "\(object) is never fsynced")
            #expect(synced < ref, "\(object) is synced after the branch names it")
        }
        #expect(refSync.map { $0 > ref } == true, "the branch file is synced after it moves")
        #expect(logSync != nil, "HEAD's reflog is synced")
        let note = try #require(fsyncLine(f.repo + "/timeline/2026/12/2026-12-05.md") ?? lines.firstIndex {
            $0.contains("fsync(") && $0.contains("2026-12-05.md.cmem-")
        }, "the note is synced")
        let last = try #require(answer, "the id is printed")
        for step in [note, ref, refSync ?? .max, logSync ?? .max] { #expect(step < last, "the answer comes before what it promises is durable") }
    }

    /// SIGKILL at the Nth call of `syscall` during one append, for every N the append makes: after each,
    /// the next write works, fsck is clean, nothing is left staged, untracked or locked, and the killed
    /// event is there once if it was acknowledged and at most once if not.
    @Test(arguments: ["rename", "link", "fsync", "write"])
    func aWriterKilledAtAnySystemCallLeavesAWholeRepository(syscall: String) throws {
        guard Self.hasStrace else { return }
        let f = try CLIFixture()
        #expect(try record(f, "the day exists").status == 0)
        var completed = false
        var points = 0
        for n in 1...60 where !completed {
            let description = "killed at \(syscall) \(n)"
            let killed = try ProcessRunner.run(Self.strace, ["-f", "-o", "/dev/null", "-e", "inject=\(syscall):signal=KILL:when=\(n)",
                                                            CMemBinary.path, "event", "record", "--type", "deployment", "--component", "api",
                                                            "--description", description, "--time", "2026-12-05T11:00:00Z"],
                                               cwd: f.project, environment: ["CMEM_REPO": f.repo])
            completed = killed.status == 0
            if !completed { points += 1 }
            let acknowledged = killed.stdout.contains("ev-")
            let next = try record(f, "after \(syscall) \(n)", at: "2026-12-05T12:00:00Z")
            #expect(next.status == 0, "the write after a kill at \(syscall) #\(n): \(next.stderr)")
            #expect(try f.git("fsck", "--no-progress", "--strict").status == 0, "fsck after a kill at \(syscall) #\(n)")
            let status = try f.git("status", "--porcelain", "--untracked-files=all").stdout
            #expect(status.isEmpty, "after a kill at \(syscall) #\(n), git status: \(status)")
            for lock in ["index.lock", "HEAD.lock", "refs/heads/main.lock"] {
                #expect(!FileManager.default.fileExists(atPath: f.repo + "/.git/" + lock), "\(lock) after a kill at \(syscall) #\(n)")
            }
            let day = try String(contentsOfFile: f.repo + "/timeline/2026/12/2026-12-05.md", encoding: .utf8)
            let copies = day.components(separatedBy: "description: \"\(description)\"\n").count - 1
            #expect(copies <= 1, "\(copies) copies of an event killed at \(syscall) #\(n)")
            if acknowledged { #expect(copies == 1, "an acknowledged event killed at \(syscall) #\(n) is gone") }
            #expect(day.contains("description: \"after \(syscall) \(n)\"\n"))
            let scratch = try FileManager.default.contentsOfDirectory(atPath: f.repo + "/timeline/2026/12").filter { $0.contains(".cmem-") }
            #expect(scratch.isEmpty, "temporary files after a kill at \(syscall) #\(n): \(scratch)")
            let objects = try FileManager.default.subpathsOfDirectory(atPath: f.repo + "/.git/objects")
            #expect(!objects.contains { $0.contains("tmp_obj") || $0.contains("tmp_object") }, "temporary objects after \(syscall) #\(n)")
        }
        #expect(completed, "an append makes fewer than 60 \(syscall) calls")
        #expect(points > 0 || syscall == "link", "the append makes at least one \(syscall)")
    }
}
