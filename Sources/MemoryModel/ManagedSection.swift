/// The part of a note body that `cmem` regenerates, between two HTML comments that Markdown viewers hide.
/// Everything outside the markers is the human's and is never touched.
public enum ManagedSection {
    public static let begin = "<!-- cmem:begin (generated from the front matter; edits here are replaced) -->"
    public static let end = "<!-- cmem:end -->"

    /// Replaces the generated part of `body`. Returns nil when the markers are gone (a human removed
    /// them): the body is then left exactly as it is.
    public static func replace(in body: String, with generated: String) -> String? {
        guard let b = body.range(of: "<!-- cmem:begin"), let e = body.range(of: end, range: b.upperBound..<body.endIndex) else {
            return nil
        }
        guard let lineEnd = body[b.lowerBound...].firstIndex(of: "\n"), lineEnd < e.lowerBound else { return nil }
        var out = String(body[..<body.index(after: lineEnd)])
        out += generated
        if !generated.hasSuffix("\n") { out += "\n" }
        out += body[e.lowerBound...]
        return out
    }

    /// Wraps freshly generated text in the markers.
    public static func wrap(_ generated: String) -> String {
        begin + "\n" + generated + (generated.hasSuffix("\n") ? "" : "\n") + end + "\n"
    }
}
