import Foundation

/// The one branch every clone of a memory shares with its remote. A bare remote made by plain
/// `git init --bare` points its HEAD at `master` while cmem creates `main`; a clone of it then fails to
/// check anything out and keeps an unborn `master`. Committing and pushing there would start a second
/// branch on the remote, and each side would sync its own branch, never seeing the other's notes. So a
/// clone adopts the branch the remote already has: its HEAD, else its only branch, else (an empty remote)
/// `main`; a remote with several branches and no HEAD among them is refused with what to do.
public enum SharedBranch {
    /// The branch new memories use.
    public static let defaultName = "main"

    /// The branch to share, given the remote's HEAD (the branch it names, when it exists there) and its
    /// branches.
    static func choose(head: String?, branches: [String], remote: String) throws -> String {
        if let head, branches.contains(head) { return head }
        if branches.count == 1 { return branches[0] }
        if branches.isEmpty { return defaultName }
        throw SyncError.ambiguousRemoteBranch(remote: remote, branches: branches.sorted())
    }

    /// What `git ls-remote --symref REMOTE` lists: its HEAD's branch and its branches.
    static func parseListing(_ text: String) -> (head: String?, branches: [String]) {
        var head: String?
        var branches: [String] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "\t")
            guard fields.count == 2 else { continue }
            if fields[0].hasPrefix("ref: refs/heads/"), fields[1] == "HEAD" {
                head = String(fields[0].dropFirst("ref: refs/heads/".count))
            } else if fields[1].hasPrefix("refs/heads/") {
                branches.append(String(fields[1].dropFirst("refs/heads/".count)))
            }
        }
        return (head, branches)
    }

    /// `cmem init` in a clone: when HEAD is unborn and the repository has a remote, adopts the branch the
    /// clone fetched from it (checked out, tracking it: the checkout `git clone` could not do), or names
    /// the unborn branch `main` when the remote had none. Uses what the clone already fetched; no network.
    /// Returns what it did, or nil when nothing was needed.
    public static func prepareClone(at path: String) throws -> String? {
        let root = URL(fileURLWithPath: (path as NSString).expandingTildeInPath).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: root + "/.git") else { return nil }
        let git = GitCLI(directory: root, environment: ["LC_ALL": "C"])
        guard try git.resolve("HEAD") == nil else { return nil }
        let remotes = try Remotes.names(git)
        guard let remote = remotes.contains("origin") ? "origin" : (remotes.count == 1 ? remotes.first : nil) else { return nil }
        let refs = try git.check(["for-each-ref", "--format=%(refname)", "refs/remotes/\(remote)/"])
        let branches = refs.split(separator: "\n").map { String($0.dropFirst("refs/remotes/\(remote)/".count)) }.filter { $0 != "HEAD" }
        let head = (try? git.check(["symbolic-ref", "-q", "refs/remotes/\(remote)/HEAD"]))
            .map { String($0.dropFirst("refs/remotes/\(remote)/".count)) }
        let branch = try choose(head: head, branches: branches, remote: remote)
        let current = try? git.check(["symbolic-ref", "-q", "HEAD"])
        if branches.contains(branch) {
            try git.check(["checkout", "-q", "-B", branch, "--track", "\(remote)/\(branch)"])
            return "checked out \(branch) from \(remote)"
        }
        guard current != "refs/heads/\(branch)" else { return nil }
        try git.check(["symbolic-ref", "HEAD", "refs/heads/\(branch)"])
        return "named the new branch \(branch)"
    }

    /// `cmem sync` before the first sync of `branch` (no upstream yet): the remote's branch to share, with
    /// the local branch renamed to it when the names differ. Asks the remote (`git ls-remote`).
    static func adopt(local branch: String, remote: String, git: GitCLI, timeout: Double,
                      classify: (GitOutput) -> SyncError) throws -> String {
        let out = try git.run(["ls-remote", "--symref", remote], timeout: timeout)
        if out.timedOut { throw SyncError.timedOut(command: "git ls-remote \(remote)", seconds: timeout) }
        guard out.succeeded else { throw classify(out) }
        let listing = parseListing(out.stdout)
        let shared = try choose(head: listing.head, branches: listing.branches, remote: remote)
        guard shared != branch else { return branch }
        if try git.resolve("refs/heads/\(shared)") != nil {
            throw SyncError.branchMismatch(local: branch, remote: remote, shared: shared)
        }
        if try git.resolve("HEAD") == nil {
            try git.check(["symbolic-ref", "HEAD", "refs/heads/\(shared)"])
        } else {
            try git.check(["branch", "-m", branch, shared])
        }
        // `git branch -m` carries the branch's upstream along, still naming the branch the remote lacks.
        if (try? git.check(["config", "branch.\(shared).remote"])) != nil {
            try git.check(["config", "branch.\(shared).merge", "refs/heads/\(shared)"])
        }
        return shared
    }
}
