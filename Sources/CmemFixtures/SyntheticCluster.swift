import Collector
import Foundation
import MemoryModel

/// A synthetic cluster in the shapes `kubectl get KIND -A -o json` prints (modelled on the recorded
/// fixtures: a k9s Deployment, akkeris pods, a minikube node, an Argo CD application), for benchmarks and
/// end-to-end tests. The same `pods` and `seed` always give the same bytes.
///
/// `changed: true` gives the "one round later" cluster: about 10% of pods have new names (pod churn, not a
/// change), every resource version moved, and a known set of real changes happened (see `expectedChanges`).
public enum SyntheticCluster {
    /// How many of each change `make(pods:seed:changed: true)` contains, relative to `changed: false`.
    public struct Changes: Sendable, Equatable {
        public var imageBumps = 0
        public var scaleUps = 0
        public var crashLoops = 0
        public var removedServices = 0
        public var degradedApplications = 0
    }

    /// Raw outputs by kind. About `pods` pods in Deployments of five, one Service per Deployment, one
    /// Namespace and one Argo CD application per hundred pods, and a node per hundred pods.
    public static func make(pods: Int, seed: UInt64 = 1, changed: Bool = false) -> [InfraKind: [UInt8]] {
        var g = Generator(pods: max(1, pods), seed: seed, changed: changed)
        return g.build()
    }

    /// `make` as source results, ready for `Collector.snapshot(from:)`.
    public static func results(pods: Int, seed: UInt64 = 1, changed: Bool = false) -> [InfraKind: SourceResult] {
        make(pods: pods, seed: seed, changed: changed).mapValues { .data($0) }
    }

    /// Writes `make`'s outputs as a `--from-dir` directory.
    public static func write(_ outputs: [InfraKind: [UInt8]], to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (kind, bytes) in outputs {
            try Data(bytes).write(to: URL(fileURLWithPath: directory).appendingPathComponent("\(kind.rawValue).json"))
        }
    }

    /// The real changes between `changed: false` and `changed: true` for this size.
    public static func expectedChanges(pods: Int) -> Changes {
        let layout = Layout(pods: max(1, pods))
        var c = Changes()
        for d in 0..<layout.deployments {
            if Layout.isImageBump(d) { c.imageBumps += 1 }
            if Layout.isScaleUp(d) { c.scaleUps += 1 }
            if Layout.isCrashLoop(d) { c.crashLoops += 1 }
            if Layout.isRemovedService(d) { c.removedServices += 1 }
        }
        for a in 0..<layout.namespaces where Layout.isDegradedApp(a) { c.degradedApplications += 1 }
        return c
    }

    struct Layout {
        let pods: Int
        let deployments: Int
        let namespaces: Int
        let nodes: Int

        init(pods: Int) {
            self.pods = pods
            deployments = max(1, pods / 5)
            namespaces = max(1, pods / 100)
            nodes = max(1, pods / 100)
        }

        func replicas(_ d: Int) -> Int { d == deployments - 1 ? max(1, pods - 5 * (deployments - 1)) : 5 }
        static func isImageBump(_ d: Int) -> Bool { d % 97 == 10 }
        static func isScaleUp(_ d: Int) -> Bool { d % 89 == 20 }
        static func isCrashLoop(_ d: Int) -> Bool { d % 83 == 30 }
        static func isRemovedService(_ d: Int) -> Bool { d % 79 == 40 }
        static func isDegradedApp(_ a: Int) -> Bool { a % 7 == 3 }
    }

    struct Generator {
        let layout: Layout
        let seed: UInt64
        let changed: Bool
        var churn: SplitMix64

        init(pods: Int, seed: UInt64, changed: Bool) {
            layout = Layout(pods: pods)
            self.seed = seed
            self.changed = changed
            churn = SplitMix64(seed: seed &+ 0x5eed)
        }

        static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")

