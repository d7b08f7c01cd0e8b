/// One thing that happened: a commit, a deployment, a restart, an incident. Field names follow the seed's
/// `TimelineEvent`. `caused` is never stored: it is derived from other events' `caused_by`.
public struct TimelineEvent: Sendable, Equatable, Hashable {
    public var id: String
    public var timestamp: Timestamp
    public var type: String
    public var source: String
    public var description: String
    public var details: JSONValue
    public var causedBy: String?
    public var components: [String]
    public var severity: Severity

    public init(id: String, timestamp: Timestamp, type: String, source: String, description: String,
                details: JSONValue = .object([]), causedBy: String? = nil, components: [String] = [],
                severity: Severity = .info) {
        self.id = id
        self.timestamp = timestamp
        self.type = type
        self.source = source
        self.description = description
        self.details = details
        self.causedBy = causedBy
        self.components = components
        self.severity = severity
    }

    /// The repository-relative path of the day file this event lives in.
    public var dayPath: String { TimelineEvent.dayPath(for: timestamp) }

    public static func dayPath(for time: Timestamp) -> String {
        let day = time.day
        return "timeline/\(day.prefix(4))/\(day.dropFirst(5).prefix(2))/\(day).md"
    }

    /// The canonical text used to derive an ID from content (imports are idempotent through it).
    public var contentKey: String {
        var s = "\(timestamp.iso8601)\u{1}\(type)\u{1}\(source)\u{1}\(severity.rawValue)\u{1}\(description)\u{1}"
        s += components.joined(separator: "\u{2}") + "\u{1}" + details.json + "\u{1}" + (causedBy ?? "")
        return s
    }

    /// Checks what a user or an API client handed in, before anything touches disk.
    public func validate() throws {
        try Identifier.validate(id, what: "event id")
        if let causedBy { try Identifier.validate(causedBy, what: "caused_by") }
        for c in components { try Identifier.validateComponent(c) }
        try Limits.checkToken(type, what: "event type")
        try Limits.checkToken(source, what: "source")
        try Limits.checkText(description, what: "description", max: Limits.maxDescription)
        guard description.contains(where: { !$0.isWhitespace }) else { throw ValidationError("description must not be empty or blank") }
        let detailsSize = details.json.utf8.count
        guard detailsSize <= Limits.maxDetails else {
            throw ValidationError("details are \(detailsSize) bytes; the limit is \(Limits.maxDetails)")
        }
        guard case .object = details else { throw ValidationError("details must be a JSON object") }
    }
}

public enum Severity: String, Sendable, CaseIterable, Comparable {
    case info, warning, error, critical

    public init?(lenient text: String) {
        switch text.lowercased() {
        case "info", "information", "normal", "debug", "low": self = .info
        case "warning", "warn", "medium": self = .warning
        case "error", "high": self = .error
        case "critical", "fatal", "crit": self = .critical
        default: return nil
        }
    }

    var rank: Int { Severity.allCases.firstIndex(of: self)! }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// Size limits: a memory is for people and agents to read; megabytes in one field are a mistake, and a
/// clear error is kinder than a repo that is slow forever.
public enum Limits {
    public static let maxDescription = 16 * 1024
    public static let maxDetails = 64 * 1024
    public static let maxText = 64 * 1024
    public static let maxToken = 64
    /// Notes larger than this are not parsed (a day file of 1M events/year is about 1 MB).
    public static let maxNoteBytes = 64 * 1024 * 1024

    /// Event types, sources and kinds are short words: `deployment`, `argocd`, `pod_restart`.
    public static func checkToken(_ s: String, what: String) throws {
        guard !s.isEmpty, s.utf8.count <= maxToken,
              s.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 122) || ($0 >= 65 && $0 <= 90) || $0 == 95 || $0 == 45 || $0 == 46 })
        else {
            throw ValidationError("\(what) \(JSONValue.quoted(s)) is not valid: use letters, digits, '_', '-' or '.' (at most \(maxToken))")
        }
    }

    public static func checkText(_ s: String, what: String, max: Int = maxText) throws {
        guard s.utf8.count <= max else { throw ValidationError("\(what) is \(s.utf8.count) bytes; the limit is \(max)") }
        if s.unicodeScalars.contains(where: { $0.value == 0 }) { throw ValidationError("\(what) contains a NUL character") }
    }
}
