import Foundation
import MemoryModel

/// A note cmem writes for people and keeps current (a component's note, the home note): some front-matter
/// keys and the part of the body between the markers are cmem's; everything else is the person's, as in
/// every other note. A person who deletes the markers takes the body over.
public struct GeneratedNote: Sendable {
    /// Repository-relative path.
    public var path: String
    /// The heading of a new note (a person may change it later; cmem leaves it).
    public var title: String
    /// Keys cmem owns, with their raw `key: value` text: rewritten whenever the value changes.
    public var owned: [(key: String, raw: String)]
    /// Keys written only when the note is created (`tags`, `aliases`): a person's edits to them stay.
    public var initial: [(key: String, raw: String)]
    /// The Markdown between the markers.
    public var generated: String
    /// What a new note says below the generated part (a `## Notes` heading for the person).
    public var footer: String

    public init(path: String, title: String, owned: [(key: String, raw: String)] = [], initial: [(key: String, raw: String)] = [],
                generated: String, footer: String = "## Notes\n") {
        self.path = path
        self.title = title
        self.owned = owned
        self.initial = initial
        self.generated = generated
        self.footer = footer
    }

    /// The begin marker of a generated note (any `<!-- cmem:begin …` line is one: see `ManagedSection`).
    public static let begin = "<!-- cmem:begin (written by cmem from the memory; edits here are replaced, the rest is yours) -->"

    /// The note's new text given what is on disk (nil: no note yet); nil when nothing changes.
    public func text(updating existing: String?) throws -> String? {
        guard let existing else {
            var doc = FrontMatterDocument()
            for (key, raw) in owned + initial { doc.set(key, raw: raw) }
            doc.body = "\n# \(title)\n\n" + GeneratedNote.begin + "\n" + generated + (generated.hasSuffix("\n") ? "" : "\n")
                + ManagedSection.end + "\n" + (footer.isEmpty ? "" : "\n" + footer)
            return doc.text
        }
        var doc = try FrontMatterDocument.split(existing, path: path)
        for (key, raw) in owned where doc.raw(key) != raw { doc.set(key, raw: raw) }
        for (key, raw) in initial where doc.raw(key) == nil { doc.set(key, raw: raw) }
        if let body = ManagedSection.replace(in: doc.body, with: generated) { doc.body = body }
        let text = doc.text
        return text == existing ? nil : text
    }
}

extension MemoryStore {
    /// Stages the notes that changed. A note that cannot be updated (its front matter is broken, or it
    /// holds an unresolved merge) is left exactly as it is and reported; the others are still written.
    public func stage(_ notes: [GeneratedNote], in tx: Transaction) throws -> (written: [String], skipped: [NoteError]) {
        var written: [String] = [], skipped: [NoteError] = []
        for note in notes {
            do {
                let existing = try tx.readBytes(note.path)
                if let existing, let line = ConflictMarkers.line(in: existing) {
                    skipped.append(NoteError(path: note.path, line: line, message: "holds merge conflict markers; left as it is until resolved"))
                    continue
                }
                guard let text = try note.text(updating: existing.map { String(decoding: $0, as: UTF8.self) }) else { continue }
                try tx.write(note.path, text)
                written.append(note.path)
            } catch let error as NoteError {
                skipped.append(error)
            }
        }
        return (written, skipped)
    }
}

extension MemoryStore {
    /// Where a component's note lives (`VaultNotes` writes it; the store starts it).
    public static func componentNotePath(_ name: String) -> String { "components/\(name).md" }

    /// Starts the note of each component in `names` that has none yet, in the same commit as the write
    /// that links it (`[[name]]` in an event's line or a decision), so that the link lands somewhere at
    /// once; `cmem vault` and `cmem sync` fill it in. One `lstat` per component a process writes about.
    func stageComponentNotes(_ names: [String], in tx: Transaction) throws {
        for name in names where !componentNotesKnown.contains(name) {
            let path = MemoryStore.componentNotePath(name)
            guard (try? Identifier.validateComponent(name)) != nil else { continue }
            if try tx.readBytes(path) == nil, !tx.paths.contains(path) {
                let note = GeneratedNote(path: path, title: name, owned: [("component", YAMLWriter.entry("component", name))],
                                         initial: [("tags", YAMLWriter.list("tags", ["cmem/component"])), ("aliases", YAMLWriter.list("aliases", []))],
                                         generated: "> Component · nothing gathered yet: `cmem vault` and `cmem sync` keep this part current.\n")
                if let text = try note.text(updating: nil) { try tx.write(path, text) }
            }
            componentNotesKnown.insert(name)
        }
    }
}
