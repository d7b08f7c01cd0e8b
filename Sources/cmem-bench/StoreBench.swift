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
        // Appends on the largest repository, into its largest day file.
        let largest = sizes.max()!
        let repo = "\(env.workDir)/import-\(largest)"
        let lastDay = try Run.shell("ls -S '\(repo)'/timeline/*/*/*.md | head -1").trimmingCharacters(in: .whitespacesAndNewlines)
        let day = String((lastDay as NSString).lastPathComponent.prefix(10))
        let daySize = (try? FileManager.default.attributesOfItem(atPath: lastDay)[.size] as? Int) ?? 0
        // Each new event is the newest of its day (the common case: events arrive as they happen), in the
        // largest day file. CPU time per process is reported too: it does not depend on what else runs.
        var record = Samples(), recordCPU = Samples()
        for i in 0..<runs {
            let cpu0 = Clock.childrenCPU()
            let t = try Clock.time {
                try Run.program(env.cmem, ["event", "record", "--repo", repo, "--type", "deployment", "--source", "bench",
                                           "--component", "bench-svc", "--description", "bench event \(i)",
                                           "--time", "\(day)T23:59:59Z"])
            }
            record.add(t)
            recordCPU.add(Clock.childrenCPU() - cpu0)
        }
        let status = try Run.shell("git status --porcelain --untracked-files=no", cwd: repo)
        guard status.isEmpty else { throw BenchError(message: "after event record, git status is not clean:\n\(status)") }
        var git = Samples(), gitCPU = Samples()
        for i in 0..<runs {
            let cpu0 = Clock.childrenCPU()
            let t = try Clock.time {
                try Run.shell("echo 'baseline line \(i)' >> '\(lastDay)' && git commit -qam 'baseline \(i)'", cwd: repo)
            }
            git.add(t)
            gitCPU.add(Clock.childrenCPU() - cpu0)
        }
        report.add("day file appended to", "\(day), \(daySize / 1024) KB")
        report.add("cmem event record p50 (process start to exit)", ms(record.p50), "target ≤ 15 ms")
        report.add("cmem event record p90", ms(record.p90))
        report.add("cmem event record CPU p50", ms(recordCPU.p50))
        report.add("git CLI append + commit -qam p50 (baseline)", ms(git.p50))
        report.add("git CLI CPU p50", ms(gitCPU.p50))
        report.add("speed-up over the git CLI route (wall)", ratio(git.p50, record.p50), "target ≥ 3×")
        report.add("speed-up over the git CLI route (CPU)", ratio(gitCPU.p50, recordCPU.p50))
        report.print(title: "Store (issue 2)")
    }
}
