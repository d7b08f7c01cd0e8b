import Foundation
import GitKit
import Logging
import MemoryModel

extension MemoryStore {
    public struct InitReport: Sendable {
        public let root: String
        /// Files that `init` created; existing files are never changed, but for `.gitignore`, which gets
        /// cmem's editor-state block appended when it lacks it (`EditorState`).
        public let created: [String]
        public let commit: ObjectID?
    }

    /// Creates a memory repository at `path`, or completes an existing one by adding only what is missing.
    public static func initialize(at path: String, logger: Logger = Logger(label: "cmem.store")) throws -> InitReport {
        let root = ProjectScope.standardise(path)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let isNew = !FileManager.default.fileExists(atPath: root + "/.git")
        let git: GitRepository
        do {
            git = try GitRepository.createOrOpen(at: root)
        } catch let error as GitError {
            throw StoreError.git(error)
        }
        let identity = git.defaultSignature()
        var created: [String] = []
        let files: [(String, String)] = [
            (MemoryConfig.path, MemoryConfig.defaultText(authorName: identity?.name, authorEmail: identity?.email)),
            (".cmem/components.yaml", componentsTemplate),
            (".gitattributes", gitattributes),
            (".gitignore", EditorState.gitignoreBlock),
            ("README.md", readme),
            ("Home.md", homeStub),
            ("sessions/.gitkeep", ""),
            ("decisions/.gitkeep", ""),
            ("timeline/.gitkeep", ""),
            ("handoff/.gitkeep", ""),
        ]
        for (relative, text) in files {
            let full = root + "/" + relative
            if FileManager.default.fileExists(atPath: full) { continue }
            try AtomicFile.write(text, to: full)
            created.append(relative)
        }
        // Machine-local state stays out of git; the merge driver is configured per clone by `cmem init`.
        try FileManager.default.createDirectory(atPath: git.gitDir + "/cmem", withIntermediateDirectories: true)
        var commit: ObjectID?
        let store = try MemoryStore(path: root, logger: logger)
        // A `.gitignore` a person wrote before gets cmem's block for editor state appended (the one
        // change `init` makes to an existing file: it only adds lines).
        var paths = created
        for path in try store.migrateVaultFiles() where !paths.contains(path) { paths.append(path) }
        if !paths.isEmpty {
            commit = try store.git.commit(paths: paths, message: "cmem init: \(paths.joined(separator: ", "))\n", author: store.author)
        }
        if isNew {
            // A repository cmem created holds tens of thousands of notes: use the compact index format,
            // and let git use it too should it ever create the index again.
            try? git.setIndexVersion(4)
            try? git.setConfig("index.version", "4")
        }
        return InitReport(root: root, created: created, commit: commit)
    }

    static let gitattributes = """
    # Written by `cmem init`. Machine-written notes merge with cmem's merge driver when it is configured
    # (`cmem init` in each clone); without it git falls back to its normal text merge.
    timeline/**/*.md merge=cmem-timeline
    sessions/**/*.md merge=cmem-note
    decisions/**/*.md merge=cmem-note
    handoff/**/*.md merge=cmem-snapshot
    components/**/*.md merge=cmem-note
    Home.md merge=cmem-note
    infrastructure/** merge=cmem-snapshot
    *.md text eol=lf

    """

    /// The home note until `cmem vault` (or the first `cmem sync`) fills it: README.md links to it.
    static var homeStub: String {
        let note = GeneratedNote(path: "Home.md", title: "Home", initial: [("tags", YAMLWriter.list("tags", ["cmem/home"]))],
                                 generated: "Nothing recorded yet: `cmem vault` and `cmem sync` keep this part current.\n", footer: "")
        return (try? note.text(updating: nil)) ?? "# Home\n"
    }

    static let componentsTemplate = """
    # Components of your system and how they relate. Used by `cmem correlate` (depends_on: a dependency
    # weighs less than the component itself) and by the git hooks (paths: which files belong to which component).
    components: {}
    # Example:
    # components:
    #   github-mcp-server:
    #     depends_on: [redis-cache, registry]
    #     paths: ["src/github_mcp/**", "charts/github-mcp/**"]

    """

    static let readme = """
    # Cortex Memory

    This repository is a memory for AI coding agents and the people who work with them, written by
    [`cmem`](https://github.com/) and meant to be read and edited by humans too (it opens as an Obsidian vault).

    - `sessions/YYYY/MM/` — one note per working session: task, decisions, files, commands, todos, blockers, next steps.
    - `decisions/YYYY/MM/` — one architecture decision record per decision, linked to its session.
    - `timeline/YYYY/MM/YYYY-MM-DD.md` — what happened each UTC day: commits, deploys, restarts, incidents.
    - `handoff/` — "where we left off" for each project, regenerated at the end of each session.
    - [[Home]] — start here: where each project left off, incidents, decisions, unhealthy components.
    - `components/` — one note per component: what it is, its state, its recent events and decisions.
    - `infrastructure/` — the last collected state of the cluster.
    - `.cmem/` — configuration and template overrides.

    Edit freely: `cmem` keeps your prose and any front-matter keys it does not know. Every change `cmem`
    makes is a commit, so `git log` is the audit history.

    """
}
