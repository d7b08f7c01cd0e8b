import CmemFixtures
import Collector
import Foundation
import MemoryModel

/// Issue 4: collect-and-diff on a 5,000-pod cluster (synthesised from the fixture shapes), in process and
/// through `cmem collect --once --from-dir`; and what the git hooks add to a `git commit`.
enum CollectorBench {
    static let pods = 5000

    static func run(_ env: BenchEnvironment, runs: Int) throws {
        var report = Report()
        try collectAndDiff(env, runs: runs, report: &report)
        try hookOverhead(env, runs: runs, report: &report)
        report.print(title: "Collector and git hooks (issue 4)")
    }

    // MARK: Collect and diff

    static func collectAndDiff(_ env: BenchEnvironment, runs: Int, report: inout Report) throws {
        let collector = Collector.quiet()
        let detector = ChangeDetector()
        let first = SyntheticCluster.results(pods: pods)
        let second = SyntheticCluster.results(pods: pods, changed: true)
        let rawBytes = second.values.reduce(0) { total, r in
            if case let .data(b) = r { return total + b.count }
            return total
        }
        let baseline = collector.snapshot(from: first)
        let at = Timestamp.now()
        var inProcess = Samples(), encode = Samples()
        var events = 0
        for _ in 0..<max(1, min(runs, 20)) {
            var change: InfraChange?
            inProcess.add(Clock.time {
                let snapshot = collector.snapshot(from: second)
                change = detector.compare(old: baseline, new: snapshot, at: at)
            })
            events = change?.events.count ?? 0
            encode.add(Clock.time {
                _ = change?.snapshot.canonicalJSON()
                _ = change?.snapshot.markdownPage()
            })
        }
        let expected = SyntheticCluster.expectedChanges(pods: pods)
        report.add("synthetic cluster", "\(pods) pods, \(baseline.components.count) components, \(rawBytes / 1024) KB of kubectl JSON")
        report.add("collect-and-diff, in process (parse, roll up, compare) p50", ms(inProcess.p50), "p90 \(ms(inProcess.p90))")
        report.add("events found", "\(events)",
                   "expected \(expected.imageBumps) image bumps, \(expected.scaleUps) scale-ups, \(expected.crashLoops) crash loops, "
                   + "\(expected.removedServices) removed services, \(expected.degradedApplications) degraded apps")
        report.add("encode state.json + README.md p50", ms(encode.p50))

        // The whole command: process start, reading the directory, the comparison, the commit.
        let dirA = "\(env.workDir)/cluster-\(pods)-a", dirB = "\(env.workDir)/cluster-\(pods)-b"
        try? FileManager.default.removeItem(atPath: dirA)
        try? FileManager.default.removeItem(atPath: dirB)
        try SyntheticCluster.write(SyntheticCluster.make(pods: pods), to: dirA)
        try SyntheticCluster.write(SyntheticCluster.make(pods: pods, changed: true), to: dirB)
        let memory = "\(env.workDir)/collect-memory"
        try? FileManager.default.removeItem(atPath: memory)
        try Run.program(env.cmem, ["init", memory])
        func collect(_ dir: String) throws -> Double {
            try Clock.time { try Run.program(env.cmem, ["collect", "--once", "--from-dir", dir, "--repo", memory, "--json"]) }
        }
        let first0 = try collect(dirA)
        var changed = Samples(), unchanged = Samples()
        for i in 0..<max(1, min(runs, 5)) {
            changed.add(try collect(i % 2 == 0 ? dirB : dirA))
            unchanged.add(try collect(i % 2 == 0 ? dirB : dirA))
        }
        report.add("cmem collect --once --from-dir, first state (baseline commit)", ms(first0))
        report.add("cmem collect --once --from-dir, with changes (events + state, one commit) p50", ms(changed.p50))
        report.add("cmem collect --once --from-dir, unchanged (no commit) p50", ms(unchanged.p50))
    }

    // MARK: Hook overhead

    static func hookOverhead(_ env: BenchEnvironment, runs: Int, report: inout Report) throws {
        let n = max(5, min(runs, 30))
        let code = "\(env.workDir)/hook-code"
        let memory = "\(env.workDir)/hook-memory"
        for p in [code, memory] { try? FileManager.default.removeItem(atPath: p) }
        try FileManager.default.createDirectory(atPath: code, withIntermediateDirectories: true)
        try Run.program(env.cmem, ["init", memory])
        try git(["init", "-q", "-b", "main"], in: code)
        try git(["config", "user.name", "Bench"], in: code)
        try git(["config", "user.email", "bench@example.com"], in: code)

        var counter = 0
        func commit(env extra: [String: String] = [:]) throws -> Double {
            counter += 1
            let file = "\(code)/src/file-\(counter % 10).txt"
            try FileManager.default.createDirectory(atPath: "\(code)/src", withIntermediateDirectories: true)
            try "change \(counter)\n".write(toFile: file, atomically: true, encoding: .utf8)
            try git(["add", "-A"], in: code)
            return try Clock.time { try git(["commit", "-q", "-m", "bench commit \(counter)"], in: code, env: extra) }
        }
        func memoryCommits() -> Int {
            Int((try? Run.program("/usr/bin/env", ["git", "-C", memory, "rev-list", "--count", "HEAD"]))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        }

        _ = try commit() // warm the file system cache
        var plain = Samples()
        for _ in 0..<n { plain.add(try commit()) }

        try Run.program(env.cmem, ["hooks", "install", "--repo", code, "--memory", memory])
        var background = Samples(), recorded = Samples()
        for _ in 0..<n {
            let before = memoryCommits()
            let start = Clock.now()
            background.add(try commit())
            // Wait for the background record, so that it never competes with the next measured commit.
            let deadline = Clock.now() + 30
            while memoryCommits() <= before, Clock.now() < deadline { usleep(5_000) }
            recorded.add(Clock.now() - start)
        }
        var foreground = Samples()
        for _ in 0..<n { foreground.add(try commit(env: ["CMEM_HOOK_SYNC": "1"])) }
        try Run.program(env.cmem, ["hooks", "uninstall", "--repo", code])

        report.add("git commit without hooks p50", ms(plain.p50), "p90 \(ms(plain.p90)), \(n) commits")
        report.add("git commit with cmem's hooks p50 (recording in the background)", ms(background.p50), "p90 \(ms(background.p90))")
        report.add("hook overhead per commit p50", ms(max(0, background.p50 - plain.p50)), "target ≤ 50 ms")
        report.add("git commit with CMEM_HOOK_SYNC=1 p50 (recording in the foreground)", ms(foreground.p50),
                   "overhead \(ms(max(0, foreground.p50 - plain.p50)))")
        report.add("commit to event committed in the memory p50", ms(recorded.p50), "p90 \(ms(recorded.p90))")
    }

    @discardableResult
    static func git(_ args: [String], in dir: String, env: [String: String] = [:]) throws -> String {
        try Run.program("/usr/bin/env", ["git", "-C", dir] + args, env: env)
    }
}
