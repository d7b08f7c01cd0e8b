import CmemFixtures
import Foundation
import Logging
import MemoryIndex
import MemoryModel

/// Issue 3: the search and correlation index on the largest imported repository, side by side with SQLite
/// FTS5 (`bench/fts5_baseline.py`, same records, same queries) and `rg` over the same files, in one run.
///
/// Works on a copy of the cached repository (`index-N` in the work folder), never on the cache itself:
/// the incremental rounds import new events into it.
enum IndexBench {
    static func run(_ env: BenchEnvironment, events: Int, runs: Int) throws {
        let (seed, _) = try env.repository(events: events)
        let corpus = try env.corpus(events: events)
        let repo = "\(env.workDir)/index-\(events)"
        try? FileManager.default.removeItem(atPath: repo)
        try Run.program("/bin/cp", ["-a", seed, repo])
        // A copy has new inodes and ctimes: refresh git's stat cache, or every status re-hashes every file.
        try Run.program("/usr/bin/env", ["git", "-C", repo, "update-index", "-q", "--refresh"])
        let logger = Logger(label: "cmem-bench.index", factory: { _ in SwiftLogNoOpLogHandler() })
        let tools = try Tools(env)
        let sample = try CorpusSample(corpus: corpus)
        var report = Report()
        report.add("machine", "\(ProcessInfo.processInfo.activeProcessorCount) cores, load average \(loadAverage()) at start")
        report.add("query terms (from the corpus's descriptions, common to rare)", sample.terms.joined(separator: ", "))

        // Cold builds: a whole `cmem index status` process with no snapshot, its wall time and peak RSS.
        let coldRuns = max(1, min(runs, 3))
        var cold = Samples(), coldCPU = Samples(), coldRSS = Samples()
        var status: [String: Any] = [:]
        for _ in 0..<coldRuns {
            try removeSnapshot(repo)
            let r = try Child.run(env.cmem, ["index", "status", "--json", "--repo", repo], stderrPath: tools.stderrPath, measure: tools.time)
            cold.add(r.seconds)
            coldCPU.add(r.cpuSeconds)
            coldRSS.add(Double(r.maxRSS))
            status = try json(r.output)
        }
        let indexed = "\(int(status["events"])) events, \(int(status["sessions"])) sessions, \(int(status["decisions"])) decisions"
        let snapshotBytes = int(status["snapshot_bytes"])

        // The FTS5 baseline: its build, then the same queries, timed inside Python.
        let queries = sample.queries()
        let queryFile = "\(env.workDir)/index-queries.json"
        try JSONSerialization.data(withJSONObject: queries.map(\.ftsJSON), options: [.prettyPrinted]).write(to: URL(fileURLWithPath: queryFile))
        let ftsRuns = max(3, min(runs, 10))
        let ftsOut = try Child.run("/usr/bin/env", ["python3", tools.fts5Script, "--corpus", corpus, "--db", "\(env.workDir)/index-fts5.sqlite",
                                                    "--queries", queryFile, "--runs", "\(ftsRuns)"], stderrPath: tools.stderrPath, measure: tools.time)
        let fts = try json(ftsOut.output)
        let ftsBuild = double(fts["build_seconds"])
        let ftsQueries = (fts["queries"] as? [[String: Any]] ?? []).map { ($0["seconds"] as? [Double]) ?? [] }
        guard ftsQueries.count == queries.count else { throw BenchError(message: "fts5_baseline.py answered \(ftsQueries.count) of \(queries.count) queries") }

        report.add("cold build, \(indexed) (`cmem index status` with no snapshot, whole process)",
                   "p50 \(secs(cold.p50)) wall, \(secs(coldCPU.p50)) CPU (min \(secs(cold.percentile(0))) wall, \(coldRuns) runs)",
                   "FTS5 build \(secs(ftsBuild)) wall, \(secs(double(fts["build_cpu_seconds"]))) CPU (of which JSON parsing \(secs(double(fts["parse_seconds"])))): \(rel(cold.p50, ftsBuild)); target ≤ 5 s: \(rel(cold.p50, 5))")
        report.add("peak RSS of the cold build process", mib(coldRSS.percentile(100)),
                   "FTS5 build and queries (Python process) \(mib(Double(ftsOut.maxRSS))): \(rel(coldRSS.percentile(100), Double(ftsOut.maxRSS))); limit 512 MiB: \(rel(coldRSS.percentile(100), 512 * 1_048_576))")
        report.add("snapshot size", mib(Double(snapshotBytes)),
                   "FTS5 database \(mib(double(fts["db_bytes"]))) (\(int(fts["documents"])) rows): \(rel(Double(snapshotBytes), double(fts["db_bytes"])))")

        // In process: open with a current snapshot, then the queries.
        let rssBefore = residentMemory()
        var openTimes = Samples()
        for _ in 0..<5 { openTimes.add(try Clock.time { _ = try MemoryIndex.open(repoPath: repo, logger: logger) }) }
        let index = try MemoryIndex.open(repoPath: repo, logger: logger)
        guard index.freshness.update == .current else { throw BenchError(message: "the index was not current after the cold build: \(index.freshness.update)") }
        report.add("open with a current snapshot, in process", "p50 \(ms3(openTimes.p50))", "")

        var ours = Samples(), theirs = Samples()
        var byFilter: [String: (Samples, Samples)] = [:]
        var byTerm: [String: (Samples, Samples)] = [:]
        for (i, q) in queries.enumerated() {
            _ = index.search(q.query)
            var mine = Samples()
            for _ in 0..<runs { mine.add(Clock.time { _ = index.search(q.query) }) }
            let other = Samples(values: ftsQueries[i])
            ours.values += mine.values
            theirs.values += other.values
            byFilter[q.filter, default: (Samples(), Samples())].0.values += mine.values
            byFilter[q.filter, default: (Samples(), Samples())].1.values += other.values
            byTerm[q.term, default: (Samples(), Samples())].0.values += mine.values
            byTerm[q.term, default: (Samples(), Samples())].1.values += other.values
        }
        report.add("search, top 10 BM25 with a filter, in process (\(queries.count) queries × \(runs))",
                   "p50 \(ms3(ours.p50)), p90 \(ms3(ours.p90)), p99 \(ms3(ours.p99))",
                   "FTS5 p50 \(ms(theirs.p50)), p90 \(ms(theirs.p90)) (× \(ftsRuns)): \(rel(ours.p50, theirs.p50)); target p50 ≤ 2 ms: \(rel(ours.p50, 0.002))")
        for f in CorpusSample.filterNames {
            guard let (a, b) = byFilter[f] else { continue }
            report.add("· filter: \(f)", "p50 \(ms3(a.p50)), p90 \(ms3(a.p90))", "FTS5 p50 \(ms(b.p50)), p90 \(ms(b.p90)): \(rel(a.p50, b.p50))")
        }

        // Correlation in process, our correlator and the seed's scorer on the same requests.
        var corrAt = Samples(), corrOnset = Samples(), seedAt = Samples()
        var candidates = Samples()
        for incident in sample.incidents {
            let atRequest = CorrelationRequest(incident.symptom, at: incident.time, window: 86_400)
            let onsetRequest = CorrelationRequest(incident.symptom, window: 86_400, now: incident.time.adding(seconds: 300))
            candidates.add(Double(index.correlate(atRequest).candidatesConsidered))
            _ = index.correlate(onsetRequest)
            _ = SeedCorrelator().correlate(atRequest, in: index)
            for _ in 0..<runs {
                corrAt.add(Clock.time { _ = index.correlate(atRequest) })
                corrOnset.add(Clock.time { _ = index.correlate(onsetRequest) })
                seedAt.add(Clock.time { _ = SeedCorrelator().correlate(atRequest, in: index) })
            }
        }
        report.add("correlate, 24 h window, in process, `at` given (\(sample.incidents.count) incidents of the corpus's last weeks × \(runs), e.g. \"\(sample.incidents[0].symptom)\"; p50 \(Int(candidates.p50)) candidates)",
                   "p50 \(ms(corrAt.p50)), p90 \(ms(corrAt.p90))",
                   "seed's scorer p50 \(ms(seedAt.p50)): \(rel(corrAt.p50, seedAt.p50)); target ≤ 20 ms: \(rel(corrAt.p50, 0.020))")
        report.add("correlate, 24 h window, in process, onset found from the symptom", "p50 \(ms(corrOnset.p50)), p90 \(ms(corrOnset.p90))",
                   "target ≤ 20 ms: \(rel(corrOnset.p50, 0.020))")
        let rss = residentMemory()
        report.add("RSS of this process with the index open, after the searches and correlations",
                   "\(mib(rss.current)): \(mib(rss.file)) file-backed (the mapped snapshot), \(mib(rss.anonymous)) anonymous; before the open \(mib(rssBefore.file)) and \(mib(rssBefore.anonymous))",
                   "limit 512 MiB: \(rel(rss.current, 512 * 1_048_576))")

        // Whole processes: `cmem search TERM` with a current snapshot against `rg`, run alternately.
        let processRuns = max(5, min(runs, 20))
        var version = Samples()
        for _ in 0..<processRuns { version.add(try Child.run(env.cmem, ["--version"], stderrPath: tools.stderrPath).seconds) }
        _ = try Child.run(env.cmem, ["index", "status", "--repo", repo], stderrPath: tools.stderrPath)
        var cmemAll = Samples(), rgAll = Samples(), rgCaseSensitive = Samples(), rgTimeline = Samples(), cmemRSS = Samples()
        var perTerm: [(String, Samples, Samples)] = []
        for term in sample.terms {
            var c = Samples(), g = Samples()
            for _ in 0..<processRuns {
                c.add(try Child.run(env.cmem, ["search", term, "--repo", repo], stderrPath: tools.stderrPath).seconds)
                g.add(try Child.run(tools.rg, ["-c", "-i", "-F", term, repo], stderrPath: tools.stderrPath, allowExit: [1]).seconds)
                rgCaseSensitive.add(try Child.run(tools.rg, ["-c", "-F", term, repo], stderrPath: tools.stderrPath, allowExit: [1]).seconds)
                rgTimeline.add(try Child.run(tools.rg, ["-c", "-F", term, repo + "/timeline"], stderrPath: tools.stderrPath, allowExit: [1]).seconds)
            }
            cmemRSS.add(Double(try Child.run(env.cmem, ["search", term, "--repo", repo], stderrPath: tools.stderrPath, measure: tools.time).maxRSS))
            perTerm.append((term, c, g))
            cmemAll.values += c.values
            rgAll.values += g.values
        }
        report.add("`cmem search TERM`, whole process, current snapshot (\(sample.terms.count) terms × \(processRuns))",
                   "p50 \(ms(cmemAll.p50)), p90 \(ms(cmemAll.p90)); peak RSS p50 \(mib(cmemRSS.p50))",
                   "`rg -c -i -F TERM` over the repo p50 \(ms(rgAll.p50)), p90 \(ms(rgAll.p90)): \(rel(cmemAll.p50, rgAll.p50)); target ≤ 1×")
        for (term, c, g) in perTerm {
            let mine = byTerm[term]!
            report.add("· \"\(term)\"", "cmem search \(ms(c.p50)) · in process \(ms3(mine.0.p50))",
                       "rg \(ms(g.p50)): \(rel(c.p50, g.p50)) · FTS5 \(ms(mine.1.p50)): \(rel(mine.0.p50, mine.1.p50))")
        }
        // After 10 s without an index update the next open stats every session and decision note (the note
        // sweep, `MemoryIndex.Options.noteSweepInterval`) and rewrites the delta: what a person typing
        // `cmem search` now and then waits for.
        var idle = Samples()
        for term in sample.terms.prefix(3) {
            Thread.sleep(forTimeInterval: Double(MemoryIndex.Options().noteSweepInterval) + 1)
            idle.add(try Child.run(env.cmem, ["search", term, "--repo", repo], stderrPath: tools.stderrPath).seconds)
        }
        report.add("`cmem search TERM` after \(MemoryIndex.Options().noteSweepInterval + 1) s idle (note sweep due), whole process",
                   "p50 \(ms(idle.p50)), max \(ms(idle.percentile(100))) (\(idle.values.count) runs)",
                   "`rg -i` over the repo: \(rel(idle.p50, rgAll.p50)); case-sensitive \(rel(idle.p50, rgCaseSensitive.p50)); timeline only \(rel(idle.p50, rgTimeline.p50))")
        report.add("`rg -c -F TERM` over the repo, case-sensitive (faster; misses \"OOMKilled\" for oomkilled)", "p50 \(ms(rgCaseSensitive.p50)), p90 \(ms(rgCaseSensitive.p90))",
                   "`cmem search` against it: \(rel(cmemAll.p50, rgCaseSensitive.p50))")
        report.add("`rg -c -F TERM timeline/`, case-sensitive, the 365 day files only (MEASURED.md's 36 ms setup)", "p50 \(ms(rgTimeline.p50)), p90 \(ms(rgTimeline.p90))",
                   "`cmem search` against it: \(rel(cmemAll.p50, rgTimeline.p50))")
        report.add("`cmem --version` (start-up floor of this cmem build)", "p50 \(ms(version.p50))", "")

        var corrProcess = Samples()
        for incident in sample.incidents {
            for _ in 0..<max(3, processRuns / 4) {
                corrProcess.add(try Child.run(env.cmem, ["correlate", incident.symptom, "--at", incident.time.iso8601, "--window", "24h", "--repo", repo],
                                              stderrPath: tools.stderrPath).seconds)
            }
        }
        report.add("`cmem correlate SYMPTOM --at T --window 24h`, whole process", "p50 \(ms(corrProcess.p50)), p90 \(ms(corrProcess.p90))",
                   "target ≤ 20 ms in process; start-up floor \(ms(version.p50))")

        // Incremental: import 100 new events (one day file rewritten), then time the index catching up.
        let rounds = 5
        var refresh = Samples(), reopen = Samples(), statusProcess = Samples(), importSeconds = Samples()
        var filesParsed: Set<Int> = [], documentsParsed = Samples(), refreshChecked = Samples(), slowestRefreshChecked = 0
        for round in 0..<rounds {
            for variant in 0..<3 {
                let file = "\(env.workDir)/index-new-\(round)-\(variant).jsonl"
                try sample.newEvents(count: 100, tag: "round \(round).\(variant)").write(to: URL(fileURLWithPath: file))
                let imported = try Child.run(env.cmem, ["import", file, "--json", "--repo", repo], stderrPath: tools.stderrPath)
                importSeconds.add(imported.seconds)
                guard int(try json(imported.output)["events_added"]) == 100 else { throw BenchError(message: "import of \(file) did not add 100 events") }
                switch variant {
                case 0:
                    let t = try Clock.time { try index.refresh() }
                    if t > (refresh.values.max() ?? 0) { slowestRefreshChecked = index.lastUpdate.filesChecked }
                    refresh.add(t)
                    filesParsed.insert(index.lastUpdate.filesParsed)
                    documentsParsed.add(Double(index.lastUpdate.documentsParsed))
                    refreshChecked.add(Double(index.lastUpdate.filesChecked))
                case 1:
                    var opened: MemoryIndex?
                    reopen.add(try Clock.time { opened = try MemoryIndex.open(repoPath: repo, logger: logger) })
                    filesParsed.insert(opened!.lastUpdate.filesParsed)
                    documentsParsed.add(Double(opened!.lastUpdate.documentsParsed))
                default:
                    statusProcess.add(try Child.run(env.cmem, ["index", "status", "--repo", repo], stderrPath: tools.stderrPath).seconds)
                }
            }
        }
        report.add("incremental update after importing 100 events, `refresh()` of an open index (\(rounds) rounds)",
                   "p50 \(ms(refresh.p50)), max \(ms(refresh.percentile(100))) (that one checked \(slowestRefreshChecked) files)",
                   "target ≤ 50 ms: \(rel(refresh.p50, 0.050)); cold build: \(rel(refresh.p50, cold.p50)); each update re-read \(filesParsed.sorted().map(String.init).joined(separator: " or ")) file(s), \(Int(documentsParsed.percentile(0)))–\(Int(documentsParsed.percentile(100))) documents; refresh checked p50 \(Int(refreshChecked.p50)) files")
        report.add("incremental update after importing 100 events, `MemoryIndex.open` in a fresh index", "p50 \(ms(reopen.p50)), max \(ms(reopen.percentile(100)))",
                   "target ≤ 50 ms: \(rel(reopen.p50, 0.050))")
        report.add("incremental update after importing 100 events, `cmem index status` whole process", "p50 \(ms(statusProcess.p50)), max \(ms(statusProcess.percentile(100)))",
                   "start-up floor \(ms(version.p50)); (`cmem import` of the 100 events: p50 \(ms(importSeconds.p50)))")

        // The correlation scenario suite (both noise models, three seeds): ours and the seed's scorer.
        CorrelateBench.scenarioSuite(env, into: &report)
        report.add("machine load at the end", "load average \(loadAverage())", "")
        report.print(title: "Index, \(events) events (issue 3)")
    }

