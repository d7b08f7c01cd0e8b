import Foundation

/// Issue 13: retention on a memory of 400 days of `gen_events.py` events (`--events N --days 400`, ending
/// 2026-11-20), side by side before and after, in one run: `cmem retention apply` on the whole backlog (wall
/// time, the commit's size), the working tree (size, files), `cmem index rebuild`, a daily run with one day
/// due, and `git clone` of the memory.
///
/// Works on a copy of the cached imported repository (`retention-repo-N` in the work folder).
enum RetentionBench {
    static let end = "2026-11-20"

    static func run(_ env: BenchEnvironment, events: Int) throws {
        let seed = try repository(env, events: events)
        let repo = "\(env.workDir)/retention-\(events)"
        try? FileManager.default.removeItem(atPath: repo)
        try Run.program("/bin/cp", ["-a", seed, repo])
        try Run.program("/usr/bin/env", ["git", "-C", repo, "update-index", "-q", "--refresh"])
        let scratch = "\(env.workDir)/retention-scratch"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        var report = Report()
        report.add("machine", "\(ProcessInfo.processInfo.activeProcessorCount) cores")

        let before = try measureTree(env, repo: repo, scratch: scratch, label: "before")
        let apply = try Run.timed(env.cmem, ["retention", "apply", "--json", "--today", end, "--repo", repo], scratch: scratch)
        let applied = try object(apply.stdout)
        let commitStat = try Run.shell("git -C '\(repo)' show --shortstat --format= HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        let newBytes = Double(try Run.shell("git -C '\(repo)' diff-tree -r --no-renames HEAD~1 HEAD | awk '$4 !~ /^0+$/ {print $4}' "
            + "| git -C '\(repo)' cat-file --batch-check='%(objectsize)' | awk '{s+=$1} END {print s+0}'")
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        let after = try measureTree(env, repo: repo, scratch: scratch, label: "after")

        // The next day: one more day file is due.
        let nextDay = dayAfter(end)
        let daily = try Run.timed(env.cmem, ["retention", "apply", "--json", "--today", nextDay, "--repo", repo], scratch: scratch)
        let dailyReport = try object(daily.stdout)
        let idle = try Run.timed(env.cmem, ["retention", "apply", "--json", "--today", nextDay, "--repo", repo], scratch: scratch)

        report.add("`retention apply` on the whole backlog (\(int(applied["days_rolled"])) day files, \(int(applied["events_rolled"])) events rolled; "
                   + "\(int(applied["sessions_compacted"])) sessions; \(int(applied["files_archived"])) files archived)",
                   secs(apply.seconds) + " wall, \(secs(apply.cpu)) CPU", "target ≤ 60 s: \(rel(apply.seconds, 60))")
        report.add("its commit", "\(commitStat); new objects \(mib(newBytes))", "")
        report.add("working tree", "\(mib(after.bytes)) in \(after.files) files",
                   "before \(mib(before.bytes)) in \(before.files) files: \(rel(after.bytes, before.bytes)) size, "
                   + "\(rel(Double(after.files), Double(before.files))) files; target ≤ 0.333×")
        report.add("`cmem index rebuild` (whole process)", secs(after.rebuild),
                   "before \(secs(before.rebuild)): \(rel(after.rebuild, before.rebuild)); target ≤ 0.333×")
        report.add("indexed", "\(after.indexed) documents", "before \(before.indexed)")
        // Retention shapes the timeline; decision notes are never compacted and sessions keep their notes, so
        // the whole-tree ratios above are bounded by them. The timeline's own share, measured the same way:
        report.add("`timeline/` alone: size", mib(after.timelineBytes),
                   "before \(mib(before.timelineBytes)): \(rel(after.timelineBytes, before.timelineBytes))")
        report.add("`timeline/` alone: `cmem index rebuild` on a copy without sessions and decisions", secs(after.timelineRebuild),
                   "before \(secs(before.timelineRebuild)): \(rel(after.timelineRebuild, before.timelineRebuild))")
        report.add("daily run, \(int(dailyReport["days_rolled"])) day due (`--today \(nextDay)`)", secs(daily.seconds),
                   "target ≤ 2 s: \(rel(daily.seconds, 2))")
        report.add("run with nothing due (no commit)", secs(idle.seconds), "")
        report.add("`git clone` (file://, no hard links)", "\(secs(after.clone)), checkout \(mib(after.checkout))",
                   "before \(secs(before.clone)), checkout \(mib(before.checkout)): \(rel(after.clone, before.clone)) time, "
                   + "\(rel(after.checkout, before.checkout)) checkout; history \(mib(after.packed)) vs \(mib(before.packed))")
        report.print(title: "retention: \(events) events over 400 days (issue 13)")
    }

