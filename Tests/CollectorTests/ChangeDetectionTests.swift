import Collector
import MemoryModel
import Testing

@Suite("Change detection")
struct ChangeDetectionTests {
    let detector = ChangeDetector()
    let t1 = Timestamp(iso8601: "2026-01-19T10:00:00Z")!
    let t2 = Timestamp(iso8601: "2026-01-19T10:01:00Z")!

    @Test func theSecondRoundGivesExactlyItsRealChanges() async throws {
        let scenario = try Scenario()
        let first = try await scenario.snapshot(second: false)
        let second = try await scenario.snapshot(second: true)
        let baseline = detector.compare(old: nil, new: first, at: t1)
        #expect(baseline.events.allSatisfy { $0.details["found_at_start"] == .bool(true) })
        let events = detector.diff(old: baseline.snapshot, new: second, at: t2)

        let summary = events.map { "\($0.type) \($0.components.joined(separator: ","))" }.sorted()
        #expect(summary == [
            "component_removed useraccount-legacy",
            "deployment icx-db",
            "health_change myapp",
            "pod_restart useraccount",
            "scaling valla",
        ])

        let deployment = try #require(events.ofType("deployment").first)
        #expect(deployment.source == "kubernetes")
        #expect(deployment.severity == .info)
        #expect(deployment.details["field"] == .string("image"))
        #expect(deployment.details["old"] == .string("postgres:9.2-alpine"))
        #expect(deployment.details["new"] == .string("postgres:9.6-alpine"))
        #expect(deployment.details["container"] == .string("icx-db"))
        #expect(deployment.details["component"] == .string("deployment/icx/icx-db"))
        #expect(deployment.description.contains("postgres:9.2-alpine → postgres:9.6-alpine"))

        let scaling = try #require(events.ofType("scaling").first)
        #expect(scaling.details["field"] == .string("replicas"))
        #expect(scaling.details["old"] == .number(1))
        #expect(scaling.details["new"] == .number(3))

        let restart = try #require(events.ofType("pod_restart").first)
        #expect(restart.severity == .critical)
        #expect(restart.details["crash_loop"] == .bool(true))
        #expect(restart.details["old"] == .number(0))
        #expect(restart.details["new"] == .number(1))
        #expect(restart.details["last_termination"] == .string("Error (exit 255)"))
        #expect(restart.details["status"] == .object([("old", .string("healthy")), ("new", .string("critical"))]))

        let removed = try #require(events.ofType("component_removed").first)
        #expect(removed.details["kind"] == .string("Service"))
        #expect(removed.details["namespace"] == .string("perf-stg"))

        let degraded = try #require(events.ofType("health_change").first)
        #expect(degraded.source == "argocd")
        #expect(degraded.severity == .error)
        #expect(degraded.details["field"] == .string("health"))
        #expect(degraded.details["old"] == .string("Healthy"))
        #expect(degraded.details["new"] == .string("Degraded"))

        for e in events {
            try e.validate()
            #expect(e.timestamp == t2)
        }
        // Identifiers derive from the content: the same comparison gives the same IDs.
        #expect(detector.diff(old: baseline.snapshot, new: second, at: t2).map(\.id) == events.map(\.id))
    }

    @Test func theSameClusterTwiceGivesNoEventsAndTheSameBytes() async throws {
        let scenario = try Scenario()
        let a = try await scenario.snapshot(second: false)
        let b = try await scenario.snapshot(second: false)
        #expect(a.canonicalJSON() == b.canonicalJSON())
        let change = detector.compare(old: a, new: b, at: t2)
        #expect(change.events.isEmpty)
        #expect(change.snapshot.canonicalJSON() == a.canonicalJSON())
        // The stored form reads back to the same snapshot.
        let decoded = try InfraSnapshot(canonicalJSON: a.canonicalJSON())
        #expect(decoded == a)
        #expect(decoded.canonicalJSON() == a.canonicalJSON())
    }

    @Test func volatileFieldsAndPodRenamesAreNotChanges() async throws {
        let scenario = try Scenario()
        let files = scenario.files(second: false)
        // New resource versions, uids, heartbeats, transition times, generations and pod names.
        let noisy = scenario.files(second: false).mapValues {
            $0.replacingAll("\"resourceVersion\": \"100\"", with: "\"resourceVersion\": \"999\"")
                .replacingAll("2019-08-31T04:43:11Z", with: "2019-09-30T00:00:00Z")
                .replacingAll("2025-09-04T02:16:46Z", with: "2025-09-05T00:00:00Z")
                .replacingAll("icx-db-7d4b578979-h2j4k", with: "icx-db-7d4b578979-zz9x8")
                .replacingAll("valla-2409362411-x2r2c", with: "valla-2409362411-q7w6e")
                .replacingAll("\"generation\": 9921", with: "\"generation\": 9999")
        }
        #expect(noisy != files)
        let dirA = try TemporaryDirectory(), dirB = try TemporaryDirectory()
        defer { dirA.cleanup(); dirB.cleanup() }
        for (name, text) in files { try dirA.write(name, text) }
        for (name, text) in noisy { try dirB.write(name, text) }
        let a = await makeCollector().collect(from: DirectorySource(directory: dirA.path, complete: true))
        let b = await makeCollector().collect(from: DirectorySource(directory: dirB.path, complete: true))
        #expect(a.canonicalJSON() == b.canonicalJSON())
        #expect(detector.diff(old: a, new: b, at: t2).isEmpty)
    }

    @Test func aFailingSourceIsCarriedOverAndNeverReadsAsRemovals() async throws {
        let scenario = try Scenario()
        let first = try await scenario.snapshot(second: false)
        let broken = try await scenario.snapshot(second: false, replacing: ["pods.json": "{\"items\": [ garbage"])
        #expect(broken.sources["pods"]?.isFailed == true)
        #expect(broken.sources["services"] == .ok)
        // The other sources still read.
        #expect(broken.components["service/perf-stg/useraccount-legacy"] != nil)
        #expect(broken.components["node/minikube"] != nil)
        #expect(broken.components["application/argocd/myapp"] != nil)

        let change = detector.compare(old: first, new: broken, at: t2)
        #expect(change.events.isEmpty)
        // Workloads are shown as last seen.
        #expect(change.snapshot.components["deployment/ned/valla"] == first.components["deployment/ned/valla"])
        #expect(change.snapshot.sources["pods"]?.isFailed == true)

        // When pods come back, real changes since then are reported normally.
        let second = try await scenario.snapshot(second: true)
        let later = detector.diff(old: change.snapshot, new: second, at: t2.adding(seconds: 60))
        #expect(later.ofType("pod_restart").count == 1)
        #expect(later.ofType("component_removed").count == 1)
    }

    @Test func aFailingKindOnlyHoldsBackItsOwnComponents() async throws {
        // Listing StatefulSets is forbidden, say: Deployments, which do not need them, still move.
        let scenario = try Scenario()
        let first = try await scenario.snapshot(second: false, replacing: ["statefulsets.json": "Error from server (Forbidden)"])
        let second = try await scenario.snapshot(second: true, replacing: ["statefulsets.json": "Error from server (Forbidden)"])
        #expect(second.sources["statefulsets"]?.isFailed == true)
        let events = detector.diff(old: first, new: second, at: t2)
        #expect(events.count == 5)
        #expect(events.ofType("deployment").count == 1)
    }

    @Test func aSourceThatFailedFromTheStartIsABaselineWhenItRecovers() async throws {
        let scenario = try Scenario()
        let failing = try await scenario.snapshot(second: false, replacing: ["services.json": "nope"])
        let first = detector.compare(old: nil, new: failing, at: t1).snapshot
        let recovered = try await scenario.snapshot(second: false)
        #expect(detector.diff(old: first, new: recovered, at: t2).isEmpty)
    }

    /// The first snapshot is stored as collected and records only what is already failing (issue 14: an
    /// incident that began before the collector ran was invisible to correlation).
    @Test func firstSnapshotIsABaselineThatRecordsWhatIsAlreadyFailing() async throws {
        let scenario = try Scenario()
        let second = try await scenario.snapshot(second: true)
        let change = detector.compare(old: nil, new: second, at: t1)
        #expect(change.snapshot == second)
        let unhealthy = second.components.values.filter { $0.status == .degraded || $0.status == .critical }
        #expect(!unhealthy.isEmpty)
        let health = change.events.filter { $0.type == "health_change" }
        #expect(health.count == unhealthy.count)
        #expect(change.events.allSatisfy { $0.details["found_at_start"] == .bool(true) })
        #expect(Set(health.compactMap { $0.details["component"]?.stringValue }) == Set(unhealthy.map(\.key)))
        // Warnings the cluster reported before the first collection are on record too, once each.
        #expect(change.events.filter { $0.type == "alert" }.count == second.alerts.count)
        #expect(change.events.allSatisfy { $0.severity >= .warning })
        // A healthy cluster's first collection records nothing.
        let healthy = InfraSnapshot(components: ["node/a": ComponentState(kind: "Node", namespace: nil, name: "a", status: .healthy)])
        #expect(detector.diff(old: nil, new: healthy, at: t1).isEmpty)
    }

    /// A Warning reason on a component is one timeline event while it lasts, another if it comes back after
    /// clearing, and nothing while the events source is failing (issue 14).
    @Test func kubernetesWarningsReachTheTimelineOncePerEpisode() {
        let api = ComponentState(kind: "Deployment", namespace: "shop", name: "api", status: .healthy)
        let backOff = InfraAlert(component: api.key, kind: "Deployment", namespace: "shop", name: "api", reason: "BackOff")
        let oom = InfraAlert(component: api.key, kind: "Deployment", namespace: "shop", name: "api", reason: "OOMKilling")
        func snapshot(_ alerts: [InfraAlert], eventsFailed: Bool = false) -> InfraSnapshot {
            InfraSnapshot(components: [api.key: api], alerts: alerts,
                          sources: ["events": eventsFailed ? .failed("timeout") : .ok])
        }
        let t3 = t2.adding(seconds: 60), t4 = t3.adding(seconds: 60)
        let raised = detector.diff(old: snapshot([]), new: snapshot([backOff]), at: t1)
        #expect(raised.map(\.type) == ["alert"])
        #expect(raised.first?.components == ["api"])
        #expect(raised.first?.details["reason"] == .string("BackOff"))
        #expect(raised.first?.severity == .warning)
        #expect(detector.diff(old: snapshot([backOff]), new: snapshot([backOff]), at: t2).isEmpty)
        let worse = detector.diff(old: snapshot([backOff]), new: snapshot([backOff, oom]), at: t2)
        #expect(worse.map { $0.details["reason"] } == [.string("OOMKilling")])
        #expect(worse.first?.severity == .error)
        #expect(detector.diff(old: snapshot([backOff]), new: snapshot([], eventsFailed: true), at: t3).isEmpty)
        #expect(detector.diff(old: snapshot([]), new: snapshot([backOff]), at: t4).count == 1)
    }

    @Test func aRestartAfterARolloutIsCausedByIt() {
        var old = ComponentState(kind: "Deployment", namespace: "shop", name: "api", status: .healthy)
        old.images = ["api": "api:1"]
        old.replicas = 2
        old.readyReplicas = 2
        old.restarts = 0
        var new = old
        new.images = ["api": "api:2"]
        new.restarts = 2
        let events = detector.diff(old: snapshot([old]), new: snapshot([new]), at: t2)
        #expect(events.map(\.type) == ["deployment", "pod_restart"])
        #expect(events[1].causedBy == events[0].id)
        #expect(events[1].severity == .warning)
        #expect(events[1].details["delta"] == .number(2))
    }

    @Test func aVersionLabelMovingWithARolloutIsPartOfIt() {
        var old = ComponentState(kind: "Deployment", namespace: "shop", name: "api", status: .healthy)
        old.images = ["api": "api:1"]
        old.labels = ["app.kubernetes.io/version": "1"]
        var new = old
        new.images = ["api": "api:2"]
        new.labels = ["app.kubernetes.io/version": "2"]
        let events = detector.diff(old: snapshot([old]), new: snapshot([new]), at: t2)
        #expect(events.map(\.type) == ["deployment"])
        guard case let .array(changes)? = events.first?.details["changes"] else { Issue.record("no changes"); return }
        #expect(changes.map { $0["field"] } == [.string("image"), .string("labels")])
        // Alone, a label change is a config change.
        var relabelled = old
        relabelled.labels = ["app.kubernetes.io/version": "1", "app.kubernetes.io/part-of": "shop"]
        #expect(detector.diff(old: snapshot([old]), new: snapshot([relabelled]), at: t2).map(\.type) == ["config_change"])
    }

    @Test func anArgoSyncCausesTheRolloutOfWhatItManages() {
        var app = ComponentState(kind: "Application", namespace: "argocd", name: "shop", status: .healthy)
        app.revision = "aaa"
        app.sync = "Synced"
        app.health = "Healthy"
        app.manages = ["deployment/shop/api"]
        var api = ComponentState(kind: "Deployment", namespace: "shop", name: "api", status: .healthy)
        api.images = ["api": "api:1"]
        var app2 = app
        app2.revision = "bbb"
        var api2 = api
        api2.images = ["api": "api:2"]
        let events = detector.diff(old: snapshot([app, api]), new: snapshot([app2, api2]), at: t2)
        #expect(events.map(\.type) == ["deployment", "deployment"])
        #expect(events[0].source == "argocd")
        #expect(events[0].components == ["shop", "api"])
        #expect(events[0].details["new"] == .string("bbb"))
        #expect(events[1].causedBy == events[0].id)
    }

    @Test func configMapChangesReportHashesAndKeysNeverValues() async throws {
        let scenario = try Scenario()
        let first = try await scenario.snapshot(second: false)
        let changedMap = scenario.configMap(rv: 100).setting("data.DATABASE_URL", .string("postgres://secret@db/icx"))
            .setting("data.POOL", .string("5"))
        let second = try await scenario.snapshot(second: false, replacing: ["configmaps.json": list([changedMap])])
        let events = detector.diff(old: first, new: second, at: t2)
        #expect(events.map(\.type) == ["config_change"])
        #expect(events[0].details["field"] == .string("data"))
        #expect(events[0].details["added"] == .array([.string("POOL")]))
        #expect(!events[0].details.json.contains("secret"))
        #expect(!second.canonicalJSON().contains("secret"))
    }

    @Test func nodeNotReadyIsACriticalHealthChange() throws {
        let nodes = try Fixture.items("k8s_nodelist.json")
        let collector = makeCollector()
        let a = collector.snapshot(from: [.nodes: .data(Array(list(nodes).utf8))])
        let b = collector.snapshot(from: [.nodes: .data(Array(list(nodes.map { $0.setting("status.conditions.3.status", .string("Unknown")) }).utf8))])
        let events = detector.diff(old: a, new: b, at: t2)
        #expect(events.count == 1)
        #expect(events[0].type == "health_change")
        #expect(events[0].severity == .critical)
        #expect(events[0].details["conditions"] == .object([("Ready", .object([("old", .string("True")), ("new", .string("Unknown"))]))]))
    }

    // MARK: Restart coalescing

    func workload(restarts: Int, crash: Bool = false) -> ComponentState {
        var c = ComponentState(kind: "Deployment", namespace: "shop", name: "api", status: crash ? .critical : .healthy)
        c.replicas = 1
        c.readyReplicas = crash ? 0 : 1
        c.restarts = restarts
        c.crashLoop = crash
        c.pods = ["Running": 1]
        if crash {
            c.waiting = ["CrashLoopBackOff": 1]
            c.reasons = ["CrashLoopBackOff", "0/1 ready"]
        }
        return c
    }

    func snapshot(_ cs: [ComponentState]) -> InfraSnapshot {
        InfraSnapshot(components: Dictionary(uniqueKeysWithValues: cs.map { ($0.key, $0) }),
                      sources: Dictionary(uniqueKeysWithValues: InfraKind.allCases.map { ($0.rawValue, SourceStatus.ok) }))
    }

    @Test func manyIncrementsInOneRoundAreOneEvent() {
        let events = detector.diff(old: snapshot([workload(restarts: 0)]), new: snapshot([workload(restarts: 50)]), at: t2)
        #expect(events.count == 1)
        #expect(events[0].type == "pod_restart")
        #expect(events[0].details["delta"] == .number(50))
    }

    @Test func noNewEventWithinTheWindowUnlessItGetsWorse() {
        var stored = detector.compare(old: snapshot([workload(restarts: 0)]), new: snapshot([workload(restarts: 3)]), at: t1).snapshot
        #expect(stored.components["deployment/shop/api"]?.restartReport == RestartReport(at: t1, crashLoop: false))

        // Ten more restarts over the next ten minutes: no events, and the stored state does not move.
        var previous = stored.canonicalJSON()
        for minute in 1...10 {
            let change = detector.compare(old: stored, new: snapshot([workload(restarts: 3 + minute)]), at: t1.adding(seconds: Int64(60 * minute)))
            #expect(change.events.isEmpty)
            #expect(change.snapshot.canonicalJSON() == previous)
            stored = change.snapshot
            previous = stored.canonicalJSON()
        }

        // It gets worse within the window: a crash loop is reported at once, critical.
        let worse = detector.compare(old: stored, new: snapshot([workload(restarts: 15, crash: true)]), at: t1.adding(seconds: 11 * 60))
        #expect(worse.events.map(\.type) == ["pod_restart"])
        #expect(worse.events[0].severity == .critical)
        #expect(worse.events[0].details["old"] == .number(3))
        #expect(worse.events[0].details["delta"] == .number(12))
        stored = worse.snapshot

        // The crash loop goes on, flickering between Running and CrashLoopBackOff: nothing until the window ends.
        for minute in 12...25 {
            let flicker = minute % 2 == 0
            let change = detector.compare(old: stored, new: snapshot([workload(restarts: 15 + minute, crash: !flicker)]),
                                          at: t1.adding(seconds: Int64(60 * minute)))
            #expect(change.events.isEmpty, "minute \(minute)")
            #expect(change.snapshot.components["deployment/shop/api"]?.status == .critical)
            stored = change.snapshot
        }
        // After the window: one coalesced event for everything since the last report.
        let after = detector.compare(old: stored, new: snapshot([workload(restarts: 45, crash: true)]), at: t1.adding(seconds: 27 * 60))
        #expect(after.events.count == 1)
        #expect(after.events[0].details["old"] == .number(15))
        #expect(after.events[0].details["new"] == .number(45))
        #expect(after.events[0].details["delta"] == .number(30))
    }

    @Test func aCrashLoopingPodWritesAFewEventsADayNotThousands() {
        // A day of a pod restarting every five minutes, collected every minute.
        var stored = snapshot([workload(restarts: 0)])
        var events: [TimelineEvent] = []
        for minute in 1...(24 * 60) {
            let restarts = minute / 5
            let change = detector.compare(old: stored, new: snapshot([workload(restarts: restarts, crash: minute % 5 != 0)]),
                                          at: t1.adding(seconds: Int64(60 * minute)))
            events += change.events
            stored = change.snapshot
        }
        #expect(events.count <= 24 * 60 / 15 + 1)
        #expect(events.allSatisfy { $0.type == "pod_restart" })
    }

    @Test func recoveryIsReportedOnceTheRestartsStop() {
        var stored = detector.compare(old: snapshot([workload(restarts: 0)]), new: snapshot([workload(restarts: 2, crash: true)]), at: t1).snapshot
        // Recovered: running and ready, no more restarts.
        let change = detector.compare(old: stored, new: snapshot([workload(restarts: 2)]), at: t1.adding(seconds: 60))
        #expect(change.events.map(\.type) == ["health_change"])
        #expect(change.events[0].details["new"] == .string("healthy"))
        #expect(change.events[0].severity == .info)
        stored = change.snapshot
        #expect(stored.components["deployment/shop/api"]?.crashLoop == false)
    }
}

extension String {
    func replacingAll(_ a: String, with b: String) -> String {
        split(separator: a, omittingEmptySubsequences: false).joined(separator: b)
    }
}
