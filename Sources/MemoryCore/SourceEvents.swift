import MemoryModel

/// What KEDA, the layer activator, agents and Phoenix send, mapped to typed timeline events that the
/// correlator reads (`scaling`, `config_change`, `health_change`, `stack_activation`, `stack_deactivation`,
/// `stack_activation_failed`, `task_completed`, `task_failed`, `trace_anomaly`). The shapes are documented
/// in docs/SOURCES.md; native formats are taken as they are where they exist: KEDA's CloudEvents and
/// Phoenix's spans. REST (`POST /memory/timeline/events`) and the CLI (`cmem event record --from`) both
/// come here, so one payload means the same events whichever way it arrives.
///
/// IDs derive from the payload, so a redelivery records nothing new.
public enum SourceEvents {
    public enum Shape: String, Sendable, CaseIterable {
        case keda
        case kedaCloudEvent = "keda-cloudevent"
        case layerActivator = "layer-activator"
        case agent
        case phoenix
        case phoenixSpan = "phoenix-span"
    }

    /// The source shape `payload` is in, or nil for a generic event (one with `event_type`) or anything else.
    public static func shape(of payload: JSONValue) -> Shape? {
        guard case .object = payload, payload["event_type"] == nil else { return nil }
        if payload["specversion"] != nil, let type = payload["type"]?.stringValue,
           type.hasPrefix("keda.") || type == "com.cloudeventsource.keda" { return .kedaCloudEvent }
        if payload["context"]?["trace_id"] != nil, payload["name"] != nil { return .phoenixSpan }
        // Phoenix's span list as its REST API answers it: {"data": [span, …], "next_cursor": …}.
        if case let .array(items)? = payload["data"], let first = items.first, first["context"]?["trace_id"] != nil { return .phoenixSpan }
        switch payload["source"]?.stringValue {
        case "keda": return .keda
        case "layer-activator", "layer_activator", "activator": return .layerActivator
        case "agent", "agents": return .agent
        case "phoenix": return .phoenix
        default: return nil
        }
    }

    /// The events `payload` stands for: none for a payload that reports nothing worth keeping (a span
    /// that succeeded). Throws `ValidationError` naming the field that is wrong.
    public static func events(_ payload: JSONValue, now: Timestamp = .now()) throws -> [TimelineEvent] {
        guard let shape = shape(of: payload) else {
            throw ValidationError("not a known source payload: give event_type for a generic event, or source keda, layer-activator, agent or phoenix (docs/SOURCES.md)")
        }
        if shape == .phoenixSpan, case let .array(spans)? = payload["data"] {
            guard spans.count <= 1000 else { throw ValidationError("\(spans.count) spans in one payload; the limit is 1000") }
            // Phoenix's spans do not name their project; the sender may, beside `data`, for all of them.
            let shared = ["project", "components"].compactMap { k in payload[k].map { (k, $0) } }
            return try spans.enumerated().flatMap { i, span in
                var span = span
                if case var .object(pairs) = span {
                    for (k, v) in shared where span[k] == nil { pairs.append((k, v)) }
                    span = .object(pairs)
                }
                do { return try SourceEvents.events(span, now: now) } catch let e as ValidationError { throw ValidationError("data[\(i)]: \(e.message)") }
            }
        }
        let p = Payload(payload, now: now)
        // A time that does not parse is the sender's mistake, not "now".
        _ = try p.time(shape == .kedaCloudEvent ? "time" : shape == .phoenixSpan ? "end_time" : "timestamp")
        var events: [TimelineEvent]
        switch shape {
        case .keda: events = try keda(p)
        case .kedaCloudEvent: events = try kedaCloudEvent(p)
        case .layerActivator: events = try layerActivator(p)
        case .agent: events = try agent(p)
        case .phoenix: events = try phoenix(p)
        case .phoenixSpan: events = try phoenixSpan(p)
        }
        for i in events.indices {
            if let s = try p.string("severity") {
                guard let severity = Severity(lenient: s) else { throw ValidationError("field severity must be one of info, warning, error, critical") }
                events[i].severity = severity
            }
            try events[i].validate()
        }
        return events
    }

    // MARK: KEDA

