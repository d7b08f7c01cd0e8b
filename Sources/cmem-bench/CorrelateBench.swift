import CmemFixtures
import Foundation
import Logging
import MemoryIndex

/// Issue 12: how often the correlator finds the cause, next to the seed project's scorer on the same cases
/// in the same run. Two sets: our scenario suite (both noise models, several noise seeds, in process) and
/// the independently written development set (its `gen.py` for several seeds, its `score.py` running the
/// `cmem` under test and its reimplementation of the seed scorer), copied in Tests/MemoryIndexTests/Fixtures/eval.
enum CorrelateBench {
    static let devSeeds = [7, 1, 2, 3, 11, 42]
    static let scenarioSeeds: [UInt64] = [1, 2, 3]

    static func run(_ env: BenchEnvironment, events: Int, runs: Int) throws {
        var report = Report()
        try speed(env, events: events, runs: runs, into: &report)
        scenarioSuite(env, into: &report)
        try devSet(env, into: &report)
        try independentSet(env, into: &report)
        report.print(title: "Correlation (issue 12)")
    }

    /// In process, on the benchmark's repository of `events` events: a 24 h correlation at the corpus's
    /// incidents, `at` given and onset found, ours next to the seed scorer on the same requests.
    static func speed(_ env: BenchEnvironment, events: Int, runs: Int, into report: inout Report) throws {
        let (repo, _) = try env.repository(events: events)
        let sample = try CorpusSample(corpus: try env.corpus(events: events))
        let logger = Logger(label: "cmem-bench.correlate", factory: { _ in SwiftLogNoOpLogHandler() })
        var options = MemoryIndex.Options()
        options.persist = false
        let index = try MemoryIndex.open(repoPath: repo, logger: logger, options: options)
        var at = Samples(), found = Samples(), seed = Samples(), candidates = Samples()
        for incident in sample.incidents {
            let atRequest = CorrelationRequest(incident.symptom, at: incident.time, window: 86_400)
            let onsetRequest = CorrelationRequest(incident.symptom, window: 86_400, now: incident.time.adding(seconds: 300))
            candidates.add(Double(index.correlate(atRequest).candidatesConsidered))
            _ = index.correlate(onsetRequest)
            for _ in 0..<max(1, runs) {
                at.add(Clock.time { _ = index.correlate(atRequest) })
                found.add(Clock.time { _ = index.correlate(onsetRequest) })
                seed.add(Clock.time { _ = SeedCorrelator().correlate(atRequest, in: index) })
            }
        }
        report.add("correlate, 24 h window, in process, `at` given, \(events) events (\(sample.incidents.count) incidents × \(runs); p50 \(Int(candidates.p50)) candidates)",
                   "p50 \(ms(at.p50)), p90 \(ms(at.p90))", "seed's scorer p50 \(ms(seed.p50)); target ≤ 10 ms: \(ratio(at.p50, 0.010))")
        report.add("correlate, 24 h window, in process, onset found from the symptom", "p50 \(ms(found.p50)), p90 \(ms(found.p90))",
                   "target ≤ 10 ms: \(ratio(found.p50, 0.010))")
    }

    /// Our scenarios under both noise models and several seeds, ours and the seed scorer on the same index.
    static func scenarioSuite(_ env: BenchEnvironment, into report: inout Report) {
        let logger = Logger(label: "cmem-bench.correlate", factory: { _ in SwiftLogNoOpLogHandler() })
        let root = "\(env.workDir)/correlate-scenarios"
        for model in CorrelationScenarios.NoiseModel.allCases {
            var ours = CorrelationScenario.Tally(), seed = CorrelationScenario.Tally()
            var misses: [String] = []
            for noiseSeed in scenarioSeeds {
                for (i, s) in CorrelationScenarios.all(noisePerDay: 2700, seed: noiseSeed, noise: model).enumerated() {
                    let dir = "\(root)/\(model.rawValue)-\(noiseSeed)-\(i)"
                    try? FileManager.default.removeItem(atPath: dir)
                    do {
                        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                        try s.materialize(at: dir)
                        var options = MemoryIndex.Options()
                        options.persist = false
                        let index = try MemoryIndex.open(repoPath: dir, logger: logger, options: options)
                        let a = index.correlate(s.request)
                        ours.add(s, a)
                        seed.add(s, SeedCorrelator().correlate(s.request, in: index))
                        if !s.grade(a).top1 { misses.append("\(s.name)@\(noiseSeed)") }
                    } catch {
                        misses.append("\(s.name)@\(noiseSeed) (\(error))")
                    }
                    try? FileManager.default.removeItem(atPath: dir)
                }
            }
            report.add("scenario suite, \(model.rawValue) noise (2,700 events/day, seeds \(scenarioSeeds.map(String.init).joined(separator: ", ")))",
                       "ours \(ours.text)", "seed's scorer \(seed.text)" + (misses.isEmpty ? "" : "; ours missed \(misses.joined(separator: ", "))"))
        }
    }

