import Collector
import MemoryModel
import Testing

@Suite("Parsing the recorded fixtures")
struct ParsingTests {
    let collector = makeCollector()

    @Test func deploymentFixtureWithoutListWrapper() throws {
        let snapshot = collector.snapshot(from: [.deployments: .data(try Fixture.bytes("k8s_deployment.json"))])
        #expect(snapshot.sources["deployments"] == .ok)
        let c = try #require(snapshot.components["deployment/icx/icx-db"])
        #expect(c.kind == "Deployment")
        #expect(c.namespace == "icx")
        #expect(c.images == ["icx-db": "postgres:9.2-alpine"])
        #expect(c.image == "postgres:9.2-alpine")
        #expect(c.replicas == 1)
        #expect(c.readyReplicas == 1)
        #expect(c.revision == "1")
        #expect(c.conditions == ["Available": "True", "Progressing": "True"])
        // Names of the variables only; the secret references' values are never kept.
        #expect(c.envNames == ["POSTGRES_PASSWORD", "POSTGRES_USER"])
        #expect(c.envHash?.count == 16)
        #expect(c.status == .healthy)
        #expect(!snapshot.canonicalJSON().contains("icx-creds"))
    }

    @Test func crashLoopingPodsRollUpToTheirDeployments() throws {
        // No ReplicaSets listed: the pod-template-hash naming rule finds the Deployment.
        let snapshot = collector.snapshot(from: [.pods: .data(try Fixture.bytes("k8s_podlist_crashloop.json"))])
        #expect(snapshot.components.keys.sorted() == ["deployment/ned/valla", "deployment/perf-stg/useraccount"])
        let account = try #require(snapshot.components["deployment/perf-stg/useraccount"])
        #expect(account.crashLoop == true)
        #expect(account.restarts == 1)
        #expect(account.status == .critical)
        #expect(account.reasons?.contains("CrashLoopBackOff") == true)
        #expect(account.lastTermination == "Error (exit 255)")
        #expect(account.waiting == ["CrashLoopBackOff": 1])
        #expect(account.pods == ["Running": 1])
        #expect(account.image == "foo.akkeris.io/akkeris/useraccount-84a01d67-27eb-4ad2-92ea-30b89f722248:0.33")
        let valla = try #require(snapshot.components["deployment/ned/valla"])
        #expect(valla.restarts == 0)
        #expect(valla.crashLoop == true)
        #expect(valla.lastTermination == "ContainerCannotRun (exit 127)")
        // Pod names never reach the stored state.
        #expect(!snapshot.canonicalJSON().contains("c5qpt"))
    }

    @Test func nodeFixture() throws {
        let snapshot = collector.snapshot(from: [.nodes: .data(try Fixture.bytes("k8s_nodelist.json"))])
        let node = try #require(snapshot.components["node/minikube"])
        #expect(node.status == .healthy)
        #expect(node.version == "v1.15.2")
        #expect(node.conditions == ["DiskPressure": "False", "MemoryPressure": "False", "PIDPressure": "False", "Ready": "True"])
        #expect(!snapshot.canonicalJSON().contains("lastHeartbeatTime"))
    }

    @Test func notReadyNodeIsCritical() throws {
        let nodes = try Fixture.items("k8s_nodelist.json").map { $0.setting("status.conditions.3.status", .string("False")) }
        let snapshot = collector.snapshot(from: [.nodes: .data(Array(list(nodes).utf8))])
        let node = try #require(snapshot.components["node/minikube"])
        #expect(node.status == .critical)
        #expect(node.reasons == ["NotReady"])
    }

