import Foundation
import Testing
import MemoryModel
import TestSupport
@testable import MemorySync

/// The vault notes (components/, Home.md) are regenerated in every clone: two clones that regenerated
/// them differently, one with a person's prose added, still meet without a conflict and end up equal.
@Suite struct VaultSyncTests {
    @Test func twoClonesRegeneratingTheVaultMeetWithoutConflict() throws {
        let w = try SyncWorld()
        let a = try w.seed("a")
        let b = try w.clone("b")
        #expect(try a.read("Home.md").contains("## Projects"))
        _ = try a.record("from a", at: "2026-03-01T10:00:00Z")
        _ = try b.record("from b", at: "2026-03-01T09:00:00Z")
        // Both create components/api.md on their own, differently.
        try a.expect(["vault"])
        try b.expect(["vault"])
        // A person adds prose to b's home note and to its component note, outside the generated part.
        let home = try b.read("Home.md")
        try b.write("Home.md", home + "\nOn call this week: Dana.\n")
        try b.write("components/api.md", try b.read("components/api.md") + "\nOwned by the platform team.\n")
        try b.git("commit", "-q", "-am", "prose")
        try a.expect(["sync"])
        let merged = try b.json(["sync"])
        #expect(merged["merge"]?.stringValue == "merged")
        #expect(merged["pushed"] == .bool(true))
        try a.expect(["sync"])
        #expect(try a.head() == b.head())
        for path in ["Home.md", "components/api.md"] {
            #expect(try a.read(path) == b.read(path))
            #expect(!(try a.read(path).contains("<<<<<<<")))
        }
        let api = try a.read("components/api.md")
        #expect(api.contains("from a") && api.contains("from b"))
        #expect(api.hasSuffix("Owned by the platform team.\n"))
        #expect(try a.read("Home.md").contains("On call this week: Dana."))
        // Nothing left to regenerate: the next sync is quiet.
        let quiet = try a.json(["sync"])
        #expect(quiet["merge"]?.stringValue == "up_to_date" && quiet["pushed"] == .bool(false))
    }
}
