import Foundation
import MemoryModel

/// Follows Kubernetes Events as the API's watch streams them (`kubectl get --raw
/// '/api/v1/events?watch=true&resourceVersion=RV'`: one `{"type": ADDED|MODIFIED|DELETED|BOOKMARK|ERROR,
/// "object": …}` per line) and turns them into timeline events.
///
/// - **One timeline event per Kubernetes Event**, by its uid: a Warning event becomes an `alert` on its
///   owning workload (pod → ReplicaSet → Deployment) when first seen; its count rising (a BackOff repeated
///   40 times is one Event whose count goes to 40) adds no event but raises that event's `details.count`
///   (`countUpdates`, written by the runner's caller in place). The
///   event's ID derives from the uid, so replaying the stream after a restart records nothing twice.
/// - **Resuming**: the state keeps the last resourceVersion seen; the next watch starts from it.
/// - **Gaps**: when events may have been missed, the timeline says so with a `collector_gap` event: the API
///   answered that the resourceVersion is too old (410 Gone), or the watch was not running for longer than
///   the cluster keeps Events (an hour by default).
///
/// Pure: it reads lines and returns events; `EventWatchRunner` runs kubectl and records them.
public struct EventWatch: Sendable {
    /// What survives a restart (kept machine-local beside the memory repository, `.git/cmem/collector/`).
    public struct State: Sendable, Equatable {
        public var resourceVersion: String?
        /// When the watch last heard from the API (an event, a bookmark, or a clean end of stream).
        public var lastContact: Timestamp?
        /// uid → the count last seen, for the Events already recorded (the newest `maxKnown`).
        public var counts: [String: Int] = [:]
        /// uids in the order first seen, to forget the oldest.
        public var order: [String] = []
        /// uid → the ID of the timeline event recorded for it, to raise its count there.
        public var ids: [String: String] = [:]

        public init() {}

        /// As kept on disk: `{"resource_version", "last_contact", "seen": [[uid, count], …]}` (oldest first).
        public var json: JSONValue {
            .object([
                ("resource_version", resourceVersion.map { .string($0) } ?? .null),
                ("last_contact", lastContact.map { .string($0.iso8601) } ?? .null),
                ("seen", .array(order.map { uid in
                    .array([.string(uid), .number(Double(counts[uid] ?? 1))] + (ids[uid].map { [.string($0)] } ?? []))
                })),
            ])
        }

        /// Reads what `json` wrote; anything unreadable is a fresh state (the next watch says what it missed).
        public init(json v: JSONValue) {
            resourceVersion = v["resource_version"]?.asString
            lastContact = v["last_contact"]?.asString.flatMap(Timestamp.init(iso8601:))
            for pair in v["seen"]?.asArray ?? [] {
                let items = pair.asArray
                guard items.count >= 2, let uid = items[0].asString, counts[uid] == nil else { continue }
                counts[uid] = items[1].asInt ?? 1
                if items.count >= 3, let id = items[2].asString { ids[uid] = id }
                order.append(uid)
            }
        }
    }

    /// How long the cluster keeps Events (kube-apiserver `--event-ttl`, 1 h by default): a watch stopped for
    /// longer has certainly missed some.
    public var eventTTLSeconds: Int64
    public static let maxKnown = 50_000
    public var state: State

    /// A recorded event whose Kubernetes Event repeated: its count and when it was last seen.
    public struct CountUpdate: Sendable, Equatable {
        public var id: String
        public var count: Int
        public var lastSeen: String?

        public init(id: String, count: Int, lastSeen: String?) {
            self.id = id
            self.count = count
            self.lastSeen = lastSeen
        }
    }

    /// Counts that rose since `takeCountUpdates` was last called, by event ID (the latest wins).
    public private(set) var countUpdates: [String: CountUpdate] = [:]

    public mutating func takeCountUpdates() -> [CountUpdate] {
        defer { countUpdates = [:] }
        return countUpdates.keys.sorted().map { countUpdates[$0]! }
    }

