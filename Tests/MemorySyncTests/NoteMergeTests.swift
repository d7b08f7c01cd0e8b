import Foundation
import Testing
import MemoryModel
@testable import MemorySync

/// A session note in the shape `cmem` writes, with hooks to vary each part.
struct Note {
    var summary = "Found the pip race"
    var currentTask = "Fix the MCP servers"
    var decisions = ["dec-1"]
    var blockers = ["registry down"]
    var todos: [(String, String)] = [("add readiness probe", "pending")]
    var actions: [(String, String)] = [("2026-03-01T10:00:00Z", "kubectl get pods")]
    var updated = "2026-03-01T10:00:00Z"
    var extra = ""
    var generated = "Decisions: dec-1\n"
    var notes = "First paragraph of notes.\n\nSecond paragraph of notes.\n"

    var text: String {
        var s = "---\nsession_id: sess-20260301-100000-abcdefabcd\nstatus: active\n"
        s += "current_task: \(YAMLWriter.scalar(currentTask))\nsummary: \(YAMLWriter.scalar(summary))\n"
        s += YAMLWriter.records("todo_list", todos.map { [("text", .string($0.0)), ("status", .string($0.1))] })
        s += YAMLWriter.list("blockers", blockers)
        s += YAMLWriter.list("decisions", decisions.map(Wikilink.make))
        s += YAMLWriter.records("actions", actions.map { [("time", .string($0.0)), ("kind", .string("command")), ("detail", .string($0.1))] })
        s += "updated: \(updated)\n" + extra + "---\n\n# Fix the MCP servers\n\n"
        s += ManagedSection.wrap(generated) + "\n## Notes\n\n" + notes
        return s
    }

    static func merge(_ base: Note, _ ours: Note, _ theirs: Note) throws -> (NoteMerge.Result, [(String, JSONValue)]) {
        let r = try NoteMerge.merge(base: base.text, ours: ours.text, theirs: theirs.text, path: "sessions/2026/03/s.md")
        let doc = try FrontMatterDocument.split(r.text, path: "s.md")
        return (r, try doc.values(path: "s.md"))
    }
}

func value(_ values: [(String, JSONValue)], _ key: String) -> JSONValue? { values.first(where: { $0.0 == key })?.1 }
func strings(_ v: JSONValue?) -> [String] {
    if case let .array(items)? = v { return items.compactMap { $0.stringValue ?? $0["text"]?.stringValue ?? $0["detail"]?.stringValue } }
    return []
}

@Suite struct NoteMergeTests {
    let base = Note()

    @Test func differentFieldsEditedOnEachSideBothLand() throws {
        var ours = base, theirs = base
        ours.summary = "Fix deployed"
        theirs.currentTask = "Roll out the fix"
        theirs.extra = "reviewer: alice\n"
        let (r, v) = try Note.merge(base, ours, theirs)
        #expect(r.conflicts == 0 && r.kept.isEmpty)
        #expect(value(v, "summary")?.stringValue == "Fix deployed")
        #expect(value(v, "current_task")?.stringValue == "Roll out the fix")
        #expect(value(v, "reviewer")?.stringValue == "alice")
    }

    @Test func listsAreUnionedAndRemovalsStayRemoved() throws {
        var ours = base, theirs = base
        ours.decisions = ["dec-1", "dec-2"]
        theirs.decisions = ["dec-1", "dec-3"]
        ours.blockers = []                       // unblocked on one side
        theirs.blockers = ["registry down", "quota"]
        ours.updated = "2026-03-01T10:05:00Z"
        theirs.updated = "2026-03-01T10:06:00Z"
        let (r, v) = try Note.merge(base, ours, theirs)
        #expect(r.conflicts == 0 && r.kept.isEmpty)
        #expect(strings(value(v, "decisions")) == ["[[dec-1]]", "[[dec-2]]", "[[dec-3]]"])
        #expect(strings(value(v, "blockers")) == ["quota"])
        #expect(value(v, "updated")?.stringValue == "2026-03-01T10:06:00Z")
    }

    @Test func actionsAreUnionedInTimeOrder() throws {
        var ours = base, theirs = base
        ours.actions += [("2026-03-01T10:02:00Z", "ours second"), ("2026-03-01T10:04:00Z", "ours fourth")]
        theirs.actions += [("2026-03-01T10:01:00Z", "theirs first"), ("2026-03-01T10:03:00Z", "theirs third")]
        let (_, v) = try Note.merge(base, ours, theirs)
        #expect(strings(value(v, "actions")) == ["kubectl get pods", "theirs first", "ours second", "theirs third", "ours fourth"])
    }

    @Test func todosMatchByTextAndDoneWins() throws {
        var ours = base, theirs = base
        ours.todos = [("add readiness probe", "done"), ("write runbook", "pending")]
        theirs.todos = [("add readiness probe", "cancelled"), ("page oncall", "pending")]
        let (_, v) = try Note.merge(base, ours, theirs)
        guard case let .array(items)? = value(v, "todo_list") else { Issue.record("no todo_list"); return }
        #expect(items.compactMap { $0["text"]?.stringValue } == ["add readiness probe", "write runbook", "page oncall"])
        #expect(items.first?["status"]?.stringValue == "done")
    }