        func token(_ parts: UInt64..., length: Int) -> String {
            var rng = SplitMix64(seed: parts.reduce(seed) { $0 &* 0x100000001b3 ^ $1 })
            return String((0..<length).map { _ in Generator.alphabet[Int(rng.next() % UInt64(Generator.alphabet.count))] })
        }

        func uid(_ parts: UInt64...) -> String {
            var rng = SplitMix64(seed: parts.reduce(seed ^ 0xabcdef) { $0 &* 31 ^ $1 })
            let hex = (0..<4).map { _ in String(rng.next(), radix: 16) }.joined()
            let h = Array(hex.padding(toLength: 32, withPad: "0", startingAt: 0))
            return "\(String(h[0..<8]))-\(String(h[8..<12]))-\(String(h[12..<16]))-\(String(h[16..<20]))-\(String(h[20..<32]))"
        }

        var resourceVersion: Int { changed ? 2_000_000 : 1_000_000 }

        func namespace(_ d: Int) -> String {
            let k = d % layout.namespaces
            return k % 10 == 9 ? "layer-\(k)" : "team-\(k)"
        }

        func deploymentName(_ d: Int) -> String {
            if d % 50 == 7 { return "tools-\(d)-mcp-server" }
            if d % 70 == 11 { return "planner-\(d)-agent" }
            return "svc-\(d)"
        }

        mutating func build() -> [InfraKind: [UInt8]] {
            var deployments: [JSONValue] = [], replicaSets: [JSONValue] = [], pods: [JSONValue] = []
            var services: [JSONValue] = [], configMaps: [JSONValue] = [], events: [JSONValue] = []
            for d in 0..<layout.deployments {
                let name = deploymentName(d), ns = namespace(d)
                let bumped = changed && Layout.isImageBump(d)
                let revision = bumped ? 2 : 1
                var replicas = layout.replicas(d)
                if changed && Layout.isScaleUp(d) { replicas += 2 }
                let crash = changed && Layout.isCrashLoop(d)
                let image = "registry.example.com/\(name):\(bumped ? "1.1.0" : "1.0.0")"
                let hash = token(UInt64(d), UInt64(revision), length: 10)
                let rsName = "\(name)-\(hash)"
                let ready = crash ? replicas - 1 : replicas
                deployments.append(deployment(d, name: name, ns: ns, image: image, replicas: replicas, ready: ready, revision: revision))
                replicaSets.append(replicaSet(d, name: rsName, deployment: name, ns: ns, image: image, replicas: replicas, ready: ready, hash: hash, revision: revision))
                if revision > 1 {
                    let oldHash = token(UInt64(d), 1, length: 10)
                    replicaSets.append(replicaSet(d, name: "\(name)-\(oldHash)", deployment: name, ns: ns,
                                                  image: "registry.example.com/\(name):1.0.0", replicas: 0, ready: 0, hash: oldHash, revision: 1))
                }
                for p in 0..<replicas {
                    var suffix = token(UInt64(d), UInt64(revision), UInt64(p), length: 5)
                    if changed, churn.next() % 10 == 0 { suffix = token(UInt64(d), UInt64(p), churn.next(), length: 5) }
                    let podName = "\(rsName)-\(suffix)"
                    let crashing = crash && p == 0
                    pods.append(pod(d, p, name: podName, rs: rsName, ns: ns, container: name, image: image, hash: hash, crash: crashing,
                                    restarts: crashing ? 7 : (d % 13 == 0 && p < layout.replicas(d) ? 1 : 0)))
                    if crashing {
                        events.append(event(d, kind: "Pod", ns: ns, name: podName, reason: "BackOff", type: "Warning",
                                            message: "Back-off restarting failed container"))
                    }
                }
                if !(changed && Layout.isRemovedService(d)) { services.append(service(d, name: name, ns: ns)) }
                if d % 5 == 0 { configMaps.append(configMap(d, name: "\(name)-config", ns: ns)) }
                if d % 10 == 0 {
                    events.append(event(d, kind: "Pod", ns: ns, name: "\(rsName)-\(token(UInt64(d), 99, length: 5))", reason: "Pulled",
                                        type: "Normal", message: "Successfully pulled image \"\(image)\""))
                }
            }
            var namespaces: [JSONValue] = [], apps: [JSONValue] = []
            for k in 0..<layout.namespaces {
                let ns = k % 10 == 9 ? "layer-\(k)" : "team-\(k)"
                namespaces.append(namespace(k, name: ns))
                apps.append(application(k, ns: ns, degraded: changed && Layout.isDegradedApp(k)))
            }
            let nodes = (0..<layout.nodes).map { node($0) }
            func list(_ items: [JSONValue]) -> [UInt8] {
                Array(JSONValue.object([("apiVersion", .string("v1")), ("items", .array(items)), ("kind", .string("List")),
                                        ("metadata", .object([("resourceVersion", .string(""))]))]).json.utf8)
            }
            return [
                .namespaces: list(namespaces), .nodes: list(nodes), .deployments: list(deployments), .replicasets: list(replicaSets),
                .pods: list(pods), .services: list(services), .configmaps: list(configMaps), .events: list(events),
                .applications: list(apps),
            ]
        }

