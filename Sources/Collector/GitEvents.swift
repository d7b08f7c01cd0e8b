import ChildProcess
import Foundation
import MemoryModel

/// The git hooks `cmem hooks install` puts into a code repository, and the timeline event each records.
public enum GitHookKind: String, Sendable, CaseIterable {
    case postCommit = "post-commit"
    case postMerge = "post-merge"
    case postRewrite = "post-rewrite"

    public var eventType: String {
        switch self {
        case .postCommit: return GitEventType.commit
        case .postMerge: return GitEventType.merge
        case .postRewrite: return GitEventType.rewrite
        }
    }

    /// Whether git feeds the hook on stdin (post-rewrite: one `OLD NEW` line per rewritten commit).
    public var readsStandardInput: Bool { self == .postRewrite }
}

/// What a hook hands to `cmem hooks record`.
public struct GitHookInvocation: Sendable, Equatable {
    public var kind: GitHookKind
    /// The working tree of the code repository (the hook runs there).
    public var root: String
    /// HEAD as the hook saw it; read again when nil.
    public var head: String?
    /// What HEAD pointed at as the hook saw it (`refs/heads/main`, or `HEAD` when detached); read again when nil.
    public var ref: String?
    /// git's arguments to the hook: post-merge `0`/`1` (squash), post-rewrite `amend`/`rebase`.
    public var arguments: [String]
    /// The hook's standard input (post-rewrite).
    public var input: String

    public init(kind: GitHookKind, root: String, head: String? = nil, ref: String? = nil, arguments: [String] = [], input: String = "") {
        self.kind = kind
        self.root = root
        self.head = head
        self.ref = ref
        self.arguments = arguments
        self.input = input
    }
}

public struct GitEventError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Builds the timeline event for a git hook: `git_commit`, `git_merge` or `git_rewrite`, source `git`,
/// with the SHA, author, message, branch, remote URL and changed files in `details`. The affected
/// components come from the path rules of `.cmem/components.yaml`, else the repository's name.
///
/// Event IDs derive from the commit (`Identifier.derived`), so recording the same hook twice adds one
/// event. Facts are read with the `git` command in the code repository, which also honours whatever
/// `GIT_DIR`/`GIT_WORK_TREE` git set for the hook.
public struct GitEventBuilder: Sendable {
    /// Applied to the commit message and subject (they can hold pasted secrets).
    public var redact: @Sendable (String) -> String
    /// Which components a commit's files belong to (`.cmem/components.yaml`).
    public var components: ComponentCatalog
    public var git: String
    public static let maxFiles = 200
    public static let maxMessage = 4096
    public static let maxRewrites = 100

    public init(components: ComponentCatalog = ComponentCatalog(), git: String = "git",
                redact: @escaping @Sendable (String) -> String = { $0 }) {
        self.components = components
        self.git = git
        self.redact = redact
    }

