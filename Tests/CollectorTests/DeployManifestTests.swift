import Collector
import Foundation
import MemoryModel
import Testing
import TestSupport

/// docs/deploy/kubernetes runs `cmem` in the cluster: every flag it passes must exist (a renamed option would
/// only show as a crash-looping pod), and the collector's ClusterRole must cover every kind it reads.
@Suite("Deployment manifests")
struct DeployManifestTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/deploy/kubernetes")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    /// Every container's `args` list (block `- x` items or a flow `[…]`), in order.
    static func argumentLists(_ yaml: String) -> [[String]] {
        var lists: [[String]] = []
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var i = 0
        while i < lines.count {
            let line = lines[i]
            let trimmed = line.drop { $0 == " " }
            guard trimmed.hasPrefix("args:") else { i += 1; continue }
            let rest = trimmed.dropFirst("args:".count).trimmingCharacters(in: .whitespaces)
            if rest.hasPrefix("[") {
                let inner = rest.dropFirst().prefix { $0 != "]" }
                lists.append(inner.split(separator: ",").map { unquote($0.trimmingCharacters(in: .whitespaces)) })
                i += 1
                continue
            }
            let indent = line.count - trimmed.count
            var items: [String] = []
            i += 1
            while i < lines.count {
                let l = lines[i]
                let t = l.drop { $0 == " " }
                if t.isEmpty { i += 1; continue }
                guard l.count - t.count > indent || (l.count - t.count == indent && t.hasPrefix("- ")), t.hasPrefix("- ") else { break }
                items.append(unquote(String(t.dropFirst(2)).trimmingCharacters(in: .whitespaces)))
                i += 1
            }
            lists.append(items)
        }
        return lists
    }

    static func unquote(_ s: String) -> String {
        if s.count >= 2, let f = s.first, f == "\"" || f == "'", s.last == f { return String(s.dropFirst().dropLast()) }
        return s
    }

    @Test func everyFlagTheManifestsPassExists() throws {
        let lists = Self.argumentLists(try Self.text("deployment.yaml"))
        let commands = lists.filter { ["serve", "sync", "collect"].contains($0.first ?? "") }
        // The server, the sync sidecar and the collector.
        #expect(Set(commands.compactMap(\.first)) == ["serve", "sync", "collect"], "\(lists)")
        for args in commands {
            let help = try CMemBinary.run([args[0], "--help"], repo: "/nonexistent")
            #expect(help.status == 0)
            for arg in args.dropFirst() where arg.hasPrefix("--") {
                let flag = String(arg.prefix { $0 != "=" })
                #expect(help.stdout.contains(flag + " ") || help.stdout.contains(flag + "\n") || help.stdout.contains(flag + " <"),
                        "cmem \(args[0]) has no \(flag)")
            }
        }
        let collect = try #require(commands.first { $0.first == "collect" })
        #expect(collect.contains("--watch"))
    }

    @Test func theCollectorsRoleCoversEveryKindItReadsAndNoSecrets() throws {
        let rbac = try Self.text("collector-rbac.yaml")
        let deployment = try Self.text("deployment.yaml")
        #expect(deployment.contains("serviceAccountName: memory-collector"))
        #expect(try Self.text("kustomization.yaml").contains("collector-rbac.yaml"))
        #expect(!rbac.contains("secrets"))
        #expect(!rbac.contains("create") && !rbac.contains("update") && !rbac.contains("delete") && !rbac.contains("patch"))
        for kind in InfraKind.allCases {
            // `pods.metrics.k8s.io` → resource pods in group metrics.k8s.io; `applications.argoproj.io` likewise.
            let parts = kind.kubectlResource.split(separator: ".", maxSplits: 1).map(String.init)
            let resource = parts[0], group = parts.count > 1 ? parts[1] : nil
            let groups = ["apps": ["deployments", "statefulsets", "daemonsets", "replicasets"]]
            let expectedGroup = group ?? groups.first { $0.value.contains(resource) }?.key ?? ""
            let rule = rbac.components(separatedBy: "- apiGroups:").first { $0.contains("[\"\(expectedGroup)\"]") }
            #expect(rule?.contains("\"\(resource)\"") == true, "\(kind.rawValue): no rule for \(resource) in group \"\(expectedGroup)\"")
            #expect(rule?.contains("\"list\"") == true)
        }
        // The Event watch needs watch on core events.
        let core = rbac.components(separatedBy: "- apiGroups:").first { $0.contains("[\"\"]") }
        #expect(core?.contains("\"watch\"") == true)
    }

    /// `kubectl kustomize` renders the folder, when kubectl is installed (it is not downloaded for this).
    @Test func kustomizeRendersWhenKubectlIsThere() throws {
        let which = try ProcessRunner.run("/usr/bin/env", ["sh", "-c", "command -v kubectl"])
        guard which.status == 0 else { return }
        let r = try ProcessRunner.run("/usr/bin/env", ["kubectl", "kustomize", Self.directory.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("kind: ClusterRole"))
    }
}
