import Foundation
import MemoryModel
import MemoryStore

/// "Where we left off" for a project, as Markdown from the `handoff` template, written for the agent
/// that picks the work up (Claude Code adds it to the context at SessionStart; `handoff/<project>.md` holds
/// the same text). Most useful first: work in progress, open todos, blockers (each carried-over item says
/// from which session), what changed since the last session (`SincePrevious`), the last decisions, next
/// steps, the progress summary, files in play, recent events on the project's components.
///
/// The text respects a token budget, estimated as characters / 4 (`estimatedTokens`; English prose and
/// Markdown run at 3.5 to 4.5 characters per token). When it is too long, the least useful parts go first:
/// files, then older events, the summary's tail, long rationales, older decisions, next steps, what changed
/// (decisions, events, then commits), blockers and todos, in that order; a last resort cuts whole lines
/// from the end.
public struct HandoffBuilder {
    public let store: MemoryStore
    public var tokenBudget: Int
    /// How far back timeline events are read (only these day files are opened).
    public var eventDays: Int = 3
    public var maxEvents: Int = 8
    /// Day files already read by this builder (see `timeline`).
    let days = DayEvents()

    public init(store: MemoryStore, tokenBudget: Int? = nil) {
        self.store = store
        self.tokenBudget = max(100, tokenBudget ?? store.config.handoffTokenBudget)
    }

    public var characterBudget: Int { tokenBudget * 4 }

    /// The estimator the budget is measured with: one token per four characters, rounded up.
    public static func estimatedTokens(_ text: String) -> Int { (text.count + 3) / 4 }

