import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MemoryModel
@testable import MemoryServer
import MemoryStore
import NIOCore
import Testing
import TestSupport

/// A fresh memory repository, a project directory to run sessions in, and the Memory Service's router
/// over them, driven in process with `app.test(.router)`.
final class ServerFixture: @unchecked Sendable {
    let dir = TemporaryDirectory("cmem-server")
    var repo: String { dir.file("memory") }
    var project: String { dir.file("project") }
    let service: MemoryService
    let configuration: ServerConfiguration
    let metrics = ServerMetrics()

    init(token: String? = nil, webhookSecret: String? = Fixtures.webhookSecret, openIndex: Bool = true, indexWait: TimeInterval = 2) throws {
        _ = try MemoryStore.initialize(at: dir.file("memory"))
        try FileManager.default.createDirectory(atPath: dir.file("project/.git"), withIntermediateDirectories: true)
        configuration = ServerConfiguration(repositoryPath: dir.file("memory"), token: token, webhookSecret: webhookSecret)
        service = try MemoryService(repositoryPath: dir.file("memory"), logger: Logger(label: "test"), indexWait: indexWait, openIndex: openIndex)
    }

    var application: some ApplicationProtocol {
        Application(router: MemoryServer.router(service: service, configuration: configuration, metrics: metrics))
    }

    /// Runs `body` with a client that sends requests straight to the router.
    func withClient(_ body: @Sendable (APIClient) async throws -> Void) async throws {
        // Queries are answered from the index once it is open; wait for it so results do not depend on timing.
        #expect(await service.waitForIndex(timeout: 120))
        try await application.test(.router) { client in try await body(APIClient(client: client)) }
    }

    /// The same without waiting for the index: for the answers given while it is not open.
    func withClientBeforeTheIndex(_ body: @Sendable (APIClient) async throws -> Void) async throws {
        try await application.test(.router) { client in try await body(APIClient(client: client)) }
    }

    func store() throws -> MemoryStore { try MemoryStore(path: repo) }

    func git(_ args: String...) throws -> ProcessResult { try ProcessRunner.git(args, cwd: repo) }

    func commitCount() throws -> Int {
        Int(try git("rev-list", "--count", "HEAD").trimmed) ?? -1
    }
}

/// A response with its body parsed as JSON (when it is JSON).
struct APIResponse: Sendable {
    let status: Int
    let headers: HTTPFields
    let text: String

    var json: JSONValue { (try? JSONValue.parse(text)) ?? .null }
    subscript(key: String) -> JSONValue? { json[key] }
    var errorMessage: String? { json["error"]?["message"]?.stringValue }
}

/// Requests in the shapes the tests need: JSON bodies, raw bytes, extra headers.
struct APIClient: Sendable {
    let client: any TestClientProtocol

    func request(_ method: HTTPRequest.Method, _ uri: String, body: [UInt8]? = nil, headers: HTTPFields = [:]) async throws -> APIResponse {
        var headers = headers
        if body != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        let response = try await client.executeRequest(uri: uri, method: method, headers: headers,
                                                       body: body.map { ByteBuffer(bytes: $0) })
        return APIResponse(status: Int(response.status.code), headers: response.headers, text: String(buffer: response.body))
    }

    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> APIResponse {
        try await request(.get, uri, headers: headers)
    }

    func post(_ uri: String, _ json: String, headers: HTTPFields = [:]) async throws -> APIResponse {
        try await request(.post, uri, body: Array(json.utf8), headers: headers)
    }

    func put(_ uri: String, _ json: String, headers: HTTPFields = [:]) async throws -> APIResponse {
        try await request(.put, uri, body: Array(json.utf8), headers: headers)
    }

    func post(_ uri: String, _ json: JSONValue, headers: HTTPFields = [:]) async throws -> APIResponse {
        try await post(uri, json.json, headers: headers)
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters stay as they are).
func q(_ s: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return s.addingPercentEncoding(withAllowedCharacters: allowed)!
}

enum Fixtures {
    static let webhookSecret = "test-webhook-secret"
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func json(_ name: String) throws -> JSONValue {
        try JSONValue.parse(String(decoding: try bytes(name), as: UTF8.self))
    }

    static func signature(_ body: [UInt8], secret: String = webhookSecret) -> String {
        "sha256=" + HMACSHA256.hex(HMACSHA256.authenticationCode(for: body, key: Array(secret.utf8)))
    }
}

/// Runs blocking work (sockets, child processes) on its own thread, not on Swift's few cooperative
/// threads, which an in-process server needs to answer.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try body() })
        }
    }
}
