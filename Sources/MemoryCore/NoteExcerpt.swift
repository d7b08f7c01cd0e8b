import MemoryModel
import MemoryStore

/// Lines of one Markdown note of the memory around a line: what an answer's `location` (`PATH:LINE`)
/// points at, for the web page. GET /memory/note.
public struct NoteExcerpt: Sendable {
    public var path: String
    /// The line asked about (1-based), within the note.
    public var line: Int
    /// The first line shown (1-based) and the lines from there.
    public var firstLine: Int
    public var lines: [String]
    public var totalLines: Int

    public static let maxContext = 200

    public var json: JSONValue {
        .object([("path", .string(path)), ("line", .number(Double(line))), ("first_line", .number(Double(firstLine))),
                 ("last_line", .number(Double(firstLine + lines.count - 1))), ("total_lines", .number(Double(totalLines))),
                 ("lines", .array(lines.map(JSONValue.string)))])
    }
}

extension Memory {
    /// `context` lines either side of `line` in the note at `path`. Only Markdown notes inside the
    /// repository, outside its hidden folders (`.git`, `.cmem`, an editor's), and not through a symbolic link.
    public func noteExcerpt(path: String, line: Int = 1, context: Int = 20) throws -> NoteExcerpt {
        guard path.hasSuffix(".md"), !path.split(separator: "/").contains(where: { $0.hasPrefix(".") }) else {
            throw CoreError.invalid("path \(JSONValue.quoted(path)) is not a Markdown note of the memory (PATH.md, outside hidden folders)")
        }
        guard (0...NoteExcerpt.maxContext).contains(context) else {
            throw CoreError.invalid("context must be from 0 to \(NoteExcerpt.maxContext) lines")
        }
        let text: String
        do {
            guard let t = try store.readText(path) else { throw CoreError.absent("no note \(path) in the memory") }
            text = t
        } catch let StoreError.invalid(message) {
            throw CoreError.invalid(message)
        }
        var all = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if all.last == "" { all.removeLast() }
        guard line >= 1, line <= max(1, all.count) else {
            throw CoreError.invalid("line \(line) is outside \(path), which has \(all.count) lines")
        }
        let first = max(1, line - context), last = min(all.count, line + context)
        return NoteExcerpt(path: path, line: line, firstLine: first, lines: first <= last ? Array(all[(first - 1)..<last]) : [],
                           totalLines: all.count)
    }
}