    @Test func warningEventsBecomeAlertsOnTheirComponent() throws {
        let snapshot = collector.snapshot(from: [.events: .data(try Fixture.bytes("k8s_eventlist.json"))])
        // The Normal "Pulled" event is not an alert; the BackOff Warning about a pod of Deployment my-app is.
        #expect(snapshot.alerts == [InfraAlert(component: "deployment/my-app/my-app", kind: "Deployment", namespace: "my-app",
                                               name: "my-app", reason: "BackOff")])
    }

    @Test func argoApplicationFixture() throws {
        let snapshot = collector.snapshot(from: [.applications: .data(try Fixture.bytes("argocd_application.json"))])
        let app = try #require(snapshot.components["application/argocd/myapp"])
        #expect(app.sync == "Synced")
        #expect(app.health == "Healthy")
        #expect(app.revision == "39313e1c4af397986a5e1bbb53bde6fef15d6a50")
        #expect(app.operationPhase == "Succeeded")
        #expect(app.operationRevision == nil) // the same as the synced revision
        #expect(app.repo == "https://gitee.com/finley/argocd-demo.git")
        #expect(app.manages == ["deployment/devops/myapp", "service/devops/myapp"])
        #expect(app.status == .healthy)
        #expect(app.source == "argocd")
        #expect(!snapshot.canonicalJSON().contains("reconciledAt"))
    }

    @Test func unknownKeysAndMissingFieldsAreTolerated() throws {
        let odd = """
        {"kind": "List", "items": [
          {"metadata": {"name": "bare", "namespace": "x", "futureField": {"a": [1, 2]}}, "status": {"phase": 42}},
          {"metadata": {"namespace": "x"}},
          "not an object",
          {"metadata": {"name": "weird", "namespace": "x", "labels": {"n": 5}}, "spec": {"containers": "nope"}}
        ], "surprise": true}
        """
        let snapshot = collector.snapshot(from: [.pods: .data(Array(odd.utf8))])
        #expect(snapshot.sources["pods"] == .ok)
        #expect(snapshot.components.keys.sorted() == ["pod/x/bare", "pod/x/weird"])
    }

    @Test func garbageFailsOnlyItsSource() throws {
        let snapshot = collector.snapshot(from: [
            .pods: .data(Array("{not json".utf8)),
            .services: .data(Array("42".utf8)),
            .configmaps: .data([]),
            .nodes: .data(try Fixture.bytes("k8s_nodelist.json")),
        ])
        #expect(snapshot.sources["pods"]?.isFailed == true)
        #expect(snapshot.sources["services"]?.isFailed == true)
        #expect(snapshot.sources["configmaps"] == .failed("empty output"))
        #expect(snapshot.sources["nodes"] == .ok)
        #expect(snapshot.sources["deployments"] == .absent)
        #expect(snapshot.components["node/minikube"] != nil)
    }

    @Test func podsRollUpThroughReplicaSetOwnerReferences() async throws {
        let scenario = try Scenario()
        let snapshot = try await scenario.snapshot(second: false)
        let workloads = snapshot.sortedComponents.filter(\.isWorkload).map(\.key)
        #expect(workloads == ["deployment/icx/icx-db", "deployment/ned/valla", "deployment/perf-stg/useraccount"])
        #expect(snapshot.components["deployment/ned/valla"]?.pods == ["Running": 1])
        #expect(snapshot.sources.values.allSatisfy { $0 == .ok || $0 == .absent })
        #expect(snapshot.sources["statefulsets"] == .absent)
    }

    @Test func aReplicaSetWithoutOwnerIsItsOwnComponent() throws {
        let scenario = try Scenario()
        let d = scenario.deployment("solo", ns: "x", image: "solo:1", replicas: 1, ready: 1, revision: 1, rv: 1)
        let rs = scenario.replicaSet(of: d, hash: "abc123def4", replicas: 1, rv: 1).removing("metadata")
            .setting("metadata", .object([("name", .string("solo-abc123def4")), ("namespace", .string("x"))]))
        let pod = scenario.healthyPod("solo-abc123def4-zzzzz", rs: "solo-abc123def4", hash: "abc123def4", ns: "x", container: "solo",
                                      image: "solo:1", rv: 1)
        let snapshot = collector.snapshot(from: [.replicasets: .data(Array(list([rs]).utf8)), .pods: .data(Array(list([pod]).utf8))])
        let c = try #require(snapshot.components["replicaset/x/solo-abc123def4"])
        #expect(c.replicas == 1)
        #expect(c.image == "solo:1")
        #expect(c.status == .healthy)
    }
}
