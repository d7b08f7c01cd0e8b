import Collector
import MemoryModel

/// Kubernetes Warning Events on the pods of a `SyntheticCluster`, for the collector's benchmarks: as an
/// EventList (`kubectl get events -A -o json`) or as the lines of the API's watch. Event `i` is on pod
/// `i % pods`, with one of the reasons a cluster in trouble shows; every tenth line of a watch repeats an
/// earlier Event with its count raised, as the kubelet does for a BackOff.
public enum SyntheticEvents {
    static let reasons = ["BackOff", "Unhealthy", "FailedScheduling", "FailedMount", "OOMKilling", "Evicted", "FailedPull",
                          "ProbeWarning", "FailedCreatePodSandBox", "NodeNotReady"]

    /// The names and namespaces of the cluster's pods, read from its pod list.
    public static func pods(of outputs: [InfraKind: [UInt8]]) -> [(namespace: String, name: String)] {
        guard let bytes = outputs[.pods], let list = try? JSONValue.parse(String(decoding: bytes, as: UTF8.self)),
              case let .array(items)? = list["items"] else { return [] }
        return items.compactMap { item in
            guard let name = item["metadata"]?["name"]?.stringValue, let ns = item["metadata"]?["namespace"]?.stringValue else { return nil }
            return (ns, name)
        }
    }

    /// Event `i` (distinct uid per `i`) with `count`, last seen at `time`.
    public static func event(_ i: Int, pods: [(namespace: String, name: String)], count: Int, time: Timestamp, resourceVersion: Int) -> JSONValue {
        let pod = pods[i % pods.count]
        let reason = reasons[i % reasons.count]
        let uid = String(format: "%08x-0000-4000-8000-%012x", i, i &* 2_654_435_761 & 0xFFFF_FFFF_FFFF)
        return .object([
            ("apiVersion", .string("v1")), ("kind", .string("Event")), ("type", .string("Warning")), ("reason", .string(reason)),
            ("count", .number(Double(count))),
            ("message", .string("\(reason) on \(pod.name) (synthetic event \(i))")),
            ("firstTimestamp", .string(time.iso8601)), ("lastTimestamp", .string(time.iso8601)), ("eventTime", .null),
            ("involvedObject", .object([("apiVersion", .string("v1")), ("kind", .string("Pod")), ("name", .string(pod.name)),
                                        ("namespace", .string(pod.namespace))])),
            ("metadata", .object([("name", .string("\(pod.name).\(String(i, radix: 16))")), ("namespace", .string(pod.namespace)),
                                  ("uid", .string(uid)), ("resourceVersion", .string("\(resourceVersion)"))])),
            ("source", .object([("component", .string("kubelet"))])),
        ])
    }

    /// `count` Events as an EventList.
    public static func list(_ count: Int, pods: [(namespace: String, name: String)], time: Timestamp) -> [UInt8] {
        let items = (0..<count).map { event($0, pods: pods, count: 1 + $0 % 40, time: time, resourceVersion: 3_000_000 + $0) }
        return Array(JSONValue.object([("apiVersion", .string("v1")), ("items", .array(items)), ("kind", .string("List")),
                                       ("metadata", .object([("resourceVersion", .string(""))]))]).json.utf8)
    }

    /// Watch line `n`: a new Event, or (every tenth line) an earlier one with its count raised. Returns the
    /// line and the index of the Event it is about.
    public static func watchLine(_ n: Int, pods: [(namespace: String, name: String)], time: Timestamp) -> (line: String, event: Int, isNew: Bool) {
        let repeatLine = n % 10 == 9
        let index = repeatLine ? (n / 10) * 9 : n - n / 10
        let e = event(index, pods: pods, count: repeatLine ? 2 + n : 1, time: time, resourceVersion: 4_000_000 + n)
        let line = JSONValue.object([("type", .string(repeatLine ? "MODIFIED" : "ADDED")), ("object", e)]).json
        return (line, index, !repeatLine)
    }
}