    static func removeSnapshot(_ repo: String) throws {
        let dir = repo + "/.git/cmem"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where name.hasSuffix(".cmx") {
            try FileManager.default.removeItem(atPath: dir + "/" + name)
        }
    }
}

/// The programs the suite compares against, and where its scratch stderr goes.
private struct Tools {
    let rg: String
    let fts5Script: String
    let stderrPath: String
    /// GNU time, for the peak RSS of a child: `wait4` from this process would report at least this
    /// process's own peak, which a spawned child inherits across `exec` (Linux keeps `maxrss` there).
    let time: String?

    init(_ env: BenchEnvironment) throws {
        let fm = FileManager.default
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        guard let rg = path.map({ $0 + "/rg" }).first(where: fm.isExecutableFile(atPath:)) else {
            throw BenchError(message: "rg (ripgrep) is not on PATH; apt-get install ripgrep")
        }
        self.rg = rg
        // fts5_baseline.py ships beside gen_events.py in bench/.
        var candidates = [ProcessInfo.processInfo.environment["CMEM_BENCH_FTS5"] ?? "",
                          (env.generator as NSString).deletingLastPathComponent + "/fts5_baseline.py"]
        var dir = env.binDir
        for _ in 0..<5 {
            candidates.append(dir + "/bench/fts5_baseline.py")
            dir = (dir as NSString).deletingLastPathComponent
        }
        candidates.append(fm.currentDirectoryPath + "/bench/fts5_baseline.py")
        guard let script = candidates.first(where: { !$0.isEmpty && fm.fileExists(atPath: $0) }) else {
            throw BenchError(message: "bench/fts5_baseline.py not found; run cmem-bench from the source tree or set CMEM_BENCH_FTS5")
        }
        fts5Script = script
        stderrPath = env.workDir + "/index-child.stderr"
        time = fm.isExecutableFile(atPath: "/usr/bin/time") ? "/usr/bin/time" : nil
    }
}

