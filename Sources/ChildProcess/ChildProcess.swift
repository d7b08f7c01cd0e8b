import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a finished child ended and what it printed.
public struct ChildOutput: Sendable {
    /// The exit code, or 128 + the signal that ended it.
    public var status: Int32
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// It outlived its time and was stopped.
    public var timedOut: Bool
    /// It printed more than allowed and was stopped.
    public var outputTooLarge: Bool

    public var succeeded: Bool { status == 0 && !timedOut && !outputTooLarge }
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

public enum ChildProcessError: Error, Sendable, CustomStringConvertible {
    /// The program is not on PATH (or not at the path given).
    case notFound(String)
    case cannotStart(String, call: String, errno: Int32)

    public var description: String {
        switch self {
        case let .notFound(program): return "\(program) was not found on PATH"
        case let .cannotStart(program, call, code): return "cannot run \(program): \(call): \(String(cString: strerror(code)))"
        }
    }
}

/// Runs a program to completion, without a shell: the one way cmem starts another program (git for sync,
/// the git hooks and the pre-commit guard; kubectl and argocd for the collector).
///
/// - The child starts with a clean signal state (an empty mask, default handlers): a thread of ours may block
///   signals, and a child inheriting that is a `git` that SIGTERM cannot stop or that never sees SIGPIPE.
/// - It gets standard input (the bytes given, else /dev/null), output and error only: no descriptor of ours (a
///   lock file, a socket) leaks into it or what it starts.
/// - With `ownProcessGroup` (the default), it leads a process group of its own, and a timeout stops the whole
///   group: what it started (ssh, `git-remote-http`, kubectl's credential plugins) goes with it instead of
///   holding our pipes open. A child that may need the terminal (ssh asking for a passphrase) must stay in
///   ours: a background group reading the terminal is stopped by SIGTTIN.
/// - A timeout sends SIGTERM, then SIGKILL two seconds later; two seconds after that the pipes are abandoned,
///   so a grandchild that escaped the group cannot hang cmem.
/// - Output is read as it comes, and past `maxOutputBytes` the child is stopped.
public struct ChildProcess: Sendable {
    /// The program (a path, or a name looked up on PATH) and its arguments.
    public var arguments: [String]
    /// Added to (or replacing entries of) the inherited environment.
    public var environment: [String: String] = [:]
    /// Written to the child's standard input, which is then closed; nil for /dev/null.
    public var input: [UInt8]?
    public var timeout: Double?
    public var maxOutputBytes: Int = .max
    public var ownProcessGroup = true
    /// Receives standard output as it arrives instead of collecting it (a `kubectl … --watch` that runs for
    /// hours); returning false stops the child. `maxOutputBytes` then bounds standard error only.
    public var onStdout: (@Sendable ([UInt8]) -> Bool)?
    /// Asked about once a second while the child runs; true stops it (SIGTERM, then SIGKILL), as a timeout would.
    public var shouldStop: (@Sendable () -> Bool)?

    public init(_ arguments: [String], environment: [String: String] = [:], input: [UInt8]? = nil,
                timeout: Double? = nil, maxOutputBytes: Int = .max, ownProcessGroup: Bool = true) {
        precondition(!arguments.isEmpty, "a child process needs a program")
        self.arguments = arguments
        self.environment = environment
        self.input = input
        self.timeout = timeout
        self.maxOutputBytes = maxOutputBytes
        self.ownProcessGroup = ownProcessGroup
    }