    @Test func aScalarChangedOnBothSidesTakesTheLaterUpdateAndKeepsTheOther() throws {
        var ours = base, theirs = base
        ours.summary = "older summary"
        ours.updated = "2026-03-01T11:00:00Z"
        theirs.summary = "newer summary"
        theirs.updated = "2026-03-01T12:00:00Z"
        let (r, v) = try Note.merge(base, ours, theirs)
        #expect(r.conflicts == 0)
        #expect(value(v, "summary")?.stringValue == "newer summary")
        #expect(value(v, "updated")?.stringValue == "2026-03-01T12:00:00Z")
        guard case let .array(kept)? = value(v, NoteMerge.keptKey) else { Issue.record("no merge_conflicts"); return }
        #expect(kept.count == 1)
        #expect(kept.first?["field"]?.stringValue == "summary")
        #expect(kept.first?["value"]?.stringValue == "older summary")
        #expect(kept.first?["updated"]?.stringValue == "2026-03-01T11:00:00Z")
        // Symmetric: the same values win whichever side is ours.
        let (_, w) = try Note.merge(base, theirs, ours)
        #expect(value(w, "summary")?.stringValue == "newer summary")
    }

    @Test func unchangedKeysKeepTheirBytesAndCommentsAndUnknownKeys() throws {
        var ours = base, theirs = base
        ours.extra = "# a human comment\nowner:   bob   # spaced as bob likes\n"
        theirs.extra = ours.extra
        theirs.summary = "changed"
        let r = try NoteMerge.merge(base: base.text, ours: ours.text, theirs: theirs.text, path: "s.md")
        #expect(r.text.contains("# a human comment\nowner:   bob   # spaced as bob likes\n"))
        #expect(r.text.contains("summary: changed\n"))
    }

    @Test func proseInDifferentParagraphsMergesAndTheGeneratedPartTakesTheNewerSide() throws {
        var ours = base, theirs = base
        ours.notes = "First paragraph, edited on ours.\n\nSecond paragraph of notes.\n"
        ours.generated = "Decisions: dec-1, dec-2\n"
        ours.decisions = ["dec-1", "dec-2"]
        ours.updated = "2026-03-01T10:10:00Z"
        theirs.notes = "First paragraph of notes.\n\nSecond paragraph, edited on theirs.\n"
        theirs.generated = "Decisions: dec-1, dec-3\n"
        theirs.decisions = ["dec-1", "dec-3"]
        theirs.updated = "2026-03-01T10:20:00Z"
        let (r, _) = try Note.merge(base, ours, theirs)
        #expect(r.conflicts == 0)
        #expect(r.text.contains("First paragraph, edited on ours."))
        #expect(r.text.contains("Second paragraph, edited on theirs."))
        #expect(r.text.contains("Decisions: dec-1, dec-3\n"))
        #expect(!r.text.contains("<<<<<<<"))
    }

    @Test func theSameParagraphEditedOnBothSidesIsLeftForAHuman() throws {
        var ours = base, theirs = base
        ours.notes = "First paragraph, as Alice sees it.\n\nSecond paragraph of notes.\n"
        theirs.notes = "First paragraph, as Bob sees it.\n\nSecond paragraph of notes.\n"
        let r = try NoteMerge.merge(base: base.text, ours: ours.text, theirs: theirs.text, path: "s.md")
        #expect(r.conflicts == 1)
        #expect(r.text.contains("<<<<<<< ours:s.md") && r.text.contains(">>>>>>> theirs:s.md"))
        #expect(r.text.contains("as Alice sees it") && r.text.contains("as Bob sees it"))
    }

    @Test func aKeyDeletedOnOneSideAndEditedOnTheOtherIsKept() throws {
        var b = base, ours = base, theirs = base
        b.extra = "owner: bob\n"
        ours.extra = ""
        theirs.extra = "owner: carol\n"
        let (_, v) = try Note.merge(b, ours, theirs)
        #expect(value(v, "owner")?.stringValue == "carol")
    }

    @Test func notesWithoutFrontMatterFallBackToTheLineMerge() throws {
        let r = try NoteMerge.merge(base: "a\nb\nc\n", ours: "A\nb\nc\n", theirs: "a\nb\nC\n", path: "x.md")
        #expect(r.text == "A\nb\nC\n")
        #expect(r.conflicts == 0)
    }

    @Test func keptValuesAccumulateAcrossMerges() throws {
        var ours = base, theirs = base
        ours.summary = "one"
        ours.updated = "2026-03-01T11:00:00Z"
        theirs.summary = "two"
        theirs.updated = "2026-03-01T12:00:00Z"
        let first = try NoteMerge.merge(base: base.text, ours: ours.text, theirs: theirs.text, path: "s.md")
        // Later, the merged note and another edit of the summary meet again.
        let again = first.text.replacingOccurrences(of: "summary: two", with: "summary: three")
            .replacingOccurrences(of: "updated: 2026-03-01T12:00:00Z", with: "updated: 2026-03-01T13:00:00Z")
        let other = first.text.replacingOccurrences(of: "summary: two", with: "summary: four")
            .replacingOccurrences(of: "updated: 2026-03-01T12:00:00Z", with: "updated: 2026-03-01T12:30:00Z")
        let second = try NoteMerge.merge(base: first.text, ours: again, theirs: other, path: "s.md")
        let v = try FrontMatterDocument.split(second.text, path: "s.md").values(path: "s.md")
        #expect(value(v, "summary")?.stringValue == "three")
        guard case let .array(kept)? = value(v, NoteMerge.keptKey) else { Issue.record("no merge_conflicts"); return }
        #expect(kept.compactMap { $0["value"]?.stringValue } == ["one", "four"])
    }
}
