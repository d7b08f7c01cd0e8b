import Testing
import MemoryModel
import TestSupport
import CmemFixtures
@testable import MemoryIndex

@Suite struct CorrelationScenarioTests {
    /// The suite of incidents with known causes: ours must get at least 10 of 13 right at rank 1, and beat
    /// the seed's scorer.
    @Test func scenarioAccuracy() throws {
        let scenarios = CorrelationScenarios.all(noisePerDay: 1500)
        #expect(scenarios.count >= 12)
        var ours = (top1: 0, top3: 0), seed = (top1: 0, top3: 0)
        var lines: [String] = []
        for s in scenarios {
            let dir = TemporaryDirectory("cmem-scenario")
            try s.materialize(at: dir.path)
            var options = MemoryIndex.Options()
            options.persist = false
            let index = try MemoryIndex.open(repoPath: dir.path, logger: Fixture.logger, options: options)
            let a = index.correlate(s.request)
            let b = SeedCorrelator().correlate(s.request, in: index)
            let ga = s.grade(a), gb = s.grade(b)
            ours.top1 += ga.top1 ? 1 : 0; ours.top3 += ga.top3 ? 1 : 0
            seed.top1 += gb.top1 ? 1 : 0; seed.top3 += gb.top3 ? 1 : 0
            let answer = a.probableCause.map { "\($0.event.type) \($0.event.id) [\(a.confidence)] \($0.summary)" } ?? "no cause [\(a.confidence)]"
            lines.append("\(ga.top1 ? "✓" : "✗") \(gb.top1 ? "✓" : "✗") \(s.name): \(answer)")
            if !ga.top1 {
                lines.append("    expected \(s.expectedCauses.sorted()); components \(a.components); onset \(a.onset)")
                for r in a.related.prefix(4) { lines.append("    \(String(format: "%.2f", r.score)) \(r.event.type) \(r.event.id) \(r.event.description) — \(r.summary)") }
            }
        }
        print("Correlation scenarios (ours, seed):")
        for l in lines { print(l) }
        print("ours: top-1 \(ours.top1)/\(scenarios.count), top-3 \(ours.top3)/\(scenarios.count)")
        print("seed: top-1 \(seed.top1)/\(scenarios.count), top-3 \(seed.top3)/\(scenarios.count)")
        #expect(ours.top1 >= 10)
        #expect(ours.top1 > seed.top1)
    }
}

extension CorrelationScenarioTests {
    /// The same suite with other noise seeds and the benchmark's density (set CMEM_SCENARIO_SEEDS=5).
    @Test func scenarioAccuracyAcrossSeeds() throws {
        guard let n = ProcessInfoLite.environment("CMEM_SCENARIO_SEEDS").flatMap(Int.init) else { return }
        for seed in 1...UInt64(n) {
            let scenarios = CorrelationScenarios.all(noisePerDay: 2700, seed: seed)
            var ours = 0, seedRight = 0
            var misses: [String] = []
            for s in scenarios {
                let dir = TemporaryDirectory("cmem-scenario")
                try s.materialize(at: dir.path)
                var options = MemoryIndex.Options()
                options.persist = false
                let index = try MemoryIndex.open(repoPath: dir.path, logger: Fixture.logger, options: options)
                let a = index.correlate(s.request)
                if s.grade(a).top1 { ours += 1 } else {
                    misses.append("\(s.name): got \(a.probableCause.map { "\($0.event.type) \($0.event.description) — \($0.summary)" } ?? "none")")
                }
                if s.grade(SeedCorrelator().correlate(s.request, in: index)).top1 { seedRight += 1 }
            }
            print("seed \(seed): ours \(ours)/\(scenarios.count), seed scorer \(seedRight)/\(scenarios.count)")
            for m in misses { print("   miss \(m)") }
        }
    }
}

enum ProcessInfoLite {
    static func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
