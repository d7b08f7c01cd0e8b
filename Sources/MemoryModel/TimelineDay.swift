/// The format of a timeline day file, `timeline/YYYY/MM/YYYY-MM-DD.md`.
///
/// Each event is a self-contained block: a human-readable heading (from a template) followed by a fenced
/// ```` ```yaml ```` block whose first line is `event_id:`. Blocks are only ever appended or inserted whole,
/// never edited by `cmem`, and the file's front matter holds nothing that changes, so two machines'
/// appends merge by taking the union of blocks by ID.
public enum TimelineDay {
    public static let fenceOpen = "```yaml"
    public static let fenceClose = "```"

    /// The structured part of an event block: one `key: value` line per field, values as JSON (which is
    /// also YAML). This exact shape is what the fast parser reads; anything else falls back to YAML.
    public static func yaml(for e: TimelineEvent) -> String {
        var out = "event_id: \(e.id)\n"
        out += "timestamp: \(e.timestamp.iso8601)\n"
        out += "event_type: \(e.type)\n"
        out += "source: \(e.source)\n"
        out += "severity: \(e.severity.rawValue)\n"
        out += "affected_components: ["
        for (i, c) in e.components.enumerated() {
            if i > 0 { out += ", " }
            JSONValue.quote(c, into: &out)
        }
        out += "]\n"
        if let c = e.causedBy { out += "caused_by: \(c)\n" }
        out += "description: "
        JSONValue.quote(e.description, into: &out)
        out += "\n"
        if !e.details.isEmptyObject { out += "details: \(e.details.json)\n" }
        return out
    }

    /// The fenced block, as the template receives it.
    public static func fencedYAML(for e: TimelineEvent) -> String {
        "\(fenceOpen)\n\(yaml(for: e))\(fenceClose)\n"
    }

    /// A one-line headline for the heading: the description without line breaks, at most 100 characters.
    public static func headline(_ e: TimelineEvent) -> String {
        // The usual description is short ASCII on one line: it is its own headline (retention renders a
        // million of these to tell blocks a human edited).
        let utf8 = e.description.utf8
        if utf8.count <= 100, utf8.allSatisfy({ $0 < 0x80 && ($0 < 10 || $0 > 13) }) { return e.description }
        var s = ""
        var count = 0
        for ch in e.description {
            if count >= 100 { s += "…"; break }
            s.append(ch.isNewline ? " " : ch)
            count += 1
        }
        return s
    }

    /// Where one event block starts and ends in a day file (byte offsets), for merging and for inserting.
    public struct BlockSpan: Sendable, Equatable {
        public let id: String
        public let timestamp: Timestamp?
        /// Start of the block's heading (or of the fence, when there is no heading right above it).
        public let start: Int
        /// Just after the closing fence line.
        public let end: Int
        public let line: Int
    }

    public struct ParseResult: Sendable {
        public var events: [TimelineEvent] = []
        public var errors: [NoteError] = []
        public var spans: [BlockSpan] = []
        public init() {}
    }

    /// Reads every event block in a day file. A broken block is reported with its line and skipped; the
    /// rest of the file still reads.
    public static func parse(_ bytes: [UInt8], path: String, wantSpans: Bool = false) -> ParseResult {
        bytes.withUnsafeBufferPointer { parse($0, path: path, wantSpans: wantSpans) }
    }

    public static func parse(_ b: UnsafeBufferPointer<UInt8>, path: String, wantSpans: Bool = false) -> ParseResult {
        var result = ParseResult()
        TimelineBlock.scan(b) { block in
            guard block.closed else {
                result.errors.append(NoteError(path: path, line: block.fenceLine, message: "event block is not closed with ```"))
                return
            }
            let yaml = UnsafeBufferPointer(rebasing: b[block.yaml])
            switch parseBlock(yaml, path: path, line: block.fenceLine + 1) {
            case let .success(event):
                result.events.append(event)
                if wantSpans {
                    result.spans.append(BlockSpan(id: event.id, timestamp: event.timestamp, start: block.start, end: block.end,
                                                  line: block.fenceLine))
                }
            case let .failure(error):
                result.errors.append(error)
                if wantSpans, let id = rawEventID(yaml) {
                    result.spans.append(BlockSpan(id: id, timestamp: nil, start: block.start, end: block.end, line: block.fenceLine))
                }
            }
        }
        return result
    }

