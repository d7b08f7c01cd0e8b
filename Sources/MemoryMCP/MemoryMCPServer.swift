import Foundation
import Logging
import MCP
import MemoryModel

/// The MCP server of a memory repository: `tools/list` and `tools/call` over the modelcontextprotocol
/// swift-sdk. Tool failures (bad arguments, unknown IDs) are tool results with `isError`, so the model
/// reads what to fix; the server itself never stops on them. Nothing here prints: stdout is the protocol.
public enum MemoryMCPServer {
    public static let name = "cortex-memory"
    public static let version = "0.1.0"
    static let instructions = """
    Cortex Memory: the project's working memory (sessions, decisions, timeline of deployments and incidents, \
    cluster state). Read session_current at the start; record decisions with decision_record; before stopping, \
    write handoff_write.
    """

    /// A server with the memory tools registered, not yet started.
    public static func makeServer(backend: MemoryBackend, logger: Logger) async -> Server {
        let server = Server(name: name, version: version, instructions: instructions,
                            capabilities: .init(tools: .init(listChanged: false)))
        let tools = ToolCatalog.all.map(\.tool)
        await server.withMethodHandler(ListTools.self) { _ in
            ListTools.Result(tools: tools)
        }
        await server.withMethodHandler(CallTool.self) { params in
            await call(backend: backend, name: params.name, arguments: params.arguments ?? [:], logger: logger)
        }
        return server
    }

    /// Runs one call, turning every failure into an error result.
    static func call(backend: MemoryBackend, name: String, arguments: [String: Value], logger: Logger) async -> CallTool.Result {
        let started = DispatchTime.now().uptimeNanoseconds
        do {
            // Arguments in a stable order, so error messages and results do not depend on hashing.
            let args = arguments.sorted { $0.key < $1.key }.map { ($0.key, JSONValue(mcp: $0.value)) }
            let result = try await backend.call(name, args)
            logger.debug("tool call", metadata: ["mcp.tool": "\(name)", "mcp.ms": "\((DispatchTime.now().uptimeNanoseconds - started) / 1_000_000)"])
            return CallTool.Result(content: [.text(text: result.json, annotations: nil, _meta: nil)], isError: false)
        } catch {
            logger.info("tool call failed", metadata: ["mcp.tool": "\(name)", "mcp.error": "\(error)"])
            return CallTool.Result(content: [.text(text: "\(error)", annotations: nil, _meta: nil)], isError: true)
        }
    }

    /// Serves on stdin/stdout until the client closes the connection.
    public static func runStdio(backend: MemoryBackend, logger: Logger) async throws {
        let server = await makeServer(backend: backend, logger: logger)
        try await server.start(transport: StdioTransport(logger: logger))
        await server.waitUntilCompleted()
    }
}

extension JSONValue {
    /// The model's JSON value for an MCP value (data URLs stay strings, as they were sent).
    init(mcp value: Value) {
        switch value {
        case .null: self = .null
        case let .bool(b): self = .bool(b)
        case let .int(i): self = .number(Double(i))
        case let .double(d): self = .number(d)
        case let .string(s): self = .string(s)
        case let .data(mimeType, data): self = .string("data:\(mimeType ?? "application/octet-stream");base64,\(data.base64EncodedString())")
        case let .array(items): self = .array(items.map(JSONValue.init(mcp:)))
        case let .object(pairs): self = .object(pairs.sorted { $0.key < $1.key }.map { ($0.key, JSONValue(mcp: $0.value)) })
        }
    }
}
