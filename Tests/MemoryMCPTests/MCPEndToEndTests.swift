import Foundation
import MemoryModel
import Testing
import TestSupport

/// `cmem mcp` spawned as Claude Code spawns it, spoken to in JSON-RPC over its pipes.
@Suite struct MCPEndToEndTests {
    typealias Connection = MCPConnection

    struct CLIFailure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    func connect(_ f: MCPFixture) throws -> Connection {
        let c = try Connection(repo: f.repo, cwd: f.project)
        let initResult = try c.request("initialize", .object([
            ("protocolVersion", .string("2025-06-18")), ("capabilities", .object([])),
            ("clientInfo", .object([("name", .string("e2e")), ("version", .string("1"))])),
        ]))
        #expect(initResult["result"]?["serverInfo"]?["name"]?.stringValue == "cortex-memory", "\(initResult.json)")
        #expect(initResult["result"]?["capabilities"]?["tools"] != nil)
        try c.notify("notifications/initialized")
        return c
    }

    @Test func initializeListAndCallOverStdio() throws {
        let f = try MCPFixture()
        let c = try connect(f)
        let list = try c.request("tools/list", .object([]))
        let tools = list["result"]?["tools"]?.items ?? []
        #expect(tools.count == 19)
        let size = list["result"]!.json.utf8.count
        #expect(size < 16_000, "tools/list result is \(size) characters")
        #expect(tools.allSatisfy { $0["inputSchema"]?["type"]?.stringValue == "object" })

        let current = try c.call("session_current", .object([]))
        #expect(!current.isError)
        #expect(try JSONValue.parse(current.text)["session_id"]?.stringValue == f.sessionID)

        let decided = try c.call("decision_record", .object([("decision", .string("Use a readiness probe")), ("rationale", .string("traffic hits cold pods"))]))
        #expect(!decided.isError, "\(decided.text)")
        let found = try c.call("search", .object([("query", .string("readiness probe")), ("kind", .string("decision"))]))
        #expect(found.text.contains("Use a readiness probe"), "search sees what was just written: \(found.text)")

        let timeline = try c.call("timeline", .object([("component", .array([.string("github-mcp-server")])), ("limit", .number(1))]))
        #expect(try JSONValue.parse(timeline.text)["events"]?.items.count == 1)
        let health = try c.call("infra_health", .object([]))
        #expect(try JSONValue.parse(health.text)["critical"] == .number(1))
        #expect(c.process.finish() == 0)
        #expect(try ProcessRunner.git(["log", "-1", "--format=%s"], cwd: f.repo).stdout.contains("Use a readiness probe"))
    }

    @Test func invalidArgumentsAndRequestsOverStdio() throws {
        let f = try MCPFixture()
        let c = try connect(f)
        let wrongType = try c.call("search", .object([("query", .number(42))]))
        #expect(wrongType.isError)
        #expect(wrongType.text.contains("query must be a string"))
        let missing = try c.call("event", .object([]))
        #expect(missing.isError && missing.text.contains("id is required"))
        let unknown = try c.call("drop_database", .object([]))
        #expect(unknown.isError && unknown.text.contains("unknown tool"))
        // Arguments that are not an object: a protocol error, and the server keeps serving.
        let broken = try c.request("tools/call", .object([("name", .string("search")), ("arguments", .array([.number(1)]))]))
        #expect(broken["error"] != nil || broken["result"]?["isError"] == .bool(true), "\(broken.json)")
        try c.process.send("{this is not json")
        let unknownMethod = try c.request("no/such/method", .object([]))
        #expect(unknownMethod["error"]?["code"] == .number(-32601))
        #expect(!(try c.call("session_current", .object([]))).isError)
        #expect(c.process.finish() == 0)
    }

    @Test func concurrentRequestsOverStdio() throws {
        let f = try MCPFixture()
        let c = try connect(f)
        // Twenty calls written at once, before reading any answer.
        for i in 0..<20 {
            let params: JSONValue = .object([("name", .string("session_update")), ("arguments", .object([("todo", .array([.string("parallel \(i)")]))]))])
            try c.process.send(JSONValue.object([("jsonrpc", .string("2.0")), ("id", .number(Double(100 + i))), ("method", .string("tools/call")), ("params", params)]).json)
        }
        var answered = Set<Int>()
        while answered.count < 20, let line = c.process.readLine(timeout: 60) {
            let m = try JSONValue.parse(line)
            if case let .number(n)? = m["id"] {
                #expect(m["result"]?["isError"] != .bool(true), "\(line)")
                answered.insert(Int(n))
            }
        }
        #expect(answered.count == 20)
        let todos = try JSONValue.parse(try c.call("session_current", .object([])).text)["todo_list"]?.items.filter { $0["status"]?.stringValue != "done" } ?? []
        #expect(todos.count == 21)
        #expect(c.process.finish() == 0)
        #expect(try ProcessRunner.git(["fsck", "--strict"], cwd: f.repo).status == 0)
    }

    @Test func withoutARepositoryEveryCallSaysWhatToDo() throws {
        let dir = TemporaryDirectory()
        let c = try Connection(repo: dir.file("missing"), cwd: dir.path)
        let initResult = try c.request("initialize", .object([
            ("protocolVersion", .string("2025-06-18")), ("capabilities", .object([])),
            ("clientInfo", .object([("name", .string("e2e")), ("version", .string("1"))])),
        ]))
        #expect(initResult["result"] != nil)
        let r = try c.call("session_current", .object([]))
        #expect(r.isError && r.text.contains("cmem init"), "\(r.text)")
        c.process.finish()
    }
}
