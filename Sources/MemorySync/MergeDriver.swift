import Foundation
import GitKit
import MemoryModel

/// The merge driver git calls for memory notes: `cmem merge-driver timeline|note %O %A %B %P`.
///
/// Git hands over three temporary files (base, ours, theirs); the driver writes the result into the
/// "ours" file and exits 0 when the merge is clean, 1 when conflict markers remain (prose edited in the
/// same place on both sides), which git then reports as a normal conflict.
public enum MergeDriver {
    public enum Kind: String, CaseIterable, Sendable {
        /// `timeline/**/*.md`: union of event blocks by `event_id`.
        case timeline
        /// `sessions/**/*.md`, `decisions/**/*.md`: field-by-field front matter, line-merged prose.
        case note
        /// Files `cmem` regenerates whole (`handoff/**`, `infrastructure/**`): the newer version wins.
        case snapshot
    }

    public struct Outcome: Sendable {
        public var conflicts: Int
        /// Lines for the person running the merge (git prints the driver's stderr).
        public var messages: [String]
        /// The status git expects: 0 clean, 1 conflicts remain.
        public var exitStatus: Int32 { conflicts > 0 ? 1 : 0 }
    }

    /// Merges the three files and writes the result over `ours`.
    public static func run(kind: Kind, base: String, ours: String, theirs: String, path: String?,
                           markerSize: Int = 7) throws -> Outcome {
        let name = path ?? ours
        let b = try read(base), o = try read(ours), t = try read(theirs)
        let merged: (bytes: [UInt8], outcome: Outcome)
        do {
            merged = try mergeBytes(kind: kind, base: b, ours: o, theirs: t, path: name, markerSize: markerSize)
        } catch {
            // The structured merge could not run: fall back to git's line merge rather than fail the pull.
            let m = try LineMerge.merge(base: b, ours: o, theirs: t, labels: LineMerge.Labels(path: name), markerSize: markerSize)
            merged = (m.text, Outcome(conflicts: m.conflicts, messages: ["\(name): \(error); used git's line merge instead"]))
        }
        guard FileManager.default.createFile(atPath: ours, contents: Data(merged.bytes)) else {
            throw SyncError.io("cannot write the merge result to \(ours)")
        }
        return merged.outcome
    }

    /// The merge itself, on bytes.
    public static func mergeBytes(kind: Kind, base: [UInt8], ours: [UInt8], theirs: [UInt8], path: String,
                                  markerSize: Int = 7) throws -> (bytes: [UInt8], outcome: Outcome) {
        switch kind {
        case .timeline:
            let r = RetentionMerge.isSummary(path)
                ? try RetentionMerge.summary(base: base, ours: ours, theirs: theirs, path: path, markerSize: markerSize)
                : RetentionMerge.isArchive(path)
                ? try RetentionMerge.archive(base: base, ours: ours, theirs: theirs, path: path, markerSize: markerSize)
                : try TimelineMerge.merge(base: base, ours: ours, theirs: theirs, path: path, markerSize: markerSize)
            var messages = r.notes.map { "\(path): \($0)" }
            if r.conflicts > 0 { messages.append("\(path): \(r.conflicts) conflict(s) left for a human") }
            return (r.bytes, Outcome(conflicts: r.conflicts, messages: messages))
        case .note:
            guard let bs = String(validating: base, as: UTF8.self), let os = String(validating: ours, as: UTF8.self),
                  let ts = String(validating: theirs, as: UTF8.self) else {
                let m = try LineMerge.merge(base: base, ours: ours, theirs: theirs, labels: LineMerge.Labels(path: path), markerSize: markerSize)
                return (m.text, Outcome(conflicts: m.conflicts, messages: ["\(path): not UTF-8 text; used git's line merge"]))
            }
            let r = try NoteMerge.merge(base: bs, ours: os, theirs: ts, path: path, markerSize: markerSize)
            var messages = r.kept.map {
                "\(path): \($0.field) changed on both sides; kept the later edit, the other value is under \(NoteMerge.keptKey)"
            }
            if r.conflicts > 0 { messages.append("\(path): \(r.conflicts) prose conflict(s) left for a human") }
            return (Array(r.text.utf8), Outcome(conflicts: r.conflicts, messages: messages))
        case .snapshot:
            return mergeSnapshot(base: base, ours: ours, theirs: theirs, path: path)
        }
    }

