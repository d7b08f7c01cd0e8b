import MemoryModel

extension Snapshot {
    /// Re-reads one event from its day file (the snapshot stores where each block is, not its text).
    func event(at a: DocAddress, root: String) -> TimelineEvent? {
        let seg = segments[a.segment]
        guard a.doc < seg.docCount, seg.kind[a.doc] == DocumentKind.event.rawValue else { return nil }
        let path = seg.filePathString(Int(seg.file[a.doc]))
        let length = Int(seg.length[a.doc])
        guard length <= Limits.maxNoteBytes,
              let bytes = FileIO.read(root + "/" + path, offset: Int(seg.offset[a.doc]), length: length) else {
            return nil
        }
        let parsed = TimelineDay.parse(bytes, path: path)
        // A month summary's one-line entry (retention) is an event too.
        let e = parsed.events.first ?? TimelineSummary.event(fromLine: Substring(String(decoding: bytes, as: UTF8.self)))
        // The block must still be the one indexed; a mismatch means the file changed since the update.
        guard let e, exactHash(e.id) == seg.idHash[a.doc] else { return nil }
        return e
    }

    func location(_ a: DocAddress) -> (path: String, line: Int) {
        let seg = segments[a.segment]
        return (seg.filePathString(Int(seg.file[a.doc])), Int(seg.line[a.doc]))
    }

    /// The search hit for a document, with its record re-read from disk.
    func hit(_ a: DocAddress, score: Float, root: String) -> SearchHit? {
        let seg = segments[a.segment]
        guard a.doc < seg.docCount, let kind = DocumentKind(rawValue: seg.kind[a.doc]) else { return nil }
        let (path, line) = location(a)
        var hit = SearchHit(kind: kind, id: "", path: path, line: line, timestamp: Timestamp(milliseconds: seg.ts[a.doc]),
                            score: Double(score), title: "")
        switch kind {
        case .event:
            guard let e = event(at: a, root: root) else { return nil }
            hit.id = e.id
            hit.title = e.description
            hit.event = e
        case .decision:
            guard let bytes = try? FileIO.read(root + "/" + path, limit: Limits.maxNoteBytes), let d = try? Decision(values: FrontMatterReader.values(bytes, path: path), path: path),
                  exactHash(d.id) == seg.idHash[a.doc] else { return nil }
            hit.id = d.id
            hit.title = d.decision
            hit.decision = d
        case .session:
            guard let bytes = try? FileIO.read(root + "/" + path, limit: Limits.maxNoteBytes), let s = try? Session(values: FrontMatterReader.values(bytes, path: path), path: path),
                  exactHash(s.id) == seg.idHash[a.doc] else { return nil }
            hit.id = s.id
            hit.title = s.currentTask.isEmpty ? s.summary : s.currentTask
            hit.session = s
        case .note:
            // The section as it is now: its heading (or the note's name, for the text before any heading).
            guard let bytes = FileIO.read(root + "/" + path, offset: Int(seg.offset[a.doc]), length: Int(min(seg.length[a.doc], 4096))) else {
                return nil
            }
            let firstLine = String(decoding: bytes.prefix { $0 != 10 }, as: UTF8.self)
            let name = String((path.split(separator: "/").last ?? Substring(path)).dropLast(3))
            hit.id = path
            if firstLine.hasPrefix("#") {
                let heading = firstLine.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
                hit.title = heading == name ? name : "\(name) › \(heading)"
            } else {
                hit.title = name
            }
        }
        return hit
    }

    /// The document with this ID. Event IDs carry their day, which narrows the scan to it.
    func find(id: String) -> DocAddress? {
        let h = exactHash(id)
        if let day = Identifier.day(of: id), let start = Timestamp(iso8601: day) {
            // A day either side: an ID's time is when it was minted, which may differ a little.
            let lo = start.milliseconds - 86_400_000, hi = start.milliseconds + 2 * 86_400_000
            for (s, seg) in segments.enumerated() {
                for d in seg.lowerBound(time: lo)..<seg.lowerBound(time: hi) where seg.idHash[d] == h && isLive(s, d) {
                    return DocAddress(segment: s, doc: d)
                }
            }
        }
        for (s, seg) in segments.enumerated() {
            for d in 0..<seg.docCount where seg.idHash[d] == h && isLive(s, d) { return DocAddress(segment: s, doc: d) }
        }
        return nil
    }

