import Foundation

/// A small blocking HTTP/1.1 client for loopback: one keep-alive connection, exact bytes on the wire.
/// Used by the end-to-end tests (which must send what a library would not: oversized or malformed
/// bodies) and by the server benchmark. Not for use beyond 127.0.0.1: no TLS, no redirects, no proxies.
public final class LoopbackClient {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    public struct ClientError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public let host: String
    public let port: Int
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []

    public init(host: String = "127.0.0.1", port: Int) {
        self.host = host
        self.port = port
    }

    deinit { disconnect() }

    public func disconnect() {
        if fd >= 0 { close(fd) }
        fd = -1
        buffer = []
    }

    private func connect() throws {
        disconnect()
        #if canImport(Glibc)
        let sock = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let sock = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard sock >= 0 else { throw ClientError(message: "socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(sock, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else {
            close(sock)
            throw ClientError(message: "\(host) is not an IPv4 address")
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Foundation.connect(sock, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let message = String(cString: strerror(errno))
            close(sock)
            throw ClientError(message: "connect to \(host):\(port): \(message)")
        }
        fd = sock
    }

    /// Sends one request and reads the response. Reconnects once when a kept-alive connection was closed.
    public func send(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) throws -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        if let body, !headers.contains(where: { $0.0.lowercased() == "content-length" }) {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        let bytes = Array(head.utf8) + (body ?? [])
        let reused = fd >= 0
        if !reused { try connect() }
        do {
            try write(bytes)
            return try readResponse(method: method)
        } catch where reused {
            try connect()
            try write(bytes)
            return try readResponse(method: method)
        }
    }

    public func send(_ method: String, _ path: String, headers: [(String, String)] = [], json: String) throws -> Response {
        try send(method, path, headers: headers + [("Content-Type", "application/json")], body: Array(json.utf8))
    }

    /// Writes raw bytes on a fresh connection (for malformed requests) and reads one response.
    public func sendRaw(_ bytes: [UInt8]) throws -> Response {
        try connect()
        try write(bytes)
        return try readResponse(method: "GET")
    }

    private func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ClientError(message: "send: \(String(cString: strerror(errno)))")
            }
            sent += n
        }
    }

    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw ClientError(message: "recv: \(String(cString: strerror(errno)))") }
            if n == 0 { return false }
            buffer += chunk[0..<n]
            return true
        }
    }

    private func readLine() throws -> String {
        var searched = 0
        while true {
            if let i = buffer[searched...].firstIndex(of: 10) {
                var line = Array(buffer[0..<i])
                if line.last == 13 { line.removeLast() }
                buffer.removeFirst(i + 1)
                return String(decoding: line, as: UTF8.self)
            }
            searched = buffer.count
            guard try fill() else { throw ClientError(message: "connection closed before a full response") }
        }
    }

    private func readBytes(_ n: Int) throws -> [UInt8] {
        while buffer.count < n {
            guard try fill() else { throw ClientError(message: "connection closed in the middle of a body") }
        }
        let out = Array(buffer[0..<n])
        buffer.removeFirst(n)
        return out
    }

    private func readResponse(method: String) throws -> Response {
        let statusLine = try readLine()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw ClientError(message: "not an HTTP response: \(statusLine)")
        }
        var headers: [(String, String)] = []
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name }?.1 }
        var body: [UInt8] = []
        if method == "HEAD" || status == 204 || status == 304 {
            // No body.
        } else if let length = header("content-length").flatMap(Int.init) {
            body = try readBytes(length)
        } else if header("transfer-encoding")?.lowercased() == "chunked" {
            while true {
                let sizeLine = try readLine()
                guard let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16) else {
                    throw ClientError(message: "bad chunk size \(sizeLine)")
                }
                if size == 0 {
                    while try !readLine().isEmpty {}
                    break
                }
                body += try readBytes(size)
                _ = try readLine()
            }
        } else {
            while try fill() {}
            body = buffer
            buffer = []
        }
        if header("connection")?.lowercased() == "close" { disconnect() }
        return Response(status: status, headers: headers, body: body)
    }
}
