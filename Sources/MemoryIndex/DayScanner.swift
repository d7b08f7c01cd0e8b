import MemoryModel

/// The fast path for day files: reads the blocks `cmem` writes (one `key: value` line per field, see
/// `TimelineDay.yaml(for:)`) straight into index columns, without building `TimelineEvent` values. Any
/// block outside that exact shape (a human's reformatting, a broken field) is handed to the model's
/// parser, `TimelineDay.parse`, so what is indexed and which errors are reported are the model's. A test
/// checks that both paths give the same documents.
extension DocumentParser {
    mutating func scanDay(_ b: UnsafeBufferPointer<UInt8>) {
        if TimelineSummary.month(ofPath: file.path) != nil { scanSummaryLines(b) }
        TimelineBlock.scan(b) { block in
            guard block.closed else {
                // The model reports the unclosed block and reads what it can from here.
                fallback(b, from: block.start, to: b.count, firstLine: block.startLine)
                return
            }
            if !fastBlock(b, block.yaml.lowerBound, block.yaml.upperBound, blockStart: block.start, blockEnd: block.end,
                          line: block.startLine) {
                fallback(b, from: block.start, to: block.end, firstLine: block.startLine)
            }
        }
    }

    /// A month summary's one-line entries (retention's deployments and config changes), each an event
    /// whose description is its headline; the summary's event blocks are read as a day file's. `reference`
    /// reads each entry as the model's `TimelineEvent` instead of from its byte ranges (the test compares both).
    mutating func scanSummaryLines(_ b: UnsafeBufferPointer<UInt8>, reference: Bool = false) {
        var p = 0, line = 1
        while p < b.count {
            var e = p
            while e < b.count, b[e] != 10 { e += 1 }
            if e - p > 30, b[p] == 45, b[p + 1] == 32, b[p + 2] >= 48, b[p + 2] <= 57 { // "- 2…"
                let entry = UnsafeBufferPointer(rebasing: b[p..<e])
                if reference {
                    if let event = TimelineSummary.event(fromLine: entry) { addEvent(event, start: p, end: e, fenceLine: line, bytes: b) }
                } else if let fields = TimelineSummary.LineFields(entry) {
                    addSummaryLine(b, fields, start: p, end: e, line: line)
                }
            }
            p = e + 1
            line += 1
        }
    }