    /// Puts back updates that could not be recorded (newer ones already taken win).
    public mutating func restore(_ updates: [CountUpdate]) {
        for u in updates where (countUpdates[u.id]?.count ?? 0) < u.count { countUpdates[u.id] = u }
    }
    var builder: SnapshotBuilder

    public init(config: CollectorConfig = CollectorConfig(), state: State = State(), eventTTLSeconds: Int64 = 3600) {
        self.state = state
        self.eventTTLSeconds = eventTTLSeconds
        builder = SnapshotBuilder(config: config)
    }

    /// The watch's path on the API server, resuming from the last resourceVersion when there is one.
    public var watchPath: String {
        var path = "/api/v1/events?watch=true&allowWatchBookmarks=true"
        if let rv = state.resourceVersion, !rv.isEmpty, rv.allSatisfy({ $0.isLetter || $0.isNumber }) { path += "&resourceVersion=\(rv)" }
        return path
    }

    /// Called when a watch starts: a gap entry when the last one ended longer ago than Events live.
    public mutating func starting(at now: Timestamp) -> [TimelineEvent] {
        guard let last = state.lastContact, now.milliseconds - last.milliseconds > eventTTLSeconds * 1000 else { return [] }
        state.resourceVersion = nil
        let minutes = (now.milliseconds - last.milliseconds) / 60_000
        return [gap(from: last, to: now, why: "the event watch was not running for \(minutes) min, longer than the cluster keeps Events")]
    }

    /// One line of the watch stream; returns the timeline events it adds.
    public mutating func ingest(line: String, at now: Timestamp) -> [TimelineEvent] {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, let value = try? JSONValue.parse(trimmed, maxDepth: 64) else { return [] }
        return ingest(value, at: now)
    }

    public mutating func ingest(_ value: JSONValue, at now: Timestamp) -> [TimelineEvent] {
        // `kubectl get events --watch -o json` prints bare Event objects; the API's watch wraps them.
        let type = value["type"]?.asString ?? ""
        let object = value["object"] ?? value
        switch value["object"] == nil ? "ADDED" : type {
        case "ERROR":
            // A Status: 410 Gone (or Expired) means the resourceVersion is too old; start again from now.
            let code = object["code"]?.asInt
            let reason = object["reason"]?.asString ?? ""
            let message = object["message"]?.asString ?? "the watch failed"
            let since = state.lastContact ?? now
            state.resourceVersion = nil
            if code == 410 || reason == "Gone" || reason == "Expired" {
                return [gap(from: since, to: now, why: "the API no longer had the events after the last one seen (\(message))")]
            }
            return []
        case "BOOKMARK":
            if let rv = object.at("metadata", "resourceVersion")?.asString { state.resourceVersion = rv }
            state.lastContact = now
            return []
        case "DELETED":
            // Events expire from the cluster; the timeline keeps them.
            if let rv = object.at("metadata", "resourceVersion")?.asString { state.resourceVersion = rv }
            return []
        default:
            if let rv = object.at("metadata", "resourceVersion")?.asString { state.resourceVersion = rv }
            state.lastContact = now
            return event(object).map { [$0] } ?? []
        }
    }