    /// The development set: generated per seed, scored by its own `score.py` (ours and the seed scorer).
    static func devSet(_ env: BenchEnvironment, into report: inout Report) throws {
        for seed in devSeeds {
            guard let json = try scoredSet(env, folder: "eval", generator: "gen.py", extra: ["--quiet"], scorer: "score.py", seed: seed, into: &report) else { return }
            let summary = json["summary"] as? [String: [String: Int]] ?? [:]
            func text(_ k: String) -> String {
                let g = summary[k] ?? [:]
                return "top-1 \(g["t1"] ?? 0)/\(g["c"] ?? 0), top-3 \(g["t3"] ?? 0)/\(g["c"] ?? 0), none \(g["nok"] ?? 0)/\(g["n"] ?? 0)"
            }
            let missed = (json["cases"] as? [[String: Any]] ?? []).filter { c in
                let m = c["cmem"] as? [String: Any] ?? [:]
                return (m["top1"] as? Bool) == false || (m["none_ok"] as? Bool) == false
            }.compactMap { $0["name"] as? String }
            report.add("development set, seed \(seed) (shared/eval/correlation, \((summary["cmem"]?["c"] ?? 0) + (summary["cmem"]?["n"] ?? 0)) cases)",
                       "ours \(text("cmem"))", "seed's scorer \(text("seed"))" + (missed.isEmpty ? "" : "; ours missed \(missed.joined(separator: ", "))"))
        }
    }

    static let independentSeeds = [1, 2, 3]

    /// The second independent set (Tests/MemoryIndexTests/Fixtures/eval2, its SOURCE.md): generated per seed,
    /// scored by its own `score2.py`. It has no seed scorer.
    static func independentSet(_ env: BenchEnvironment, into report: inout Report) throws {
        for seed in independentSeeds {
            guard let json = try scoredSet(env, folder: "eval2", generator: "gen2.py", extra: [], scorer: "score2.py", seed: seed, into: &report) else { return }
            let g = json["summary"] as? [String: Int] ?? [:]
            let missed = (json["results"] as? [[String: Any]] ?? []).filter { c in
                (c["top1"] as? Bool) == false || (c["none_ok"] as? Bool) == false
            }.compactMap { $0["name"] as? String }
            report.add("second independent set, seed \(seed) (Fixtures/eval2, \((g["cause"] ?? 0) + (g["none"] ?? 0)) cases)",
                       "ours top-1 \(g["top1"] ?? 0)/\(g["cause"] ?? 0), top-3 \(g["top3"] ?? 0)/\(g["cause"] ?? 0), none \(g["none_ok"] ?? 0)/\(g["none"] ?? 0)",
                       missed.isEmpty ? "" : "missed \(missed.joined(separator: ", "))")
        }
    }

    /// One seed of a scenario set in Tests/MemoryIndexTests/Fixtures/FOLDER: generated, scored by its own
    /// script with the `cmem` under test, and its results read. nil (and a row saying so) outside the source tree.
    static func scoredSet(_ env: BenchEnvironment, folder: String, generator: String, extra: [String], scorer: String, seed: Int,
                          into report: inout Report) throws -> [String: Any]? {
        let fixtures = FileManager.default.currentDirectoryPath + "/Tests/MemoryIndexTests/Fixtures/" + folder
        guard FileManager.default.fileExists(atPath: fixtures + "/" + generator) else {
            report.add("scenario set \(folder)", "skipped", "run cmem-bench from the source tree (needs \(fixtures))")
            return nil
        }
        let data = "\(env.workDir)/correlate-\(folder)-\(seed)"
        let results = data + "/results.json"
        try Run.program("/usr/bin/env", ["python3", fixtures + "/" + generator, "--out", data, "--seed", "\(seed)"] + extra)
        try Run.program("/usr/bin/env", ["python3", fixtures + "/" + scorer, "--data", data, "--cmem", env.cmem, "--jobs", "2", "--json", results])
        return try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: results))) as? [String: Any] ?? [:]
    }
}
