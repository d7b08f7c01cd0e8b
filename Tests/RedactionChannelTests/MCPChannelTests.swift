import Foundation
import MemoryModel
import Testing
import TestSupport

/// Every corpus secret written through `cmem mcp`, spoken to in JSON-RPC over stdio as Claude Code does,
/// ten cases a call: `session_update` (task, summary, todos, blockers, next steps, files),
/// `decision_record` (decision, rationale, alternatives, context, consequences) and `handoff_write`
/// (summary, next steps, blockers; it ends the session), each group in a project and session of its own.
@Suite struct MCPChannelTests {
    final class Connection {
        let process: StdioProcess
        var nextID = 1

        init(repo: ChannelRepo) throws {
            process = try StdioProcess(CMemBinary.path, ["mcp", "--repo", repo.path, "--cwd", repo.project], cwd: repo.project,
                                       environment: ["CMEM_REPO": repo.path, "HOME": repo.home])
        }

        func request(_ method: String, _ params: JSONValue) throws -> JSONValue {
            let id = nextID
            nextID += 1
            try process.send(JSONValue.object([("jsonrpc", .string("2.0")), ("id", .number(Double(id))), ("method", .string(method)),
                                               ("params", params)]).json)
            while let line = process.readLine(timeout: 60) {
                let message = try JSONValue.parse(line)
                if message["id"] == .number(Double(id)) { return message }
            }
            throw ChannelFailure("no answer to \(method) (request \(id)); stderr: \(process.stderr)")
        }

        /// Calls a tool and returns its JSON result; fails on a tool error.
        @discardableResult
        func call(_ tool: String, _ arguments: [(String, JSONValue)]) throws -> JSONValue {
            let r = try request("tools/call", .object([("name", .string(tool)), ("arguments", .object(arguments))]))
            let result = r["result"]
            let text = result?["content"]?.items.first?["text"]?.stringValue ?? ""
            guard result?["isError"] != .bool(true), r["error"] == nil else { throw ChannelFailure("\(tool) failed: \(r.json.prefix(2000))") }
            return (try? JSONValue.parse(text)) ?? .string(text)
        }
    }

    @Test func everySecretWrittenThroughMCPIsGone() throws {
        let repo = try ChannelRepo("mcp")
        let groups = Channel.groups()
        let before = try repo.commits()
        let c = try Connection(repo: repo)
        let hello = try c.request("initialize", .object([
            ("protocolVersion", .string("2025-06-18")), ("capabilities", .object([])),
            ("clientInfo", .object([("name", .string("redaction-channels")), ("version", .string("1"))])),
        ]))
        #expect(hello["result"]?["serverInfo"]?["name"]?.stringValue == "cortex-memory", "\(hello.json)")
        try c.process.send(#"{"jsonrpc": "2.0", "method": "notifications/initialized"}"#)

        for (i, text) in groups.enumerated() {
            let one = JSONValue.strings([text])
            // A project per group: an ended session stays its project's current one.
            let cwd = JSONValue.string(try repo.project(i))
            let updated = try c.call("session_update", [
                ("cwd", cwd), ("task", .string(text)), ("summary", .string(text)), ("todo", one), ("blocker", one), ("next", one), ("file", one),
            ])
            #expect(updated["started"] == .bool(true), "each group starts its own session: \(updated.json.prefix(300))")
            try c.call("session_update", [("cwd", cwd), ("done", one)])
            try c.call("decision_record", [
                ("cwd", cwd), ("decision", .string(text)), ("rationale", .string(text)), ("alternatives", one),
                ("context", .string(text)), ("consequences", .string(text)),
            ])
            let handoff = try c.call("handoff_write", [("cwd", cwd), ("summary", .string(text)), ("next_steps", one), ("blockers", one), ("end", .bool(true))])
            #expect(handoff["status"]?.stringValue == "ended")
        }
        #expect(c.process.finish() == 0)

        // start + update, done, decision, handoff: five commits a group.
        #expect(try repo.commits() == before + groups.count * 5)
        #expect(try repo.notes(under: "sessions").count == groups.count)
        #expect(try repo.notes(under: "decisions").count == groups.count)
        #expect(try repo.markers(under: "sessions") >= Channel.cases.count * 5)
        #expect(try repo.markers(under: "decisions") >= Channel.cases.count * 5)

        let leaks = try repo.leaks()
        #expect(leaks.isEmpty, "secrets survive MCP:\n\(leaks.joined(separator: "\n"))")
        #expect(try repo.uncommitted().isEmpty)
    }
}
