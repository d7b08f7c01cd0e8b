import Hummingbird
import MemoryCore
import MemoryModel
import MemoryStore
import NIOCore

/// The one error type the HTTP layer answers with: a status and a sentence, sent as
/// `{"error": {"message": …}}`. `APIError.from(_:)` maps every error the libraries throw, so nothing a
/// client sends can turn into a bare 500.
public struct APIError: Error, HTTPResponseError, CustomStringConvertible, Sendable {
    public var status: HTTPResponse.Status
    public var message: String
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status.code) \(message)" }

    public static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }
    public static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }

    public static func unauthorized(_ message: String) -> APIError {
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = "Bearer realm=\"cmem\""
        return APIError(.unauthorized, message, headers: headers)
    }

    public static func bodyTooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, "the request body is larger than the \(limit)-byte limit")
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONResponse.make(APIError.body(message), status: status, headers: headers)
    }

    public static func body(_ message: String) -> JSONValue {
        .object([("error", .object([("message", .string(message))]))])
    }

    /// The status and message for any error thrown while handling a request.
    public static func from(_ error: any Error) -> APIError {
        switch error {
        case let e as APIError:
            return e
        case let e as ValidationError:
            return .badRequest(e.message)
        case let e as CoreError:
            switch e {
            case let .invalid(message): return .badRequest(message)
            case .notFound, .absent: return .notFound(e.description)
            case let .notReady(seconds):
                var h = HTTPFields()
                h[.retryAfter] = "\(seconds)"
                return APIError(.serviceUnavailable, e.description, headers: h)
            case .noActiveSession: return APIError(.conflict, e.description + "; start one with POST /memory/sessions")
            }
        case let e as JSONParseError:
            return .badRequest("the request body is not valid JSON: \(e.description)")
        case let e as StoreError:
            switch e {
            case let .notFound(kind, id): return .notFound("no \(kind) with id \(id)")
            case let .invalid(message): return .badRequest(message)
            case .notARepository: return APIError(.serviceUnavailable, e.description)
            case .lockTimeout, .busy:
                var h = HTTPFields()
                h[.retryAfter] = "1"
                return APIError(.serviceUnavailable, e.description, headers: h)
            case let .note(note):
                // The request was fine; a note in the repository is not (hand-edited into something unreadable).
                return APIError(.unprocessableContent, "a note in the memory repository cannot be read: \(note.description)")
            case .tooLarge: return APIError(.unprocessableContent, e.description)
            case .conflicted: return APIError(.conflict, e.description)
            case .io, .git: return APIError(.internalServerError, e.description)
            }
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, "the request body is too large")
        case let e as HTTPError:
            let message: String
            switch e.status {
            case .notFound: message = "no such endpoint"
            case .methodNotAllowed: message = "method not allowed"
            default: message = e.body ?? e.status.reasonPhrase
            }
            return APIError(e.status, message, headers: e.headers)
        case let e as any HTTPResponseError:
            return APIError(e.status, e.status.reasonPhrase)
        default:
            return APIError(.internalServerError, "internal error: \(error)")
        }
    }
}

/// JSON responses. `JSONValue` writes compact JSON, which is what clients parse fastest.
public enum JSONResponse {
    public static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var text = value.json
        text.append("\n")
        var fields = headers
        fields[.contentType] = "application/json"
        let buffer = ByteBuffer(string: text)
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: buffer))
    }
}
