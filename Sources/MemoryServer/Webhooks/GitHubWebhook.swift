import Foundation
import MemoryModel
import Redaction

/// GitHub webhook deliveries as timeline events: each pushed commit becomes a `git_commit` event and a
/// merged pull request a `git_merge` event, the types the git hooks use (`GitEventType`). A commit is one
/// event by its SHA whoever reports it: a redelivery, the same commit pushed to a second branch, or a
/// commit the post-commit hook recorded already joins the event there (`details.sources` names both).
public enum GitHubWebhook {
    public enum Outcome: Sendable, Equatable {
        case events([TimelineEvent])
        /// Accepted but not recorded (a ping, a deleted branch, a pull request that was not merged…).
        case ignored(String)
    }

    public static let source = "github"
    static let redactor = Redactor()

    /// `components` says which components a pushed commit's files belong to, by the rules the git hooks use
    /// (`.cmem/components.yaml`); a commit touching none of them is recorded under the repository's name.
    public static func events(eventName: String, payload: JSONValue, components: ComponentCatalog = ComponentCatalog(),
                              receivedAt: Timestamp = .now()) throws -> Outcome {
        switch eventName {
        case "ping":
            return .ignored("ping received")
        case "push":
            return try push(payload, components: components, receivedAt: receivedAt)
        case "pull_request":
            return try pullRequest(payload, receivedAt: receivedAt)
        default:
            return .ignored("\(eventName) events are not recorded; send push and pull_request")
        }
    }

    // MARK: push

    static func push(_ p: JSONValue, components catalog: ComponentCatalog, receivedAt: Timestamp) throws -> Outcome {
        guard case .object = p else { throw ValidationError("a push payload must be a JSON object") }
        let ref = p["ref"]?.stringValue ?? ""
        if p["deleted"] == .bool(true) { return .ignored("\(ref) was deleted; nothing to record") }
        guard case let .array(commits)? = p["commits"], !commits.isEmpty else {
            return .ignored("the push of \(ref) has no commits")
        }
        let repo = repository(p)
        let branch = ref.hasPrefix("refs/heads/") ? String(ref.dropFirst("refs/heads/".count))
            : ref.hasPrefix("refs/tags/") ? String(ref.dropFirst("refs/tags/".count)) : ref
        let isTag = ref.hasPrefix("refs/tags/")
        var events: [TimelineEvent] = []
        for c in commits.prefix(2048) {
            guard case .object = c, let sha = c["id"]?.stringValue, !sha.isEmpty else {
                throw ValidationError("a commit in the push payload has no id")
            }
            let time = c["timestamp"]?.stringValue.flatMap(Timestamp.init(iso8601:)) ?? receivedAt
            let message = c["message"]?.stringValue ?? ""
            let title = firstLine(message)
            var details: [(String, JSONValue)] = [
                ("sha", .string(sha)),
                ("repository", .string(repo.fullName)),
                (isTag ? "tag" : "branch", .string(branch)),
                    ("author", .string(clip(c["author"]?["name"]?.stringValue ?? "", 256))),
            ]
            if let login = c["author"]?["username"]?.stringValue { details.append(("author_login", .string(clip(login, 256)))) }
            if let url = c["url"]?.stringValue { details.append(("url", .string(clip(url, 1024)))) }
            if let pusher = p["pusher"]?["name"]?.stringValue { details.append(("pusher", .string(clip(pusher, 256)))) }
            details.append(("message", .string(clip(message, 4096))))
            details += fileLists(c, perList: 200)
            if JSONValue.object(details).json.utf8.count > Limits.maxDetails - 1024 {
                // A huge commit: keep the first files of each list and say so.
                details = details.filter { !["added", "modified", "removed", "message"].contains($0.0) }
                details.append(("message", .string(clip(message, 1024))))
                details += fileLists(c, perList: 10)
                details.append(("files_truncated", .bool(true)))
            }
            let touched = catalog.components(for: ["added", "modified", "removed"].flatMap { strings(c[$0]) })
            let short = String(sha.prefix(7))
            let description = "\(repo.name)@\(short) on \(branch): \(title.isEmpty ? "(no message)" : title)"
            events.append(TimelineEvent(
                id: Identifier.derived(.event, at: time, content: GitEventType.idContent(type: GitEventType.commit, sha: sha)),
                timestamp: time, type: GitEventType.commit, source: source, description: clip(description, 1000),
                details: .object(details), components: touched.isEmpty ? repo.components : touched))
        }
        return .events(events)
    }