    /// The handoff file of a project: `handoff/<project>.md`, with the name made safe for a file.
    public static func path(project: String) -> String {
        var name = String(project.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "-" })
        while name.hasPrefix(".") || name.hasPrefix("-") { name.removeFirst() }
        if name.isEmpty || !Identifier.isSafeName(name, maxLength: 128) { name = "project" }
        return "handoff/\(name).md"
    }

    // MARK: Building

    /// The handoff for `session` (nil: events only), within the budget. `since`: what changed since the
    /// session before it, when the caller knows (`Memory.sincePrevious`).
    public func build(session: Session?, project: ProjectScope, since: SincePrevious? = nil, now: Timestamp = .now()) -> String {
        var parts = Parts()
        var decisionComponents: [String] = []
        if let s = session {
            parts.task = s.currentTask.isEmpty ? "(no task recorded)" : HandoffBuilder.clip(s.currentTask, 300)
            parts.sessionID = s.id
            parts.status = s.isActive ? "active" : "ended"
            parts.lastActive = s.lastActivity.iso8601
            parts.summary = HandoffBuilder.clip(s.summary, 2000)
            for id in s.decisions {
                guard let d = try? store.lookupDecision(id: id) else { continue }
                parts.decisions.append((HandoffBuilder.clip(d.decision, 200), HandoffBuilder.clip(d.rationale, 400)))
                decisionComponents += d.components
            }
            // An item carried from the session named at the top says only "carried over".
            func origin(_ kind: String, _ text: String) -> String? {
                s.carriedFrom(kind, text).map { $0 == s.id ? "" : $0 }
            }
            for todo in s.todoList where todo.isOpen {
                let item = Item(text: HandoffBuilder.clip(todo.text, 200), from: origin("todo", todo.text))
                if todo.status == "in_progress" { parts.inProgress.append(item) } else { parts.todos.append(item) }
            }
            parts.blockers = s.blockers.map { Item(text: HandoffBuilder.clip($0, 300), from: origin("blocker", $0)) }
            parts.nextSteps = s.nextSteps.map { Item(text: HandoffBuilder.clip($0, 300), from: origin("next_step", $0)) }
            parts.files = s.activeFiles.map { HandoffBuilder.clip($0, 200) }
        }
        if let since, !since.isEmpty {
            parts.sinceFrom = since.from.iso8601
            parts.sinceTo = since.to.iso8601
            parts.commits = since.commits.map(\.line)
            parts.moreCommits = since.commitsTruncated ? "more than \(since.commits.count)" : ""
            parts.sinceEvents = since.events.reversed().map(HandoffBuilder.eventLine)
            parts.sinceDecisions = since.decisions.reversed().map { ["decision": HandoffBuilder.clip($0.decision, 200), "id": $0.id] }
        }
        let components = componentsOfInterest(session: session, project: project, decisionComponents: decisionComponents)
        let shown = Set((since?.events ?? []).map(\.id))
        parts.events = recentEvents(components: components, now: now, excluding: shown)
        return fit(parts, project: project.name)
    }

    /// A todo, blocker or next step; `from`: the session it was carried over from ("" for the session the
    /// handoff names, for which "carried over" says enough), nil when it was not.
    struct Item {
        var text: String
        var from: String?
        var context: [String: Any] {
            ["text": text, "carried": from != nil, "origin": from.flatMap { $0.isEmpty ? nil : $0 } ?? false]
        }
    }

    struct Parts {
        var task = "", sessionID = "", status = "", lastActive = "", summary = ""
        var decisions: [(decision: String, rationale: String)] = []
        var inProgress: [Item] = [], todos: [Item] = [], blockers: [Item] = [], nextSteps: [Item] = []
        var files: [String] = []
        var sinceFrom = "", sinceTo = "", moreCommits = ""
        var commits: [String] = [], sinceEvents: [[String: String]] = [], sinceDecisions: [[String: String]] = []
        var events: [[String: String]] = []

        var hasSince: Bool { !commits.isEmpty || !sinceEvents.isEmpty || !sinceDecisions.isEmpty }

        var isEmpty: Bool {
            task.isEmpty && summary.isEmpty && decisions.isEmpty && inProgress.isEmpty && todos.isEmpty && blockers.isEmpty
                && nextSteps.isEmpty && files.isEmpty && events.isEmpty && !hasSince
        }
    }

    func render(_ p: Parts, project: String) -> String {
        var ctx: [String: Any] = [
            "project": project,
            "path": store.root + "/" + HandoffBuilder.path(project: project),
            "decisions": p.decisions.map { d -> [String: Any] in
                var item: [String: Any] = ["decision": d.decision]
                if !d.rationale.isEmpty { item["rationale"] = d.rationale }
                return item
            },
            "has_decisions": !p.decisions.isEmpty,
            "in_progress": p.inProgress.map(\.context), "has_in_progress": !p.inProgress.isEmpty,
            "todos": p.todos.map(\.context), "has_todos": !p.todos.isEmpty,
            "blockers": p.blockers.map(\.context), "has_blockers": !p.blockers.isEmpty,
            "next_steps": p.nextSteps.map(\.context), "has_next_steps": !p.nextSteps.isEmpty,
            "files": p.files, "has_files": !p.files.isEmpty,
            "events": p.events, "has_events": !p.events.isEmpty,
            "has_since": p.hasSince, "since_from": p.sinceFrom, "since_to": p.sinceTo,
            "commits": p.commits.map { ["line": $0] }, "since_events": p.sinceEvents, "since_decisions": p.sinceDecisions,
        ]
        if !p.moreCommits.isEmpty { ctx["more_commits"] = p.moreCommits }
        if !p.task.isEmpty {
            ctx["task"] = p.task
            ctx["session_id"] = p.sessionID
            ctx["status"] = p.status
            ctx["last_active"] = p.lastActive
        }
        if !p.summary.isEmpty { ctx["summary"] = p.summary }
        var text = store.templates.render("handoff", ctx)
        // Runs of blank lines left by empty sections.
        while text.contains("\n\n\n") { text = text.replacingOccurrences(of: "\n\n\n", with: "\n\n") }
        return text.trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
    }

    /// Renders, then drops the least useful parts until the text fits the budget.
    func fit(_ initial: Parts, project: String) -> String {
        guard !initial.isEmpty else { return "" }
        var p = initial
        let budget = characterBudget
        var text = render(p, project: project)
        // Each step removes one item; steps run in order of increasing usefulness.
        let steps: [(inout Parts) -> Bool] = [
            { p in p.files.popLast() != nil },
            { p in p.events.popLast() != nil },
            { p in
                guard p.summary.count > 300 else { return false }
                p.summary = HandoffBuilder.clip(p.summary, max(300, p.summary.count * 2 / 3))
                return true
            },
            { p in
                guard let i = p.decisions.firstIndex(where: { $0.rationale.count > 120 }) else { return false }
                p.decisions[i].rationale = HandoffBuilder.clip(p.decisions[i].rationale, 120)
                return true
            },
            { p in p.decisions.count > 1 ? (p.decisions.removeFirst(), true).1 : false },
            { p in p.nextSteps.count > 1 ? p.nextSteps.popLast() != nil : false },
            { p in p.sinceDecisions.count > 1 ? p.sinceDecisions.popLast() != nil : false },
            { p in p.sinceEvents.count > 2 ? p.sinceEvents.popLast() != nil : false },
            { p in
                guard p.commits.count > 3 else { return false }
                p.commits.removeLast()
                p.moreCommits = "more"
                return true
            },
            { p in p.summary.isEmpty ? false : { p.summary = ""; return true }() },
            { p in p.blockers.count > 1 ? p.blockers.popLast() != nil : false },
            { p in p.todos.count > 1 ? p.todos.popLast() != nil : false },
            { p in p.decisions.popLast() != nil },
            { p in p.nextSteps.popLast() != nil },
        ]
        for step in steps {
            while text.count > budget, step(&p) { text = render(p, project: project) }
            if text.count <= budget { return text }
        }
        // Last resort: whole lines from the top, up to the budget.
        var out = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if out.count + line.count + 2 > budget { break }
            out += line + "\n"
        }
        return out + "…\n"
    }

    /// Renders the handoff of `session` and writes it to `handoff/<project>.md` in `tx` (the commit that
    /// ends or saves the session). Returns the text; nothing is written for a session with no content.
    @discardableResult
    public func write(session s: Session, since: SincePrevious?, tx: MemoryStore.Transaction, now: Timestamp) throws -> String {
        guard Continuity.hasContent(s) else { return "" }
        let text = build(session: s, project: ProjectScope(root: s.workingDirectory, name: s.project), since: since, now: now)
        try tx.write(HandoffBuilder.path(project: s.project), text)
        return text
    }

    // MARK: Events

    /// The components this project touches: its decisions' components, the components whose paths
    /// (`.cmem/components.yaml`) cover the session's files, their dependencies, and the project's own name.
    func componentsOfInterest(session: Session?, project: ProjectScope, decisionComponents: [String]) -> Set<String> {
        var result = Set(decisionComponents)
        if Identifier.isSafeName(project.name, maxLength: 253) { result.insert(project.name) }
        let catalog = ComponentCatalog.load(root: store.root)
        if let s = session {
            for file in s.activeFiles + s.filesRead {
                result.formUnion(catalog.components(covering: file))
            }
        }
        for c in Array(result) { result.formUnion(catalog.dependencies(of: c)) }
        return result
    }

    /// Recent events on `components`, incidents and deployments first, newest first within each group.
    func recentEvents(components: Set<String>, now: Timestamp, excluding: Set<String> = []) -> [[String: String]] {
        guard !components.isEmpty else { return [] }
        var filter = MemoryStore.TimelineFilter()
        filter.since = now.adding(seconds: -Int64(eventDays) * 86400)
        filter.components = components
        filter.limit = Int.max
        guard let events = try? HandoffBuilder.timeline(store: store, filter, days: days) else { return [] }
        let newestFirst = events.reversed().filter { !excluding.contains($0.id) }
        let important = newestFirst.filter(HandoffBuilder.isImportant)
        let rest = newestFirst.filter { !HandoffBuilder.isImportant($0) }
        let chosen = (important + rest).prefix(maxEvents).sorted { $0.timestamp > $1.timestamp }
        return chosen.map { HandoffBuilder.eventLine($0, components: components) }
    }

    static func eventLine(_ e: TimelineEvent) -> [String: String] { eventLine(e, components: []) }

    static func eventLine(_ e: TimelineEvent, components: Set<String>) -> [String: String] {
        [
            "time": "\(e.timestamp.day) \(e.timestamp.timeOfDay)",
            "type": e.severity >= .warning ? "\(e.type) (\(e.severity.rawValue))" : e.type,
            "component": e.components.first(where: components.contains) ?? e.components.first ?? e.source,
            "description": HandoffBuilder.clip(e.description, 160),
        ]
    }

    /// `store.timeline(filter).events` for a filter on components, without parsing the event blocks that
    /// cannot be on one of them: three busy days hold thousands of events and the handoff wants the few on
    /// this project's components. A block's components are text of its YAML, so a block that contains none
    /// of the names (nor a backslash, which could escape one, nor a non-ASCII byte, which could be a name
    /// spelled in an equivalent form) cannot match. The blocks are found exactly as `TimelineDay.parse`
    /// finds them, and the others are parsed by it, so the events and their order are the same.
    ///
    /// `days`: the day files' selected events, kept for a later call on the same components (SessionStart
    /// reads what changed since the last session and the recent events, mostly the same days).
    static func timeline(store: MemoryStore, _ filter: MemoryStore.TimelineFilter, days: DayEvents? = nil) throws -> [TimelineEvent] {
        let needles = filter.components.map { Array($0.utf8) }
        guard !needles.isEmpty, needles.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0 < 0x80 } }) else {
            return try store.timeline(filter).events
        }
        let key = filter.components.sorted().joined(separator: "\u{0}")
        var events: [TimelineEvent] = []
        for path in store.dayFiles(from: filter.since, to: filter.until) {
            if let kept = days?.events[path + "\u{1}" + key] {
                events += kept.filter(filter.matches)
                continue
            }
            guard let bytes = try AtomicFile.read(try store.absolute(path)) else { continue }
            let kept = bytes.withUnsafeBufferPointer { b in
                EventBlocks.select(b) { yaml in
                    EventBlocks.hasEscapeOrNonASCII(yaml) || needles.contains { EventBlocks.contains(yaml, $0) }
                }
            }
            let parsed = TimelineDay.parse(kept, path: path).events
            days?.events[path + "\u{1}" + key] = parsed
            events += parsed.filter(filter.matches)
        }
        events.sort { ($0.timestamp, $0.id) < ($1.timestamp, $1.id) }
        if events.count > filter.limit { events = Array(events.prefix(filter.limit)) }
        return events
    }

    static func isImportant(_ e: TimelineEvent) -> Bool {
        if e.severity >= .warning { return true }
        let t = e.type.lowercased()
        return ["incident", "deploy", "rollback", "outage", "alert", "crash", "restart", "sync"].contains { t.contains($0) }
    }

    /// `s` trimmed, at most `max` characters, with an ellipsis when cut.
    public static func clip(_ s: String, _ max: Int) -> String {
        let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
        guard t.count > max else { return t }
        return String(t.prefix(max - 1)) + "…"
    }
}

