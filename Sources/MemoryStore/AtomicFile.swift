import Foundation
import GitKit

/// Writes files so that a reader or a crash never sees half of one: write a temporary file in the same
/// directory, fsync it, rename it over the target, then fsync the directory so the rename is durable.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String, durable: Bool = true) throws {
        let pending = try begin(bytes, to: path)
        if durable, fsync(pending.fd) != 0 {
            let reason = String(cString: strerror(errno))
            abandon([pending])
            throw StoreError.io("fsync \(path): \(reason)")
        }
        try finish([pending], durable: durable)
    }

    /// A file written to its temporary name, not yet synced or renamed; its descriptor is still open.
    public struct Pending: Sendable {
        let path: String
        let tmp: String
        let fd: Int32
        /// A second name for the file being replaced (`keepingOld`), so that `restore` can put it back;
        /// nil when there was no file.
        let old: String?
        /// The replaced file's bytes, where the filesystem refused a hard link.
        var oldBytes: [UInt8]? = nil
    }

    /// Writes `bytes` to a new temporary file beside `path` and leaves it there, open, for `finish`.
    /// `keepingOld`: the file it replaces gets a second name (a hard link: no copy) until `discardOld` or
    /// `restore`, so that a write whose commit fails can be undone.
    public static func begin(_ bytes: [UInt8], to path: String, keepingOld: Bool = false) throws -> Pending {
        let dir = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let stem = "\(dir)/.\((path as NSString).lastPathComponent).cmem-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let tmp = stem + ".tmp"
        var old: String?
        var oldBytes: [UInt8]?
        if keepingOld {
            // Named like the temporary file, so a sync never commits one a killed writer left.
            let name = stem + ".old.tmp"
            if link(path, name) == 0 {
                old = name
            } else if errno != ENOENT {
                // A filesystem without hard links: the bytes are kept instead.
                oldBytes = try read(path)
            }
        }
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            if let old { unlink(old) }
            throw StoreError.io("cannot create \(tmp): \(reason)")
        }
        let ok = bytes.withUnsafeBytes { writeAll(fd, $0) }
        guard ok else {
            let reason = String(cString: strerror(errno))
            close(fd)
            unlink(tmp)
            if let old { unlink(old) }
            throw StoreError.io("cannot write \(path): \(reason)")
        }
        return Pending(path: path, tmp: tmp, fd: fd, old: old, oldBytes: oldBytes)
    }

    /// Undoes `finish`: each file is put back as it was before `begin` (or removed, where there was none).
    public static func restore(_ pending: [Pending]) {
        var dirs: [String] = []
        for p in pending {
            if let old = p.old {
                rename(old, p.path)
            } else if let bytes = p.oldBytes {
                try? write(bytes, to: p.path)
            } else {
                unlink(p.path)
            }
            let dir = (p.path as NSString).deletingLastPathComponent
            if !dirs.contains(dir) { dirs.append(dir) }
        }
        dirs.forEach(syncDirectory)
    }

    /// Drops the second names `begin(keepingOld:)` gave the replaced files. A large one is freed by a
    /// release off the caller's path (see `holdLargeFile`).
    public static func discardOld(_ pending: [Pending]) {
        for p in pending {
            guard let old = p.old else { continue }
            let held = holdLargeFile(old)
            unlink(old)
            if held >= 0 { DeferredRelease.close(held) }
        }
    }

    /// Syncs the files on another thread; the returned call waits for it and gives nil when all succeeded,
    /// else why one failed. An fsync is mostly waiting for the disk: the caller works in the meantime.
    public static func syncInBackground(_ pending: [Pending]) -> () -> String? {
        let done = DispatchSemaphore(value: 0)
        let result = SyncResult()
        let files = pending.map { ($0.fd, $0.path) }
        DispatchQueue.global(qos: .userInitiated).async {
            for (fd, path) in files where fsync(fd) != 0 {
                result.failure = "fsync \(path): \(String(cString: strerror(errno)))"
                break
            }
            done.signal()
        }
        return {
            done.wait()
            return result.failure
        }
    }

    private final class SyncResult: @unchecked Sendable {
        // Written before the semaphore is signalled, read after it is waited on.
        var failure: String?
    }

    /// Renames synced files over their targets, then syncs their directories so the renames are durable.
    public static func finish(_ pending: [Pending], durable: Bool = true) throws {
        var dirs: [String] = []
        for (i, p) in pending.enumerated() {
            close(p.fd)
            // A file kept under a second name is not freed by the rename.
            let replaced = p.old == nil ? Self.holdLargeFile(p.path) : -1
            guard rename(p.tmp, p.path) == 0 else {
                let reason = String(cString: strerror(errno))
                if replaced >= 0 { close(replaced) }
                unlink(p.tmp)
                for rest in pending[(i + 1)...] {
                    close(rest.fd)
                    unlink(rest.tmp)
                }
                // The files renamed so far are put back.
                restore(Array(pending[..<i]))
                for rest in pending[i...] { if let old = rest.old { unlink(old) } }
                throw StoreError.io("cannot rename into \(p.path): \(reason)")
            }
            // Held open across the rename, the replaced file is freed by this release, off the caller's path.
            if replaced >= 0 { DeferredRelease.close(replaced) }
            let dir = (p.path as NSString).deletingLastPathComponent
            if !dirs.contains(dir) { dirs.append(dir) }
        }
        if durable { dirs.forEach(syncDirectory) }
    }

    /// Gives up on files `begin` wrote: closes and removes them.
    public static func abandon(_ pending: [Pending]) {
        for p in pending {
            close(p.fd)
            unlink(p.tmp)
            if let old = p.old { unlink(old) }
        }
    }

    /// Maps in a large fresh buffer's pages with one call (MADV_POPULATE_WRITE), where touching them one by
    /// one would take a page fault each: 300 of them for a 1.2 MB day file. Best effort (Linux 5.14+).
    static func populate(_ buffer: UnsafeMutableRawBufferPointer) {
        guard buffer.count >= 256 * 1024, let base = buffer.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = (Int(bitPattern: base) + page - 1) & ~(page - 1)
        let end = (Int(bitPattern: base) + buffer.count) & ~(page - 1)
        guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(aligned, end - start, 23 /* MADV_POPULATE_WRITE */)
    }

    /// A descriptor on the file about to be replaced when it is large (-1 otherwise). The rename would
    /// drop its last link, and the kernel would free its pages inside the rename.
    static func holdLargeFile(_ path: String) -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return -1 }
        var st = stat()
        if fstat(fd, &st) == 0, st.st_size >= 256 * 1024 { return fd }
        close(fd)
        return -1
    }

    public static func write(_ text: String, to path: String, durable: Bool = true) throws {
        try write(Array(text.utf8), to: path, durable: durable)
    }

    static func syncDirectory(_ dir: String) {
        DurableFiles.syncFolder(dir)
    }

    /// Reads a whole file as bytes, refusing anything over `limit` so one giant file cannot exhaust memory.
    public static func read(_ path: String, limit: Int = Limits.maxNoteBytes) throws -> [UInt8]? {
        // Never through a link: its target may be any file on the machine, which a write would then commit.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 {
            if errno == ENOENT { return nil }
            if errno == ELOOP {
                throw StoreError.invalid("refusing to read \(path): it is a symbolic link; cmem reads only real files (`cmem status` lists the links)")
            }
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
            Self.populate(UnsafeMutableRawBufferPointer(buffer))
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
