import MemoryModel

/// What kind of note a document comes from. The raw values are stored in snapshots.
public enum DocumentKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case event = 0
    case decision = 1
    case session = 2
    /// A section of a Markdown note a person wrote anywhere in the repository (a runbook, a postmortem),
    /// or of the prose around the generated part of a component note or the home note.
    case note = 3

    public var description: String {
        switch self {
        case .event: return "event"
        case .decision: return "decision"
        case .session: return "session"
        case .note: return "note"
        }
    }

    public init?(name: String) {
        switch name.lowercased() {
        case "event", "events": self = .event
        case "decision", "decisions": self = .decision
        case "session", "sessions": self = .session
        case "note", "notes": self = .note
        default: return nil
        }
    }
}

/// The kinds of files the index reads, told apart by path.
enum FileKind: UInt8 {
    case day = 0, session = 1, decision = 2, note = 3

    /// `timeline/YYYY/MM/YYYY-MM-DD.md`, `sessions/YYYY/MM/<id>.md`, `decisions/YYYY/MM/<id>.md`; any other
    /// Markdown file outside the folders cmem fills and outside hidden folders is a note (`isNotePath`).
    init?(path: String) {
        var path = path
        if let kind = path.withUTF8({ FileKind(bytes: $0) }) {
            self = kind
        } else if FileKind.isNotePath(path) {
            self = .note
        } else {
            return nil
        }
    }

    /// Top-level folders whose files are not notes of a person: the ones cmem writes (their notes are read
    /// as sessions, decisions and days, or are regenerated whole), and an editor's trash.
    static let notNoteFolders: Set<Substring> = ["timeline", "sessions", "decisions", "handoff", "infrastructure", "node_modules"]

    /// A Markdown file a person may have written: `*.md`, no part of the path hidden (`.obsidian/`,
    /// `.trash/`, `.cmem/`), not below a folder of `notNoteFolders`, at most `noteDepth` folders deep.
    static func isNotePath(_ path: String) -> Bool {
        guard path.hasSuffix(".md"), path.utf8.count > 3 else { return false }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= noteDepth + 1, !parts.contains(where: { $0.isEmpty || $0.hasPrefix(".") }) else { return false }
        return parts.count == 1 || !notNoteFolders.contains(parts[0])
    }

    /// Whether the folder `path` (relative, "." for the root) may hold notes.
    static func isNoteFolder(_ path: String) -> Bool {
        if path == "." { return true }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count <= noteDepth && !parts.contains(where: { $0.isEmpty || $0.hasPrefix(".") }) && !notNoteFolders.contains(parts[0])
    }

    static let noteDepth = 6

    private init?(bytes p: UnsafeBufferPointer<UInt8>) {
        // <root>/YYYY/MM/<name>.md, name not empty and without '/'.
        let n = p.count
        guard n > 3, p[n - 3] == 46, p[n - 2] == 109, p[n - 1] == 100 else { return nil } // ".md"
        var root = 0
        while root < n, p[root] != 47 { root += 1 }
        let y = root + 1, m = y + 5, name = m + 3
        guard name < n - 3, p[y + 4] == 47, p[m + 2] == 47 else { return nil }
        for i in [y, y + 1, y + 2, y + 3, m, m + 1] where !(p[i] >= 48 && p[i] <= 57) { return nil }
        for i in name..<n where p[i] == 47 { return nil }
        let r = UnsafeBufferPointer(rebasing: p[0..<root])
        if r.elementsEqual("timeline".utf8) { self = .day }
        else if r.elementsEqual("sessions".utf8) { self = .session }
        else if r.elementsEqual("decisions".utf8) { self = .decision }
        else { return nil }
    }

    static let roots = ["timeline", "sessions", "decisions"]
}

extension Character {
    var isASCIIDigit: Bool { asciiValue.map { $0 >= 48 && $0 <= 57 } ?? false }
}

/// "No value" in a string-id column.
let noString: UInt32 = .max

