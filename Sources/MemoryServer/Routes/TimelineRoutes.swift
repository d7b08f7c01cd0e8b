import Hummingbird
import MemoryCore
import MemoryIndex
import MemoryModel
import MemoryStore

/// `/memory/timeline`: query, record, one event with its causes and effects, a component's history,
/// and correlation of a symptom with what changed before it.
struct TimelineRoutes {
    let service: MemoryService

    var collection: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get { request, _ in try await query(request) }
        routes.get("buckets") { request, _ in try await buckets(request) }
        routes.post("events") { request, _ in try await record(request) }
        routes.get("event/{id}") { request, context in
            try QueryParameters(request).rejectUnknown()
            return try await event(context)
        }
        routes.get("component/{name}") { request, context in try await component(request, context) }
        routes.post("correlate") { request, _ in try await correlate(request) }
        return routes
    }

    func query(_ request: Request) async throws -> Response {
        let q = try QueryParameters(request)
        var query = try TimelineRoutes.filters(q)
        query.limit = try q.integer("limit", in: AnswerLimit.timeline.range) ?? AnswerLimit.timeline.defaultValue
        let fromHistory = try q.bool("from_history") == true
        try q.rejectUnknown()
        if fromHistory { return JSONResponse.make(try await service.historicalTimeline(query).json) }
        return JSONResponse.make(try await service.timeline(query).json)
    }

    /// The filters the timeline and its buckets share: range, types, components, sources, severity, text.
    static func filters(_ q: QueryParameters) throws -> TimelineRequest {
        var query = TimelineRequest()
        // `start` and `end`; or `since` and `until`, the words the CLI, MCP and /memory/search use.
        let start = try q.time("start"), since = try q.time("since")
        let end = try q.time("end", endOfDay: true), until = try q.time("until", endOfDay: true)
        if start != nil && since != nil { throw APIError.badRequest("give query parameter start or since, not both") }
        if end != nil && until != nil { throw APIError.badRequest("give query parameter end or until, not both") }
        query.since = start ?? since
        query.until = end ?? until
        query.types = try q.tokens("type")
        query.components = try q.components("component")
        query.sources = try q.tokens("source")
        if let s = try q.string("severity", maxLength: 16) {
            guard let severity = Severity(lenient: s) else {
                throw APIError.badRequest("query parameter severity must be one of info, warning, error, critical")
            }
            query.minSeverity = severity
        }
        query.text = try q.string("q", maxLength: 1024) ?? ""
        return query
    }

    /// Counts per lane and bucket for a range too large to send event by event (the web timeline zoomed out).
    func buckets(_ request: Request) async throws -> Response {
        let q = try QueryParameters(request)
        var query = try TimelineRoutes.filters(q)
        guard let start = query.since, var end = query.until else {
            throw APIError.badRequest("query parameters start and end are required: RFC 3339 times or durations ago such as 24h")
        }
        // Buckets split `[start, end)`: a bare date as end (its last millisecond) means up to the next midnight.
        if (end.milliseconds + 1) % 86_400_000 == 0 { end = Timestamp(milliseconds: end.milliseconds + 1) }
        guard end > start else { throw APIError.badRequest("query parameter end must be after start") }
        guard end.milliseconds - start.milliseconds <= 10 * 366 * 86_400_000 else {
            throw APIError.badRequest("the range from start to end is over ten years; narrow it")
        }
        let count = try q.integer("buckets", in: 1...2000) ?? 200
        query.limit = try q.integer("lanes", in: 1...500) ?? 60
        var grouping = LaneGrouping.component
        if let g = try q.string("group", maxLength: 16) {
            guard let parsed = LaneGrouping(rawValue: g) else {
                throw APIError.badRequest("query parameter group must be one of \(LaneGrouping.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            grouping = parsed
        }
        try q.rejectUnknown()
        return JSONResponse.make(try await service.buckets(query, start: start, end: end, count: count, grouping: grouping).json)
    }

    func record(_ request: Request) async throws -> Response {
        let bytes = try await request.collectBytes(limit: RequestLimits.body)
        let body = try RequestFields(parsing: bytes)
        var items: [JSONValue]
        if let list = body["events"] {
            try body.allowOnly(["events"])
            guard case let .array(events) = list else {
                throw APIError.badRequest("field events must be an array of events, not \(RequestFields.describe(list))")
            }
            guard !events.isEmpty else { throw APIError.badRequest("field events is empty") }
            guard events.count <= RequestLimits.eventsPerRequest else {
                throw APIError.badRequest("\(events.count) events in one request; the limit is \(RequestLimits.eventsPerRequest)")
            }
            items = events
        } else {
            items = [body.value]
        }
        let now = Timestamp.now()
        let batch = body["events"] != nil
        let events = try items.enumerated().flatMap { i, item in
            do {
                // KEDA, the layer activator, agents and Phoenix send their own shapes (docs/SOURCES.md).
                if SourceEvents.shape(of: item) != nil { return try SourceEvents.events(item, now: now) }
                return [try TimelineRoutes.event(try RequestFields(item, what: batch ? "events[\(i)]" : "the event"), now: now)]
            } catch let error where batch {
                // Say which event of the batch is wrong.
                let e = APIError.from(error)
                throw APIError(e.status, e.message.hasPrefix("events[") ? e.message : "events[\(i)]: \(e.message)")
            }
        }
        guard !events.isEmpty else {
            return JSONResponse.make(RecordedEvents(writes: [], ignored: RecordedEvents.nothingWorthKeeping).json)
        }
        let answer = RecordedEvents(writes: try await service.recordEvents(events))
        return JSONResponse.make(answer.json, status: answer.recorded > 0 ? .created : .ok)
    }

    /// An event as a client sends it, with the seed's field names.
    static let eventFields: Set<String> = ["event_id", "timestamp", "event_type", "source", "description", "details", "caused_by",
                                           "affected_components", "severity"]

    static func event(_ f: RequestFields, now: Timestamp) throws -> TimelineEvent {
        try f.allowOnly(eventFields, what: "an event")
        let time: Timestamp
        if let t = try f.string("timestamp", maxLength: 64) {
            guard let parsed = TimeFormats.dateTime(t) else {
                throw APIError.badRequest("field timestamp is not an RFC 3339 time such as 2026-01-19T14:30:00Z")
            }
            time = parsed
        } else {
            time = now
        }
        guard let type = try f.token("event_type") else { throw APIError.badRequest("field event_type is required") }
        guard let source = try f.token("source") else { throw APIError.badRequest("field source is required") }
        // Its length is the model's to judge (`event.validate()`), in the CLI's and MCP's words.
        let description = try f.requiredString("description", maxLength: .max)
        var id = Identifier.make(.event, at: time)
        if let given = try f.string("event_id", maxLength: 128) {
            try Identifier.validate(given, what: "event_id")
            id = given
        }
        var causedBy: String?
        if let c = try f.string("caused_by", maxLength: 128) {
            try Identifier.validate(c, what: "caused_by")
            causedBy = c
        }
        let components = try f.stringList("affected_components", maxLength: 253) ?? []
        for c in components { _ = try PathParameters.component(c, what: "affected_components item") }
        var severity = Severity.info
        if let s = try f.string("severity", maxLength: 16) {
            guard let parsed = Severity(rawValue: s) else {
                throw APIError.badRequest("field severity must be one of info, warning, error, critical")
            }
            severity = parsed
        }
        let details = try f.object("details") ?? .object([])
        let event = TimelineEvent(id: id, timestamp: time, type: type, source: source, description: description,
                                  details: details, causedBy: causedBy, components: components, severity: severity)
        try event.validate()
        return event
    }

    func event(_ context: BasicRequestContext) async throws -> Response {
        let id = try PathParameters.id(context, what: "event id")
        guard let detail = try await service.event(id: id) else { throw APIError.notFound("no event with id \(id)") }
        return JSONResponse.make(detail.json)
    }

    func component(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let name = try PathParameters.component(try PathParameters.decoded(context, "name"), what: "component")
        let q = try QueryParameters(request)
        // `start`, or `since` as the CLI, MCP and the timeline say.
        let given = try q.time("start"), since = try q.time("since")
        if given != nil && since != nil { throw APIError.badRequest("give query parameter start or since, not both") }
        let start = given ?? since
        let limit = try q.integer("limit", in: AnswerLimit.componentHistory.range) ?? AnswerLimit.componentHistory.defaultValue
        try q.rejectUnknown()
        return JSONResponse.make(try await service.componentHistory(name, start: start, limit: limit).json)
    }

    func correlate(_ request: Request) async throws -> Response {
        let body = try await request.jsonObject()
        try body.allowOnly(["symptom", "timeframe", "window", "at", "components", "limit"])
        let symptom = try body.requiredString("symptom", maxLength: RequestLimits.symptom)
        var timeframe: Int64 = 24 * 3600
        // `timeframe`, or `window` as the CLI and MCP call it.
        if body.has("timeframe") && body.has("window") { throw APIError.badRequest("give field timeframe or window, not both") }
        let key = body.has("window") ? "window" : "timeframe"
        if let t = body[key] {
            switch t {
            case let .string(s):
                guard let secs = TimeFormats.duration(s) else {
                    throw APIError.badRequest("field \(key) must be a duration such as 2h, 24h or 7d")
                }
                timeframe = secs
            case let .number(n):
                guard n == n.rounded(), n >= 1, n <= 999_999_999 else {
                    throw APIError.badRequest("field \(key) in seconds must be a whole number from 1 to 999999999")
                }
                timeframe = Int64(n)
            default:
                throw APIError.badRequest("field \(key) must be a duration string such as 24h, or seconds")
            }
        }
        var end: Timestamp?
        if let at = try body.string("at", maxLength: 64) {
            let t = try TimeInput.parse(at, field: "at")
            end = t
        }
        let components = try body.stringList("components", maxLength: 253) ?? []
        for c in components { _ = try PathParameters.component(c, what: "component") }
        let limit = try body.integer("limit") ?? AnswerLimit.correlate.defaultValue
        guard AnswerLimit.correlate.range.contains(limit) else {
            throw APIError.badRequest("field limit must be from 1 to \(AnswerLimit.correlate.maximum)")
        }
        let answer = try await service.correlate(symptom: symptom, window: timeframe, at: end, components: components, limit: limit)
        return JSONResponse.make(answer.json)
    }
}