    static func keda(_ p: Payload) throws -> [TimelineEvent] {
        let so = try p.required("scaled_object")
        let namespace = try p.string("namespace")
        let target = try p.string("target") ?? so
        let components = try p.components(default: [target])
        var details: [(String, JSONValue)] = [("scaled_object", .string(so)), ("kind", .string("ScaledObject"))]
        if let namespace { details.append(("namespace", .string(namespace))) }
        if target != so { details.append(("target", .string(target))) }
        let kind = try p.string("kind") ?? (p.raw["changes"] != nil ? "config" : p.raw["to_replicas"] != nil ? "scaling" : "status")
        switch kind {
        case "scaling":
            guard let to = try p.int("to_replicas") else { throw ValidationError("field to_replicas is required for a KEDA scaling event") }
            let from = try p.int("from_replicas")
            let reason = try p.string("reason")
            let trigger = try p.string("trigger")
            details += [("component", .string(target)), ("field", .string("replicas")),
                        ("old", from.map { .number(Double($0)) } ?? .null), ("new", .number(Double(to)))]
            if let trigger { details.append(("trigger", .string(trigger))) }
            if let reason { details.append(("reason", .string(reason))) }
            let change = from.map { "from \($0) to \(to)" } ?? "to \(to)"
            let why = [trigger.map { "trigger \($0)" }, reason].compactMap { $0 }.joined(separator: ": ")
            let troubled = to == 0 && ["unavailable", "error", "fail", "inactive"].contains { (reason ?? "").lowercased().contains($0) }
            return [p.event(type: "scaling", source: "keda", "KEDA scaled \(target) \(change) replicas" + (why.isEmpty ? "" : " (\(why))"),
                            details, components, troubled ? .warning : .info)]
        case "config":
            guard case let .object(changes)? = p.raw["changes"], !changes.isEmpty else {
                throw ValidationError("field changes must be an object such as {\"maxReplicaCount\": {\"old\": 20, \"new\": 2}}")
            }
            var parts: [String] = []
            for (key, change) in changes.prefix(20) {
                parts.append("\(key) \(change["old"]?.stringValue ?? "unset") → \(change["new"]?.stringValue ?? "unset")")
            }
            details += [("component", .string(target)), ("changes", .object(changes))]
            if changes.count == 1, let (key, change) = changes.first {
                details += [("field", .string(key)), ("old", change["old"] ?? .null), ("new", change["new"] ?? .null)]
            }
            let why = try p.string("reason").map { " (\($0))" } ?? ""
            return [p.event(type: "config_change", source: "keda", "ScaledObject \(so): \(parts.joined(separator: ", "))\(why)",
                            details, components, .info)]
        case "status":
            let ready = try p.bool("ready"), active = try p.bool("active"), fallback = try p.bool("fallback"), paused = try p.bool("paused")
            let message = try p.string("message")
            var states: [String] = []
            if let ready { states.append(ready ? "ready" : "not ready") }
            if let active { states.append(active ? "active" : "inactive") }
            if fallback == true { states.append("in fallback") }
            if paused == true { states.append("paused") }
            guard !states.isEmpty else { throw ValidationError("a KEDA status event needs ready, active, fallback or paused") }
            for (k, v) in [("ready", ready), ("active", active), ("fallback", fallback), ("paused", paused)] {
                if let v { details.append((k, .bool(v))) }
            }
            if let message { details.append(("message", .string(message))) }
            let bad = ready == false || fallback == true
            return [p.event(type: "health_change", source: "keda",
                            "ScaledObject \(so) \(states.joined(separator: ", "))" + (message.map { ": \($0)" } ?? ""),
                            details, components, bad ? .warning : .info)]
        default:
            throw ValidationError("field kind must be scaling, config or status for a KEDA event, not \(JSONValue.quoted(kind))")
        }
    }

