import Foundation
import MemoryCore
import MemoryModel

/// A tool call that cannot be answered, with a sentence for the model: wrong or missing arguments, an
/// unknown ID, nothing collected yet. Returned as an MCP tool result with `isError`, never a crash.
public struct ToolError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The arguments of one call, checked against the tool's parameters: unknown names and wrong types are
/// refused with a message naming the parameter.
public struct ToolArguments: Sendable {
    public let tool: String
    let values: [(String, JSONValue)]

    public init(tool: String, values: [(String, JSONValue)], allowed: [String]) throws {
        self.tool = tool
        self.values = values.filter { if case .null = $0.1 { return false } else { return true } }
        for (key, _) in self.values where !allowed.contains(key) {
            throw ToolError("\(tool): unknown argument \(JSONValue.quoted(key)); expected \(allowed.isEmpty ? "none" : allowed.joined(separator: ", "))")
        }
    }

    func value(_ key: String) -> JSONValue? { values.first(where: { $0.0 == key })?.1 }

    public func string(_ key: String) throws -> String? {
        guard let v = value(key) else { return nil }
        guard case let .string(s) = v else { throw ToolError("\(tool): \(key) must be a string") }
        return s
    }

    public func required(_ key: String) throws -> String {
        guard let s = try string(key), !s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ToolError("\(tool): \(key) is required")
        }
        return s
    }

    public func strings(_ key: String) throws -> [String] {
        switch value(key) {
        case nil: return []
        case let .string(s)?: return [s]
        case let .array(items)?:
            return try items.map { item in
                guard case let .string(s) = item else { throw ToolError("\(tool): \(key) must be a list of strings") }
                return s
            }
        default: throw ToolError("\(tool): \(key) must be a list of strings")
        }
    }

    public func bool(_ key: String) throws -> Bool? {
        switch value(key) {
        case nil: return nil
        case let .bool(b)?: return b
        case let .string(s)? where s == "true" || s == "false": return s == "true"
        default: throw ToolError("\(tool): \(key) must be true or false")
        }
    }

    /// A JSON object (an event's details), at most `maxBytes` of JSON.
    public func object(_ key: String, maxBytes: Int) throws -> JSONValue? {
        guard let v = value(key) else { return nil }
        guard case .object = v else { throw ToolError("\(tool): \(key) must be a JSON object, e.g. {\"sha\": \"abc123\"}") }
        let size = v.json.utf8.count
        guard size <= maxBytes else { throw ToolError("\(tool): \(key) is \(size) bytes of JSON; the limit is \(maxBytes)") }
        return v
    }

    public func integer(_ key: String) throws -> Int? {
        guard let v = value(key) else { return nil }
        guard case let .number(d) = v, d == d.rounded(), abs(d) < 1e9 else { throw ToolError("\(tool): \(key) must be a whole number") }
        return Int(d)
    }

    /// `limit`: the core's default for this answer when absent, else a whole number from 1 to its maximum.
    public func limit(_ answer: AnswerLimit) throws -> Int {
        guard let v = value("limit") else { return answer.defaultValue }
        var n: Double?
        switch v {
        case let .number(d): n = d
        case let .string(s): n = Double(s)
        default: n = nil
        }
        guard let d = n, d == d.rounded(), d >= 1, d <= Double(answer.maximum) else {
            throw ToolError("\(tool): limit must be a whole number from 1 to \(answer.maximum)")
        }
        return Int(d)
    }

    /// A time: ISO 8601 (`2026-01-19`, `2026-01-19T14:30:00Z`) or a duration ago (`2h`, `7d`).
    /// A time (`Timestamp.parse`); with `endOfDay`, a bare date is the last millisecond of that day.
    public func time(_ key: String, endOfDay: Bool = false, now: Timestamp = .now()) throws -> Timestamp? {
        guard let s = try string(key) else { return nil }
        do {
            return try Timestamp.parse(s, what: key, endOfDay: endOfDay, now: now)
        } catch let error as ValidationError {
            throw ToolError("\(tool): \(error.message)")
        }
    }

    /// A duration in seconds (`30m`, `24h`, `7d`).
    public func duration(_ key: String) throws -> Int64? {
        guard let s = try string(key) else { return nil }
        let secs: Int64
        do {
            secs = try DurationText.seconds(s, what: key)
        } catch let error as ValidationError {
            throw ToolError("\(tool): \(error.message)")
        }
        guard secs > 0 else {
            throw ToolError("\(tool): \(key) \(JSONValue.quoted(s)) is not a duration like 30m, 24h or 7d")
        }
        return secs
    }
}
