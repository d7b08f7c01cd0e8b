import Foundation
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

// MARK: HMAC-SHA256, for signing GitHub deliveries as GitHub does

enum HMACSHA256 {
    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    static func sha256(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
        var m = message
        m.append(0x80)
        while m.count % 64 != 56 { m.append(0) }
        let bits = UInt64(message.count) * 8
        for i in (0..<8).reversed() { m.append(UInt8(truncatingIfNeeded: bits >> (UInt64(i) * 8))) }
        func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
        var w = [UInt32](repeating: 0, count: 64)
        for block in stride(from: 0, to: m.count, by: 64) {
            for t in 0..<16 {
                let j = block + t * 4
                w[t] = UInt32(m[j]) << 24 | UInt32(m[j + 1]) << 16 | UInt32(m[j + 2]) << 8 | UInt32(m[j + 3])
            }
            for t in 16..<64 {
                let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
                let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
                w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            for t in 0..<64 {
                let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                let ch = (e & f) ^ (~e & g)
                let t1 = hh &+ s1 &+ ch &+ k[t] &+ w[t]
                let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                let maj = (a & b) ^ (a & c) ^ (b & c)
                let t2 = s0 &+ maj
                (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
            }
            h[0] = h[0] &+ a; h[1] = h[1] &+ b; h[2] = h[2] &+ c; h[3] = h[3] &+ d
            h[4] = h[4] &+ e; h[5] = h[5] &+ f; h[6] = h[6] &+ g; h[7] = h[7] &+ hh
        }
        return h.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v >> (24 - UInt32($0) * 8)) } }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// The `X-Hub-Signature-256` header GitHub sends for `body` signed with `secret`.
    static func githubSignature(_ body: [UInt8], secret: String) -> String {
        var key = Array(secret.utf8)
        if key.count > 64 { key = sha256(key) }
        key += [UInt8](repeating: 0, count: 64 - key.count)
        let inner = sha256(key.map { $0 ^ 0x36 } + body)
        return "sha256=" + hex(sha256(key.map { $0 ^ 0x5c } + inner))
    }
}
