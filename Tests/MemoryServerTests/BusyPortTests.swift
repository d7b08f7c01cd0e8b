import Foundation
import MemoryStore
import Testing
import TestSupport

/// `cmem serve` on a port something else already listens on: one sentence saying so, exit status 1.
@Suite struct BusyPortTests {
    /// A socket listening on a free port of 127.0.0.1 until closed.
    final class Listener {
        let fd: Int32
        let port: Int

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = 0
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
                    bind(fd, p, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, p, &length) == 0
                }
            }
            guard bound else { close(fd); throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            self.fd = fd
            port = Int(UInt16(bigEndian: address.sin_port))
        }

        deinit { close(fd) }
    }

    @Test func aBusyPortIsReportedInWords() throws {
        let dir = TemporaryDirectory("cmem-busy")
        _ = try MemoryStore.initialize(at: dir.file("memory"))
        let listener = try Listener()
        // ServerProcess asks for --port 0; the later --port is the one used.
        let refused = try ServerProcess.refusal(repo: dir.file("memory"), arguments: ["--port", "\(listener.port)"])
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains(
            "cmem serve: error: port \(listener.port) on 127.0.0.1 is in use; stop what is using it or pass --port\n"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("bind(descriptor"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("errno"), "\(refused.stderr)")
        withExtendedLifetime(listener) {}
    }
}
