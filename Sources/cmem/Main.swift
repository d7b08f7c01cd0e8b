import ArgumentParser
import Foundation

/// The entry point. Synchronous commands (all the hot ones: hooks, `event record`, `session …`) run on
/// the main thread: there, glibc grows the heap in large steps, while on a concurrency-pool thread it
/// grows page by page, which cost tens of milliseconds for a large day file or git index.
/// Asynchronous commands run as a task while the main thread waits.
@main
enum Main {
    static func main() {
        // Large buffers (a day file, the git index) would each get fresh pages from mmap, which the kernel
        // must zero; from the heap, a freed buffer's pages serve the next one.
        _ = mallopt(-3 /* M_MMAP_THRESHOLD */, 256 << 20)
        _ = mallopt(-1 /* M_TRIM_THRESHOLD */, 512 << 20)
        FastPath.runIfPlain(CommandLine.arguments)
        let command: ParsableCommand
        do {
            command = try CMem.parseAsRoot()
        } catch {
            if let message = CMem.unknownCommand(CommandLine.arguments.dropFirst()) {
                FileHandle.standardError.write(Data("cmem: error: \(message)\n".utf8))
                exit(2)
            }
            // Help and --version exit 0 as ArgumentParser has them; a wrong option or value exits 2, as an
            // invalid value the command itself finds does (ArgumentParser's own code is 64). Not for `cmem
            // hook`: to Claude Code, a hook's exit status 2 blocks the tool call.
            if CMem.exitCode(for: error) == .success || CommandLine.arguments.dropFirst().first == "hook" { CMem.exit(withError: error) }
            FileHandle.standardError.write(Data((CMem.fullMessage(for: error) + "\n").utf8))
            exit(2)
        }
        if let asyncCommand = command as? AsyncParsableCommand {
            let done = DispatchSemaphore(value: 0)
            let box = ErrorBox()
            let sendable = UncheckedBox(asyncCommand)
            // Detached: a plain Task would inherit the main actor, whose thread is blocked below.
            Task.detached {
                var c = sendable.value
                do { try await c.run() } catch { box.error = error }
                done.signal()
            }
            done.wait()
            if let error = box.error { CMem.exit(withError: error) }
            return
        }
        do {
            var c = command
            try c.run()
        } catch {
            CMem.exit(withError: error)
        }
    }
}

/// glibc's mallopt(3), which the Glibc module does not import (malloc.h).
@_silgen_name("mallopt")
private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32

private final class ErrorBox: @unchecked Sendable {
    var error: Error?
}

private struct UncheckedBox<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
