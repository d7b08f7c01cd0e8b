/// The web page's files, kept as Swift string literals so that `cmem-server` carries them and serves
/// them without a resource bundle next to the binary. Hand-written HTML, CSS and JavaScript with no
/// library: the page draws lanes, shapes and arrows in SVG itself, which is less code than adapting a
/// charting library to lanes, buckets and correlation overlays, and leaves nothing to vendor or update.
enum WebAssets {
    struct Asset: Sendable {
        var text: String
        var type: String
    }

    static let named: [String: Asset] = [
        "app.js": Asset(text: script, type: "text/javascript; charset=utf-8"),
        "app.css": Asset(text: style, type: "text/css; charset=utf-8"),
        "icon.svg": Asset(text: icon, type: "image/svg+xml"),
    ]

    static let icon = #"""
    <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1d2733"/><path d="M5 22h6l3-10 4 14 3-8h6" fill="none" stroke="#5fb3f9" stroke-width="2.5" stroke-linejoin="round"/></svg>
    """#
}
