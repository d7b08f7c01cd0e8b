import Foundation

/// Everything sync can fail with, each phrased for the person at the terminal (or the service log).
/// Where nothing local changed, the message says so: the next sync simply retries.
public enum SyncError: Error, CustomStringConvertible, Sendable {
    case noRemote
    case unknownRemote(String)
    case detachedHead
    case remoteUnreachable(remote: String, url: String, detail: String)
    case authenticationFailed(remote: String, url: String, detail: String)
    case pushRefused(remote: String, url: String, reason: String)
    case historyRewritten(remote: String, branch: String, known: String, now: String?)
    case unrelatedHistories(remote: String, branch: String)
    /// A merge left conflicts only a human can resolve; the merge is left in progress.
    case conflicts(paths: [String], merging: String)
    /// An earlier merge still has unresolved conflicts.
    case unresolvedMerge(paths: [String])
    case localChangesInTheWay(detail: String)
    /// Uncommitted files sync would commit hold what must never be committed (a secret, conflict markers,
    /// a symbolic link); one line each, `path:line: why`. Nothing was committed.
    case pendingRefused([String])
    /// The remote has several branches and its HEAD names none of them: which one the memory lives on is
    /// for a human to say.
    case ambiguousRemoteBranch(remote: String, branches: [String])
    /// The remote's branch is `shared`, but this clone has another branch of that name beside `local`.
    case branchMismatch(local: String, remote: String, shared: String)
    case remoteKeptMoving(attempts: Int)
    case timedOut(command: String, seconds: Double)
    case git(command: String, status: Int32, message: String)
    case io(String)

    /// A short stable name, for JSON output and scripts.
    public var kind: String {
        switch self {
        case .noRemote: return "no_remote"
        case .unknownRemote: return "unknown_remote"
        case .detachedHead: return "detached_head"
        case .remoteUnreachable: return "remote_unreachable"
        case .authenticationFailed: return "authentication_failed"
        case .pushRefused: return "push_refused"
        case .historyRewritten: return "history_rewritten"
        case .unrelatedHistories: return "unrelated_histories"
        case .conflicts: return "conflicts"
        case .unresolvedMerge: return "unresolved_merge"
        case .localChangesInTheWay: return "local_changes"
        case .pendingRefused: return "pending_refused"
        case .ambiguousRemoteBranch: return "ambiguous_remote_branch"
        case .branchMismatch: return "branch_mismatch"
        case .remoteKeptMoving: return "remote_kept_moving"
        case .timedOut: return "timed_out"
        case .git: return "git"
        case .io: return "io"
        }
    }

    static let untouched = "Nothing local was changed; the next sync will retry."

    /// A git message as the middle of a sentence: no trailing period (the sentence adds its own).
    static func clause(_ s: String) -> String {
        var t = s.trimmingCharacters(in: .whitespacesAndNewlines)
        while t.hasSuffix(".") { t.removeLast() }
        return t
    }

    public var description: String {
        switch self {
        case .noRemote:
            return "this memory has no remote to sync with; add one with `cmem remote add origin URL` (or `git remote add`)"
        case let .unknownRemote(name):
            return "there is no remote named \(name); see `cmem remote list`"
        case .detachedHead:
            return "HEAD is detached; check out a branch (e.g. `git checkout main`) before syncing"
        case let .remoteUnreachable(remote, url, detail):
            return "cannot reach remote \(remote) (\(url)): \(SyncError.clause(detail)). \(SyncError.untouched)"
        case let .authenticationFailed(remote, url, detail):
            return "remote \(remote) (\(url)) refused our credentials: \(SyncError.clause(detail)). Check your SSH key or credential helper; \(SyncError.untouched)"
        case let .pushRefused(remote, url, reason):
            return "remote \(remote) (\(url)) refused the push: \(SyncError.clause(reason)). Your commits are kept locally; the next sync will try again."
        case let .historyRewritten(remote, branch, known, now):
            let what = now.map { "now points at \(String($0.prefix(12))), which does not contain" } ?? "was deleted; it contained"
            return "\(remote)/\(branch) was rewritten: it \(what) \(String(known.prefix(12))), which this clone synced before. "
                + "Nothing was merged or pushed; local data is untouched. If the rewrite was intended, run "
                + "`cmem sync --allow-rewritten-remote` to merge the new history (your local commits are kept)."
        case let .unrelatedHistories(remote, branch):
            return "\(remote)/\(branch) shares no history with this clone. Nothing was merged. If this clone should join it, "
                + "run `cmem sync --allow-rewritten-remote`, or start from `git clone` of the remote and `cmem init` in the clone."
        case let .conflicts(paths, merging):
            return "merging \(merging) left conflicts that need a human in: \(paths.joined(separator: ", ")). "
                + "Edit them (look for <<<<<<<), `git add` them, then run `cmem sync` again to finish the merge; "
                + "or `git merge --abort` to drop this merge. `cmem status` lists them."
        case let .unresolvedMerge(paths):
            return "a merge is still in progress with unresolved conflicts in: \(paths.joined(separator: ", ")). "
                + "Resolve them and `git add` them, then run `cmem sync` again; or `git merge --abort`."
        case let .localChangesInTheWay(detail):
            return "local changes are in the way of the merge: \(SyncError.clause(detail)). Nothing was merged; the next sync will retry."
        case let .pendingRefused(lines):
            return "uncommitted changes sync would commit hold what must never be committed; nothing was committed or synced:\n"
                + lines.prefix(50).map { "  \($0)\n" }.joined() + (lines.count > 50 ? "  … and \(lines.count - 50) more\n" : "")
                + "Remove the value (or replace it with [REDACTED]), resolve the conflict, or replace the link with a real file, then sync again."
        case let .ambiguousRemoteBranch(remote, branches):
            return "remote \(remote) has several branches (\(branches.joined(separator: ", "))) and its HEAD names none of them; "
                + "a memory lives on one branch. Choose it: `git branch -m BRANCH` (if yours is named otherwise), "
                + "`git branch --set-upstream-to=\(remote)/BRANCH`, then `cmem sync` (and point the remote's HEAD at it: "
                + "`git symbolic-ref HEAD refs/heads/BRANCH` in the bare repository). Nothing was merged or pushed."
        case let .branchMismatch(local, remote, shared):
            return "the memory on \(remote) lives on branch \(shared), but this clone is on \(local) and has a separate \(shared) "
                + "branch. Merge them (`git checkout \(shared) && git merge \(local)`), then `cmem sync`. Nothing was merged or pushed."
        case let .remoteKeptMoving(attempts):
            return "the remote kept moving: the push was rejected \(attempts) times because others pushed meanwhile. "
                + "Your commits are merged locally; the next sync will try again."
        case let .timedOut(command, seconds):
            return "`\(command)` took longer than \(Int(seconds)) s and was stopped. \(SyncError.untouched)"
        case let .git(command, status, message):
            return "`\(command)` failed (exit \(status))" + (message.isEmpty ? "" : ": \(message)")
        case let .io(message):
            return message
        }
    }
}
