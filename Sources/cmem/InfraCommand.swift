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

enum InfraState {
    static let notCollected = "no infrastructure state has been collected yet; run `cmem collect --once` (it commits \(InfraRepository.statePath))"

    static func current(_ store: MemoryStore) throws -> InfraRepository.StoredState {
        guard let state = try InfraRepository.current(store: store) else { throw CommandFailure(message: notCollected) }
        return state
    }

    static func asOf(_ state: InfraRepository.StoredState) -> JSONValue {
        guard let commit = state.commit else { return .object([("commit", .null), ("committed_at", .null)]) }
        return .object([("commit", .string(commit.id.hex)), ("committed_at", .string(Timestamp(seconds: commit.time).iso8601))])
    }

    static func asOfText(_ state: InfraRepository.StoredState) -> String {
        guard let commit = state.commit else { return "as written (not committed yet)" }
        return "as of \(Timestamp(seconds: commit.time).iso8601) (commit \(commit.id.short))"
    }

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
                let store = try global.openStore()
                let state = try InfraState.current(store)
                if global.json {
                    guard case var .object(pairs) = state.snapshot.current else { return }
                    pairs.insert(("as_of", InfraState.asOf(state)), at: 0)
                    Output.json(.object(pairs))
                    return
                }
                Output.line(Output.dim(InfraState.asOfText(state)))
                Output.line(state.snapshot.markdownPage(limit: 50))
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
                let store = try global.openStore()
                let state = try InfraState.current(store)
                let matches = state.snapshot.components(named: name)
                guard let primary = Component.primary(matches) else {
                    throw CommandFailure(message: "no component named \(JSONValue.quoted(name)) in the collected state, \(InfraState.asOfText(state))")
                }
                let related = matches.filter { $0.key != primary.key }
                var filter = MemoryStore.TimelineFilter()
                filter.since = Timestamp.now().adding(seconds: -(try DurationText.seconds(within, what: "--within")))
                filter.components = Set([primary.name])
                filter.limit = Int.max
                let lastChange = try store.timeline(filter).events.last

                if global.json {
                    guard case var .object(pairs) = primary.json else { return }
                    pairs.append(("last_change", lastChange?.json ?? .null))
                    pairs.append(("related", .array(related.map(\.summary))))
                    pairs.append(("as_of", InfraState.asOf(state)))
                    Output.json(.object(pairs))
                    return
                }
                Output.line(InfraState.componentLine(primary))
                Output.line("  key: \(primary.key)")
                for (field, value) in primary.fields where field != "status" {
                    Output.line("  \(field): \(InfraState.valueText(value))")
                }
                Output.line("  last change: " + (lastChange.map(TimelineText.line) ?? "none in the last \(within)"))
                for r in related { Output.line("  related: " + InfraState.componentLine(r)) }
                Output.line(Output.dim("  " + InfraState.asOfText(state)))
            }
        }

        /// The component to show when several share a name: an exact key first, then workloads, Argo CD
        /// applications, services, and the rest.
        static func primary(_ matches: [ComponentState]) -> ComponentState? {
            func rank(_ c: ComponentState) -> Int {
                if c.isWorkload { return 0 }
                switch c.kind {
                case "Application": return 1
                case "Service": return 2
                case "ConfigMap": return 3
                default: return 4
                }
            }
            return matches.min { (rank($0), $0.key) < (rank($1), $1.key) }
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
                let store = try global.openStore()
                let newer: InfraRepository.StoredState
                if let to {
                    guard let s = try InfraRepository.state(atOrBefore: to, store: store) else {
                        throw CommandFailure(message: "no infrastructure state had been collected by \(to.iso8601)")
                    }
                    newer = s
                } else {
                    newer = try InfraState.current(store)
                }
                let older = try InfraRepository.state(atOrBefore: from, store: store)
                let diff = StructuredDiff.between(older?.snapshot ?? InfraSnapshot(), newer.snapshot)
                if global.json {
                    guard case var .object(pairs) = diff.json else { return }
                    pairs.append(("since", .object([("time", .string(from.iso8601)), ("state", older.map(InfraState.asOf) ?? .null)])))
                    pairs.append(("until", .object([("time", to.map { .string($0.iso8601) } ?? .null), ("state", InfraState.asOf(newer))])))
                    Output.json(.object(pairs))
                    return
                }
                let base = older.map { "the state " + InfraState.asOfText($0) } ?? "no state (nothing collected by \(from.iso8601))"
                Output.line(Output.dim("from \(base) to the state \(InfraState.asOfText(newer))"))
                if diff.isEmpty { Output.line("No changes."); return }
                for c in diff.added { Output.line("+ " + InfraState.componentLine(c)) }
                for c in diff.removed { Output.line("- " + InfraState.componentLine(c)) }
                var last = ""
                for ch in diff.changed {
                    if ch.component != last {
                        Output.line("~ \(ch.kind) \(Output.bold((ch.namespace.map { $0 + "/" } ?? "") + ch.name))")
                        last = ch.component
                    }
                    Output.line("    \(ch.field): \(InfraState.valueText(ch.old)) → \(InfraState.valueText(ch.new))")
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
                let memory = try global.openMemory()
                if global.json {
                    Output.json(try memory.infraHealth().json)
                    return
                }
                let state = try InfraState.current(memory.store)
                let health = HealthSummary(state.snapshot)
                var counts = "\(health.healthy) healthy, \(health.degraded) degraded, \(health.critical) critical"
                if health.unknown > 0 { counts += ", \(health.unknown) unknown" }
                Output.line(counts + Output.dim("  " + InfraState.asOfText(state)))
                for c in health.unhealthy { Output.line("  " + InfraState.componentLine(c)) }
                for (kind, message) in health.failedSources.sorted(by: { $0.key < $1.key }) {
                    Output.warn("source \(kind) failed: \(message)")
                }
            }
        }
    }
}
