import Collector
import Foundation
import GitKit
import MemoryIndex
import MemoryModel
import MemoryStore

/// The notes that make the memory a vault people like to open (docs/FORMAT.md, "The vault"): a note per
/// component (`components/<name>.md`: what it is, its state, its recent events, incidents and decisions)
/// and the home note (`Home.md`: where each project left off, incidents, decisions, unhealthy components).
/// Every `[[link]]` cmem writes elsewhere to a component lands on its note. Built from the index,
/// `.cmem/components.yaml` and the last collected infrastructure state; written through the store, so
/// what a person wrote outside the generated part stays.
public struct VaultNotes {
    public static let componentFolder = "components"
    public static let homePath = "Home.md"
    /// How far back the home note looks for incidents (error and critical events).
    public static let incidentWindow: Int64 = 7 * 86_400_000

    let store: MemoryStore
    let queries: Queries

    public init(store: MemoryStore, queries: Queries) {
        self.store = store
        self.queries = queries
    }

    public struct Report: Sendable {
        public var written: [String] = []
        public var skipped: [NoteError] = []
        public var components = 0
        public var commit: String?

        public var json: JSONValue {
            .object([
                ("written", .array(written.map { .string($0) })), ("components", .number(Double(components))),
                ("skipped", .array(skipped.map { .string($0.description) })), ("commit", commit.map { .string($0) } ?? .null),
            ])
        }
    }

    public static func componentPath(_ name: String) -> String { MemoryStore.componentNotePath(name) }

    /// Rewrites every component note and the home note whose content changed, in one commit.
    public func refresh(now: Timestamp = .now()) throws -> Report {
        let catalog = ComponentCatalog.load(root: store.root)
        let infra = (try? InfraRepository.current(store: store))?.snapshot
        var names = Set(catalog.order)
        for c in catalog.components.values { names.formUnion(c.dependsOn) }
        names.formUnion(queries.index.componentNames())
        for c in infra?.unhealthy ?? [] { names.insert(c.name) }
        let valid = names.filter { (try? Identifier.validateComponent($0)) != nil }.sorted()
        // What the notes list, read first, so that `caused` (derived from the listed events' `caused_by`)
        // costs nothing per event: asking the index for each event's effects scans from its time on.
        var seen = Seen()
        for name in valid {
            let history = queries.componentHistory(name, limit: 15)
            let incidents = queries.index.search(SearchQuery(kinds: [.event], components: [name], severities: SearchQuery.severities(atLeast: .error),
                                                             order: .newestFirst, limit: 10)).hits.compactMap(\.event)
            seen.components[name] = (history, incidents)
            for e in history.events + incidents { seen.note(e) }
        }
        seen.incidents = queries.index.search(SearchQuery(kinds: [.event], severities: SearchQuery.severities(atLeast: .error),
                                                          since: Timestamp(milliseconds: now.milliseconds - VaultNotes.incidentWindow),
                                                          order: .newestFirst, limit: 15)).hits.compactMap(\.event)
        for e in seen.incidents { seen.note(e) }
        var notes = valid.map { componentNote($0, catalog: catalog, infra: infra, seen: seen) }
        notes.append(homeNote(infra: infra, components: Set(valid), seen: seen))
        var report = Report()
        report.components = valid.count
        let (staged, result) = try store.transaction { tx in
            let (written, skipped) = try store.stage(notes, in: tx)
            if !written.isEmpty {
                let names = written.prefix(5).joined(separator: ", ") + (written.count > 5 ? ", …" : "")
                tx.describe("vault: \(written.count) note\(written.count == 1 ? "" : "s") brought up to date (\(names))")
            }
            return (written, skipped)
        }
        report.written = staged.0
        report.skipped = staged.1
        report.commit = result.commit?.hex
        if !report.written.isEmpty { try? queries.index.apply(writtenPaths: report.written) }
        return report
    }

    /// The events the notes show, and which of them each one caused.
    struct Seen {
        var components: [String: (history: ComponentHistory, incidents: [TimelineEvent])] = [:]
        var incidents: [TimelineEvent] = []
        var caused: [String: [String]] = [:]
        private var ids = Set<String>()