    // MARK: pull_request

    static func pullRequest(_ p: JSONValue, receivedAt: Timestamp) throws -> Outcome {
        guard case .object = p else { throw ValidationError("a pull_request payload must be a JSON object") }
        let action = p["action"]?.stringValue ?? ""
        guard let pr = p["pull_request"], case .object = pr else {
            throw ValidationError("the pull_request payload has no pull_request object")
        }
        guard action == "closed", pr["merged"] == .bool(true) else {
            return .ignored("pull request \(action.isEmpty ? "event" : action) is not a merge; nothing to record")
        }
        let repo = repository(p)
        let number = pr["number"]?.stringValue ?? p["number"]?.stringValue ?? "?"
        let title = firstLine(pr["title"]?.stringValue ?? "")
        let time = pr["merged_at"]?.stringValue.flatMap(Timestamp.init(iso8601:)) ?? receivedAt
        let mergeSHA = pr["merge_commit_sha"]?.stringValue ?? ""
        var details: [(String, JSONValue)] = [
            ("number", .string(number)), ("title", .string(clip(title, 1024))), ("repository", .string(repo.fullName)),
            ("sha", .string(mergeSHA)), ("merge", .string("pull_request")),
            ("head_ref", .string(pr["head"]?["ref"]?.stringValue ?? "")),
            ("base_ref", .string(pr["base"]?["ref"]?.stringValue ?? "")),
            ("author", .string(pr["user"]?["login"]?.stringValue ?? "")),
            ("merged_by", .string(pr["merged_by"]?["login"]?.stringValue ?? "")),
        ]
        if let url = pr["html_url"]?.stringValue { details.append(("url", .string(url))) }
        for key in ["commits", "additions", "deletions", "changed_files"] {
            if case let .number(n)? = pr[key] { details.append((key, .number(n))) }
        }
        let base = pr["base"]?["ref"]?.stringValue ?? "?"
        let description = "Merged \(repo.name)#\(number) into \(base): \(title.isEmpty ? "(no title)" : title)"
        // The merge commit is the pull request's event: its push (a `git_commit` of the same SHA) joins it.
        let idContent = mergeSHA.isEmpty ? "github-merge\u{1}\(repo.fullName)\u{1}\(number)"
            : GitEventType.idContent(type: GitEventType.merge, sha: mergeSHA)
        let event = TimelineEvent(
            id: Identifier.derived(.event, at: time, content: idContent),
            timestamp: time, type: GitEventType.merge, source: source, description: clip(description, 1000),
            details: .object(details), components: repo.components)
        return .events([event])
    }

    // MARK: Helpers

    struct Repository {
        var name: String
        var fullName: String
        /// The repository's name as a component, when it is a valid component name.
        var components: [String] {
            Identifier.isSafeName(name, maxLength: 253) ? [name] : []
        }
    }

    static func repository(_ p: JSONValue) -> Repository {
        let name = p["repository"]?["name"]?.stringValue ?? "unknown"
        let full = p["repository"]?["full_name"]?.stringValue ?? name
        return Repository(name: name, fullName: full)
    }

    static func fileLists(_ c: JSONValue, perList: Int) -> [(String, JSONValue)] {
        ["added", "modified", "removed"].map { key in
            (key, .array(strings(c[key]).prefix(perList).map { .string(clip($0, 512)) }))
        }
    }

    static func strings(_ v: JSONValue?) -> [String] {
        if case let .array(items)? = v { return items.compactMap(\.stringValue) }
        return []
    }

    static func firstLine(_ s: String) -> String {
        String(s.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
            .trimmingCharacters(in: .whitespaces)
    }

    /// At most `max` characters, never cutting a character in half, without NUL characters (which the
    /// store refuses). A text that is cut is redacted first: the cut can take away what makes a secret
    /// recognisable (`postgres://app:pw@db` cut before its `@` is no URL with a password any more), and the
    /// store, which redacts whatever it writes, would only see what is left.
    static func clip(_ s: String, _ max: Int) -> String {
        let s = s.unicodeScalars.count < max ? s : redactor.redact(s)
        var scalars = String.UnicodeScalarView()
        var count = 0
        for u in s.unicodeScalars where u.value != 0 {
            if count == max - 1 {
                scalars.append("…")
                break
            }
            scalars.append(u)
            count += 1
        }
        return String(scalars)
    }
}
