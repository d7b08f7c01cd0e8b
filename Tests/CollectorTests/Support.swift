import Collector
import Foundation
import Logging
import MemoryModel
import Testing

/// Fixtures live next to this file; tests never read outside the package.
enum Fixture {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func json(_ name: String) throws -> JSONValue {
        try JSONValue.parse(String(decoding: try bytes(name), as: UTF8.self))
    }

    static func items(_ name: String) throws -> [JSONValue] {
        guard case let .array(items)? = try json(name)["items"] else { throw ValidationError("\(name) has no items") }
        return items
    }
}

let testLogger = Logger(label: "cmem.collector.tests", factory: { _ in SwiftLogNoOpLogHandler() })

func makeCollector(_ config: CollectorConfig = CollectorConfig()) -> Collector {
    Collector(config: config, logger: testLogger)
}

/// A fresh temporary directory, removed by the caller with `cleanup`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "cmem-collector-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path).appendingPathComponent(name))
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

// MARK: Editing decoded JSON

extension JSONValue {
    /// A copy with the value at `path` (dot-separated; numbers index arrays) replaced or added.
    func setting(_ path: String, _ value: JSONValue) -> JSONValue {
        setting(path.split(separator: ".").map(String.init)[...], value)
    }

    private func setting(_ path: ArraySlice<String>, _ value: JSONValue) -> JSONValue {
        guard let key = path.first else { return value }
        let rest = path.dropFirst()
        switch self {
        case var .array(items):
            guard let i = Int(key), items.indices.contains(i) else { return self }
            items[i] = items[i].setting(rest, value)
            return .array(items)
        case var .object(pairs):
            if let i = pairs.firstIndex(where: { $0.0 == key }) {
                pairs[i].1 = pairs[i].1.setting(rest, value)
            } else {
                pairs.append((key, JSONValue.object([]).setting(rest, value)))
            }
            return .object(pairs)
        default:
            return JSONValue.object([]).setting(path, value)
        }
    }

    func removing(_ key: String) -> JSONValue {
        if case let .object(pairs) = self { return .object(pairs.filter { $0.0 != key }) }
        return self
    }
}

func list(_ items: [JSONValue]) -> String {
    JSONValue.object([("apiVersion", .string("v1")), ("items", .array(items)), ("kind", .string("List")),
                      ("metadata", .object([("resourceVersion", .string(""))]))]).json
}

// MARK: A small cluster derived from the fixtures

/// Two rounds of a small cluster built from the recorded fixture objects. Round two has, as real changes,
/// an image bump (icx-db), a scale-up (valla), a crash loop (useraccount: the fixture pod verbatim), a
/// removed Service (useraccount-legacy) and an Argo CD application going Degraded; and, as noise, new
/// pod names, new resource versions, timestamps and node heartbeats.
struct Scenario {
    let deploymentFixture: JSONValue
    let crashPod: JSONValue
    let vallaPod: JSONValue
    let nodes: [JSONValue]
    let events: [JSONValue]
    let app: JSONValue

    init() throws {
        deploymentFixture = try Fixture.json("k8s_deployment.json")
        let pods = try Fixture.items("k8s_podlist_crashloop.json")
        crashPod = pods[0]
        vallaPod = pods[1]
        nodes = try Fixture.items("k8s_nodelist.json")
        events = try Fixture.items("k8s_eventlist.json")
        app = try Fixture.json("argocd_application.json")
    }

    func deployment(_ name: String, ns: String, image: String, replicas: Int, ready: Int, revision: Int, rv: Int) -> JSONValue {
        var d = deploymentFixture
            .setting("metadata.name", .string(name)).setting("metadata.namespace", .string(ns))
            .setting("metadata.labels", .object([("app", .string(name))]))
            .setting("metadata.resourceVersion", .string("\(rv)")).setting("metadata.generation", .number(Double(revision)))
            .setting("spec.replicas", .number(Double(replicas)))
            .setting("spec.selector.matchLabels", .object([("app", .string(name))]))
            .setting("spec.template.metadata.labels", .object([("app", .string(name))]))
            .setting("spec.template.spec.containers.0.image", .string(image))
            .setting("spec.template.spec.containers.0.name", .string(name))
            .setting("status.readyReplicas", .number(Double(ready))).setting("status.availableReplicas", .number(Double(ready)))
            .setting("status.replicas", .number(Double(replicas))).setting("status.updatedReplicas", .number(Double(replicas)))
            .setting("status.observedGeneration", .number(Double(revision)))
        // The annotation key has dots: set the whole map.
        d = d.setting("metadata.annotations", .object([("deployment.kubernetes.io/revision", .string("\(revision)"))]))
        if ready == 0 {
            d = d.setting("status.conditions.0.status", .string("False")).setting("status.conditions.0.reason", .string("MinimumReplicasUnavailable"))
        }
        return d
    }