    /// One entry of a summary, from the ranges the model found in the line `start..<end`; it has no details.
    private mutating func addSummaryLine(_ b: UnsafeBufferPointer<UInt8>, _ f: TimelineSummary.LineFields, start: Int, end: Int, line: Int) {
        func bytes(_ r: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: b[(start + r.lowerBound)..<(start + r.upperBound)]) }
        d.ts.append(f.timestamp.milliseconds)
        d.kind.append(DocumentKind.event.rawValue)
        d.severity.append(f.severity.code)
        d.type.append(intern(bytes: bytes(f.type)))
        d.source.append(f.source.map { intern(bytes: bytes($0)) } ?? intern("unknown"))
        d.group.append(noString)
        d.session.append(noString)
        d.file.append(0)
        d.offset.append(UInt32(start))
        d.length.append(UInt32(end - start))
        d.line.append(UInt32(line))
        d.idHash.append(exactHash(bytes: bytes(f.id)))
        d.causedBy.append(0)
        for r in f.components { d.components.append(intern(bytes: bytes(r))) }
        d.componentStart.append(UInt32(d.components.count))
        let shaCount = d.shas.count
        let description = bytes(f.description)
        appendHexRuns(description, into: &d.shas)
        finishShas(shaCount)
        scratch.removeAll(keepingCapacity: true)
        length = 0
        add(bytes: description, FieldWeights.eventDescription)
        for r in f.components { add(bytes: bytes(r), FieldWeights.eventComponents) }
        add(bytes: bytes(f.type), FieldWeights.eventType)
        finishTerms()
    }

    /// Reads `from..<to` with the model's parser; its line numbers start at `firstLine`.
    private mutating func fallback(_ b: UnsafeBufferPointer<UInt8>, from: Int, to: Int, firstLine: Int) {
        let slice = UnsafeBufferPointer(rebasing: b[from..<to])
        let result = TimelineDay.parse(slice, path: file.path, wantSpans: true)
        for e in result.errors { file.errors.append(NoteError(path: e.path, line: e.line + firstLine - 1, message: e.message)) }
        var spanIndex = 0
        for event in result.events {
            while spanIndex < result.spans.count, result.spans[spanIndex].timestamp == nil { spanIndex += 1 }
            guard spanIndex < result.spans.count else { break }
            let span = result.spans[spanIndex]
            spanIndex += 1
            addEvent(event, start: from + span.start, end: from + span.end, fenceLine: span.line + firstLine - 1, bytes: b)
        }
    }

    /// One canonical block's YAML lines in `ys..<ye`. Returns false, having added nothing, when the block
    /// is not in the canonical shape or has a problem the model must report.
    private mutating func fastBlock(_ b: UnsafeBufferPointer<UInt8>, _ ys: Int, _ ye: Int, blockStart: Int, blockEnd: Int, line: Int) -> Bool {
        var id: Range<Int>?, type: Range<Int>?, source: Range<Int>?, caused: Range<Int>?, components: Range<Int>?
        var description: Range<Int>?, descriptionEscaped = false, details: Range<Int>?
        var timestamp: Timestamp?
        var severity: UInt8 = 0
        var p = ys
        while p < ye {
            var e = p
            while e < ye, b[e] != 10 { e += 1 }
            let next = e + 1
            if e > p, b[e - 1] == 13 { e -= 1 }
            defer { p = next }
            if e == p { continue }
            var c = p
            while c < e, b[c] != 58 {
                let ch = b[c]
                guard (ch >= 97 && ch <= 122) || ch == 95 else { return false }
                c += 1
            }
            guard c < e, c > p, c + 1 < e, b[c + 1] == 32 else { return false }
            let v = (c + 2)..<e
            @inline(__always) func isKey(_ k: StaticString) -> Bool {
                guard c - p == k.utf8CodeUnitCount else { return false }
                for i in 0..<k.utf8CodeUnitCount where b[p + i] != k.utf8Start[i] { return false }
                return true
            }
            switch c - p {
            case 8 where isKey("event_id"):
                guard let r = plain(b, v) else { return false }
                id = r
            case 9 where isKey("timestamp"):
                guard let r = plain(b, v), let t = Timestamp.parse(UnsafeBufferPointer(rebasing: b[r])) else { return false }
                timestamp = t
            case 10 where isKey("event_type"):
                guard let r = plain(b, v) else { return false }
                type = r
            case 6 where isKey("source"):
                guard let r = plain(b, v) else { return false }
                source = r
            case 8 where isKey("severity"):
                guard let r = plain(b, v), let s = severityCode(b, r) else { return false }
                severity = s
            case 19 where isKey("affected_components"):
                guard b[v.lowerBound] == 91, b[v.upperBound - 1] == 93 else { return false }
                components = v
            case 9 where isKey("caused_by"):
                guard let r = plain(b, v) else { return false }
                caused = r
            case 11 where isKey("description"):
                guard b[v.lowerBound] == 34, let (r, escaped) = quoted(b, v) else { return false }
                description = r
                descriptionEscaped = escaped
            case 7 where isKey("details"):
                guard b[v.lowerBound] == 123 else { return false }
                details = v
            default:
                continue // a key a human added
            }
        }
        // What the model requires of every block.
        guard let id, isSafeName(b, id), let timestamp, let type, !type.isEmpty else { return false }
        // Details: scanned in place when they are plain JSON (no escapes); otherwise parsed.
        var details_ = DetailsScan()
        var detailValues: JSONValue?
        if let details {
            if !scanDetails(b, details, into: &details_) {
                guard let v = try? JSONValue.parse(bytes: UnsafeBufferPointer(rebasing: b[details]), maxDepth: 32, exactIntegers: false), case .object = v else { return false }
                detailValues = v
            }
        }
        var componentRanges: [Range<Int>] = []
        if let components {
            guard let items = stringList(b, components) else { return false }
            componentRanges = items
        }
        var causedHash: UInt64 = 0
        if let caused {
            let raw = UnsafeBufferPointer(rebasing: b[caused])
            let isNull = (raw.count == 4 && raw[0] == 110 && raw[1] == 117 && raw[2] == 108 && raw[3] == 108) || (raw.count == 1 && raw[0] == 126)
            if !isNull {
                if raw.count >= 4, raw[0] == 91, raw[1] == 91 { return false } // a [[link]]: the model unwraps it
                causedHash = exactHash(bytes: raw)
            }
        }

        d.ts.append(timestamp.milliseconds)
        d.kind.append(DocumentKind.event.rawValue)
        d.severity.append(severity)
        d.type.append(intern(bytes: UnsafeBufferPointer(rebasing: b[type])))
        d.source.append(source.map { intern(bytes: UnsafeBufferPointer(rebasing: b[$0])) } ?? intern("unknown"))
        if let v = detailValues {
            d.group.append(v["namespace"]?.stringValue.map { intern($0) } ?? noString)
        } else {
            d.group.append(details_.namespace.map { intern(bytes: UnsafeBufferPointer(rebasing: b[$0])) } ?? noString)
        }
        d.session.append(noString)
        d.file.append(0)
        d.offset.append(UInt32(blockStart))
        d.length.append(UInt32(blockEnd - blockStart))
        d.line.append(UInt32(line))
        d.idHash.append(exactHash(bytes: UnsafeBufferPointer(rebasing: b[id])))
        d.causedBy.append(causedHash)
        for r in componentRanges { d.components.append(intern(bytes: UnsafeBufferPointer(rebasing: b[r]))) }
        d.componentStart.append(UInt32(d.components.count))
        let shaCount = d.shas.count
        if let v = detailValues {
            for key in DetailsScan.shaKeys {
                if let s = v[key]?.stringValue, let k = shaKey(s) { d.shas.append(k) }
            }
        } else {
            for r in details_.shas.compactMap({ $0 }) {
                if let k = shaKey(bytes: UnsafeBufferPointer(rebasing: b[r])) { d.shas.append(k) }
            }
        }

        scratch.removeAll(keepingCapacity: true)
        length = 0
        if let description {
            if descriptionEscaped {
                let full = (description.lowerBound - 1)..<(description.upperBound + 1)
                guard case let .string(text)? = try? JSONValue.parse(bytes: UnsafeBufferPointer(rebasing: b[full]), maxDepth: 2) else {
                    // Cannot happen for a string the quote scan accepted; keep the columns consistent anyway.
                    finishShas(shaCount)
                    finishTerms()
                    return true
                }
                add(text, FieldWeights.eventDescription)
                var t = text
                t.withUTF8 { appendHexRuns($0, into: &d.shas) }
            } else {
                let bytes = UnsafeBufferPointer(rebasing: b[description])
                add(bytes: bytes, FieldWeights.eventDescription)
                appendHexRuns(bytes, into: &d.shas)
            }
        }
        finishShas(shaCount)
        for r in componentRanges { add(bytes: UnsafeBufferPointer(rebasing: b[r]), FieldWeights.eventComponents) }
        add(bytes: UnsafeBufferPointer(rebasing: b[type]), FieldWeights.eventType)
        if let v = detailValues {
            addDetails(v)
        } else {
            for r in details_.strings { add(bytes: UnsafeBufferPointer(rebasing: b[r]), FieldWeights.eventDetails) }
        }
        finishTerms()
        return true
    }

    /// What the index needs from an event's details: every string value, and a few known keys.
    struct DetailsScan {
        static let shaKeys = ["sha", "revision", "commit"]
        var strings: [Range<Int>] = []
        var namespace: Range<Int>?
        /// The values of `sha`, `revision`, `commit`, in that order.
        var shas: [Range<Int>?] = [nil, nil, nil]
    }

    /// Scans a JSON object with no escapes in its strings. Returns false (nothing decided) for anything
    /// else, including JSON this strict scanner does not accept; the caller then uses the JSON parser.
    private func scanDetails(_ b: UnsafeBufferPointer<UInt8>, _ v: Range<Int>, into out: inout DetailsScan) -> Bool {
        var i = v.lowerBound
        let end = v.upperBound
        @inline(__always) func space() { while i < end, b[i] == 32 || b[i] == 9 || b[i] == 10 || b[i] == 13 { i += 1 } }
        func string() -> Range<Int>? {
            guard i < end, b[i] == 34 else { return nil }
            let s = i + 1
            var j = s
            while j < end {
                let c = b[j]
                if c == 34 { break }
                if c == 92 || c < 0x20 { return nil }
                j += 1
            }
            guard j < end else { return nil }
            i = j + 1
            return s..<j
        }
        func literal(_ word: StaticString) -> Bool {
            let n = word.utf8CodeUnitCount
            guard i + n <= end else { return false }
            for k in 0..<n where b[i + k] != word.utf8Start[k] { return false }
            i += n
            return true
        }
        func number() -> Bool {
            let s = i
            if i < end, b[i] == 45 { i += 1 }
            guard i < end, b[i] >= 48, b[i] <= 57 else { return false }
            if b[i] == 48 { i += 1 } else { while i < end, b[i] >= 48, b[i] <= 57 { i += 1 } }
            if i < end, b[i] == 46 {
                i += 1
                guard i < end, b[i] >= 48, b[i] <= 57 else { return false }
                while i < end, b[i] >= 48, b[i] <= 57 { i += 1 }
            }
            if i < end, b[i] == 101 || b[i] == 69 {
                i += 1
                if i < end, b[i] == 43 || b[i] == 45 { i += 1 }
                guard i < end, b[i] >= 48, b[i] <= 57 else { return false }
                while i < end, b[i] >= 48, b[i] <= 57 { i += 1 }
            }
            return i > s
        }
        func value(depth: Int, key: Range<Int>?) -> Bool {
            guard depth < 32 else { return false }
            space()
            guard i < end else { return false }
            if depth == 1, b[i] != 34, let key {
                // A known key with a non-string value: leave it to the JSON parser's rules.
                let k = UnsafeBufferPointer(rebasing: b[key])
                if k.elementsEqual("namespace".utf8) || k.elementsEqual("sha".utf8) || k.elementsEqual("revision".utf8)
                    || k.elementsEqual("commit".utf8) { return false }
            }
            switch b[i] {
            case 34:
                guard let r = string() else { return false }
                out.strings.append(r)
                if depth == 1, let key {
                    let k = UnsafeBufferPointer(rebasing: b[key])
                    // The first of duplicate keys wins, as in `JSONValue`'s subscript.
                    if k.elementsEqual("namespace".utf8) { if out.namespace == nil { out.namespace = r } }
                    else if k.elementsEqual("sha".utf8) { if out.shas[0] == nil { out.shas[0] = r } }
                    else if k.elementsEqual("revision".utf8) { if out.shas[1] == nil { out.shas[1] = r } }
                    else if k.elementsEqual("commit".utf8) { if out.shas[2] == nil { out.shas[2] = r } }
                }
                return true
            case 123:
                i += 1
                space()
                if i < end, b[i] == 125 { i += 1; return true }
                while true {
                    space()
                    guard let k = string() else { return false }
                    space()
                    guard i < end, b[i] == 58 else { return false }
                    i += 1
                    guard value(depth: depth + 1, key: k) else { return false }
                    space()
                    guard i < end else { return false }
                    if b[i] == 44 { i += 1; continue }
                    if b[i] == 125 { i += 1; return true }
                    return false
                }
            case 91:
                i += 1
                space()
                if i < end, b[i] == 93 { i += 1; return true }
                while true {
                    guard value(depth: depth + 1, key: nil) else { return false }
                    space()
                    guard i < end else { return false }
                    if b[i] == 44 { i += 1; continue }
                    if b[i] == 93 { i += 1; return true }
                    return false
                }
            case 116: return literal("true")
            case 102: return literal("false")
            case 110: return literal("null")
            default: return number()
            }
        }
        guard i < end, b[i] == 123, value(depth: 0, key: nil) else { return false }
        space()
        return i == end
    }

    private mutating func finishShas(_ start: Int) {
        if d.shas.count - start > 1 {
            var seen: [UInt32] = []
            for k in d.shas[start...] where !seen.contains(k) { seen.append(k) }
            d.shas.replaceSubrange(start..., with: seen)
        }
        d.shaStart.append(UInt32(d.shas.count))
    }

    /// A plain scalar (ASCII, no comment, not starting with a YAML indicator) or a JSON string without
    /// escapes; the range of its text.
    private func plain(_ b: UnsafeBufferPointer<UInt8>, _ v: Range<Int>) -> Range<Int>? {
        guard !v.isEmpty else { return nil }
        let first = b[v.lowerBound]
        if first == 34 {
            guard let (r, escaped) = quoted(b, v), !escaped else { return nil }
            for i in r where b[i] >= 0x80 { return nil }
            return r
        }
        if first == 39 || first == 91 || first == 123 || first == 38 || first == 42 { return nil }
        for i in v {
            let c = b[i]
            if c == 35 || c >= 0x80 { return nil }
        }
        return v
    }

    /// The inside of a JSON string that makes up all of `v`, and whether it has escapes.
    private func quoted(_ b: UnsafeBufferPointer<UInt8>, _ v: Range<Int>) -> (Range<Int>, Bool)? {
        guard v.count >= 2, b[v.lowerBound] == 34 else { return nil }
        var i = v.lowerBound + 1
        var escaped = false
        while i < v.upperBound {
            let c = b[i]
            if c == 92 {
                escaped = true
                i += 2
                continue
            }
            if c < 0x20 { return nil }
            if c == 34 { return i == v.upperBound - 1 ? ((v.lowerBound + 1)..<i, escaped) : nil }
            i += 1
        }
        return nil
    }

    /// `["a", "b"]` with plain strings (no escapes, no links): the ranges of the strings.
    private func stringList(_ b: UnsafeBufferPointer<UInt8>, _ v: Range<Int>) -> [Range<Int>]? {
        var out: [Range<Int>] = []
        var i = v.lowerBound + 1
        let end = v.upperBound - 1
        func skip() { while i < end, b[i] == 32 { i += 1 } }
        skip()
        if i == end { return out }
        while true {
            guard i < end, b[i] == 34 else { return nil }
            var j = i + 1
            while j < end, b[j] != 34 {
                if b[j] == 92 || b[j] < 0x20 { return nil }
                j += 1
            }
            guard j < end else { return nil }
            if j - i >= 5, b[i + 1] == 91, b[i + 2] == 91 { return nil } // a [[link]]: the model unwraps it
            out.append((i + 1)..<j)
            i = j + 1
            skip()
            if i == end { return out }
            guard b[i] == 44 else { return nil }
            i += 1
            skip()
        }
    }

    private func severityCode(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> UInt8? {
        let s = String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self)
        return Severity(lenient: s)?.code
    }

    /// `Identifier.isSafeName(_, maxLength: 128)` on bytes.
    private func isSafeName(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        guard !r.isEmpty, r.count <= 128 else { return false }
        let first = b[r.lowerBound]
        guard first != 46, first != 45 else { return false }
        var previousDot = false
        for i in r {
            let c = b[i]
            let ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 46 || c == 95
            guard ok else { return false }
            if c == 46 && previousDot { return false }
            previousDot = c == 46
        }
        return true
    }
}

/// `exactHash` of a string given as its bytes.
@inline(__always)
func exactHash(bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var h = Tokenizer.fnvOffset
    for b in bytes { h = (h ^ UInt64(b)) &* Tokenizer.fnvPrime }
    return h == 0 ? 1 : h
}