    /// A regenerated file changed on both sides: mixing two snapshots line by line would describe neither,
    /// so the newer one is kept, judged by the latest RFC 3339 time it mentions (its generation or last
    /// activity time); on a tie, a fixed order of the bytes, so every clone picks the same.
    static func mergeSnapshot(base: [UInt8], ours: [UInt8], theirs: [UInt8], path: String) -> (bytes: [UInt8], outcome: Outcome) {
        if ours == theirs || theirs == base { return (ours, Outcome(conflicts: 0, messages: [])) }
        if ours == base { return (theirs, Outcome(conflicts: 0, messages: [])) }
        let a = latestTime(in: ours), b = latestTime(in: theirs)
        let oursWins = a != b ? (a ?? .min) > (b ?? .min) : ours.lexicographicallyPrecedes(theirs) == false
        return (oursWins ? ours : theirs,
                Outcome(conflicts: 0, messages: ["\(path): regenerated on both sides; kept the newer version"]))
    }

    /// The latest `YYYY-MM-DDTHH:MM…` time in a text, in milliseconds.
    static func latestTime(in bytes: [UInt8]) -> Int64? {
        var best: Int64?
        let n = bytes.count
        var i = 0
        func digit(_ k: Int) -> Bool { k < n && bytes[k] >= 48 && bytes[k] <= 57 }
        while i + 16 <= n {
            if digit(i), digit(i + 1), digit(i + 2), digit(i + 3), bytes[i + 4] == 45, digit(i + 5), digit(i + 6), bytes[i + 7] == 45,
               digit(i + 8), digit(i + 9), bytes[i + 10] == 84, digit(i + 11), digit(i + 12), bytes[i + 13] == 58 {
                var j = i + 11
                while j < n, (bytes[j] >= 48 && bytes[j] <= 58) || bytes[j] == 46 || bytes[j] == 90 || bytes[j] == 43 || bytes[j] == 45 { j += 1 }
                var end = j
                // "…at 2026-01-19T10:00:00Z." ends a sentence: the dot is not part of the time.
                while end > i, !(bytes[end - 1] >= 48 && bytes[end - 1] <= 57) && bytes[end - 1] != 90 { end -= 1 }
                if let t = Array(bytes[i..<end]).withUnsafeBufferPointer({ Timestamp.parse($0) }) {
                    best = max(best ?? .min, t.milliseconds)
                }
                i = j
                continue
            }
            i += 1
        }
        return best
    }

    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw SyncError.io("cannot read \(path)") }
        return [UInt8](data)
    }
}

/// Installs the merge drivers in a clone's `.git/config`. `.gitattributes` (committed, written by
/// `cmem init`) names them; this per-clone configuration tells git what to run, so plain `git pull` and
/// `git merge` use them too. Where a clone lacks it, git falls back to its ordinary text merge.
public enum MergeDriverSetup {
    public static let drivers: [(name: String, kind: MergeDriver.Kind, title: String)] = [
        ("cmem-timeline", .timeline, "Cortex Memory timeline day: union of event blocks by event_id"),
        ("cmem-note", .note, "Cortex Memory note: field-by-field front matter, line-merged prose"),
        ("cmem-snapshot", .snapshot, "Cortex Memory regenerated file: the newer version wins"),
    ]

    /// The command git runs (through `sh -c`); git substitutes and quotes %O %A %B %P and %L.
    public static func command(executable: String, kind: MergeDriver.Kind) -> String {
        "\(shellQuote(executable)) merge-driver \(kind.rawValue) %O %A %B %P --marker-size %L"
    }

    /// Writes `merge.cmem-timeline.*` and `merge.cmem-note.*` into the clone's own config, only where they
    /// differ (so repeated calls, e.g. at each sync, cost nothing). `executable` is the `cmem` binary git
    /// should run; by default the running one.
    public static func configure(repository: GitRepository, executable: String = currentExecutable()) throws {
        for d in drivers {
            let values = [("merge.\(d.name).name", d.title), ("merge.\(d.name).driver", command(executable: executable, kind: d.kind))]
            for (key, value) in values where repository.configString(key) != value {
                try repository.setConfig(key, value)
            }
        }
    }

    /// The same, for the repository whose working tree is `path` (for `cmem init`).
    public static func configure(repositoryAt path: String, executable: String = currentExecutable()) throws {
        try configure(repository: try GitRepository(path: path), executable: executable)
    }

    public static func isConfigured(repository: GitRepository) -> Bool {
        drivers.allSatisfy { repository.configString("merge.\($0.name).driver") != nil }
    }

    /// The absolute path of the running executable.
    public static func currentExecutable() -> String {
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return exe }
        if let exe = Bundle.main.executablePath { return exe }
        return CommandLine.arguments.first ?? "cmem"
    }

    static func shellQuote(_ s: String) -> String {
        let safe = s.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || "/._-+".utf8.contains($0) }
        return safe && !s.isEmpty ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
