import Foundation
import GitKit

/// A fresh git repository in a temporary directory, removed when released. Files are written and committed
/// through GitKit, as the store does.
public final class TemporaryGitRepository: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public let repository: GitRepository
    public var path: String { directory.path }
    public static let author = Signature(name: "Test Human", email: "human@example.com")

    public init(_ prefix: String = "cmem-repo") throws {
        directory = TemporaryDirectory(prefix)
        repository = try GitRepository.createOrOpen(at: directory.path)
    }

    /// Writes `text` at `relative` (creating directories) without committing.
    public func write(_ relative: String, _ text: String) throws {
        try directory.write(relative, text)
    }

    /// Appends `text` to `relative` in place (same inode), as an editor that saves in place does.
    public func append(_ relative: String, _ text: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory.file(relative)))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }

    public func remove(_ relative: String) throws {
        try FileManager.default.removeItem(atPath: directory.file(relative))
    }

    /// Commits `paths` (a missing file is committed as a deletion).
    @discardableResult
    public func commit(_ paths: [String], message: String = "test commit") throws -> ObjectID? {
        try repository.commit(paths: paths, message: message, author: Self.author)
    }

    /// Writes and commits several files at once.
    @discardableResult
    public func commitFiles(_ files: [String: String], message: String = "test commit") throws -> ObjectID? {
        for (p, t) in files { try write(p, t) }
        return try commit(Array(files.keys), message: message)
    }
}
