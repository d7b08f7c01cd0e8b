import ChildProcess
import Foundation
import Logging

/// Something that hands out the raw JSON for each kind. A source never throws: whatever goes wrong is a
/// `.failed` result for that kind, and the other kinds carry on.
public protocol InfraSource: Sendable {
    func fetch(_ kind: InfraKind) async -> SourceResult
}

/// `--from-dir DIR`: recorded outputs, `DIR/pods.json` and so on (see `InfraKind`), each the output of
/// `kubectl get KIND -A -o json`, and `DIR/applications.json`. A missing file means that kind was not
/// collected (a failed source: what it described is kept as last seen), never that the cluster has none,
/// unless the directory is `complete`. A file that cannot be read is a failed source.
public struct DirectorySource: InfraSource {
    public let directory: String
    /// The directory holds every kind: a missing file means there is nothing of that kind.
    public let complete: Bool

    public init(directory: String, complete: Bool = false) {
        self.directory = directory
        self.complete = complete
    }

    public func fetch(_ kind: InfraKind) async -> SourceResult {
        let path = (directory as NSString).appendingPathComponent("\(kind.rawValue).json")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return complete ? .absent : .failed("not collected: \(kind.rawValue).json is not in \(directory) (pass --complete if it holds every kind)")
        }
        if isDirectory.boolValue { return .failed("\(kind.rawValue).json is a directory") }
        guard let handle = FileHandle(forReadingAtPath: path) else { return .failed("\(kind.rawValue).json cannot be read") }
        defer { try? handle.close() }
        do {
            let data = try handle.readToEnd() ?? Data()
            return .data([UInt8](data))
        } catch {
            return .failed("\(kind.rawValue).json cannot be read: \(error.localizedDescription)")
        }
    }
}

/// The live cluster through `kubectl get KIND -A -o json`, with the user's kubeconfig and context, and
/// Argo CD applications through the `applications.argoproj.io` resources or `argocd app list -o json`.
/// Each call has its own timeout; on timeout the command and its children are killed.
public struct KubectlSource: InfraSource {
    public var kubectl: String
    public var context: String?
    public var kubeconfig: String?
    public var timeoutSeconds: Double
    public var argocd: ArgoCDMode
    public var argocdExecutable: String
    /// Outputs larger than this fail the source instead of exhausting memory.
    public var maxOutputBytes: Int
    public var logger: Logger

    public init(kubectl: String = "kubectl", context: String? = nil, kubeconfig: String? = nil, timeoutSeconds: Double = 30,
                argocd: ArgoCDMode = .kubernetes, argocdExecutable: String = "argocd", maxOutputBytes: Int = 1 << 30,
                logger: Logger) {
        self.kubectl = kubectl
        self.context = context
        self.kubeconfig = kubeconfig
        self.timeoutSeconds = timeoutSeconds
        self.argocd = argocd
        self.argocdExecutable = argocdExecutable
        self.maxOutputBytes = maxOutputBytes
        self.logger = logger
    }

    public init(config: CollectorConfig, logger: Logger) {
        self.init(kubectl: config.kubectl, context: config.context, kubeconfig: config.kubeconfig.map(KubectlSource.expandTilde),
                  timeoutSeconds: Double(config.timeoutSeconds), argocd: config.argocd, argocdExecutable: config.argocdExecutable,
                  logger: logger)
    }

    /// kubectl with the user's kubeconfig and context: how every kubectl command of the collector starts.
    static func commandPrefix(_ kubectl: String, kubeconfig: String?, context: String?) -> [String] {
        var args = [kubectl]
        if let kubeconfig { args += ["--kubeconfig", kubeconfig] }
        if let context { args += ["--context", context] }
        return args
    }

    /// The command line for one kind, or nil when the kind is not read.
    public func arguments(for kind: InfraKind) -> [String]? {
        if kind == .applications {
            switch argocd {
            case .off: return nil
            case .cli: return [argocdExecutable, "app", "list", "-o", "json"]
            case .kubernetes: break
            }
        }
        var args = KubectlSource.commandPrefix(kubectl, kubeconfig: kubeconfig, context: context)
        // kubectl's own timeout fires a little before ours, so that it can say what it was waiting for.
        let requestTimeout = max(1, Int(timeoutSeconds) - 2)
        args += ["get", kind.kubectlResource, "--all-namespaces", "-o", "json", "--request-timeout", "\(requestTimeout)s"]
        return args
    }

    public func fetch(_ kind: InfraKind) async -> SourceResult {
        guard let args = arguments(for: kind) else { return .absent }
        let what = "\(URL(fileURLWithPath: args[0]).lastPathComponent) get \(kind.kubectlResource)"
        let result: ChildOutput
        do {
            result = try await ChildProcess(args, timeout: timeoutSeconds, maxOutputBytes: maxOutputBytes).run()
        } catch ChildProcessError.notFound(let program) {
            logger.info("collector source failed", metadata: ["collector.kind": "\(kind.rawValue)", "collector.error": "not found"])
            return .failed("\(program) was not found on PATH")
        } catch {
            logger.info("collector source failed", metadata: ["collector.kind": "\(kind.rawValue)", "collector.error": "\(error)"])
            return .failed("\(what) could not start: \(error)")
        }
        if result.timedOut {
            logger.info("collector source timed out", metadata: ["collector.kind": "\(kind.rawValue)"])
            return .failed("\(what) timed out after \(Int(timeoutSeconds))s")
        }
        if result.outputTooLarge { return .failed("\(what) printed more than \(maxOutputBytes) bytes") }
        guard result.status == 0 else {
            let message = KubectlSource.errorLine(result.stderr)
            if message.contains("doesn't have a resource type") || message.contains("could not find the requested resource") {
                return .absent
            }
            logger.info("collector source failed", metadata: [
                "collector.kind": "\(kind.rawValue)", "collector.exit_code": "\(result.status)", "collector.error": "\(message)",
            ])
            return .failed("\(what) failed (exit \(result.status))" + (message.isEmpty ? "" : ": \(message)"))
        }
        logger.debug("collector source read", metadata: ["collector.kind": "\(kind.rawValue)", "collector.bytes": "\(result.stdout.count)"])
        return .data(result.stdout)
    }

    /// The last meaningful line of kubectl's stderr, without klog's time prefix
    /// (`E1125 11:32:00.123456   12345 memcache.go:265] `), so that the message is stable between runs.
    static func errorLine(_ stderr: [UInt8]) -> String {
        let lines = String(decoding: stderr, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
        guard var line = lines.last(where: { !$0.trimmingSpaces.isEmpty })?.trimmingSpaces else { return "" }
        if let first = line.first, "IWEF".contains(first), line.dropFirst().prefix(4).allSatisfy(\.isNumber),
           let close = line.firstIndex(of: "]") {
            line = String(line[line.index(after: close)...]).trimmingSpaces
        }
        if line.hasPrefix("error: ") { line = String(line.dropFirst(7)) }
        return String(line.prefix(300))
    }

    static func expandTilde(_ path: String) -> String {
        guard path.hasPrefix("~/") else { return path }
        return NSHomeDirectory() + path.dropFirst()
    }
}
