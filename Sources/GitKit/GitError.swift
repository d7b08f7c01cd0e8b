import CGitFast
import CLibGit2

/// A failed libgit2 call: the return code, libgit2's error class and message, and which function failed.
/// The message is captured on the failing thread immediately, because `git_error_last()` is per thread.
public struct GitError: Error, CustomStringConvertible, Sendable, Equatable {
    public let code: Int32
    public let errorClass: Int32
    public let message: String
    public let function: String

    public init(code: Int32, errorClass: Int32 = 0, message: String, function: String) {
        self.code = code
        self.errorClass = errorClass
        self.message = message
        self.function = function
    }

    public var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }
    public var isLocked: Bool { code == GIT_ELOCKED.rawValue }

    public var description: String { "\(function): \(message) (code \(code))" }
}

/// Turns a libgit2 return code into a thrown `GitError`. Every C call in this module goes through it.
@inline(__always)
@discardableResult
func check(_ rc: Int32, function: String = #function) throws -> Int32 {
    guard rc < 0 else { return rc }
    let last = git_error_last()
    let message = last.flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "unknown libgit2 error"
    let klass = last.map { $0.pointee.klass } ?? 0
    throw GitError(code: rc, errorClass: klass, message: message, function: function)
}

/// libgit2 must be initialised once per process before any other call.
let libgit2Initialised: Bool = {
    git_libgit2_init()
    return true
}()

@inline(__always)
func ensureLibgit2() {
    _ = libgit2Initialised
}

/// Whether libgit2's start-up asked for the system CA bundle and was refused (CGitFast/no_ca_bundle.c).
var libgit2SkippedCABundle: Bool { cgf_ca_bundle_skipped() != 0 }
