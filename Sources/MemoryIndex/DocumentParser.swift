import MemoryModel

/// Field weights for ranking (BM25F-style: a term's frequency is the weighted sum over the fields it
/// appears in, and a document's length is the weighted sum of its fields' lengths).
public enum FieldWeights {
    public static let eventDescription: UInt16 = 3
    public static let eventComponents: UInt16 = 2
    public static let eventType: UInt16 = 2
    public static let eventDetails: UInt16 = 1

    public static let decisionText: UInt16 = 3
    public static let decisionRationale: UInt16 = 2
    public static let decisionAlternatives: UInt16 = 1
    public static let decisionContext: UInt16 = 1
    public static let decisionComponents: UInt16 = 2

    public static let sessionTask: UInt16 = 3
    public static let sessionSummary: UInt16 = 2
    public static let sessionBlockers: UInt16 = 2
    public static let sessionNextSteps: UInt16 = 1
    public static let sessionTodos: UInt16 = 2

    /// What a person wrote in a session or decision note, outside the part cmem regenerates (the
    /// `## Notes` section and anything added around it).
    public static let humanNotes: UInt16 = 1

    /// Markdown notes a person wrote (`DocumentKind.note`): the note's title, a section's heading, its text.
    public static let noteTitle: UInt16 = 3
    public static let noteHeading: UInt16 = 2
    public static let noteText: UInt16 = 1
}

/// Turns the bytes of one note file into index documents. One parser per thread: it keeps scratch
/// buffers between documents.
struct DocumentParser {
    var scratch: [(hash: UInt64, weight: UInt16)] = []
    var local: [String: UInt32] = [:]
    /// Byte-hash to local string id, so that repeated names (types, components) cost no String.
    var localByHash: [UInt64: UInt32] = [:]
    var file = ParsedFile(path: "", kind: .day, signature: .missing, contentHash: 0)
    var d = DocColumns()
    var strings: [String] = []
    var length = 0
    /// Term hash to the file's term id.
    var termIDs = TermTable(capacity: 4096)

    mutating func parse(path: String, kind: FileKind, bytes: [UInt8], signature: FileIO.Signature) -> ParsedFile {
        file = ParsedFile(path: path, kind: kind, signature: signature, contentHash: 0)
        local.removeAll(keepingCapacity: true)
        localByHash.removeAll(keepingCapacity: true)
        termIDs.removeAll()
        d = DocColumns()
        strings = []
        bytes.withUnsafeBufferPointer { b in
            file.contentHash = contentHash(b)
            switch kind {
            case .day: scanDay(b)
            case .session, .decision: parseNote(b, kind: kind)
            case .note:
                // A person's note with bytes that are not UTF-8 is still searched for the words it has, and
                // named (file and line) among the notes the index could not read whole.
                if let line = DocumentParser.firstInvalidUTF8Line(b) {
                    file.errors.append(NoteError(path: path, line: line, message: "not valid UTF-8; indexed without the bytes that are not"))
                }
                parseMarkdown(b, modified: signature.mtimeNanoseconds / 1_000_000)
            }
        }
        var out = file
        d.termHashes = termIDs.hashesByID()
        d.shrink()
        out.docs = d
        out.strings = strings
        file = ParsedFile(path: "", kind: .day, signature: .missing, contentHash: 0)
        d = DocColumns()
        strings = []
        return out
    }

    /// The line of the first byte sequence that is not UTF-8, or nil when all of it is.
    static func firstInvalidUTF8Line(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        if String(validating: b, as: UTF8.self) != nil { return nil }
        var line = 1, start = 0
        for i in 0..<b.count where b[i] == 10 {
            if String(validating: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self) == nil { return line }
            line += 1
            start = i + 1
        }
        return line
    }

    // MARK: Day files