/// The events of day files read once, by day file and component set: one builder's memory, not shared.
public final class DayEvents {
    var events: [String: [TimelineEvent]] = [:]
}

/// The event blocks of a day file (`TimelineBlock`, as `TimelineDay.parse` finds them). Text outside
/// blocks and the headings are not needed to read events.
enum EventBlocks {
    /// A day file holding only the blocks whose YAML `keep` accepts, each as "```yaml\n" + YAML + "```\n".
    /// Stops where the parser stops: at a block that is never closed.
    static func select(_ b: UnsafeBufferPointer<UInt8>, keep: (UnsafeBufferPointer<UInt8>) -> Bool) -> [UInt8] {
        var out: [UInt8] = []
        TimelineBlock.scan(b) { block in
            guard block.closed else { return }
            let yaml = UnsafeBufferPointer(rebasing: b[block.yaml])
            if keep(yaml) {
                out += "```yaml\n".utf8
                out += yaml
                out += "```\n".utf8
            }
        }
        return out
    }

    /// Whether `needle` occurs in `haystack`.
    static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count, let base = haystack.baseAddress else { return false }
        let last = haystack.count - needle.count
        var i = 0
        while i <= last {
            guard let p = memchr(base + i, Int32(first), last - i + 1) else { return false }
            let j = base.distance(to: p.assumingMemoryBound(to: UInt8.self))
            if needle.withUnsafeBufferPointer({ memcmp(base + j, $0.baseAddress!, needle.count) }) == 0 { return true }
            i = j + 1
        }
        return false
    }

    /// Whether the text holds a backslash or a byte of a non-ASCII character.
    static func hasEscapeOrNonASCII(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        for c in b where c == 92 || c >= 0x80 { return true }
        return false
    }
}
