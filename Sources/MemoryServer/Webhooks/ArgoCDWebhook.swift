import MemoryModel

/// Argo CD notifications as timeline events. Argo CD's notification webhook service posts whatever body
/// its template renders; `docs/deploy/README.md` gives the template this expects:
///
///     {"app": "{{.app.metadata.name}}", "sync_status": "{{.app.status.sync.status}}",
///      "health_status": "{{.app.status.health.status}}", "revision": "{{.app.status.sync.revision}}",
///      "operation_phase": "{{.app.status.operationState.phase}}",
///      "message": "{{.app.status.operationState.message}}",
///      "finished_at": "{{.app.status.operationState.finishedAt}}", "trigger": "on-sync-succeeded"}
///
/// `app` may also be the whole Application object (`{"app": {{toJson .app}}}`), from which the same
/// fields are read. A sync becomes a `deployment` event; a notification about health (a trigger with
/// "health" in it, or a sync status that is not Synced with a health that is not Healthy) becomes a
/// `health_change` event. The ID is derived from the application, revision, statuses and time, so a
/// redelivered notification records nothing new.
public enum ArgoCDWebhook {
    public static let source = "argocd"

    public struct Notification: Sendable, Equatable {
        public var app: String
        public var namespace: String?
        public var syncStatus: String
        public var healthStatus: String
        public var revision: String
        public var operationPhase: String
        public var message: String
        public var trigger: String
        public var time: Timestamp?
    }

    public static func notification(_ body: JSONValue) throws -> Notification {
        guard case .object = body else { throw ValidationError("an Argo CD notification must be a JSON object") }
        var n = Notification(app: "", namespace: nil, syncStatus: "", healthStatus: "", revision: "", operationPhase: "",
                             message: "", trigger: "", time: nil)
        if let app = body["app"], case .object = app {
            // The whole Application object.
            guard case let .string(name)? = app["metadata"]?["name"] else {
                throw ValidationError("field app.metadata.name must be a string: the Argo CD application's name")
            }
            n.app = name
            n.namespace = app["spec"]?["destination"]?["namespace"]?.stringValue
            n.syncStatus = app["status"]?["sync"]?["status"]?.stringValue ?? ""
            n.healthStatus = app["status"]?["health"]?["status"]?.stringValue ?? ""
            n.revision = app["status"]?["sync"]?["revision"]?.stringValue ?? ""
            n.operationPhase = app["status"]?["operationState"]?["phase"]?.stringValue ?? ""
            n.message = app["status"]?["operationState"]?["message"]?.stringValue ?? ""
            n.time = (app["status"]?["operationState"]?["finishedAt"]?.stringValue).flatMap(Timestamp.init(iso8601:))
                ?? (app["status"]?["reconciledAt"]?.stringValue).flatMap(Timestamp.init(iso8601:))
        } else {
            guard case let .string(app)? = body["app"] else {
                throw ValidationError("field app is required: the Argo CD application's name (or the Application object)")
            }
            n.app = app
        }
        func text(_ key: String, maxLength: Int = 1024) throws -> String? {
            // Argo CD templates render a missing value as null or "": both mean "not given".
            guard let v = body[key], v != .null else { return nil }
            guard case let .string(s) = v else { throw ValidationError("field \(key) must be a string") }
            if s.unicodeScalars.contains(where: { $0.value == 0 }) { throw ValidationError("field \(key) contains a NUL character") }
            let n = s.unicodeScalars.count
            if n > maxLength { throw ValidationError("field \(key) is \(n) characters long; the limit is \(maxLength)") }
            return s
        }
        n.namespace = try text("namespace") ?? n.namespace
        n.syncStatus = try text("sync_status") ?? n.syncStatus
        n.healthStatus = try text("health_status") ?? n.healthStatus
        n.revision = try text("revision") ?? n.revision
        n.operationPhase = try text("operation_phase") ?? n.operationPhase
        n.message = try text("message", maxLength: 16_384) ?? n.message
        n.trigger = try text("trigger") ?? ""
        for key in ["finished_at", "timestamp"] {
            if let t = try text(key), !t.isEmpty {
                guard let time = TimeFormats.dateTime(t) else { throw ValidationError("field \(key) is not an RFC 3339 time: \(JSONValue.quoted(t))") }
                n.time = time
            }
        }
        guard !n.app.isEmpty else { throw ValidationError("field app must name the Argo CD application") }
        try Identifier.validateComponent(n.app)
        return n
    }

    public static func event(_ body: JSONValue, receivedAt: Timestamp = .now()) throws -> TimelineEvent {
        let n = try notification(body)
        let time = n.time ?? receivedAt
        let health = n.healthStatus.lowercased()
        let phase = n.operationPhase.lowercased()
        let isHealth = n.trigger.lowercased().contains("health")
            || (n.trigger.isEmpty && n.operationPhase.isEmpty && !n.healthStatus.isEmpty && health != "healthy")
        let type = isHealth ? "health_change" : "deployment"
        var severity = Severity.info
        if phase == "failed" || phase == "error" || health == "degraded" { severity = .error }
        else if health == "missing" || health == "unknown" || health == "suspended" || n.syncStatus.lowercased() == "outofsync" && isHealth { severity = .warning }
        let short = String(n.revision.prefix(7))
        var description: String
        if isHealth {
            description = "\(n.app) is \(n.healthStatus.isEmpty ? "of unknown health" : n.healthStatus)"
        } else if phase == "failed" || phase == "error" {
            description = "Sync of \(n.app)\(short.isEmpty ? "" : " to \(short)") failed"
        } else {
            description = "Synced \(n.app)\(short.isEmpty ? "" : " to \(short)")"
        }
        if !n.message.isEmpty { description += ": " + n.message }
        var details: [(String, JSONValue)] = []
        for (k, v) in [("app", n.app), ("namespace", n.namespace ?? ""), ("sync_status", n.syncStatus), ("health_status", n.healthStatus),
                       ("revision", n.revision), ("operation_phase", n.operationPhase), ("trigger", n.trigger)] where !v.isEmpty {
            details.append((k, .string(GitHubWebhook.clip(v, 1024))))
        }
        if !n.message.isEmpty { details.append(("message", .string(GitHubWebhook.clip(n.message, 4096)))) }
        let content = [n.app, n.revision, n.syncStatus, n.healthStatus, n.operationPhase, n.trigger, time.iso8601].joined(separator: "\u{1}")
        return TimelineEvent(id: Identifier.derived(.event, at: time, content: "argocd\u{1}" + content), timestamp: time, type: type,
                             source: source, description: GitHubWebhook.clip(description, 1000), details: .object(details),
                             components: [n.app], severity: severity)
    }
}
