import Foundation
import MemoryModel
import MemoryStore

/// Installs the Claude Code integration by merging into Claude Code's own files:
///
/// - the hooks, which name this machine's `cmem` and memory repository by absolute path, into a file that
///   is not shared: `DIR/.claude/settings.local.json` for a project (Claude Code's per-machine settings,
///   which teams do not commit), `~/.claude/settings.json` for the user; in Claude Code's shape:
///   `{"hooks": {"PostToolUse": [{"matcher": "…", "hooks": [{"type": "command", "command": "/path/to/cmem
///   hook post-tool-use"}]}], …}}`. Our hooks in the shared `DIR/.claude/settings.json` (where an older
///   install put them) are removed, so a committed settings file never names one machine's paths;
/// - the MCP server into `DIR/.mcp.json` (project scope only: user-scope servers live in `~/.claude.json`,
///   which Claude Code rewrites while it runs; register one there with
///   `claude mcp add --scope user cortex-memory -- cmem mcp`). Teams commit `.mcp.json`, so its entry is
///   portable: `cmem mcp`, found through `PATH`, with the memory repository from `CMEM_REPO` (else the
///   default).
///
/// Merging keeps every existing key, hook and server, in their order. Our hooks are recognised by their
/// command (`…/cmem hook …`), so reinstalling from another path updates them in place, and running
/// `install` twice changes nothing (the files are not even rewritten).
public enum ClaudeSettings {
    public static let serverName = "cortex-memory"

    public struct Change: Sendable, Equatable {
        public let path: String
        /// created, updated, unchanged, removed, deleted (the file was left empty and removed), absent
        public let action: String
    }

    // MARK: Files

    /// The portable MCP command: resolved through `PATH` on each machine.
    public static let portableExecutable = "cmem"

    /// - Parameters:
    ///   - settingsPath: where the hooks go (machine-local for a project).
    ///   - sharedSettingsPath: a shared settings file our hooks are removed from (a project's
    ///     `.claude/settings.json`); nil for the user scope.
    ///   - mcpPath: `.mcp.json`, which gets the portable server entry; nil for the user scope.
    public static func install(settingsPath: String, sharedSettingsPath: String? = nil, mcpPath: String?, executable: String,
                               repo: String?) throws -> [Change] {
        var changes: [Change] = []
        // The shared file first: one that cannot be read stops the install before anything is written.
        var shared: Change?
        if let sharedSettingsPath, sharedSettingsPath != settingsPath {
            let change = try rewrite(sharedSettingsPath, deleteIfEmpty: true) { removingHooks(from: $0) }
            if change.action != "absent" && change.action != "unchanged" { shared = change }
        }
        changes.append(try rewrite(settingsPath, deleteIfEmpty: false) { mergingHooks(into: $0, executable: executable, repo: repo) })
        if let shared { changes.append(shared) }
        if let mcpPath {
            changes.append(try rewrite(mcpPath, deleteIfEmpty: false) { mergingServer(into: $0, executable: portableExecutable, repo: nil) })
        }
        return changes
    }

    public static func uninstall(settingsPath: String, sharedSettingsPath: String? = nil, mcpPath: String?) throws -> [Change] {
        var changes: [Change] = []
        changes.append(try rewrite(settingsPath, deleteIfEmpty: true) { removingHooks(from: $0) })
        if let sharedSettingsPath, sharedSettingsPath != settingsPath {
            changes.append(try rewrite(sharedSettingsPath, deleteIfEmpty: true) { removingHooks(from: $0) })
        }
        if let mcpPath { changes.append(try rewrite(mcpPath, deleteIfEmpty: true) { removingServer(from: $0) }) }
        return changes
    }

    /// Reads a JSON object file (missing: `{}`), transforms it, and writes it back atomically only if it changed.
    static func rewrite(_ path: String, deleteIfEmpty: Bool, _ transform: (JSONValue) -> JSONValue) throws -> Change {
        let existing = try AtomicFile.read(path, limit: 16 << 20)
        var value: JSONValue = .object([])
        if let existing, !existing.allSatisfy({ $0 == 32 || $0 == 10 || $0 == 13 || $0 == 9 }) {
            do {
                value = try existing.withUnsafeBufferPointer { try JSONValue.parse(bytes: $0, exactIntegers: false) }
            } catch {
                throw StoreError.invalid("\(path) is not valid JSON (\(error)); fix it by hand, nothing was changed")
            }
            guard case .object = value else { throw StoreError.invalid("\(path) is not a JSON object; nothing was changed") }
        }
        let new = transform(value)
        if new == value {
            return Change(path: path, action: existing == nil ? "absent" : "unchanged")
        }
        if deleteIfEmpty, case let .object(pairs) = new, pairs.isEmpty {
            unlink(path)
            return Change(path: path, action: "deleted")
        }
        try AtomicFile.write(new.prettyJSON + "\n", to: path)
        return Change(path: path, action: existing == nil ? "created" : "updated")
    }

    // MARK: Merging (pure)

    /// The command Claude Code runs for `event`.
    public static func command(_ event: HookEvent, executable: String, repo: String?) -> String {
        var parts = [shellQuote(executable), "hook", event.rawValue]
        if let repo { parts += ["--repo", shellQuote(repo)] }
        return parts.joined(separator: " ")
    }

    /// Whether a hook command is one of ours: its program is named `cmem` and its first argument is `hook`.
    public static func isOurs(_ command: String) -> Bool {
        let words = shellWords(command)
        guard words.count >= 2 else { return false }
        return (words[0] as NSString).lastPathComponent == "cmem" && words[1] == "hook"
    }

