import Collector
import Logging

extension Collector {
    /// A collector that logs nothing, for tools that report results themselves (the benchmarks).
    public static func quiet(config: CollectorConfig = CollectorConfig()) -> Collector {
        Collector(config: config, logger: Logger(label: "cmem.collector", factory: { _ in SwiftLogNoOpLogHandler() }))
    }
}
