import Collector
import Foundation
import MemoryModel
import Testing
import TestSupport

/// Kubernetes Events followed with the API's watch: one timeline event per Event (by uid) however often its
/// count rises, attribution to the owning workload, resuming from the last resourceVersion, and an explicit
/// gap entry when events may have been missed. Lines are built from the real Events in
/// Fixtures/k8s_eventlist.json, wrapped as the API's watch wraps them.
@Suite struct EventWatchTests {
    static func items() throws -> [JSONValue] { try Fixture.items("k8s_eventlist.json") }

    /// The Event with `count` and `resourceVersion` replaced, as one watch line of type `type`.
    static func line(_ type: String, _ event: JSONValue, count: Int? = nil, rv: String? = nil) -> String {
        var e = event
        if let count { e = e.setting("count", .number(Double(count))) }
        if let rv { e = e.setting("metadata.resourceVersion", .string(rv)) }
        return JSONValue.object([("type", .string(type)), ("object", e)]).json
    }

    static let gone = #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 114058053 (114060000)","reason":"Expired","code":410}}"#

    @Test func aBackOffRepeatedFortyTimesIsOneEventOnItsDeployment() throws {
        let backOff = try Self.items()[1]
        var watch = EventWatch()
        let now = Timestamp(iso8601: "2021-02-26T09:40:00Z")!
        var events: [TimelineEvent] = []
        events += watch.ingest(line: Self.line("ADDED", backOff, count: 1, rv: "100"), at: now)
        for n in 2...40 { events += watch.ingest(line: Self.line("MODIFIED", backOff, count: n, rv: "\(100 + n)"), at: now) }
        #expect(events.count == 1)
        let e = try #require(events.first)
        #expect(e.type == "alert" && e.source == "kubernetes" && e.severity == .warning)
        // The pod my-app-5fc464b465-t4z6r belongs to Deployment my-app.
        #expect(e.components == ["my-app"])
        #expect(e.details["component"] == .string("deployment/my-app/my-app"))
        #expect(e.details["uid"] == .string("48226d93-b2c7-4f26-8e7b-f60da9bfb335"))
        #expect(e.description.contains("BackOff") && e.description.contains("Back-off restarting failed container"))
        #expect(e.timestamp == Timestamp(iso8601: "2021-02-26T09:30:59Z"))
        #expect(watch.state.counts["48226d93-b2c7-4f26-8e7b-f60da9bfb335"] == 40)
        // The count rose on the event already recorded: one update, the latest count.
        #expect(watch.takeCountUpdates() == [EventWatch.CountUpdate(id: e.id, count: 40, lastSeen: "2021-02-26T09:30:59Z")])
        #expect(watch.takeCountUpdates().isEmpty)
        #expect(watch.state.resourceVersion == "140")
        // Normal events record nothing, but move the resourceVersion on.
        #expect(watch.ingest(line: Self.line("ADDED", try Self.items()[0], rv: "141"), at: now).isEmpty)
        #expect(watch.watchPath.hasSuffix("&resourceVersion=141"))

        // After a restart from the saved state, the replayed Event is not recorded again.
        var again = EventWatch(state: EventWatch.State(json: watch.state.json))
        #expect(again.ingest(line: Self.line("ADDED", backOff, count: 41), at: now).isEmpty)
        #expect(again.state.counts["48226d93-b2c7-4f26-8e7b-f60da9bfb335"] == 41)
        #expect(again.takeCountUpdates().map(\.id) == [e.id])
    }

    @Test func aTooOldResourceVersionIsAGapOnTheTimeline() throws {
        var watch = EventWatch()
        _ = watch.ingest(line: #"{"type":"BOOKMARK","object":{"kind":"Event","metadata":{"resourceVersion":"114058053"}}}"#,
                         at: Timestamp(iso8601: "2026-11-07T10:00:00Z")!)
        #expect(watch.state.resourceVersion == "114058053")
        let gap = watch.ingest(line: Self.gone, at: Timestamp(iso8601: "2026-11-07T10:20:00Z")!)
        #expect(gap.count == 1)
        #expect(gap.first?.type == "collector_gap" && gap.first?.severity == .warning)
        #expect(gap.first?.details["from"] == .string("2026-11-07T10:00:00Z"))
        #expect(gap.first?.description.contains("may be missing") == true)
        // The next watch starts from now.
        #expect(watch.state.resourceVersion == nil)
        #expect(!watch.watchPath.contains("resourceVersion"))
    }

    @Test func aWatchStoppedLongerThanEventsLiveSaysWhatItMissed() {
        var state = EventWatch.State()
        state.lastContact = Timestamp(iso8601: "2026-11-07T08:00:00Z")
        state.resourceVersion = "5"
        var watch = EventWatch(state: state)
        #expect(watch.starting(at: Timestamp(iso8601: "2026-11-07T08:30:00Z")!).isEmpty)
        let gap = watch.starting(at: Timestamp(iso8601: "2026-11-07T10:00:00Z")!)
        #expect(gap.map(\.type) == ["collector_gap"])
        #expect(gap.first?.description.contains("120 min") == true)
        #expect(watch.state.resourceVersion == nil)
    }

