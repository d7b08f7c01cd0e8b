import Hummingbird
import MemoryModel
import NIOCore

/// Limits on what a client may send. Text limits are in Unicode scalars (what JSON Schema's `maxLength`
/// counts), chosen so the UTF-8 size always fits the store's byte limits (`Limits`).
public enum RequestLimits {
    /// Bodies of API requests.
    public static let body = 1 << 20
    /// Webhook deliveries (GitHub sends up to 25 MB; pushes with many commits are large).
    public static let webhookBody = 8 << 20
    /// Nesting of JSON bodies: deeper is refused as a nesting bomb.
    public static let jsonDepth = 32
    /// Free text: a task, a summary, a rationale. 16,384 scalars are at most 64 KiB of UTF-8.
    public static let text = 16_384
    /// A correlation symptom.
    public static let symptom = 4_096
    /// Items in one list field.
    public static let listItems = 1_000
    /// Events in one `POST /memory/timeline/events`.
    public static let eventsPerRequest = 1_000
    /// Paths (working directories).
    public static let path = 4_096
}

extension Request {
    /// The body, collected up to `limit` bytes. A declared or actual size over the limit is a 413.
    func collectBytes(limit: Int) async throws -> [UInt8] {
        if let declared = headers[.contentLength].flatMap(Int.init), declared > limit {
            throw APIError.bodyTooLarge(limit: limit)
        }
        do {
            let buffer = try await body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: limit)
        }
    }

    /// The body as a JSON object, parsed with a depth limit.
    func jsonObject(limit: Int = RequestLimits.body) async throws -> RequestFields {
        try RequestFields(parsing: try await collectBytes(limit: limit))
    }
}

/// The fields of a JSON request body, read with types checked and messages that name the field.
public struct RequestFields: Sendable {
    public let value: JSONValue
    private let fields: [String: JSONValue]

    public init(parsing bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { throw APIError.badRequest("the request body is empty; send a JSON object") }
        let parsed: JSONValue
        do {
            parsed = try bytes.withUnsafeBufferPointer { try JSONValue.parse(bytes: $0, maxDepth: RequestLimits.jsonDepth) }
        } catch let error as JSONParseError {
            throw APIError.badRequest("the request body is not valid JSON: \(error.description)")
        }
        try self.init(parsed, what: "the request body")
    }

    public init(_ value: JSONValue, what: String) throws {
        guard case let .object(pairs) = value else { throw APIError.badRequest("\(what) must be a JSON object") }
        self.value = value
        var d: [String: JSONValue] = [:]
        for (k, v) in pairs { d[k] = v }
        fields = d
    }

    public subscript(key: String) -> JSONValue? { fields[key] }

    /// Refuses fields the endpoint does not know, so a misspelt field is an error rather than ignored.
    public func allowOnly(_ keys: Set<String>, what: String = "the request body") throws {
        if let unknown = fields.keys.sorted().first(where: { !keys.contains($0) }) {
            throw APIError.badRequest("\(what) has an unknown field \(JSONValue.quoted(unknown)); known fields: \(keys.sorted().joined(separator: ", "))")
        }
    }
    public func has(_ key: String) -> Bool { fields[key] != nil }

    private func wrongType(_ key: String, _ expected: String, _ got: JSONValue) -> APIError {
        .badRequest("field \(key) must be \(expected), not \(RequestFields.describe(got))")
    }

    static func describe(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// A text field: at most `maxLength` Unicode scalars, no NUL.
    public func string(_ key: String, maxLength: Int = RequestLimits.text) throws -> String? {
        guard let v = fields[key] else { return nil }
        guard case let .string(s) = v else { throw wrongType(key, "a string", v) }
        try RequestFields.checkText(s, field: key, maxLength: maxLength)
        return s
    }

    public func requiredString(_ key: String, maxLength: Int = RequestLimits.text, nonEmpty: Bool = true) throws -> String {
        guard let s = try string(key, maxLength: maxLength) else { throw APIError.badRequest("field \(key) is required") }
        if nonEmpty, s.isEmpty { throw APIError.badRequest("field \(key) must not be empty") }
        return s
    }

    public func stringList(_ key: String, maxLength: Int = RequestLimits.text) throws -> [String]? {
        guard let v = fields[key] else { return nil }
        guard case let .array(items) = v else { throw wrongType(key, "an array of strings", v) }
        guard items.count <= RequestLimits.listItems else {
            throw APIError.badRequest("field \(key) has \(items.count) items; the limit is \(RequestLimits.listItems)")
        }
        return try items.enumerated().map { i, item in
            guard case let .string(s) = item else { throw wrongType("\(key)[\(i)]", "a string", item) }
            try RequestFields.checkText(s, field: "\(key)[\(i)]", maxLength: maxLength)
            return s
        }
    }

    public func integer(_ key: String) throws -> Int? {
        guard let v = fields[key] else { return nil }
        guard case let .number(n) = v, n == n.rounded(), n >= -2_147_483_648, n <= 2_147_483_647 else {
            throw wrongType(key, "an integer (32-bit)", v)
        }
        return Int(n)
    }

    public func bool(_ key: String) throws -> Bool? {
        guard let v = fields[key] else { return nil }
        guard case let .bool(b) = v else { throw wrongType(key, "a boolean", v) }
        return b
    }

    public func object(_ key: String) throws -> JSONValue? {
        guard let v = fields[key] else { return nil }
        guard case .object = v else { throw wrongType(key, "an object", v) }
        return v
    }

    /// A token such as an event type or a source: letters, digits, `_`, `-`, `.`; 1 to 64 characters.
    public func token(_ key: String) throws -> String? {
        guard let s = try string(key, maxLength: Limits.maxToken) else { return nil }
        try RequestFields.checkToken(s, field: key)
        return s
    }

    public static func checkText(_ s: String, field: String, maxLength: Int) throws {
        var count = 0
        for scalar in s.unicodeScalars {
            if scalar.value == 0 { throw APIError.badRequest("field \(field) contains a NUL character") }
            count += 1
        }
        if count > maxLength { throw APIError.badRequest("field \(field) is \(count) characters long; the limit is \(maxLength)") }
    }

    public static func checkToken(_ s: String, field: String) throws {
        do {
            try Limits.checkToken(s, what: "field \(field)")
        } catch let e as ValidationError {
            throw APIError.badRequest(e.message)
        }
    }
}
