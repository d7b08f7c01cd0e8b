import CGitFast
import Foundation

/// A small machine-local cache file in `.git/cmem/` (segment records, index checksum states), rewritten
/// in place with its first line carrying a crc32 of the rest.
///
/// No temporary file, so no new inode per write: on ext4 without a journal every file created scans
/// the inodes freed in the last minute, and a write of one event creates enough files already. A write
/// that is cut short leaves a record whose crc does not match, which is read as no record at all; the
/// cost of a lost record is one full hash or compression. Written only under cmem's write lock.
enum CacheRecord {
    static func write(_ body: String, tag: String, to path: String) {
        var text = "\(tag) \(crc(body))\n" + body
        var fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0, errno == ENOENT {
            try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                     withIntermediateDirectories: true)
            fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else { return }
        defer { close(fd) }
        // Opened without O_TRUNC, the file is written from its start; what is left beyond is cut off.
        let written = text.withUTF8 { writeAll(fd, UnsafeRawBufferPointer($0)) }
        if !written || ftruncate(fd, off_t(text.utf8.count)) != 0 { _ = ftruncate(fd, 0) }
    }

    /// The body, when the file starts with `tag` and its crc matches.
    static func read(_ path: String, tag: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let newline = text.firstIndex(of: "\n") else { return nil }
        let head = text[..<newline]
        guard head.hasPrefix(tag + " "), let expected = UInt32(head.dropFirst(tag.count + 1)) else { return nil }
        let body = String(text[text.index(after: newline)...])
        return crc(body) == expected ? body : nil
    }

    static func crc(_ text: String) -> UInt32 {
        var copy = text
        return copy.withUTF8 { cgf_crc32(0, $0.baseAddress, $0.count) }
    }
}
