import ChildProcess
import Foundation

/// What a finished `git` process left behind.
public struct GitOutput: Sendable {
    public let status: Int32
    public let stdoutBytes: [UInt8]
    public let stderr: String
    public let timedOut: Bool

    public var stdout: String { String(decoding: stdoutBytes, as: UTF8.self) }

    public var succeeded: Bool { status == 0 && !timedOut }

    /// stderr without git's progress noise, for messages shown to a person.
    public var message: String {
        let lines = stderr.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("hint:") }
        return lines.joined(separator: "\n")
    }
}

/// Runs the `git` command-line program in one working tree.
///
/// Sync talks to remotes through the user's own `git`, so SSH keys and agents, credential helpers,
/// `url.<base>.insteadOf`, proxies and `core.sshCommand` all apply exactly as they do for `git pull`,
/// and `git merge` calls the merge drivers configured in `.git/config`.
public struct GitCLI: Sendable {
    public let directory: String
    /// Added to the inherited environment.
    public var environment: [String: String]
    /// Start each `git` in its own process group (for unattended runs: Ctrl-C then cannot cut a merge in half).
    public var newProcessGroup = false

    public init(directory: String, environment: [String: String] = [:]) {
        self.directory = directory
        self.environment = environment
    }

    /// `git` from PATH, resolved once.
    public static let executable: String = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/git"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "/usr/bin/git"
    }()

    /// Runs `git arguments…`; never throws for a non-zero exit (callers classify failures), only when
    /// `git` cannot be started at all. With `timeout`, a process still running after that many seconds
    /// is terminated and reported as `timedOut`.
    @discardableResult
    public func run(_ arguments: [String], timeout: Double? = nil, stdin: [UInt8]? = nil) throws -> GitOutput {
        try GitCLI.run(["-C", directory] + arguments, environment: environment, timeout: timeout, stdin: stdin,
                       newProcessGroup: newProcessGroup)
    }

    /// Runs `git arguments…` anywhere. A timeout stops git with what it started (ssh, `git-remote-http`) only
    /// when it has a process group of its own; otherwise what it started is left to the pipes' closing, and
    /// cmem stops waiting for them two seconds after git is killed.
    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Double? = nil,
                    stdin: [UInt8]? = nil, newProcessGroup: Bool = false) throws -> GitOutput {
        let child = ChildProcess([GitCLI.executable] + arguments, environment: environment, input: stdin, timeout: timeout,
                                 ownProcessGroup: newProcessGroup)
        let out: ChildOutput
        do {
            out = try child.run()
        } catch {
            throw SyncError.git(command: "git " + arguments.joined(separator: " "), status: -1, message: "\(error)")
        }
        return GitOutput(status: out.status, stdoutBytes: out.stdout, stderr: out.stderrText, timedOut: out.timedOut)
    }

    /// Runs `git arguments…` and returns its trimmed stdout, or throws `SyncError.git` on failure.
    @discardableResult
    public func check(_ arguments: [String], timeout: Double? = nil) throws -> String {
        let out = try run(arguments, timeout: timeout)
        guard out.succeeded else {
            throw SyncError.git(command: "git " + arguments.joined(separator: " "), status: out.status, message: out.message)
        }
        return out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The commit a revision names, or nil when it does not exist.
    public func resolve(_ revision: String) throws -> String? {
        let out = try run(["rev-parse", "--verify", "--quiet", revision + "^{commit}"])
        guard out.succeeded else { return nil }
        let sha = out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return sha.isEmpty ? nil : sha
    }

    /// Whether `ancestor` is reachable from `descendant`; nil when git cannot tell (an unknown object).
    public func isAncestor(_ ancestor: String, of descendant: String) throws -> Bool? {
        let out = try run(["merge-base", "--is-ancestor", ancestor, descendant])
        switch out.status {
        case 0: return true
        case 1: return false
        default: return nil
        }
    }
}
