import CmemFixtures
import Foundation
import MemoryModel
import MemoryStore
import Testing

/// The index, scenario and benchmark tests read repositories that `MemoryFiles` generates without a store:
/// they test the real format only as long as both write the same bytes.
@Suite struct MemoryFilesTests {
    static let day = "2026-03-11"

    /// Noise events of one day, at distinct times (for ties the store orders a batch by ID, `MemoryFiles`
    /// keeps the order given).
    static func events(_ count: Int, seed: UInt64) -> [TimelineEvent] {
        var g = NoiseGenerator(seed: seed)
        let start = Timestamp(iso8601: day)!
        var seen = Set<Timestamp>()
        return g.events(count: count, from: start, to: start.adding(seconds: 86_400)).filter { seen.insert($0.timestamp).inserted }
    }

    /// Everything before the first event block.
    static func header(_ text: String) -> String {
        text.range(of: "\n## ").map { String(text[..<$0.lowerBound]) } ?? text
    }

    @Test func dayFileHeaderIsTheStores() throws {
        let f = try StoreFixture()
        let e = Self.events(1, seed: 3)[0]
        try f.store.recordEvents([e])
        let written = try f.read(e.dayPath)
        let generated = MemoryFiles.dayFile(day: Self.day, events: [e])
        #expect(Self.header(generated) == Self.header(written))
        #expect(Self.header(generated).hasPrefix("---\ndate: \(Self.day)\ntags: [cmem/timeline]\n---\n\n# Timeline \(Self.day)\n"))
        #expect(generated == written)
    }

    @Test func dayFileIsWhatTheStoreWritesForABatch() throws {
        let f = try StoreFixture()
        let events = Self.events(40, seed: 17)
        try f.store.recordEvents(events)
        let written = try f.read(events[0].dayPath)
        #expect(MemoryFiles.dayFile(day: Self.day, events: events) == written)
    }

    @Test func dayFileIsWhatTheStoreWritesOneEventAtATime() throws {
        let f = try StoreFixture()
        let events = Self.events(5, seed: 29)
        for e in events { try f.store.recordEvents([e], durable: false) }
        let written = try f.read(events[0].dayPath)
        #expect(MemoryFiles.dayFile(day: Self.day, events: events) == written)
    }

    /// A generated day file is one the store reads back and goes on appending to as if it had written it.
    @Test func theStoreContinuesAGeneratedDayFile() throws {
        let f = try StoreFixture()
        let events = Self.events(12, seed: 41)
        let (generated, later) = (Array(events.dropLast(2)), Array(events.suffix(2)))
        let paths = try MemoryFiles.write(events: generated, to: f.root)
        #expect(paths == [events[0].dayPath])
        #expect(try f.store.events(inDayFile: paths[0]).events == generated)
        try f.store.recordEvents(later)
        #expect(try f.read(paths[0]) == MemoryFiles.dayFile(day: Self.day, events: events))
    }
}
