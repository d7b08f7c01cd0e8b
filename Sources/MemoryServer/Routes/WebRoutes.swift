import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /` and `GET /ui/{asset}`: the web page (timeline, "what broke it", infrastructure, sessions and
/// decisions), served from strings compiled into the binary, so it works offline and needs no build
/// step. The assets hold code only, never memory data: every datum comes from the API, under its auth
/// rules (with a token configured, the page asks for it and sends it as a bearer token).
struct WebRoutes {
    /// The page may load its own assets and call its own origin, nothing else: no inline script, no
    /// request off the machine, no framing.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    var collection: RouteCollection<BasicRequestContext> {
        let routes = RouteCollection(context: BasicRequestContext.self)
        routes.get { _, _ in WebRoutes.response(WebAssets.page, type: "text/html; charset=utf-8") }
        routes.get("ui/{asset}") { _, context in
            let name = context.parameters.get("asset") ?? ""
            guard let asset = WebAssets.named[name] else { throw APIError.notFound("no such asset: /ui/\(name)") }
            return WebRoutes.response(asset.text, type: asset.type)
        }
        return routes
    }

    static func response(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[.cacheControl] = "no-cache"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