    public static func mergingHooks(into settings: JSONValue, executable: String, repo: String?) -> JSONValue {
        var hooks = settings["hooks"].flatMap(\.objectPairs) ?? []
        for event in HookEvent.allCases {
            for (name, matcher) in event.claudeEvents {
                let wanted = command(event, executable: executable, repo: repo)
                var groups = (hooks.value(name)?.arrayItems) ?? []
                var found = false
                groups = groups.compactMap { group -> JSONValue? in
                    guard var pairs = group.objectPairs, let entries = group["hooks"]?.arrayItems else { return group }
                    var kept: [JSONValue] = []
                    for entry in entries {
                        guard let cmd = entry["command"]?.stringValue, isOurs(cmd) else { kept.append(entry); continue }
                        if found { continue }   // a duplicate of ours
                        found = true
                        var e = entry.objectPairs ?? []
                        e.set("command", .string(wanted))
                        kept.append(.object(e))
                    }
                    if kept.isEmpty { return nil }
                    pairs.set("hooks", .array(kept))
                    // A group holding only our hook gets the current matcher.
                    if kept.count == 1, let cmd = kept[0]["command"]?.stringValue, isOurs(cmd) {
                        if let matcher { pairs.set("matcher", .string(matcher)) } else { pairs.removeAll { $0.0 == "matcher" } }
                    }
                    return .object(pairs)
                }
                if !found {
                    var group: [(String, JSONValue)] = []
                    if let matcher { group.append(("matcher", .string(matcher))) }
                    group.append(("hooks", .array([.object([("type", .string("command")), ("command", .string(wanted))])])))
                    groups.append(.object(group))
                }
                hooks.set(name, .array(groups))
            }
        }
        var out = settings.objectPairs ?? []
        out.set("hooks", .object(hooks))
        return .object(out)
    }

    public static func removingHooks(from settings: JSONValue) -> JSONValue {
        guard var out = settings.objectPairs, let hooks = settings["hooks"]?.objectPairs else { return settings }
        var newHooks: [(String, JSONValue)] = []
        for (name, value) in hooks {
            guard let groups = value.arrayItems else { newHooks.append((name, value)); continue }
            var changed = false
            let kept = groups.compactMap { group -> JSONValue? in
                guard var pairs = group.objectPairs, let entries = group["hooks"]?.arrayItems else { return group }
                let remaining = entries.filter { !($0["command"]?.stringValue.map(isOurs) ?? false) }
                if remaining.count == entries.count { return group }
                changed = true
                if remaining.isEmpty { return nil }
                pairs.set("hooks", .array(remaining))
                return .object(pairs)
            }
            if changed && kept.isEmpty { continue }
            newHooks.append((name, .array(kept)))
        }
        if newHooks.isEmpty && !hooks.isEmpty {
            out.removeAll { $0.0 == "hooks" }
        } else {
            out.set("hooks", .object(newHooks))
        }
        return .object(out)
    }

    public static func serverEntry(executable: String, repo: String?) -> JSONValue {
        var args: [JSONValue] = [.string("mcp")]
        if let repo { args += [.string("--repo"), .string(repo)] }
        return .object([("command", .string(executable)), ("args", .array(args))])
    }

    public static func mergingServer(into config: JSONValue, executable: String, repo: String?) -> JSONValue {
        var out = config.objectPairs ?? []
        var servers = config["mcpServers"]?.objectPairs ?? []
        let wanted = serverEntry(executable: executable, repo: repo)
        if var entry = servers.value(serverName)?.objectPairs {
            // Keep what the user added to our entry (env, type), update what we own.
            for (key, value) in wanted.objectPairs ?? [] { entry.set(key, value) }
            servers.set(serverName, .object(entry))
        } else {
            servers.set(serverName, wanted)
        }
        out.set("mcpServers", .object(servers))
        return .object(out)
    }

    public static func removingServer(from config: JSONValue) -> JSONValue {
        guard var out = config.objectPairs, var servers = config["mcpServers"]?.objectPairs,
              servers.value(serverName) != nil else { return config }
        servers.removeAll { $0.0 == serverName }
        if servers.isEmpty { out.removeAll { $0.0 == "mcpServers" } } else { out.set("mcpServers", .object(servers)) }
        return .object(out)
    }

    /// Splits a command line into words the way `sh` would for plain, single- and double-quoted words.
    static func shellWords(_ s: String) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for ch in s {
            if escaped { current.append(ch); escaped = false; continue }
            if let q = quote {
                if ch == q { quote = nil } else if ch == "\\" && q == "\"" { escaped = true } else { current.append(ch) }
                continue
            }
            switch ch {
            case "'", "\"": quote = ch; inWord = true
            case "\\": escaped = true; inWord = true
            case " ", "\t", "\n":
                if inWord { words.append(current); current = ""; inWord = false }
            default: current.append(ch); inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }
}

extension JSONValue {
    var objectPairs: [(String, JSONValue)]? {
        if case let .object(p) = self { return p }
        return nil
    }

    var arrayItems: [JSONValue]? {
        if case let .array(a) = self { return a }
        return nil
    }
}

extension Array where Element == (String, JSONValue) {
    func value(_ key: String) -> JSONValue? { first(where: { $0.0 == key })?.1 }

    /// Replaces the value of `key` in place, or appends it.
    mutating func set(_ key: String, _ value: JSONValue) {
        if let i = firstIndex(where: { $0.0 == key }) { self[i].1 = value } else { append((key, value)) }
    }
}
