import Foundation
import MemoryCore
import MemoryModel
@testable import MemoryServer
import MemoryStore
import Testing
import TestSupport

/// What KEDA, the layer activator, agents and Phoenix send (docs/SOURCES.md), posted to
/// `POST /memory/timeline/events` and given to `cmem event record --from`: the same typed events either
/// way, that the correlator reads as causes or symptoms.
@Suite struct SourceEventTests {
    static func text(_ name: String) throws -> String { String(decoding: try Fixtures.bytes(name), as: UTF8.self) }

    static func events(_ name: String) throws -> [TimelineEvent] {
        try SourceEvents.events(try Fixtures.json(name), now: Timestamp(iso8601: "2026-12-01T00:00:00Z")!)
    }

    @Test func kedaScalingToZeroIsAScalingEventOnTheTarget() throws {
        let e = try #require(try Self.events("keda_scaling.json").first)
        #expect(e.type == "scaling" && e.source == "keda")
        #expect(e.components == ["invoice-worker"])
        #expect(e.timestamp == Timestamp(iso8601: "2026-11-07T10:52:00Z"))
        #expect(e.description == "KEDA scaled invoice-worker from 4 to 0 replicas (trigger kafka: trigger inactive: kafka lag metric unavailable)")
        #expect(e.severity == .warning)
        #expect(e.details["old"] == .number(4) && e.details["new"] == .number(0) && e.details["field"] == .string("replicas"))
    }

    @Test func kedasOwnCloudEventIsTakenAsItIs() throws {
        let e = try #require(try Self.events("keda_cloudevent_failed.json").first)
        #expect(e.type == "health_change" && e.source == "keda" && e.severity == .warning)
        #expect(e.components == ["invoice-worker"])
        #expect(e.details["namespace"] == .string("workers") && e.details["cluster"] == .string("prod-eu"))
        #expect(e.details["reason"] == .string("KEDAScalerFailed"))
        #expect(e.description.hasPrefix("ScaledObject invoice-worker failed: error getting lag"))
        #expect(e.timestamp == Timestamp(iso8601: "2026-11-07T10:52:04Z"))
    }