        // MARK: Objects, in the fixtures' shapes

        func meta(_ name: String, _ ns: String?, _ n: Int, labels: [(String, JSONValue)] = [], extra: [(String, JSONValue)] = []) -> JSONValue {
            var pairs: [(String, JSONValue)] = [("creationTimestamp", .string("2025-01-0\(n % 9 + 1)T04:54:17Z")),
                                                ("labels", .object(labels)), ("name", .string(name))]
            if let ns { pairs.append(("namespace", .string(ns))) }
            pairs += [("resourceVersion", .string("\(resourceVersion + n)")), ("uid", .string(uid(UInt64(n), UInt64(name.utf8.count))))]
            return .object(pairs + extra)
        }

        func container(_ name: String, image: String) -> JSONValue {
            .object([
                ("env", .array([
                    .object([("name", .string("LOG_LEVEL")), ("value", .string("info"))]),
                    .object([("name", .string("DB_PASSWORD")), ("valueFrom", .object([("secretKeyRef", .object([("key", .string("pwd")), ("name", .string("\(name)-creds"))]))]))]),
                ])),
                ("image", .string(image)), ("imagePullPolicy", .string("IfNotPresent")), ("name", .string(name)),
                ("ports", .array([.object([("containerPort", .number(8080)), ("name", .string("http")), ("protocol", .string("TCP"))])])),
                ("resources", .object([("limits", .object([("cpu", .string("250m")), ("memory", .string("512Mi"))])),
                                       ("requests", .object([("cpu", .string("100m")), ("memory", .string("256Mi"))]))])),
                ("terminationMessagePath", .string("/dev/termination-log")), ("terminationMessagePolicy", .string("File")),
            ])
        }

        func labels(_ name: String, hash: String? = nil) -> [(String, JSONValue)] {
            var l: [(String, JSONValue)] = [("app", .string(name)), ("app.kubernetes.io/name", .string(name))]
            if name.hasSuffix("-mcp-server") { l.append(("app.kubernetes.io/component", .string("mcp-server"))) }
            if let hash { l.append(("pod-template-hash", .string(hash))) }
            return l
        }

        func template(_ name: String, image: String, hash: String? = nil) -> JSONValue {
            .object([
                ("metadata", .object([("creationTimestamp", .null), ("labels", .object(labels(name, hash: hash)))])),
                ("spec", .object([("containers", .array([container(name, image: image)])), ("dnsPolicy", .string("ClusterFirst")),
                                  ("restartPolicy", .string("Always")), ("schedulerName", .string("default-scheduler")),
                                  ("securityContext", .object([])), ("terminationGracePeriodSeconds", .number(30))])),
            ])
        }

