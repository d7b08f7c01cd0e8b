import Foundation

/// Repositories created before the vault notes get what `cmem init` now writes, on their next `cmem init`
/// or `cmem sync`: cmem's editor-state block in `.gitignore` (`EditorState`) and the merge rules of the
/// component notes and the home note in `.gitattributes`. Only lines are added; a person's lines stay.
public enum VaultMigration {
    /// `.gitattributes` lines the vault notes need (the same as `cmem init` writes).
    public static let mergeRules = ["components/**/*.md merge=cmem-note", "Home.md merge=cmem-note"]

    /// `.gitattributes` with the missing rules added (nil: nothing to add). A file without cmem's rules
    /// at all is a person's own: it is left alone.
    public static func gitattributes(updating existing: String) -> String? {
        guard existing.contains("merge=cmem-note") else { return nil }
        let lines = Set(existing.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        let missing = mergeRules.filter { !lines.contains($0) }
        guard !missing.isEmpty else { return nil }
        return existing + (existing.hasSuffix("\n") || existing.isEmpty ? "" : "\n") + missing.joined(separator: "\n") + "\n"
    }
}

extension MemoryStore {
    /// Writes what the migration adds; returns the paths written, for the caller to commit.
    public func migrateVaultFiles() throws -> [String] {
        var written: [String] = []
        let ignore = try absolute(".gitignore")
        let existingIgnore = FileManager.default.fileExists(atPath: ignore) ? try String(contentsOfFile: ignore, encoding: .utf8) : nil
        if let text = EditorState.gitignore(updating: existingIgnore) {
            try AtomicFile.write(Array(text.utf8), to: ignore)
            written.append(".gitignore")
        }
        let attributes = try absolute(".gitattributes")
        if FileManager.default.fileExists(atPath: attributes),
           let text = VaultMigration.gitattributes(updating: try String(contentsOfFile: attributes, encoding: .utf8)) {
            try AtomicFile.write(Array(text.utf8), to: attributes)
            written.append(".gitattributes")
        }
        return written
    }
}
