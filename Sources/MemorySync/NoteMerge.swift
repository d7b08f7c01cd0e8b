import Foundation
import MemoryModel

/// Merges three versions of a session or decision note field by field.
///
/// Front matter is merged per top-level key (with the comment and blank lines that follow it):
/// - a key changed on one side only takes that side's text, byte for byte;
/// - changed on both sides: lists are unioned (items removed on one side stay removed, items added on
///   either side are kept once; `todo_list` items are matched by `text` and `done` wins; lists of records
///   with a `time` are kept in time order); mappings merge key by key; a scalar takes the side with the
///   later `updated`, and the other value is kept in the note under `merge_conflicts` (field, value, and
///   the `updated` of the side it came from), so nothing is dropped; `updated` itself takes the later time;
/// - a key deleted on one side and edited on the other is kept, edited.
///
/// The body is merged with git's line merge. Its generated part (between the `cmem:begin` and `cmem:end`
/// markers) is derived from the front matter: it takes the side with the later `updated` and is
/// regenerated at the next write. Prose edited in the same place on both sides is a real conflict, left
/// with conflict markers for a human; no side is dropped.
public enum NoteMerge {
    /// A value that lost a both-sides conflict and was kept in the note instead of being dropped.
    public struct KeptValue: Sendable, Equatable {
        public var field: String
        public var value: JSONValue
        /// The `updated` time of the side the value came from.
        public var updated: String?

        var record: JSONValue {
            .object([("field", .string(field)), ("value", value), ("updated", updated.map { .string($0) } ?? .null)])
        }
    }

    public struct Result: Sendable {
        public var text: String
        /// Conflicting hunks left with markers (prose edited in the same place on both sides).
        public var conflicts: Int
        public var kept: [KeptValue]
    }

    /// The front-matter key that holds values which lost a both-sides conflict.
    public static let keptKey = "merge_conflicts"

    public static func merge(base: String, ours: String, theirs: String, path: String, markerSize: Int = 7) throws -> Result {
        if ours == theirs || theirs == base { return Result(text: ours, conflicts: 0, kept: []) }
        if ours == base { return Result(text: theirs, conflicts: 0, kept: []) }
        let labels = LineMerge.Labels(path: path)
        guard let o = try? FrontMatterDocument.split(ours, path: path), !o.entries.isEmpty,
              let t = try? FrontMatterDocument.split(theirs, path: path), !t.entries.isEmpty,
              let b = base.isEmpty ? FrontMatterDocument() : try? FrontMatterDocument.split(base, path: path),
              let ou = Units(o), let tu = Units(t), let bu = Units(b)
        else {
            // No front matter to merge by field (or broken YAML): git's line merge on the whole note.
            let m = try LineMerge.merge(base: base, ours: ours, theirs: theirs, labels: labels, markerSize: markerSize)
            return Result(text: m.text, conflicts: m.conflicts, kept: [])
        }

        var merger = ValueMerger(ours: Side(o, path: path), theirs: Side(t, path: path))
        var conflicts = 0

        let leading = try LineMerge.merge(base: bu.leading, ours: ou.leading, theirs: tu.leading, labels: labels, markerSize: markerSize)
        conflicts += leading.conflicts

        var result: [String: String] = [:]
        for key in mergedKeyOrder(ours: ou, theirs: tu) {
            if let raw = try merger.mergeKey(key, base: bu.raw[key], ours: ou.raw[key], theirs: tu.raw[key], path: path) {
                result[key] = raw
            }
        }
        var order = mergedKeyOrder(ours: ou, theirs: tu).filter { result[$0] != nil }
        if !merger.kept.isEmpty {
            var records: [JSONValue] = []
            if let raw = result[keptKey], case let .array(items)? = decode(keptKey, raw, path: path) { records = items }
            for k in merger.kept where !records.contains(k.record) { records.append(k.record) }
            result[keptKey] = YAMLRender.entry(keptKey, .array(records))
            if !order.contains(keptKey) { order.append(keptKey) }
        }
        let frontMatter = leading.text + order.map { result[$0]! }.joined()

        let body = try mergeBody(base: base.isEmpty ? "" : b.body, ours: o.body, theirs: t.body,
                                 oursWins: merger.oursNewer ?? (o.body >= t.body), labels: labels, markerSize: markerSize)
        conflicts += body.conflicts
        return Result(text: "---\n" + frontMatter + "---\n" + body.text, conflicts: conflicts, kept: merger.kept)
    }

