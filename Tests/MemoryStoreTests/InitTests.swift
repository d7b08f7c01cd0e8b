import Foundation
import Testing
import MemoryModel
@testable import MemoryStore
import TestSupport

@Suite struct InitTests {
    @Test func createsConfigReadmeAttributesAndOneCommit() throws {
        let f = try StoreFixture()
        for path in [".cmem/config.yaml", ".cmem/components.yaml", ".gitattributes", "README.md", "Home.md", ".gitignore"] {
            #expect(FileManager.default.fileExists(atPath: f.root + "/" + path), "\(path)")
        }
        #expect(try f.store.git.log().count == 1)
        #expect(try f.git("status", "--porcelain").trimmed == "")
        #expect(f.store.config.currentWindow == 86_400)
        let header = Array(FileManager.default.contents(atPath: f.root + "/.git/index")!.prefix(8))
        #expect(header[7] == 4, "a new memory uses the compact index format")
        try f.store.recordEvents([StoreFixture.event("2026-01-19T10:00:00Z")])
        #expect(try f.git("status", "--porcelain").trimmed == "")
        #expect(Array(FileManager.default.contents(atPath: f.root + "/.git/index")!.prefix(8))[7] == 4)
    }

    @Test func onAnExistingRepoAddsOnlyWhatIsMissingAndChangesNothingElse() throws {
        let dir = TemporaryDirectory()
        let root = dir.file("existing")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try ProcessRunner.git(["init", "-q", "-b", "main"], cwd: root)
        try dir.write("existing/README.md", "# Mine\n")
        try dir.write("existing/notes/todo.md", "keep me\n")
        try ProcessRunner.git(["add", "-A"], cwd: root)
        try ProcessRunner.git(["commit", "-qm", "human"], cwd: root)
        let report = try MemoryStore.initialize(at: root)
        #expect(!report.created.contains("README.md"))
        #expect(report.created.contains(".cmem/config.yaml"))
        #expect(try dir.read("existing/README.md") == "# Mine\n")
        #expect(try dir.read("existing/notes/todo.md") == "keep me\n")
        let again = try MemoryStore.initialize(at: root)
        #expect(again.created.isEmpty)
        #expect(again.commit == nil)
    }

    @Test func configurationIsReadAfreshWhenEditedAndSurvivesABrokenCache() throws {
        let f = try StoreFixture()
        #expect(try MemoryStore(path: f.root).config.handoffTokenBudget == 1500)
        #expect(FileManager.default.fileExists(atPath: f.root + "/.git/cmem/config.json"), "the parsed configuration is kept")
        // A human edits the file (same size: only the identity and times tell).
        let text = try f.read(".cmem/config.yaml").replacingOccurrences(of: "token_budget: 1500", with: "token_budget: 2500")
        try f.write(".cmem/config.yaml", text)
        #expect(try MemoryStore(path: f.root).config.handoffTokenBudget == 2500)
        #expect(try MemoryStore(path: f.root).config.handoffTokenBudget == 2500, "and from the cache it wrote")
        try "garbage that is not the cache format".write(toFile: f.root + "/.git/cmem/config.json", atomically: true, encoding: .utf8)
        #expect(try MemoryStore(path: f.root).config.handoffTokenBudget == 2500)
        // A broken configuration is an error naming the file, cache or not.
        try f.write(".cmem/config.yaml", text + "handoff: [unclosed\n")
        #expect(throws: StoreError.self) { try MemoryStore(path: f.root) }
    }

    @Test func refusesADirectoryThatIsNotAMemory() throws {
        let dir = TemporaryDirectory()
        #expect(throws: StoreError.self) { try MemoryStore(path: dir.path) }
    }

    @Test func brokenConfigNamesFileAndLine() throws {
        let f = try StoreFixture()
        try f.write(".cmem/config.yaml", "version: 1\nsessions:\n  current_window: [24h\n")
        do {
            _ = try MemoryStore(path: f.root)
            Issue.record("expected an error")
        } catch let StoreError.note(error) {
            #expect(error.path == ".cmem/config.yaml")
            #expect(error.line >= 3)
        }
    }

    @Test func defaultTemplatesMatchTheTemplatesFolder() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("templates")
        for name in Templates.names {
            let text = try String(contentsOf: folder.appendingPathComponent("\(name).mustache"), encoding: .utf8)
            #expect(Templates.defaultSource(name) == text, "run scripts/gen-templates after editing templates/\(name).mustache")
        }
    }

    @Test func repositoryTemplateOverridesTheDefault() throws {
        let f = try StoreFixture()
        try f.write(".cmem/templates/timeline-event.mustache", "## EVENT {{type}} at {{time}}\n\n{{{yaml_block}}}\n")
        let store = try MemoryStore(path: f.root)
        let e = StoreFixture.event("2026-01-19T10:00:00Z")
        try store.recordEvents([e])
        let text = try f.read(e.dayPath)
        #expect(text.contains("## EVENT deployment at 10:00:00"))
        #expect(try store.event(id: e.id) == e)
    }

    @Test func aTemplateThatDropsTheDataStillKeepsTheEvent() throws {
        let f = try StoreFixture()
        try f.write(".cmem/templates/timeline-event.mustache", "## {{type}} only\n")
        let store = try MemoryStore(path: f.root)
        let e = StoreFixture.event("2026-01-19T10:00:00Z")
        try store.recordEvents([e])
        #expect(try store.event(id: e.id) == e)
    }
}

@Suite struct TemplateRenderingTests {
    @Test func everyBuiltInTemplateRenders() throws {
        let templates = try Templates(root: nil)
        for name in Templates.names {
            #expect(!templates.render(name, ["date": "2026-01-19", "project": "p"]).isEmpty, "\(name)")
        }
    }

    @Test func handWrittenEventBlockMatchesTheTemplate() throws {
        let f = try StoreFixture()
        var events = [StoreFixture.event("2026-01-19T10:00:00Z"),
                      StoreFixture.event("2026-01-19T10:00:01Z", "multi\nline with ✓ and a very long description that goes on and on " + String(repeating: "x", count: 120), components: [])]
        events[0].causedBy = "ev-20260119-090000-aaaaaaaaaa"
        for e in events {
            let yaml = TimelineDay.fencedYAML(for: e)
            let templated = MemoryStore.templatedEventBlock(e, yaml: yaml, templates: f.store.templates)
            #expect(MemoryStore.defaultEventBlock(e, yaml: yaml) == templated)
        }
    }
}
