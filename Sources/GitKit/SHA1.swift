import CGitFast

/// Plain SHA-1 for object ids and the index checksum: libgit2 exposes no bare hash, and its own is the
/// collision-detecting variant, about half the speed of the CPU's SHA instructions.
enum SHA1 {
    struct Hasher {
        private var context = cgf_sha1_ctx()

        init() { cgf_sha1_init(&context) }

        mutating func update(_ bytes: UnsafeRawBufferPointer) {
            guard let base = bytes.baseAddress, bytes.count > 0 else { return }
            cgf_sha1_update(&context, base, bytes.count)
        }

        mutating func update(_ bytes: [UInt8]) {
            bytes.withUnsafeBytes { update($0) }
        }

        /// Resumes from a state `midstate` captured after `length` bytes (a multiple of 64).
        init(resuming h: [UInt32], length: Int) {
            context.h = (h[0], h[1], h[2], h[3], h[4])
            context.length = UInt64(length)
            context.used = 0
        }

        /// The state after the bytes hashed so far, when they end on a 64-byte block (nil otherwise).
        var midstate: [UInt32]? {
            guard context.used == 0 else { return nil }
            return [context.h.0, context.h.1, context.h.2, context.h.3, context.h.4]
        }

        mutating func finish() -> [UInt8] {
            var digest = [UInt8](repeating: 0, count: 20)
            cgf_sha1_final(&context, &digest)
            return digest
        }
    }

    static func digest(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var h = Hasher()
        h.update(bytes)
        return h.finish()
    }

    /// The id git gives a blob: SHA-1 over `blob <size>\0` and the content.
    static func blobID(_ content: UnsafeRawBufferPointer) -> [UInt8] {
        var h = Hasher()
        h.update(Array("blob \(content.count)\0".utf8))
        h.update(content)
        return h.finish()
    }
}

/// Whether SHA-1 runs on the CPU's SHA instructions. Tests switch them off to check the portable code
/// gives the same digests.
public enum SHA1Hardware {
    public static var inUse: Bool { cgf_sha1_hardware() != 0 }
    public static func set(_ enabled: Bool) { cgf_sha1_set_hardware(enabled ? 1 : 0) }
}

extension ObjectID {
    init(raw bytes: [UInt8]) {
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(40)
        for b in bytes.prefix(20) {
            hex.append(digits[Int(b >> 4)])
            hex.append(digits[Int(b & 15)])
        }
        self.init(hex: String(decoding: hex, as: UTF8.self))!
    }

    /// The 20 bytes of the id.
    var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(20)
        var high: UInt8 = 0
        for (i, c) in hex.utf8.enumerated() {
            let v = c <= 57 ? c - 48 : c - 87
            if i % 2 == 0 { high = v } else { out.append(high << 4 | v) }
        }
        return out
    }
}