    @Test func linesArriveInPieces() {
        var splitter = LineSplitter()
        #expect(splitter.feed(Array("{\"a\":".utf8)).isEmpty)
        #expect(splitter.feed(Array("1}\n{\"b\"".utf8)) == ["{\"a\":1}"])
        #expect(splitter.feed(Array(":2}\n".utf8)) == ["{\"b\":2}"])
        #expect(splitter.finish().isEmpty)
    }

    /// `cmem collect --watch` against a kubectl that streams the watch: the BackOff once, however often it
    /// repeats and however often the watch restarts; a gap entry for the 410; the resourceVersion saved.
    @Test func collectWatchFollowsEventsEndToEnd() throws {
        let dir = TestSupport.TemporaryDirectory("cmem-eventwatch")
        let repo = dir.file("memory")
        #expect(try CMemBinary.run(["init", repo], repo: repo).status == 0)
        let backOff = try Self.items()[1]
        try (Self.line("ADDED", backOff, count: 1, rv: "200") + "\n" + Self.line("MODIFIED", backOff, count: 7, rv: "201") + "\n"
            + Self.line("ADDED", try Self.items()[0], rv: "202") + "\n"
            + #"{"type":"BOOKMARK","object":{"kind":"Event","metadata":{"resourceVersion":"300"}}}"# + "\n")
            .write(toFile: dir.file("watch1.jsonl"), atomically: true, encoding: .utf8)
        try (Self.gone + "\n").write(toFile: dir.file("watch2.jsonl"), atomically: true, encoding: .utf8)
        try (Self.line("ADDED", backOff, count: 40, rv: "400") + "\n").write(toFile: dir.file("watch3.jsonl"), atomically: true, encoding: .utf8)
        let kubectl = dir.file("kubectl")
        try """
        #!/bin/sh
        d=\(dir.path)
        echo "$*" >> "$d/calls"
        case "$*" in
        *"get --raw"*)
            n=$(cat "$d/n" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$d/n"
            if [ -f "$d/watch$n.jsonl" ]; then cat "$d/watch$n.jsonl"; fi
            # The third watch stays open after its line, as a real one does on a quiet cluster.
            if [ "$n" -lt 3 ]; then exit 0; fi
            exec sleep 600 ;;
        *) echo '{"apiVersion":"v1","kind":"List","items":[]}' ;;
        esac
        """.write(toFile: kubectl, atomically: true, encoding: .utf8)
        chmod(kubectl, 0o755)
        let config = repo + "/.cmem/config.yaml"
        let existing = (try? String(contentsOfFile: config, encoding: .utf8)) ?? ""
        try (existing + "\ncollector:\n  kubectl: \"\(kubectl)\"\n  argocd: \"off\"\n").write(toFile: config, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: CMemBinary.path)
        process.arguments = ["collect", "--watch", "--interval", "1h", "--repo", repo]
        var env = ProcessInfo.processInfo.environment
        env["CMEM_LOG_LEVEL"] = "error"
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait (bounded) until the third watch's line is recorded while that watch is still open: what was read
        // is committed without waiting for more lines or for the watch to end.
        let statePath = repo + "/.git/cmem/collector/event-watch.json"
        let deadline = Date().addingTimeInterval(90)
        var flushedWhileOpen = false
        while Date() < deadline, !flushedWhileOpen {
            flushedWhileOpen = ((try? String(contentsOfFile: statePath, encoding: .utf8)) ?? "").contains("\"400\"")
            if !flushedWhileOpen { usleep(100_000) }
        }
        #expect(flushedWhileOpen)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        let calls = (try? String(contentsOfFile: dir.file("calls"), encoding: .utf8)) ?? ""
        // The second watch resumed from the bookmark's resourceVersion; the one after the 410 from now.
        let watches = calls.split(separator: "\n").filter { $0.contains("get --raw") }
        #expect(watches.count >= 3)
        if watches.count >= 3 {
            #expect(!watches[0].contains("resourceVersion="))
            #expect(watches[1].contains("resourceVersion=300"))
            #expect(!watches[2].contains("resourceVersion="))
        }
        let r = try CMemBinary.run(["timeline", "--json", "--limit", "100", "--since", "2020-01-01"], repo: repo)
        guard case let .array(events)? = try JSONValue.parse(r.stdout)["events"] else { Issue.record("no timeline: \(r.stdout)"); return }
        let alerts = events.filter { $0["event_type"] == .string("alert") }
        #expect(alerts.count == 1, "\(alerts)")
        #expect(alerts.first?["affected_components"] == .array([.string("my-app")]))
        // One event whose count rose to the last one seen (40), written in place.
        #expect(alerts.first?["details"]?["count"] == .number(40), "\(alerts)")
        #expect(events.filter { $0["event_type"] == .string("collector_gap") }.count == 1)
        let state = try JSONValue.parse(try String(contentsOfFile: repo + "/.git/cmem/collector/event-watch.json", encoding: .utf8))
        #expect(state["resource_version"] == .string("400"))
        #expect(state["seen"]?.json.contains("40") == true)
    }
}
