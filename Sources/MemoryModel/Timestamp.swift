/// A UTC instant with millisecond precision. Formatting and parsing are hand-written because they sit on
/// hot paths (every event block is parsed when the index is built) and Foundation's formatters are slow.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }
    public init(seconds: Int64) { self.milliseconds = seconds * 1000 }

    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(milliseconds: Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000)
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.milliseconds < b.milliseconds }

    public var seconds: Int64 { milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000 }

    public func adding(seconds: Int64) -> Timestamp { Timestamp(milliseconds: milliseconds + seconds * 1000) }

    /// Calendar fields in UTC.
    public var components: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int) {
        let secs = seconds
        let ms = Int(milliseconds - secs * 1000)
        var days = secs / 86400
        var rem = secs - days * 86400
        if rem < 0 { rem += 86400; days -= 1 }
        let (y, m, d) = Timestamp.civil(fromDays: days)
        return (y, m, d, Int(rem / 3600), Int(rem % 3600 / 60), Int(rem % 60), ms)
    }

    /// `2026-01-19T14:30:12Z`, with `.123` when there are milliseconds.
    public var iso8601: String {
        let c = components
        var s = "\(pad4(c.year))-\(pad2(c.month))-\(pad2(c.day))T\(pad2(c.hour)):\(pad2(c.minute)):\(pad2(c.second))"
        if c.millisecond != 0 { s += "." + pad3(c.millisecond) }
        return s + "Z"
    }

    /// `2026-01-19`
    public var day: String {
        let c = components
        return "\(pad4(c.year))-\(pad2(c.month))-\(pad2(c.day))"
    }

    /// `14:30:12`
    public var timeOfDay: String {
        let c = components
        return "\(pad2(c.hour)):\(pad2(c.minute)):\(pad2(c.second))"
    }

    /// `20260119-143012`, the time part of an ID.
    public var compact: String {
        let c = components
        return "\(pad4(c.year))\(pad2(c.month))\(pad2(c.day))-\(pad2(c.hour))\(pad2(c.minute))\(pad2(c.second))"
    }

    public var description: String { iso8601 }

    public var startOfDay: Timestamp {
        var days = seconds / 86400
        if seconds < 0 && seconds % 86400 != 0 { days -= 1 }
        return Timestamp(seconds: days * 86400)
    }

    // MARK: Parsing

    /// Parses RFC 3339 / ISO 8601 forms people type: `2026-01-19`, `2026-01-19T14:30`, `2026-01-19T14:30:12Z`,
    /// `2026-01-19 14:30:12.5+02:00`. A date without zone is UTC.
    public init?(iso8601 text: String) {
        var bytes = Array(text.utf8)
        guard let parsed = bytes.withUnsafeMutableBufferPointer({ Timestamp.parse(UnsafeBufferPointer($0)) }) else { return nil }
        self = parsed
    }

    public static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(45), let month = digits(2), expect(45), let day = digits(2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var hour = 0, minute = 0, second = 0, millis = 0, offset = 0
        if i < b.count, b[i] == 84 || b[i] == 116 || b[i] == 32 { // T t space
            i += 1
            guard let h = digits(2), expect(58), let m = digits(2), h < 24, m < 60 else { return nil }
            hour = h; minute = m
            if i < b.count, b[i] == 58 {
                i += 1
                guard let s = digits(2), s <= 60 else { return nil }
                second = min(s, 59)
                if i < b.count, b[i] == 46 || b[i] == 44 {
                    i += 1
                    var scale = 100, frac = 0, any = false
                    while i < b.count, b[i] >= 48, b[i] <= 57 {
                        frac += Int(b[i] - 48) * scale
                        scale /= 10
                        i += 1
                        any = true
                    }
                    guard any else { return nil }
                    millis = frac
                }
            }
            if i < b.count {
                if b[i] == 90 || b[i] == 122 { i += 1 }
                else if b[i] == 43 || b[i] == 45 {
                    let sign = b[i] == 45 ? -1 : 1
                    i += 1
                    guard let oh = digits(2) else { return nil }
                    _ = expect(58)
                    guard let om = digits(2) else { return nil }
                    offset = sign * (oh * 3600 + om * 60)
                }
            }
        }
        guard i == b.count else { return nil }
        let days = civilToDays(year: year, month: month, day: day)
        let secs = days * 86400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        return Timestamp(milliseconds: secs * 1000 + Int64(millis))
    }

    // Howard Hinnant's days-from-civil, valid for the proleptic Gregorian calendar.
    static func civilToDays(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civil(fromDays z0: Int64) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(m <= 2 ? y + 1 : y), Int(m), Int(d))
    }
}

@inline(__always) private func pad2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
@inline(__always) private func pad3(_ v: Int) -> String { v < 10 ? "00\(v)" : v < 100 ? "0\(v)" : "\(v)" }
@inline(__always) private func pad4(_ v: Int) -> String {
    v < 10 ? "000\(v)" : v < 100 ? "00\(v)" : v < 1000 ? "0\(v)" : "\(v)"
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Timestamp {
    /// A time as people type it on the command line or in a tool call: ISO 8601 (`2026-01-19`,
    /// `2026-01-19T14:30:00Z`) or a duration ago (`2h`, `7d`, bounded by `DurationText`). `what` names the
    /// option or argument in the error. With `endOfDay`, a bare date (`2026-01-19`) is the last millisecond
    /// of that day: the end of a range a person gives as a date includes the day.
    public static func parse(_ text: String, what: String, endOfDay: Bool = false, now: Timestamp = .now()) throws -> Timestamp {
        if let t = Timestamp(iso8601: text) {
            let bareDate = text.utf8.count == 10 && !text.contains("T")
            return endOfDay && bareDate ? Timestamp(milliseconds: t.milliseconds + 86_400_000 - 1) : t
        }
        if DurationText.hasUnit(text), DurationText.parse(text) != .invalid {
            return now.adding(seconds: -(try DurationText.seconds(text, what: what)))
        }
        throw ValidationError("\(what) \(JSONValue.quoted(text)) is not a time: use ISO 8601 (2026-01-19T14:30:00Z) or a duration ago (2h, 7d)")
    }
}
