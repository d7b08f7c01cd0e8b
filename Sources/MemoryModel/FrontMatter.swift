import Yams

/// A Markdown note with YAML front matter, split so that a rewrite touches only what changed.
///
/// The front matter is kept as top-level entries, each the exact text of one key (with its nested lines
/// and comments). Setting a key replaces only that entry's text; every other entry, unknown keys and
/// comments included, and the body are written back byte for byte.
public struct FrontMatterDocument: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        /// nil for comment or blank lines between keys.
        public var key: String?
        /// The entry's lines, each ending in "\n".
        public var raw: String

        public init(key: String?, raw: String) {
            self.key = key
            self.raw = raw
        }
    }

    public var entries: [Entry]
    /// Everything after the closing `---` line, exactly as it was.
    public var body: String
    /// Line number (1-based) of the first front-matter line after the opening `---`.
    public let firstLine: Int

    public init(entries: [Entry] = [], body: String = "") {
        self.entries = entries
        self.body = body
        self.firstLine = 2
    }

    init(entries: [Entry], body: String, firstLine: Int) {
        self.entries = entries
        self.body = body
        self.firstLine = firstLine
    }

    /// Splits a note. A note without front matter has no entries and its whole text as body.
    /// Fails, naming the line, when the opening `---` has no closing one.
    public static func split(_ text: String, path: String) throws -> FrontMatterDocument {
        // Split on the scalar: as Characters, "\r\n" is one grapheme that a split on "\n" never matches, and
        // a note saved with CRLF line ends was one long line. Each line keeps its "\r" (trimmed where
        // compared), so the body and untouched entries are written back as they were.
        // Only the front matter is split into lines: the body (a month summary's is megabytes) is kept whole.
        // Lines as `split(separator: "\n", omittingEmptySubsequences: false)` gives them.
        let scalars = text.unicodeScalars
        var cursor = scalars.startIndex
        var atEnd = false
        func nextLine() -> Substring? {
            if atEnd { return nil }
            if let newline = scalars[cursor...].firstIndex(of: "\n") {
                let line = Substring(scalars[cursor..<newline])
                cursor = scalars.index(after: newline)
                return line
            }
            atEnd = true
            return Substring(scalars[cursor...])
        }
        guard var first = nextLine() else { return FrontMatterDocument(entries: [], body: text, firstLine: 1) }
        // A leading BOM is tolerated (Windows editors) and dropped on rewrite.
        if first.hasPrefix("\u{FEFF}") { first = first.dropFirst() }
        guard first.trimmingTrailingCR == "---" else {
            return FrontMatterDocument(entries: [], body: text, firstLine: 1)
        }
        var lines: [Substring] = [first]
        var closing: Int?
        while !atEnd, let line = nextLine() {
            lines.append(line)
            if line.trimmingTrailingCR == "---" || line.trimmingTrailingCR == "..." {
                closing = lines.count - 1
                break
            }
        }
        guard let closing else {
            throw NoteError(path: path, line: 1, message: "front matter opened with '---' is never closed")
        }
        var entries: [Entry] = []
        var current: Entry?
        for line in lines[1..<closing] {
            let l = String(line) + "\n"
            let startsKey = !line.isEmpty && line.first != " " && line.first != "\t" && line.first != "#" && line.first != "-"
            if startsKey {
                if let current { entries.append(current) }
                current = Entry(key: FrontMatterDocument.key(of: line), raw: l)
            } else if var c = current, line.first == " " || line.first == "\t" || line.first == "-" {
                c.raw += l
                current = c
            } else {
                if let current { entries.append(current) }
                current = nil
                entries.append(Entry(key: nil, raw: l))
            }
        }
        if let current { entries.append(current) }
        let body = atEnd ? "" : String(text[cursor...])
        return FrontMatterDocument(entries: entries, body: body, firstLine: 2)
    }

    private static func key(of line: Substring) -> String? {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        var k = line[..<colon].trimmingCharacters(in: " ")
        if k.count >= 2, (k.first == "\"" && k.last == "\"") || (k.first == "'" && k.last == "'") {
            k = String(k.dropFirst().dropLast())
        }
        return k
    }

    public var frontMatterText: String { entries.map(\.raw).joined() }

    /// The whole note, front matter and body.
    public var text: String {
        if entries.isEmpty { return body }
        return "---\n" + frontMatterText + "---\n" + body
    }

    public var keys: [String] { entries.compactMap(\.key) }

    public func raw(_ key: String) -> String? { entries.first(where: { $0.key == key })?.raw }

    /// Replaces the entry for `key` with `raw` (which must be the full `key: value` text), or appends it.
    public mutating func set(_ key: String, raw: String) {
        let text = raw.hasSuffix("\n") ? raw : raw + "\n"
        if let i = entries.firstIndex(where: { $0.key == key }) {
            entries[i].raw = text
        } else {
            // Keep blank or comment lines that end the block after the new key.
            var insertAt = entries.count
            while insertAt > 0, entries[insertAt - 1].key == nil { insertAt -= 1 }
            entries.insert(Entry(key: key, raw: text), at: insertAt)
        }
    }

    public mutating func remove(_ key: String) {
        entries.removeAll { $0.key == key }
    }

    // MARK: Values

    /// The front matter decoded into ordered values. Anchors and aliases are refused before Yams sees
    /// them (Yams expands aliases without limit), and every error names the file, the line and what was
    /// read (`what`: "front matter", "event block").
    public func values(path: String, what: String = "front matter") throws -> [(String, JSONValue)] {
        let yaml = frontMatterText
        if yaml.trimmingCharacters(in: " \n\t\r").isEmpty { return [] }
        try YAMLSafety.rejectAnchorsAndAliases(yaml, path: path, lineOffset: firstLine - 1)
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch {
            let line = YAMLSafety.line(of: error) ?? YAMLSafety.secondOccurrence(of: error, in: yaml)
            throw NoteError(path: path, line: line.map { $0 + firstLine - 1 } ?? firstLine,
                            message: "\(what) is not valid YAML: \(YAMLSafety.reason(of: error))")
        }
        guard let node else { return [] }
        guard case let .mapping(mapping) = node else {
            throw NoteError(path: path, line: firstLine, message: "\(what) must be a mapping of keys to values")
        }
        var result: [(String, JSONValue)] = []
        for (k, v) in mapping {
            guard let key = k.string else { continue }
            result.append((key, YAMLSafety.value(of: v)))
        }
        return result
    }
}

