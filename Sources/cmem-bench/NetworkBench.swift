import CmemFixtures
import Foundation

/// Issue 6 (the Memory Service on loopback) and issue 7 (sync of 1,000 new events each side), both on the
/// largest imported repository. Each works on a copy or a clone, never on the cached corpus itself.
enum NetworkBench {
    static func server(_ env: BenchEnvironment, events: Int) throws {
        let (seed, _) = try env.repository(events: events)
        let copy = "\(env.workDir)/server-\(events)"
        try? FileManager.default.removeItem(atPath: copy)
        try Run.program("/bin/cp", ["-a", seed, copy])
        let report = try ServerBenchmark.run(serverBinary: env.binDir + "/cmem-server", repository: copy)
        var out = Report()
        for f in report.figures {
            out.add(f.name, String(format: "%.0f req/s, p50 %.1f ms, p99 %.1f ms (%d errors)", f.perSecond, f.p50 * 1000, f.p99 * 1000, f.errors))
        }
        out.add("server peak RSS", "\(report.peakResidentBytes / (1 << 20)) MiB", "limit 512 MiB")
        out.add("index ready after", String(format: "%.1f s", report.indexReadySeconds))
        out.print(title: "Memory Service on loopback, \(events) events (issue 6)")
    }

    static func sync(_ env: BenchEnvironment, events: Int) throws {
        let (seed, _) = try env.repository(events: events)
        let r = try SyncBenchmark.run(seedRepository: seed, workDirectory: env.workDir, newEventsPerSide: 1000, cmemExecutable: env.cmem)
        var out = Report()
        out.add("cmem sync, 1,000 new events each side", ms(r.cmem.seconds), "kept \(r.cmem.eventsKept)/2000, duplicated \(r.cmem.duplicated), missing \(r.cmem.missing)")
        out.add("git pull --no-rebase + push, merge=union (baseline)", ms(r.baseline.seconds), "kept \(r.baseline.eventsKept)/2000, duplicated \(r.baseline.duplicated), missing \(r.baseline.missing)")
        out.add("cmem sync against the baseline", ratio(r.baseline.seconds, r.cmem.seconds))
        out.print(title: "Sync, \(events) events (issue 7)")
    }
}