/// What the suite takes from the corpus: query terms, incidents to correlate, events to import again.
struct CorpusSample {
    struct Incident {
        var symptom: String
        var time: Timestamp
    }

    struct Query {
        var term: String
        var filter: String
        var query: SearchQuery
        var ftsJSON: [String: Any]
    }

    static let filterNames = ["events, severity ≥ warning", "last 30 days, any kind"]

    var terms: [String] = []
    var incidents: [Incident] = []
    var tail: [[String: Any]] = []
    var last = Timestamp(milliseconds: 0)

    /// Reads the last 16 MB of the corpus (about 50,000 records, the last weeks of the year).
    init(corpus: String) throws {
        guard let handle = FileHandle(forReadingAtPath: corpus) else { throw BenchError(message: "cannot read \(corpus)") }
        defer { try? handle.close() }
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size > 16 << 20 ? size - (16 << 20) : 0)
        let data = try handle.readToEnd() ?? Data()
        var lines = data.split(separator: UInt8(ascii: "\n"))
        if size > 16 << 20 { lines.removeFirst() }
        var documentFrequency: [String: Int] = [:]
        var found: [Incident] = []
        for line in lines {
            guard let record = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any], record["kind"] as? String == "event",
                  let description = record["description"] as? String, let time = (record["time"] as? String).flatMap(Timestamp.init(iso8601:))
            else { continue }
            tail.append(record)
            last = max(last, time)
            var words = Set<String>()
            for w in description.lowercased().split(whereSeparator: { !($0.isASCII && ($0.isLetter || $0.isNumber)) })
            where w.count >= 4 && w.count <= 24 && w.allSatisfy(\.isLetter) && !["from", "with", "that", "this"].contains(String(w)) {
                words.insert(String(w))
            }
            for w in words { documentFrequency[w, default: 0] += 1 }
            if record["type"] as? String == "incident", description.hasPrefix("Incident: ") {
                found.append(Incident(symptom: String(description.dropFirst("Incident: ".count)), time: time))
            }
        }
        tail = Array(tail.suffix(200))
        // Eight terms spread from the most common word of the descriptions to the rarest that is still a word.
        let vocabulary = documentFrequency.filter { $0.value >= 20 }.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
        guard vocabulary.count >= 8, found.count >= 8 else { throw BenchError(message: "the corpus's tail has too few words or incidents") }
        var picked: [String] = []
        for i in 0..<8 where !picked.contains(vocabulary[i * (vocabulary.count - 1) / 7]) { picked.append(vocabulary[i * (vocabulary.count - 1) / 7]) }
        terms = picked
        // Eight incidents spread over the sample, each with a full day of history before it.
        let eligible = found.filter { $0.time.milliseconds - 86_400_000 > (found.first?.time.milliseconds ?? 0) }
        guard !eligible.isEmpty else { throw BenchError(message: "the corpus's tail has no incident a day after its start") }
        incidents = (0..<8).map { eligible[$0 * (eligible.count - 1) / 7] }
    }

    /// Every term with each filter, in the index's terms and in FTS5's.
    func queries() -> [Query] {
        let since = last.adding(seconds: -30 * 86_400).startOfDay
        var out: [Query] = []
        for term in terms {
            let severe = SearchQuery.severities(atLeast: .warning)
            out.append(Query(term: term, filter: Self.filterNames[0],
                             query: SearchQuery(term, kinds: [.event], severities: severe, limit: 10),
                             ftsJSON: ["term": term, "kinds": ["event"], "severities": severe.map(\.rawValue).sorted()]))
            out.append(Query(term: term, filter: Self.filterNames[1],
                             query: SearchQuery(term, since: since, limit: 10),
                             ftsJSON: ["term": term, "since": "\(since.day)T00:00:00Z"]))
        }
        return out
    }

    /// `count` events shaped like the corpus's last ones, on the same day, made new by `tag`.
    func newEvents(count: Int, tag: String) throws -> Data {
        var out = Data()
        for (i, record) in tail.suffix(count).enumerated() {
            var r = record
            r["description"] = "\(r["description"] as? String ?? "") (bench \(tag) #\(i))"
            out.append(try JSONSerialization.data(withJSONObject: r, options: [.sortedKeys]))
            out.append(UInt8(ascii: "\n"))
        }
        return out
    }
}

