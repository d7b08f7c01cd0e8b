import Collector
import Foundation
import MemoryModel
import Testing
import TestSupport

/// Pod CPU and memory from the metrics API, kept as state per component, an alert when memory nears a
/// limit or CPU reaches one, and "absent" (not an error) on a cluster without metrics-server.
@Suite("Resource metrics")
struct MetricsTests {
    let collector = makeCollector()

    func snapshot(metrics: SourceResult) throws -> InfraSnapshot {
        collector.snapshot(from: [.pods: .data(try Fixture.bytes("k8s_podlist_crashloop.json")), .metrics: metrics])
    }

    @Test func quantitiesAreRead() {
        #expect(ResourceUsage.bytes("1956320Ki") == 2_003_271_680)
        #expect(ResourceUsage.bytes("2Gi") == 2_147_483_648)
        #expect(ResourceUsage.bytes("1G") == 1_000_000_000)
        #expect(ResourceUsage.bytes("1000") == 1000)
        #expect(ResourceUsage.bytes("lots") == nil)
        #expect(ResourceUsage.millicores("152316482n") == 152)
        #expect(ResourceUsage.millicores("250m") == 250)
        #expect(ResourceUsage.millicores("1.5") == 1500)
    }

    @Test func usageIsSummedPerComponentAgainstItsLimits() throws {
        let s = try snapshot(metrics: .data(try Fixture.bytes("k8s_podmetrics.json")))
        #expect(s.sources["metrics"] == .ok)
        let account = try #require(s.usage["deployment/perf-stg/useraccount"])
        // 1956320Ki of a 2Gi limit: 93 %, stored as 90 (rounded down to 5).
        #expect(account.memoryLimitPercent == 90)
        #expect(account.memoryNearLimit)
        #expect(account.memoryBytes == 2_000_000_000)
        #expect(account.cpuMillicores == 150)
        #expect(account.cpuLimitPercent == nil)
        #expect(account.pods == 1)
        let valla = try #require(s.usage["deployment/ned/valla"])
        #expect(valla.memoryLimitPercent == 50 && !valla.memoryNearLimit)
        // The state is stable: the same metrics give the same bytes.
        #expect(try snapshot(metrics: .data(try Fixture.bytes("k8s_podmetrics.json"))).canonicalJSON() == s.canonicalJSON())
        #expect(s.canonicalJSON().contains("\"memory_limit_percent\" : 90"))
    }

    @Test func memoryNearItsLimitIsAnAlertOnceWhileItLasts() throws {
        let detector = ChangeDetector()
        let before = try snapshot(metrics: .absent)
        #expect(before.usage.isEmpty)
        let t = Timestamp(iso8601: "2026-11-20T10:01:00Z")!
        let after = try snapshot(metrics: .data(try Fixture.bytes("k8s_podmetrics.json")))
        let events = detector.diff(old: before, new: after, at: t)
        let alerts = events.filter { $0.type == "alert" }
        #expect(alerts.count == 1)
        #expect(alerts.first?.details["reason"] == .string("MemoryNearLimit"))
        #expect(alerts.first?.components == ["useraccount"])
        #expect(alerts.first?.description.contains("90%") == true)
        // Still near its limit next round: nothing new.
        #expect(detector.diff(old: after, new: after, at: t).isEmpty)
        // Metrics failing keeps the usage as last seen, and records nothing.
        let failed = try snapshot(metrics: .failed("kubectl get pods.metrics.k8s.io timed out after 30s"))
        let change = detector.compare(old: after, new: failed, at: t)
        #expect(change.snapshot.usage == after.usage)
        #expect(change.events.isEmpty)
    }

