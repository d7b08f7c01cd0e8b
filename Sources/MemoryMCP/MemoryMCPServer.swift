import Foundation
#if canImport(Glibc)
import Glibc
#endif
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
    cluster state). Read session_current at the start (open work carried over, what changed since the last \
    session); record decisions with decision_record, events with event_record; before stopping, write handoff_write.
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
        if let problem = overLimit(name, arguments) {
            return CallTool.Result(content: [.text(text: problem, annotations: nil, _meta: nil)], isError: true)
        }
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
        try await server.start(transport: LineTransport(logger: logger))
        await server.waitUntilCompleted()
    }

    /// The largest message read, in bytes: the REST API's body limit (`RequestLimits.body`, 1 MiB).
    public static let maxMessageBytes = 1 << 20
    /// The most JSON values (strings, numbers, arrays, objects…) in one message. The SDK decodes each
    /// value at some tens of microseconds, so a 1 MiB list of tiny strings would take seconds; a tool
    /// call holds a few dozen (the REST API takes at most 1,000 items in a list).
    public static let maxMessageValues = 10_000

    /// String arguments with a length limit (Unicode scalars), the same as the REST API's for the query.
    static let argumentLimits: [String: [(String, Int)]] = ["search": [("query", 1024)], "decisions_search": [("query", 1024)]]

    /// The sentence for a string argument over its limit, as the REST API words it.
    static func overLimit(_ tool: String, _ arguments: [String: Value]) -> String? {
        for (key, limit) in argumentLimits[tool] ?? [] {
            guard case let .string(s)? = arguments[key] else { continue }
            let count = s.unicodeScalars.count
            if count > limit { return "\(tool): \(key) is \(count) characters long; the limit is \(limit)" }
        }
        return nil
    }
}

/// stdio for the MCP server, one JSON-RPC message per line, in place of the SDK's `StdioTransport`, which
/// searches its whole buffer for a newline after each 4 KiB read (time in the square of a message's
/// length) and lets the SDK answer a line it cannot read with a random `id`. Here each byte is looked at
/// once, a message over `MemoryMCPServer.maxMessageBytes` is refused without being kept, and what is not
/// a JSON-RPC message is answered here as JSON-RPC 2.0 says: a parse error (-32700) or an invalid request
/// (-32600) with `"id": null` when its id cannot be read. Everything else goes to the SDK as it came.
actor LineTransport: Transport {
    nonisolated let logger: Logger
    private let input: Int32
    private let output: LineWriter
    private let stream: AsyncThrowingStream<Data, Swift.Error>
    private let continuation: AsyncThrowingStream<Data, Swift.Error>.Continuation
    private var started = false

    init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, logger: Logger) {
        self.logger = logger
        self.input = input
        self.output = LineWriter(fd: output)
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: Data.self)
        self.stream = stream
        self.continuation = continuation
    }

    func connect() async throws {
        guard !started else { return }
        started = true
        let reader = LineReader(fd: input, output: output, continuation: continuation, logger: logger)
        Thread.detachNewThread { reader.run() }
    }

    func disconnect() async { continuation.finish() }

    func send(_ data: Data) async throws { try output.write(data) }

    func receive() -> AsyncThrowingStream<Data, Swift.Error> { stream }
}

/// Writes whole lines to a file descriptor, one writer at a time (the SDK's answers and the reader's).
final class LineWriter: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()

    init(fd: Int32) { self.fd = fd }

    func write(_ message: Data) throws {
        var bytes = [UInt8](message)
        bytes.append(10)
        lock.lock()
        defer { lock.unlock() }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN { usleep(1_000); continue }
                throw MCPError.transportError(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
            }
            done += n
        }
    }

    /// A JSON-RPC error answer.
    func error(id: JSONValue?, code: Int, message: String) {
        let answer = JSONValue.object([
            ("jsonrpc", .string("2.0")), ("id", id ?? .null),
            ("error", .object([("code", .number(Double(code))), ("message", .string(message))])),
        ])
        try? write(Data(answer.json.utf8))
    }
}

/// Reads lines on a thread of its own (blocking reads), each byte scanned once.
final class LineReader: @unchecked Sendable {
    let fd: Int32
    let maxMessage = MemoryMCPServer.maxMessageBytes
    let output: LineWriter
    let continuation: AsyncThrowingStream<Data, Swift.Error>.Continuation
    let logger: Logger

    init(fd: Int32, output: LineWriter, continuation: AsyncThrowingStream<Data, Swift.Error>.Continuation, logger: Logger) {
        self.fd = fd
        self.output = output
        self.continuation = continuation
        self.logger = logger
    }