        mutating func note(_ e: TimelineEvent) {
            guard ids.insert(e.id).inserted, let cause = e.causedBy else { return }
            caused[cause, default: []].append(e.id)
        }
    }

    // MARK: Components

    func componentNote(_ name: String, catalog: ComponentCatalog, infra: InfraSnapshot?, seen: Seen) -> GeneratedNote {
        let declared = catalog.components[name]
        let states = infra?.components(named: name) ?? []
        let status = states.map(\.status).max()
        var out = ""
        var facts: [String] = ["Component"]
        if let ns = declared?.namespace ?? states.first?.namespace { facts.append("namespace `\(ns)`") }
        if let status { facts.append("status **\(status.rawValue)** as of the last collection") } else { facts.append("no infrastructure state collected") }
        out += "> " + facts.joined(separator: " · ") + "\n\n"
        let dependsOn = declared?.dependsOn ?? []
        let dependents = catalog.dependents(of: name)
        if !dependsOn.isEmpty || !dependents.isEmpty || !(declared?.paths.isEmpty ?? true) {
            out += "## What it is\n"
            if !dependsOn.isEmpty { out += "- Depends on: " + dependsOn.map { "[[\($0)]]" }.joined(separator: ", ") + "\n" }
            if !dependents.isEmpty { out += "- Used by: " + dependents.map { "[[\($0)]]" }.joined(separator: ", ") + "\n" }
            if let paths = declared?.paths, !paths.isEmpty { out += "- Code: " + paths.map { "`\($0.pattern)`" }.joined(separator: ", ") + "\n" }
            out += "\n"
        }
        if !states.isEmpty {
            out += "## Current state\n"
            for s in states { out += "- " + linkSafe(stateLine(s)) + "\n" }
            out += "\n"
        }
        let (history, incidents) = seen.components[name] ?? (queries.componentHistory(name, limit: 15), [])
        if !history.events.isEmpty {
            out += "## Recent events\n"
            for e in history.events.reversed() { out += "- " + eventLine(e, seen: seen) + "\n" }
            out += "\n"
        }
        if !incidents.isEmpty {
            out += "## Incidents (error and critical events)\n"
            for e in incidents { out += "- " + eventLine(e, seen: seen) + "\n" }
            out += "\n"
        }
        if !history.decisions.isEmpty {
            out += "## Decisions\n"
            for d in history.decisions { out += "- " + decisionLink(d) + " (\(d.status), \(d.timestamp.day))\n" }
            out += "\n"
        }
        var aliases = declared?.aliases ?? []
        aliases.removeAll { $0 == name }
        return GeneratedNote(
            path: VaultNotes.componentPath(name), title: name,
            // Only what never changes is owned in the front matter: the state changes on every
            // collection and lives in the generated part, so two clones never fight over a key.
            owned: [("component", YAMLWriter.entry("component", name))],
            initial: [("tags", YAMLWriter.list("tags", ["cmem/component"])), ("aliases", YAMLWriter.list("aliases", aliases))],
            generated: out)
    }

    func stateLine(_ s: ComponentState) -> String {
        var parts = ["`\(s.key)`: \(s.status.rawValue)"]
        if let reasons = s.reasons, !reasons.isEmpty { parts.append(reasons.joined(separator: ", ")) }
        if let r = s.replicas { parts.append("\(s.readyReplicas ?? 0)/\(r) ready") }
        if let images = s.images, !images.isEmpty { parts.append(images.keys.sorted().map { "`\(images[$0]!)`" }.joined(separator: " ")) }
        if let rev = s.revision { parts.append("revision \(rev)") }
        if let sync = s.sync { parts.append("sync \(sync)") }
        return parts.joined(separator: " · ")
    }

    /// An event as a link to its block, with where it came from and what it led to (`caused_by`, and
    /// `caused`, derived from the events that name it).
    func eventLine(_ e: TimelineEvent, seen: Seen) -> String {
        let when = "\(e.timestamp.day) \(e.timestamp.timeOfDay)"
        var line = "\(Wikilink.event(e.id, label: when)) \(e.type) (\(e.severity.rawValue)): \(linkSafe(oneLine(e.description, 120)))"
        if let cause = e.causedBy { line += " · caused by \(Wikilink.event(cause))" }
        let caused = (seen.caused[e.id] ?? []).sorted()
        if !caused.isEmpty { line += " · caused " + caused.prefix(5).map { Wikilink.event($0) }.joined(separator: ", ") }
        return line
    }