    /// Reads a day file with the model's parser (the reference; `scanDay` is the fast path).
    mutating func parseDay(_ b: UnsafeBufferPointer<UInt8>) {
        if TimelineSummary.month(ofPath: file.path) != nil { scanSummaryLines(b, reference: true) }
        let result = TimelineDay.parse(b, path: file.path, wantSpans: true)
        file.errors = result.errors
        // Spans of blocks that parsed carry a timestamp and come in the same order as the events.
        var spanIndex = 0
        d.reserve(result.events.count)
        for event in result.events {
            while spanIndex < result.spans.count, result.spans[spanIndex].timestamp == nil { spanIndex += 1 }
            guard spanIndex < result.spans.count else { break }
            let span = result.spans[spanIndex]
            spanIndex += 1
            addEvent(event, start: span.start, end: span.end, fenceLine: span.line, bytes: b)
        }
    }

    /// Adds one event read by the model's parser; its block spans `start..<end` of `b`.
    mutating func addEvent(_ e: TimelineEvent, start: Int, end: Int, fenceLine: Int, bytes b: UnsafeBufferPointer<UInt8>) {
        d.ts.append(e.timestamp.milliseconds)
        d.kind.append(DocumentKind.event.rawValue)
        d.severity.append(e.severity.code)
        d.type.append(intern(e.type))
        d.source.append(intern(e.source))
        d.group.append(e.details["namespace"]?.stringValue.map { intern($0) } ?? noString)
        d.session.append(noString)
        d.file.append(0)
        d.offset.append(UInt32(start))
        d.length.append(UInt32(end - start))
        d.line.append(UInt32(headingLine(start: start, end: end, fenceLine: fenceLine, bytes: b)))
        d.idHash.append(exactHash(e.id))
        d.causedBy.append(e.causedBy.map(exactHash) ?? 0)
        for c in e.components { d.components.append(intern(c)) }
        d.componentStart.append(UInt32(d.components.count))
        let shaCount = d.shas.count
        for key in ["sha", "revision", "commit"] {
            if let s = e.details[key]?.stringValue, let k = shaKey(s) { d.shas.append(k) }
        }
        var desc = e.description
        desc.withUTF8 { appendHexRuns($0, into: &d.shas) }
        if d.shas.count - shaCount > 1 { // keep each key once
            var seen: [UInt32] = []
            for k in d.shas[shaCount...] where !seen.contains(k) { seen.append(k) }
            d.shas.replaceSubrange(shaCount..., with: seen)
        }
        d.shaStart.append(UInt32(d.shas.count))

        scratch.removeAll(keepingCapacity: true)
        length = 0
        add(e.description, FieldWeights.eventDescription)
        for c in e.components { add(c, FieldWeights.eventComponents) }
        add(e.type, FieldWeights.eventType)
        addDetails(e.details)
        finishTerms()
    }

    /// The line of the block's `## ` heading (the span starts there), counting from the fence line.
    func headingLine(start: Int, end: Int, fenceLine: Int, bytes b: UnsafeBufferPointer<UInt8>) -> Int {
        var newlines = 0
        var i = start
        var lineStart = i
        while i < end {
            if b[i] == 10 {
                newlines += 1
                lineStart = i + 1
                if lineStart + 7 <= end, b[lineStart] == 96, b[lineStart + 1] == 96, b[lineStart + 2] == 96, b[lineStart + 3] == 121 {
                    return max(1, fenceLine - newlines)
                }
            }
            i += 1
        }
        return fenceLine
    }

    mutating func addDetails(_ v: JSONValue) {
        switch v {
        case let .string(s): add(s, FieldWeights.eventDetails)
        case let .array(items): for item in items { addDetails(item) }
        case let .object(pairs): for (_, value) in pairs { addDetails(value) }
        default: break
        }
    }

    // MARK: Notes

