import Foundation

/// Writes files so that a reader or a crash never sees half of one: write a temporary file in the same
/// directory, fsync it, rename it over the target, then fsync the directory so the rename is durable.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String, durable: Bool = true) throws {
        let dir = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let tmp = "\(dir)/.\((path as NSString).lastPathComponent).cmem-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.io("cannot create \(tmp): \(String(cString: strerror(errno)))") }
        var ok = false
        defer {
            if !ok { unlink(tmp) }
        }
        do {
            defer { close(fd) }
            var offset = 0
            try bytes.withUnsafeBytes { raw in
                while offset < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw StoreError.io("cannot write \(path): \(String(cString: strerror(errno)))")
                    }
                    offset += n
                }
            }
            if durable, fsync(fd) != 0 { throw StoreError.io("fsync \(path): \(String(cString: strerror(errno)))") }
        }
        guard rename(tmp, path) == 0 else { throw StoreError.io("cannot rename into \(path): \(String(cString: strerror(errno)))") }
        ok = true
        if durable { syncDirectory(dir) }
    }

    public static func write(_ text: String, to path: String, durable: Bool = true) throws {
        try write(Array(text.utf8), to: path, durable: durable)
    }

    static func syncDirectory(_ dir: String) {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    /// Reads a whole file as bytes, refusing anything over `limit` so one giant file cannot exhaust memory.
    public static func read(_ path: String, limit: Int = Limits.maxNoteBytes) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw StoreError.io("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw StoreError.io("cannot stat \(path)") }
        let size = Int(st.st_size)
        guard size <= limit else { throw StoreError.tooLarge(path: path, bytes: size, limit: limit) }
        // Room to append an event or two without copying a large day file to a bigger buffer, and no
        // zero-fill of memory that read(2) is about to overwrite.
        var failure: String?
        let bytes = [UInt8](unsafeUninitializedCapacity: size + 16_384) { buffer, count in
            var offset = 0
            while offset < size {
                let n = Glibc.read(fd, buffer.baseAddress! + offset, size - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    break
                }
                if n == 0 { break }
                offset += n
            }
            count = offset
        }
        if let failure { throw StoreError.io("cannot read \(path): \(failure)") }
        return bytes
    }
}

import MemoryModel
