import MemoryModel
import Testing

@Suite struct PluralTests {
    @Test func oneIsSingularAndEveryOtherCountPlural() {
        #expect(Plural.count(1, "event") == "1 event")
        #expect(Plural.count(0, "event") == "0 events")
        #expect(Plural.count(2, "match", "matches") == "2 matches")
        #expect(Plural.count(1, "month summary", "month summaries") == "1 month summary")
    }
}
