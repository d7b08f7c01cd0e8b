import CGitFast
import CLibGit2

/// A failed libgit2 call: what libgit2 answered (`code`), the area it failed in (`errorClass`), its message,
/// and which function failed. Built only by `check(_:function:)`, on the failing thread, immediately after
/// the call: `git_error_last()` is per thread and the next libgit2 call may overwrite it.
///
/// Match codes by name, never by number:
///
/// ```swift
/// do { try repo.commit(files: …) }
/// catch GitError.Code.locked { … }                              // a lock file is in the way
/// catch let error as GitError where error.code == .modified { … } // HEAD moved
/// ```
///
/// Failures of GitKit's own file handling (open, write, rename, mmap, deflate) are `SystemError`s.
public struct GitError: Error, CustomStringConvertible, Sendable, Equatable {
    public let code: Code
    public let errorClass: ErrorClass
    public let message: String
    public let function: String

    public init(code: Code, errorClass: ErrorClass = .none, message: String, function: String) {
        self.code = code
        self.errorClass = errorClass
        self.message = message
        self.function = function
    }

    public var description: String { "\(function): \(message) (\(code))" }
}

extension GitError {
    /// A libgit2 return code (`git_error_code`), with a name for each.
    ///
    /// `~=` lets a code be a pattern: `switch error.code { case .notFound: … }`, and against any error,
    /// `catch GitError.Code.notFound`.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ code: git_error_code) { rawValue = code.rawValue }

        /// A generic error (`GIT_ERROR`).
        public static let generic = Code(GIT_ERROR)
        /// The requested object could not be found (`GIT_ENOTFOUND`).
        public static let notFound = Code(GIT_ENOTFOUND)
        /// An object exists, preventing the operation (`GIT_EEXISTS`).
        public static let exists = Code(GIT_EEXISTS)
        /// More than one object matches (`GIT_EAMBIGUOUS`).
        public static let ambiguous = Code(GIT_EAMBIGUOUS)
        /// The output buffer is too short to hold the data (`GIT_EBUFS`).
        public static let bufferTooShort = Code(GIT_EBUFS)
        /// A callback asked to stop (`GIT_EUSER`); libgit2 never raises it itself.
        public static let user = Code(GIT_EUSER)
        /// The operation is not allowed on a bare repository (`GIT_EBAREREPO`).
        public static let bareRepository = Code(GIT_EBAREREPO)
        /// HEAD refers to a branch with no commits (`GIT_EUNBORNBRANCH`).
        public static let unbornBranch = Code(GIT_EUNBORNBRANCH)
        /// A merge in progress prevented the operation (`GIT_EUNMERGED`).
        public static let unmerged = Code(GIT_EUNMERGED)
        /// The reference was not fast-forwardable (`GIT_ENONFASTFORWARD`).
        public static let nonFastForward = Code(GIT_ENONFASTFORWARD)
        /// A name or refspec was not in a valid format (`GIT_EINVALIDSPEC`).
        public static let invalidSpec = Code(GIT_EINVALIDSPEC)
        /// Checkout conflicts prevented the operation (`GIT_ECONFLICT`).
        public static let conflict = Code(GIT_ECONFLICT)
        /// A lock file prevented the operation (`GIT_ELOCKED`).
        public static let locked = Code(GIT_ELOCKED)
        /// A reference's value did not match the expected one, e.g. HEAD moved (`GIT_EMODIFIED`).
        public static let modified = Code(GIT_EMODIFIED)
        /// Authentication failed (`GIT_EAUTH`).
        public static let authentication = Code(GIT_EAUTH)
        /// The server's certificate is invalid (`GIT_ECERTIFICATE`).
        public static let certificate = Code(GIT_ECERTIFICATE)
        /// The patch or merge has already been applied (`GIT_EAPPLIED`).
        public static let alreadyApplied = Code(GIT_EAPPLIED)
        /// The requested peel is not possible (`GIT_EPEEL`).
        public static let peel = Code(GIT_EPEEL)
        /// Unexpected end of file (`GIT_EEOF`).
        public static let unexpectedEOF = Code(GIT_EEOF)
        /// An invalid operation or input (`GIT_EINVALID`).
        public static let invalid = Code(GIT_EINVALID)
        /// Uncommitted changes in the index prevented the operation (`GIT_EUNCOMMITTED`).
        public static let uncommitted = Code(GIT_EUNCOMMITTED)
        /// The operation is not valid for a directory (`GIT_EDIRECTORY`).
        public static let directory = Code(GIT_EDIRECTORY)
        /// A merge conflict exists and the operation cannot continue (`GIT_EMERGECONFLICT`).
        public static let mergeConflict = Code(GIT_EMERGECONFLICT)
        /// A user-configured callback refused to act (`GIT_PASSTHROUGH`).
        public static let passthrough = Code(GIT_PASSTHROUGH)
        /// An iterator has no more items (`GIT_ITEROVER`): the end of a walk, not a failure.
        public static let iterationOver = Code(GIT_ITEROVER)
        /// Internal to libgit2 (`GIT_RETRY`).
        public static let retry = Code(GIT_RETRY)
        /// An object's hash did not match its content (`GIT_EMISMATCH`).
        public static let hashMismatch = Code(GIT_EMISMATCH)
        /// Unsaved changes in the index would be overwritten (`GIT_EINDEXDIRTY`).
        public static let indexDirty = Code(GIT_EINDEXDIRTY)
        /// Applying a patch failed (`GIT_EAPPLYFAIL`).
        public static let applyFailed = Code(GIT_EAPPLYFAIL)
        /// The repository is not owned by the current user (`GIT_EOWNER`, `safe.directory`).
        public static let notOwned = Code(GIT_EOWNER)