extension Substring {
    var trimmingTrailingCR: Substring { last == "\r" ? dropLast() : self }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        var s = Substring(self)
        while let f = s.first, chars.contains(f) { s = s.dropFirst() }
        while let l = s.last, chars.contains(l) { s = s.dropLast() }
        return String(s)
    }
}

/// YAML handling that every reader in the project shares.
public enum YAMLSafety {
    /// Refuses `&anchor` and `*alias` anywhere a YAML node may start. Front matter here has no use for
    /// them, and an alias bomb of a few hundred bytes would expand into millions of values.
    public static func rejectAnchorsAndAliases(_ yaml: String, path: String, lineOffset: Int) throws {
        var line = 1
        var inSingle = false, inDouble = false
        var previous: Character = "\n"   // previous non-space character on this line, "\n" at line start
        var previousRaw: Character = "\n"
        var previousStartedToken = true // whether `previous` began a token (came after a space or line start)
        var escaped = false
        var inComment = false
        for ch in yaml {
            if ch == "\n" {
                line += 1
                previous = "\n"; previousRaw = "\n"; previousStartedToken = true
                inComment = false
                // Quoted scalars may span lines in YAML; plain ones may not start with & or *.
                continue
            }
            if inComment { continue }
            if inDouble {
                if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == "\"" { inDouble = false }
                previousRaw = ch
                if ch != " " { previous = ch }
                continue
            }
            if inSingle {
                if ch == "'" { inSingle = false }
                previousRaw = ch
                if ch != " " { previous = ch }
                continue
            }
            // `-` and `?` are indicators only as tokens of their own: in `git add -- *` the `*` is text.
            let afterIndicator = "\n:[{,".contains(previous) || ("-?".contains(previous) && previousStartedToken)
            let atNodeStart = (previousRaw == " " || previousRaw == "\t" || previousRaw == "\n" || "[{,".contains(previousRaw))
                && afterIndicator
            if atNodeStart {
                if ch == "&" || ch == "*" {
                    throw NoteError(path: path, line: line + lineOffset,
                                    message: "YAML \(ch == "&" ? "anchors (&)" : "aliases (*)") are not allowed in notes; write the value out")
                }
                if ch == "\"" { inDouble = true }
                if ch == "'" { inSingle = true }
            }
            if ch == "#" && (previousRaw == " " || previousRaw == "\n" || previousRaw == "\t") { inComment = true; continue }
            if ch != " " && ch != "\t" {
                previousStartedToken = previousRaw == " " || previousRaw == "\t" || previousRaw == "\n" || "[{,".contains(previousRaw)
                previous = ch
            }
            previousRaw = ch
        }
    }

