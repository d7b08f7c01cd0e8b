import Foundation
import Testing
import MemoryModel
@testable import MemoryStore
import TestSupport

@Suite struct ImportTests {
    // Two records in the shape of ../shared/bench/gen_events.py (copied from its output, seed 7).
    static let records = """
    {"kind": "session", "session_id": "sess-000000", "started_at": "2026-01-19T08:00:00Z", "ended_at": "2026-01-19T09:00:00Z", "working_directory": "/home/dev/src/github", "current_task": "Fix github-mcp-server", "active_files": ["k8s/deployment.yaml"], "summary": "Fix github-mcp-server: blocked on registry", "todo_list": [{"text": "deploy", "status": "pending"}], "blockers": ["registry down"], "next_steps": ["deploy to prod", "watch metrics"], "decisions": [{"decision": "Use init container for github-mcp-server", "rationale": "registry unavailable", "alternatives": ["do nothing", "rewrite"]}], "actions": [{"time": "2026-01-19T08:10:00Z", "kind": "command", "detail": "kubectl -n cortex-mcp logs deploy/github-mcp-server"}]}
    {"kind": "event", "time": "2026-01-19T10:00:00Z", "type": "deployment", "source": "argocd", "description": "Synced github-mcp-server to revision abc1234", "details": {"namespace": "cortex-mcp", "sha": "abc1234def"}, "affected_components": ["github-mcp-server"], "severity": "info"}
    {"kind": "event", "time": "2026-01-20T10:00:00Z", "type": "pod_restart", "source": "k8s", "description": "Pod github-mcp-server-1a2b3c restarted: OOMKilled", "details": {"namespace": "cortex-mcp", "restarts": 3}, "affected_components": ["github-mcp-server"], "severity": "warning"}

    """

    func importText(_ store: MemoryStore, _ text: String, dir: TemporaryDirectory, batch: Int = 2) throws -> MemoryStore.ImportReport {
        try dir.write("in.jsonl", text)
        let handle = FileHandle(forReadingAtPath: dir.file("in.jsonl"))!
        defer { try? handle.close() }
        return try store.importJSONLines(from: handle, source: "in.jsonl", batchSize: batch)
    }

    @Test func importsEventsSessionsAndDecisionsAndIsIdempotent() throws {
        let f = try StoreFixture()
        let first = try importText(f.store, Self.records, dir: f.dir)
        #expect(first.eventsAdded == 2 && first.sessionsAdded == 1 && first.decisionsAdded == 1)
        #expect(first.commits == 2)
        let session = try f.store.session(id: "sess-000000")
        #expect(session.decisions.count == 1)
        #expect(try f.store.decision(id: session.decisions[0]).rationale == "registry unavailable")
        let again = try importText(f.store, Self.records, dir: f.dir)
        #expect(again.eventsAdded == 0 && again.eventsDuplicate == 2 && again.sessionsDuplicate == 1)
        #expect(again.commits == 0)
        #expect(try f.store.events(inDayFile: "timeline/2026/01/2026-01-19.md").events.count == 1)
    }

    @Test func malformedLineStopsWithItsNumberAndNothingAfterIt() throws {
        let f = try StoreFixture()
        let lines = Self.records.split(separator: "\n").map(String.init)
        let text = [lines[1], "{\"kind\": \"event\", \"time\": oops}", lines[2]].joined(separator: "\n")
        do {
            _ = try importText(f.store, text, dir: f.dir, batch: 100)
            Issue.record("expected an error")
        } catch let error as MemoryStore.ImportError {
            #expect(error.line == 2)
        }
        #expect(try f.store.events(inDayFile: "timeline/2026/01/2026-01-19.md").events.count == 1)
        #expect(!FileManager.default.fileExists(atPath: f.root + "/timeline/2026/01/2026-01-20.md"))
        #expect(try f.git("status", "--porcelain").trimmed == "")
    }

    @Test func unknownKindAndBadFieldsAreErrorsWithLineNumbers() throws {
        let f = try StoreFixture()
        for (text, line) in [("{\"kind\": \"alien\"}", 1), ("\n{\"kind\": \"event\", \"time\": \"2026-01-19\", \"type\": \"x\", \"description\": \"d\", \"affected_components\": [\"../x\"]}", 2)] {
            do {
                _ = try importText(f.store, text, dir: f.dir)
                Issue.record("expected an error for \(text)")
            } catch let error as MemoryStore.ImportError {
                #expect(error.line == line)
            }
        }
    }
}
