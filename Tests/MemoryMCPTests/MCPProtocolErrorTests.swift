import Foundation
import MemoryModel
import Testing
import TestSupport

/// `cmem mcp` answering what is not a JSON-RPC message as JSON-RPC 2.0 says, refusing a message over the
/// size limit with a sentence, and bounding the search query as the REST API does.
@Suite struct MCPProtocolErrorTests {
    typealias Connection = MCPEndToEndTests.Connection

    func connect(_ f: MCPFixture) throws -> Connection {
        let c = try Connection(repo: f.repo, cwd: f.project)
        let initResult = try c.request("initialize", .object([
            ("protocolVersion", .string("2025-06-18")), ("capabilities", .object([])),
            ("clientInfo", .object([("name", .string("errors")), ("version", .string("1"))])),
        ]))
        #expect(initResult["result"] != nil, "\(initResult.json)")
        try c.notify("notifications/initialized")
        return c
    }

    /// Sends `line` and returns the next line the server prints, parsed.
    func answer(_ c: Connection, to line: String, timeout: TimeInterval = 30) throws -> JSONValue {
        try c.process.send(line)
        guard let reply = c.process.readLine(timeout: timeout) else {
            throw MCPEndToEndTests.CLIFailure("no answer to \(line.prefix(80)); stderr: \(c.process.stderr)")
        }
        return try JSONValue.parse(reply)
    }

