import Foundation
import GitKit
import MemoryModel

/// `.cmem/config.yaml`: what a team may tune. Unknown keys are kept in the file and ignored here.
public struct MemoryConfig: Sendable {
    public var authorName: String?
    public var authorEmail: String?
    /// `session current` returns a session that ended or was active within this many seconds.
    public var currentWindow: Int64 = 24 * 3600
    /// How a working directory maps to a project: `git-root` (default) or `directory`.
    public var projectScope: String = "git-root"
    /// Retention (`cmem retention`): sessions keep their action log this many days after their last
    /// activity; day files stay in detail this many days, then are rolled into their month's summary;
    /// summaries stay this many days after their month ends. 0 keeps that tier forever.
    public var sessionDays: Int = 7
    public var timelineDays: Int = 90
    public var summaryDays: Int = 365
    /// Approximate token budget of the SessionStart handoff.
    public var handoffTokenBudget: Int = 1500
    /// Raw values of sections owned by other modules (collector, hooks), passed through.
    public var sections: [String: JSONValue] = [:]

    public init() {}

    public static let path = ".cmem/config.yaml"

    public static func load(root: String) throws -> MemoryConfig {
        var config = MemoryConfig()
        let full = root + "/" + path
        var st = stat()
        guard stat(full, &st) == 0 else { return config }
        // Every command reads the configuration, and YAML costs more than the rest of a small command's
        // start-up: keep the parsed values as JSON in `.git/cmem/`, keyed on the file's identity and times.
        let key = "cmem-config 1 \(st.st_dev) \(st.st_ino) \(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec) \(st.st_ctim.tv_sec).\(st.st_ctim.tv_nsec)\n"
        let cachePath = root + "/.git/cmem/config.json"
        var values: [(String, JSONValue)]
        if let cached = cachedValues(cachePath, key: key) {
            values = cached
        } else {
            guard let bytes = try AtomicFile.read(full, limit: 1 << 20) else { return config }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw StoreError.note(NoteError(path: path, line: 1, message: "not valid UTF-8"))
            }
            do {
                values = try YAMLSafety.mapping(text, path: path, lineOffset: 0)
            } catch let error as NoteError {
                throw StoreError.note(error)
            }
            if FileManager.default.fileExists(atPath: root + "/.git/cmem") {
                try? AtomicFile.write(key + JSONValue.object(values).json + "\n", to: cachePath, durable: false)
            }
        }
        for (key, value) in values {
            config.sections[key] = value
            switch key {
            case "author":
                config.authorName = value["name"]?.stringValue
                config.authorEmail = value["email"]?.stringValue
            case "sessions":
                if let w = value["current_window"]?.stringValue {
                    do {
                        config.currentWindow = try DurationText.seconds(w, what: "sessions.current_window")
                    } catch let error as ValidationError {
                        throw StoreError.invalid("\(path): \(error.message)")
                    }
                }
            case "project":
                if let s = value["scope"]?.stringValue { config.projectScope = s }
            case "retention":
                if case let .number(n)? = value["session_days"] { config.sessionDays = try count(n, "retention.session_days", from: 0) }
                if case let .number(n)? = value["timeline_days"] { config.timelineDays = try count(n, "retention.timeline_days", from: 0) }
                if case let .number(n)? = value["summary_days"] { config.summaryDays = try count(n, "retention.summary_days", from: 0) }
            case "handoff":
                if case let .number(n)? = value["token_budget"] { config.handoffTokenBudget = try count(n, "handoff.token_budget", from: 1) }
            default: break
            }
        }
        return config
    }

    private static func cachedValues(_ path: String, key: String) -> [(String, JSONValue)]? {
        guard let bytes = try? AtomicFile.read(path, limit: 1 << 20) else { return nil }
        let keyBytes = Array(key.utf8)
        guard bytes.count > keyBytes.count, bytes.starts(with: keyBytes) else { return nil }
        let json = bytes[keyBytes.count...].withUnsafeBufferPointer { try? JSONValue.parse(bytes: $0) }
        guard case let .object(pairs)? = json else { return nil }
        return pairs
    }

    /// The configuration `cmem init` writes: every setting spelled out with its default.
    public static func defaultText(authorName: String?, authorEmail: String?) -> String {
        """
        # Cortex Memory configuration. Unknown keys are kept; see docs/FORMAT.md.
        version: 1
        # Commits made by cmem are authored as this person (default: your git user.name / user.email).
        author:
          name: \(authorName.map(YAMLWriter.scalar) ?? "null")
          email: \(authorEmail.map(YAMLWriter.scalar) ?? "null")
        sessions:
          # `cmem session current` returns the last session active within this window.
          current_window: 24h
        project:
          # git-root: a session belongs to the git repository it ran in; directory: to the exact directory.
          scope: git-root
        retention:
          # `cmem retention apply` (and, once a day, `cmem serve` and `cmem collect --watch`) shapes the working
          # tree; git history keeps everything. 0 keeps a tier forever.
          # Days a session keeps its action log after its last activity (then: counts and a commit).
          session_days: 7
          # Days a timeline day file stays in detail (then: rolled into its month's summary.md).
          timeline_days: 90
          # Days a month's summary stays after the month ends (then: it leaves the tree, kept in history).
          summary_days: 365
        handoff:
          # Approximate size of the handoff injected at session start.
          token_budget: 1500

        """
    }

    /// A whole number from the configuration, at least `from`; an error naming the file and key otherwise.
    private static func count(_ n: Double, _ key: String, from: Int) throws -> Int {
        guard n == n.rounded(), n >= Double(from), n <= 1_000_000_000 else {
            throw StoreError.invalid("\(path): \(key) must be a whole number from \(from) to 1000000000")
        }
        return Int(n)
    }

}
