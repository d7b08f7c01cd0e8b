import CmemFixtures
import Foundation
import Testing
import TestSupport
@testable import GitKit

/// `commit(files:)`: blobs written in segments, the tree updated in place and the index rewritten by
/// `IndexFile`, checked against the real git CLI after every step, and against libgit2's own index writer
/// (`commit(paths:)`), the reference answer the fast path must equal.
@Suite("Fast commit")
struct FastCommitTests {
    let repo: TemporaryGitRepository
    init() throws { repo = try TemporaryGitRepository("cmem-fastcommit") }

    func git(_ args: String...) throws -> String {
        let r = try ProcessRunner.git(args, cwd: repo.path)
        #expect(r.status == 0, "git \(args.joined(separator: " ")): \(r.stderr)")
        return r.stdout
    }

    /// Writes the files to disk and commits them through the fast path, as the store does.
    @discardableResult
    func write(_ files: [String: String?], message: String = "fast") throws -> ObjectID? {
        var writes: [GitRepository.FileWrite] = []
        for (path, text) in files.sorted(by: { $0.key < $1.key }) {
            if let text {
                try repo.write(path, text)
                writes.append(.init(path: path, content: Array(text.utf8)))
            } else {
                try? repo.remove(path)
                writes.append(.init(path: path, content: nil))
            }
        }
        return try repo.repository.commit(files: writes, message: message + "\n", author: TemporaryGitRepository.author)
    }