    public func event(for hook: GitHookInvocation, now: Timestamp = .now()) throws -> TimelineEvent {
        let head = try hook.head.flatMap { $0.isEmpty ? nil : $0 } ?? revParse("HEAD", in: hook.root)
        guard let head else { throw GitEventError("HEAD does not point at a commit in \(hook.root)") }
        let facts = try commit(head, in: hook.root)
        let ref = try hook.ref.flatMap { $0.isEmpty ? nil : $0 } ?? symbolicRef(in: hook.root)
        var branch = ref.flatMap(GitEventBuilder.branch(fromRef:))
        if branch == nil { branch = try rebasingBranch(in: hook.root) }
        let remote = try config("remote.origin.url", in: hook.root).map(GitEventBuilder.withoutCredentials)
        let repository = GitEventBuilder.repositoryName(remoteURL: remote, root: hook.root)
        let subject = clip(redact(facts.subject), 200)
        let short = String(head.prefix(7))
        let place = (branch.map { "on \($0)" } ?? "on a detached HEAD") + " in \(repository)"

        var time = facts.committedAt
        var files = facts.files
        // The same content as the GitHub webhook's for this commit: reports made at the same time share an ID.
        var idContent = GitEventType.idContent(type: hook.kind.eventType, sha: head)
        var description: String
        var extra: [(String, JSONValue)] = []

        switch hook.kind {
        case .postCommit:
            description = "Commit \(short) \(place): \(subject)"
        case .postMerge:
            let squash = hook.arguments.first == "1"
            let orig = try revParse("ORIG_HEAD", in: hook.root)
            let mergeCommit = facts.parents.count > 1
            if squash {
                files = try names(["diff", "--cached", "--name-only", "-z", "--no-renames"], in: hook.root)
                description = "Squash merge staged \(place) (not committed yet)"
                time = now
                idContent += " squash \(now.milliseconds)"
            } else if mergeCommit {
                description = "Merge \(short) \(place): \(subject)"
            } else {
                if let orig, orig != head {
                    files = try names(["diff", "--name-only", "-z", "--no-renames", orig, head, "--"], in: hook.root)
                    if let n = Int(String(decoding: try run(["rev-list", "--count", "\(orig)..\(head)"], in: hook.root), as: UTF8.self)
                        .trimmingCharacters(in: .whitespacesAndNewlines)) {
                        extra.append(("commits", .number(Double(n))))
                    }
                }
                description = "Fast-forward \(place) to \(short): \(subject)"
                time = now
                idContent += " from \(orig ?? "")"
            }
            extra.append(("merge", .string(squash ? "squash" : mergeCommit ? "merge_commit" : "fast_forward")))
            if let orig { extra.append(("previous", .string(orig))) }
        case .postRewrite:
            let how = hook.arguments.first ?? "rewrite"
            let pairs = GitEventBuilder.rewrites(hook.input)
            let news = pairs.map(\.new).filter { $0 != head }
            if !news.isEmpty {
                let shown = Array(news.suffix(GitEventBuilder.maxRewrites))
                let more = try names(["log", "--no-walk=unsorted", "-z", "--name-only", "--no-renames", "--format="] + shown + ["--"], in: hook.root)
                files = GitEventBuilder.unique(files + more)
            }
            let count = pairs.count
            if how == "amend", let first = pairs.first {
                description = "Amended \(first.old.prefix(7)) → \(first.new.prefix(7)) \(place): \(subject)"
            } else {
                description = "\(how == "rebase" ? "Rebase" : "Rewrite") of \(count) commit\(count == 1 ? "" : "s") \(place), now at \(short): \(subject)"
            }
            extra.append(("rewrite", .string(how)))
            extra.append(("rewritten", .array(pairs.prefix(GitEventBuilder.maxRewrites).map {
                .object([("old", .string($0.old)), ("new", .string($0.new))])
            })))
            extra.append(("rewritten_total", .number(Double(count))))
            idContent += " " + pairs.map { "\($0.old):\($0.new)" }.joined(separator: ",")
        }

        var components = self.components.components(for: files)
        if components.isEmpty { components = [repository] }
        var details: [(String, JSONValue)] = [
            ("sha", .string(head)),
            ("short_sha", .string(short)),
            ("parents", .array(facts.parents.map { .string($0) })),
            ("author", .string("\(facts.authorName) <\(facts.authorEmail)>")),
            ("author_name", .string(facts.authorName)),
            ("author_email", .string(facts.authorEmail)),
            ("authored_at", .string(facts.authoredAt.iso8601)),
            ("message", .string(clip(redact(facts.message), GitEventBuilder.maxMessage))),
            ("branch", branch.map { .string($0) } ?? .null),
            ("remote_url", remote.map { .string($0) } ?? .null),
            ("repository", .string(repository)),
            ("files", .array(files.prefix(GitEventBuilder.maxFiles).map { .string($0) })),
            ("files_total", .number(Double(files.count))),
            ("hook", .string(hook.kind.rawValue)),
        ]
        details += extra
        return TimelineEvent(id: Identifier.derived(.event, at: time, content: idContent), timestamp: time,
                             type: hook.kind.eventType, source: "git", description: clip(description, 1000),
                             details: .object(details), components: Array(components.prefix(20)), severity: .info)
    }

    // MARK: Facts from git

    struct CommitFacts {
        var parents: [String]
        var authorName: String
        var authorEmail: String
        var authoredAt: Timestamp
        var committedAt: Timestamp
        var message: String
        var files: [String]

