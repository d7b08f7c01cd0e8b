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
        #expect(parseDuration("24h") == 86_400)
        #expect(parseDuration("7d") == 604_800)
        #expect(parseDuration("90s") == 90)
        #expect(parseDuration("x") == nil)
    }
}
