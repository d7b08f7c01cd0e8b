import Foundation
import Testing
import MemoryModel
import TestSupport

/// The Kubernetes manifest's initContainer script (docs/deploy/kubernetes/deployment.yaml), run as written
/// (its fixed paths moved under a temporary folder) against a bare remote made by plain `git init --bare`:
/// the pod's memory lives on the remote's one branch, which a teammate's clone shares (issue 19, item 2).
@Suite struct DeployBootstrapTests {
    static let manifest = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/deploy/kubernetes/deployment.yaml")

    /// The `prepare-repository` script: the block under its `args: - |`, up to its `env:`.
    static func initScript() throws -> String {
        let lines = try String(contentsOf: manifest, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        guard let name = lines.firstIndex(where: { $0.contains("name: prepare-repository") }),
              let start = lines[name...].firstIndex(where: { $0.hasSuffix("- |") }),
              let end = lines[start...].firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "env:" }) else {
            throw SyncTestError("no prepare-repository script in \(manifest.path)")
        }
        let body = lines[(start + 1)..<end]
        let indent = body.first.map { $0.prefix { $0 == " " }.count } ?? 0
        return body.map { String($0.dropFirst(indent)) }.joined(separator: "\n")
    }

    @Test(arguments: [false, true])
    func thePodsFirstStartOnARemoteWhoseHeadIsMasterSharesOneBranch(remoteHasNotes: Bool) throws {
        let w = try SyncWorld(remoteHead: "master")
        let teammate = remoteHasNotes ? try w.seed("teammate") : nil
        let root = w.dir.file("pod")
        for dir in ["data", "home", "secret"] { try FileManager.default.createDirectory(atPath: root + "/" + dir, withIntermediateDirectories: true) }
        try "key\n".write(toFile: root + "/secret/ssh-privatekey", atomically: true, encoding: .utf8)
        try "hosts\n".write(toFile: root + "/secret/known_hosts", atomically: true, encoding: .utf8)
        let script = try Self.initScript()
            .replacingOccurrences(of: "/data/", with: root + "/data/")
            .replacingOccurrences(of: "/etc/cmem/secret/", with: root + "/secret/")
        let cmemDir = (CMemBinary.path as NSString).deletingLastPathComponent
        let env = ["HOME": root + "/home", "CMEM_REPO": root + "/data/memory", "CMEM_GIT_REMOTE": w.url,
                   "GIT_USER_NAME": "memory-service", "GIT_USER_EMAIL": "memory@cluster.local",
                   "PATH": cmemDir + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
        let r = try ProcessRunner.run("/bin/sh", ["-c", script], cwd: root, environment: env)
        #expect(r.status == 0, "\(r.stderr)\(r.stdout)")

        // The server writes; the sync sidecar pushes.
        let pod = Clone(world: w, path: root + "/data/memory")
        let fromPod = try pod.record("from the pod", at: "2026-03-01T10:00:00Z")
        try pod.expect(["sync"])
        #expect(try w.remoteBranches() == ["main"])

        let other = try teammate ?? w.clone("teammate")
        try other.expect(["sync"])
        #expect(try other.eventIDs().contains(fromPod))
        let fromTeammate = try other.record("from the teammate", at: "2026-03-01T11:00:00Z")
        try other.expect(["sync"])
        try pod.expect(["sync"])
        #expect(try pod.eventIDs().contains(fromTeammate))
        #expect(try w.remoteBranches() == ["main"])
    }
}
