import Foundation

/// Issue 2: import throughput, and `cmem event record` against the git CLI route, on large repositories.
enum StoreBench {
    static func run(_ env: BenchEnvironment, sizes: [Int], runs: Int) throws {
        var report = Report()
        for size in sizes {
            let stream = try env.corpus(events: size)
            let repo = "\(env.workDir)/import-\(size)"
            try? FileManager.default.removeItem(atPath: repo)
            try Run.program(env.cmem, ["init", repo])
            let seconds = try Clock.time { try Run.program(env.cmem, ["import", stream, "--repo", repo]) }
            report.add("import \(size) events (+\(size / 100) sessions)", String(format: "%.0f events/s (%.1f s)", Double(size) / seconds, seconds),
                       "target ≥ 5,000 events/s")
            if size != sizes.last { try? FileManager.default.removeItem(atPath: repo) }
        }
        // Appends on the largest repository, into its most recent (large) day file.
        let largest = sizes.max()!
        let repo = "\(env.workDir)/import-\(largest)"
        let lastDay = try Run.shell("ls '\(repo)'/timeline/*/*/*.md | sort | tail -1").trimmingCharacters(in: .whitespacesAndNewlines)
        let day = String((lastDay as NSString).lastPathComponent.prefix(10))
        let daySize = (try? FileManager.default.attributesOfItem(atPath: lastDay)[.size] as? Int) ?? 0
        var record = Samples()
        for i in 0..<runs {
            let t = try Clock.time {
                try Run.program(env.cmem, ["event", "record", "--repo", repo, "--type", "deployment", "--source", "bench",
                                           "--component", "bench-svc", "--description", "bench event \(i)",
                                           "--time", "\(day)T23:59:\(String(format: "%02d", i % 60))Z"])
            }
            record.add(t)
        }
        var git = Samples()
        for i in 0..<runs {
            let t = try Clock.time {
                try Run.shell("echo 'baseline line \(i)' >> '\(lastDay)' && git commit -qam 'baseline \(i)'", cwd: repo)
            }
            git.add(t)
        }
        report.add("day file appended to", "\(day), \(daySize / 1024) KB")
        report.add("cmem event record p50 (process start to exit)", ms(record.p50), "target ≤ 15 ms")
        report.add("cmem event record p90", ms(record.p90))
        report.add("git CLI append + commit -qam p50 (baseline)", ms(git.p50))
        report.add("speed-up over the git CLI route", ratio(git.p50, record.p50), "target ≥ 3×")
        report.print(title: "Store (issue 2)")
    }
}