    struct Tree {
        var bytes: Double
        var files: Int
        var rebuild: Double
        var indexed: Int
        var clone: Double
        var checkout: Double
        var packed: Double
        var timelineBytes: Double
        var timelineRebuild: Double
    }

    static func measureTree(_ env: BenchEnvironment, repo: String, scratch: String, label: String) throws -> Tree {
        let files = Int(try Run.shell("git -C '\(repo)' ls-files | wc -l").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        let bytes = Double(try Run.shell("git -C '\(repo)' ls-files -z | (cd '\(repo)' && xargs -0 stat -c %s) | awk '{s+=$1} END {print s+0}'")
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        let rebuild = try Run.timed(env.cmem, ["index", "rebuild", "--json", "--repo", repo], scratch: scratch)
        let r = try object(rebuild.stdout)
        let clone = "\(env.workDir)/retention-clone-\(label)"
        try? FileManager.default.removeItem(atPath: clone)
        let cloned = try Run.timed("/usr/bin/env", ["git", "clone", "-q", "--no-hardlinks", "file://\(repo)", clone], scratch: scratch)
        let checkout = Double(try Run.shell("du -sb --exclude=.git '\(clone)' | cut -f1").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        let packed = Double(try Run.shell("du -sb '\(clone)/.git' | cut -f1").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        try? FileManager.default.removeItem(atPath: clone)
        let timelineBytes = Double(try Run.shell("git -C '\(repo)' ls-files -z timeline | (cd '\(repo)' && xargs -0 stat -c %s) | awk '{s+=$1} END {print s+0}'")
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        let part = "\(env.workDir)/retention-timeline-\(label)"
        try? FileManager.default.removeItem(atPath: part)
        try Run.program("/bin/cp", ["-a", repo, part])
        try Run.program("/usr/bin/env", ["git", "-C", part, "update-index", "-q", "--refresh"])
        try Run.shell("cd '\(part)' && git rm -rq --ignore-unmatch sessions decisions handoff && git -c user.name=bench -c user.email=bench@localhost commit -qm 'bench: timeline only'")
        let timelineRebuild = try Run.timed(env.cmem, ["index", "rebuild", "--json", "--repo", part], scratch: scratch)
        try? FileManager.default.removeItem(atPath: part)
        return Tree(bytes: bytes, files: files, rebuild: rebuild.seconds,
                    indexed: int(r["events"]) + int(r["sessions"]) + int(r["decisions"]),
                    clone: cloned.seconds, checkout: checkout, packed: packed,
                    timelineBytes: timelineBytes, timelineRebuild: timelineRebuild.seconds)
    }

    /// 400 days of events ending `end`, imported once and cached.
    static func repository(_ env: BenchEnvironment, events: Int) throws -> String {
        let repo = "\(env.workDir)/retention-repo-\(events)"
        if FileManager.default.fileExists(atPath: repo + "/.cmem/imported") { return repo }
        try? FileManager.default.removeItem(atPath: repo)
        let stream = "\(env.workDir)/stream-400d-\(events).jsonl"
        if !FileManager.default.fileExists(atPath: stream) {
            FileManager.default.createFile(atPath: stream + ".tmp", contents: nil)
            let handle = FileHandle(forWritingAtPath: stream + ".tmp")!
            try Run.program("/usr/bin/env", ["python3", env.generator, "--events", "\(events)", "--days", "400", "--end", end], stdout: handle)
            try handle.close()
            try FileManager.default.moveItem(atPath: stream + ".tmp", toPath: stream)
        }
        try Run.program(env.cmem, ["init", repo])
        try Run.program(env.cmem, ["import", stream, "--repo", repo])
        FileManager.default.createFile(atPath: repo + "/.cmem/imported", contents: Data())
        try Run.shell("echo .cmem/imported >> '\(repo)/.git/info/exclude'")
        return repo
    }

    static func dayAfter(_ day: String) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd"
        f.timeZone = TimeZone(identifier: "UTC")
        guard let d = f.date(from: day) else { return day }
        return f.string(from: d.addingTimeInterval(86400))
    }

    static func object(_ text: String) throws -> [String: Any] {
        guard let o = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw BenchError(message: "expected a JSON object, got: \(text.prefix(200))")
        }
        return o
    }

    static func int(_ value: Any?) -> Int { (value as? NSNumber)?.intValue ?? 0 }
    static func secs(_ seconds: Double) -> String { String(format: "%.2f s", seconds) }
    static func mib(_ bytes: Double) -> String { String(format: "%.1f MiB", bytes / 1_048_576) }
    static func rel(_ a: Double, _ b: Double) -> String { String(format: "%.3g×", a / b) }
}
