import MemoryIndex
import MemoryModel

/// The pieces every answer's JSON shares, written once.
enum AnswerJSON {
    /// Scores to three decimals: enough to rank by, stable across platforms' float printing.
    static func rounded(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }

    /// Which commit an index answer reflects, and the uncommitted files it includes.
    static func freshness(_ f: Freshness) -> JSONValue {
        .object([
            ("commit", f.commit.map { .string($0) } ?? .null),
            ("dirty_files", .array(f.dirtyFiles.map { .string($0) })),
            ("warnings", .number(Double(f.warnings.count))),
        ])
    }
}
