import Testing
import MemoryModel
import TestSupport
import CmemFixtures
@testable import MemoryIndex

@Suite struct CorrelationScenarioTests {
    /// The suite of incidents with known causes, under both noise models and three noise seeds, ours and
    /// the seed's scorer on the same index: ours must find ≥ 90 % of the causes at rank 1, ≥ 97 % in the
    /// first three, answer ≥ 90 % of the "no cause" cases as such, and beat the seed's scorer.
    @Test(arguments: CorrelationScenarios.NoiseModel.allCases)
    func scenarioAccuracy(_ model: CorrelationScenarios.NoiseModel) throws {
        var ours = CorrelationScenario.Tally(), seed = CorrelationScenario.Tally()
        var lines: [String] = []
        for noiseSeed: UInt64 in [1, 2, 3] {
            let scenarios = CorrelationScenarios.all(noisePerDay: 800, seed: noiseSeed, noise: model)
            #expect(scenarios.count >= 17)
            for s in scenarios {
                let dir = TemporaryDirectory("cmem-scenario")
                try s.materialize(at: dir.path)
                var options = MemoryIndex.Options()
                options.persist = false
                let index = try MemoryIndex.open(repoPath: dir.path, logger: Fixture.logger, options: options)
                let a = index.correlate(s.request)
                let b = SeedCorrelator().correlate(s.request, in: index)
                ours.add(s, a)
                seed.add(s, b)
                let ga = s.grade(a)
                if !ga.top1 {
                    lines.append("✗ \(model) seed \(noiseSeed) \(s.name): \(a.probableCause.map { "\($0.event.type) \($0.event.description) [\(a.confidence)] \($0.summary)" } ?? "no cause [\(a.confidence)]")")
                    lines.append("    expected \(s.expectedCauses.sorted()); components \(a.components); onset \(a.onset)")
                    for r in a.related.prefix(3) { lines.append("    \(String(format: "%.3f", r.score)) \(r.event.type) \(r.event.description) — \(r.summary)") }
                }
            }
        }
        print("Correlation scenarios, \(model) noise (800 events/day), seeds 1-3: ours \(ours.text); seed's scorer \(seed.text)")
        for l in lines { print(l) }
        #expect(Double(ours.top1) >= 0.9 * Double(ours.causes))
        #expect(Double(ours.top3) >= 0.97 * Double(ours.causes))
        #expect(Double(ours.noneRight) >= 0.9 * Double(ours.nones))
        #expect(ours.top1 > seed.top1)
    }
}
