import Foundation
import Logging
import MemoryModel
import MemoryStore
import MemorySync

/// The sync benchmark of the issue: two clones of a large memory each record `newEventsPerSide` new
/// events, one syncs, then the other's `cmem sync` (fetch, merge through the drivers, push) is timed.
/// The baseline is the same scenario with plain git: `timeline/**/*.md merge=union` and
/// `git pull --no-rebase` followed by `git push`. Both results are checked: how many of the new events
/// each merge kept exactly once, and whether the day files still parse, in time order.
///
/// `cmem-bench` calls `run`; set-up (cloning, recording events) is not timed.
public enum SyncBenchmark {
    public struct Side: Sendable {
        /// Wall time of the timed step, seconds.
        public var seconds: Double
        /// New events found exactly once after the merge (the goal: 2 × newEventsPerSide).
        public var eventsKept: Int
        /// New events found more than once.
        public var duplicated: Int
        /// New events missing.
        public var missing: Int
        /// Event blocks that no longer parse, and conflict markers left in day files.
        public var brokenBlocks: Int
        public var conflictMarkers: Int
        /// Day files whose events are not in time order.
        public var outOfOrderFiles: Int
    }

    public struct Result: Sendable {
        public var newEventsPerSide: Int
        /// Day files both sides wrote to.
        public var dayFiles: [String]
        /// `cmem sync` on the second side: fetch, merge (merge drivers), push.
        public var cmem: Side
        /// `git pull --no-rebase` + `git push` with `merge=union`.
        public var baseline: Side
        /// `cmem sync` on the first side afterwards (a fast-forward), for reference.
        public var cmemFastForwardSeconds: Double
    }

