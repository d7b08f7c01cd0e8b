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
        // Appends on the largest repository: cmem into its largest day file, the git CLI into the next
        // largest (its appended lines are not events; in cmem's file they would end the fast append path).
        // The two routes take turns, after the import's writes are flushed, so both see the same machine.
        let largest = sizes.max()!
        let repo = "\(env.workDir)/import-\(largest)"
        let biggest = try Run.shell("ls -S '\(repo)'/timeline/*/*/*.md | head -2").split(separator: "\n").map(String.init)
        guard biggest.count == 2 else { throw BenchError(message: "fewer than two day files in \(repo)") }
        let lastDay = biggest[0], gitDay = biggest[1]
        let day = String((lastDay as NSString).lastPathComponent.prefix(10))
        let daySize = (try? FileManager.default.attributesOfItem(atPath: lastDay)[.size] as? Int) ?? 0
        // A maintained repository, and git at its best: objects packed (otherwise the first `git commit`
        // starts an automatic gc in the background, under both routes' measurements) and the stat data in
        // its index refreshed, as any `git status` would leave it.
        try Run.shell("git -C '\(repo)' gc -q; git -C '\(repo)' update-index -q --refresh >/dev/null 2>&1; git -C '\(repo)' status -s >/dev/null; sync")
        // The gc has just freed the inodes of the import's loose objects. ext4 without a journal (as on
        // this machine) will not reuse an inode for 60 s after it is freed and written back, and checks
        // each such inode again on every file created meanwhile: both routes would pay for the gc, not
        // for their own work. A minute later the filesystem is in its everyday state.
        FileHandle.standardError.write(Data("store: waiting 65 s after git gc for the freed inodes to settle\n".utf8))
        Thread.sleep(forTimeInterval: 65)
        // Each new event is the newest of its day (the common case: events arrive as they happen). CPU time
        // per process is reported too: it does not depend on what else runs.
        var record = Samples(), recordCPU = Samples()
        var git = Samples(), gitCPU = Samples()
        let scratch = env.workDir + "/store-io"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        for i in 0..<runs {
            let r = try Run.timed(env.cmem, ["event", "record", "--repo", repo, "--type", "deployment", "--source", "bench",
                                             "--component", "bench-svc", "--description", "bench event \(i)",
                                             "--time", "\(day)T23:59:59Z"], scratch: scratch)
            record.add(r.seconds)
            recordCPU.add(r.cpu)
            let g = try Run.timed("/bin/sh", ["-c", "cd '\(repo)' && echo 'baseline line \(i)' >> '\(gitDay)' && git commit -qam 'baseline \(i)'"],
                                  scratch: scratch)
            git.add(g.seconds)
            gitCPU.add(g.cpu)
        }
        let status = try Run.shell("git status --porcelain --untracked-files=no", cwd: repo)
        guard status.isEmpty else { throw BenchError(message: "after the runs, git status is not clean:\n\(status)") }
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