/// Per-document columns, struct of arrays. The same shape holds one parsed file's documents (string and
/// term ids local to the file) and a segment under construction (ids global).
struct DocColumns {
    var ts: [Int64] = []
    var kind: [UInt8] = []
    var severity: [UInt8] = []
    var type: [UInt32] = []
    var source: [UInt32] = []
    /// Events: `details.namespace`. Sessions and decisions: the project.
    var group: [UInt32] = []
    /// Sessions: their own ID. Decisions: the session they were taken in.
    var session: [UInt32] = []
    var file: [UInt32] = []
    var offset: [UInt32] = []
    var length: [UInt32] = []
    var line: [UInt32] = []
    var docLength: [UInt16] = []
    var idHash: [UInt64] = []
    var causedBy: [UInt64] = []
    var componentStart: [UInt32] = [0]
    var components: [UInt32] = []
    var shaStart: [UInt32] = [0]
    var shas: [UInt32] = []
    /// Per document, its distinct terms (ids into `termHashes`) with their weighted frequency.
    var termStart: [UInt32] = [0]
    var terms: [UInt32] = []
    var termFreq: [UInt8] = []
    /// The hash of each term id.
    var termHashes: [UInt64] = []

    var count: Int { ts.count }

    /// Gives back the spare capacity that appending left (parsed files wait in memory for the build).
    mutating func shrink() {
        func fit<T>(_ a: inout [T]) {
            guard a.capacity > a.count + a.count / 8 + 16 else { return }
            var b: [T] = []
            b.reserveCapacity(a.count)
            b.append(contentsOf: a)
            a = b
        }
        fit(&ts); fit(&kind); fit(&severity); fit(&type); fit(&source); fit(&group); fit(&session); fit(&file)
        fit(&offset); fit(&length); fit(&line); fit(&docLength); fit(&idHash); fit(&causedBy); fit(&componentStart)
        fit(&components); fit(&shaStart); fit(&shas); fit(&termStart); fit(&terms); fit(&termFreq); fit(&termHashes)
    }

    mutating func reserve(_ n: Int) {
        ts.reserveCapacity(n); kind.reserveCapacity(n); severity.reserveCapacity(n); type.reserveCapacity(n)
        source.reserveCapacity(n); group.reserveCapacity(n); session.reserveCapacity(n); file.reserveCapacity(n)
        offset.reserveCapacity(n); length.reserveCapacity(n); line.reserveCapacity(n); docLength.reserveCapacity(n)
        idHash.reserveCapacity(n); causedBy.reserveCapacity(n); componentStart.reserveCapacity(n + 1)
        shaStart.reserveCapacity(n + 1); termStart.reserveCapacity(n + 1)
    }
}

/// One file read from disk: its documents, and the notes in it that could not be read.
struct ParsedFile {
    var path: String
    var kind: FileKind
    var signature: FileIO.Signature
    var contentHash: UInt64
    var errors: [NoteError] = []
    /// Strings referenced by the columns, by local id.
    var strings: [String] = []
    var docs = DocColumns()
}

/// A 64-bit FNV-1a hash of the exact bytes (IDs, file contents).
@inline(__always)
func exactHash(_ s: String) -> UInt64 {
    var h = Tokenizer.fnvOffset
    for b in s.utf8 { h = (h ^ UInt64(b)) &* Tokenizer.fnvPrime }
    return h == 0 ? 1 : h
}

/// A fast 64-bit content hash (not cryptographic): four FNV-style lanes over 8-byte words.
func contentHash(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var h0: UInt64 = 0x9E37_79B9_7F4A_7C15, h1: UInt64 = 0xC2B2_AE3D_27D4_EB4F, h2: UInt64 = 0x1656_67B1_9E37_79F9
    var h3: UInt64 = 0x27D4_EB2F_1656_67C5
    let n = b.count
    var i = 0
    if let base = b.baseAddress {
        let raw = UnsafeRawPointer(base)
        while i + 32 <= n {
            h0 = (h0 ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x100_0000_01b3
            h1 = (h1 ^ raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)) &* 0x100_0000_01b3
            h2 = (h2 ^ raw.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)) &* 0x100_0000_01b3
            h3 = (h3 ^ raw.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)) &* 0x100_0000_01b3
            i += 32
        }
    }
    var tail: UInt64 = UInt64(n)
    while i < n { tail = (tail ^ UInt64(b[i])) &* 0x100_0000_01b3; i += 1 }
    return mix(h0 ^ mix(h1) ^ mix(mix(h2) ^ h3) ^ tail)
}

@inline(__always)
func mix(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
