import ChildProcess
import Foundation
import MemoryModel

/// Installs and removes the git hooks that feed the timeline (post-commit, post-merge, post-rewrite) in a
/// code repository.
///
/// - The hooks directory is the one git uses: `git rev-parse --git-path hooks`, which honours
///   `core.hooksPath` (and linked worktrees).
/// - A hook already there that is not cmem's is kept as `NAME.cmem-chained`; cmem's hook runs it first, with
///   the same arguments and standard input, and exits with its status. Uninstalling puts it back.
/// - cmem's hooks are marked by the line `# cmem-hook v1`. Installing again rewrites only what differs.
///
/// The hook scripts are generated here (there is no copy to drift): `script(for:executable:memory:)`.
public enum GitHooks {
    public static let marker = "# cmem-hook v1"
    public static let chainedSuffix = ".cmem-chained"

    public struct Change: Sendable, Equatable {
        public enum Action: String, Sendable {
            /// Written where there was no hook.
            case installed
            /// The user's hook was moved to `NAME.cmem-chained` and cmem's hook runs it.
            case chained
            /// cmem's hook was there and has been rewritten (another cmem path or memory repository).
            case updated
            case unchanged
            /// Uninstall: cmem's hook removed, nothing to restore.
            case removed
            /// Uninstall: cmem's hook removed and the chained hook put back.
            case restored
            /// Uninstall: the hook there is not cmem's; it was left alone.
            case keptForeign = "kept_foreign"
            case notInstalled = "not_installed"
        }

        public let hook: GitHookKind
        public let path: String
        public let action: Action
        /// The user's hook that cmem's hook runs first, when there is one.
        public let chained: String?
    }

    public struct Location: Sendable, Equatable {
        /// The working tree of the code repository.
        public let root: String
        /// Where git looks for hooks.
        public let hooksDirectory: String
    }

    public enum Status: String, Sendable {
        case installed, foreign, absent
    }

    // MARK: Locating

    /// The code repository containing `directory` and its hooks directory.
    public static func locate(_ directory: String, git: String = "git") throws -> Location {
        let r: ChildOutput
        do {
            r = try ChildProcess([git, "-C", directory, "rev-parse", "--show-toplevel", "--git-path", "hooks"],
                                 timeout: 30, maxOutputBytes: 1 << 20).run()
        } catch ChildProcessError.notFound {
            throw GitEventError("\(git) was not found on PATH")
        }
        let lines = String(decoding: r.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
        guard r.status == 0, lines.count >= 2 else {
            let why = KubectlSource.errorLine(r.stderr)
            throw GitEventError("\(directory) is not inside a git working tree" + (why.isEmpty ? "" : " (\(why))"))
        }
        let root = lines[0]
        var hooks = lines[1]
        // `--git-path` answers relative to the directory git was run in.
        if !hooks.hasPrefix("/") { hooks = (directory as NSString).appendingPathComponent(hooks) }
        return Location(root: root, hooksDirectory: (hooks as NSString).standardizingPath)
    }

    // MARK: Installing

    /// Installs the three hooks into `location`. Idempotent.
    /// - Parameters:
    ///   - executable: the `cmem` the hooks run (an absolute path; `cmem` on PATH is the fallback).
    ///   - memory: the memory repository pinned into the hooks; nil lets each run decide ($CMEM_REPO, else
    ///     ~/.cortex/memory).
    public static func install(at location: Location, executable: String, memory: String?) throws -> [Change] {
        let fm = FileManager.default
        try fm.createDirectory(atPath: location.hooksDirectory, withIntermediateDirectories: true)
        // Check every hook before changing any, so that a refusal leaves nothing half installed.
        for hook in GitHookKind.allCases {
            let path = hookPath(hook, in: location)
            if exists(path), !isOurs(path), exists(path + chainedSuffix) {
                throw GitEventError("""
                \(path) is not cmem's, and \(path + chainedSuffix) (a hook cmem chained before) is also there; \
                move one of them away and install again
                """)
            }
        }
        var changes: [Change] = []
        for hook in GitHookKind.allCases {
            let path = hookPath(hook, in: location)
            let chainedPath = path + chainedSuffix
            let wanted = script(for: hook, executable: executable, memory: memory)
            var action: Change.Action
            if exists(path) && !isOurs(path) {
                guard rename(path, chainedPath) == 0 else {
                    throw GitEventError("cannot move \(path) to \(chainedPath): \(String(cString: strerror(errno)))")
                }
                action = .chained
            } else if exists(path) {
                action = read(path) == wanted ? .unchanged : .updated
            } else {
                action = .installed
            }
            if action != .unchanged { try write(wanted, to: path) }
            changes.append(Change(hook: hook, path: path, action: action, chained: exists(chainedPath) ? chainedPath : nil))
        }
        return changes
    }

    /// Removes cmem's hooks and puts chained hooks back. Hooks that are not cmem's are left alone.
    public static func uninstall(at location: Location) throws -> [Change] {
        var changes: [Change] = []
        for hook in GitHookKind.allCases {
            let path = hookPath(hook, in: location)
            let chainedPath = path + chainedSuffix
            if exists(path), !isOurs(path) {
                changes.append(Change(hook: hook, path: path, action: .keptForeign, chained: exists(chainedPath) ? chainedPath : nil))
                continue
            }
            let wasOurs = exists(path)
            if wasOurs, unlink(path) != 0 {
                throw GitEventError("cannot remove \(path): \(String(cString: strerror(errno)))")
            }
            if exists(chainedPath) {
                guard rename(chainedPath, path) == 0 else {
                    throw GitEventError("cannot move \(chainedPath) back to \(path): \(String(cString: strerror(errno)))")
                }
                changes.append(Change(hook: hook, path: path, action: .restored, chained: nil))
            } else {
                changes.append(Change(hook: hook, path: path, action: wasOurs ? .removed : .notInstalled, chained: nil))
            }
        }
        return changes
    }

    /// Whether each hook is cmem's, another one, or missing.
    public static func status(at location: Location) -> [(hook: GitHookKind, path: String, status: Status, chained: String?)] {
        GitHookKind.allCases.map { hook in
            let path = hookPath(hook, in: location)
            let status: Status = !exists(path) ? .absent : isOurs(path) ? .installed : .foreign
            let chained = path + chainedSuffix
            return (hook, path, status, exists(chained) ? chained : nil)
        }
    }

    public static func hookPath(_ hook: GitHookKind, in location: Location) -> String {
        (location.hooksDirectory as NSString).appendingPathComponent(hook.rawValue)
    }

    /// Whether the file at `path` is a hook cmem wrote (a symlink is never ours).
    public static func isOurs(_ path: String) -> Bool {
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return false }
        guard let text = read(path) else { return false }
        return text.split(separator: "\n", maxSplits: 3).prefix(3).contains { $0.hasPrefix(marker) }
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 1 << 20 else { return nil }
        return String(data: data, encoding: .utf8)
    }

