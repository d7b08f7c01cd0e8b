import MemoryModel

/// Reads the front matter of session and decision notes quickly: the subset of YAML `cmem` writes is read
/// straight from bytes by the model's `CanonicalFrontMatter`; anything outside it (a human's block
/// scalar, a comment after a value, anchors, nested flow collections) goes to the full YAML reader in
/// `FrontMatterDocument`, so the result is always what the model would read.
enum NoteReader {
    /// The front-matter values of a note.
    static func values(_ bytes: UnsafeBufferPointer<UInt8>, path: String) throws -> [(String, JSONValue)] {
        if let fast = CanonicalFrontMatter.values(bytes) { return fast }
        let text = String(decoding: bytes, as: UTF8.self)
        return try FrontMatterDocument.split(text, path: path).values(path: path)
    }

    static func values(_ bytes: [UInt8], path: String) throws -> [(String, JSONValue)] {
        try bytes.withUnsafeBufferPointer { try values($0, path: path) }
    }

    static func session(_ bytes: [UInt8], path: String) throws -> Session {
        try Session(values: values(bytes, path: path), path: path)
    }

    static func decision(_ bytes: [UInt8], path: String) throws -> Decision {
        try Decision(values: values(bytes, path: path), path: path)
    }
}
