import Foundation
import MemoryModel

/// Reads what the hooks need from a Claude Code transcript (JSON Lines, one message per line): the last
/// thing the assistant said. Only the tail of the file is read, so a transcript of many megabytes costs
/// the same as a short one.
public enum Transcript {
    /// How much of the end of the file is read.
    public static let tailBytes = 512 * 1024

    /// The text of the last assistant message that has any, or nil (no file, no such message).
    public static func lastAssistantMessage(path: String) -> String? {
        let expanded = (path as NSString).expandingTildeInPath
        guard let bytes = tail(of: expanded, bytes: tailBytes) else { return nil }
        // Lines from the end; the first line of a partial tail may be cut and is skipped by the parser.
        var end = bytes.count
        var index = bytes.count - 1
        while index >= -1 {
            if index == -1 || bytes[index] == 10 {
                let start = index + 1
                if end > start, let text = assistantText(bytes[start..<end]) { return text }
                end = index
            }
            index -= 1
        }
        return nil
    }

    /// Whether the transcript's tail holds an assistant message whose text passes `matches`.
    public static func holdsAssistantMessage(path: String, where matches: (String) -> Bool) -> Bool {
        let expanded = (path as NSString).expandingTildeInPath
        guard let bytes = tail(of: expanded, bytes: tailBytes) else { return false }
        var start = 0
        for i in 0...bytes.count where i == bytes.count || bytes[i] == 10 {
            if i > start, let text = assistantText(bytes[start..<i]), matches(text) { return true }
            start = i + 1
        }
        return false
    }

    static func assistantText(_ line: ArraySlice<UInt8>) -> String? {
        // Cheap filter before parsing: assistant lines say so.
        guard contains(line, Array(#""assistant""#.utf8)) else { return nil }
        guard let value = try? line.withUnsafeBufferPointer({ try JSONValue.parse(bytes: $0, exactIntegers: false) }) else { return nil }
        guard value["type"]?.stringValue == "assistant" || value["message"]?["role"]?.stringValue == "assistant" else { return nil }
        let content = value["message"]?["content"]
        var texts: [String] = []
        switch content {
        case let .string(s)?: texts.append(s)
        case let .array(blocks)?:
            for block in blocks where block["type"]?.stringValue == "text" {
                if let t = block["text"]?.stringValue { texts.append(t) }
            }
        default: break
        }
        let text = texts.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    static func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else { return false }
        var i = haystack.startIndex
        let last = haystack.endIndex - needle.count
        while i <= last {
            if haystack[i] == first, haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }

    static func tail(of path: String, bytes limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        let size = Int(st.st_size)
        let start = max(0, size - limit)
        var out = [UInt8](repeating: 0, count: size - start)
        var offset = 0
        let ok = out.withUnsafeMutableBytes { raw -> Bool in
            while offset < raw.count {
                let n = pread(fd, raw.baseAddress! + offset, raw.count - offset, off_t(start + offset))
                if n < 0 { if errno == EINTR { continue }; return false }
                if n == 0 { break }
                offset += n
            }
            return true
        }
        guard ok else { return nil }
        out.removeLast(out.count - offset)
        return out
    }
}