    static func write(_ text: String, to path: String) throws {
        let tmp = path + ".cmem-tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: tmp, contents: Data(text.utf8), attributes: [.posixPermissions: 0o755]) else {
            throw GitEventError("cannot write \(tmp)")
        }
        chmod(tmp, 0o755)
        guard rename(tmp, path) == 0 else {
            unlink(tmp)
            throw GitEventError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    // MARK: The script

    /// `s` as one POSIX shell word.
    static func quote(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The hook script. It does three things, in this order:
    ///
    /// 1. runs the chained hook (the one that was there before), if it is executable, with the same
    ///    arguments and standard input, and keeps its exit status;
    /// 2. reads HEAD and its ref with one `git rev-parse` (so that a later commit cannot be mistaken for
    ///    this one), then starts `cmem hooks record` in the background, detached from the terminal's
    ///    signals and output: the git command never waits for the memory and never sees its errors;
    /// 3. exits with the chained hook's status.
    ///
    /// `CMEM_HOOKS_DISABLE=1` skips recording; `CMEM_HOOK_SYNC=1` records in the foreground (for CI jobs
    /// that end right after the commit). When `cmem` cannot be found the hook logs one line and goes on.
    public static func script(for hook: GitHookKind, executable: String, memory: String?) -> String {
        let memoryArgs = memory.map { " --memory \(quote($0))" } ?? ""
        let chainRun: String
        let recordInput: String
        if hook.readsStandardInput {
            chainRun = """
            input=$(cat)
            if [ -x "$chained" ]; then
                if [ -n "$input" ]; then printf '%s\\n' "$input"; fi | "$chained" "$@"
                status=$?
            fi
            """
            recordInput = "printf '%s\\n' \"$input\" |"
        } else {
            chainRun = """
            if [ -x "$chained" ]; then
                "$chained" "$@"
                status=$?
            fi
            """
            recordInput = "</dev/null"
        }
        // `recordInput` goes before the command for a pipe, as a redirection otherwise.
        let invoke = hook.readsStandardInput
            ? "\(recordInput) \"$cmem\" hooks record \(hook.rawValue)\(memoryArgs) --head \"$head\" --ref \"$ref\" -- \"$@\" >/dev/null 2>>\"$log\""
            : "\"$cmem\" hooks record \(hook.rawValue)\(memoryArgs) --head \"$head\" --ref \"$ref\" -- \"$@\" \(recordInput) >/dev/null 2>>\"$log\""
        return """
        #!/bin/sh
        \(marker) (\(hook.rawValue)): records this git event in the Cortex Memory timeline.
        # Installed by `cmem hooks install`; `cmem hooks uninstall` removes it and restores any hook it chained.
        # The hook that was here before runs first, as \(hook.rawValue)\(chainedSuffix), and its exit status is kept.
        # Recording runs in the background and never fails or slows the git command; problems are logged
        # to hooks.log. CMEM_HOOKS_DISABLE=1 skips recording; CMEM_HOOK_SYNC=1 records in the foreground.
        cmem=\(quote(executable))
        memory=\(quote(memory ?? ""))
        case $0 in */*) dir=${0%/*} ;; *) dir=. ;; esac
        chained="$dir/\(hook.rawValue)\(chainedSuffix)"
        status=0
        \(chainRun)
        [ -n "${CMEM_HOOKS_DISABLE:-}" ] && exit $status
        [ -n "$memory" ] || memory=${CMEM_REPO:-$HOME/.cortex/memory}
        if [ -d "$memory/.git" ]; then log="$memory/.git/cmem/hooks.log"; else log="$HOME/.cortex/hooks.log"; fi
        [ -d "${log%/*}" ] || mkdir -p "${log%/*}" 2>/dev/null || log=/dev/null
        [ -x "$cmem" ] || cmem=$(command -v cmem 2>/dev/null) || cmem=
        if [ -z "$cmem" ]; then
            printf '%s git-\(hook.rawValue) %s error: cmem was not found (not at %s, not on PATH); the event was not recorded\\n' \\
                "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${PWD##*/}" \(quote(executable)) >>"$log" 2>/dev/null
            exit $status
        fi
        nl='
        '
        revs=$(git rev-parse HEAD --symbolic-full-name HEAD 2>/dev/null)
        head=${revs%%"$nl"*}
        ref=${revs#*"$nl"}
        [ "$ref" != "$revs" ] || ref=
        if [ -n "${CMEM_HOOK_SYNC:-}" ]; then
            \(invoke) || :
        else
            ( trap '' HUP INT; \(invoke) & )
        fi
        exit $status

        """
    }
}
