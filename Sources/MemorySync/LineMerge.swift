import Foundation

/// Git's own three-way line merge (`git merge-file`), for prose: the same result, and the same conflict
/// markers, that a plain `git merge` would give the file.
public enum LineMerge {
    public struct Result: Sendable, Equatable {
        public var text: [UInt8]
        /// Conflicting hunks left with markers; 0 when the merge is clean.
        public var conflicts: Int
    }

    public struct Labels: Sendable {
        public var ours = "ours"
        public var base = "base"
        public var theirs = "theirs"
        public init() {}
        public init(path: String) {
            ours = "ours:\(path)"
            base = "base:\(path)"
            theirs = "theirs:\(path)"
        }
    }

    public static func merge(base: String, ours: String, theirs: String, labels: Labels = Labels(),
                             markerSize: Int = 7) throws -> (text: String, conflicts: Int) {
        let r = try merge(base: Array(base.utf8), ours: Array(ours.utf8), theirs: Array(theirs.utf8), labels: labels,
                          markerSize: markerSize)
        return (String(decoding: r.text, as: UTF8.self), r.conflicts)
    }

    /// Merges three versions of a text. Trivial cases (one side unchanged) never start a process.
    public static func merge(base: [UInt8], ours: [UInt8], theirs: [UInt8], labels: Labels = Labels(),
                             markerSize: Int = 7) throws -> Result {
        if ours == theirs || theirs == base { return Result(text: ours, conflicts: 0) }
        if ours == base { return Result(text: theirs, conflicts: 0) }
        let dir = try TemporaryFiles()
        defer { dir.remove() }
        let o = try dir.write("ours", ours), b = try dir.write("base", base), t = try dir.write("theirs", theirs)
        let out = try GitCLI.run(["merge-file", "-p", "--marker-size=\(max(1, markerSize))",
                                  "-L", labels.ours, "-L", labels.base, "-L", labels.theirs, o, b, t])
        // Exit status: the number of conflicts (0 when clean), or a negative number (255…) on error.
        guard out.status >= 0, out.status < 128 else {
            throw SyncError.git(command: "git merge-file", status: out.status, message: out.message)
        }
        return Result(text: out.stdoutBytes, conflicts: Int(out.status))
    }
}

/// A private temporary directory for the three inputs of `git merge-file`.
final class TemporaryFiles {
    let path: String

    init() throws {
        let template = (NSTemporaryDirectory() as NSString).appendingPathComponent("cmem-merge-XXXXXX")
        var bytes = Array(template.utf8CString)
        guard let made = bytes.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SyncError.io("cannot create a temporary directory in \(NSTemporaryDirectory()): \(String(cString: strerror(errno)))")
        }
        path = String(cString: made)
    }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        guard FileManager.default.createFile(atPath: file, contents: Data(bytes)) else {
            throw SyncError.io("cannot write \(file)")
        }
        return file
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