    // MARK: Front matter

    /// Top-level keys, each with the comment and blank lines that follow it.
    struct Units {
        var leading = ""
        var keys: [String] = []
        var raw: [String: String] = [:]

        /// nil when a key appears twice (YAML refuses that; leave it to the line merge).
        init?(_ doc: FrontMatterDocument) {
            var last: String?
            for entry in doc.entries {
                if let key = entry.key {
                    guard raw[key] == nil else { return nil }
                    keys.append(key)
                    raw[key] = entry.raw
                    last = key
                } else if let last {
                    raw[last]! += entry.raw
                } else {
                    leading += entry.raw
                }
            }
        }
    }

    /// Ours in order; a key only theirs has goes right after the key that precedes it in theirs.
    static func mergedKeyOrder(ours: Units, theirs: Units) -> [String] {
        var order = ours.keys
        for (i, key) in theirs.keys.enumerated() where ours.raw[key] == nil {
            var position = 0
            var j = i - 1
            while j >= 0 {
                if let p = order.firstIndex(of: theirs.keys[j]) { position = p + 1; break }
                j -= 1
            }
            order.insert(key, at: position)
        }
        return order
    }

    static func decode(_ key: String, _ raw: String, path: String) -> JSONValue? {
        guard let pairs = try? YAMLSafety.mapping(raw, path: path, lineOffset: 0) else { return nil }
        return pairs.first(where: { $0.0 == key })?.1
    }

    /// One side of the merge: what decides which side is newer.
    struct Side {
        let updatedText: String?
        let updated: Timestamp?

        init(_ doc: FrontMatterDocument, path: String) {
            let text = doc.raw("updated").flatMap { NoteMerge.decode("updated", $0, path: path)?.stringValue }
            updatedText = text
            updated = text.flatMap(Timestamp.init(iso8601:))
        }
    }

    struct ValueMerger {
        let ours: Side
        let theirs: Side
        var kept: [KeptValue] = []

        init(ours: Side, theirs: Side) {
            self.ours = ours
            self.theirs = theirs
        }

        /// true when ours has the later `updated`, false when theirs does, nil on a tie.
        var oursNewer: Bool? {
            let a = ours.updated?.milliseconds ?? Int64.min, b = theirs.updated?.milliseconds ?? Int64.min
            return a == b ? nil : a > b
        }

        /// The merged text of one top-level key, or nil when the key is gone.
        mutating func mergeKey(_ key: String, base: String?, ours o: String?, theirs t: String?, path: String) throws -> String? {
            if o == t || t == base { return o }
            if o == base { return t }
            // Changed on both sides (or deleted on one, edited on the other).
            guard let o else { return t }
            guard let t else { return o }
            let ov = decode(key, o, path: path), tv = decode(key, t, path: path)
            guard let ov, let tv else {
                // Text that does not read as YAML: keep the newer side, and the other side's text.
                let oursWins = oursNewer ?? (o >= t)
                kept.append(KeptValue(field: key, value: .string(oursWins ? t : o),
                                      updated: oursWins ? theirs.updatedText : ours.updatedText))
                return oursWins ? o : t
            }
            let bv = base.flatMap { decode(key, $0, path: path) }
            if ov == tv || tv == bv { return o }
            if ov == bv { return t }
            if key == "updated" {
                let a = ov.stringValue.flatMap(Timestamp.init(iso8601:)), b = tv.stringValue.flatMap(Timestamp.init(iso8601:))
                return (a ?? Timestamp(milliseconds: .min)) >= (b ?? Timestamp(milliseconds: .min)) ? o : t
            }
            guard let merged = merge(key, base: bv, ours: ov, theirs: tv) else { return nil }
            if merged == ov { return o }
            if merged == tv { return t }
            return YAMLRender.entry(key, merged) + YAMLRender.trailingComments(o)
        }

