import MemoryModel

/// `cmem mcp` spawned as Claude Code spawns it and spoken to in JSON-RPC over its pipes.
public final class MCPConnection {
    public let process: StdioProcess
    var nextID = 1

    public struct NoResponse: Error, CustomStringConvertible {
        public let description: String
    }

    public init(repo: String, cwd: String) throws {
        process = try StdioProcess(CMemBinary.path, ["mcp", "--repo", repo], cwd: cwd, environment: ["CMEM_REPO": repo])
    }

    /// `initialize` then `notifications/initialized`; the initialize response.
    @discardableResult
    public func initialize(client: String = "tests") throws -> JSONValue {
        let r = try request("initialize", .object([
            ("protocolVersion", .string("2025-06-18")), ("capabilities", .object([])),
            ("clientInfo", .object([("name", .string(client)), ("version", .string("1"))])),
        ]))
        try notify("notifications/initialized")
        return r
    }

    public func request(_ method: String, _ params: JSONValue) throws -> JSONValue {
        let id = nextID
        nextID += 1
        try process.send(JSONValue.object([("jsonrpc", .string("2.0")), ("id", .number(Double(id))), ("method", .string(method)), ("params", params)]).json)
        return try response(id: id)
    }

    public func response(id: Int) throws -> JSONValue {
        while let line = process.readLine(timeout: 30) {
            let message = try JSONValue.parse(line)
            if message["id"] == .number(Double(id)) { return message }
        }
        throw NoResponse(description: "no response to request \(id); stderr: \(process.stderr)")
    }

    public func notify(_ method: String) throws {
        try process.send(JSONValue.object([("jsonrpc", .string("2.0")), ("method", .string(method))]).json)
    }

    /// A tool call's text and whether it is an error.
    public func call(_ tool: String, _ arguments: JSONValue) throws -> (text: String, isError: Bool) {
        let r = try request("tools/call", .object([("name", .string(tool)), ("arguments", arguments)]))
        let result = r["result"]
        let text = result?["content"]?.items.first?["text"]?.stringValue ?? ""
        return (text, result?["isError"] == .bool(true))
    }
}
