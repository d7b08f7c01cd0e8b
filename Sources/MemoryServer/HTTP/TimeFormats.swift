import MemoryModel

/// Exactly the time formats `docs/openapi.yaml` declares, so the server accepts what the description
/// promises and refuses the rest: RFC 3339 `date-time` and `full-date`, and durations.
enum TimeFormats {
    /// RFC 3339 §5.6 `date-time`: `2026-01-19T14:30:12Z`, `2026-01-19t14:30:12.5+02:00`.
    static func dateTime(_ s: String) -> Timestamp? {
        let b = Array(s.utf8)
        guard b.count >= 20, fullDate(b, 0), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") else { return nil }
        guard digits(b, 11, 2), b[13] == UInt8(ascii: ":"), digits(b, 14, 2), b[16] == UInt8(ascii: ":"), digits(b, 17, 2) else { return nil }
        guard number(b, 11, 2) <= 23, number(b, 14, 2) <= 59, number(b, 17, 2) <= 60 else { return nil }
        var i = 19
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < b.count, isDigit(b[i]) { i += 1 }
            guard i > start else { return nil }
        }
        guard i < b.count else { return nil }
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard i + 6 == b.count, digits(b, i + 1, 2), b[i + 3] == UInt8(ascii: ":"), digits(b, i + 4, 2),
                  number(b, i + 1, 2) <= 23, number(b, i + 4, 2) <= 59 else { return nil }
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        return Timestamp(iso8601: s)
    }

    /// RFC 3339 `full-date`, a real calendar day: `2026-01-19`.
    static func date(_ s: String) -> Timestamp? {
        let b = Array(s.utf8)
        guard b.count == 10, fullDate(b, 0) else { return nil }
        return Timestamp(iso8601: s)
    }

    /// `90s`, `30m`, `24h`, `7d`, `2w` or plain seconds, as the spec's pattern `^[1-9][0-9]{0,8}[smhdw]?$`
    /// allows, valued by the one duration parser (which also bounds it).
    static func duration(_ s: String) -> Int64? {
        let b = Array(s.utf8)
        var n = b.count
        if let last = b.last, !isDigit(last) { n -= 1 }
        guard (1...9).contains(n), b[0] != UInt8(ascii: "0"), digits(b, 0, n),
              case let .seconds(seconds) = DurationText.parse(s) else { return nil }
        return seconds
    }

    private static func fullDate(_ b: [UInt8], _ at: Int) -> Bool {
        guard b.count >= at + 10, digits(b, at, 4), b[at + 4] == UInt8(ascii: "-"), digits(b, at + 5, 2),
              b[at + 7] == UInt8(ascii: "-"), digits(b, at + 8, 2) else { return false }
        let year = number(b, at, 4), month = number(b, at + 5, 2), day = number(b, at + 8, 2)
        guard (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return day <= days
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    private static func digits(_ b: [UInt8], _ at: Int, _ n: Int) -> Bool {
        guard at + n <= b.count else { return false }
        return b[at..<(at + n)].allSatisfy(isDigit)
    }

    private static func number(_ b: [UInt8], _ at: Int, _ n: Int) -> Int {
        b[at..<(at + n)].reduce(0) { $0 * 10 + Int($1 - 48) }
    }
}
