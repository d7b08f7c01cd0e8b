import CGitFast
import Testing

@Suite("CRC-32C and adler32 combining")
struct ChecksumTests {
    @Test("CRC-32C gives the standard check value, whole or in pieces")
    func crc32cCheckValue() {
        let bytes = Array("123456789".utf8)
        #expect(cgf_crc32c(0, bytes, bytes.count) == 0xE306_9283)
        let long = (0..<100_003).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = cgf_crc32c(0, long, long.count)
        let split = long.withUnsafeBufferPointer { p in
            cgf_crc32c(cgf_crc32c(0, p.baseAddress, 40_001), p.baseAddress! + 40_001, long.count - 40_001)
        }
        #expect(whole == split)
    }

    @Test("adler32 of two pieces combined equals adler32 of the whole")
    func adlerCombine() {
        let long = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 1) }
        long.withUnsafeBufferPointer { p in
            let whole = cgf_adler32(1, p.baseAddress, p.count)
            let a = cgf_adler32(1, p.baseAddress, 65_536)
            let b = cgf_adler32(1, p.baseAddress! + 65_536, p.count - 65_536)
            #expect(cgf_adler32_combine(a, b, p.count - 65_536) == whole)
        }
    }
}
