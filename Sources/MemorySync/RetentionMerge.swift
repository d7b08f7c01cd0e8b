import MemoryModel

/// Merges the files retention writes under `timeline/`: a month's `summary.md` and `timeline/archive.md`
/// (both reach the `cmem-timeline` driver through `timeline/**/*.md`).
///
/// Two clones that apply retention on the same day roll the same days, each naming its own HEAD as the
/// commit with the detail; a clone that was offline may roll a day with a late event the other never had.
/// The merge of a summary:
/// - event blocks: as a day file's (`TimelineMerge`): the union by `event_id`, in time order;
/// - `days`: the union of roll-ups by (day, commit); a day rolled on both sides since the base keeps the
///   roll-up that counted more events (on a tie, the lower commit id, so every clone picks the same), so no
///   day is counted twice; the month's totals are derived from `days` again;
/// - the one-line entries: the union by event id, in time order (a line removed on one side and unchanged
///   on the other stays removed);
/// - other front-matter keys: a key changed on one side takes that side; the generated section is
///   regenerated; the rest of the body (a human's prose) goes through git's line merge.
enum RetentionMerge {
    static func isSummary(_ path: String) -> Bool { TimelineSummary.month(ofPath: path) != nil }
    static func isArchive(_ path: String) -> Bool { path == TimelineArchive.path }

    static func summary(base: [UInt8], ours: [UInt8], theirs: [UInt8], path: String, markerSize: Int) throws -> TimelineMerge.Result {
        if ours == theirs || theirs == base { return .init(bytes: ours, conflicts: 0, notes: []) }
        if ours == base { return .init(bytes: theirs, conflicts: 0, notes: []) }
        func parts(_ bytes: [UInt8]) -> (header: String, blocks: [UInt8]) {
            let start = TimelineDay.parse(bytes, path: path, wantSpans: true).spans.first?.start ?? bytes.count
            return (String(decoding: bytes[..<start], as: UTF8.self), Array(bytes[start...]))
        }
        let b = parts(base), o = parts(ours), t = parts(theirs)
        let blocks = try TimelineMerge.merge(base: b.blocks, ours: o.blocks, theirs: t.blocks, path: path, markerSize: markerSize)

        func read(_ header: String) throws -> (FrontMatterDocument, TimelineSummary) {
            let doc = try FrontMatterDocument.split(header, path: path)
            return (doc, try TimelineSummary(values: doc.values(path: path), path: path))
        }
        let (od, os) = try read(o.header), (td, ts) = try read(t.header)
        let (bd, bs) = base.isEmpty ? (FrontMatterDocument(), TimelineSummary(month: os.month)) : try read(b.header)

        var merged = os
        merged.days = mergeDays(base: bs.days, ours: os.days, theirs: ts.days)

        // Front matter: owned keys from the merged summary; any other key changed on one side takes that side.
        var doc = od
        let owned = Dictionary(merged.frontMatterEntries(), uniquingKeysWith: { a, _ in a })
        for key in td.keys where owned[key] == nil {
            if doc.raw(key) == nil || doc.raw(key) == bd.raw(key), let raw = td.raw(key) { doc.set(key, raw: raw) }
        }
        for key in bd.keys where owned[key] == nil && td.raw(key) == nil && doc.raw(key) == bd.raw(key) { doc.remove(key) }
        for (key, raw) in merged.frontMatterEntries() { doc.set(key, raw: raw) }

        // Body: the one-line entries are merged by id; the generated section is the same on all three; the rest
        // is line-merged.
        let generated = merged.generated()
        func prose(_ body: String) -> (text: String, lines: [String: String]) {
            var lines: [String: String] = [:]
            var kept: [Substring] = []
            for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
                if let id = TimelineSummary.lineID(line) { lines[String(id)] = String(line) } else { kept.append(line) }
            }
            let text = kept.joined(separator: "\n")
            return (ManagedSection.replace(in: text, with: generated) ?? text, lines)
        }
        let bp = prose(bd.body), op = prose(od.body), tp = prose(td.body)
        let body = try LineMerge.merge(base: Array(bp.text.utf8), ours: Array(op.text.utf8), theirs: Array(tp.text.utf8),
                                       labels: LineMerge.Labels(path: path), markerSize: markerSize)
        var lines: [String] = []
        for id in Set(op.lines.keys).union(tp.lines.keys) {
            let b = bp.lines[id], o = op.lines[id], t = tp.lines[id]
            switch (o, t) {
            case let (o?, t?): lines.append(o == b ? t : o)
            case let (o?, nil): if b == nil || b != o { lines.append(o) }
            case let (nil, t?): if b == nil || b != t { lines.append(t) }
            case (nil, nil): break
            }
        }
        doc.body = TimelineSummary.insertLines(lines, into: String(decoding: body.text, as: UTF8.self))

