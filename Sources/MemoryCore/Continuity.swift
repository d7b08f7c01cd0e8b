import Foundation
import GitKit
import MemoryModel
import MemoryStore

/// How one session of a project follows another: which session a new one continues, what open work it
/// carries over, and the HEAD of the project's code repository at each end, from which "since you left"
/// (`SincePrevious`) is computed. Deterministic: notes, the timeline and git, no model.
public enum Continuity {
    /// Items carried into a new session, per kind: enough for the open work, bounded for a note that
    /// piled up hundreds.
    public static let maxCarried = 50

    /// The session a new conversation in `project` continues: the project's current session by the
    /// store's policy when it has anything of its own in it, else its most recent such session, other than
    /// `excluding`. An empty one (opened and closed without a prompt) is skipped, and so is one that holds
    /// only what it carried over: continuing it would hand over the same work without its story. Bounded:
    /// at most 400 notes are read.
    /// Throws when the project's current session note cannot be read (naming its file and line): carrying
    /// over from an older session instead would silently drop the open work that note holds.
    public static func previousSession(store: MemoryStore, project: ProjectScope, excluding: String? = nil) throws -> Session? {
        if let s = try store.currentSession(project: project), s.id != excluding, hasOwnContent(s) { return s }
        let fm = FileManager.default
        var parsed = 0
        for year in ((try? fm.contentsOfDirectory(atPath: store.root + "/sessions")) ?? []).sorted(by: >) where year.count == 4 {
            for month in ((try? fm.contentsOfDirectory(atPath: "\(store.root)/sessions/\(year)")) ?? []).sorted(by: >) where month.count == 2 {
                let dir = "sessions/\(year)/\(month)"
                for name in ((try? fm.contentsOfDirectory(atPath: store.root + "/" + dir)) ?? []).sorted(by: >) where name.hasSuffix(".md") {
                    parsed += 1
                    if parsed > 400 { return nil }
                    guard let s = try? store.session(atPath: dir + "/" + name), s.id != excluding else { continue }
                    guard s.workingDirectory == project.root || (s.workingDirectory.isEmpty && s.project == project.name) else { continue }
                    if hasOwnContent(s) { return s }
                }
            }
        }
        return nil
    }

    public static func hasContent(_ s: Session) -> Bool {
        !s.currentTask.isEmpty || !s.summary.isEmpty || !s.actions.isEmpty || !s.decisions.isEmpty || !s.todoList.isEmpty
            || !s.blockers.isEmpty || !s.nextSteps.isEmpty || !s.activeFiles.isEmpty || !s.filesRead.isEmpty
    }

    /// Whether `s` holds anything besides the items it carried over unchanged.
    public static func hasOwnContent(_ s: Session) -> Bool {
        if !s.currentTask.isEmpty || !s.summary.isEmpty || !s.actions.isEmpty || !s.decisions.isEmpty || !s.activeFiles.isEmpty
            || !s.filesRead.isEmpty { return true }
        let carried = Set(s.carriedOver.map { [$0.kind, $0.text] })
        let items = s.todoList.map { [$0.isOpen ? "todo" : "closed", $0.text] } + s.blockers.map { ["blocker", $0] }
            + s.nextSteps.map { ["next_step", $0] }
        return items.count != s.carriedOver.count || items.contains { !carried.contains($0) }
    }

    /// Puts `previous`'s open todos (with their state), blockers and next steps into the new session `s`,
    /// each recorded in `carried_over` with the session it was first written in, and links `previous`.
    /// Closing an item in `s` closes it for good: the next session carries from `s`.
    public static func carryOver(from previous: Session, into s: inout Session) {
        s.previousSession = previous.id
        func origin(_ kind: String, _ text: String) -> String { previous.carriedFrom(kind, text) ?? previous.id }
        for todo in previous.todoList.filter(\.isOpen).prefix(maxCarried) where !s.todoList.contains(where: { $0.text == todo.text }) {
            s.todoList.append(todo)
            s.carriedOver.append(.init(kind: "todo", text: todo.text, from: origin("todo", todo.text)))
        }
        for b in previous.blockers.prefix(maxCarried) where !s.blockers.contains(b) {
            s.blockers.append(b)
            s.carriedOver.append(.init(kind: "blocker", text: b, from: origin("blocker", b)))
        }
        for n in previous.nextSteps.prefix(maxCarried) where !s.nextSteps.contains(n) {
            s.nextSteps.append(n)
            s.carriedOver.append(.init(kind: "next_step", text: n, from: origin("next_step", n)))
        }
    }

    /// HEAD of the code repository whose working tree is `root` (the project's root), or nil when it is
    /// not one or has no commit yet.
    public static func codeHead(root: String) -> String? {
        guard !root.isEmpty, FileManager.default.fileExists(atPath: root + "/.git") else { return nil }
        return (try? GitRepository(path: root).head())??.hex
    }
}
