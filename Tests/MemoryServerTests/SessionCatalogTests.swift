import Foundation
import Logging
import MemoryModel
@testable import MemoryServer
import MemoryStore
import Testing
import TestSupport

@Suite struct SessionCatalogTests {
    /// The fast reader of the catalog agrees with the YAML parser on notes the store wrote, and steps
    /// aside for notes a person reshaped.
    @Test func quickReaderAgreesWithTheYAMLParser() throws {
        let f = try ServerFixture()
        let store = try f.store()
        for (i, dir) in ["/srv/plain", "/srv/with: colon", "/srv/\"quoted\" #not-a-comment", "/srv/ünïcødé", "/srv/yes"].enumerated() {
            let s = try store.startSession(task: "task \(i)", cwd: dir)
            if i % 2 == 0 { _ = try store.endSession(id: s.id, summary: "done") }
            let text = try f.dir.read("memory/" + s.path)
            let doc = try FrontMatterDocument.split(text, path: s.path)
            let parsed = try Session(values: try doc.values(path: s.path), path: s.path)
            if let quick = SessionCatalog.quickEntry(doc, relative: s.path) {
                #expect(quick.id == parsed.id)
                #expect(quick.workingDirectory == parsed.workingDirectory, "\(dir)")
                #expect(quick.project == parsed.project)
                #expect(quick.lastActivity == parsed.lastActivity)
            }
            let entry = try #require(SessionCatalog.entry(f.dir.file("memory/" + s.path), relative: s.path))
            #expect(entry.workingDirectory == parsed.workingDirectory)
            #expect(entry.lastActivity == parsed.lastActivity)
        }
        // A person rewrote a value as a block scalar: the fast reader declines, the parser reads it.
        let s = try store.startSession(task: "reshaped", cwd: "/srv/reshaped")
        let path = f.dir.file("memory/" + s.path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
            .replacingOccurrences(of: "working_directory: /srv/reshaped\n", with: "working_directory: >-\n  /srv/reshaped\n")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let doc = try FrontMatterDocument.split(text, path: s.path)
        #expect(SessionCatalog.quickEntry(doc, relative: s.path) == nil)
        #expect(SessionCatalog.entry(path, relative: s.path)?.workingDirectory == "/srv/reshaped")
    }

    @Test func catalogFollowsChangesAndFallsBackUntilReady() async throws {
        let f = try ServerFixture()
        let catalog = SessionCatalog(root: f.repo, logger: Logger(label: "test"))
        #expect(catalog.waitUntilReady(timeout: 30))
        let scope = ProjectScope.resolve(cwd: f.project)
        let cutoff = Timestamp.now().adding(seconds: -86400)
        #expect(try catalog.current(project: scope, cutoff: cutoff) == nil)
        let store = try f.store()
        let s = try store.startSession(task: "found", cwd: f.project)
        let d = try store.recordDecision(sessionID: s.id, decision: "Use init container", rationale: "", alternatives: [])
        let (found, decisions) = try #require(try catalog.current(project: scope, cutoff: cutoff))
        #expect(found.id == s.id)
        #expect(decisions.map(\.id) == [d.id])
        // Outside the window: none.
        #expect(try catalog.current(project: scope, cutoff: Timestamp.now().adding(seconds: 60)) == nil)
    }
}
