import Foundation
import Testing
import ChildProcess
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The one way cmem starts another program, with real programs: output, input, exit codes, limits, and a
/// timeout that stops the whole process group, so nothing a child started can hold cmem.
@Suite struct ChildProcessTests {
    @Test func outputInputAndExitCodes() throws {
        let echo = try ChildProcess(["sh", "-c", "cat; echo err >&2; exit 3"], input: Array("fed in\n".utf8)).run()
        #expect(echo.status == 3)
        #expect(echo.stdoutText == "fed in\n")
        #expect(echo.stderrText == "err\n")
        #expect(!echo.succeeded)

        // Input larger than a pipe holds, output larger than a pipe holds: neither side blocks.
        let big = [UInt8](repeating: 0x61, count: 1 << 20)
        let copied = try ChildProcess(["cat"], input: big).run()
        #expect(copied.succeeded)
        #expect(copied.stdout == big)

        // No input: /dev/null, not our standard input.
        #expect(try ChildProcess(["sh", "-c", "cat | wc -c"]).run().stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        // A child that exits without reading its input costs an EPIPE, not our process.
        #expect(try ChildProcess(["true"], input: big).run().status == 0)
        // Killed by a signal: 128 + its number.
        #expect(try ChildProcess(["sh", "-c", "kill -9 $$"]).run().status == 128 + 9)
    }

    @Test func environmentIsAddedToWhatIsInherited() throws {
        let out = try ChildProcess(["sh", "-c", "echo \"$CMEM_TEST_VALUE:${PATH:+path}\""], environment: ["CMEM_TEST_VALUE": "x y"]).run()
        #expect(out.stdoutText == "x y:path\n")
    }

    @Test func aMissingProgramIsNamed() {
        #expect(throws: ChildProcessError.self) { try ChildProcess(["cmem-no-such-program-here"]).run() }
        do {
            _ = try ChildProcess(["cmem-no-such-program-here"]).run()
        } catch {
            #expect("\(error)".contains("cmem-no-such-program-here"))
        }
    }

    @Test func noDescriptorOfOursLeaksIntoTheChild() throws {
        let fd = open("/dev/null", O_RDONLY)
        defer { close(fd) }
        #expect(fd > 2)
        let out = try ChildProcess(["sh", "-c", "ls /proc/self/fd"]).run()
        let fds = out.stdoutText.split(separator: "\n").compactMap { Int($0) }
        // 0, 1, 2, and the one `ls` opened to read the folder.
        #expect(!fds.contains(Int(fd)), "descriptor \(fd) leaked: \(fds)")
    }

    @Test func tooMuchOutputStopsTheChild() throws {
        let out = try ChildProcess(["sh", "-c", "yes"], maxOutputBytes: 100_000).run()
        #expect(out.outputTooLarge)
        #expect(!out.succeeded)
    }

    /// A child that ignores SIGTERM and leaves a grandchild holding the pipes (as `git` and `git-remote-http`
    /// did against a remote that never answers) is stopped within the timeout and its grace periods, and
    /// the grandchild is gone too.
    @Test func aTimeoutStopsTheWholeGroupAndNothingHoldsUs() throws {
        let dir = TemporaryDirectory("cmem-child")
        let pidFile = dir.file("grandchild.pid")
        let start = Date()
        let out = try ChildProcess(["sh", "-c", "trap '' TERM; sleep 300 & echo $! > \(pidFile); wait"], timeout: 1).run()
        let elapsed = Date().timeIntervalSince(start)
        #expect(out.timedOut)
        #expect(elapsed < 8, "took \(elapsed) s")
        let grandchild = try #require(Int32(try dir.read("grandchild.pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        // Reaped by init after the kill: give it a moment, then it must not exist.
        var alive = true
        for _ in 0..<50 where alive {
            let stat = (try? String(contentsOfFile: "/proc/\(grandchild)/stat", encoding: .utf8)) ?? ""
            alive = kill(grandchild, 0) == 0 && !stat.contains(") Z ")
            if alive { usleep(100_000) }
        }
        #expect(!alive, "the grandchild \(grandchild) outlived the timeout")
    }

    /// `git fetch` from a server that accepts the connection and never answers (loopback only): the timeout
    /// holds, whatever git started.
    @Test func gitAgainstARemoteThatNeverAnswersStopsAtItsTimeout() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(bound == 0)
        #expect(listen(listener, 16) == 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        let port = UInt16(bigEndian: address.sin_port)

        let dir = TemporaryDirectory("cmem-child-git")
        #expect(try ProcessRunner.git(["init", "-q", dir.path], cwd: "/").status == 0)
        let start = Date()
        let out = try ChildProcess(["git", "-C", dir.path, "fetch", "http://127.0.0.1:\(port)/memory.git"],
                                   environment: ["GIT_TERMINAL_PROMPT": "0"], timeout: 2).run()
        let elapsed = Date().timeIntervalSince(start)
        #expect(out.timedOut)
        #expect(elapsed < 9, "git fetch with a 2 s timeout took \(elapsed) s")
    }
}
