import CmemFixtures
import Collector
import Foundation
import MemoryModel
import Testing

@Suite("Synthetic cluster")
struct SyntheticClusterTests {
    let at = Timestamp(iso8601: "2026-01-19T10:00:00Z")!

    @Test func isDeterministic() {
        #expect(SyntheticCluster.make(pods: 300, seed: 7) == SyntheticCluster.make(pods: 300, seed: 7))
        #expect(SyntheticCluster.make(pods: 300, seed: 7, changed: true) != SyntheticCluster.make(pods: 300, seed: 7))
    }

    @Test func theChangedVariantGivesExactlyItsChanges() throws {
        let pods = 2_000
        let collector = makeCollector()
        let before = collector.snapshot(from: SyntheticCluster.results(pods: pods))
        let after = collector.snapshot(from: SyntheticCluster.results(pods: pods, changed: true))
        #expect(before.sources.values.allSatisfy { $0 == .ok || $0 == .absent })
        #expect(before.components.values.filter { $0.kind == "Deployment" }.count == pods / 5)
        #expect(before.podSummary["total"] == .number(Double(pods)))
        #expect(!before.components(withRole: .mcpServer).isEmpty)
        #expect(!before.components(withRole: .agent).isEmpty)
        #expect(!before.components(withRole: .layerStack).isEmpty)

        let events = ChangeDetector().diff(old: before, new: after, at: at)
        let expected = SyntheticCluster.expectedChanges(pods: pods)
        #expect(expected.imageBumps > 0 && expected.scaleUps > 0 && expected.crashLoops > 0)
        #expect(expected.removedServices > 0 && expected.degradedApplications > 0)
        #expect(events.ofType("deployment").count == expected.imageBumps)
        #expect(events.ofType("scaling").count == expected.scaleUps)
        #expect(events.ofType("pod_restart").count == expected.crashLoops)
        #expect(events.ofType("pod_restart").allSatisfy { $0.severity == .critical })
        #expect(events.ofType("component_removed").count == expected.removedServices)
        #expect(events.ofType("health_change").count == expected.degradedApplications)
        // Warnings the cluster newly reports (its crash loops' BackOff) are alerts, one per component and reason.
        #expect(events.ofType("alert").count == Set(after.alerts).subtracting(before.alerts).count)
        #expect(events.count == expected.imageBumps + expected.scaleUps + expected.crashLoops + expected.removedServices
                + expected.degradedApplications + events.ofType("alert").count)

        // Same cluster with only pod churn and volatile noise: no change.
        let again = collector.snapshot(from: SyntheticCluster.results(pods: pods, seed: 1))
        #expect(again.canonicalJSON() == before.canonicalJSON())
    }

    @Test func writesAFromDirDirectory() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        try SyntheticCluster.write(SyntheticCluster.make(pods: 50), to: dir.path)
        let fromDir = await makeCollector().collect(from: DirectorySource(directory: dir.path, complete: true))
        #expect(fromDir == makeCollector().snapshot(from: SyntheticCluster.results(pods: 50)))
    }

    /// `COLLECTOR_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter collectAndDiff5000Pods`
    @Test(.enabled(if: ProcessInfo.processInfo.environment["COLLECTOR_BENCH"] != nil))
    func collectAndDiff5000Pods() {
        let collector = makeCollector()
        let before = SyntheticCluster.results(pods: 5_000)
        let after = SyntheticCluster.results(pods: 5_000, changed: true)
        let bytes = after.values.reduce(0) { n, r in if case let .data(d) = r { return n + d.count } else { return n } }
        let old = collector.snapshot(from: before)
        var best = Double.infinity
        var count = 0
        for _ in 0..<5 {
            let start = DispatchTime.now().uptimeNanoseconds
            let new = collector.snapshot(from: after)
            let change = ChangeDetector().compare(old: old, new: new, at: at)
            _ = change.snapshot.canonicalJSON()
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            best = min(best, ms)
            count = change.events.count
        }
        print("collector bench: 5000 pods, \(bytes / 1_000_000) MB of JSON, parse+rollup+diff+encode best of 5: \(Int(best)) ms, \(count) events")
    }
}