    func run() {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var line: [UInt8] = []
        var length = 0 // of the current line, including what was not kept
        func add(_ part: ArraySlice<UInt8>) {
            length += part.count
            if length <= maxMessage { line += part }
        }
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == EAGAIN { usleep(1_000); continue } // stdin shared with a non-blocking reader
            guard n > 0 else { break }
            var start = 0
            while let newline = chunk[start..<n].firstIndex(of: 10) {
                add(chunk[start..<newline])
                handle(line, length: length)
                line.removeAll(keepingCapacity: line.count <= 64 * 1024)
                length = 0
                start = newline + 1
            }
            add(chunk[start..<n])
        }
        if length > 0 { handle(line, length: length) }
        continuation.finish()
    }

    /// Passes one line on to the SDK, or answers it here.
    func handle(_ line: [UInt8], length: Int) {
        guard line.contains(where: { $0 != 32 && $0 != 9 && $0 != 13 }) else { return }
        if length > maxMessage {
            logger.warning("refused an MCP message over the size limit", metadata: ["mcp.bytes": "\(length)"])
            output.error(id: line.withUnsafeBufferPointer(JSONRPCID.leading), code: -32600,
                         message: "Invalid Request: the message is \(length) bytes; the limit is \(maxMessage) bytes (1 MiB)")
            return
        }
        let message: JSONValue
        do {
            message = try line.withUnsafeBufferPointer { try JSONValue.parse(bytes: $0) }
        } catch {
            output.error(id: nil, code: -32700, message: "Parse error: \(error)")
            return
        }
        // Responses (result or error, no method) and notifications (no id) are never answered.
        let isResponse = message["method"] == nil && (message["result"] != nil || message["error"] != nil)
        let isNotification = message["method"]?.stringValue != nil && message["id"] == nil
        let answered = !isResponse && !isNotification
        if let problem = JSONRPCID.problem(message) {
            if answered { output.error(id: nil, code: -32600, message: "Invalid Request: \(problem)") }
            return
        }
        var values = 0
        guard JSONRPCID.count(message, &values, limit: MemoryMCPServer.maxMessageValues) else {
            logger.warning("refused an MCP message of too many values", metadata: ["mcp.bytes": "\(length)"])
            if answered {
                output.error(id: message["id"], code: -32600,
                             message: "Invalid Request: the message holds more than \(MemoryMCPServer.maxMessageValues) JSON values")
            }
            return
        }
        continuation.yield(Data(line))
    }
}

/// What JSON-RPC 2.0 asks of a message's `id`, for the messages answered before the SDK sees them.
enum JSONRPCID {
    /// Why `message` is not a request, notification or response whose id can be read; nil when it is one
    /// (the SDK answers anything else wrong with it, under its id).
    static func problem(_ message: JSONValue) -> String? {
        switch message {
        case let .array(items):
            if items.isEmpty { return "an empty batch" }
            return items.lazy.compactMap { item -> String? in
                guard case .object = item, item["method"]?.stringValue != nil else { return "a batch must hold only requests and notifications" }
                return problem(item)
            }.first
        case .object:
            if let id = message["id"], !readable(id) { return "id must be a string or an integer" }
            if message["id"] == nil && message["method"]?.stringValue == nil { return "a request needs a method (a string) and an id" }
            return nil
        default:
            return "a message is a JSON object"
        }
    }

    /// Counts the values in `v` into `n`; false as soon as there are more than `limit`.
    static func count(_ v: JSONValue, _ n: inout Int, limit: Int) -> Bool {
        n += 1
        guard n <= limit else { return false }
        switch v {
        case let .array(items): return items.allSatisfy { count($0, &n, limit: limit) }
        case let .object(pairs): return pairs.allSatisfy { count($0.1, &n, limit: limit) }
        default: return true
        }
    }

    static func readable(_ id: JSONValue) -> Bool {
        switch id {
        case .string: return true
        case let .number(d): return d == d.rounded() && abs(d) < 9e15
        default: return false
        }
    }

    /// The top-level `id` of a JSON object from the start of its text (all there is of a message over
    /// the size limit), when it is a string without escapes or an integer; nil otherwise.
    static func leading(_ b: UnsafeBufferPointer<UInt8>) -> JSONValue? {
        var i = 0
        func space() { while i < b.count, b[i] == 32 || b[i] == 9 || b[i] == 10 || b[i] == 13 { i += 1 } }
        /// Skips the string whose opening quote is at `i`: its contents (nil when it has escapes), or nil
        /// when the text ends first.
        func string() -> String?? {
            let start = i + 1
            var escaped = false
            i += 1
            while i < b.count {
                if b[i] == 92 { escaped = true; i += 2; continue }
                if b[i] == 34 {
                    i += 1
                    return .some(escaped ? nil : String(decoding: UnsafeBufferPointer(rebasing: b[start..<(i - 1)]), as: UTF8.self))
                }
                i += 1
            }
            return nil
        }
        /// Skips one value, up to the `,` or `}` after it; false when the text ends first.
        func skipValue() -> Bool {
            var depth = 0
            while i < b.count {
                switch b[i] {
                case 34:
                    guard string() != nil else { return false }
                    continue
                case 123, 91: depth += 1
                case 125, 93:
                    if depth == 0 { return true }
                    depth -= 1
                case 44 where depth == 0: return true
                default: break
                }
                i += 1
            }
            return false
        }
        space()
        guard i < b.count, b[i] == 123 else { return nil }
        i += 1
        while true {
            space()
            guard i < b.count, b[i] == 34, let k = string() else { return nil }
            let key = k ?? "" // an escaped key is not "id"
            space()
            guard i < b.count, b[i] == 58 else { return nil }
            i += 1
            space()
            guard i < b.count else { return nil }
            if key == "id" {
                if b[i] == 34 {
                    guard let s = string(), let text = s else { return nil }
                    return .string(text)
                }
                let start = i
                while i < b.count, b[i] == 45 || (b[i] >= 48 && b[i] <= 57) { i += 1 }
                // Followed by what may follow a value: an integer, not the start of 1.5 or 1e3, nor cut off.
                guard i < b.count, [32, 9, 10, 13, 44, 125].contains(b[i]),
                      let n = Int(String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)) else { return nil }
                return .number(Double(n))
            }
            guard skipValue() else { return nil }
            guard b[i] == 44 else { return nil }
            i += 1
        }
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