        mutating func merge(_ field: String, base: JSONValue?, ours o: JSONValue?, theirs t: JSONValue?) -> JSONValue? {
            if o == t || t == base { return o }
            if o == base { return t }
            guard let o else { return t }
            guard let t else { return o }
            switch (o, t) {
            case let (.array(a), .array(b)):
                var baseItems: [JSONValue] = []
                if case let .array(items)? = base { baseItems = items }
                return .array(mergeList(field, base: baseItems, ours: a, theirs: b))
            case let (.object(a), .object(b)):
                var baseObject: JSONValue = .object([])
                if let base, case .object = base { baseObject = base }
                var keys = a.map(\.0)
                for (k, _) in b where !keys.contains(k) { keys.append(k) }
                var out: [(String, JSONValue)] = []
                for k in keys {
                    if let v = merge("\(field).\(k)", base: baseObject[k], ours: o[k], theirs: t[k]) { out.append((k, v)) }
                }
                return .object(out)
            default:
                if field.hasSuffix(".status") {
                    // A todo marked done on either side is done.
                    for v in [o, t] where ["done", "completed"].contains(v.stringValue ?? "") { return v }
                }
                let oursWins = oursNewer ?? (o.json >= t.json)
                let loser = oursWins ? t : o
                kept.append(KeptValue(field: field, value: loser, updated: oursWins ? theirs.updatedText : ours.updatedText))
                return oursWins ? o : t
            }
        }

        /// Items are matched by identity: a todo by its text, anything else by its whole value.
        static func identity(_ item: JSONValue) -> String {
            if case .object = item, let text = item["text"]?.stringValue { return "text:" + text }
            return item.json
        }

        static func label(_ item: JSONValue) -> String {
            if case .object = item, let text = item["text"]?.stringValue { return text }
            return item.stringValue ?? item.json
        }

        mutating func mergeList(_ field: String, base: [JSONValue], ours: [JSONValue], theirs: [JSONValue]) -> [JSONValue] {
            var baseByID: [String: JSONValue] = [:]
            for item in base where baseByID[Self.identity(item)] == nil { baseByID[Self.identity(item)] = item }
            var theirsByID: [String: JSONValue] = [:]
            for item in theirs where theirsByID[Self.identity(item)] == nil { theirsByID[Self.identity(item)] = item }
            var oursIDs = Set<String>()
            var out: [JSONValue] = []
            for item in ours {
                let id = Self.identity(item)
                let firstTime = oursIDs.insert(id).inserted
                if firstTime, let other = theirsByID[id] {
                    if let v = merge("\(field)[\(Self.label(item))]", base: baseByID[id], ours: item, theirs: other) { out.append(v) }
                } else if let old = baseByID[id], theirsByID[id] == nil, old == item {
                    continue // removed on their side
                } else {
                    out.append(item)
                }
            }
            for item in theirs where !oursIDs.contains(Self.identity(item)) {
                let id = Self.identity(item)
                if let old = baseByID[id], old == item { continue } // removed on our side
                oursIDs.insert(id)
                out.append(item)
            }
            // Records with a time (actions) stay in time order.
            let times = out.map { $0["time"]?.stringValue.flatMap(Timestamp.init(iso8601:)) }
            if !out.isEmpty, times.allSatisfy({ $0 != nil }) {
                let order = out.indices.sorted { (times[$0]!, $0) < (times[$1]!, $1) }
                out = order.map { out[$0] }
            }
            return out
        }
    }

    // MARK: Body

    static let placeholder = "<!-- cmem:merge-placeholder -->\n"

    /// The lines two texts begin with, then the lines both end with (not overlapping the first).
    static func commonEnds(_ a: String, _ b: String) -> String {
        let x = a.split(separator: "\n", omittingEmptySubsequences: false), y = b.split(separator: "\n", omittingEmptySubsequences: false)
        var p = 0
        while p < x.count, p < y.count, x[p] == y[p] { p += 1 }
        var q = 0
        while q < x.count - p, q < y.count - p, x[x.count - 1 - q] == y[y.count - 1 - q] { q += 1 }
        return (x[..<p] + x[(x.count - q)...]).joined(separator: "\n")
    }