    @Test func aParseErrorIsAnsweredWithANullID() throws {
        let f = try MCPFixture()
        let c = try connect(f)
        let reply = try answer(c, to: "{this is not json")
        #expect(reply["id"] == .null, "\(reply.json)")
        #expect(reply["error"]?["code"] == .number(-32700), "\(reply.json)")
        #expect(reply["jsonrpc"] == .string("2.0"))
        // Valid JSON cut short is a parse error too.
        let cut = try answer(c, to: #"{"jsonrpc":"2.0","id":7,"method":"tools/list""#)
        #expect(cut["id"] == .null && cut["error"]?["code"] == .number(-32700), "\(cut.json)")
        #expect(!(try c.call("session_current", .object([]))).isError)
        #expect(c.process.finish() == 0)
    }

    @Test func anInvalidRequestWithoutAReadableIDIsAnsweredWithANullID() throws {
        let f = try MCPFixture()
        let c = try connect(f)
        for line in [#"{"jsonrpc":"2.0","params":{}}"#, "[]", "42", #""text""#, #"{"jsonrpc":"2.0","id":true,"method":"tools/list"}"#,
                     #"{"jsonrpc":"2.0","id":{"a":1},"method":"tools/list"}"#, #"[1, 2]"#] {
            let reply = try answer(c, to: line)
            #expect(reply["id"] == .null, "\(line) → \(reply.json)")
            #expect(reply["error"]?["code"] == .number(-32600), "\(line) → \(reply.json)")
        }
        // A response whose id cannot be read is not answered: the next line is the next request's answer.
        try c.process.send(#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}"#)
        let list = try c.request("tools/list", .object([]))
        #expect(list["result"]?["tools"] != nil, "\(list.json)")
        // A request whose id can be read keeps it, wrong as the rest may be.
        let unknown = try answer(c, to: #"{"jsonrpc":"2.0","id":"abc","method":"no/such/method","params":{}}"#)
        #expect(unknown["id"] == .string("abc") && unknown["error"]?["code"] == .number(-32601), "\(unknown.json)")
        #expect(c.process.finish() == 0)
    }

    @Test func aMessageOverTheLimitIsRefusedWithASentenceAndItsID() throws {
        let f = try MCPFixture()
        let c = try connect(f)
        let big = String(repeating: "x", count: 1_500_000)
        let line = #"{"jsonrpc":"2.0","id":77,"method":"tools/call","params":{"name":"session_update","arguments":{"todo":[""# + big + #""]}}}"#
        let started = Date()
        let reply = try answer(c, to: line)
        #expect(Date().timeIntervalSince(started) < 5, "\(Date().timeIntervalSince(started)) s")
        #expect(reply["id"] == .number(77), "\(reply.json.prefix(300))")
        #expect(reply["error"]?["code"] == .number(-32600), "\(reply.json.prefix(300))")
        let message = reply["error"]?["message"]?.stringValue ?? ""
        #expect(message.contains("the message is \(line.utf8.count) bytes; the limit is 1048576 bytes (1 MiB)"), "\(message)")
        // Nothing of it was recorded, and the server goes on serving.
        let current = try JSONValue.parse(try c.call("session_current", .object([])).text)
        #expect(!(current.json.contains("xxxxxxxxxx")))
        // Without an id it can read in the part kept, the answer's id is null.
        let noID = try answer(c, to: #"{"jsonrpc":"2.0","params":{"q":""# + big + #""},"id":5,"method":"x"}"#)
        #expect(noID["id"] == .null && noID["error"]?["code"] == .number(-32600), "\(noID.json.prefix(300))")
        #expect(c.process.finish() == 0)
    }

    @Test func aMessageJustUnderTheLimitIsReadInLinearTime() throws {
        let f = try MCPFixture()
        let c = try connect(f)
        // 1 MB in one message: the SDK's stdio transport took seconds (it rescans its buffer on every read).
        let big = String(repeating: "y", count: 1_000_000)
        let line = #"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"search","arguments":{"query":""# + big + #""}}}"#
        #expect(line.utf8.count < 1 << 20)
        let started = Date()
        let reply = try answer(c, to: line)
        let seconds = Date().timeIntervalSince(started)
        #expect(reply["id"] == .number(9), "\(reply.json.prefix(300))")
        #expect(reply["result"]?["isError"] == .bool(true), "\(reply.json.prefix(300))")
        #expect(seconds < 1.5, "\(seconds) s for a 1 MB message")
        #expect(c.process.finish() == 0)
    }

    @Test func aMessageOfTooManyValuesIsRefusedWithASentence() throws {
        let f = try MCPFixture()
        let c = try connect(f)
        // Small in bytes, but the SDK decodes each value slowly: 20,000 took seconds.
        let items = Array(repeating: #""x""#, count: 20_000).joined(separator: ",")
        let line = #"{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"session_update","arguments":{"todo":["# + items + "]}}}"
        let started = Date()
        let reply = try answer(c, to: line)
        #expect(Date().timeIntervalSince(started) < 1.5)
        #expect(reply["id"] == .number(11), "\(reply.json.prefix(300))")
        #expect(reply["error"]?["code"] == .number(-32600), "\(reply.json.prefix(300))")
        #expect(reply["error"]?["message"]?.stringValue == "Invalid Request: the message holds more than 10000 JSON values", "\(reply.json.prefix(300))")
        // A notification is refused without an answer: the next line answers the next request.
        try c.process.send(#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"items":["# + items + "]}}")
        let list = try c.request("tools/list", .object([]))
        #expect(list["result"]?["tools"] != nil, "\(list.json.prefix(300))")
        // A list of a thousand is fine.
        let thousand = (0..<1000).map { JSONValue.string("todo \($0)") }
        let updated = try c.call("session_update", .object([("todo", .array(thousand))]))
        #expect(!updated.isError, "\(updated.text.prefix(300))")
        #expect(c.process.finish() == 0)
    }

    @Test func theSearchQueryHasTheRESTLimit() throws {
        let f = try MCPFixture()
        let c = try connect(f)
        let long = try c.call("search", .object([("query", .string(String(repeating: "probe ", count: 200)))]))
        #expect(long.isError, "\(long.text.prefix(200))")
        #expect(long.text == "search: query is 1200 characters long; the limit is 1024", "\(long.text.prefix(200))")
        let decisions = try c.call("decisions_search", .object([("query", .string(String(repeating: "é", count: 1025)))]))
        #expect(decisions.isError && decisions.text == "decisions_search: query is 1025 characters long; the limit is 1024", "\(decisions.text.prefix(200))")
        let atLimit = try c.call("search", .object([("query", .string("init container" + String(repeating: " ", count: 1010)))]))
        #expect(!atLimit.isError, "\(atLimit.text.prefix(200))")
        #expect(c.process.finish() == 0)
    }
}
