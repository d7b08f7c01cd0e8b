import Foundation

/// The result of running a program to completion.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    public var trimmed: String { stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
}

/// Runs real programs (the built `cmem`, `git`) as subprocesses, the way users do.
public enum ProcessRunner {
    /// Runs `executable` with `arguments`, feeding `stdin`, and waits. Output is collected on background
    /// threads so a chatty child never blocks on a full pipe.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], cwd: String? = nil,
                           environment: [String: String] = [:], stdin: Data? = nil) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        let outData = Collector(out.fileHandleForReading)
        let errData = Collector(err.fileHandleForReading)
        if let stdin { try? input.fileHandleForWriting.write(contentsOf: stdin) }
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus,
                             stdout: String(decoding: outData.wait(), as: UTF8.self),
                             stderr: String(decoding: errData.wait(), as: UTF8.self))
    }

    /// Runs `git` (from PATH) in `cwd`; fails loudly, since tests use it to set up state.
    @discardableResult
    public static func git(_ arguments: [String], cwd: String, environment: [String: String] = [:]) throws -> ProcessResult {
        var env = environment
        env["GIT_AUTHOR_NAME"] = env["GIT_AUTHOR_NAME"] ?? "Test Human"
        env["GIT_AUTHOR_EMAIL"] = env["GIT_AUTHOR_EMAIL"] ?? "human@example.com"
        env["GIT_COMMITTER_NAME"] = env["GIT_COMMITTER_NAME"] ?? "Test Human"
        env["GIT_COMMITTER_EMAIL"] = env["GIT_COMMITTER_EMAIL"] ?? "human@example.com"
        return try run("/usr/bin/env", ["git"] + arguments, cwd: cwd, environment: env)
    }

    private final class Collector: @unchecked Sendable {
        private var data = Data()
        private let done = DispatchSemaphore(value: 0)

        init(_ handle: FileHandle) {
            Thread.detachNewThread { [self] in
                data = handle.readDataToEndOfFile()
                done.signal()
            }
        }

        func wait() -> Data {
            done.wait()
            return data
        }
    }
}

/// Finds the built `cmem` binary next to the test bundle (or at $CMEM_BIN).
public enum CMemBinary {
    public static var path: String {
        if let p = ProcessInfo.processInfo.environment["CMEM_BIN"] { return p }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("cmem").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        // `swift test` runs from the package root with products in .build/debug.
        return FileManager.default.currentDirectoryPath + "/.build/debug/cmem"
    }

    /// Runs `cmem` against `repo` with a clean environment for the memory location.
    @discardableResult
    public static func run(_ arguments: [String], repo: String, cwd: String? = nil, stdin: Data? = nil,
                           environment: [String: String] = [:]) throws -> ProcessResult {
        var env = environment
        env["CMEM_REPO"] = repo
        env["GIT_AUTHOR_NAME"] = env["GIT_AUTHOR_NAME"] ?? "cmem test"
        env["GIT_AUTHOR_EMAIL"] = env["GIT_AUTHOR_EMAIL"] ?? "cmem-test@example.com"
        return try ProcessRunner.run(path, arguments, cwd: cwd, environment: env, stdin: stdin)
    }
}
