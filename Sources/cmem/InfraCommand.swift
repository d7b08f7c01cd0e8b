import ArgumentParser
import Collector
import Foundation
import GitKit
import MemoryCore
import MemoryModel
import MemoryStore

/// `cmem infra current|component|diff|health`: the infrastructure state `cmem collect` committed under
/// `infrastructure/`. Read-only; nothing here talks to the cluster.
struct InfraCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infra",
        abstract: "Infrastructure state: current, component, diff, health.",
        discussion: """
        These read infrastructure/state.json in the memory, as the last `cmem collect` committed it; \
        `infra diff --since` reads its git history.
        """,
        subcommands: [Current.self, Component.self, Diff.self, Health.self]
    )
}

/// How the infrastructure answers read to a person.
enum InfraText {
    static func componentLine(_ c: ComponentState) -> String {
        let qualified = (c.namespace.map { $0 + "/" } ?? "") + c.name
        var s = "\(statusWord(c.status)) \(c.kind) \(Output.bold(qualified))"
        if let reasons = c.reasons, !reasons.isEmpty { s += " — " + reasons.joined(separator: ", ") }
        return s
    }

    static func statusWord(_ s: HealthStatus) -> String {
        switch s {
        case .critical: return Output.red(s.rawValue)
        case .degraded: return Output.yellow(s.rawValue)
        default: return s.rawValue
        }
    }

    static func usageText(_ u: ResourceUsage, node: Bool) -> String {
        let of = node ? "of allocatable" : "of its limit"
        var parts: [String] = []
        if let m = u.memoryBytes { parts.append("memory \(m / 1_048_576) MiB" + (u.memoryLimitPercent.map { " (\($0)% \(of))" } ?? "")) }
        if let c = u.cpuMillicores { parts.append("CPU \(c)m" + (u.cpuLimitPercent.map { " (\($0)% \(of))" } ?? "")) }
        parts.append("\(u.pods) pod\(u.pods == 1 ? "" : "s")")
        return parts.joined(separator: ", ")
    }

    static func valueText(_ v: JSONValue) -> String {
        switch v {
        case .null: return "none"
        case let .string(s): return s
        default: return v.json
        }
    }
}

extension InfraCommand {
    struct Current: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "current",
            abstract: "Nodes, namespaces, deployments, pods, services, MCP servers, layer stacks, agents, Argo CD applications, alerts."
        )
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try run(json: global.json) {
                let current = try global.openMemory().infraCurrent()
                if global.json {
                    Output.json(current.json)
                    return
                }
                Output.line(Output.dim(current.provenanceText))
                if let state = current.state { Output.line(state.snapshot.markdownPage(limit: 50)) }
            }
        }
    }

    struct Component: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "component",
            abstract: "One component: kind, namespace, status, restarts, image, replicas, … and its last change.",
            discussion: """
            NAME is a component name (github-mcp-server), NAMESPACE/NAME, or a key (deployment/ns/name). When a \
            Deployment and its Service share the name, the workload is shown and the others are listed as related. \
            The last change is the newest timeline event naming the component within --within (default 30d).
            """
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The component.") var name: String
        @Option(name: .long, help: "How far back to look for the last change (default 30d).") var within: String = "30d"

        func validate() throws {
            try positiveDuration(within, "--within")
        }

        func run() throws {
            try run(json: global.json) {
                let detail = try global.openMemory().infraComponent(name, within: try DurationText.seconds(within, what: "--within"))
                if global.json {
                    Output.json(detail.json)
                    return
                }
                let primary = detail.primary
                Output.line(InfraText.componentLine(primary))
                Output.line("  key: \(primary.key)")
                for (field, value) in primary.fields where field != "status" {
                    Output.line("  \(field): \(InfraText.valueText(value))")
                }
                if let u = detail.usage { Output.line("  usage: " + InfraText.usageText(u, node: primary.kind == "Node")) }
                Output.line("  last change: " + (detail.lastChange.map(TimelineText.line) ?? "none in the last \(within)"))
                for r in detail.related { Output.line("  related: " + InfraText.componentLine(r)) }
                Output.line(Output.dim("  " + detail.provenanceText))
            }
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "diff",
            abstract: "What changed in the state since a time: components added, removed, and changed field by field.",
            discussion: """
            The state at --since is the last one committed at or before it (git log infrastructure/state.json); \
            when nothing had been collected by then, everything counts as added.
            """
        )
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "From (ISO 8601, e.g. 2026-01-20T00:00:00Z, or a duration ago like 24h).") var since: String
        @Option(name: .long, help: "Until (ISO 8601 or a duration ago; default: the current state).") var until: String?

        func run() throws {
            try run(json: global.json) {
                let from = try parseTime(since, what: "--since")
                let to = try until.map { try parseTime($0, what: "--until") }
                if let to, to < from { throw MemoryModel.ValidationError("--until is before --since") }
                let answer = try global.openMemory().infraDiff(since: from, until: to)
                if global.json {
                    Output.json(answer.json)
                    return
                }
                guard answer.newer != nil else {
                    Output.line(answer.rangeText)
                    return
                }
                Output.line(Output.dim(answer.rangeText))
                let diff = answer.diff
                if diff.isEmpty { Output.line("No changes."); return }
                for c in diff.added { Output.line("+ " + InfraText.componentLine(c)) }
                for c in diff.removed { Output.line("- " + InfraText.componentLine(c)) }
                var last = ""
                for ch in diff.changed {
                    if ch.component != last {
                        Output.line("~ \(ch.kind) \(Output.bold((ch.namespace.map { $0 + "/" } ?? "") + ch.name))")
                        last = ch.component
                    }
                    Output.line("    \(ch.field): \(InfraText.valueText(ch.old)) → \(InfraText.valueText(ch.new))")
                }
            }
        }
    }

    struct Health: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "health",
            abstract: "Healthy, degraded and critical counts, the components that are not healthy, and failed sources."
        )
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try run(json: global.json) {
                let answer = try global.openMemory().infraHealth()
                if global.json {
                    Output.json(answer.json)
                    return
                }
                guard let state = answer.state else {
                    Output.line(InfraHealth.notCollected)
                    return
                }
                let health = HealthSummary(state.snapshot)
                var counts = "\(health.healthy) healthy, \(health.degraded) degraded, \(health.critical) critical"
                if health.unknown > 0 { counts += ", \(health.unknown) unknown" }
                Output.line(counts + Output.dim("  " + answer.provenanceText))
                for c in health.unhealthy { Output.line("  " + InfraText.componentLine(c)) }
                for (kind, message) in health.failedSources.sorted(by: { $0.key < $1.key }) {
                    Output.warn("source \(kind) failed: \(message)")
                }
            }
        }
    }
}