        private static let names: [(Code, String)] = [
            (.generic, "error"), (.notFound, "not found"), (.exists, "exists"), (.ambiguous, "ambiguous"),
            (.bufferTooShort, "buffer too short"), (.user, "stopped by a callback"), (.bareRepository, "bare repository"),
            (.unbornBranch, "unborn branch"), (.unmerged, "unmerged"), (.nonFastForward, "not a fast-forward"),
            (.invalidSpec, "invalid spec"), (.conflict, "conflict"), (.locked, "locked"), (.modified, "modified"),
            (.authentication, "authentication"), (.certificate, "certificate"), (.alreadyApplied, "already applied"),
            (.peel, "cannot peel"), (.unexpectedEOF, "unexpected end of file"), (.invalid, "invalid"),
            (.uncommitted, "uncommitted changes"), (.directory, "directory"), (.mergeConflict, "merge conflict"),
            (.passthrough, "passthrough"), (.iterationOver, "iteration over"), (.retry, "retry"),
            (.hashMismatch, "hash mismatch"), (.indexDirty, "index dirty"), (.applyFailed, "apply failed"),
            (.notOwned, "not owned by the current user"),
        ]

        /// "locked (-14)".
        public var description: String {
            let name = Self.names.first { $0.0 == self }?.1 ?? "code"
            return "\(name) (\(rawValue))"
        }

        /// Whether `error` is a `GitError` with this code: `catch GitError.Code.locked`.
        public static func ~= (pattern: Code, error: any Error) -> Bool {
            (error as? GitError)?.code == pattern
        }
    }

    /// The area of libgit2 an error came from (`git_error_t`), with a name for each.
    public struct ErrorClass: RawRepresentable, Hashable, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ klass: git_error_t) { rawValue = Int32(truncatingIfNeeded: klass.rawValue) }

        public static let none = ErrorClass(GIT_ERROR_NONE)
        public static let noMemory = ErrorClass(GIT_ERROR_NOMEMORY)
        public static let os = ErrorClass(GIT_ERROR_OS)
        public static let invalid = ErrorClass(GIT_ERROR_INVALID)
        public static let reference = ErrorClass(GIT_ERROR_REFERENCE)
        public static let zlib = ErrorClass(GIT_ERROR_ZLIB)
        public static let repository = ErrorClass(GIT_ERROR_REPOSITORY)
        public static let config = ErrorClass(GIT_ERROR_CONFIG)
        public static let regex = ErrorClass(GIT_ERROR_REGEX)
        public static let odb = ErrorClass(GIT_ERROR_ODB)
        public static let index = ErrorClass(GIT_ERROR_INDEX)
        public static let object = ErrorClass(GIT_ERROR_OBJECT)
        public static let net = ErrorClass(GIT_ERROR_NET)
        public static let tag = ErrorClass(GIT_ERROR_TAG)
        public static let tree = ErrorClass(GIT_ERROR_TREE)
        public static let indexer = ErrorClass(GIT_ERROR_INDEXER)
        public static let ssl = ErrorClass(GIT_ERROR_SSL)
        public static let submodule = ErrorClass(GIT_ERROR_SUBMODULE)
        public static let thread = ErrorClass(GIT_ERROR_THREAD)
        public static let stash = ErrorClass(GIT_ERROR_STASH)
        public static let checkout = ErrorClass(GIT_ERROR_CHECKOUT)
        public static let fetchHead = ErrorClass(GIT_ERROR_FETCHHEAD)
        public static let merge = ErrorClass(GIT_ERROR_MERGE)
        public static let ssh = ErrorClass(GIT_ERROR_SSH)
        public static let filter = ErrorClass(GIT_ERROR_FILTER)
        public static let revert = ErrorClass(GIT_ERROR_REVERT)
        public static let callback = ErrorClass(GIT_ERROR_CALLBACK)
        public static let cherrypick = ErrorClass(GIT_ERROR_CHERRYPICK)
        public static let describe = ErrorClass(GIT_ERROR_DESCRIBE)
        public static let rebase = ErrorClass(GIT_ERROR_REBASE)
        public static let filesystem = ErrorClass(GIT_ERROR_FILESYSTEM)
        public static let patch = ErrorClass(GIT_ERROR_PATCH)
        public static let worktree = ErrorClass(GIT_ERROR_WORKTREE)
        public static let sha = ErrorClass(GIT_ERROR_SHA)
        public static let http = ErrorClass(GIT_ERROR_HTTP)
        public static let `internal` = ErrorClass(GIT_ERROR_INTERNAL)
    }
}

/// Turns a libgit2 return code into a thrown `GitError`, reading libgit2's message for this thread at once.
/// Every libgit2 call in this module that can fail goes through it (or through `owned`, which uses it).
@inline(__always)
@discardableResult
func check(_ rc: Int32, function: String) throws -> Int32 {
    guard rc < 0 else { return rc }
    throw lastError(rc, function: function)
}

/// Like `check`, for calls whose "not found" is an answer rather than a failure: false when libgit2 said
/// `.notFound`, true on success; any other failure throws.
@inline(__always)
func checkFound(_ rc: Int32, function: String) throws -> Bool {
    guard rc < 0 else { return true }
    if rc == GitError.Code.notFound.rawValue { return false }
    throw lastError(rc, function: function)
}

/// The `GitError` for a failed call, with libgit2's message for this thread.
@inline(never)
func lastError(_ rc: Int32, function: String) -> GitError {
    let last = git_error_last()
    let message = last.flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "unknown libgit2 error"
    let klass = last.map { GitError.ErrorClass(rawValue: $0.pointee.klass) } ?? .none
    return GitError(code: GitError.Code(rawValue: rc), errorClass: klass, message: message, function: function)
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
