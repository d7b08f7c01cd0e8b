import Foundation
import GitKit
import MemoryModel

extension MemoryStore {
    /// The audit history: commits that wrote a note, an event, or anything (no target), newest first.
    public func log(target: String?, limit: Int = 20) throws -> (path: String?, commits: [CommitInfo]) {
        do {
            guard let target else { return (nil, try git.log(limit: limit)) }
            if let path = try resolveTarget(target) {
                if target.hasPrefix("ev-") || (try? event(id: target)) != nil && !target.contains("/") {
                    // A day file holds many events: keep the commits that mention this one, or that added it.
                    var found = try git.log(path: path, limit: limit) { $0.message.contains(target) }
                    if found.isEmpty {
                        let needle = Array("event_id: \(target)\n".utf8)
                        found = try git.log(path: path, limit: 1000).filter { info in
                            guard let bytes = try? git.blob(at: info.id, path: path) else { return false }
                            return contains(bytes, needle)
                        }.suffix(1).map { $0 }
                    }
                    return (path, found)
                }
                return (path, try git.log(path: path, limit: limit))
            }
            throw StoreError.notFound(kind: "note, event or path", id: target)
        } catch let error as GitError {
            throw StoreError.git(error)
        }
    }

    /// A session, decision or event ID to its file; a repository-relative path to itself.
    func resolveTarget(_ target: String) throws -> String? {
        if target.contains("/") || target.hasSuffix(".md") {
            _ = try absolute(target)
            return target
        }
        try Identifier.validate(target)
        if let p = try sessionPath(id: target) { return p }
        if let p = try decisionPath(id: target) { return p }
        if let e = try event(id: target) { return e.dayPath }
        return nil
    }
}

/// Whether `needle` occurs in `haystack`: glibc's memmem, several times faster than a byte loop over a
/// megabyte day file.
func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, haystack.count >= needle.count else { return false }
    return haystack.withUnsafeBytes { h in
        needle.withUnsafeBytes { n in memmem(h.baseAddress!, h.count, n.baseAddress!, n.count) != nil }
    }
}

/// glibc's memmem(3): a GNU extension the Glibc module does not import.
@_silgen_name("memmem")
private func memmem(_ haystack: UnsafeRawPointer, _ haystackLength: Int, _ needle: UnsafeRawPointer, _ needleLength: Int) -> UnsafeMutableRawPointer?
