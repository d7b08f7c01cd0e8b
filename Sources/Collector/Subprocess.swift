import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a finished command printed and how it ended.
struct SubprocessResult: Sendable {
    var exitCode: Int32
    var stdout: [UInt8]
    var stderr: [UInt8]
    var timedOut: Bool
    var outputTooLarge: Bool
}

enum SubprocessError: Error, Sendable {
    case notFound(String)
    case spawnFailed(String, Int32)
}

/// Runs a command with a deadline, without a shell. The command gets its own process group, so that on
/// timeout the whole group is killed: kubectl's credential plugins (gcloud, aws) go with it and cannot
/// hold the pipes open. Output is read on a dedicated thread, not on the cooperative pool.
enum Subprocess {
    static func run(_ arguments: [String], timeoutSeconds: Double, maxOutputBytes: Int) async throws -> SubprocessResult {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result {
                    try runBlocking(arguments, timeoutSeconds: timeoutSeconds, maxOutputBytes: maxOutputBytes)
                })
            }
            thread.start()
        }
    }

    #if !canImport(Darwin)
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34 and later), looked up at run time so that
    /// older systems still work, only without the extra hygiene.
    static let addCloseFrom: AddCloseFrom? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)
    }()
    #endif

    static func runBlocking(_ arguments: [String], timeoutSeconds: Double, maxOutputBytes: Int) throws -> SubprocessResult {
        precondition(!arguments.isEmpty)
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0 else { throw SubprocessError.spawnFailed(arguments[0], errno) }
        guard pipe(&errPipe) == 0 else {
            close(outPipe[0]); close(outPipe[1])
            throw SubprocessError.spawnFailed(arguments[0], errno)
        }
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var readEnds = [outPipe[0], errPipe[0]]
        defer { for fd in readEnds where fd >= 0 { close(fd) } }

        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        var attributes: posix_spawnattr_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child gets stdin, stdout and stderr only: no descriptor of ours (a lock file, a socket, a
        // file being written) leaks into kubectl or what it starts.
        #if canImport(Darwin)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_CLOEXEC_DEFAULT))
        #else
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        if let closeFrom = Subprocess.addCloseFrom { _ = closeFrom(&actions, 3) }
        #endif
        posix_spawnattr_setpgroup(&attributes, 0)

        let cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in cArguments { free(p) } }
        var pid: pid_t = 0
        #if canImport(Darwin)
        let environment = _NSGetEnviron().pointee
        #else
        let environment = environ
        #endif
        var rc = posix_spawnp(&pid, arguments[0], &actions, &attributes, cArguments, environment)
        // "Text file busy": the executable is being written (an upgrade, or another thread's fork still
        // holding a descriptor for a moment). Try again briefly.
        for _ in 0..<20 where rc == ETXTBSY {
            usleep(50_000)
            rc = posix_spawnp(&pid, arguments[0], &actions, &attributes, cArguments, environment)
        }
        close(outPipe[1])
        close(errPipe[1])
        guard rc == 0 else {
            if rc == ENOENT { throw SubprocessError.notFound(arguments[0]) }
            throw SubprocessError.spawnFailed(arguments[0], rc)
        }

        var stdout: [UInt8] = [], stderr: [UInt8] = []
        var timedOut = false, tooLarge = false
        let start = DispatchTime.now().uptimeNanoseconds
        let deadline = start + UInt64(max(0, timeoutSeconds) * 1e9)
        var killedAt: UInt64?
        var buffer = [UInt8](repeating: 0, count: 65536)

        func killGroup() {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            killedAt = DispatchTime.now().uptimeNanoseconds
        }

        while readEnds.contains(where: { $0 >= 0 }) {
            let now = DispatchTime.now().uptimeNanoseconds
            if killedAt == nil, now >= deadline {
                timedOut = true
                killGroup()
            }
            // After a kill, give the pipes two seconds to close; a grandchild that escaped the group
            // must not hang the collector.
            if let k = killedAt, now >= k + 2_000_000_000 { break }
            let waitNanos = killedAt.map { $0 + 2_000_000_000 - min(now, $0 + 2_000_000_000) } ?? (deadline - min(now, deadline))
            var fds = readEnds.filter { $0 >= 0 }.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let n = poll(&fds, nfds_t(fds.count), Int32(min(waitNanos / 1_000_000 + 1, 1000)))
            if n < 0 {
                if errno == EINTR { continue }
                break
            }
            for p in fds where p.revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(p.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    if p.fd == outPipe[0] { stdout.append(contentsOf: buffer[0..<count]) } else { stderr.append(contentsOf: buffer[0..<count]) }
                    if stdout.count + stderr.count > maxOutputBytes, killedAt == nil {
                        tooLarge = true
                        killGroup()
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
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exitCode: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return SubprocessResult(exitCode: exitCode, stdout: stdout, stderr: stderr, timedOut: timedOut, outputTooLarge: tooLarge)
    }
}
