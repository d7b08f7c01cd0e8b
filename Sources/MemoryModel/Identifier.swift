/// IDs are `PREFIX-YYYYMMDD-HHMMSS-SUFFIX`: they sort by time as strings, need no coordination between
/// machines (the suffix is random, or a content hash for imports), and are safe as file names.
public enum IdentifierKind: String, Sendable, CaseIterable {
    case session = "sess"
    case decision = "dec"
    case event = "ev"
}

public enum Identifier {
    /// A new random ID for `time`.
    public static func make(_ kind: IdentifierKind, at time: Timestamp) -> String {
        var rng = SystemRandomNumberGenerator()
        let bits = rng.next() & 0xFF_FFFF_FFFF // 40 bits: collisions need the same second and ~1e12 odds
        return "\(kind.rawValue)-\(time.compact)-\(hex(bits, width: 10))"
    }

    /// An ID derived from the content, so that importing the same record twice gives the same ID.
    public static func derived(_ kind: IdentifierKind, at time: Timestamp, content: String) -> String {
        "\(kind.rawValue)-\(time.compact)-\(hex(fnv1a64(content) & 0xFF_FFFF_FFFF, width: 10))"
    }

    /// The UTC day an ID of ours was minted on (`2026-01-19`), used to find its file without an index.
    public static func day(of id: String) -> String? {
        let parts = id.split(separator: "-")
        guard parts.count >= 3, parts[1].count == 8, parts[1].allSatisfy(\.isNumber) else { return nil }
        let d = parts[1]
        return "\(d.prefix(4))-\(d.dropFirst(4).prefix(2))-\(d.suffix(2))"
    }

    /// IDs must be usable as file names everywhere: letters, digits, `.`, `_`, `-`; no leading dot or dash;
    /// no `..`; at most 128 characters.
    public static func validate(_ id: String, what: String = "ID") throws {
        guard isSafeName(id, maxLength: 128) else {
            throw ValidationError("\(what) \(JSONValue.quoted(id)) is not valid: use letters, digits, '.', '_' and '-' (at most 128), not starting with '.' or '-' and without '..'")
        }
    }

    /// Component names are Kubernetes-style names: the same rule as IDs, up to 253 characters.
    public static func validateComponent(_ name: String) throws {
        guard isSafeName(name, maxLength: 253) else {
            throw ValidationError("component name \(JSONValue.quoted(name)) is not valid: use letters, digits, '.', '_' and '-' (no '/', no '..', no spaces or control characters)")
        }
    }

    public static func isSafeName(_ s: String, maxLength: Int) -> Bool {
        var s = s
        return s.withUTF8 { isSafeName($0, maxLength: maxLength) }
    }

    public static func isSafeName(_ u: UnsafeBufferPointer<UInt8>, maxLength: Int) -> Bool {
        guard !u.isEmpty, u.count <= maxLength, let first = u.first, first != UInt8(ascii: "."), first != UInt8(ascii: "-") else {
            return false
        }
        var previousDot = false
        for c in u {
            let ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 46 || c == 95
            guard ok else { return false }
            if c == 46 && previousDot { return false }
            previousDot = c == 46
        }
        return true
    }

    static func hex(_ v: UInt64, width: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}

/// FNV-1a, 64 bit: a stable content hash for derived IDs (not a security boundary).
public func fnv1a64(_ s: String) -> UInt64 {
    var h: UInt64 = 0xcbf29ce484222325
    for b in s.utf8 {
        h ^= UInt64(b)
        h = h &* 0x100000001b3
    }
    return h
}

/// Input a user can fix: the message is a sentence that says what is wrong.
public struct ValidationError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A note that cannot be read, with the file and line a human should look at.
public struct NoteError: Error, CustomStringConvertible, Sendable, Equatable {
    public let path: String
    public let line: Int
    public let message: String

    public init(path: String, line: Int, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String { "\(path):\(line): \(message)" }
}
