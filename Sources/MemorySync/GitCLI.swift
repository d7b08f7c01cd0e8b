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
        try Subprocess.run(GitCLI.executable, ["-C", directory] + arguments, environment: environment,
                           timeout: timeout, stdin: stdin, newProcessGroup: newProcessGroup)
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

/// Runs a program to completion, collecting its output on background threads so that a child writing
/// a lot never blocks on a full pipe.
///
/// Children are started with `posix_spawn` and a clean signal state: an empty signal mask and default
/// handlers for the signals git relies on. A thread of this process (a Dispatch worker, say) may block
/// signals, and a child would inherit that: a `git` that cannot be stopped by SIGTERM, or that never
/// sees SIGPIPE. With `newProcessGroup`, the child also gets its own process group, so that Ctrl-C in
/// a terminal (sent to the foreground group) stops `cmem sync --watch` between rounds instead of
/// killing a `git merge` half way.
enum Subprocess {
    static func run(_ executable: String, _ arguments: [String], environment: [String: String],
                    timeout: Double?, stdin: [UInt8]?, newProcessGroup: Bool = false) throws -> GitOutput {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let args = [executable] + arguments
        func failure(_ what: String, _ code: Int32) -> SyncError {
            .git(command: args.joined(separator: " "), status: -1, message: "cannot run \(executable): \(what): \(String(cString: strerror(code)))")
        }

        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1], inPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0, pipe(&inPipe) == 0 else {
            let code = errno
            for fd in outPipe + errPipe + inPipe where fd >= 0 { close(fd) }
            throw failure("pipe", code)
        }
        // Only the child's copies (dup2'd onto 0, 1, 2) survive exec; other children never inherit these.
        for fd in outPipe + errPipe + inPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGHUP, SIGQUIT] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)
        if newProcessGroup {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = args.map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid = pid_t()
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(inPipe[0])
        close(outPipe[1])
        close(errPipe[1])
        guard rc == 0 else {
            close(inPipe[1]); close(outPipe[0]); close(errPipe[0])
            throw failure("posix_spawn", rc)
        }

        let out = PipeReader(outPipe[0]), err = PipeReader(errPipe[0])
        if let stdin {
            stdin.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = write(inPipe[1], raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 { if errno == EINTR { continue }; break }
                    offset += n
                }
            }
        }
        close(inPipe[1])
        // In its own group, a timed-out child is stopped together with what it started (ssh, helpers),
        // which would otherwise keep the output pipes open.
        let watchdog = timeout.map { Watchdog(pid: newProcessGroup ? -pid : pid, seconds: $0) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { status = 127 << 8; break }
        }
        watchdog?.cancel()
        // WIFEXITED / WEXITSTATUS, spelled out (the macros are not imported into Swift).
        let exited = status & 0x7f == 0
        let code = exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return GitOutput(status: code, stdoutBytes: out.wait(), stderr: String(decoding: err.wait(), as: UTF8.self),
                         timedOut: watchdog?.fired ?? false)
    }

    /// Reads one pipe to its end on its own thread.
    private final class PipeReader: @unchecked Sendable {
        private var data: [UInt8] = []
        private let done = DispatchSemaphore(value: 0)

        init(_ fd: Int32) {
            Thread.detachNewThread { [self] in
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
                    if n > 0 { data.append(contentsOf: buffer[0..<n]); continue }
                    if n < 0, errno == EINTR { continue }
                    break
                }
                close(fd)
                done.signal()
            }
        }

        func wait() -> [UInt8] {
            done.wait()
            return data
        }
    }

    /// Stops a process (or, with a negative pid, a process group) that outlives its time: SIGTERM, then
    /// SIGKILL a few seconds later.
    /// Guarded by a lock: the timer and the waiting thread race.
    private final class Watchdog: @unchecked Sendable {
        private let lock = NSLock()
        private var finished = false
        private var didFire = false

        var fired: Bool {
            lock.lock()
            defer { lock.unlock() }
            return didFire
        }

        init(pid: pid_t, seconds: Double) {
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
                guard signal(pid, SIGTERM) else { return }
                DispatchQueue.global().asyncAfter(deadline: .now() + 5) { [self] in _ = signal(pid, SIGKILL) }
            }
        }

        /// Sends `sig` unless the process already finished (its pid could then belong to another process).
        private func signal(_ pid: pid_t, _ sig: Int32) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            guard !finished else { return false }
            didFire = true
            kill(pid, sig)
            return true
        }

        func cancel() {
            lock.lock()
            finished = true
            lock.unlock()
        }
    }
}
