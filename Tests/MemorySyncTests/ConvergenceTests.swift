import Foundation
import Testing
import MemoryModel
import TestSupport
@testable import MemorySync

/// A small, seedable random number generator (SplitMix64), so an interleaving can be replayed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// What one clone wrote, for the assertions at the end.
final class Writes: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var events: [String] = []
    private(set) var decisions: [String] = []
    private(set) var lastEdit: String?
    private(set) var failures: [String] = []

    func add(event: String) { lock.lock(); events.append(event); lock.unlock() }
    func add(decision: String) { lock.lock(); decisions.append(decision); lock.unlock() }
    func edited(_ value: String) { lock.lock(); lastEdit = value; lock.unlock() }
    func fail(_ message: String) { lock.lock(); failures.append(message); lock.unlock() }
}

/// The "done means": three clones meeting at a real network remote (`git daemon` on loopback),
/// writing concurrently (events on the same day, decisions in the same session, hand edits to different
/// fields of the same session file) and syncing repeatedly until quiet.
@Suite(.serialized) struct ConvergenceTests {
    /// The front-matter key each clone edits by hand: different fields of the same session note.
    static let editedKeys = ["summary", "current_task", "reviewer"]

    @Test(arguments: [11, 23, 47] as [UInt64])
    func threeClonesConvergeOverTheNetwork(seed: UInt64) throws {
        let probe = try SyncWorld()
        let daemon = try GitDaemon(basePath: probe.remotesDir)
        defer { daemon.stop() }
        probe.url = daemon.url("memory.git")
        let w = probe
        let origin = try w.seed("origin-machine")
        let session = try origin.expect(["session", "start", "--task", "Converge"])
        try origin.expect(["sync"])
        let clones = try (0..<3).map { try w.clone("clone\($0)") }
        let sessionPath = try #require(clones[0].sessionPath(session))
        let writes = (0..<3).map { _ in Writes() }

        // Each clone on its own thread, with its own seeded sequence of writes, hand edits and syncs.
        let group = DispatchGroup()
        for (i, clone) in clones.enumerated() {
            group.enter()
            let log = writes[i]
            Thread.detachNewThread {
                defer { group.leave() }
                var rng = SeededRandom(seed: seed &* 1000 &+ UInt64(i))
                do {
                    for step in 0..<7 {
                        switch Int.random(in: 0..<10, using: &rng) {
                        case 0..<4:
                            let second = Int.random(in: 0..<86_400, using: &rng)
                            let time = String(format: "2026-03-01T%02d:%02d:%02dZ", second / 3600, second / 60 % 60, second % 60)
                            log.add(event: try clone.record("clone \(i) step \(step)", at: time))
                        case 4..<6:
                            log.add(decision: try clone.expect(["session", "decide", "clone \(i) decides \(step)",
                                                                "--rationale", "seed \(seed)", "--session", session]))
                        case 6..<8:
                            let value = "clone \(i) edit \(step)"
                            try clone.handEdit(sessionPath, key: ConvergenceTests.editedKeys[i], value: value)
                            log.edited(value)
                        default:
                            let r = try clone.cmem(["sync", "--json"])
                            if r.status != 0 {
                                let kind = (try? JSONValue.parse(r.stdout))?["error"]?["kind"]?.stringValue
                                if kind != "remote_kept_moving" { log.fail("sync in clone \(i): \(r.stdout)\(r.stderr)") }
                            }
                        }
                        usleep(UInt32.random(in: 0..<20_000, using: &rng))
                    }
                    // Make sure every clone syncs at least once while the others are still busy.
                    let r = try clone.cmem(["sync", "--json"])
                    if r.status != 0 { log.fail("final concurrent sync in clone \(i): \(r.stdout)\(r.stderr)") }
                } catch {
                    log.fail("clone \(i): \(error)")
                }
            }
        }
        group.wait()
        for log in writes { #expect(log.failures.isEmpty, "\(log.failures)") }

        // Sync round after round until a whole round changes nothing.
        var rounds = 0
        while rounds < 8 {
            rounds += 1
            var changed = false
            for clone in clones {
                let r = try clone.json(["sync"])
                #expect(r["error"] == nil, "\(r)")
                if r["merge"]?.stringValue != "up_to_date" || r["pushed"] == .bool(true) || r["committed"] != .array([]) { changed = true }
            }
            if !changed { break }
        }
        #expect(rounds < 8, "did not converge")

        // Every clone holds the same commit, the remote's, with nothing left uncommitted.
        let heads = try clones.map { try $0.head() }
        #expect(Set(heads).count == 1)
        #expect(heads[0] == (try w.remoteHead()))
        for c in clones { #expect(try c.git("status", "--porcelain").trimmed == "") }
        #expect(try clones[0].git("fsck", "--strict").status == 0)

        // The run really interleaved: writes on every side, and merges in the shared history.
        let written = writes.flatMap(\.events)
        #expect(written.count > 0 && !writes.flatMap(\.decisions).isEmpty)
        #expect((Int(try clones[0].git("rev-list", "--merges", "--count", "HEAD").trimmed) ?? 0) > 0)

        // Every event written anywhere is there exactly once.
        let found = try clones[0].eventIDs()
        #expect(found.count == written.count, "found \(found.count), written \(written.count)")
        #expect(Set(found) == Set(written))
        #expect(found.sorted() == found.sorted().uniqued())

        // No conflict markers anywhere.
        for top in ["timeline", "sessions", "decisions"] {
            for f in clones[0].files(top) { #expect(conflictMarkers(try clones[0].read(f)).isEmpty, "\(f)") }
        }

        // No field value lost: every decision is linked and has its record; every hand edit's last value stands.
        let note = try clones[0].read(sessionPath)
        let values = try FrontMatterDocument.split(note, path: sessionPath).values(path: sessionPath)
        var fm: [String: JSONValue] = [:]
        for (k, v) in values { fm[k] = v }
        let linked = Set((fm["decisions"].map { if case let .array(a) = $0 { return a.compactMap(\.stringValue) } else { return [] } } ?? []).map(Wikilink.target))
        for d in writes.flatMap(\.decisions) {
            #expect(linked.contains(d), "decision \(d) missing from the session")
            #expect(clones[0].files("decisions").contains { $0.hasSuffix("/\(d).md") })
        }
        for (i, log) in writes.enumerated() {
            if let last = log.lastEdit { #expect(fm[ConvergenceTests.editedKeys[i]]?.stringValue == last) }
        }
        #expect(fm[NoteMerge.keptKey] == nil, "no field was changed on two sides, so nothing should be kept aside")

        // Clones that synced the same commits answer queries identically.
        let answers = try clones.map { try $0.expect(["timeline", "--since", "2026-03-01", "--until", "2026-03-01", "--limit", "1000", "--json"]) }
        #expect(Set(answers).count == 1)
        let sessions = try clones.map { try $0.expect(["session", "show", session, "--json"]) }
        #expect(Set(sessions).count == 1)
    }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