    func replicaSet(of deployment: JSONValue, hash: String, replicas: Int, rv: Int) -> JSONValue {
        let name = deployment["metadata"]!["name"]!.asText
        return deployment
            .setting("kind", .string("ReplicaSet"))
            .setting("metadata.name", .string("\(name)-\(hash)"))
            .setting("metadata.resourceVersion", .string("\(rv)"))
            .setting("metadata.uid", .string("rs-\(hash)-\(rv)"))
            .setting("metadata.ownerReferences", .array([.object([
                ("apiVersion", .string("apps/v1")), ("blockOwnerDeletion", .bool(true)), ("controller", .bool(true)),
                ("kind", .string("Deployment")), ("name", .string(name)), ("uid", .string("6f6143bc-a5f3-11e9-990f-42010a800218")),
            ])]))
            .setting("spec.replicas", .number(Double(replicas)))
            .setting("spec.template.metadata.labels.pod-template-hash", .string(hash))
            .setting("status", .object([("readyReplicas", .number(Double(replicas))), ("replicas", .number(Double(replicas)))]))
    }

    /// A pod in the fixture's shape, healthy unless it is the verbatim crash-looping fixture pod.
    func healthyPod(_ name: String, rs: String, hash: String, ns: String, container: String, image: String, restarts: Int = 0,
                    rv: Int) -> JSONValue {
        vallaPod
            .setting("metadata.name", .string(name)).setting("metadata.generateName", .string("\(rs)-"))
            .setting("metadata.namespace", .string(ns)).setting("metadata.uid", .string("uid-\(name)"))
            .setting("metadata.resourceVersion", .string("\(rv)"))
            .setting("metadata.labels", .object([("name", .string(container)), ("pod-template-hash", .string(hash))]))
            .setting("metadata.ownerReferences.0.name", .string(rs))
            .setting("spec.containers.0.name", .string(container)).setting("spec.containers.0.image", .string(image))
            .setting("status.conditions.1.status", .string("True")).setting("status.conditions.1.lastTransitionTime", .string("2018-03-20T\(rv % 24 + 10):00:00Z"))
            .setting("status.containerStatuses.0.name", .string(container))
            .setting("status.containerStatuses.0.image", .string(image))
            .setting("status.containerStatuses.0.ready", .bool(true))
            .setting("status.containerStatuses.0.restartCount", .number(Double(restarts)))
            .setting("status.containerStatuses.0.state", .object([("running", .object([("startedAt", .string("2018-03-20T14:49:24Z"))]))]))
            .setting("status.containerStatuses.0.lastState", .object([]))
    }

    func namespace(_ name: String, rv: Int) -> JSONValue {
        .object([("apiVersion", .string("v1")), ("kind", .string("Namespace")),
                 ("metadata", .object([("name", .string(name)), ("resourceVersion", .string("\(rv)")), ("uid", .string("ns-\(name)-\(rv)"))])),
                 ("status", .object([("phase", .string("Active"))]))])
    }

    func service(_ name: String, ns: String, rv: Int) -> JSONValue {
        .object([("apiVersion", .string("v1")), ("kind", .string("Service")),
                 ("metadata", .object([("name", .string(name)), ("namespace", .string(ns)), ("resourceVersion", .string("\(rv)")),
                                       ("uid", .string("svc-\(name)-\(rv)"))])),
                 ("spec", .object([("clusterIP", .string("10.96.0.\(name.count)")),
                                   ("ports", .array([.object([("port", .number(80)), ("protocol", .string("TCP")), ("targetPort", .number(9000))])])),
                                   ("selector", .object([("name", .string(name))])), ("type", .string("ClusterIP"))]))])
    }

    func configMap(rv: Int) -> JSONValue {
        .object([("apiVersion", .string("v1")), ("data", .object([("DATABASE_URL", .string("postgres://icx-db:5432/icx"))])),
                 ("kind", .string("ConfigMap")),
                 ("metadata", .object([("name", .string("icx-config")), ("namespace", .string("icx")), ("resourceVersion", .string("\(rv)"))]))])
    }

    static let accountImage = "foo.akkeris.io/akkeris/useraccount-84a01d67-27eb-4ad2-92ea-30b89f722248:0.33"
    static let vallaImage = "foo.akkeris.io/akkeris/valla-d4f7aed3-39ab-481c-8f6e-47187746106f:0.5"