        func condition(_ type: String, _ status: Bool, reason: String, message: String) -> JSONValue {
            .object([("lastTransitionTime", .string(changed ? "2025-02-01T10:00:00Z" : "2025-01-01T10:00:00Z")),
                     ("lastUpdateTime", .string(changed ? "2025-02-01T10:00:01Z" : "2025-01-01T10:00:01Z")),
                     ("message", .string(message)), ("reason", .string(reason)), ("status", .string(status ? "True" : "False")),
                     ("type", .string(type))])
        }

        func deployment(_ d: Int, name: String, ns: String, image: String, replicas: Int, ready: Int, revision: Int) -> JSONValue {
            .object([
                ("apiVersion", .string("apps/v1")), ("kind", .string("Deployment")),
                ("metadata", meta(name, ns, d, labels: labels(name), extra: [
                    ("annotations", .object([("deployment.kubernetes.io/revision", .string("\(revision)"))])),
                    ("generation", .number(Double(revision + (changed ? 3 : 0)))),
                ])),
                ("spec", .object([
                    ("progressDeadlineSeconds", .number(600)), ("replicas", .number(Double(replicas))), ("revisionHistoryLimit", .number(2)),
                    ("selector", .object([("matchLabels", .object([("app", .string(name))]))])),
                    ("strategy", .object([("rollingUpdate", .object([("maxSurge", .string("25%")), ("maxUnavailable", .string("25%"))])),
                                          ("type", .string("RollingUpdate"))])),
                    ("template", template(name, image: image)),
                ])),
                ("status", .object([
                    ("availableReplicas", .number(Double(ready))),
                    ("conditions", .array([
                        condition("Available", ready > 0, reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability."),
                        condition("Progressing", true, reason: "NewReplicaSetAvailable", message: "ReplicaSet has successfully progressed."),
                    ])),
                    ("observedGeneration", .number(Double(revision + (changed ? 3 : 0)))),
                    ("readyReplicas", .number(Double(ready))), ("replicas", .number(Double(replicas))),
                    ("updatedReplicas", .number(Double(replicas))),
                ])),
            ])
        }

        func ownerRef(kind: String, name: String, n: Int) -> JSONValue {
            .array([.object([("apiVersion", .string("apps/v1")), ("blockOwnerDeletion", .bool(true)), ("controller", .bool(true)),
                             ("kind", .string(kind)), ("name", .string(name)), ("uid", .string(uid(UInt64(n), 7)))])])
        }

        func replicaSet(_ d: Int, name: String, deployment: String, ns: String, image: String, replicas: Int, ready: Int, hash: String,
                        revision: Int) -> JSONValue {
            .object([
                ("apiVersion", .string("apps/v1")), ("kind", .string("ReplicaSet")),
                ("metadata", meta(name, ns, d, labels: labels(deployment, hash: hash), extra: [
                    ("annotations", .object([("deployment.kubernetes.io/revision", .string("\(revision)"))])),
                    ("ownerReferences", ownerRef(kind: "Deployment", name: deployment, n: d)),
                ])),
                ("spec", .object([("replicas", .number(Double(replicas))),
                                  ("selector", .object([("matchLabels", .object([("app", .string(deployment)), ("pod-template-hash", .string(hash))]))])),
                                  ("template", template(deployment, image: image, hash: hash))])),
                ("status", .object([("availableReplicas", .number(Double(ready))), ("readyReplicas", .number(Double(ready))),
                                    ("replicas", .number(Double(replicas)))])),
            ])
        }

        func pod(_ d: Int, _ p: Int, name: String, rs: String, ns: String, container c: String, image: String, hash: String,
                 crash: Bool, restarts: Int) -> JSONValue {
            let t = changed ? "2025-02-01T10:00:00Z" : "2025-01-01T10:00:00Z"
            func cond(_ type: String, _ ok: Bool) -> JSONValue {
                .object([("lastProbeTime", .null), ("lastTransitionTime", .string(t)), ("status", .string(ok ? "True" : "False")),
                         ("type", .string(type))])
            }
            let state: JSONValue = crash
                ? .object([("waiting", .object([("message", .string("back-off 5m0s restarting failed container=\(c) pod=\(name)_\(ns)(\(uid(UInt64(d), UInt64(p))))")),
                                                 ("reason", .string("CrashLoopBackOff"))]))])
                : .object([("running", .object([("startedAt", .string(t))]))])
            var status: [(String, JSONValue)] = [
                ("conditions", .array([cond("Initialized", true), cond("Ready", !crash), cond("ContainersReady", !crash), cond("PodScheduled", true)])),
                ("containerStatuses", .array([.object([
                    ("containerID", .string("containerd://\(uid(UInt64(d), UInt64(p), 3))")), ("image", .string(image)),
                    ("imageID", .string("")),
                    ("lastState", crash ? .object([("terminated", .object([("containerID", .string("containerd://x")), ("exitCode", .number(255)),
                                                                         ("finishedAt", .string(t)), ("reason", .string("Error")),
                                                                         ("startedAt", .string(t))]))]) : .object([])),
                    ("name", .string(c)), ("ready", .bool(!crash)), ("restartCount", .number(Double(restarts))), ("started", .bool(!crash)),
                    ("state", state),
                ])])),
            ]
            status += [("hostIP", .string("10.0.\(d % 250).\(p % 250)")), ("phase", .string("Running")),
                       ("podIP", .string("10.2.\(d % 250).\(p % 250)")), ("qosClass", .string("Burstable")), ("startTime", .string(t))]
            return .object([
                ("apiVersion", .string("v1")), ("kind", .string("Pod")),
                ("metadata", meta(name, ns, d * 10 + p, labels: labels(c, hash: hash), extra: [
                    ("generateName", .string("\(rs)-")), ("ownerReferences", ownerRef(kind: "ReplicaSet", name: rs, n: d)),
                ])),
                ("spec", .object([("containers", .array([container(c, image: image)])), ("nodeName", .string("node-\(d % layout.nodes)")),
                                  ("restartPolicy", .string("Always")), ("schedulerName", .string("default-scheduler"))])),
                ("status", .object(status)),
            ])
        }

        func service(_ d: Int, name: String, ns: String) -> JSONValue {
            .object([
                ("apiVersion", .string("v1")), ("kind", .string("Service")),
                ("metadata", meta(name, ns, d, labels: labels(name))),
                ("spec", .object([("clusterIP", .string("10.96.\(d / 250).\(d % 250)")),
                                  ("ports", .array([.object([("name", .string("http")), ("port", .number(80)), ("protocol", .string("TCP")),
                                                             ("targetPort", .number(8080))])])),
                                  ("selector", .object([("app", .string(name))])), ("sessionAffinity", .string("None")),
                                  ("type", .string("ClusterIP"))])),
                ("status", .object([("loadBalancer", .object([]))])),
            ])
        }

        func configMap(_ d: Int, name: String, ns: String) -> JSONValue {
            .object([("apiVersion", .string("v1")),
                     ("data", .object([("config.yaml", .string("replicas: 5\nfeature: on\n")), ("LOG_LEVEL", .string("info"))])),
                     ("kind", .string("ConfigMap")), ("metadata", meta(name, ns, d))])
        }

        func event(_ d: Int, kind: String, ns: String, name: String, reason: String, type: String, message: String) -> JSONValue {
            let t = changed ? "2025-02-01T10:00:00Z" : "2025-01-01T10:00:00Z"
            return .object([
                ("apiVersion", .string("v1")), ("count", .number(Double(changed ? 5 : 1))), ("eventTime", .null), ("firstTimestamp", .string(t)),
                ("involvedObject", .object([("apiVersion", .string("v1")), ("fieldPath", .string("spec.containers{\(name)}")),
                                            ("kind", .string(kind)), ("name", .string(name)), ("namespace", .string(ns)),
                                            ("resourceVersion", .string("\(resourceVersion)")), ("uid", .string(uid(UInt64(d), 5)))])),
                ("kind", .string("Event")), ("lastTimestamp", .string(t)), ("message", .string(message)),
                ("metadata", meta("\(name).\(token(UInt64(d), 42, length: 16))", ns, d)),
                ("reason", .string(reason)), ("reportingComponent", .string("")), ("reportingInstance", .string("")),
                ("source", .object([("component", .string("kubelet")), ("host", .string("node-\(d % layout.nodes)"))])),
                ("type", .string(type)),
            ])
        }

        func namespace(_ k: Int, name: String) -> JSONValue {
            .object([("apiVersion", .string("v1")), ("kind", .string("Namespace")),
                     ("metadata", meta(name, nil, k, labels: [("kubernetes.io/metadata.name", .string(name))])),
                     ("spec", .object([("finalizers", .array([.string("kubernetes")]))])),
                     ("status", .object([("phase", .string("Active"))]))])
        }

        func node(_ k: Int) -> JSONValue {
            let hb = changed ? "2025-02-01T04:43:11Z" : "2025-01-01T04:43:11Z"
            func cond(_ type: String, _ status: String, _ reason: String, _ message: String) -> JSONValue {
                .object([("lastHeartbeatTime", .string(hb)), ("lastTransitionTime", .string("2024-12-26T21:52:06Z")),
                         ("message", .string(message)), ("reason", .string(reason)), ("status", .string(status)), ("type", .string(type))])
            }
            return .object([
                ("apiVersion", .string("v1")), ("kind", .string("Node")),
                ("metadata", meta("node-\(k)", nil, k, labels: [("kubernetes.io/hostname", .string("node-\(k)")), ("kubernetes.io/os", .string("linux"))])),
                ("spec", .object([])),
                ("status", .object([
                    ("allocatable", .object([("cpu", .string("4")), ("memory", .string("8063156Ki")), ("pods", .string("110"))])),
                    ("conditions", .array([
                        cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                        cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                        cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                        cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
                    ])),
                    ("nodeInfo", .object([("architecture", .string("amd64")), ("kubeletVersion", .string("v1.30.2")),
                                          ("operatingSystem", .string("linux"))])),
                ])),
            ])
        }

        func application(_ k: Int, ns: String, degraded: Bool) -> JSONValue {
            let revision = String(repeating: "39313e1c4af397986a5e1bbb53bde6fef15d6a50", count: 1)
            return .object([
                ("apiVersion", .string("argoproj.io/v1alpha1")), ("kind", .string("Application")),
                ("metadata", meta(ns, "argocd", k, extra: [("generation", .number(Double(changed ? 9921 : 9900)))])),
                ("spec", .object([("destination", .object([("namespace", .string(ns)), ("server", .string("https://kubernetes.default.svc"))])),
                                  ("project", .string("default")),
                                  ("source", .object([("path", .string("apps/\(ns)")), ("repoURL", .string("https://git.example.com/platform.git")),
                                                      ("targetRevision", .string("HEAD"))]))])),
                ("status", .object([
                    ("health", .object([("lastTransitionTime", .string("2025-01-01T07:55:07Z")), ("status", .string(degraded ? "Degraded" : "Healthy"))])),
                    ("operationState", .object([("finishedAt", .string("2025-01-01T07:52:14Z")), ("message", .string("successfully synced (all tasks run)")),
                                                ("operation", .object([("sync", .object([("revision", .string(revision))]))])),
                                                ("phase", .string("Succeeded")), ("startedAt", .string("2025-01-01T07:52:13Z")),
                                                ("syncResult", .object([("revision", .string(revision))]))])),
                    ("reconciledAt", .string(changed ? "2025-02-01T02:16:46Z" : "2025-01-01T02:16:46Z")),
                    ("sync", .object([("revision", .string(revision)), ("status", .string("Synced"))])),
                ])),
            ])
        }
    }
}