/// A child process timed from spawn to reap (stdout read through a pipe), with its CPU time from `wait4`
/// and, when run under GNU time (`measure`), its peak resident memory.
private enum Child {
    struct Result {
        var seconds: Double
        var cpuSeconds: Double
        /// Bytes; 0 unless measured.
        var maxRSS: Int
        var output: String
    }

    static func run(_ program: String, _ programArgs: [String], stderrPath: String, measure: String? = nil, allowExit: Set<Int32> = [],
                    extraEnvironment: [String: String] = ["NO_COLOR": "1"]) throws -> Result {
        let timeFile = stderrPath + ".time"
        let path = measure ?? program
        let args = measure == nil ? programArgs : ["-f", "%M", "-o", timeFile, program] + programArgs
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw BenchError(message: "pipe: \(String(cString: strerror(errno)))") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in extraEnvironment { environment[k] = v }
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + args).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let start = Clock.now()
        let rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            throw BenchError(message: "cannot run \(path): \(String(cString: strerror(rc)))")
        }
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n > 0 { output += buffer[0..<n] } else if n == 0 || errno != EINTR { break }
        }
        close(fds[0])
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let seconds = Clock.now() - start
        let signaled = status & 0x7f != 0
        let code = (status >> 8) & 0xff
        guard !signaled, code == 0 || allowExit.contains(code) else {
            let err = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
            throw BenchError(message: "\(path) \(args.joined(separator: " ")) \(signaled ? "was killed by signal \(status & 0x7f)" : "exited \(code)"): \(err)")
        }
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        var maxRSS = 0
        if measure != nil {
            // The last line; a failed command's first line says so.
            let text = (try? String(contentsOfFile: timeFile, encoding: .utf8)) ?? ""
            maxRSS = (text.split(separator: "\n").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? 0) * 1024
        }
        return Result(seconds: seconds, cpuSeconds: cpu, maxRSS: maxRSS, output: String(decoding: output, as: UTF8.self))
    }
}