    static func line(of error: Error) -> Int? {
        if let e = error as? YamlError {
            switch e {
            case let .scanner(_, _, mark, _): return mark.line
            case let .parser(_, _, mark, _): return mark.line
            case let .composer(_, _, mark, _): return mark.line
            default: return nil
            }
        }
        return nil
    }

    /// For a key given twice, the line (1-based, in `yaml`) where it is given again: the line to fix. Yams
    /// names only the mapping. Lines at the key's first indentation count, so a nested `text:` is not taken
    /// for a top-level one.
    static func secondOccurrence(of error: Error, in yaml: String) -> Int? {
        guard case let .duplicatedKeysInMapping(duplicates, _)? = error as? YamlError else { return nil }
        var best: Int?
        for key in duplicates {
            var seen: [Int: Int] = [:] // indentation -> times the key was seen there
            for (i, raw) in yaml.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let body = raw.drop { $0 == " " }
                let content = body.hasPrefix("- ") ? body.dropFirst(2) : body
                guard content.hasPrefix(key + ":") else { continue }
                let indent = raw.count - content.count
                seen[indent, default: 0] += 1
                if seen[indent] == 2 { best = min(best ?? .max, i + 1); break }
            }
        }
        return best
    }

    static func reason(of error: Error) -> String {
        if let e = error as? YamlError {
            switch e {
            case let .scanner(context, problem, _, _), let .parser(context, problem, _, _), let .composer(context, problem, _, _):
                return [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
            case let .duplicatedKeysInMapping(duplicates, _):
                return "a key appears twice in one mapping (\(duplicates.joined(separator: ", ")))"
            default:
                return String(describing: e)
            }
        }
        return String(describing: error)
    }

    /// Converts a composed node into ordered values. Plain scalars resolve as YAML core types; quoted ones
    /// are always strings. Timestamps stay strings, parsed where a field expects one.
    public static func value(of node: Node) -> JSONValue {
        switch node {
        case let .scalar(s):
            if s.style != .plain { return .string(s.string) }
            switch s.string {
            case "", "~", "null", "Null", "NULL": return .null
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default:
                if let i = Int64(s.string) { return .number(Double(i)) }
                return .string(s.string)
            }
        case let .mapping(m):
            return .object(m.compactMap { k, v in k.string.map { ($0, value(of: v)) } })
        case let .sequence(seq):
            return .array(seq.map { value(of: $0) })
        case let .alias(a):
            return .string("*\(a)")
        }
    }

    /// Decodes a standalone YAML mapping (an event block a human reformatted) with the same safety rules.
    /// `what` names it in errors.
    public static func mapping(_ yaml: String, path: String, lineOffset: Int, what: String = "front matter") throws -> [(String, JSONValue)] {
        let doc = FrontMatterDocument(entries: [FrontMatterDocument.Entry(key: nil, raw: yaml)], body: "", firstLine: lineOffset + 1)
        return try doc.values(path: path, what: what)
    }
}
