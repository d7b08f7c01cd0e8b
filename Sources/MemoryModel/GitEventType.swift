/// The timeline's event types for git, one per kind of git event whatever reported it (the git hooks,
/// the GitHub webhook), and the rule that makes one commit one event.
///
/// A commit reaches the memory from several sources: the post-commit hook on the machine that made it,
/// then the push webhook when it reaches GitHub (and a merged pull request names its merge commit). Each
/// report of the same SHA lands on the same event: the first one recorded stays, later ones add their
/// source to `details.sources` and any detail it lacked (a URL, a pull request number), and the
/// components both found. Fast-forwards and squash merges staged by `git merge --squash` describe a
/// branch moving, not a commit: they keep their own events.
public enum GitEventType {
    /// A commit made or pushed (post-commit hook, GitHub push).
    public static let commit = "git_commit"
    /// A merge: a merge commit (post-merge hook), a fast-forward or squash (post-merge), a merged pull
    /// request (GitHub).
    public static let merge = "git_merge"
    /// Commits rewritten by `commit --amend` or `rebase` (post-rewrite hook).
    public static let rewrite = "git_rewrite"

    /// The content an event ID is derived from for a report of the commit `sha` as `type`: the same for
    /// every source, so reports made at the same time get the same ID.
    public static func idContent(type: String, sha: String) -> String { "\(type) \(sha)" }

    /// The commit an event stands for, when it is one that other reports of the same SHA join: a
    /// `git_commit` or a merge commit (not a fast-forward or staged squash), with a full SHA in `details.sha`.
    public static func commitKey(of e: TimelineEvent) -> String? {
        guard e.type == commit || e.type == merge, let sha = e.details["sha"]?.stringValue,
              sha.count >= 40, sha.utf8.allSatisfy(isHex) else { return nil }
        if let how = e.details["merge"]?.stringValue, how == "fast_forward" || how == "squash" { return nil }
        return sha.lowercased()
    }

    /// The sources that reported an event: `details.sources` when several did, else its `source`.
    public static func sources(of e: TimelineEvent) -> [String] {
        if case let .array(items)? = e.details["sources"] {
            let names = items.compactMap(\.stringValue)
            if !names.isEmpty { return names }
        }
        return [e.source]
    }

    /// `existing` with what `report` (another report of the same commit) adds: its source, the details
    /// `existing` lacks, its components, the merge type and the higher severity. Nil when it adds nothing,
    /// so a redelivery writes nothing. What `existing` says is never replaced.
    public static func merging(_ report: TimelineEvent, into existing: TimelineEvent) -> TimelineEvent? {
        var merged = existing
        var names = GitEventType.sources(of: existing)
        for s in GitEventType.sources(of: report) where !names.contains(s) { names.append(s) }
        guard case var .object(pairs) = existing.details else { return nil }
        if case let .object(more) = report.details {
            let known = Set(pairs.map(\.0))
            for (key, value) in more where !known.contains(key) && key != "sources" { pairs.append((key, value)) }
        }
        pairs.removeAll { $0.0 == "sources" }
        if names.count > 1 { pairs.append(("sources", .array(names.map { .string($0) }))) }
        merged.details = .object(pairs)
        for c in report.components where !merged.components.contains(c) && merged.components.count < 20 { merged.components.append(c) }
        if report.type == merge { merged.type = merge }
        merged.severity = max(existing.severity, report.severity)
        if merged.causedBy == nil { merged.causedBy = report.causedBy }
        return merged == existing ? nil : merged
    }

    static func isHex(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || (b >= 97 && b <= 102) || (b >= 65 && b <= 70) }
}