    @Test func aClusterWithoutMetricsServerIsAbsentNotAFailure() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        try dir.write("kubectl", "#!/bin/sh\necho 'error: the server doesn'\"'\"'t have a resource type \"pods\"' >&2\nexit 1\n")
        chmod(dir.path + "/kubectl", 0o755)
        let source = KubectlSource(kubectl: dir.path + "/kubectl", logger: testLogger)
        #expect(source.arguments(for: .metrics)?.contains("pods.metrics.k8s.io") == true)
        #expect(await source.fetch(.metrics) == .absent)
    }

    func nodeSnapshot(nodeMetrics: SourceResult, podMetrics: SourceResult = .absent) throws -> InfraSnapshot {
        collector.snapshot(from: [.nodes: .data(try Fixture.bytes("k8s_nodelist.json")), .pods: .data(try Fixture.bytes("k8s_podlist_crashloop.json")),
                                  .metrics: podMetrics, .nodemetrics: nodeMetrics])
    }

    @Test func nodeUsageIsReadAgainstItsAllocatable() throws {
        let s = try nodeSnapshot(nodeMetrics: .data(try Fixture.bytes("k8s_nodemetrics.json")))
        #expect(s.sources["nodemetrics"] == .ok)
        let node = try #require(s.usage["node/minikube"])
        // 7654321Ki of an allocatable 8063156Ki: 94.9 %, stored as 90; 1.2 of 4 cores: 30 %.
        #expect(node.memoryLimitPercent == 90 && node.memoryNearLimit)
        #expect(node.cpuLimitPercent == 30 && !node.cpuThrottled)
        #expect(node.cpuMillicores == 1200)
        #expect(node.pods == 0) // the fixture's pods run on another node
        // A node the node list does not have is not a component: no usage for it.
        #expect(s.usage["node/gone-node"] == nil)
        #expect(s.usage.keys.allSatisfy { $0.hasPrefix("node/") })
    }

    @Test func aNodeNearItsAllocatableIsAnAlertAndItsMetricsFailingKeepsTheLastSeen() throws {
        let detector = ChangeDetector()
        let t = Timestamp(iso8601: "2026-11-20T10:01:00Z")!
        let before = try nodeSnapshot(nodeMetrics: .absent)
        let after = try nodeSnapshot(nodeMetrics: .data(try Fixture.bytes("k8s_nodemetrics.json")),
                                     podMetrics: .data(try Fixture.bytes("k8s_podmetrics.json")))
        let alerts = detector.diff(old: before, new: after, at: t).filter { $0.type == "alert" }
        let nodeAlert = try #require(alerts.first { $0.components == ["minikube"] }, "\(alerts.map(\.description))")
        #expect(nodeAlert.description.contains("90% of allocatable"), "\(nodeAlert.description)")
        #expect(nodeAlert.severity == .warning)
        // Node metrics failing keeps the nodes' usage as last seen; the pods' usage is this round's.
        let failed = try nodeSnapshot(nodeMetrics: .failed("kubectl get nodes.metrics.k8s.io timed out after 30s"), podMetrics: .absent)
        let change = detector.compare(old: after, new: failed, at: t)
        #expect(change.snapshot.usage["node/minikube"] == after.usage["node/minikube"])
        #expect(change.snapshot.usage["deployment/perf-stg/useraccount"] == nil)
        #expect(change.events.filter { $0.components == ["minikube"] }.isEmpty)
    }

    /// `cmem collect --once --from-dir` with metrics.json: the usage in state.json and the alert in the timeline.
    @Test func collectRecordsUsageAndTheAlertEndToEnd() throws {
        let dir = TestSupport.TemporaryDirectory("cmem-metrics")
        let repo = dir.file("memory")
        #expect(try CMemBinary.run(["init", repo], repo: repo).status == 0)
        let input = dir.file("cluster")
        try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
        try Data(try Fixture.bytes("k8s_podlist_crashloop.json")).write(to: URL(fileURLWithPath: input + "/pods.json"))
        try Data(try Fixture.bytes("k8s_podmetrics.json")).write(to: URL(fileURLWithPath: input + "/metrics.json"))
        try Data(try Fixture.bytes("k8s_nodelist.json")).write(to: URL(fileURLWithPath: input + "/nodes.json"))
        try Data(try Fixture.bytes("k8s_nodemetrics.json")).write(to: URL(fileURLWithPath: input + "/nodemetrics.json"))
        let r = try CMemBinary.run(["collect", "--once", "--from-dir", input, "--json"], repo: repo)
        #expect(r.status == 0, "\(r.stderr)")
        let state = try String(contentsOfFile: repo + "/infrastructure/state.json", encoding: .utf8)
        #expect(state.contains("\"usage\""))
        let report = try JSONValue.parse(r.stdout)
        #expect(report["events"]?.json.contains("MemoryNearLimit") == true, "\(r.stdout)")
        #expect(state.contains("\"node/minikube\""), "\(state)")
        #expect(report["events"]?.json.contains("of allocatable") == true, "\(r.stdout)")
        // The node's usage is part of what the front ends show of it.
        let node = try JSONValue.parse(try CMemBinary.run(["infra", "component", "minikube", "--json"], repo: repo).stdout)
        #expect(node["usage"]?["memory_limit_percent"] == .number(90), "\(node.json)")
        let help = try CMemBinary.run(["collect", "--help"], repo: repo)
        // --help names every file --from-dir reads.
        for kind in InfraKind.allCases { #expect(help.stdout.contains(kind.rawValue + ".json"), "\(kind.rawValue).json") }
    }
}
