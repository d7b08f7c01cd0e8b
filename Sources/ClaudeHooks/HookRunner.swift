import Foundation
import Logging
import MemoryModel
import MemoryStore
import Redaction

/// Runs a hook the way Claude Code calls it, under the rule that a hook never breaks Claude Code: on any
/// failure it returns nothing to print (the process then exits 0 with empty stdout) and appends one line
/// to the hook log, `.git/cmem/hooks.log` in the memory repository.
public enum HookRunner {
    /// - Parameters:
    ///   - event: the `cmem hook` subcommand (`session-start`, `post-tool-use`, …).
    ///   - repoPath: the memory repository.
    ///   - input: the JSON Claude Code wrote on stdin.
    /// - Returns: the text for stdout; empty when there is nothing to say or something failed.
    public static func run(_ event: String, repoPath: String, input: [UInt8], tokenBudget: Int? = nil,
                           now: Timestamp = .now()) -> String {
        var sessionForLog = "-"
        do {
            guard let hook = HookEvent(rawValue: event) else { throw HookError.unknownEvent(event) }
            let payload = try HookPayload(bytes: input)
            sessionForLog = payload.claudeSessionID
            // The hot path: most tool calls are decided from the name alone, without opening the store.
            if hook == .postToolUse, !ToolCapture.captures(toolName: payload.toolName) { return "" }
            let store = try MemoryStore(path: repoPath, logger: Logger(label: "cmem.hook", factory: { _ in SwiftLogNoOpLogHandler() }))
            let handler = HookHandler(store: store, tokenBudget: tokenBudget)
            return try handler.handle(hook, payload, now: now)
        } catch {
            HookLog.append(repoPath: repoPath, event: event, session: sessionForLog, message: "\(error)", now: now)
            return ""
        }
    }
}

/// One line per failure, in the memory repository's `.git/cmem/hooks.log` (machine-local, never
/// committed), or in `~/.cortex/hooks.log` when there is no repository to write into. The log is
/// rotated at 1 MB so it never grows without bound.
public enum HookLog {
    public static let maxBytes = 1 << 20

    public static func path(repoPath: String) -> String {
        var isDirectory: ObjCBool = false
        let gitDir = (repoPath as NSString).appendingPathComponent(".git")
        if FileManager.default.fileExists(atPath: gitDir, isDirectory: &isDirectory), isDirectory.boolValue {
            return gitDir + "/cmem/hooks.log"
        }
        return (homeDirectory() as NSString).appendingPathComponent(".cortex/hooks.log")
    }

    /// The lines logged at or after `since`, oldest first (the rotated file, then the current one).
    public static func recent(repoPath: String, since: Timestamp) -> [String] {
        let path = path(repoPath: repoPath)
        var lines: [String] = []
        for file in [path + ".1", path] {
            guard let bytes = try? AtomicFile.read(file, limit: 4 * maxBytes) else { continue }
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
                guard let space = line.firstIndex(of: " "), let time = Timestamp(iso8601: String(line[..<space])), time >= since else { continue }
                lines.append(String(line))
            }
        }
        return lines
    }

    public static func append(repoPath: String, event: String, session: String, message: String, now: Timestamp = .now()) {
        let path = path(repoPath: repoPath)
        let text = Redactor().redact(message).split(whereSeparator: \.isNewline).joined(separator: " ")
        let line = "\(now.iso8601) \(event) \(session.isEmpty ? "-" : clip(session, 80)) error: \(clip(text, 1000))\n"
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var st = stat()
        if stat(path, &st) == 0, Int(st.st_size) > maxBytes { rename(path, path + ".1") }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        // One write(2) with O_APPEND: lines from concurrent hooks never interleave.
        _ = Array(line.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}

/// `$HOME`, else the account's home directory.
public func homeDirectory() -> String {
    if let raw = getenv("HOME"), case let home = String(cString: raw), home.hasPrefix("/") { return home }
    return NSHomeDirectory()
}
