import Foundation
import Testing
import TestSupport
@testable import GitKit

@Suite("SHA-1", .serialized)
struct SHA1Tests {
    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test("known digests, on the CPU's SHA instructions and on the portable code")
    func knownVectors() {
        let vectors: [(String, String)] = [
            ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
        ]
        defer { SHA1Hardware.set(true) }
        for enabled in [true, false] {
            SHA1Hardware.set(enabled)
            for (input, expected) in vectors {
                #expect(Self.hex(Array(input.utf8).withUnsafeBytes { SHA1.digest($0) }) == expected)
            }
            let million = [UInt8](repeating: 0x61, count: 1_000_000)
            #expect(Self.hex(million.withUnsafeBytes { SHA1.digest($0) }) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
        }
    }

    @Test("both code paths agree on every length around the block size, fed in uneven pieces")
    func pathsAgree() {
        defer { SHA1Hardware.set(true) }
        var generator = SystemRandomNumberGenerator()
        for length in [1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000, 65_537] {
            let data = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var digests: [String] = []
            for enabled in [true, false] {
                SHA1Hardware.set(enabled)
                var h = SHA1.Hasher()
                var i = 0
                while i < data.count {
                    let n = min(data.count - i, 1 + i % 97)
                    h.update(Array(data[i..<i + n]))
                    i += n
                }
                digests.append(Self.hex(h.finish()))
            }
            #expect(digests[0] == digests[1], "length \(length)")
        }
    }

    @Test("blob ids match git hash-object")
    func blobIDsMatchGit() throws {
        let dir = TemporaryDirectory("cmem-sha1")
        for (i, size) in [0, 1, 64, 70_000, 300_001].enumerated() {
            let content = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) }
            let path = dir.file("f\(i)")
            FileManager.default.createFile(atPath: path, contents: Data(content))
            let expected = try ProcessRunner.git(["hash-object", path], cwd: dir.path).trimmed
            #expect(ObjectID(raw: content.withUnsafeBytes { SHA1.blobID($0) }).hex == expected)
        }
    }
}
