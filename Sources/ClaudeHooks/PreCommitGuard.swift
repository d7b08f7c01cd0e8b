import ChildProcess
import Foundation
import MemoryStore
import Redaction

/// The memory repository's pre-commit guard: a secret pasted into a note by hand is refused at commit,
/// with the file and line. `cmem` itself commits through libgit2, which runs no hooks, and redacts before
/// writing; the guard is for people editing notes and committing with git.
public enum PreCommitGuard {
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        public let path: String
        public let line: Int
        public let column: Int
        public let kind: String
        public var description: String { "\(path):\(line):\(column): \(kind)" }
    }

    /// Staged text files larger than this are not scanned.
    public static let maxFileBytes = 8 << 20

    /// The secrets in what is staged for commit in the repository at `root`.
    public static func scanStaged(repository root: String, redactor: Redactor = Redactor()) throws -> [Finding] {
        let names = try git(["diff", "--cached", "--name-only", "-z", "--diff-filter=ACMR"], in: root)
        let paths = names.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        var findings: [Finding] = []
        for path in paths {
            let bytes = try git(["cat-file", "blob", ":" + path], in: root)
            guard bytes.count <= maxFileBytes, !bytes.contains(0), let text = String(validating: bytes, as: UTF8.self) else { continue }
            for f in redactor.findings(text) {
                findings.append(Finding(path: path, line: f.line, column: f.column, kind: f.kind))
            }
        }
        return findings
    }

    /// The message shown when a commit is refused.
    public static func refusal(_ findings: [Finding]) -> String {
        var out = "cmem: commit refused: \(findings.count == 1 ? "a secret" : "\(findings.count) secrets") in staged notes\n"
        for f in findings.prefix(50) { out += "  \(f)\n" }
        if findings.count > 50 { out += "  … and \(findings.count - 50) more\n" }
        out += "Remove the value (or replace it with [REDACTED]) and commit again. If it is not a secret, `git commit --no-verify` skips this check.\n"
        return out
    }

    // MARK: Installing

    public enum InstallResult: Equatable, Sendable {
        case installed(String)
        case unchanged(String)
        /// Another pre-commit hook is there; it is left alone. The string says how to add the guard.
        case keptExisting(path: String, advice: String)
    }

    static let marker = "# cmem pre-commit guard"

    /// The hook script: runs `cmem hook pre-commit-guard` for the repository being committed to.
    public static func script(executable: String) -> String {
        """
        #!/bin/sh
        \(marker): refuses commits that contain secrets (installed by cmem; safe to delete).
        CMEM=\(shellQuote(executable))
        [ -x "$CMEM" ] || CMEM=cmem
        exec "$CMEM" hook pre-commit-guard --repo "$(git rev-parse --show-toplevel)"

        """
    }

    /// Installs `.git/hooks/pre-commit` in the memory repository at `root`: the function for `cmem init`
    /// and `cmem claude install`. Idempotent; an existing hook that is not ours is never replaced.
    /// - Parameter executable: the `cmem` to run (default: this process's own executable).
    @discardableResult
    public static func install(memoryRepository root: String, executable: String? = nil) throws -> InstallResult {
        let exe = executable ?? currentExecutable()
        let gitDir = (root as NSString).appendingPathComponent(".git")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: gitDir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StoreError.notARepository(root)
        }
        let path = gitDir + "/hooks/pre-commit"
        let wanted = script(executable: exe)
        if let existing = try AtomicFile.read(path, limit: 1 << 20).map({ String(decoding: $0, as: UTF8.self) }) {
            if existing == wanted { return .unchanged(path) }
            guard existing.contains(marker) else {
                return .keptExisting(path: path, advice: "add this line to \(path): \(shellQuote(exe)) hook pre-commit-guard --repo \"$(git rev-parse --show-toplevel)\" || exit 1")
            }
        }
        try AtomicFile.write(wanted, to: path)
        chmod(path, 0o755)
        return .installed(path)
    }

    /// Removes the guard if it is ours.
    @discardableResult
    public static func uninstall(memoryRepository root: String) throws -> Bool {
        let path = root + "/.git/hooks/pre-commit"
        guard let existing = try AtomicFile.read(path, limit: 1 << 20).map({ String(decoding: $0, as: UTF8.self) }),
              existing.contains(marker) else { return false }
        unlink(path)
        return true
    }

    // MARK: Helpers

    static func git(_ arguments: [String], in root: String) throws -> [UInt8] {
        let out = try ChildProcess(["git", "-C", root] + arguments, timeout: 120).run()
        guard out.succeeded else {
            let why = out.timedOut ? "timed out" : out.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
            throw StoreError.io("git \(arguments.joined(separator: " ")) failed: \(why)")
        }
        return out.stdout
    }
}

/// The absolute path of the running executable (so installed hooks call this very `cmem`).
public func currentExecutable() -> String {
    if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
    let arg0 = CommandLine.arguments.first ?? "cmem"
    if arg0.hasPrefix("/") { return arg0 }
    if arg0.contains("/") { return FileManager.default.currentDirectoryPath + "/" + arg0 }
    return arg0
}

/// `s` as one shell word: unchanged when it is plain, else in single quotes.
public func shellQuote(_ s: String) -> String {
    let plain = !s.isEmpty && s.unicodeScalars.allSatisfy {
        ($0.value >= 48 && $0.value <= 57) || ($0.value >= 65 && $0.value <= 90) || ($0.value >= 97 && $0.value <= 122) || "/._-+=:,@%".unicodeScalars.contains($0)
    }
    return plain ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
