import Foundation

/// A `git daemon` serving bare repositories over `git://127.0.0.1:PORT/`, with push enabled, for tests
/// that need a real network remote. Stopped when released.
public final class GitDaemon: @unchecked Sendable {
    public let basePath: String
    public let port: Int
    private let process: Process

    /// Starts a daemon exporting every repository under `basePath`, on `port` (default: a free port).
    public init(basePath: String, port: Int? = nil) throws {
        self.basePath = basePath
        let daemon = ["/usr/lib/git-core/git-daemon", "/usr/libexec/git-core/git-daemon"]
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let daemon else { throw GitDaemonError(message: "git-daemon is not installed") }
        var lastError = ""
        for _ in 0..<5 {
            let chosen = try port ?? GitDaemon.freePort()
            let p = Process()
            p.executableURL = URL(fileURLWithPath: daemon)
            p.arguments = ["--export-all", "--enable=receive-pack", "--base-path=\(basePath)", "--port=\(chosen)",
                           "--listen=127.0.0.1", "--reuseaddr", "--informative-errors", basePath]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            if GitDaemon.waitUntilListening(port: chosen, process: p) {
                self.port = chosen
                self.process = p
                return
            }
            lastError = "git daemon did not start on port \(chosen)"
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
            if port != nil { break }
        }
        throw GitDaemonError(message: lastError)
    }

    deinit { stop() }

    public func url(_ repository: String) -> String { "git://127.0.0.1:\(port)/\(repository)" }

    /// SIGKILL, not SIGTERM: a child started from a test thread may inherit a mask that blocks SIGTERM.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// A port nothing listens on right now (the kernel's choice for port 0).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw GitDaemonError(message: "socket() failed") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw GitDaemonError(message: "bind() failed") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    static func waitUntilListening(port: Int, process: Process) -> Bool {
        for _ in 0..<100 {
            if !process.isRunning { return false }
            if canConnect(port: port) { return true }
            usleep(50_000)
        }
        return false
    }

    public static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

public struct GitDaemonError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
