#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// Thin POSIX file helpers: the index reads hundreds of megabytes and stats tens of thousands of files, so
/// it talks to the kernel directly instead of going through Foundation.
enum FileIO {
    struct Failure: Error, CustomStringConvertible {
        let path: String
        let operation: String
        let errno: Int32
        var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
    }

    /// What `stat` says about a file: enough to notice any edit without reading it.
    struct Signature: Equatable, Sendable {
        var size: Int64
        var mtimeNanoseconds: Int64
        var inode: UInt64
        static let missing = Signature(size: -1, mtimeNanoseconds: 0, inode: 0)
    }

    static func signature(_ path: String) -> Signature? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return signature(of: st)
    }

    /// The signatures of many files under `root`, on all cores, each stat made relative to its open
    /// directory: a sweep of 30,000 notes by full path spent most of its time walking the same paths.
    static func signatures(root: String, paths: [String]) -> [Signature?] {
        let n = paths.count
        guard n > 0 else { return [] }
        let results = UnsafeMutableBufferPointer<Signature?>.allocate(capacity: n)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        let chunks = min(max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))), max(1, n / 512))
        let work = UncheckedSendable { (chunk: Int) in
            var dirPath = ""
            var dirFD: Int32 = -1
            defer { if dirFD >= 0 { close(dirFD) } }
            for i in stride(from: chunk * n / chunks, to: (chunk + 1) * n / chunks, by: 1) {
                let path = paths[i]
                let slash = path.lastIndex(of: "/")
                let dir = slash.map { String(path[..<$0]) } ?? ""
                let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
                if dir != dirPath || dirFD < 0 {
                    if dirFD >= 0 { close(dirFD) }
                    dirPath = dir
                    dirFD = open(dir.isEmpty ? root : root + "/" + dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                }
                var st = stat()
                if dirFD >= 0 {
                    if fstatat(dirFD, name, &st, 0) == 0 { results[i] = signature(of: st) }
                } else if stat(root + "/" + path, &st) == 0 {
                    results[i] = signature(of: st)
                }
            }
        }
        if chunks == 1 { work.value(0) } else { DispatchQueue.concurrentPerform(iterations: chunks) { work.value($0) } }
        return Array(results)
    }

    @inline(__always)
    static func signature(of st: stat) -> Signature {
        #if canImport(Darwin)
        let mtime = Int64(st.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(st.st_mtimespec.tv_nsec)
        #else
        let mtime = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        #endif
        return Signature(size: Int64(st.st_size), mtimeNanoseconds: mtime, inode: UInt64(st.st_ino))
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// The whole file, or nil when it does not exist or cannot be read.
    static func read(_ path: String, limit: Int = Int.max) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw Failure(path: path, operation: "open", errno: errno)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw Failure(path: path, operation: "fstat", errno: errno) }
        let size = Int(st.st_size)
        guard size <= limit else { throw Failure(path: path, operation: "read (file too large)", errno: EFBIG) }
        var done = 0
        let bytes = try [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            while done < size {
                let n = sysRead(fd, buffer.baseAddress! + done, size - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Failure(path: path, operation: "read", errno: errno)
                }
                if n == 0 { break }
                done += n
            }
            count = done
        }
        return bytes
    }

    /// `length` bytes at `offset`, or nil when the file is gone or shorter than that.
    static func read(_ path: String, offset: Int, length: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var done = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            while done < length {
                let n = pread(fd, buffer.baseAddress! + done, length - done, off_t(offset + done))
                if n < 0, errno == EINTR { continue }
                if n <= 0 { break }
                done += n
            }
            count = done
        }
        return done == length ? bytes : nil
    }

    /// Writes `bytes` to a temporary file beside `path`, flushes it, and renames it over `path`: readers see
    /// the old file or the new one, never half of one.
    static func writeAtomically(_ path: String, chunks: [UnsafeRawBufferPointer]) throws {
        let temp = path + ".tmp.\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(path: temp, operation: "create", errno: errno) }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        do {
            defer { close(fd) }
            for chunk in chunks {
                var done = 0
                while done < chunk.count {
                    let n = sysWrite(fd, chunk.baseAddress! + done, chunk.count - done)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw Failure(path: temp, operation: "write", errno: errno)
                    }
                    done += n
                }
            }
        }
        guard rename(temp, path) == 0 else { throw Failure(path: path, operation: "rename", errno: errno) }
        ok = true
    }

    static func write(_ path: String, _ text: String) throws {
        var text = text
        try text.withUTF8 { buffer in
            try writeAtomically(path, chunks: [UnsafeRawBufferPointer(buffer)])
        }
    }

    static func makeDirectories(_ path: String) throws {
        if isDirectory(path) { return }
        var prefix = ""
        for part in path.split(separator: "/", omittingEmptySubsequences: false) {
            prefix += prefix.isEmpty && path.hasPrefix("/") && part.isEmpty ? "/" : (prefix.isEmpty || prefix == "/" ? "" : "/") + part
            if prefix.isEmpty || prefix == "/" { continue }
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw Failure(path: prefix, operation: "mkdir", errno: errno)
            }
        }
    }

    static func remove(_ path: String) { unlink(path) }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Removes an empty directory; one that is already gone is no error.
    static func removeDirectory(_ path: String) throws {
        guard rmdir(path) == 0 || errno == ENOENT else { throw Failure(path: path, operation: "rmdir", errno: errno) }
    }

    /// Names in a directory (without `.` and `..`), or nil when it cannot be opened.
    static func list(_ path: String) -> [(name: String, isDirectory: Bool)]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var out: [(String, Bool)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> String in
                let p = raw.bindMemory(to: CChar.self)
                return String(cString: p.baseAddress!)
            }
            if name == "." || name == ".." { continue }
            let type = entry.pointee.d_type
            var isDir = type == UInt8(DT_DIR)
            if type == UInt8(DT_UNKNOWN) { isDir = isDirectory(path + "/" + name) }
            out.append((name, isDir))
        }
        return out
    }
}

@inline(__always) private func sysRead(_ fd: Int32, _ buf: UnsafeMutablePointer<UInt8>, _ n: Int) -> Int { read(fd, buf, n) }
@inline(__always) private func sysWrite(_ fd: Int32, _ buf: UnsafeRawPointer, _ n: Int) -> Int { write(fd, buf, n) }

extension FileIO {
    /// The whole file and its signature, taken from the same open file.
    static func readWithSignature(_ path: String, limit: Int) -> ([UInt8], Signature)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        let size = Int(st.st_size)
        guard size <= limit else { return nil }
        var done = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            while done < size {
                let n = sysRead(fd, buffer.baseAddress! + done, size - done)
                if n < 0, errno == EINTR { continue }
                if n <= 0 { break }
                done += n
            }
            count = done
        }
        return (bytes, signature(of: st))
    }
}