    /// An Event object: a timeline event the first time its uid is seen (Warnings only); a rising count
    /// only updates the state.
    mutating func event(_ obj: JSONValue) -> TimelineEvent? {
        guard obj["kind"]?.asString ?? "Event" == "Event",
              let uid = obj.at("metadata", "uid")?.asString ?? obj.at("metadata", "name")?.asString else { return nil }
        let count = obj["count"]?.asInt ?? obj.at("series", "count")?.asInt ?? 1
        if let known = state.counts[uid] {
            if count > known {
                state.counts[uid] = count
                if let id = state.ids[uid] { countUpdates[id] = CountUpdate(id: id, count: count, lastSeen: obj["lastTimestamp"]?.asString) }
            }
            return nil
        }
        guard let alert = builder.alert(obj, workloads: Workloads(builder: builder)) else { return nil }
        let time = Self.time(obj) ?? Timestamp.now()
        let id = Identifier.derived(.event, at: time, content: "k8s-event\u{1}\(uid)")
        remember(uid, count: count, id: id)
        let message = obj["message"]?.asString ?? obj["note"]?.asString ?? ""
        let involved = obj["involvedObject"] ?? obj["regarding"] ?? .object([])
        var details: [(String, JSONValue)] = [
            ("reason", .string(alert.reason)), ("component", .string(alert.component)), ("kind", .string(alert.kind)),
        ]
        if let ns = alert.namespace { details.append(("namespace", .string(ns))) }
        details += [
            ("object", .string("\(involved["kind"]?.asString ?? "?")/\(involved["name"]?.asString ?? "?")")),
            ("message", .string(String(message.prefix(1024)))),
            ("count", .number(Double(count))),
            ("uid", .string(uid)),
        ]
        if let first = obj["firstTimestamp"]?.asString { details.append(("first_seen", .string(first))) }
        let serious: Set<String> = ["OOMKilling", "OOMKilled", "SystemOOM", "Evicted", "NodeNotReady", "FailedMount", "FailedAttachVolume"]
        let label = "\(alert.kind) \(alert.namespace.map { "\($0)/" } ?? "")\(alert.name)"
        let text = "Kubernetes warning \(alert.reason) on \(label)" + (message.isEmpty ? "" : ": \(message.prefix(300))")
        let name = Identifier.isSafeName(alert.name, maxLength: 253) ? [alert.name] : []
        return TimelineEvent(id: id, timestamp: time, type: "alert",
                             source: "kubernetes", description: text, details: .object(details), components: name,
                             severity: serious.contains(alert.reason) ? .error : .warning)
    }

    mutating func remember(_ uid: String, count: Int, id: String) {
        state.counts[uid] = count
        state.ids[uid] = id
        state.order.append(uid)
        if state.order.count > EventWatch.maxKnown + EventWatch.maxKnown / 10 {
            for old in state.order.prefix(state.order.count - EventWatch.maxKnown) {
                state.counts[old] = nil
                state.ids[old] = nil
            }
            state.order.removeFirst(state.order.count - EventWatch.maxKnown)
        }
    }

    /// When an Event last happened: `lastTimestamp`, else `series.lastObservedTime`, `eventTime`, `firstTimestamp`.
    static func time(_ obj: JSONValue) -> Timestamp? {
        for path in [["lastTimestamp"], ["series", "lastObservedTime"], ["eventTime"], ["firstTimestamp"], ["metadata", "creationTimestamp"]] {
            var v: JSONValue? = obj
            for key in path { v = v?[key] }
            if let s = v?.asString, let t = Timestamp(iso8601: s) { return t }
        }
        return nil
    }

    /// The timeline's record that events may be missing between two times.
    func gap(from: Timestamp, to: Timestamp, why: String) -> TimelineEvent {
        let details: JSONValue = .object([("from", .string(from.iso8601)), ("to", .string(to.iso8601)), ("reason", .string(why))])
        return TimelineEvent(id: Identifier.derived(.event, at: to, content: "collector-gap\u{1}\(from.iso8601)"), timestamp: to,
                             type: "collector_gap", source: "kubernetes",
                             description: "Kubernetes events between \(from.iso8601) and \(to.iso8601) may be missing from the timeline: \(why)",
                             details: details, severity: .warning)
    }
}

/// Splits a byte stream into lines (the watch's stream arrives in arbitrary pieces).
public struct LineSplitter: Sendable {
    var pending: [UInt8] = []
    /// A line longer than this (a corrupt stream) is dropped rather than held.
    public static let maxLine = 8 << 20

    public init() {}

    public mutating func feed(_ bytes: [UInt8]) -> [String] {
        pending.append(contentsOf: bytes)
        var lines: [String] = []
        var start = 0
        while let nl = pending[start...].firstIndex(of: 10) {
            lines.append(String(decoding: pending[start..<nl], as: UTF8.self))
            start = nl + 1
        }
        pending.removeFirst(start)
        if pending.count > LineSplitter.maxLine { pending.removeAll() }
        return lines
    }

    /// What is left when the stream ends (a last line without a newline).
    public mutating func finish() -> [String] {
        defer { pending.removeAll() }
        return pending.isEmpty ? [] : [String(decoding: pending, as: UTF8.self)]
    }
}
