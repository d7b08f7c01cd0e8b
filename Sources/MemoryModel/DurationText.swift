/// Durations as people write them: `90s`, `37m`, `24h`, `7d`, `2w`, or a plain number of seconds.
///
/// Every duration cmem reads (command-line options, MCP arguments, `.cmem/config.yaml`, the collector's
/// configuration) goes through here, so each has the same units and the same bound. The bound keeps
/// arithmetic on timestamps (milliseconds in an `Int64`) far from overflow whatever a caller passes.
public enum DurationText {
    /// The longest duration accepted: 100 years, longer than any memory's history.
    public static let maximumSeconds: Int64 = 36_600 * 86_400

    /// Seconds in `text`; a `ValidationError` naming `what` when it is not a duration or exceeds the bound.
    public static func seconds(_ text: String, what: String) throws -> Int64 {
        switch parse(text) {
        case let .seconds(s): return s
        case .tooLong:
            throw ValidationError("\(what) \(JSONValue.quoted(text)) is longer than 100 years, the longest duration cmem accepts")
        case .invalid:
            throw ValidationError("\(what) \(JSONValue.quoted(text)) is not a duration like 90s, 30m, 24h or 7d")
        }
    }

    /// A number of seconds given as a number (JSON, YAML): whole, not negative, within the bound.
    public static func seconds(_ value: Double, what: String) throws -> Int64 {
        guard value >= 0, value == value.rounded() else {
            throw ValidationError("\(what) \(value) is not a whole, non-negative number of seconds")
        }
        guard value <= Double(maximumSeconds) else {
            throw ValidationError("\(what) \(value) seconds is longer than 100 years, the longest duration cmem accepts")
        }
        return Int64(value)
    }

    /// Whether `text` ends in a unit (`2h`, not `7200`): "a duration ago" in a time option needs one,
    /// so that a bare number is never read as one.
    /// A duration as people write it, in hours when it is whole hours (`24h`, `168h`), else minutes or seconds.
    public static func text(seconds: Int64) -> String {
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }

    public static func hasUnit(_ text: String) -> Bool {
        text.last.map { !$0.isNumber } ?? false
    }

    public enum Parsed: Equatable, Sendable {
        case seconds(Int64)
        case tooLong
        case invalid
    }

    public static func parse(_ text: String) -> Parsed {
        var digits = Substring(text)
        var unit: Int64 = 1
        if let last = text.last, !last.isNumber {
            switch last {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86_400
            case "w": unit = 7 * 86_400
            default: return .invalid
            }
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return .invalid }
        // More digits than an Int64 holds is still a duration, just a far too long one.
        guard let value = Int64(digits) else { return .tooLong }
        let (product, overflow) = value.multipliedReportingOverflow(by: unit)
        guard !overflow, product <= maximumSeconds else { return .tooLong }
        return .seconds(product)
    }
}