private func json(_ text: String) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
        throw BenchError(message: "expected a JSON object, got: \(text.prefix(200))")
    }
    return object
}

private func int(_ value: Any?) -> Int { (value as? NSNumber)?.intValue ?? 0 }
private func double(_ value: Any?) -> Double { (value as? NSNumber)?.doubleValue ?? .nan }
private func secs(_ seconds: Double) -> String { String(format: "%.2f s", seconds) }
private func ms3(_ seconds: Double) -> String { String(format: "%.3f ms", seconds * 1000) }
private func mib(_ bytes: Double) -> String { bytes > 0 ? String(format: "%.0f MiB", bytes / 1_048_576) : "n/a" }
/// A figure over its baseline or target, to three digits (0.000512×: the baseline is 1,950 times the figure).
private func rel(_ a: Double, _ b: Double) -> String { String(format: "%.3g×", a / b) }

private func loadAverage() -> String {
    let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
    return text.split(separator: " ").prefix(3).joined(separator: " ")
}

/// Resident memory of this process, in bytes: all, file-backed (mapped files), anonymous (the heap), after
/// handing freed heap back to the system (what earlier phases allocated and freed is not the index's).
private func residentMemory() -> (current: Double, file: Double, anonymous: Double) {
    // glibc's malloc_trim, which the Glibc module does not import (RTLD_DEFAULT is a null handle).
    if let trim = dlsym(nil, "malloc_trim") { _ = unsafeBitCast(trim, to: (@convention(c) (Int) -> Int32).self)(0) }
    let text = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    func field(_ name: String) -> Double {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return .nan }
        return (Double(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? .nan) * 1024
    }
    return (field("VmRSS"), field("RssFile"), field("RssAnon"))
}