    private mutating func parseNote(_ b: UnsafeBufferPointer<UInt8>, kind: FileKind) {
        let path = file.path
        do {
            let values = try FrontMatterReader.values(b, path: path)
            scratch.removeAll(keepingCapacity: true)
            length = 0
            if kind == .session {
                let s = try Session(values: values, path: path)
                d.ts.append(s.startedAt.milliseconds)
                d.kind.append(DocumentKind.session.rawValue)
                d.type.append(noString)
                d.group.append(s.project.isEmpty ? noString : intern(s.project))
                d.session.append(intern(s.id))
                d.idHash.append(exactHash(s.id))
                add(s.currentTask, FieldWeights.sessionTask)
                add(s.summary, FieldWeights.sessionSummary)
                for x in s.blockers { add(x, FieldWeights.sessionBlockers) }
                for x in s.nextSteps { add(x, FieldWeights.sessionNextSteps) }
                for t in s.todoList { add(t.text, FieldWeights.sessionTodos) }
            } else {
                let dec = try Decision(values: values, path: path)
                d.ts.append(dec.timestamp.milliseconds)
                d.kind.append(DocumentKind.decision.rawValue)
                d.type.append(dec.status.isEmpty ? noString : intern(dec.status))
                d.group.append(dec.project.isEmpty ? noString : intern(dec.project))
                d.session.append(dec.sessionID.map { intern($0) } ?? noString)
                d.idHash.append(exactHash(dec.id))
                for c in dec.components { d.components.append(intern(c)) }
                add(dec.decision, FieldWeights.decisionText)
                add(dec.rationale, FieldWeights.decisionRationale)
                for x in dec.alternatives { add(x, FieldWeights.decisionAlternatives) }
                add(dec.context, FieldWeights.decisionContext)
                add(dec.consequences, FieldWeights.decisionContext)
                for c in dec.components { add(c, FieldWeights.decisionComponents) }
            }
            if let human = DocumentParser.humanText(b) { add(bytes: human, FieldWeights.humanNotes) }
            d.severity.append(0)
            d.source.append(noString)
            d.file.append(0)
            d.offset.append(0)
            d.length.append(UInt32(min(b.count, Int(UInt32.max))))
            d.line.append(1)
            d.causedBy.append(0)
            d.componentStart.append(UInt32(d.components.count))
            d.shaStart.append(UInt32(d.shas.count))
            finishTerms()
        } catch let error as NoteError {
            file.errors.append(error)
        } catch {
            file.errors.append(NoteError(path: path, line: 1, message: "\(error)"))
        }
    }

    // MARK: Markdown notes

    /// A Markdown note a person wrote: one document per section (the text before the first heading, then
    /// each heading with the text under it), so that a hit names the line of its section. The note's
    /// title (its first `# ` heading, else its file name) counts in its first section; front matter and
    /// the part cmem generates (between the markers) are not read. Time: the file's modification time.
    private mutating func parseMarkdown(_ b: UnsafeBufferPointer<UInt8>, modified: Int64) {
        let n = b.count
        var i = 0
        var lineNumber = 1
        var inFence = false, inManaged = false, inFrontMatter = false
        var sectionStart = 0, sectionLine = 1
        var hasTerms = false
        var first = true
        let name = file.path.split(separator: "/").last.map(String.init) ?? file.path
        let title = firstHeading(b) ?? String(name.dropLast(3))
        func begins(_ start: Int, _ end: Int, _ text: String) -> Bool {
            let u = Array(text.utf8)
            return end - start >= u.count && (0..<u.count).allSatisfy { b[start + $0] == u[$0] }
        }
        scratch.removeAll(keepingCapacity: true)
        length = 0
        func finish(_ end: Int) {
            guard hasTerms else { return }
            d.ts.append(modified)
            d.kind.append(DocumentKind.note.rawValue)
            d.type.append(noString)
            d.group.append(noString)
            d.session.append(noString)
            d.idHash.append(exactHash("\(file.path):\(sectionLine)"))
            d.severity.append(0)
            d.source.append(noString)
            d.file.append(0)
            d.offset.append(UInt32(sectionStart))
            d.length.append(UInt32(min(end - sectionStart, Int(UInt32.max))))
            d.line.append(UInt32(sectionLine))
            d.causedBy.append(0)
            d.componentStart.append(UInt32(d.components.count))
            d.shaStart.append(UInt32(d.shas.count))
            finishTerms()
            scratch.removeAll(keepingCapacity: true)
            length = 0
            hasTerms = false
        }
        if begins(0, n, "---\n") || begins(0, n, "---\r\n") { inFrontMatter = true }
        while i < n {
            var e = i
            while e < n, b[e] != 10 { e += 1 }
            let line = UnsafeBufferPointer(rebasing: b[i..<e])
            defer {
                i = e + 1
                lineNumber += 1
            }
            if inFrontMatter {
                if lineNumber > 1, begins(i, e, "---") || begins(i, e, "...") { inFrontMatter = false }
                continue
            }
            if inManaged {
                if begins(i, e, ManagedSection.end) { inManaged = false }
                continue
            }
            if begins(i, e, "<!-- cmem:begin") {
                inManaged = true
                continue
            }
            if begins(i, e, "```") || begins(i, e, "~~~") { inFence.toggle() }
            if !inFence, line.count > 1, line[0] == 35 {
                var level = 0
                while level < line.count, line[level] == 35 { level += 1 }
                if level <= 6, level < line.count, line[level] == 32 {
                    finish(i)
                    sectionStart = i
                    sectionLine = lineNumber
                    if first { add(title, FieldWeights.noteTitle) }
                    first = false
                    add(bytes: UnsafeBufferPointer(rebasing: line[level...]), FieldWeights.noteHeading)
                    hasTerms = true
                    continue
                }
            }
            let before = scratch.count
            add(bytes: line, FieldWeights.noteText)
            if scratch.count > before {
                if !hasTerms, first {
                    add(title, FieldWeights.noteTitle)
                    first = false
                }
                hasTerms = true
            }
        }
        finish(n)
    }