    /// Round one (`second: false`) or two, as file name → contents of a `--from-dir` directory.
    func files(second: Bool) -> [String: String] {
        let rv = second ? 500 : 100
        let icxImage = second ? "postgres:9.6-alpine" : "postgres:9.2-alpine"
        let icx = deployment("icx-db", ns: "icx", image: icxImage, replicas: 1, ready: 1, revision: second ? 2 : 1, rv: rv)
        let account = deployment("useraccount", ns: "perf-stg", image: Scenario.accountImage, replicas: 1, ready: second ? 0 : 1, revision: 1, rv: rv + 1)
        let valla = deployment("valla", ns: "ned", image: Scenario.vallaImage, replicas: second ? 3 : 1, ready: second ? 3 : 1, revision: 1, rv: rv + 2)

        var replicaSets = [
            replicaSet(of: account, hash: "1058445535", replicas: 1, rv: rv),
            replicaSet(of: valla, hash: "2409362411", replicas: second ? 3 : 1, rv: rv),
        ]
        var pods: [JSONValue] = []
        if second {
            replicaSets.append(replicaSet(of: icx, hash: "5f9c8d7b6d", replicas: 1, rv: rv))
            replicaSets.append(replicaSet(of: icx, hash: "7d4b578979", replicas: 0, rv: rv))
            pods.append(healthyPod("icx-db-5f9c8d7b6d-qwxyz", rs: "icx-db-5f9c8d7b6d", hash: "5f9c8d7b6d", ns: "icx", container: "icx-db", image: icxImage, rv: rv))
            pods.append(crashPod) // verbatim: CrashLoopBackOff, restartCount 1
            for suffix in ["b7k2m", "c9p4n", "d2r8s"] {
                pods.append(healthyPod("valla-2409362411-\(suffix)", rs: "valla-2409362411", hash: "2409362411", ns: "ned",
                                       container: "valla", image: Scenario.vallaImage, rv: rv))
            }
        } else {
            replicaSets.append(replicaSet(of: icx, hash: "7d4b578979", replicas: 1, rv: rv))
            pods.append(healthyPod("icx-db-7d4b578979-h2j4k", rs: "icx-db-7d4b578979", hash: "7d4b578979", ns: "icx", container: "icx-db", image: icxImage, rv: rv))
            pods.append(healthyPod("useraccount-1058445535-c5qpt", rs: "useraccount-1058445535", hash: "1058445535", ns: "perf-stg",
                                   container: "useraccount", image: Scenario.accountImage, rv: rv))
            pods.append(healthyPod("valla-2409362411-x2r2c", rs: "valla-2409362411", hash: "2409362411", ns: "ned",
                                   container: "valla", image: Scenario.vallaImage, rv: rv))
        }

        var services = [service("icx-db", ns: "icx", rv: rv), service("useraccount", ns: "perf-stg", rv: rv), service("valla", ns: "ned", rv: rv)]
        if !second { services.append(service("useraccount-legacy", ns: "perf-stg", rv: rv)) }

        let nodes = self.nodes.map { n in
            second ? n.setting("metadata.resourceVersion", .string("600000"))
                .setting("status.conditions.3.lastHeartbeatTime", .string("2019-09-01T00:00:00Z"))
                .setting("status.conditions.0.lastHeartbeatTime", .string("2019-09-01T00:00:00Z")) : n
        }
        var app = self.app
        if second {
            app = app.setting("status.health.status", .string("Degraded"))
                .setting("status.health.lastTransitionTime", .string("2025-09-04T03:00:00Z"))
                .setting("status.reconciledAt", .string("2025-09-04T03:01:00Z"))
                .setting("metadata.resourceVersion", .string("3925000")).setting("metadata.generation", .number(9950))
        }
        let namespaces = ["icx", "perf-stg", "ned", "argocd", "devops"].map { namespace($0, rv: rv) }
        return [
            "namespaces.json": list(namespaces),
            "nodes.json": list(nodes),
            "deployments.json": list([icx, account, valla]),
            "replicasets.json": list(replicaSets),
            "pods.json": list(pods),
            "services.json": list(services),
            "configmaps.json": list([configMap(rv: rv)]),
            "events.json": list(events),
            // `argocd app list -o json` prints a bare array.
            "applications.json": JSONValue.array([app]).json,
        ]
    }

    func directory(second: Bool, replacing overrides: [String: String?] = [:]) throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        var files = files(second: second)
        for (name, text) in overrides { files[name] = text }
        for (name, text) in files { try dir.write(name, text) }
        return dir
    }

    func snapshot(second: Bool, config: CollectorConfig = CollectorConfig(), replacing overrides: [String: String?] = [:]) async throws -> InfraSnapshot {
        let dir = try directory(second: second, replacing: overrides)
        defer { dir.cleanup() }
        return await makeCollector(config).collect(from: DirectorySource(directory: dir.path, complete: true))
    }
}

extension JSONValue {
    var asText: String {
        if case let .string(s) = self { return s }
        return json
    }
}

extension Array where Element == TimelineEvent {
    func ofType(_ type: String) -> [TimelineEvent] { filter { $0.type == type } }
}
