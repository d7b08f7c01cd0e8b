import Foundation

/// What an editor keeps about itself inside the vault (Obsidian's pane layout, caches, its trash): it
/// changes whenever a pane moves, so committed it would conflict in every clone. `cmem init` writes a
/// `.gitignore` for it and `cmem sync` never commits it; shared settings a team wants (`.obsidian/app.json`,
/// templates) are not editor state and may be committed on purpose.
public enum EditorState {
    /// The line that marks cmem's block in `.gitignore`; its presence means the block was written once
    /// (a person may edit it afterwards, and cmem does not add it again).
    public static let marker = "# cmem: editor state stays on this machine"

    /// cmem's block of `.gitignore`.
    public static let gitignoreBlock = """
    \(marker) (shared settings such as .obsidian/app.json may be committed)
    .obsidian/workspace*.json
    .obsidian/cache/
    .trash/
    .DS_Store

    """

    /// Whether `path` (relative to the repository root) is an editor's local state, whatever `.gitignore`
    /// says: the same patterns as the block above.
    public static func isLocal(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard let first = parts.first else { return false }
        if first == ".trash" { return true }
        if parts.last == ".DS_Store" { return true }
        if first == ".obsidian", parts.count >= 2 {
            if parts[1] == "cache" { return true }
            if parts.count == 2, parts[1].hasPrefix("workspace"), parts[1].hasSuffix(".json") { return true }
        }
        return false
    }

    /// The text `.gitignore` should have, given what it has now (nil: no file): cmem's block appended
    /// once, the person's lines kept. nil when nothing needs to change.
    public static func gitignore(updating existing: String?) -> String? {
        guard let existing else { return gitignoreBlock }
        if existing.contains(marker) { return nil }
        var text = existing
        if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
        if !text.isEmpty { text += "\n" }
        return text + gitignoreBlock
    }
}