        var subject: String {
            String(message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: true).first ?? "")
        }
    }

    /// One `git log` call: parents, author, times, message and the files changed against the first parent.
    func commit(_ sha: String, in root: String) throws -> CommitFacts {
        let out = try run(["log", "-1", "--no-walk", "-z", "--no-renames", "-m", "--first-parent", "--name-only",
                           "--format=%P%x00%an%x00%ae%x00%at%x00%ct%x00%B%x00", sha, "--"], in: root)
        let fields = out.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard fields.count >= 6, let at = Int64(fields[3]), let ct = Int64(fields[4]) else {
            throw GitEventError("git log printed something unexpected for \(sha)")
        }
        var message = fields[5]
        while message.hasSuffix("\n") { message.removeLast() }
        let files = GitEventBuilder.unique(fields.dropFirst(6).map(GitEventBuilder.trimNewlines))
        return CommitFacts(parents: fields[0].split(separator: " ").map(String.init), authorName: fields[1], authorEmail: fields[2],
                           authoredAt: Timestamp(seconds: at), committedAt: Timestamp(seconds: ct), message: message, files: files)
    }

    func revParse(_ rev: String, in root: String) throws -> String? {
        let r = try spawn(["rev-parse", "-q", "--verify", rev + "^{commit}"], in: root)
        guard r.status == 0 else { return nil }
        let s = String(decoding: r.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return s.isEmpty ? nil : s
    }

    func symbolicRef(in root: String) throws -> String? {
        let r = try spawn(["symbolic-ref", "-q", "HEAD"], in: root)
        guard r.status == 0 else { return nil }
        return String(decoding: r.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// During a rebase HEAD is detached; the branch being rebased is in `rebase-merge/head-name` (or
    /// `rebase-apply/head-name`).
    func rebasingBranch(in root: String) throws -> String? {
        let r = try spawn(["rev-parse", "--git-path", "rebase-merge/head-name", "--git-path", "rebase-apply/head-name"], in: root)
        guard r.status == 0 else { return nil }
        for line in String(decoding: r.stdout, as: UTF8.self).split(separator: "\n") {
            let path = line.hasPrefix("/") ? String(line) : (root as NSString).appendingPathComponent(String(line))
            if let data = FileManager.default.contents(atPath: path), data.count < 4096 {
                let ref = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if let b = GitEventBuilder.branch(fromRef: ref) { return b }
            }
        }
        return nil
    }

    func config(_ key: String, in root: String) throws -> String? {
        let r = try spawn(["config", "--get", key], in: root)
        guard r.status == 0 else { return nil }
        let s = String(decoding: r.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return s.isEmpty ? nil : s
    }

    func names(_ args: [String], in root: String) throws -> [String] {
        GitEventBuilder.unique(try run(args, in: root).split(separator: 0).map { GitEventBuilder.trimNewlines(String(decoding: $0, as: UTF8.self)) })
    }

    func run(_ args: [String], in root: String) throws -> [UInt8] {
        let r = try spawn(args, in: root)
        guard r.status == 0 else {
            let why = KubectlSource.errorLine(r.stderr)
            throw GitEventError("git \(args.first ?? "") failed (exit \(r.status))" + (why.isEmpty ? "" : ": \(why)"))
        }
        return r.stdout
    }

    func spawn(_ args: [String], in root: String) throws -> ChildOutput {
        let r: ChildOutput
        do {
            r = try ChildProcess([git, "-C", root] + args, timeout: 30, maxOutputBytes: 64 << 20).run()
        } catch ChildProcessError.notFound {
            throw GitEventError("\(git) was not found on PATH")
        } catch {
            throw GitEventError("git could not start: \(error)")
        }
        if r.timedOut { throw GitEventError("git \(args.first ?? "") timed out") }
        if r.outputTooLarge { throw GitEventError("git \(args.first ?? "") printed too much") }
        return r
    }

    // MARK: Small helpers

    /// `refs/heads/main` → `main`; `HEAD` (detached) → nil.
    public static func branch(fromRef ref: String) -> String? {
        if ref == "HEAD" || ref.isEmpty { return nil }
        if ref.hasPrefix("refs/heads/") { return String(ref.dropFirst("refs/heads/".count)) }
        return ref
    }

    /// A remote URL without the user name and password a `scheme://user:token@host/` URL may carry.
    public static func withoutCredentials(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let hostEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        guard let at = rest[..<hostEnd].lastIndex(of: "@") else { return url }
        return String(url[..<scheme.upperBound]) + String(rest[rest.index(after: at)...])
    }

    /// The repository's name: the last part of its remote URL without `.git`, else its directory's name,
    /// made into a valid component name.
    public static func repositoryName(remoteURL: String?, root: String) -> String {
        var name = ""
        if let url = remoteURL {
            var s = Substring(url)
            while s.hasSuffix("/") { s = s.dropLast() }
            if let cut = s.lastIndex(where: { $0 == "/" || $0 == ":" }) { s = s[s.index(after: cut)...] }
            name = String(s)
            if name.hasSuffix(".git") { name.removeLast(4) }
        }
        if name.isEmpty { name = (root as NSString).lastPathComponent }
        return componentName(name)
    }

    /// Letters, digits, `.`, `_`, `-`; anything else becomes `-`.
    public static func componentName(_ text: String) -> String {
        var out = String(text.unicodeScalars.map { c -> Character in
            let v = c.value
            let ok = (v >= 48 && v <= 57) || (v >= 65 && v <= 90) || (v >= 97 && v <= 122) || v == 45 || v == 46 || v == 95
            return ok ? Character(c) : "-"
        })
        while out.contains("..") { out = out.replacingOccurrences(of: "..", with: ".") }
        while let f = out.first, f == "." || f == "-" { out.removeFirst() }
        if out.count > 128 { out = String(out.prefix(128)) }
        return out.isEmpty ? "repository" : out
    }

    /// post-rewrite's input: `OLD NEW [EXTRA]` per line.
    static func rewrites(_ input: String) -> [(old: String, new: String)] {
        input.split(whereSeparator: \.isNewline).compactMap { line in
            let words = line.split(separator: " ")
            guard words.count >= 2 else { return nil }
            return (String(words[0]), String(words[1]))
        }
    }

    static func trimNewlines(_ s: String) -> String {
        var t = Substring(s)
        while t.first == "\n" { t = t.dropFirst() }
        while t.last == "\n" { t = t.dropLast() }
        return String(t)
    }

    static func unique(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    func clip(_ s: String, _ limit: Int) -> String {
        s.count <= limit ? s : String(s.prefix(limit - 1)) + "…"
    }
}