    /// The generated part of a body: (everything up to and including the begin marker line, the
    /// generated text, everything from the end marker on).
    static func managedParts(_ body: String) -> (head: Substring, generated: Substring, tail: Substring)? {
        guard let b = body.range(of: "<!-- cmem:begin"),
              let lineEnd = body[b.lowerBound...].firstIndex(of: "\n") else { return nil }
        let start = body.index(after: lineEnd)
        guard let e = body.range(of: ManagedSection.end, range: start..<body.endIndex) else { return nil }
        return (body[..<start], body[start..<e.lowerBound], body[e.lowerBound...])
    }

    static func mergeBody(base: String, ours: String, theirs: String, oursWins: Bool, labels: LineMerge.Labels,
                          markerSize: Int) throws -> (text: String, conflicts: Int) {
        if ours == theirs || theirs == base { return (ours, 0) }
        if ours == base { return (theirs, 0) }
        let bm = managedParts(base)
        guard let om = managedParts(ours), let tm = managedParts(theirs), bm != nil || base.isEmpty else {
            return try LineMerge.merge(base: base, ours: ours, theirs: theirs, labels: labels, markerSize: markerSize)
        }
        let generated: Substring
        if om.generated == tm.generated || tm.generated == bm?.generated { generated = om.generated }
        else if om.generated == bm?.generated { generated = tm.generated }
        else { generated = oursWins ? om.generated : tm.generated }
        func hold(_ p: (head: Substring, generated: Substring, tail: Substring)) -> String {
            String(p.head) + placeholder + String(p.tail)
        }
        // Added on both sides (no base: two clones each wrote the note, as with the vault notes): what
        // both begin and end with is taken as the base, so text one side added at the start or the end
        // (a person's prose under `## Notes`) merges instead of conflicting with the other side's nothing.
        let synthesized = bm == nil ? commonEnds(hold(om), hold(tm)) : nil
        let m = try LineMerge.merge(base: bm.map(hold) ?? synthesized ?? base, ours: hold(om), theirs: hold(tm), labels: labels, markerSize: markerSize)
        return (m.text.replacingOccurrences(of: placeholder, with: String(generated)), m.conflicts)
    }
}

/// YAML for merged values, in the shapes `cmem` writes: block lists, one record per item, nested values
/// as flow (JSON) collections.
enum YAMLRender {
    static func key(_ k: String) -> String {
        let plain = !k.isEmpty && k.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 95 || $0 == 45 }
        return plain ? k : JSONValue.quoted(k)
    }

    static func inline(_ v: JSONValue) -> String {
        switch v {
        case .array, .object: return v.json
        default: return YAMLWriter.scalar(v)
        }
    }

    static func entry(_ k: String, _ value: JSONValue) -> String {
        switch value {
        case let .array(items):
            if items.isEmpty { return "\(key(k)): []\n" }
            var out = "\(key(k)):\n"
            for item in items {
                if case let .object(pairs) = item, !pairs.isEmpty {
                    for (i, (pk, pv)) in pairs.enumerated() {
                        out += (i == 0 ? "  - " : "    ") + "\(key(pk)): \(inline(pv))\n"
                    }
                } else {
                    out += "  - \(inline(item))\n"
                }
            }
            return out
        case let .object(pairs):
            if pairs.isEmpty { return "\(key(k)): {}\n" }
            var out = "\(key(k)):\n"
            for (pk, pv) in pairs { out += "  \(key(pk)): \(inline(pv))\n" }
            return out
        default:
            return "\(key(k)): \(inline(value))\n"
        }
    }

    /// The comment lines that followed an entry, kept when the entry itself is rewritten.
    static func trailingComments(_ raw: String) -> String {
        raw.split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
            .filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
            .map { $0 + "\n" }.joined()
    }
}
