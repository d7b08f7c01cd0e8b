import Testing
@testable import MemoryModel

@Suite struct TimestampTests {
    @Test func parsesTheFormsPeopleType() throws {
        #expect(Timestamp(iso8601: "2026-01-19")?.iso8601 == "2026-01-19T00:00:00Z")
        #expect(Timestamp(iso8601: "2026-01-19T14:30")?.iso8601 == "2026-01-19T14:30:00Z")
        #expect(Timestamp(iso8601: "2026-01-19T14:30:12Z")?.iso8601 == "2026-01-19T14:30:12Z")
        #expect(Timestamp(iso8601: "2026-01-19T14:30:12.5Z")?.iso8601 == "2026-01-19T14:30:12.500Z")
        #expect(Timestamp(iso8601: "2026-01-19 16:30:12+02:00")?.iso8601 == "2026-01-19T14:30:12Z")
        #expect(Timestamp(iso8601: "2026-01-19T14:30:12-0130")?.iso8601 == "2026-01-19T16:00:12Z")
    }

    @Test func rejectsGarbage() {
        for bad in ["", "yesterday", "2026-13-01", "2026-01-19T25:00", "2026-01-19T14:30:12Zjunk", "20260119"] {
            #expect(Timestamp(iso8601: bad) == nil, "\(bad) should not parse")
        }
    }

    @Test func roundTripsAcrossCenturies() throws {
        for seconds: Int64 in [0, 951_782_400, 1_768_833_012, 4_102_444_800, -86_400] {
            let t = Timestamp(seconds: seconds)
            #expect(Timestamp(iso8601: t.iso8601) == t)
        }
        #expect(Timestamp(seconds: 951_782_400).day == "2000-02-29")
    }

    @Test func formatsIDParts() {
        let t = Timestamp(iso8601: "2026-01-19T04:05:06Z")!
        #expect(t.compact == "20260119-040506")
        #expect(t.timeOfDay == "04:05:06")
        #expect(TimelineEvent.dayPath(for: t) == "timeline/2026/01/2026-01-19.md")
    }

    @Test func durations() {
        #expect(DurationText.parse("24h") == .seconds(86_400))
        #expect(DurationText.parse("7d") == .seconds(604_800))
        #expect(DurationText.parse("90s") == .seconds(90))
        #expect(DurationText.parse("120") == .seconds(120))
        #expect(DurationText.parse("x") == .invalid)
        #expect(DurationText.parse("-5m") == .invalid)
        #expect(DurationText.parse("") == .invalid)
        // Past the bound, and past what an Int64 holds: an error, never a trap.
        #expect(DurationText.parse("999999999999999999d") == .tooLong)
        #expect(DurationText.parse("99999999999999999999999999s") == .tooLong)
        #expect(DurationText.parse("36601d") == .tooLong)
        #expect(DurationText.parse("36600d") == .seconds(36_600 * 86_400))
        #expect(throws: ValidationError.self) { try DurationText.seconds("999999999999999999d", what: "--window") }
        #expect(throws: ValidationError.self) { try DurationText.seconds(1e30, what: "interval") }
    }
}