    /// Events whose `caused_by` is `id`, oldest first.
    func effects(of id: String, after time: Int64 = .min) -> [DocAddress] {
        let h = exactHash(id)
        var out: [DocAddress] = []
        for (s, seg) in segments.enumerated() {
            for d in seg.lowerBound(time: time)..<seg.docCount where seg.causedBy[d] == h && isLive(s, d) {
                out.append(DocAddress(segment: s, doc: d))
            }
        }
        return out.sorted { segments[$0.segment].ts[$0.doc] < segments[$1.segment].ts[$1.doc] }
    }

    /// Every component name any live document mentions, sorted.
    func componentNames() -> [String] {
        var names = Set<String>()
        for seg in segments { names.formUnion(seg.strings(usedAs: .component)) }
        return names.sorted()
    }

    /// Events (live, in `[since, until)`) in time order, across both segments.
    func eventsInWindow(since: Int64, until: Int64) -> [DocAddress] {
        var out: [DocAddress] = []
        for (s, seg) in segments.enumerated() {
            let lo = seg.lowerBound(time: since), hi = max(lo, seg.lowerBound(time: until))
            for d in lo..<hi where seg.kind[d] == DocumentKind.event.rawValue && isLive(s, d) {
                out.append(DocAddress(segment: s, doc: d))
            }
        }
        if out.count > 1 {
            out.sort { segments[$0.segment].ts[$0.doc] != segments[$1.segment].ts[$1.doc]
                ? segments[$0.segment].ts[$0.doc] < segments[$1.segment].ts[$1.doc] : $0.segment < $1.segment }
        }
        return out
    }
}

extension MemoryIndex {
    /// Full-text search with filters. Hits carry `path:line` and the record re-read from its note.
    public func search(_ query: SearchQuery) -> SearchResults {
        let snap = snapshot
        let (found, total) = snap.runCounted(query)
        var hits: [SearchHit] = []
        for (address, score) in found {
            if let h = snap.hit(address, score: score, root: repositoryPath) {
                hits.append(h)
            } else {
                logger.debug("a hit's note changed since the index was updated", metadata: ["index.path": "\(snap.location(address).path)"])
            }
        }
        return SearchResults(hits: hits, totalMatches: total.exact ? total.count : nil, freshness: freshness)
    }

    /// The event history of one component (exact name), newest first.
    public func events(component: String, since: Timestamp? = nil, until: Timestamp? = nil, limit: Int = 50) -> [TimelineEvent] {
        timeline(SearchQuery(kinds: [.event], components: [component], since: since, until: until, order: .newestFirst, limit: limit))
    }

    /// Events that pass the query's filters (and contain all its terms, if any), in the query's time
    /// order (relevance order means newest first here).
    public func timeline(_ query: SearchQuery) -> [TimelineEvent] {
        var q = query
        q.kinds = [.event]
        if q.order == .relevance { q.order = .newestFirst }
        let snap = snapshot
        return snap.run(q).hits.compactMap { snap.event(at: $0.0, root: repositoryPath) }
    }

    /// The event with this ID.
    public func event(id: String) -> TimelineEvent? {
        let snap = snapshot
        guard let a = snap.find(id: id) else { return nil }
        return snap.event(at: a, root: repositoryPath)
    }

    /// Where the document with this ID lives, as `(path, line)`.
    public func location(id: String) -> (path: String, line: Int)? {
        let snap = snapshot
        return snap.find(id: id).map(snap.location)
    }

    /// Events that name `id` as their `caused_by`, oldest first.
    public func caused(by id: String) -> [TimelineEvent] {
        let snap = snapshot
        let after = snap.find(id: id).map { snap.segments[$0.segment].ts[$0.doc] } ?? .min
        return snap.effects(of: id, after: after).compactMap { snap.event(at: $0, root: repositoryPath) }
    }

    /// Every component name the memory mentions.
    public func componentNames() -> [String] { snapshot.componentNames() }

    /// Counts, freshness and staleness, for `cmem index status`.
    public func status() -> IndexStatus {
        let snap = snapshot
        let f = freshness
        let counts = snap.counts()
        var head: String?
        switch RepositoryFiles.head(gitDirectory: gitDirectory) {
        case let .commit(c): head = c
        case .unborn: head = nil
        case .unknown: head = f.commit
        }
        var stale = head != f.commit
        for d in snap.state.directories where (FileIO.signature(repositoryPath + "/" + d.path) ?? .missing) != d.signature {
            stale = true
            break
        }
        return IndexStatus(freshness: f, head: head, isStale: stale, events: counts.events, decisions: counts.decisions,
                           sessions: counts.sessions, files: snap.liveFileCount, terms: snap.termCount,
                           baseDocuments: snap.base.docCount, deltaDocuments: snap.delta.docCount,
                           snapshotBytes: snap.bytes, snapshotDirectory: snapshotDirectory)
    }
}