        var out = Array(doc.text.utf8)
        if !blocks.bytes.isEmpty {
            if out.last != 10 { out.append(10) }
            if out.count >= 2, out[out.count - 2] != 10 { out.append(10) }
            out += blocks.bytes
        }
        var notes = blocks.notes
        let dropped = Set(os.days.map(key)).union(ts.days.map(key)).count - merged.days.count
        if dropped > 0 { notes.append("\(dropped) day roll-up(s) made on both sides kept once") }
        return .init(bytes: out, conflicts: blocks.conflicts + body.conflicts, notes: notes)
    }

    static func key(_ d: TimelineSummary.Day) -> String { d.day + " " + d.detail }

    /// The union of roll-ups by (day, commit), a roll-up removed on one side staying removed; of roll-ups of
    /// one day made on both sides since the base, the one that counted more (then the lower commit) stays.
    static func mergeDays(base: [TimelineSummary.Day], ours: [TimelineSummary.Day], theirs: [TimelineSummary.Day]) -> [TimelineSummary.Day] {
        let baseKeys = Set(base.map(key)), ourKeys = Set(ours.map(key)), theirKeys = Set(theirs.map(key))
        var all: [TimelineSummary.Day] = []
        for d in ours where theirKeys.contains(key(d)) || !baseKeys.contains(key(d)) { all.append(d) }
        for d in theirs where !ourKeys.contains(key(d)) && !baseKeys.contains(key(d)) { all.append(d) }
        let newOurs = Set(ours.map(key)).subtracting(baseKeys), newTheirs = Set(theirs.map(key)).subtracting(baseKeys)
        var result: [TimelineSummary.Day] = []
        for d in all {
            let k = key(d)
            guard newOurs.contains(k) != newTheirs.contains(k) else { result.append(d); continue }
            // Made on one side only since the base: is the same day new on the other side too?
            let other = newOurs.contains(k) ? theirs : ours
            let rivals = other.filter { $0.day == d.day && !baseKeys.contains(key($0)) && key($0) != k }
            if rivals.contains(where: { ($0.events, d.detail) > (d.events, $0.detail) }) { continue }
            result.append(d)
        }
        return result.sorted { (a, b) in (a.day, a.detail) < (b.day, b.detail) }
    }

    /// `timeline/archive.md`: the union of archived months by (month, commit); the body regenerated where cmem
    /// generates it.
    static func archive(base: [UInt8], ours: [UInt8], theirs: [UInt8], path: String, markerSize: Int) throws -> TimelineMerge.Result {
        if ours == theirs || theirs == base { return .init(bytes: ours, conflicts: 0, notes: []) }
        if ours == base { return .init(bytes: theirs, conflicts: 0, notes: []) }
        func read(_ bytes: [UInt8]) throws -> (FrontMatterDocument, TimelineArchive) {
            let doc = try FrontMatterDocument.split(String(decoding: bytes, as: UTF8.self), path: path)
            return (doc, try TimelineArchive(values: doc.values(path: path), path: path))
        }
        var (doc, archive) = try read(ours)
        let (_, theirArchive) = try read(theirs)
        for m in theirArchive.months where !archive.months.contains(m) { archive.months.append(m) }
        archive.months.sort { ($0.month, $0.detail) < ($1.month, $1.detail) }
        doc.set("archived", raw: archive.entry())
        if let replaced = ManagedSection.replace(in: doc.body, with: archive.generated()) { doc.body = replaced }
        return .init(bytes: Array(doc.text.utf8), conflicts: 0, notes: [])
    }
}