    /// Runs the child on a thread of its own, off the cooperative pool, which it would otherwise block.
    public func run() async throws -> ChildOutput {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try self.run() }) }
        }
    }

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34 and later), looked up at run time so that older
    /// systems still work, only without the extra hygiene.
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()

    /// Runs the child and waits for it, on the calling thread.
    public func run() throws -> ChildOutput {
        let program = arguments[0]
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1], inPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0, input == nil || pipe(&inPipe) == 0 else {
            let code = errno
            for fd in outPipe + errPipe + inPipe where fd >= 0 { close(fd) }
            throw ChildProcessError.cannotStart(program, call: "pipe", errno: code)
        }
        for fd in outPipe + errPipe + inPipe where fd >= 0 { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if input != nil {
            posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        if let closeFrom = ChildProcess.addCloseFrom { _ = closeFrom(&actions, 3) }

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
        if ownProcessGroup {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = []
        if !environment.isEmpty {
            var env = ProcessInfo.processInfo.environment
            for (k, v) in environment { env[k] = v }
            envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        }
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid = pid_t()
        var rc: Int32 = 0
        // "Text file busy": the program is being written (an upgrade, or another thread's fork still holding a
        // descriptor for a moment). Try again briefly.
        for attempt in 0..<20 {
            rc = envp.isEmpty ? posix_spawnp(&pid, program, &actions, &attributes, argv, environ)
                : envp.withUnsafeBufferPointer { posix_spawnp(&pid, program, &actions, &attributes, argv, UnsafeMutablePointer(mutating: $0.baseAddress!)) }
            guard rc == ETXTBSY, attempt < 19 else { break }
            usleep(50_000)
        }
        close(outPipe[1])
        close(errPipe[1])
        if inPipe[0] >= 0 { close(inPipe[0]) }
        guard rc == 0 else {
            for fd in [outPipe[0], errPipe[0], inPipe[1]] where fd >= 0 { close(fd) }
            if rc == ENOENT { throw ChildProcessError.notFound(program) }
            throw ChildProcessError.cannotStart(program, call: "posix_spawn", errno: rc)
        }
        return collect(pid: pid, stdout: outPipe[0], stderr: errPipe[0], stdin: inPipe[1])
    }

    /// Feeds the child, reads its output and waits for it, within the limits.
    private func collect(pid: pid_t, stdout outFD: Int32, stderr errFD: Int32, stdin inFD: Int32) -> ChildOutput {
        var readEnds = [outFD, errFD]
        var writeEnd = inFD
        defer { for fd in readEnds + [writeEnd] where fd >= 0 { close(fd) } }
        if writeEnd >= 0 { _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK) }
        let pending = input ?? []
        var written = 0
        if pending.isEmpty, writeEnd >= 0 {
            close(writeEnd)
            writeEnd = -1
        }

        var stdout: [UInt8] = [], stderr: [UInt8] = []
        var timedOut = false, tooLarge = false
        let now = { DispatchTime.now().uptimeNanoseconds }
        let deadline = timeout.map { now() + UInt64(max(0, $0) * 1e9) } ?? UInt64.max
        let target = ownProcessGroup ? -pid : pid
        // When SIGTERM, then SIGKILL, were sent.
        var terminatedAt: UInt64?, killedAt: UInt64?
        let grace: UInt64 = 2_000_000_000
        var buffer = [UInt8](repeating: 0, count: 65536)

        func stop() {
            guard terminatedAt == nil else { return }
            kill(target, SIGTERM)
            terminatedAt = now()
        }

        while readEnds.contains(where: { $0 >= 0 }) {
            let t = now()
            if terminatedAt == nil, t >= deadline {
                timedOut = true
                stop()
            }
            if terminatedAt == nil, let shouldStop, shouldStop() { stop() }
            if let term = terminatedAt, killedAt == nil, t >= term + grace {
                kill(target, SIGKILL)
                killedAt = t
            }
            if let k = killedAt, t >= k + grace { break }
            var fds = readEnds.filter { $0 >= 0 }.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if writeEnd >= 0 { fds.append(pollfd(fd: writeEnd, events: Int16(POLLOUT), revents: 0)) }
            let wake = [deadline, terminatedAt.map { $0 + grace }, killedAt.map { $0 + grace }].compactMap { $0 }.min() ?? UInt64.max
            let waitMillis = Int32(min((wake - min(t, wake)) / 1_000_000 + 1, 1000))
            let n = poll(&fds, nfds_t(fds.count), waitMillis)
            if n < 0 {
                if errno == EINTR { continue }
                break
            }
            for p in fds where p.revents != 0 {
                if p.fd == writeEnd {
                    let count = ChildProcess.writeWithoutSIGPIPE(writeEnd, pending, from: written)
                    if count > 0 { written += count }
                    if written >= pending.count || (count < 0 && errno != EAGAIN && errno != EINTR) {
                        close(writeEnd)
                        writeEnd = -1
                    }
                    continue
                }
                let count = buffer.withUnsafeMutableBytes { read(p.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    if p.fd == outFD, let onStdout {
                        if !onStdout(Array(buffer[0..<count])), terminatedAt == nil { stop() }
                    } else if p.fd == outFD {
                        stdout.append(contentsOf: buffer[0..<count])
                    } else {
                        stderr.append(contentsOf: buffer[0..<count])
                    }
                    if stdout.count + stderr.count > maxOutputBytes, terminatedAt == nil {
                        tooLarge = true
                        stop()
                    }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    if let i = readEnds.firstIndex(of: p.fd) {
                        close(p.fd)
                        readEnds[i] = -1
                    }
                }
            }
        }

        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { status = 127 << 8; break }
        }
        // What the child started may still run in its group after it exited on its own at a timeout.
        if timedOut || tooLarge, ownProcessGroup { kill(-pid, SIGKILL) }
        // WIFEXITED / WEXITSTATUS, spelled out (the macros are not imported into Swift).
        let code: Int32 = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ChildOutput(status: code, stdout: stdout, stderr: stderr, timedOut: timedOut, outputTooLarge: tooLarge)
    }

    /// Writes what is left of `bytes` to a pipe whose reader may be gone, with SIGPIPE blocked on this thread
    /// (and a SIGPIPE it raised consumed), so that a child that exits without reading its input costs an
    /// EPIPE, not cmem's life.
    private static func writeWithoutSIGPIPE(_ fd: Int32, _ bytes: [UInt8], from offset: Int) -> Int {
        var block = sigset_t(), old = sigset_t()
        sigemptyset(&block)
        sigaddset(&block, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &block, &old)
        let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
        let saved = errno
        if count < 0, saved == EPIPE {
            var zero = timespec(tv_sec: 0, tv_nsec: 0)
            _ = sigtimedwait(&block, nil, &zero)
        }
        pthread_sigmask(SIG_SETMASK, &old, nil)
        errno = saved
        return count
    }
}
