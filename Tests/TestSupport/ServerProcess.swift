import Foundation

/// A real `cmem serve` process on a free loopback port: started with `--port 0`, it prints
/// `listening on http://HOST:PORT`, which gives the port. Stopped with SIGTERM when released.
public final class ServerProcess: @unchecked Sendable {
    public let process: Process
    public let port: Int
    private let stdoutLines: LineCollector
    private let stderrLines: LineCollector

    public struct StartFailure: Error, CustomStringConvertible {
        public let status: Int32?
        public let stderr: String
        public var description: String { "cmem serve did not start (status \(status.map(String.init) ?? "running")): \(stderr)" }
    }

    /// Starts `cmem serve ARGUMENTS --port 0` against `repo` and waits until it listens.
    public init(repo: String, arguments: [String] = [], environment: [String: String] = [:], timeout: TimeInterval = 60) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CMemBinary.path)
        process.arguments = ["serve", "--repo", repo, "--port", "0"] + arguments
        var env = ProcessInfo.processInfo.environment
        env["CMEM_TOKEN"] = nil
        env["CMEM_WEBHOOK_SECRET"] = nil
        env["CMEM_LOG_LEVEL"] = env["CMEM_LOG_LEVEL"] ?? "warning"
        env["GIT_AUTHOR_NAME"] = env["GIT_AUTHOR_NAME"] ?? "cmem test"
        env["GIT_AUTHOR_EMAIL"] = env["GIT_AUTHOR_EMAIL"] ?? "cmem-test@example.com"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        stdoutLines = LineCollector(out.fileHandleForReading)
        stderrLines = LineCollector(err.fileHandleForReading)
        let deadline = Date().addingTimeInterval(timeout)
        var found: Int?
        while Date() < deadline {
            if let line = stdoutLines.lines.first(where: { $0.hasPrefix("listening on http://") }),
               let colon = line.lastIndex(of: ":"), let p = Int(line[line.index(after: colon)...]) {
                found = p
                break
            }
            if !process.isRunning { break }
            usleep(20_000)
        }
        guard let found else {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            stderrLines.wait()
            throw StartFailure(status: process.terminationStatus, stderr: stderrLines.text)
        }
        port = found
    }

    /// Runs `cmem serve ARGUMENTS` expecting it to refuse to start; returns its status and stderr.
    public static func refusal(repo: String, arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stderr: String) {
        do {
            let server = try ServerProcess(repo: repo, arguments: arguments, environment: environment, timeout: 30)
            server.stop()
            return (0, "it started on port \(server.port)")
        } catch let failure as StartFailure {
            return (failure.status ?? -1, failure.stderr)
        }
    }

    public var stderr: String { stderrLines.text }

    /// Sends SIGTERM and waits for the exit status.
    @discardableResult
    public func stop() -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit { stop() }

    /// Collects a pipe's output on its own thread, by line.
    final class LineCollector: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        private let done = DispatchSemaphore(value: 0)

        init(_ handle: FileHandle) {
            Thread.detachNewThread { [self] in
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    lock.lock(); data.append(chunk); lock.unlock()
                }
                done.signal()
            }
        }

        var text: String {
            lock.lock(); defer { lock.unlock() }
            return String(decoding: data, as: UTF8.self)
        }

        var lines: [String] { text.split(separator: "\n").map(String.init) }

        func wait() { done.wait(); done.signal() }
    }
}
