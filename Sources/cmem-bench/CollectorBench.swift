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
        var events = Report()
        try podsAndEvents(env, runs: runs, report: &events)
        try eventWatch(env, report: &events)
        events.print(title: "Kubernetes Events (issue 14)")
    }

    // MARK: 5,000 pods and 20,000 Events (issue 14)

    static let eventCount = 20_000

    /// Peak resident memory of this process, or of the largest child waited for, in MiB.
    static func peakMiB(children: Bool) -> Double {
        var usage = rusage()
        getrusage(children ? RUSAGE_CHILDREN.rawValue : RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    static func podsAndEvents(_ env: BenchEnvironment, runs: Int, report: inout Report) throws {
        let outputs = SyntheticCluster.make(pods: pods, changed: true)
        let podNames = SyntheticEvents.pods(of: outputs)
        var withEvents = outputs
        withEvents[.events] = SyntheticEvents.list(eventCount, pods: podNames, time: Timestamp.now())
        let results = withEvents.mapValues { SourceResult.data($0) }
        let collector = Collector.quiet()
        let baseline = collector.snapshot(from: SyntheticCluster.results(pods: pods))
        let detector = ChangeDetector()
        let at = Timestamp.now()
        let before = peakMiB(children: false)
        var wall = Samples()
        var alerts = 0
        for _ in 0..<max(1, min(runs, 10)) {
            wall.add(Clock.time {
                let snapshot = collector.snapshot(from: results)
                alerts = detector.compare(old: baseline, new: snapshot, at: at).events.filter { $0.type == "alert" }.count
            })
        }
        report.add("\(pods) pods + \(eventCount) Warning Events, collect-and-diff in process p50", ms(wall.p50),
                   "p90 \(ms(wall.p90)); 5,000 pods alone: 221 ms in issue 14 (\(ratio(wall.p50, 0.221)))")
        report.add("alert events (one per component and reason)", "\(alerts)")
        report.add("peak RSS of the bench process, before → after", String(format: "%.0f → %.0f MiB", before, peakMiB(children: false)))

        let dir = "\(env.workDir)/cluster-\(pods)-events"
        try? FileManager.default.removeItem(atPath: dir)
        try SyntheticCluster.write(withEvents, to: dir)
        let memory = "\(env.workDir)/collect-events-memory"
        try? FileManager.default.removeItem(atPath: memory)
        try Run.program(env.cmem, ["init", memory])
        try Run.program(env.cmem, ["collect", "--once", "--from-dir", dir, "--repo", memory, "--json"])
        let scratch = "\(env.workDir)/collect-events-scratch"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let timed = try Run.timed(env.cmem, ["collect", "--once", "--from-dir", dir, "--repo", memory, "--json"], scratch: scratch)
        report.add("cmem collect --once --from-dir, 5,000 pods + 20,000 Events (unchanged)", ms(timed.seconds),
                   String(format: "CPU %.0f ms; peak RSS of the largest child so far %.0f MiB", timed.cpu * 1000, peakMiB(children: true)))
    }

    // MARK: The Event watch at 200 events/s for 60 s (issue 14)

    /// `cmem collect --watch` against a kubectl that streams a watch from a FIFO this bench writes to, at
    /// `rate` lines per second for `seconds`; every tenth line raises the count of an earlier Event.
    static func eventWatch(_ env: BenchEnvironment, report: inout Report, rate: Int = 200, seconds: Int = 60) throws {
        let base = "\(env.workDir)/event-watch"
        try? FileManager.default.removeItem(atPath: base)
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        let memory = base + "/memory", fifo = base + "/watch.fifo", kubectl = base + "/kubectl"
        try Run.program(env.cmem, ["init", memory])
        guard mkfifo(fifo, 0o600) == 0 else { throw BenchError(message: "mkfifo \(fifo) failed") }
        try """
        #!/bin/sh
        case "$*" in
        *"get --raw"*) exec cat \(fifo) ;;
        *) echo '{"apiVersion":"v1","kind":"List","items":[]}' ;;
        esac
        """.write(toFile: kubectl, atomically: true, encoding: .utf8)
        chmod(kubectl, 0o755)
        let config = memory + "/.cmem/config.yaml"
        let existing = (try? String(contentsOfFile: config, encoding: .utf8)) ?? ""
        try (existing + "\ncollector:\n  kubectl: \"\(kubectl)\"\n  argocd: \"off\"\n").write(toFile: config, atomically: true, encoding: .utf8)
        func commits() -> Int {
            Int((try? Run.program("/usr/bin/env", ["git", "-C", memory, "rev-list", "--count", "HEAD"]))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        }
        /// uid lines in the day files: (all, distinct).
        func recorded() -> (Int, Int) {
            let out = (try? Run.shell("cat \(memory)/timeline/*/*/*.md 2>/dev/null | grep -o '\"uid\": \"[^\"]*\"' | sort | uniq -c | awk '{n+=$1; u++} END {print n+0, u+0}'")) ?? "0 0"
            let parts = out.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return parts.count == 2 ? (parts[0], parts[1]) : (0, 0)
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: env.cmem)
        process.arguments = ["collect", "--watch", "--interval", "1h", "--repo", memory]
        var e = ProcessInfo.processInfo.environment
        e["CMEM_LOG_LEVEL"] = "error"
        process.environment = e
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let commitsBefore = commits()
        let pods = SyntheticEvents.pods(of: SyntheticCluster.make(pods: CollectorBench.pods))
        guard let writer = FileHandle(forWritingAtPath: fifo) else { throw BenchError(message: "cannot open \(fifo)") }
        let total = rate * seconds
        var expected = 0
        var lagSamples = Samples()
        let start = Clock.now()
        var nextSample = start + 5
        var n = 0
        while n < total {
            // Write what is due now (5 ms apart at 200/s), then sleep to the next one.
            let due = Int((Clock.now() - start) * Double(rate))
            while n < min(due + 1, total) {
                let l = SyntheticEvents.watchLine(n, pods: pods, time: Timestamp.now())
                writer.write(Data((l.line + "\n").utf8))
                if l.isNew { expected += 1 }
                n += 1
            }
            if Clock.now() >= nextSample {
                // Every 5 s: how far behind the timeline is, in seconds of events.
                lagSamples.add(Double(expected - recorded().1) / (Double(rate) * 0.9))
                nextSample += 5
            }
            usleep(useconds_t(1_000_000 / rate))
        }
        let wrote = Clock.now() - start
        var found = recorded()
        let deadline = Clock.now() + 120
        while found.1 < expected, Clock.now() < deadline {
            usleep(200_000)
            found = recorded()
        }
        let drained = Clock.now() - start - wrote
        try writer.close()
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        found = recorded()
        let made = commits() - commitsBefore
        report.add("event watch: lines written", "\(total) in \(String(format: "%.1f", wrote)) s",
                   "\(expected) distinct Events, \(total - expected) count updates")
        report.add("event watch: alerts recorded / lost / duplicated", "\(found.1) / \(max(0, expected - found.1)) / \(found.0 - found.1)")
        report.add("event watch: commits", "\(made)", String(format: "%.2f commits/s", Double(made) / max(wrote, 1)))
        report.add("event watch: lag while writing (seconds of events behind), max", String(format: "%.1f s", lagSamples.values.max() ?? 0),
                   String(format: "p50 %.1f s", lagSamples.p50))
        report.add("event watch: from the last line written to all recorded", String(format: "%.1f s", drained))
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

        try Run.program(env.cmem, ["hooks", "install", "--project", code, "--repo", memory])
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
        try Run.program(env.cmem, ["hooks", "uninstall", "--project", code])

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