    /// KEDA's own CloudEvents (a `CloudEventSource` sink): `keda.scaledobject.ready.v1`, `…failed.v1`,
    /// `…removed.v1`, `…paused.v1`, `…unpaused.v1` and the same for ScaledJobs (KEDA before 2.14 sent
    /// `com.cloudeventsource.keda` with the reason in `data`). The subject is
    /// `/{cluster}/{namespace}/{scaledobject|scaledjob}/{name}`; `data` holds `reason` and `message`.
    static func kedaCloudEvent(_ p: Payload) throws -> [TimelineEvent] {
        let type = try p.required("type")
        let parts = (try p.string("subject") ?? "").split(separator: "/").map(String.init)
        guard parts.count >= 2 else {
            throw ValidationError("field subject must name the object, such as /my-cluster/workers/scaledobject/invoice-worker")
        }
        let name = parts[parts.count - 1], objectKind = parts[parts.count - 2].lowercased()
        let namespace = parts.count >= 4 ? parts[parts.count - 3] : nil
        let cluster = parts.count >= 4 ? parts[parts.count - 4] : nil
        let message = p.raw["data"]?["message"]?.stringValue
        let reason = p.raw["data"]?["reason"]?.stringValue
        let pieces = type.split(separator: ".").map(String.init)
        var what = type.hasPrefix("keda.") && pieces.count >= 3 ? pieces[pieces.count - 2] : (reason ?? "event")
        // The old single type says what happened only in its reason (ScaledObjectReady, KEDAScalerFailed…).
        if !type.hasPrefix("keda.") {
            let r = what.lowercased()
            what = r.contains("fail") ? "failed" : r.contains("ready") ? "ready" : r.contains("delet") ? "removed"
                : r.contains("unpause") ? "unpaused" : r.contains("pause") ? "paused" : what
        }
        let kindName = objectKind == "scaledjob" ? "ScaledJob" : objectKind == "scaledobject" ? "ScaledObject" : parts[parts.count - 2]
        var details: [(String, JSONValue)] = [("kind", .string(kindName)), ("component", .string(name)), ("cloudevent_type", .string(type))]
        if let namespace { details.append(("namespace", .string(namespace))) }
        if let cluster { details.append(("cluster", .string(cluster))) }
        if let id = p.raw["id"]?.stringValue { details.append(("cloudevent_id", .string(id))) }
        if let reason { details.append(("reason", .string(reason))) }
        if let message { details.append(("message", .string(message))) }
        let components = try p.components(default: [name])
        let tail = message.map { ": \($0)" } ?? ""
        func event(_ type: String, _ text: String, _ severity: Severity) -> [TimelineEvent] {
            [p.event(type: type, source: "keda", text, details, components, severity, timeField: "time")]
        }
        switch what {
        case "ready": return event("health_change", "\(kindName) \(name) ready for scaling\(tail)", .info)
        case "failed": return event("health_change", "\(kindName) \(name) failed\(tail)", .warning)
        case "removed": return event("config_change", "\(kindName) \(name) removed: KEDA no longer scales it\(tail)", .info)
        case "paused": return event("config_change", "\(kindName) \(name) paused: autoscaling stopped\(tail)", .info)
        case "unpaused": return event("config_change", "\(kindName) \(name) unpaused: autoscaling resumed\(tail)", .info)
        default: return event("autoscaling_event", "KEDA \(what) on \(kindName) \(name)\(tail)", .info)
        }
    }

    // MARK: Layer activator

    static func layerActivator(_ p: Payload) throws -> [TimelineEvent] {
        let stack = try p.required("stack")
        let action = try p.string("action") ?? "activated"
        let members = try p.strings("components") ?? []
        let components = try p.components(default: members.isEmpty ? [stack] : members)
        let cold = try p.bool("cold_start")
        let latency = try p.int("latency_ms")
        let reason = try p.string("reason")
        var details: [(String, JSONValue)] = [("stack", .string(stack)), ("action", .string(action))]
        if !members.isEmpty { details.append(("members", .array(members.map { .string($0) }))) }
        if let cold { details.append(("cold", .bool(cold))) }
        if let latency { details.append(("latency_ms", .number(Double(latency)))) }
        if let reason { details.append(("reason", .string(reason))) }
        let who = members.isEmpty ? "" : " (\(members.joined(separator: ", ")))"
        let seconds = latency.map { " in \(formatSeconds($0))" } ?? ""
        switch action {
        case "activated":
            // The correlator reads "cold start" as a likely cause of what follows; a warm activation is routine.
            let how = cold == true ? "cold start, ready\(seconds)" : "warm, ready\(seconds)"
            return [p.event(type: "stack_activation", source: "layer-activator",
                            "Activated stack \(stack)\(who): \(how)" + (reason.map { " (\($0))" } ?? ""), details, components,
                            cold == true && (latency ?? 0) >= 30_000 ? .warning : .info)]
        case "deactivated":
            return [p.event(type: "stack_deactivation", source: "layer-activator",
                            "Deactivated stack \(stack)\(who)" + (reason.map { " (\($0))" } ?? ""), details, components, .info)]
        case "failed":
            return [p.event(type: "stack_activation_failed", source: "layer-activator",
                            "Activation of stack \(stack)\(who) failed" + (reason.map { ": \($0)" } ?? "")
                                + (latency.map { " after \(formatSeconds($0))" } ?? ""), details, components, .error)]
        default:
            throw ValidationError("field action must be activated, deactivated or failed, not \(JSONValue.quoted(action))")
        }
    }

    // MARK: Agents

