import Foundation

/// A long-running child process spoken to line by line over its stdin and stdout, as an MCP client
/// speaks to a stdio server. stderr is collected separately (a server logs there).
public final class StdioProcess: @unchecked Sendable {
    public let process = Process()
    private let input = Pipe(), output = Pipe(), errors = Pipe()
    private let condition = NSCondition()
    private var lines: [String] = []
    private var pending = Data()
    private var closed = false
    private var errorData = Data()

    public init(_ executable: String, _ arguments: [String], cwd: String? = nil, environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading, err = errors.fileHandleForReading
        Thread.detachNewThread { [self] in
            while true {
                let chunk = out.availableData
                condition.lock()
                if chunk.isEmpty {
                    closed = true
                    condition.broadcast()
                    condition.unlock()
                    return
                }
                pending.append(chunk)
                while let newline = pending.firstIndex(of: 10) {
                    lines.append(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                    pending = Data(pending[(newline + 1)...])
                }
                condition.broadcast()
                condition.unlock()
            }
        }
        Thread.detachNewThread { [self] in
            let data = err.readDataToEndOfFile()
            condition.lock()
            errorData = data
            condition.unlock()
        }
    }

    /// Writes one line (a newline is added).
    public func send(_ line: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    /// The next line the process printed, or nil when it closed stdout or `timeout` passed.
    public func readLine(timeout: TimeInterval = 10) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while lines.isEmpty && !closed {
            if !condition.wait(until: deadline) { return nil }
        }
        return lines.isEmpty ? nil : lines.removeFirst()
    }

    /// Closes stdin and waits for the process to exit; returns its status.
    @discardableResult
    public func finish(timeout: TimeInterval = 10) -> Int32 {
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        return process.terminationStatus
    }

    public var stderr: String {
        condition.lock()
        defer { condition.unlock() }
        return String(decoding: errorData, as: UTF8.self)
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