    @Test func kedaConfigChangeNamesTheFieldAndValues() throws {
        let e = try #require(try SourceEvents.events(.object([
            ("source", .string("keda")), ("scaled_object", .string("image-resizer")),
            ("changes", .object([("maxReplicaCount", .object([("old", .number(20)), ("new", .number(2))]))])),
        ])).first)
        #expect(e.type == "config_change")
        #expect(e.description == "ScaledObject image-resizer: maxReplicaCount 20 → 2")
        #expect(e.details["field"] == .string("maxReplicaCount"))
    }

    @Test func aColdStackActivationSaysColdStartAndItsLatency() throws {
        let e = try #require(try Self.events("layer_activator_cold_start.json").first)
        #expect(e.type == "stack_activation" && e.source == "layer-activator")
        #expect(e.components == ["embedding-service", "reranker"])
        #expect(e.description == "Activated stack ml-inference (embedding-service, reranker): cold start, ready in 48.2 s (pulling model images (6.1 GB))")
        #expect(e.details["latency_ms"] == .number(48200) && e.details["cold"] == .bool(true))
    }

    @Test func anAgentTaskCarriesWhatItChanged() throws {
        let e = try #require(try Self.events("agent_task_completed.json").first)
        #expect(e.type == "task_completed" && e.source == "agent")
        #expect(e.components == ["inventory-api"])
        #expect(e.description.contains("removed INVENTORY_CACHE_URL"))
        #expect(e.description.contains("changed ConfigMap/inventory-api-env"))
        #expect(e.details["changed"] == .array([.string("ConfigMap/inventory-api-env"), .string("Deployment/inventory-api")]))
        let failed = try #require(try SourceEvents.events(.object([
            ("source", .string("agent")), ("task", .string("e2e tests")), ("status", .string("failed")),
            ("error", .string("timed out after 600s")), ("components", .array([.string("checkout")])),
        ])).first)
        #expect(failed.type == "task_failed" && failed.severity == .warning)
        #expect(failed.description == "Agent task failed: 'e2e tests' on checkout: timed out after 600s")
    }

    @Test func aPhoenixAnomalyKeepsItsTraceID() throws {
        let e = try #require(try Self.events("phoenix_trace_anomaly.json").first)
        #expect(e.type == "trace_anomaly" && e.source == "phoenix" && e.severity == .error)
        #expect(e.components == ["chat-assistant"])
        #expect(e.details["trace_id"] == .string("4bf92f3577b34da6a3ce929d0e0e4736"))
        #expect(e.description == "Phoenix: retriever.search latency p95 +425% 2730 ms on chat-assistant (baseline 520 ms), trace 4bf92f3577b34da6a3ce929d0e0e4736")
    }

    @Test func phoenixSpansRecordOnlyTheOnesThatFailed() throws {
        let events = try Self.events("phoenix_spans.json")
        #expect(events.count == 1)
        let e = try #require(events.first)
        #expect(e.type == "trace_anomaly" && e.severity == .error)
        #expect(e.components == ["chat-assistant"])
        #expect(e.details["trace_id"] == .string("4bf92f3577b34da6a3ce929d0e0e4736"))
        #expect(e.details["duration_ms"] == .number(30000))
        #expect(e.timestamp == Timestamp(iso8601: "2026-11-17T14:24:21.120Z"))
        #expect(e.description.contains("ReadTimeout"))
    }

    @Test func badPayloadsNameTheField() throws {
        #expect(throws: ValidationError.self) { try SourceEvents.events(.object([("source", .string("keda"))])) }
        do {
            _ = try SourceEvents.events(.object([("source", .string("layer-activator")), ("stack", .string("s")), ("action", .string("exploded"))]))
            Issue.record("accepted an unknown action")
        } catch let e as ValidationError {
            #expect(e.message.contains("action"))
        }
        do {
            _ = try SourceEvents.events(.object([("source", .string("agent")), ("task", .string("t")), ("timestamp", .string("yesterday"))]))
            Issue.record("accepted a bad time")
        } catch let e as ValidationError {
            #expect(e.message.contains("timestamp"))
        }
    }

    /// Every payload through REST, twice: recorded once, then duplicates (IDs come from the payload).
    @Test func restRecordsEachSourcePayloadOnce() async throws {
        let f = try ServerFixture()
        let names = ["keda_scaling.json", "keda_cloudevent_failed.json", "layer_activator_cold_start.json", "agent_task_completed.json",
                     "phoenix_trace_anomaly.json", "phoenix_spans.json"]
        try await f.withClient { api in
            for name in names {
                let r = try await api.post("/memory/timeline/events", try Self.text(name))
                #expect(r.status == 201, "\(name): \(r.text)")
                #expect(r["recorded"] == .number(1), "\(name): \(r.text)")
                let again = try await api.post("/memory/timeline/events", try Self.text(name))
                #expect(again.status == 200 && again["duplicates"] == .number(1), "\(name): \(again.text)")
            }
            let bad = try await api.post("/memory/timeline/events", #"{"source": "phoenix"}"#)
            #expect(bad.status == 400)
            #expect(bad.errorMessage?.contains("project") == true, "\(bad.text)")
            let ok = try await api.post("/memory/timeline/events", #"{"data": [{"name": "x", "context": {"trace_id": "ab"}, "status_code": "OK"}]}"#)
            #expect(ok.status == 200 && ok["ignored"] != nil, "\(ok.text)")
        }
        var filter = MemoryStore.TimelineFilter()
        filter.limit = 100
        let types = try f.store().timeline(filter).events.map(\.type).sorted()
        #expect(types == ["health_change", "scaling", "stack_activation", "task_completed", "trace_anomaly", "trace_anomaly"])
    }

    /// What the sources send is read by correlation: a cold stack activation is the probable cause of the
    /// timeouts after it (a warm one before it is routine), and an agent task that changed a ConfigMap of the
    /// latency that followed (not the one that ran tests).
    @Test func correlationReadsTheTypedEvents() async throws {
        let f = try ServerFixture()
        try await f.withClient { api in
            let warm = #"{"source": "layer-activator", "action": "activated", "stack": "ml-inference", "components": ["embedding-service", "reranker"], "cold_start": false, "latency_ms": 900, "timestamp": "2026-11-14T07:00:00Z"}"#
            for body in [warm, try Self.text("layer_activator_cold_start.json"), try Self.text("agent_task_completed.json"),
                         #"{"source": "agent", "task": "ran unit tests", "summary": "188 passed", "components": ["inventory-api"], "timestamp": "2026-11-16T15:30:00Z"}"#] {
                let r = try await api.post("/memory/timeline/events", body)
                #expect(r.status == 201, "\(r.text)")
            }
            let cold = try await api.post("/memory/timeline/correlate", JSONValue.object([
                ("symptom", .string("embedding-service timeouts")), ("at", .string("2026-11-14T10:12:00Z")), ("timeframe", .string("6h")),
                ("components", .array([.string("embedding-service")])),
            ]))
            #expect(cold.status == 200, "\(cold.text)")
            #expect(cold["probable_cause"]?["event_type"] == .string("stack_activation"), "\(cold.text)")
            #expect(cold["probable_cause"]?["description"]?.stringValue?.contains("cold start") == true, "\(cold.text)")
            let agent = try await api.post("/memory/timeline/correlate", JSONValue.object([
                ("symptom", .string("inventory-api p99 latency jumped")), ("at", .string("2026-11-16T15:40:00Z")), ("timeframe", .string("6h")),
                ("components", .array([.string("inventory-api")])),
            ]))
            #expect(agent["probable_cause"]?["description"]?.stringValue?.contains("INVENTORY_CACHE_URL") == true, "\(agent.text)")
        }
    }

    /// The real `cmem event record --from` writes the same event REST does for the same payload.
    @Test func theCLIRecordsTheSameEventsAsREST() throws {
        let dir = TemporaryDirectory("cmem-sources")
        let repo = dir.file("memory")
        #expect(try CMemBinary.run(["init", repo], repo: repo).status == 0)
        let file = Fixtures.directory.appendingPathComponent("layer_activator_cold_start.json").path
        let r = try CMemBinary.run(["event", "record", "--from", file, "--json"], repo: repo)
        #expect(r.status == 0, "\(r.stderr)")
        let expected = try #require(try Self.events("layer_activator_cold_start.json").first)
        let written = try JSONValue.parse(r.stdout)["events"]
        guard case let .array(items)? = written, let first = items.first else { Issue.record("no events: \(r.stdout)"); return }
        #expect(first["event_id"] == .string(expected.id))
        #expect(first["description"] == .string(expected.description))
        let stdin = try CMemBinary.run(["event", "record", "--from", "-", "--json"], repo: repo, stdin: Data(try Self.text("layer_activator_cold_start.json").utf8))
        #expect(stdin.status == 0)
        #expect(try JSONValue.parse(stdin.stdout)["events"]?.items.first?["status"] == .string("duplicate"), "\(stdin.stdout)")
        let bad = try CMemBinary.run(["event", "record", "--from", file, "--type", "x"], repo: repo)
        #expect(bad.status != 0 && bad.stderr.contains("--from"))
    }
}
