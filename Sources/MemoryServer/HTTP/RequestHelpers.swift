import Foundation
import Hummingbird
import MemoryModel

/// The query string, decoded the way browsers and HTTP libraries encode it (`+` is a space), with
/// typed accessors whose errors name the parameter.
struct QueryParameters {
    private var values: [String: [String]] = [:]
    /// The names the route asked for. `rejectUnknown` refuses any other, so that a misspelt or unsupported
    /// parameter (`since` where a route takes `start`) is a 400 naming it, not a silently wider answer.
    private let asked = AskedNames()

    private final class AskedNames: @unchecked Sendable {
        var names = Set<String>()
    }

    private func given(_ name: String) -> [String]? {
        asked.names.insert(name)
        return values[name]
    }

    /// Throws for a parameter the route never asked for; call it once every parameter has been read.
    func rejectUnknown() throws {
        guard let unknown = values.keys.sorted().first(where: { !asked.names.contains($0) }) else { return }
        throw APIError.badRequest("unknown query parameter \(JSONValue.quoted(unknown)); this endpoint takes "
            + (asked.names.isEmpty ? "none" : asked.names.sorted().joined(separator: ", ")))
    }

    init(_ request: Request) throws {
        guard let query = request.uri.query, !query.isEmpty else { return }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = try QueryParameters.decode(parts[0], what: "a query parameter name")
            let value = parts.count > 1 ? try QueryParameters.decode(parts[1], what: "query parameter \(key)") : ""
            values[key, default: []].append(value)
        }
    }

    static func decode(_ s: Substring, what: String) throws -> String {
        let spaced = s.replacingOccurrences(of: "+", with: " ")
        guard let decoded = spaced.removingPercentEncoding else {
            throw APIError.badRequest("\(what) is not correctly percent-encoded")
        }
        return decoded
    }

    func string(_ name: String, maxLength: Int = RequestLimits.text) throws -> String? {
        guard let v = given(name)?.last else { return nil }
        try RequestFields.checkText(v, field: name, maxLength: maxLength)
        return v
    }

    func required(_ name: String, maxLength: Int = RequestLimits.text) throws -> String {
        guard let v = try string(name, maxLength: maxLength), !v.isEmpty else {
            throw APIError.badRequest("query parameter \(name) is required")
        }
        return v
    }

    /// Every value given for `name` (repeat the parameter for several: `type=a&type=b`).
    func tokens(_ name: String) throws -> Set<String> {
        var out = Set<String>()
        for v in given(name) ?? [] {
            try RequestFields.checkToken(v, field: name)
            out.insert(v)
        }
        return out
    }

    func components(_ name: String) throws -> Set<String> {
        Set(try (given(name) ?? []).map { try PathParameters.component($0, what: "query parameter \(name)") })
    }

    func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let v = given(name)?.last else { return nil }
        guard let n = Int(v), range.contains(n) else {
            throw APIError.badRequest("query parameter \(name) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return n
    }

    /// `true` or `false` (also `1`/`0`).
    func bool(_ name: String) throws -> Bool? {
        guard let v = given(name)?.last else { return nil }
        switch v {
        case "true", "1": return true
        case "false", "0": return false
        default: throw APIError.badRequest("query parameter \(name) must be true or false")
        }
    }

    /// A duration longer than zero (`90s`, `30m`, `24h`, `7d`, `2w`, or seconds).
    func duration(_ name: String) throws -> Int64? {
        guard let v = given(name)?.last else { return nil }
        guard let seconds = TimeFormats.duration(v), seconds > 0 else {
            throw APIError.badRequest("query parameter \(name) must be a duration such as 24h, 7d or 2w")
        }
        return seconds
    }

    /// An RFC 3339 time, a date (`2026-01-19`), or a duration ago (`24h`, `7d`). With `endOfDay`, a bare
    /// date means the end of that day, as in `cmem timeline --until`.
    func time(_ name: String, endOfDay: Bool = false, now: Timestamp = .now()) throws -> Timestamp? {
        guard let v = given(name)?.last else { return nil }
        return try TimeInput.parse(v, field: "query parameter \(name)", endOfDay: endOfDay, now: now)
    }
}

enum TimeInput {
    /// The earliest time accepted (year 1): durations reaching further back are clamped to it.
    static let earliest = Timestamp(milliseconds: -62_135_596_800_000)

    /// The core's reading of a time (`Timestamp.parse`, as the CLI and MCP read it: a time without an
    /// offset is UTC), then the forms only HTTP clients send; an error in the core's words.
    static func parse(_ v: String, field: String, endOfDay: Bool = false, now: Timestamp = .now()) throws -> Timestamp {
        do {
            return max(earliest, try Timestamp.parse(v, what: field, endOfDay: endOfDay, now: now))
        } catch let error as ValidationError {
            if let t = TimeFormats.dateTime(v) { return t }
            if let t = TimeFormats.date(v) { return endOfDay ? Timestamp(milliseconds: t.milliseconds + 86_400_000 - 1) : t }
            if let secs = TimeFormats.duration(v) { return max(earliest, now.adding(seconds: -secs)) }
            throw APIError.badRequest(error.message)
        }
    }
}

enum PathParameters {
    static func decoded(_ context: some RequestContext, _ name: String) throws -> String {
        let raw = try context.parameters.require(name)
        guard let value = raw.removingPercentEncoding else {
            throw APIError.badRequest("the \(name) in the path is not correctly percent-encoded")
        }
        return value
    }

    /// An ID from the path, checked before it comes near the file system.
    static func id(_ context: some RequestContext, _ name: String = "id", what: String) throws -> String {
        let value = try decoded(context, name)
        guard Identifier.isSafeName(value, maxLength: 128) else {
            throw APIError.badRequest("\(what) \(JSONValue.quoted(value)) is not valid: use letters, digits, '.', '_' and '-' (at most 128), not starting with '.' or '-' and without '..'")
        }
        return value
    }

    static func component(_ value: String, what: String) throws -> String {
        guard Identifier.isSafeName(value, maxLength: 253) else {
            throw APIError.badRequest("\(what) \(JSONValue.quoted(value)) is not a valid component name: use letters, digits, '.', '_' and '-' (at most 253), not starting with '.' or '-' and without '..'")
        }
        return value
    }
}
