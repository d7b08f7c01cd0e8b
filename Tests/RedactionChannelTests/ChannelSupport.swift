import Foundation
import MemoryServer
import MemoryModel
import Testing
import TestSupport

/// The redaction corpus cut into the pieces each channel writes. Every case goes into some piece, in order.
enum Channel {
    static let cases = Corpus.secrets
    /// Every value that must be gone from the repository afterwards.
    static let allSecrets = cases.flatMap(\.secrets)

    /// The cases joined `size` at a time with newlines (each case keeps its own lines).
    static func groups(of size: Int = 10) -> [String] {
        stride(from: 0, to: cases.count, by: size).map { start in
            cases[start..<min(start + size, cases.count)].map(\.text).joined(separator: "\n")
        }
    }

    /// Consecutive cases joined with newlines while a piece stays within `maxLength` characters (a case
    /// longer than that is a piece of its own): for fields a channel clips after redacting them.
    static func groups(maxLength: Int) -> [String] {
        var out: [String] = []
        var current = ""
        for c in cases {
            if !current.isEmpty, current.count + 1 + c.text.count > maxLength {
                out.append(current)
                current = ""
            }
            current += (current.isEmpty ? "" : "\n") + c.text
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    static let marker = "[REDACTED:"
}

/// A memory repository made by the real `cmem init`, and a project directory for sessions to belong to.
final class ChannelRepo: @unchecked Sendable {
    let dir: TemporaryDirectory
    var path: String { dir.file("memory") }
    var project: String { dir.file("project") }
    var home: String { dir.file("home") }

    init(_ name: String) throws {
        dir = TemporaryDirectory("cmem-redact-\(name)")
        try FileManager.default.createDirectory(atPath: dir.file("project/.git"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try cmemOK(["init"])
    }

    /// Another project (a directory with `.git`) for sessions of their own.
    func project(_ n: Int) throws -> String {
        let p = dir.file("projects/p\(n)")
        try FileManager.default.createDirectory(atPath: p + "/.git", withIntermediateDirectories: true)
        return p
    }

    /// Runs `cmem ARGUMENTS` in the project against this repository.
    @discardableResult
    func cmem(_ arguments: [String], stdin: String? = nil) throws -> ProcessResult {
        try CMemBinary.run(arguments, repo: path, cwd: project, stdin: stdin.map { Data($0.utf8) }, environment: ["HOME": home])
    }

    /// Runs `cmem ARGUMENTS` and fails unless it exits 0.
    @discardableResult
    func cmemOK(_ arguments: [String], stdin: String? = nil) throws -> ProcessResult {
        let r = try cmem(arguments, stdin: stdin)
        guard r.status == 0 else {
            throw ChannelFailure("cmem \(arguments.prefix(3).joined(separator: " ")) … exited \(r.status): \(r.stderr.prefix(2000))")
        }
        return r
    }

    func git(_ arguments: String...) throws -> ProcessResult { try ProcessRunner.git(arguments, cwd: path) }

    func commits() throws -> Int { Int(try git("rev-list", "--count", "HEAD").trimmed) ?? -1 }

    /// The files of the working tree under `folder` (outside `.git`), by path relative to the repository.
    func files(under folder: String = "") throws -> [String: String] {
        var out: [String: String] = [:]
        let root = URL(fileURLWithPath: path)
        let start = folder.isEmpty ? root : root.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(at: start, includingPropertiesForKeys: [.isRegularFileKey]) else { return out }
        for case let url as URL in walker {
            if url.lastPathComponent == ".git" { walker.skipDescendants(); continue }
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true,
                  let data = FileManager.default.contents(atPath: url.path) else { continue }
            out[String(url.path.dropFirst(path.count + 1))] = String(decoding: data, as: UTF8.self)
        }
        return out
    }

    /// How many `[REDACTED:` markers the notes under `folder` hold.
    func markers(under folder: String = "") throws -> Int {
        try files(under: folder).values.reduce(0) { $0 + $1.components(separatedBy: Channel.marker).count - 1 }
    }

    /// The Markdown notes under `folder`.
    func notes(under folder: String) throws -> [String: String] {
        try files(under: folder).filter { $0.key.hasSuffix(".md") }
    }

    /// Every place a corpus secret survives: the working tree and every git object.
    func leaks() throws -> [String] {
        try SecretLeaks.find(Channel.allSecrets, in: path)
    }

    /// Nothing is left uncommitted: what the channel wrote is in history, where the object scan looks.
    func uncommitted() throws -> String {
        try git("status", "--porcelain").trimmed
    }
}

struct ChannelFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

extension JSONValue {
    var items: [JSONValue] {
        if case let .array(a) = self { return a }
        return []
    }

    static func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }
}

/// 2026-01-19T10:00:00Z plus `seconds`, in RFC 3339.
func isoTime(_ seconds: Int) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    return f.string(from: Date(timeIntervalSince1970: 1_768_816_800 + Double(seconds)))
}

/// Counts occurrences of `needle` in `text`.
func occurrences(of needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
}

// MARK: HTTP over loopback

/// A blocking HTTP/1.1 client for 127.0.0.1 only: one request per connection (`Connection: close`).
enum LoopbackHTTP {
    struct Response {
        let status: Int
        let body: String
        var json: JSONValue { (try? JSONValue.parse(body)) ?? .null }
    }

    static func send(port: Int, _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) throws -> Response {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw ChannelFailure("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw ChannelFailure("connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        let request = Array(head.utf8) + (body ?? [])
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ChannelFailure("send: \(String(cString: strerror(errno)))")
            }
            sent += n
        }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw ChannelFailure("recv: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            data += chunk[0..<n]
        }
        return try parse(data)
    }

    static func json(port: Int, _ method: String, _ path: String, _ body: JSONValue, headers: [(String, String)] = []) throws -> Response {
        try send(port: port, method, path, headers: headers + [("Content-Type", "application/json")], body: Array(body.json.utf8))
    }

    static func parse(_ data: [UInt8]) throws -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, data.count - 3)).first(where: { Array(data[$0..<($0 + 4)]) == separator }) else {
            throw ChannelFailure("no complete response head in \(data.count) bytes")
        }
        let lines = String(decoding: data[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw ChannelFailure("bad status line \(lines[0])") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(data[(end + 4)...])
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            var out: [UInt8] = []
            var i = 0
            while i < body.count {
                guard let lineEnd = (i..<max(i, body.count - 1)).first(where: { body[$0] == 13 && body[$0 + 1] == 10 }) else { break }
                let sizeText = String(decoding: body[i..<lineEnd], as: UTF8.self).split(separator: ";").first.map(String.init) ?? ""
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { break }
                if size == 0 { break }
                let start = lineEnd + 2
                out += body[start..<min(start + size, body.count)]
                i = start + size + 2
            }
            body = out
        } else if let length = headers["content-length"].flatMap(Int.init), length <= body.count {
            body = Array(body[0..<length])
        }
        return Response(status: status, body: String(decoding: body, as: UTF8.self))
    }
}

// MARK: Signing GitHub deliveries as GitHub does, with the server's own HMAC-SHA256 (tested there
// against RFC 4231 and GitHub's published vectors)

enum Signing {
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func sha256(_ bytes: [UInt8]) -> [UInt8] { SHA256.hash(bytes) }

    static func githubSignature(_ body: [UInt8], secret: String) -> String {
        "sha256=" + hex(HMACSHA256.authenticationCode(for: body, key: Array(secret.utf8)))
    }
}