    private static func rawEventID(_ yaml: UnsafeBufferPointer<UInt8>) -> String? {
        var i = 9 // after "event_id:"
        while i < yaml.count, yaml[i] == 32 { i += 1 }
        var j = i
        while j < yaml.count, yaml[j] != 10, yaml[j] != 13, yaml[j] != 32 { j += 1 }
        guard j > i else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: yaml[i..<j]), as: UTF8.self)
    }

    enum BlockError: Error { case notCanonical }

    /// Parses one block's YAML. The canonical form `cmem` writes is read directly from bytes; a block a
    /// human reshaped is read with the YAML parser instead.
    static func parseBlock(_ y: UnsafeBufferPointer<UInt8>, path: String, line: Int) -> Result<TimelineEvent, NoteError> {
        do {
            return .success(try parseCanonical(y, path: path, line: line))
        } catch let error as NoteError {
            return .failure(error)
        } catch {
            // Not in the canonical shape: decode as YAML.
            let text = String(decoding: y, as: UTF8.self)
            do {
                let values = try YAMLSafety.mapping(text, path: path, lineOffset: line - 1, what: "event block")
                return .success(try event(from: values, path: path, line: line))
            } catch let error as NoteError {
                return .failure(error)
            } catch {
                return .failure(NoteError(path: path, line: line, message: "\(error)"))
            }
        }
    }

    static func parseCanonical(_ y: UnsafeBufferPointer<UInt8>, path: String, line: Int) throws -> TimelineEvent {
        var id: String?, ts: Timestamp?, type: String?, source: String?, severity = Severity.info
        var components: [String] = [], causedBy: String?, description: String?, details = JSONValue.object([])
        var p = 0
        let n = y.count
        var currentLine = line
        var seen: UInt16 = 0
        while p < n {
            var e = p
            while e < n, y[e] != 10 { e += 1 }
            var end = e
            if end > p, y[end - 1] == 13 { end -= 1 }
            defer { p = e + 1; currentLine += 1 }
            if end == p { continue }
            // key: value, key at column 0
            var c = p
            while c < end, y[c] != 58 { 
                let ch = y[c]
                guard (ch >= 97 && ch <= 122) || ch == 95 else { throw BlockError.notCanonical }
                c += 1
            }
            guard c < end, c > p, c + 1 < end, y[c + 1] == 32 else {
                // `key:` with nothing after it starts a nested YAML structure.
                throw BlockError.notCanonical
            }
            let keyLen = c - p
            let v0 = c + 2
            let value = UnsafeBufferPointer(rebasing: y[v0..<end])
            func plain() throws -> String {
                guard let first = value.first, first != 34, first != 39, first != 91, first != 123, first != 38, first != 42 else {
                    throw BlockError.notCanonical
                }
                if value.contains(35) { throw BlockError.notCanonical } // a comment; let YAML decide
                guard let s = String(validating: value, as: UTF8.self) else {
                    throw NoteError(path: path, line: currentLine, message: "invalid UTF-8")
                }
                return s
            }
            func json() throws -> JSONValue {
                var parser = JSONParser(bytes: value, maxDepth: 32)
                do {
                    let v = try parser.parseValue(depth: 0)
                    parser.skipSpace()
                    guard parser.index == value.count else { throw BlockError.notCanonical }
                    return v
                } catch is JSONParseError {
                    throw BlockError.notCanonical
                }
            }
            func string() throws -> String {
                if value.first == 34 {
                    guard case let .string(s) = try json() else { throw BlockError.notCanonical }
                    return s
                }
                return try plain()
            }
            let k0 = y[p]
            /// A known key a second time: which value counts would depend on the reader (YAML refuses it too).
            func once(_ bit: UInt16) throws {
                guard seen & bit == 0 else {
                    let key = String(decoding: UnsafeBufferPointer(rebasing: y[p..<c]), as: UTF8.self)
                    throw NoteError(path: path, line: currentLine, message: "duplicate key \(key) in event block")
                }
                seen |= bit
            }
            switch (keyLen, k0) {
            case (8, 101) where matches(y, p, "event_id"): try once(1); id = try string()
            case (9, 116) where matches(y, p, "timestamp"):
                try once(2)
                let raw = value.first == 34 ? Array(try string().utf8) : Array(value)
                guard let t = raw.withUnsafeBufferPointer({ Timestamp.parse($0) }) else {
                    throw NoteError(path: path, line: currentLine, message: "timestamp is not an ISO 8601 time")
                }
                ts = t
            case (10, 101) where matches(y, p, "event_type"): try once(4); type = try string()
            case (6, 115) where matches(y, p, "source"): try once(8); source = try string()
            case (8, 115) where matches(y, p, "severity"):
                try once(16)
                let s = try string()
                guard let sev = Severity(lenient: s) else {
                    throw NoteError(path: path, line: currentLine, message: "severity \(JSONValue.quoted(s)) is not one of info, warning, error, critical")
                }
                severity = sev
            case (19, 97) where matches(y, p, "affected_components"):
                try once(32)
                guard value.first == 91, case let .array(items) = try json() else { throw BlockError.notCanonical }
                components = items.compactMap { $0.stringValue.map(Wikilink.target) }
            case (9, 99) where matches(y, p, "caused_by"):
                try once(64)
                let s = try string()
                causedBy = (s == "null" || s == "~") ? nil : Wikilink.target(s)
            case (11, 100) where matches(y, p, "description"): try once(128); description = try string()
            case (7, 100) where matches(y, p, "details"):
                try once(256)
                guard value.first == 123 else { throw BlockError.notCanonical }
                details = try json()
            default:
                continue // a key a human added: kept on disk, ignored here
            }
        }
        return try build(id: id, timestamp: ts, type: type, source: source, description: description, details: details,
                         causedBy: causedBy, components: components, severity: severity, path: path, line: line)
    }

    @inline(__always) private static func matches(_ y: UnsafeBufferPointer<UInt8>, _ p: Int, _ key: StaticString) -> Bool {
        for k in 0..<key.utf8CodeUnitCount where y[p + k] != key.utf8Start[k] { return false }
        return true
    }

    static func event(from values: [(String, JSONValue)], path: String, line: Int) throws -> TimelineEvent {
        var d: [String: JSONValue] = [:]
        for (k, v) in values { d[k] = v }
        guard let tsText = d["timestamp"]?.stringValue else {
            throw NoteError(path: path, line: line, message: "event block has no timestamp")
        }
        guard let ts = Timestamp(iso8601: tsText) else {
            throw NoteError(path: path, line: line, message: "timestamp \(JSONValue.quoted(tsText)) is not an ISO 8601 time")
        }
        var severity = Severity.info
        if let s = d["severity"]?.stringValue {
            guard let sev = Severity(lenient: s) else {
                throw NoteError(path: path, line: line, message: "severity \(JSONValue.quoted(s)) is not one of info, warning, error, critical")
            }
            severity = sev
        }
        var components: [String] = []
        switch d["affected_components"] {
        case let .array(items)?: components = items.compactMap { $0.stringValue.map(Wikilink.target) }
        case let .string(s)?: components = [Wikilink.target(s)]
        default: break
        }
        var details = d["details"] ?? .object([])
        if case .null = details { details = .object([]) }
        return try build(id: d["event_id"]?.stringValue, timestamp: ts, type: d["event_type"]?.stringValue,
                         source: d["source"]?.stringValue, description: d["description"]?.stringValue, details: details,
                         causedBy: d["caused_by"]?.stringValue.map(Wikilink.target), components: components,
                         severity: severity, path: path, line: line)
    }

    private static func build(id: String?, timestamp: Timestamp?, type: String?, source: String?, description: String?,
                              details: JSONValue, causedBy: String?, components: [String], severity: Severity,
                              path: String, line: Int) throws -> TimelineEvent {
        guard let id, Identifier.isSafeName(id, maxLength: 128) else {
            throw NoteError(path: path, line: line, message: "event block has no valid event_id")
        }
        guard let timestamp else { throw NoteError(path: path, line: line, message: "event \(id) has no timestamp") }
        guard let type, !type.isEmpty else { throw NoteError(path: path, line: line, message: "event \(id) has no event_type") }
        return TimelineEvent(id: id, timestamp: timestamp, type: type, source: source ?? "unknown",
                             description: description ?? "", details: details, causedBy: causedBy,
                             components: components, severity: severity)
    }
}
