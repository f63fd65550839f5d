import Foundation
import HookCore
import HookManifest

/// The use cases about orders already recorded: `wait`, `status`, `report`.
extension RunContext {
    /// `wait`: waits for the recorded, unfinished orders (of the manifests named, else all), then writes the reports
    /// and folds the state into the lock file.
    /// - Parameter timeout: overrides each manifest's `wait.timeout`.
    public func wait(timeout: Duration?, timings: Bool) async throws -> RunResult {
        try requireProject()
        return try await locked {
            let store = bench.stateStore(warn: { events(.warning($0)) })
            let state = try store.load()
            let keys = recordedKeys(in: state)
            let open = keys.filter { !(state.orders[$0]?.isFinished ?? true) }
            var outcome = Runner<C>.Outcome(state: state)
            if !open.isEmpty {
                // An attempt whose answer never came is sent again only with the body it was recorded for.
                let bodies = try bench.bodies(
                    for: Set(open.filter { state.orders[$0]?.id == nil }), matching: state, environment: environment)
                let timeouts = bench.waitTimeouts(for: open, override: timeout)
                outcome = try await withService(store: store) { service in
                    try await runner(service, store).wait(for: open, bodies: bodies, state: state, timeouts: timeouts)
                }
            }
            let report = Report(state: outcome.state, keys: keys, timedOut: Set(outcome.timedOut), timings: timings ? outcome.waited : nil)
            try report.write(to: bench.reportsDirectory, environment: environment)
            try compact(store)
            return RunResult(report: report, rejected: outcome.rejected, waited: true)
        }
    }

    /// `status`: one refresh of every recorded order (of the manifests named, else all) from the service, finished
    /// ones too since the service is the truth; the state is saved, no report file is written.
    public func status() async throws -> RunResult {
        try await locked {
            let store = bench.stateStore(warn: { events(.warning($0)) })
            let state = try store.load()
            let keys = recordedKeys(in: state)
            let known = keys.filter { state.orders[$0]?.id != nil }
            var refreshed = state
            if !known.isEmpty {
                refreshed = try await withService(store: store) { service in
                    try await runner(service, store).refresh(known, state: state)
                }
            }
            try compact(store)
            expiryWarnings(keys: keys, state: refreshed)
            return RunResult(report: Report(state: refreshed, keys: keys), rejected: [:], waited: true)
        }
    }

    /// `report`: the report of the recorded orders from the state alone (no network), written into `directory`
    /// (default `reports/` beside the project file).
    public func report(into directory: String?) throws -> Report {
        let state = try bench.stateStore(warn: { events(.warning($0)) }).load()
        let report = Report(state: state, keys: recordedKeys(in: state))
        try report.write(to: directory ?? bench.reportsDirectory, environment: environment)
        return report
    }
}

extension Workbench {
    /// How long to wait for each of `keys`: `override` (`--timeout`), else its manifest's `wait.timeout`, else no limit.
    func waitTimeouts(for keys: [String], override: Duration?) -> [String: Duration] {
        let own = Dictionary(desiredOrders().map { ($0.key, $0.timeout) }) { first, _ in first }
        var timeouts: [String: Duration] = [:]
        for key in keys { timeouts[key] = override ?? own[key] ?? nil }
        return timeouts
    }
}

extension Report {
    /// Writes `report.json`, `report.md` and `junit.xml` into `directory`; in GitHub Actions the markdown also goes
    /// to the step summary.
    public func write(to directory: String, environment: [String: String]) throws {
        try AtomicFile.write(json, to: (directory as NSString).appendingPathComponent("report.json"))
        try AtomicFile.write(markdown, to: (directory as NSString).appendingPathComponent("report.md"))
        try AtomicFile.write(junit, to: (directory as NSString).appendingPathComponent("junit.xml"))
        if environment["GITHUB_ACTIONS"] == "true", let summary = environment["GITHUB_STEP_SUMMARY"], !summary.isEmpty,
            let handle = FileHandle(forWritingAtPath: summary)
        {
            handle.seekToEndOfFile()
            handle.write(Data(markdown.utf8))
            try? handle.close()
        }
    }
}
