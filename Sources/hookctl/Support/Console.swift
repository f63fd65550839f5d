import Foundation
import HookCore
import HookRunner
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a command's words go. Results go to stdout; progress, warnings and errors to stderr.
/// On a terminal, progress is a live line redrawn in place; elsewhere (CI) one plain line per state change.
final class Console: Sendable {
    let isTerminal: Bool
    let color: Bool
    let quiet: Bool
    let verbose: Bool
    private let live = Mutex<String?>(nil)
    private let transferThrottle = Throttle(interval: .milliseconds(100))

    init(global: GlobalOptions, environment: [String: String] = ProcessInfo.processInfo.environment) {
        isTerminal = isatty(STDERR_FILENO) == 1
        color = Self.useColor(global: global, environment: environment)
        quiet = global.quiet
        verbose = global.verbose
    }

    /// Colour only on a terminal, never with `--no-color`, a non-empty `NO_COLOR`, or `TERM=dumb`.
    static func useColor(global: GlobalOptions, environment: [String: String]) -> Bool {
        isatty(STDERR_FILENO) == 1 && !global.noColor && (environment["NO_COLOR"].map(\.isEmpty) ?? true)
            && environment["TERM"] != "dumb"
    }

    /// A result line, on stdout.
    func output(_ text: String) {
        endStatus()
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// A progress line, on stderr (not with `--quiet`).
    func info(_ text: String) {
        guard !quiet else { return }
        writeError(text + "\n")
    }

    /// A detail line, on stderr, only with `--verbose`.
    func detail(_ text: String) {
        guard verbose else { return }
        writeError(paint(text, "2") + "\n")
    }

    func warning(_ text: String) {
        writeError(paint("warning:", "33") + " " + text + "\n")
    }

    func error(_ text: String) {
        writeError(paint("error:", "31") + " " + text + "\n")
    }

    /// Replaces the live status line (terminals only).
    func status(_ text: String) {
        guard isTerminal, !quiet else { return }
        live.withLock { $0 = text }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
    }

    /// Redraws "key: downloading 312.0 of 1024.0 MiB (30%)" at most ten times a second (terminals only; elsewhere the
    /// transfer's end line is enough).
    private func transfer(_ key: String, written: Int64, total: Int64?) {
        guard isTerminal, !quiet, transferThrottle.due() else { return }
        let mib = { (bytes: Int64) in String(format: "%.1f", Double(bytes) / 1_048_576) }
        status("\(key): downloading " + mib(written) + (total.map { " of \(mib($0)) MiB (\(written * 100 / max($0, 1))%)" } ?? " MiB"))
    }

    func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    private func writeError(_ text: String) {
        let line = live.withLock { $0 }
        if isTerminal, line != nil { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        FileHandle.standardError.write(Data(text.utf8))
        if isTerminal, let line { FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// Clears the live status line (terminals only).
    func endStatus() {
        let had = live.withLock { line in
            defer { line = nil }
            return line != nil
        }
        if had { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    /// Prints what the runner reports, one plain line per state change.
    func event(_ event: RunEvent) {
        switch event {
        case let .submitted(key, name, id): info("\(key): submitted as \(name) (id \(id))")
        case let .adopted(key, name, id): info("\(key): found \(name) (id \(id)) already at the service; adopted it")
        case let .statusChanged(key, _, to, message):
            let text = "\(key): \(to)" + (message.map { " (\($0))" } ?? "")
            info(to == .failed || to == .cancelled ? paint(text, "31") : to == .completed ? paint(text, "32") : text)
        case let .outcomeUnknown(key, reason):
            warning("\(key): no answer to the submission (\(reason)); it will be looked up by name before anything is sent again")
        case let .timedOut(key): warning("\(key): still unfinished at its wait timeout")
        case let .removed(key, cancelled): info("\(key): no longer in the manifests; dropped from the lock\(cancelled ? " and cancelled" : "")")
        case let .planned(key, summary): detail("plan: \(key): \(summary)")
        case let .volume(volume): info("this run orders \(volume.summary)")
        case let .transfer(key, written, total): transfer(key, written: written, total: total)
        case let .downloaded(key, path):
            endStatus()
            info("\(key): downloaded \(path)")
        case let .mirrored(key, location):
            endStatus()
            info("\(key): mirrored to \(location)")
        case let .removedStale(key, path): info("\(key): removed \(path): no longer the latest output of its item")
        case let .waitingForLock(lock, holder, timeout):
            info("waiting up to \(timeout.components.seconds)s for \(holder ?? "another hookctl") to release \(lock)")
        case let .warning(text): warning(text)
        case let .progress(counts):
            status("waiting: " + counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        }
    }
}

/// Lets a caller through at most once per interval.
private final class Throttle: Sendable {
    private let interval: Duration
    private let last = Mutex<ContinuousClock.Instant?>(nil)

    init(interval: Duration) { self.interval = interval }

    func due() -> Bool {
        let now = ContinuousClock.now
        return last.withLock { last in
            guard last.map({ now - $0 >= interval }) ?? true else { return false }
            last = now
            return true
        }
    }
}
