import Foundation
import GitKit
import Logging
import MemoryModel
import Testing
import TestSupport
import MemoryIndex
import CmemFixtures

/// Measures the index on a generated repository. Off by default; run in release:
///
///     CMEM_PERF_EVENTS=100000 swift test -c release -Xswiftc -enable-testing --filter PerformanceTests
///
/// Set CMEM_PERF_REPO=/path to keep (and reuse) the generated repository.
@Suite struct PerformanceTests {
    @Test func measure() throws {
        guard let events = ProcessInfo.processInfo.environment["CMEM_PERF_EVENTS"].flatMap(Int.init) else { return }
        let keep = ProcessInfo.processInfo.environment["CMEM_PERF_REPO"]
        let temp = keep == nil ? TemporaryDirectory("cmem-perf") : nil
        let root = keep ?? temp!.path
        if !FileManager.default.fileExists(atPath: root + "/.git") {
            let t = Self.clock()
            try Self.generate(events: events, at: root)
            print("generated \(events) events in \(Int(Self.clock() - t)) ms")
        }
        var logger = Logger(label: "perf")
        logger.logLevel = .error
        var options = MemoryIndex.Options()
        options.noteSweepInterval = 3600

        try? FileManager.default.removeItem(atPath: root + "/.git/cmem")
        var t = Self.clock()
        let cold = try MemoryIndex.open(repoPath: root, logger: logger, options: options)
        let coldMs = Self.clock() - t
        let status = cold.status()
        let coldRSS = Self.memory()
        var opens: [Double] = []
        for _ in 0..<5 {
            t = Self.clock()
            _ = try MemoryIndex.open(repoPath: root, logger: logger, options: options)
            opens.append(Self.clock() - t)
        }
        let index = try MemoryIndex.open(repoPath: root, logger: logger, options: options)
        let queries = ["registry unavailable", "crash looping", "oomkilled", "pip install", "github mcp server", "rollback",
                       "certificate expired", "redis", "keda cooldown", "scaled"]
        var searches: [Double] = []
        for i in 0..<300 {
            var q = SearchQuery(queries[i % queries.count], limit: 10)
            if i % 2 == 0 { q.kinds = [.event]; q.severities = SearchQuery.severities(atLeast: .warning) }
            t = Self.clock()
            _ = index.search(q)
            searches.append(Self.clock() - t)
        }
        let end = Timestamp(iso8601: "2026-11-20")!
        var correlations: [Double] = []
        for i in 0..<25 {
            let symptom = ["github-mcp-server crash looping", "redis cache out of memory", "auth api certificate expired"][i % 3]
            t = Self.clock()
            _ = index.correlate(CorrelationRequest(symptom, window: 86_400, now: end))
            correlations.append(Self.clock() - t)
        }
        // A pull of 100 events: append them to the newest day file, commit, open again.
        var updates: [Double] = []
        var g = NoiseGenerator(seed: 99)
        for round in 0..<3 {
            let day = end.adding(seconds: -12 * 3600 + Int64(round) * 600)
            let path = TimelineEvent.dayPath(for: day)
            var text = try String(contentsOfFile: root + "/" + path, encoding: .utf8)
            for e in g.events(count: 100, from: day, to: day.adding(seconds: 300)) { text += MemoryFiles.eventBlock(e) }
            try MemoryFiles.writeText(text, to: root, path: path)
            try GitRepository(path: root).commit(paths: [path], message: "pull", author: TemporaryGitRepository.author)
            t = Self.clock()
            let updated = try MemoryIndex.open(repoPath: root, logger: logger, options: options)
            updates.append(Self.clock() - t)
            #expect(updated.lastUpdate.filesParsed == 1)
        }
        func p50(_ v: [Double]) -> String { String(format: "%.2f ms", v.sorted()[v.count / 2]) }
        print("""
        index of \(status.events) events, \(status.sessions) sessions, \(status.decisions) decisions (\(status.files) files, \(status.terms) terms)
          cold build        \(Int(coldMs)) ms, snapshot \(status.snapshotBytes / 1_000_000) MB, memory \(coldRSS)
          open (current)    p50 \(p50(opens))
          search top-10     p50 \(p50(searches)), p90 \(String(format: "%.2f ms", searches.sorted()[searches.count * 9 / 10]))
          correlate 24 h    p50 \(p50(correlations))
          open after +100   p50 \(p50(updates))
        """)
    }

    static func clock() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e6 }

    static func memory() -> String {
        let s = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        return s.split(separator: "\n").filter { $0.hasPrefix("VmRSS") || $0.hasPrefix("VmHWM") }
            .map { $0.replacingOccurrences(of: "\t", with: "").replacingOccurrences(of: "  ", with: "") }.joined(separator: ", ")
    }

    /// A year of `events` noise events, events/100 sessions with their decisions, committed.
    static func generate(events: Int, at root: String) throws {
        var g = NoiseGenerator(seed: 7)
        let end = Timestamp(iso8601: "2026-11-20")!
        let start = end.adding(seconds: -365 * 86_400)
        let all = g.events(count: events, from: start, to: end)
        var sessions: [Session] = [], decisions: [Decision] = []
        var times = (0..<(events / 100)).map { _ in start.seconds + Int64(g.next() % UInt64(365 * 86_400)) }
        times.sort()
        for (i, t) in times.enumerated() {
            let (s, ds) = g.session(index: i, at: Timestamp(seconds: t))
            sessions.append(s)
            decisions += ds
        }
        let paths = try MemoryFiles.write(events: all, sessions: sessions, decisions: decisions, to: root)
        let repo = try GitRepository.createOrOpen(at: root)
        try repo.commit(paths: paths, message: "generated", author: TemporaryGitRepository.author)
    }
}