    /// The index, HEAD and the working tree agree, the cache tree is right, and the objects are sound.
    func expectConsistent(_ note: String = "") throws {
        let status = try git("status", "--porcelain", "--untracked-files=no").split(separator: "\n").filter { !$0.hasSuffix("intent.md") }
        #expect(status.isEmpty, "\(note): \(status)")
        #expect(try git("diff", "--cached", "--name-only") == "", "\(note)")
        #expect(try git("write-tree").trimmingCharacters(in: .whitespacesAndNewlines)
            == git("rev-parse", "HEAD^{tree}").trimmingCharacters(in: .whitespacesAndNewlines), "\(note)")
        let fsck = try ProcessRunner.git(["fsck", "--strict", "--no-dangling"], cwd: repo.path)
        #expect(fsck.status == 0 && fsck.stderr.isEmpty, "\(note): \(fsck.stderr)")
    }

    func seed() throws {
        var files: [String: String] = [:]
        for i in 0..<40 { files["notes/2026/\(String(format: "%02d", i % 12 + 1))/note-\(i).md"] = "note \(i)\n" }
        files["README.md"] = "hello\n"
        try repo.commitFiles(files, message: "seed")
        // git itself rewrites the index with a cache tree, as a human's commit would leave it.
        _ = try git("commit", "--allow-empty", "-qm", "human")
    }

    @Test("updates, inserts and deletions leave index, HEAD and working tree in agreement", arguments: [2, 3, 4])
    func indexVersions(version: Int) throws {
        try seed()
        _ = try git("update-index", "--index-version", "\(version)")
        if version == 3 {
            // git writes version 3 only while an entry needs its extended flags, as intent-to-add does.
            try repo.write("intent.md", "intent to add\n")
            _ = try git("add", "-N", "intent.md")
        }
        try expectConsistent("seeded")
        try write(["notes/2026/03/note-2.md": "note 2, edited\n"])
        try expectConsistent("update")
        try write(["notes/2026/03/a-first.md": "sorts first\n", "notes/2026/03/zz-last.md": "sorts last\n", "zzz/new/dir.md": "new dir\n"])
        try expectConsistent("inserts")
        try write(["notes/2026/05/note-4.md": nil, "README.md": "hello again\n"])
        try expectConsistent("delete and update")
        #expect(try git("ls-files", "notes/2026/05/note-4.md") == "")
        #expect(try git("show", "HEAD:README.md") == "hello again\n")
        #expect(try git("log", "--format=%s", "-1") == "fast\n")
        #expect(try git("ls-files").split(separator: "\n").count == (version == 3 ? 44 : 43))
        #expect(try git("cat-file", "-p", ":0:notes/2026/03/zz-last.md") == "sorts last\n")
        let header = Array(FileManager.default.contents(atPath: repo.path + "/.git/index")!.prefix(8))
        #expect(Int(header[7]) == version, "the index keeps its version")
    }

    @Test("random updates, inserts and deletions, anywhere in the index, agree with git", arguments: [2, 4])
    func randomEdits(version: Int) throws {
        try seed()
        _ = try git("update-index", "--index-version", "\(version)")
        var rng = SplitMix64(seed: UInt64(version) * 7919)
        var tracked = Set(try git("ls-files").split(separator: "\n").map(String.init))
        let places = ["", "0/", "notes/", "notes/2026/03/", "notes/2026/07/", "notes/2026/12/", "timeline/2026/11/", "zz/"]
        for round in 0..<14 {
            var change: [String: String?] = [:]
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let existing = tracked.sorted()
                switch rng.next() % 3 {
                case 0 where !existing.isEmpty:
                    change[existing[Int(rng.next() % UInt64(existing.count))]] = "edited in round \(round)\n"
                case 1 where existing.count > 5:
                    change[existing[Int(rng.next() % UInt64(existing.count))]] = .some(nil)
                default:
                    let name = places[Int(rng.next() % UInt64(places.count))] + "n\(rng.next() % 1000).md"
                    change[name] = "new in round \(round)\n"
                }
            }
            try write(change, message: "round \(round)")
            for (path, text) in change {
                if text == nil { tracked.remove(path) } else { tracked.insert(path) }
            }
            try expectConsistent("round \(round)")
            #expect(Set(try git("ls-files").split(separator: "\n").map(String.init)) == tracked, "round \(round)")
        }
        let header = Array(FileManager.default.contents(atPath: repo.path + "/.git/index")!.prefix(8))
        #expect(Int(header[7]) == version)
    }

    /// The index file's bytes.
    func indexBytes() -> [UInt8] { Array(FileManager.default.contents(atPath: repo.path + "/.git/index")!) }

    /// Every index entry as git lists it, stat data included, but for the device (see `withoutDevices`).
    func indexEntries() throws -> String {
        try git("ls-files", "--stage", "--debug").split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("  dev: ") ? "  dev: -" + $0.drop { $0 != "\t" } : $0 }.joined(separator: "\n")
    }

    /// The index without its checksum and with every entry's device set to 0. The device is the one
    /// field in which the fast path and libgit2 differ: IndexFile records `st_dev`, as git does; libgit2
    /// records `st_rdev`, which is 0 for a file. Neither compares it (git only when built with USE_STDEV).
    func withoutDevices(_ index: [UInt8]) -> [UInt8] {
        var bytes = Array(index.dropLast(20))
        func be32(_ at: Int) -> Int { Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3]) }
        let version = be32(4)
        var pos = 12
        for _ in 0..<be32(8) {
            for i in 16..<20 { bytes[pos + i] = 0 }
            let flags = Int(bytes[pos + 60]) << 8 | Int(bytes[pos + 61])
            let fixed = 62 + (version >= 3 && flags & 0x4000 != 0 ? 2 : 0)
            var end = pos + fixed
            if version == 4 {
                // The varint of how much of the previous path to drop, then the rest of this one.
                while bytes[end] & 0x80 != 0 { end += 1 }
                end += 1
            }
            while bytes[end] != 0 { end += 1 }
            pos = version == 4 ? end + 1 : pos + ((end - pos + 8) & ~7)
        }
        return bytes
    }

    @Test("the fast path writes the same index entries and extensions, byte for byte, and the same tree as libgit2's index writer",
          arguments: [2, 3, 4])
    func sameAsLibgit2(version: Int) throws {
        try seed()
        _ = try git("update-index", "--index-version", "\(version)")
        if version == 3 {
            // An entry with extended flags that libgit2 commits as git does (unlike intent-to-add), on a
            // path the steps leave alone (the fast path declines written paths with such flags).
            _ = try git("update-index", "--skip-worktree", "notes/2026/01/note-0.md")
        }
        let steps: [[String: String?]] = [
            ["notes/2026/03/note-2.md": "note 2, edited\n"],
            ["notes/2026/03/a-first.md": "sorts first\n", "notes/2026/03/zz-last.md": "sorts last\n", "zzz/new/dir.md": "new dir\n"],
            ["notes/2026/05/note-4.md": nil, "README.md": "hello again\n"],
            ["0/top.md": "before every other path\n", "notes/2026/12/note-11.md": nil, "notes/2026/12/note-99.md": "new\n"],
            ["README.md": "hello again\n"],
        ]
        let sha1Record = IndexChecksumCache.path(gitDir: repo.repository.gitDir)
        for (n, step) in steps.enumerated() {
            var writes: [GitRepository.FileWrite] = []
            for (path, text) in step.sorted(by: { $0.key < $1.key }) {
                if let text {
                    try repo.write(path, text)
                    writes.append(.init(path: path, content: Array(text.utf8)))
                } else {
                    try? repo.remove(path)
                    writes.append(.init(path: path, content: nil))
                }
            }
            let before = indexBytes()
            let head = try git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)

            // The fast path…
            let fastCommit = try repo.repository.commit(files: writes, message: "step \(n)\n", author: TemporaryGitRepository.author)
            let fast = indexBytes()
            let fastEntries = try indexEntries()
            let fastTree = try git("rev-parse", "HEAD^{tree}")
            // …which did write the index itself: its record names the index now in place.
            let record = CacheRecord.read(sha1Record, tag: IndexChecksumCache.tag)?.split(separator: "\n").first
            #expect(record.map(String.init) == ObjectID(raw: Array(fast.suffix(20))).hex, "step \(n): not written by IndexFile")

            // …and, from the same state, libgit2's index.
            try Data(before).write(to: URL(fileURLWithPath: repo.path + "/.git/index"))
            _ = try git("update-ref", "HEAD", head)
            let slowCommit = try repo.repository.commit(paths: writes.map(\.path), message: "step \(n)\n", author: TemporaryGitRepository.author)
            let slow = indexBytes()

            #expect((fastCommit == nil) == (slowCommit == nil), "step \(n)")
            #expect(try git("rev-parse", "HEAD^{tree}") == fastTree, "step \(n)")
            let slowEntries = try indexEntries()
            #expect(slowEntries == fastEntries, "step \(n)")
            #expect(Int(slow[7]) == version, "step \(n)")
            let (a, b) = (withoutDevices(fast), withoutDevices(slow))
            let differsAt = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? (a.count == b.count ? nil : min(a.count, b.count))
            #expect(differsAt == nil, "step \(n): the index files differ from byte \(differsAt ?? 0) of \(a.count)")
            try expectConsistent("step \(n)")
        }
    }

    @Test("more files than fastCommitLimit go through libgit2's index, with the same result")
    func manyFilesGoThroughLibgit2() throws {
        try seed()
        try write(["README.md": "a fast write first\n"])
        let record = IndexChecksumCache.path(gitDir: repo.repository.gitDir)
        let recorded = try String(contentsOfFile: record, encoding: .utf8)
        var files: [String: String?] = [:]
        for i in 0...GitRepository.fastCommitLimit { files["bulk/file-\(i).md"] = "bulk \(i)\n" }
        try write(files, message: "bulk")
        #expect(try String(contentsOfFile: record, encoding: .utf8) == recorded, "IndexFile did not run")
        try expectConsistent("bulk")
        #expect(try git("ls-files", "bulk").split(separator: "\n").count == GitRepository.fastCommitLimit + 1)
    }

    @Test("a human's commit landing mid-write is kept, and the write is committed on top of it")
    func headMovedDuringCommit() throws {
        try seed()
        let before = try git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        var moved = 0
        repo.repository.beforeMovingHead = {
            guard moved == 0 else { return }
            moved += 1
            try? repo.write("human.md", "written by hand\n")
            _ = try? ProcessRunner.git(["add", "human.md"], cwd: repo.path)
            // Only their own file: what cmem has already staged stays staged (git commit -- paths).
            _ = try? ProcessRunner.git(["commit", "-qm", "human, racing", "--", "human.md"], cwd: repo.path)
        }
        defer { repo.repository.beforeMovingHead = nil }
        try write(["notes/2026/01/note-0.md": "cmem's write\n"], message: "cmem")
        #expect(moved == 1)
        let log = try git("log", "--format=%s")
        #expect(log.hasPrefix("cmem\nhuman, racing\nhuman\n"), "\(log)")
        #expect(try git("rev-parse", "HEAD~2").trimmingCharacters(in: .whitespacesAndNewlines) == before)
        #expect(try git("show", "HEAD:human.md") == "written by hand\n")
        #expect(try git("show", "HEAD:notes/2026/01/note-0.md") == "cmem's write\n")
        try expectConsistent("after the race")
    }

    @Test("an unchanged write makes no commit")
    func unchangedMakesNoCommit() throws {
        try seed()
        let before = try git("rev-parse", "HEAD")
        #expect(try write(["README.md": "hello\n"]) == nil)
        #expect(try git("rev-parse", "HEAD") == before)
        try expectConsistent()
    }

    @Test("what a human staged on another path stays staged and out of the commit")
    func humanStagingKept() throws {
        try seed()
        try repo.write("mine.txt", "staged by hand\n")
        _ = try git("add", "mine.txt")
        try write(["README.md": "from cmem\n"])
        #expect(try git("diff", "--cached", "--name-only") == "mine.txt\n")
        #expect(try git("show", "--name-only", "--format=", "HEAD") == "README.md\n")
    }

    @Test("a split index is declined, and writes go on once git turns it off")
    func splitIndexFallsBack() throws {
        try seed()
        _ = try git("update-index", "--split-index")
        let declined = IndexFile.rewrite(Array(FileManager.default.contents(atPath: repo.path + "/.git/index")!), [])
        guard case .failure = declined else {
            Issue.record("a split index must be declined")
            return
        }
        _ = try git("update-index", "--no-split-index")
        try write(["README.md": "after split\n"])
        #expect(try git("show", "HEAD:README.md") == "after split\n")
        #expect(try git("status", "--porcelain", "--untracked-files=no") == "")
    }

    @Test("a truncated or foreign index is declined, never half-parsed")
    func damagedIndexDeclined() throws {
        try seed()
        let bytes = Array(FileManager.default.contents(atPath: repo.path + "/.git/index")!)
        for cut in [10, 40, bytes.count / 2, bytes.count - 25] {
            if case .success = IndexFile.rewrite(Array(bytes.prefix(cut)) + [UInt8](repeating: 0, count: 20), []) {
                Issue.record("truncated at \(cut) was accepted")
            }
        }
        if case .success = IndexFile.rewrite(Array("not an index at all, just text........".utf8), []) {
            Issue.record("text was accepted as an index")
        }
    }

    @Test("a growing file reuses its compressed segments and every version reads back whole")
    func segmentsReused() throws {
        try seed()
        var text = "---\ndate: 2026-01-01\n---\n\n"
        var line = 0
        func grow(_ bytes: Int) {
            while text.utf8.count < bytes {
                text += "## 12:00:\(line % 60) deployment — line \(line) of a large day file with enough words\n\n"
                line += 1
            }
        }
        let writer = SegmentedBlobWriter(gitDir: repo.repository.gitDir)
        grow(300_000)
        let first = try writer.write(path: "timeline/day.md", content: Array(text.utf8))
        #expect(first.reusedBytes == 0)
        var ids = [first.id]
        for step in 1...3 {
            grow(300_000 + step * 5_000)
            let r = try writer.write(path: "timeline/day.md", content: Array(text.utf8))
            #expect(r.reusedBytes >= 4 * SegmentedBlobWriter.segmentSize, "step \(step)")
            ids.append(r.id)
            #expect(try git("cat-file", "-p", ObjectID(raw: r.id).hex) == text)
        }
        // An edit near the start: nothing after it is reused wrongly.
        text = text.replacingOccurrences(of: "line 3 of", with: "LINE 3 OF")
        let edited = try writer.write(path: "timeline/day.md", content: Array(text.utf8))
        #expect(edited.reusedBytes == 0)
        #expect(try git("cat-file", "-p", ObjectID(raw: edited.id).hex) == text)
        // A record cut short (records are rewritten in place) or damaged is ignored.
        let records = repo.repository.gitDir + "cmem/segments"
        for damage in ["cut", "garbage"] {
            for name in try FileManager.default.contentsOfDirectory(atPath: records) {
                let path = records + "/" + name
                let valid = try String(contentsOfFile: path, encoding: .utf8)
                #expect(valid.hasPrefix(SegmentedBlobWriter.recordTag + " "))
                let bad = damage == "cut" ? String(valid.prefix(valid.count * 2 / 3)) : SegmentedBlobWriter.recordTag + " 0\ngarbage 1 2\n"
                try bad.write(toFile: path, atomically: true, encoding: .utf8)
            }
            text += "one more line after a \(damage) record\n"
            let afterDamage = try writer.write(path: "timeline/day.md", content: Array(text.utf8))
            #expect(afterDamage.reusedBytes == 0, "\(damage)")
            #expect(try git("cat-file", "-p", ObjectID(raw: afterDamage.id).hex) == text)
            // The record written after it is whole again.
            text += "and another\n"
            #expect(try writer.write(path: "timeline/day.md", content: Array(text.utf8)).reusedBytes > 0, "\(damage)")
        }
        for id in ids { #expect(try git("cat-file", "-t", ObjectID(raw: id).hex) == "blob\n") }
        let fsck = try ProcessRunner.git(["fsck", "--strict", "--no-dangling"], cwd: repo.path)
        #expect(fsck.status == 0 && fsck.stderr.isEmpty, "\(fsck.stderr)")
    }

    @Test("appends to a large file through commit(files:) stay consistent with git")
    func largeAppendsCommit() throws {
        try seed()
        var text = String(repeating: "an event block with a few words in it\n", count: 8_000)
        for i in 0..<5 {
            text += "appended \(i)\n"
            try write(["timeline/2026/01/2026-01-01.md": text], message: "append \(i)")
            try expectConsistent("append \(i)")
        }
        #expect(try git("show", "HEAD:timeline/2026/01/2026-01-01.md") == text)
        #expect(try git("rev-list", "--count", "HEAD") == "7\n")
    }

    @Test("a large index is hashed again only from the changed entry, and git accepts every checksum")
    func indexChecksumResumes() throws {
        var files: [String: String] = [:]
        let long = String(repeating: "a-rather-long-directory-name/", count: 4)
        for i in 0..<2_500 { files["notes/\(long)note-\(String(format: "%05d", i)).md"] = "note \(i)\n" }
        try repo.commitFiles(files, message: "many notes")
        let gitDir = repo.repository.gitDir
        #expect(try git("ls-files").split(separator: "\n").count == 2_500)
        // The first write finds no record of the index and hashes all of it.
        try write(["zz/day.md": "one\n"])
        #expect(FileManager.default.fileExists(atPath: IndexChecksumCache.path(gitDir: gitDir)))
        for round in 0..<4 {
            let text = "round \(round)\n"
            try repo.write("zz/day.md", text)
            let id = try git("hash-object", "-w", "zz/day.md").trimmingCharacters(in: .whitespacesAndNewlines)
            var st = stat()
            #expect(lstat(repo.path + "/zz/day.md", &st) == 0)
            let entry = IndexFile.Entry(path: Array("zz/day.md".utf8), id: ObjectID(hex: id)!.bytes, mode: 0o100644, stat: st)
            let outcome = try IndexFile.update(gitDir: gitDir, entries: [entry])
            guard case let .written(from) = outcome else {
                Issue.record("declined: \(outcome)")
                return
            }
            #expect(from >= IndexChecksumCache.stride, "round \(round) hashed from \(from)")
            #expect(try git("ls-files", "-s", "zz/day.md").contains(id))
            // Everyday git commands skip the index checksum; fsck checks it (and libgit2 on every read).
            let fsck = try ProcessRunner.git(["fsck", "--no-dangling"], cwd: repo.path)
            #expect(fsck.status == 0 && fsck.stderr.isEmpty, "round \(round): \(fsck.stderr)")
        }
        _ = try git("commit", "-qm", "rounds")
        try expectConsistent("rounds")
        #expect(try git("show", "HEAD:zz/day.md") == "round 3\n")
        // git has rewritten the index since (commit, status): the bytes it left unchanged are found by
        // comparison with the index cmem wrote, and hashing still resumes past them.
        #expect(try git("rev-parse", "HEAD").isEmpty == false)
        try repo.write("zz/day.md", "after git\n")
        let id = try git("hash-object", "-w", "zz/day.md").trimmingCharacters(in: .whitespacesAndNewlines)
        var st = stat()
        #expect(lstat(repo.path + "/zz/day.md", &st) == 0)
        let afterGit = try IndexFile.update(gitDir: gitDir, entries: [IndexFile.Entry(path: Array("zz/day.md".utf8),
                                                                                       id: ObjectID(hex: id)!.bytes, mode: 0o100644, stat: st)])
        guard case let .written(from) = afterGit else {
            Issue.record("declined: \(afterGit)")
            return
        }
        #expect(from >= IndexChecksumCache.stride, "after git rewrote the index, hashed from \(from)")
        let fsck = try ProcessRunner.git(["fsck", "--no-dangling"], cwd: repo.path)
        #expect(fsck.status == 0 && fsck.stderr.isEmpty, "\(fsck.stderr)")
        _ = try git("commit", "-qm", "after git")
        try expectConsistent("after git")
        // git changes the first entry's stat data: nothing before it can be taken from the cache.
        let firstNote = "notes/\(long)note-00000.md"
        try repo.write(firstNote, "note 0\n")
        _ = try git("update-index", "--refresh")
        try repo.write("zz/day.md", "after a refresh\n")
        let id2 = try git("hash-object", "-w", "zz/day.md").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(lstat(repo.path + "/zz/day.md", &st) == 0)
        let afterRefresh = try IndexFile.update(gitDir: gitDir, entries: [IndexFile.Entry(path: Array("zz/day.md".utf8),
                                                                                           id: ObjectID(hex: id2)!.bytes, mode: 0o100644, stat: st)])
        #expect(afterRefresh == .written(hashedFrom: 0))
        let fsck2 = try ProcessRunner.git(["fsck", "--no-dangling"], cwd: repo.path)
        #expect(fsck2.status == 0 && fsck2.stderr.isEmpty, "\(fsck2.stderr)")
        // A record that does not check out is ignored: the whole index is hashed, and still right.
        try "cmem-index-sha1 1 0000000000000000000000000000000000000000 0\n".write(
            toFile: IndexChecksumCache.path(gitDir: gitDir), atomically: true, encoding: .utf8)
        try write(["zz/day.md": "after a bad record\n"])
        try expectConsistent("bad record")
        #expect(try git("show", "HEAD:zz/day.md") == "after a bad record\n")
    }
}
