import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Watches a directory tree with inotify and reports which files changed since the last `poll()`:
/// writes by this server, by the CLI in another process, by `git pull`, or by a person's editor (in
/// place or by rename). Events are queued by the kernel during the writing system call, so a change is
/// visible to the next `poll()` after the write returns.
///
/// Where inotify is unavailable (not Linux, or out of watches), `isActive` is false and callers must
/// re-read everything.
final class DirectoryWatcher {
    enum Change {
        /// A file (repository-relative path) was created, written, renamed or removed.
        case file(String)
        /// Events were lost or a directory appeared or went away: re-read everything.
        case rescan
    }

    let root: String
    private(set) var isActive = false
    #if canImport(Glibc)
    private var fd: Int32 = -1
    private var directories: [Int32: String] = [:]
    #endif

    /// Watches `root/relative` (each of `relatives`) and every directory below it.
    init(root: String, relatives: [String]) {
        self.root = root
        #if canImport(Glibc)
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return }
        isActive = relatives.allSatisfy(addTree)
        #endif
    }

    deinit {
        #if canImport(Glibc)
        if fd >= 0 { close(fd) }
        #endif
    }

    #if canImport(Glibc)
    private static let mask = UInt32(IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB
        | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

    /// Adds watches for `relative` and its subdirectories. False when a watch could not be added.
    private func addTree(_ relative: String) -> Bool {
        let full = root + "/" + relative
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) else {
            // Not there yet: watch the parent so its creation is noticed.
            let parent = (relative as NSString).deletingLastPathComponent
            return parent.isEmpty || parent == relative ? add(root, relative: "") : addTree(parent)
        }
        guard isDirectory.boolValue, add(full, relative: relative) else { return false }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: full)) ?? [] where !name.hasPrefix(".") {
            var sub: ObjCBool = false
            if FileManager.default.fileExists(atPath: full + "/" + name, isDirectory: &sub), sub.boolValue {
                guard addTree(relative + "/" + name) else { return false }
            }
        }
        return true
    }

    private func add(_ path: String, relative: String) -> Bool {
        let wd = inotify_add_watch(fd, path, DirectoryWatcher.mask)
        guard wd >= 0 else { return false }
        directories[wd] = relative
        return true
    }
    #endif

    /// The changes since the last call; empty when nothing changed. Never blocks.
    func poll() -> [Change] {
        #if canImport(Glibc)
        guard isActive else { return [.rescan] }
        var changes: [Change] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let header = MemoryLayout<inotify_event>.size
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN { break }
                isActive = false
                return [.rescan]
            }
            if n == 0 { break }
            var offset = 0
            while offset + header <= n {
                let (wd, mask, length) = buffer.withUnsafeBytes { raw -> (Int32, UInt32, Int) in
                    let e = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (e.wd, e.mask, Int(e.len))
                }
                let nameBytes = buffer[(offset + header)..<min(n, offset + header + length)].prefix { $0 != 0 }
                let name = String(decoding: nameBytes, as: UTF8.self)
                offset += header + length
                if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    changes.append(.rescan)
                    continue
                }
                guard let dir = directories[wd] else { continue }
                if mask & UInt32(IN_IGNORED) != 0 {
                    directories[wd] = nil
                    continue
                }
                let relative = dir.isEmpty ? name : name.isEmpty ? dir : dir + "/" + name
                if mask & UInt32(IN_ISDIR) != 0 || mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF) != 0 {
                    // A directory came or went: watch what is there now and re-read everything.
                    if mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0, !addTree(relative) { isActive = false }
                    changes.append(.rescan)
                    continue
                }
                if !name.isEmpty { changes.append(.file(relative)) }
            }
        }
        return changes
        #else
        return [.rescan]
        #endif
    }
}