    /// The text of the first `# ` heading outside front matter and code, if any.
    func firstHeading(_ b: UnsafeBufferPointer<UInt8>) -> String? {
        var i = 0
        var inFence = false
        var lineNumber = 1
        var inFrontMatter = b.count >= 4 && b[0] == 45 && b[1] == 45 && b[2] == 45 && (b[3] == 10 || b[3] == 13)
        while i < b.count {
            var e = i
            while e < b.count, b[e] != 10 { e += 1 }
            defer {
                i = e + 1
                lineNumber += 1
            }
            let line = String(decoding: UnsafeBufferPointer(rebasing: b[i..<e]), as: UTF8.self)
            if inFrontMatter {
                if lineNumber > 1, line.hasPrefix("---") { inFrontMatter = false }
                continue
            }
            if line.hasPrefix("```") || line.hasPrefix("~~~") { inFence.toggle() }
            if !inFence, line.hasPrefix("# ") { return line.dropFirst(2).trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        return nil
    }

    /// The bytes of a note's body that a person wrote: after the end of the part cmem regenerates
    /// (`ManagedSection.end`); with the markers gone, the whole body after the front matter. nil when empty.
    static func humanText(_ b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        let start: Int
        if let end = find(Array(ManagedSection.end.utf8), in: b, from: 0) {
            start = end + ManagedSection.end.utf8.count
        } else if let close = find(Array("\n---\n".utf8), in: b, from: 0) {
            start = close + 5
        } else {
            return nil
        }
        return start < b.count ? UnsafeBufferPointer(rebasing: b[start...]) : nil
    }

    private static func find(_ needle: [UInt8], in b: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard let first = needle.first, b.count >= needle.count else { return nil }
        var i = from
        while i + needle.count <= b.count {
            if b[i] == first {
                var k = 1
                while k < needle.count, b[i + k] == needle[k] { k += 1 }
                if k == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    // MARK: Terms and strings

    mutating func intern(_ s: String) -> UInt32 {
        if let id = local[s] { return id }
        let id = UInt32(strings.count)
        strings.append(s)
        local[s] = id
        return id
    }

    mutating func add(_ text: String, _ weight: UInt16) {
        var text = text
        text.withUTF8 { add(bytes: $0, weight) }
    }

    mutating func add(bytes: UnsafeBufferPointer<UInt8>, _ weight: UInt16) {
        let n = Tokenizer.appendTerms(bytes, weight: weight, into: &scratch)
        length += n * Int(weight)
    }

    /// The local id of the string with these bytes. Keyed by a 64-bit hash of the bytes: a file names a
    /// few hundred distinct strings, so a collision is about as likely as a cosmic-ray bit flip.
    mutating func intern(bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var h = Tokenizer.fnvOffset
        for b in bytes { h = (h ^ UInt64(b)) &* Tokenizer.fnvPrime }
        if let id = localByHash[h] { return id }
        let id = intern(String(decoding: bytes, as: UTF8.self))
        localByHash[h] = id
        return id
    }

    /// Folds the scratch terms into distinct (term, weighted frequency) pairs for the document.
    mutating func finishTerms() {
        d.docLength.append(UInt16(min(length, Int(UInt16.max))))
        let n = scratch.count
        scratch.withUnsafeMutableBufferPointer { s in
            // A section of a long note may have thousands of terms: not for insertion sort.
            if n > 64 {
                s.sort { $0.hash < $1.hash }
                return
            }
            // Insertion sort: a document has a few dozen terms.
            for i in 1..<max(1, n) {
                let x = s[i]
                var j = i
                while j > 0, s[j - 1].hash > x.hash {
                    s[j] = s[j - 1]
                    j -= 1
                }
                s[j] = x
            }
        }
        var i = 0
        while i < n {
            let h = scratch[i].hash
            var tf = 0
            while i < n, scratch[i].hash == h {
                tf += Int(scratch[i].weight)
                i += 1
            }
            d.terms.append(termIDs.insert(h))
            d.termFreq.append(UInt8(min(tf, 255)))
        }
        d.termStart.append(UInt32(d.terms.count))
    }
}

extension Severity {
    /// The severity column's value.
    var code: UInt8 {
        switch self {
        case .info: return 0
        case .warning: return 1
        case .error: return 2
        case .critical: return 3
        }
    }
}

func severity(code: UInt8) -> Severity {
    switch code {
    case 1: return .warning
    case 2: return .error
    case 3: return .critical
    default: return .info
    }
}

/// A commit SHA (7 to 40 hex digits) reduced to its first 7 digits, 28 bits: enough to tell commits apart
/// within any time window, and what a short SHA in a description shares with a full one in details.
func shaKey(_ s: String) -> UInt32? {
    var s = s
    return s.withUTF8 { shaKey(bytes: $0) }
}

func shaKey(bytes s: UnsafeBufferPointer<UInt8>) -> UInt32? {
    var value: UInt32 = 0
    var count = 0
    var letters = false, digits = false
    for c in s {
        guard let v = hexValue(c) else { return nil }
        if count < 7 { value = value << 4 | UInt32(v) }
        if v < 10 { digits = true } else { letters = true }
        count += 1
    }
    guard count >= 7, count <= 40, letters || count == 40, digits || count == 40 else { return nil }
    return value
}

@inline(__always)
func hexValue(_ c: UInt8) -> UInt8? {
    if c >= 48 && c <= 57 { return c - 48 }
    if c >= 97 && c <= 102 { return c - 87 }
    if c >= 65 && c <= 70 { return c - 55 }
    return nil
}

/// Appends the key of each word of 7 to 40 hex digits in `b` to `out` (see `forEachHexRun`).
func appendHexRuns(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt32]) {
    forEachHexRun(b) { out.append($0) }
}

/// Calls `body` with the key of each word of 7 to 40 hex digits (with at least one digit and one letter,
/// so that numbers and words like "deadbeef" or "facade" do not count) in `b`.
@inline(__always)
func forEachHexRun(_ b: UnsafeBufferPointer<UInt8>, _ body: (UInt32) -> Void) {
    var i = 0
    let n = b.count
    while i < n {
        // Start of a word?
        let c = b[i]
        let isWord = (c >= 48 && c <= 57) || (c | 0x20 >= 97 && c | 0x20 <= 122) || c == 95
        if !isWord { i += 1; continue }
        var j = i
        var value: UInt32 = 0
        var allHex = true, letters = false, digits = false
        while j < n {
            let ch = b[j]
            let w = (ch >= 48 && ch <= 57) || (ch | 0x20 >= 97 && ch | 0x20 <= 122) || ch == 95
            if !w { break }
            if let v = hexValue(ch) {
                if j - i < 7 { value = value << 4 | UInt32(v) }
                if v < 10 { digits = true } else { letters = true }
            } else {
                allHex = false
            }
            j += 1
        }
        let len = j - i
        if allHex, len >= 7, len <= 40, letters, digits { body(value) }
        i = j
    }
}