    /// Text from a record shown in a generated note: `[[` and `]]` in it would read as links that go
    /// nowhere, so they are broken up.
    func linkSafe(_ s: String) -> String {
        s.replacingOccurrences(of: "[[", with: "[ [").replacingOccurrences(of: "]]", with: "] ]")
    }

    func decisionLink(_ d: Decision) -> String {
        "[[\(noteName(d.path))|\(linkLabel(d.decision))]]"
    }

    // MARK: Home

    func homeNote(infra: InfraSnapshot?, components: Set<String>, seen: Seen) -> GeneratedNote {
        var out = ""
        // Where each project left off: its latest session and its handoff.
        let sessions = queries.index.search(SearchQuery(kinds: [.session], order: .newestFirst, limit: 500)).hits.compactMap(\.session)
        var latest: [String: Session] = [:]
        for s in sessions where (latest[s.project].map { $0.lastActivity < s.lastActivity } ?? true) { latest[s.project] = s }
        out += "## Projects\n"
        if latest.isEmpty { out += "No sessions yet.\n" }
        for (project, s) in latest.sorted(by: { $0.value.lastActivity > $1.value.lastActivity }) {
            let task = s.currentTask.isEmpty ? "\(project) session \(s.startedAt.day)" : s.currentTask
            var line = "- **\(project)**: [[\(noteName(s.path))|\(linkLabel(task))]] (\(s.isActive ? "active" : "ended \(s.endedAt?.day ?? "")"))"
            let handoff = HandoffBuilder.path(project: project)
            if FileManager.default.fileExists(atPath: store.root + "/" + handoff) {
                line += " · [[\(String(handoff.dropLast(3)))|handoff]]"
            }
            out += line + "\n"
        }
        out += "\n## Incidents (error and critical events, last 7 days)\n"
        if seen.incidents.isEmpty { out += "None.\n" }
        for e in seen.incidents {
            let where_ = e.components.filter(components.contains).map { "[[\($0)]]" }.joined(separator: " ")
            out += "- " + eventLine(e, seen: seen) + (where_.isEmpty ? "" : " · " + where_) + "\n"
        }
        out += "\n## Last decisions\n"
        let decisions = queries.index.search(SearchQuery(kinds: [.decision], order: .newestFirst, limit: 10)).hits.compactMap(\.decision)
        if decisions.isEmpty { out += "None yet.\n" }
        for d in decisions { out += "- \(d.timestamp.day) " + decisionLink(d) + " (\(d.project))\n" }
        out += "\n## Unhealthy components\n"
        if let infra {
            let bad = infra.unhealthy
            if bad.isEmpty { out += "Nothing is unhealthy as of the last collection.\n" }
            for c in bad.prefix(30) {
                let name = components.contains(c.name) ? "[[\(c.name)]]" : "`\(c.name)`"
                out += "- \(name): " + linkSafe(stateLine(c)) + "\n"
            }
            if bad.count > 30 { out += "- … and \(bad.count - 30) more ([[infrastructure/README|infrastructure]])\n" }
        } else {
            out += "No infrastructure state collected yet (`cmem collect`).\n"
        }
        return GeneratedNote(path: VaultNotes.homePath, title: "Home", initial: [("tags", YAMLWriter.list("tags", ["cmem/home"]))],
                             generated: out, footer: "")
    }

    /// The name Obsidian resolves a link by: the file name without `.md`.
    func noteName(_ path: String) -> String {
        let name = (path as NSString).lastPathComponent
        return name.hasSuffix(".md") ? String(name.dropLast(3)) : name
    }

    /// Text fit for the label of a `[[target|label]]`: one line, without the characters that end a link.
    func linkLabel(_ s: String) -> String {
        String(oneLine(s, 80).map { "[]|#^".contains($0) ? " " : $0 })
    }

    func oneLine(_ s: String, _ max: Int) -> String {
        var out = ""
        for ch in s {
            if out.count >= max { out += "…"; break }
            out.append(ch.isNewline ? " " : ch)
        }
        return out
    }
}