    /// - Parameters:
    ///   - seedRepository: an existing memory repository (e.g. cmem-bench's 1M-event repository); it is
    ///     only read (cloned).
    ///   - workDirectory: scratch space; a `sync-bench` folder in it is replaced.
    ///   - cmemExecutable: the `cmem` binary (git runs its merge drivers; `cmem sync` is timed as a process).
    ///   - spreadDays: 0 puts every new event on the last day of the repository (the common case: a service
    ///     appending "now"); N > 0 spreads them over the last N days (more files to merge).
    public static func run(seedRepository: String, workDirectory: String, newEventsPerSide: Int = 1000,
                           cmemExecutable: String, eventsPerCommit: Int = 10, spreadDays: Int = 0,
                           logger: Logger = Logger(label: "cmem.bench.sync")) throws -> Result {
        let work = (workDirectory as NSString).appendingPathComponent("sync-bench")
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let shell = GitCLI(directory: work, environment: ["LC_ALL": "C"])
        let remote = work + "/remote.git", a = work + "/a", b = work + "/b"
        logger.info("cloning", metadata: ["bench.seed": "\(seedRepository)"])
        try shell.check(["clone", "-q", "--bare", "--no-local", seedRepository, remote])
        try shell.check(["clone", "-q", remote, a])
        try shell.check(["clone", "-q", remote, b])
        let start = try GitCLI(directory: a).check(["rev-parse", "HEAD"])
        let branch = try GitCLI(directory: a).check(["rev-parse", "--abbrev-ref", "HEAD"])

        // New events: after the newest event of the repository, interleaved between the two sides.
        let storeA = try MemoryStore(path: a, logger: logger)
        let lastDay = storeA.dayFiles().last
        var last = Timestamp(iso8601: "2026-01-01T00:00:00Z")!
        if let lastDay, let t = try storeA.events(inDayFile: lastDay).events.map(\.timestamp).max() { last = t }
        func events(side: Int) -> [TimelineEvent] {
            (0..<newEventsPerSide).map { i in
                var t = last.adding(seconds: 1)
                t.milliseconds += Int64(i) * 10 + Int64(side) * 5
                if spreadDays > 0 { t = t.adding(seconds: -Int64((i * 7919) % spreadDays) * 86_400) }
                return TimelineEvent(id: Identifier.make(.event, at: t), timestamp: t, type: "deployment", source: "bench-\(side)",
                                     description: "bench event \(i) from side \(side)", components: ["bench-svc"])
            }
        }
        let newA = events(side: 0), newB = events(side: 1)
        let newIDs = Set((newA + newB).map(\.id))
        let dayFiles = Array(Set((newA + newB).map(\.dayPath))).sorted()

        func record(_ list: [TimelineEvent], in path: String) throws {
            let store = try MemoryStore(path: path, logger: logger)
            var i = 0
            while i < list.count {
                try store.recordEvents(Array(list[i..<min(list.count, i + eventsPerCommit)]), durable: false)
                i += eventsPerCommit
            }
        }
        func check(_ repo: String) throws -> Side {
            var counts: [String: Int] = [:]
            var broken = 0, markers = 0, unordered = 0
            for path in dayFiles {
                guard let bytes = try AtomicFile.read(repo + "/" + path) else { continue }
                let parsed = TimelineDay.parse(bytes, path: path)
                broken += parsed.errors.count
                for e in parsed.events where newIDs.contains(e.id) { counts[e.id, default: 0] += 1 }
                let times = parsed.events.map(\.timestamp)
                if zip(times, times.dropFirst()).contains(where: { $0 > $1 }) { unordered += 1 }
                markers += String(decoding: bytes, as: UTF8.self).split(separator: "\n")
                    .filter { $0.hasPrefix("<<<<<<<") || $0.hasPrefix(">>>>>>>") }.count
            }
            return Side(seconds: 0, eventsKept: counts.values.filter { $0 == 1 }.count,
                        duplicated: counts.values.filter { $0 > 1 }.count, missing: newIDs.count - counts.count,
                        brokenBlocks: broken, conflictMarkers: markers, outOfOrderFiles: unordered)
        }
        func clock() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_MONOTONIC, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        }
        func cmemSync(_ repo: String) throws -> Double {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: cmemExecutable)
            process.arguments = ["sync", "--repo", repo]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            let stderr = Pipe()
            process.standardError = stderr
            let t0 = clock()
            try process.run()
            // Read to the end before waiting, so that a chatty child never blocks on a full pipe.
            let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let t = clock() - t0
            guard process.terminationReason == .exit, process.terminationStatus == 0 else {
                throw SyncError.git(command: "cmem sync --repo \(repo)", status: process.terminationStatus, message: message)
            }
            return t
        }

        // cmem: both sides record, A syncs, B's sync is timed.
        logger.info("recording", metadata: ["bench.events": "\(newEventsPerSide)"])
        for repo in [a, b] { try MergeDriverSetup.configure(repositoryAt: repo, executable: cmemExecutable) }
        try record(newA, in: a)
        try record(newB, in: b)
        _ = try cmemSync(a)
        var cmem = Side(seconds: 0, eventsKept: 0, duplicated: 0, missing: 0, brokenBlocks: 0, conflictMarkers: 0, outOfOrderFiles: 0)
        let cmemSeconds = try cmemSync(b)
        cmem = try check(b)
        cmem.seconds = cmemSeconds
        let ffSeconds = try cmemSync(a)

        // Baseline: same start, same events, merge=union, git pull --no-rebase + git push.
        logger.info("baseline")
        try GitCLI(directory: remote).check(["update-ref", "refs/heads/\(branch)", start])
        for repo in [a, b] {
            let git = GitCLI(directory: repo, environment: ["LC_ALL": "C"])
            try git.check(["reset", "-q", "--hard", start])
            try git.check(["update-ref", "refs/remotes/origin/\(branch)", start])
            try git.check(["config", "--unset-all", "merge.cmem-timeline.driver"])
            try git.check(["config", "--unset-all", "merge.cmem-note.driver"])
            // info/attributes overrides .gitattributes: the plain-git setup people would try first.
            try FileManager.default.createDirectory(atPath: repo + "/.git/info", withIntermediateDirectories: true)
            try "timeline/**/*.md merge=union\nsessions/**/*.md merge=union\ndecisions/**/*.md merge=union\n"
                .write(toFile: repo + "/.git/info/attributes", atomically: true, encoding: .utf8)
        }
        try record(newA, in: a)
        try record(newB, in: b)
        let author = ["GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
                      "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com", "LC_ALL": "C"]
        try GitCLI(directory: a, environment: author).check(["push", "-q", "origin", "HEAD:refs/heads/\(branch)"])
        let gitB = GitCLI(directory: b, environment: author)
        let t0 = clock()
        let pull = try gitB.run(["pull", "-q", "--no-rebase", "--no-edit", "origin", branch])
        var pushed = false
        if pull.succeeded { pushed = try gitB.run(["push", "-q", "origin", "HEAD:refs/heads/\(branch)"]).succeeded }
        let baselineSeconds = clock() - t0
        var baseline = try check(b)
        baseline.seconds = baselineSeconds
        if !pull.succeeded || !pushed { logger.warning("the baseline pull or push failed", metadata: ["bench.git": "\(pull.message)"]) }
        return Result(newEventsPerSide: newEventsPerSide, dayFiles: dayFiles, cmem: cmem, baseline: baseline,
                      cmemFastForwardSeconds: ffSeconds)
    }
}