    static func agent(_ p: Payload) throws -> [TimelineEvent] {
        let task = try p.required("task")
        let status = try p.string("status") ?? "completed"
        let agent = try p.string("agent") ?? "agent"
        let changed = try p.strings("changed") ?? []
        let summary = try p.string("summary")
        let error = try p.string("error")
        let components = try p.components(default: [])
        var details: [(String, JSONValue)] = [("agent", .string(agent)), ("task", .string(task)), ("status", .string(status))]
        if !changed.isEmpty { details.append(("changed", .array(changed.map { .string($0) }))) }
        for key in ["session", "pull_request", "url"] {
            if let v = try p.string(key) { details.append((key, .string(v))) }
        }
        if let summary { details.append(("summary", .string(summary))) }
        if let error { details.append(("error", .string(error))) }
        let on = components.isEmpty ? "" : " on \(components.joined(separator: ", "))"
        switch status {
        case "completed":
            var text = "Agent task completed: '\(task)'\(on)"
            if let summary { text += " — \(summary)" }
            // What it changed makes it a change the correlator weighs as a cause; say so in words too.
            if !changed.isEmpty, !(summary ?? "").lowercased().contains("changed") {
                text += " (changed \(changed.prefix(5).joined(separator: ", "))\(changed.count > 5 ? ", …" : ""))"
            }
            return [p.event(type: "task_completed", source: "agent", text, details, components, .info)]
        case "failed":
            var text = "Agent task failed: '\(task)'\(on)"
            if let error { text += ": \(error)" } else if let summary { text += " — \(summary)" }
            if !changed.isEmpty { text += " (it had changed \(changed.prefix(5).joined(separator: ", ")))" }
            return [p.event(type: "task_failed", source: "agent", text, details, components, .warning)]
        default:
            throw ValidationError("field status must be completed or failed, not \(JSONValue.quoted(status))")
        }
    }

    // MARK: Phoenix

    static func phoenix(_ p: Payload) throws -> [TimelineEvent] {
        let project = try p.required("project")
        let span = try p.string("span")
        let traceID = try p.string("trace_id")
        let metric = try p.string("metric") ?? "latency_p95"
        let change = try p.number("change_pct")
        let value = try p.number("value"), baseline = try p.number("baseline")
        let unit = try p.string("unit") ?? (metric.hasPrefix("latency") ? "ms" : "")
        let components = try p.components(default: [project])
        var details: [(String, JSONValue)] = [("project", .string(project)), ("metric", .string(metric))]
        if let span { details.append(("span", .string(span))) }
        if let traceID { details.append(("trace_id", .string(traceID))) }
        for (k, v) in [("value", value), ("baseline", baseline), ("change_pct", change)] {
            if let v { details.append((k, .number(v))) }
        }
        if !unit.isEmpty { details.append(("unit", .string(unit))) }
        let metricText = metric.replacingOccurrences(of: "_", with: " ")
        var text = "Phoenix: \(span.map { "\($0) " } ?? "")\(metricText)"
        if let change { text += " \(change >= 0 ? "+" : "")\(formatNumber(change))%" }
        if let value { text += " \(formatNumber(value))\(unit.isEmpty ? "" : " " + unit)" }
        text += " on \(components.first ?? project)"
        if let baseline { text += " (baseline \(formatNumber(baseline))\(unit.isEmpty ? "" : " " + unit))" }
        if let traceID { text += ", trace \(traceID)" }
        let big = (change ?? 0) >= 300 || (value != nil && baseline != nil && baseline! > 0 && value! / baseline! >= 4)
        return [p.event(type: "trace_anomaly", source: "phoenix", text, details, components, big ? .error : .warning)]
    }

    /// A span as Phoenix's REST API returns it (`GET /v1/projects/{project}/spans`): an `ERROR` span is an
    /// anomaly with its trace id; any other records nothing.
    static func phoenixSpan(_ p: Payload) throws -> [TimelineEvent] {
        guard (try p.string("status_code"))?.uppercased() == "ERROR" else { return [] }
        let name = try p.required("name")
        guard let traceID = p.raw["context"]?["trace_id"]?.stringValue else { throw ValidationError("field context.trace_id is required") }
        let attributes = p.raw["attributes"]
        let project = try p.string("project") ?? attributes?["openinference"]?["project"]?["name"]?.stringValue
            ?? attributes?["service.name"]?.stringValue
        let components = try p.components(default: project.map { [$0] } ?? [])
        var details: [(String, JSONValue)] = [("span", .string(name)), ("trace_id", .string(traceID)), ("status", .string("ERROR"))]
        if let spanID = p.raw["context"]?["span_id"]?.stringValue { details.append(("span_id", .string(spanID))) }
        if let project { details.append(("project", .string(project))) }
        if let kind = try p.string("span_kind") { details.append(("span_kind", .string(kind))) }
        let message = try p.string("status_message")
        if let message, !message.isEmpty { details.append(("message", .string(message))) }
        var durationText = ""
        if let start = try p.string("start_time").flatMap(Timestamp.init(iso8601:)),
           let end = try p.string("end_time").flatMap(Timestamp.init(iso8601:)) {
            let ms = end.milliseconds - start.milliseconds
            details.append(("duration_ms", .number(Double(ms))))
            durationText = " after \(formatSeconds(Int(ms)))"
        }
        let on = components.first.map { " on \($0)" } ?? ""
        let text = "Phoenix: span \(name) failed\(durationText)\(on)" + ((message ?? "").isEmpty ? "" : ": \(message!)") + ", trace \(traceID)"
        return [p.event(type: "trace_anomaly", source: "phoenix", text, details, components, .error, timeField: "end_time")]
    }

    // MARK: Reading payloads

    struct Payload {
        let raw: JSONValue
        let now: Timestamp

        init(_ raw: JSONValue, now: Timestamp) {
            self.raw = raw
            self.now = now
        }

        func string(_ key: String) throws -> String? {
            guard let v = raw[key], v != .null else { return nil }
            guard case let .string(s) = v else { throw ValidationError("field \(key) must be a string") }
            try Limits.checkText(s, what: key, max: 4096)
            return s.isEmpty ? nil : s
        }

        func required(_ key: String) throws -> String {
            guard let s = try string(key) else { throw ValidationError("field \(key) is required") }
            return s
        }

        func number(_ key: String) throws -> Double? {
            guard let v = raw[key], v != .null else { return nil }
            guard case let .number(n) = v, n.isFinite else { throw ValidationError("field \(key) must be a number") }
            return n
        }

        func int(_ key: String) throws -> Int? {
            guard let n = try number(key) else { return nil }
            guard n == n.rounded(), abs(n) < 1e12 else { throw ValidationError("field \(key) must be a whole number") }
            return Int(n)
        }

        func bool(_ key: String) throws -> Bool? {
            guard let v = raw[key], v != .null else { return nil }
            guard case let .bool(b) = v else { throw ValidationError("field \(key) must be true or false") }
            return b
        }

        func strings(_ key: String) throws -> [String]? {
            guard let v = raw[key], v != .null else { return nil }
            guard case let .array(items) = v else { throw ValidationError("field \(key) must be an array of strings") }
            return try items.prefix(100).map {
                guard case let .string(s) = $0 else { throw ValidationError("field \(key) must be an array of strings") }
                return s
            }
        }

        /// `components` (or `affected_components`) when given, else `fallback`; each must be a valid name.
        func components(default fallback: [String]) throws -> [String] {
            let given = try strings("components") ?? strings("affected_components")
            let names = given ?? fallback
            if given != nil { for c in names { try Identifier.validateComponent(c) } }
            // A derived name that is not a valid component (a span name with a slash) is left out, not refused.
            return Array(names.filter { Identifier.isSafeName($0, maxLength: 253) }.prefix(20))
        }

        func time(_ field: String) throws -> Timestamp {
            guard let s = try string(field) else { return now }
            guard let t = Timestamp(iso8601: s) else { throw ValidationError("field \(field) is not an RFC 3339 time such as 2026-01-19T14:30:00Z") }
            return t
        }

        func event(type: String, source: String, _ description: String, _ details: [(String, JSONValue)], _ components: [String],
                   _ severity: Severity, timeField: String = "timestamp") -> TimelineEvent {
            let time = (try? self.time(timeField)) ?? now
            let text = description.count > 1000 ? String(description.prefix(999)) + "…" : description
            return TimelineEvent(id: Identifier.derived(.event, at: time, content: "\(source)\u{1}\(type)\u{1}\(raw.json)"),
                                 timestamp: time, type: type, source: source, description: text,
                                 details: .object(details), components: components, severity: severity)
        }
    }

    static func formatSeconds(_ ms: Int) -> String {
        ms < 1000 ? "\(ms) ms" : ms % 1000 == 0 ? "\(ms / 1000) s" : "\(formatNumber(Double(ms) / 1000)) s"
    }

    static func formatNumber(_ n: Double) -> String {
        if n == n.rounded(), abs(n) < 1e15 { return String(Int64(n)) }
        return String((n * 10).rounded() / 10)
    }
}
