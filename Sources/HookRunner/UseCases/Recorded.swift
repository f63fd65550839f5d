import Foundation
import HookCore
import HookManifest
import HookS3

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
    /// - Parameter merge: `--merge`: the state of every shard of the profile (and its unsharded state), merged; a key
    ///   found in several takes the record whose latest attempt is the latest.
    public func report(into directory: String?, merge: Bool = false) async throws -> Report {
        let state = merge ? try await mergedState() : try await readState()
        let report = Report(state: state, keys: recordedKeys(in: state))
        try report.write(to: directory ?? bench.reportsDirectory, environment: environment)
        return report
    }
}

extension RunContext {
    /// Every state file of this profile: `hookctl.<profile>.lock` and each shard's `hookctl.<profile>.<K>-of-<N>.lock`,
    /// each with its journal replayed, merged key by key.
    /// With state in S3, every state object of the profile: its key and each shard's, found by listing.
    func mergedState() async throws -> RunState {
        var merged = RunState()
        func merge(_ state: RunState) {
            for (key, record) in state.orders {
                if let other = merged.orders[key], !Self.isLater(record, than: other) { continue }
                merged.orders[key] = record
            }
        }
        if let remote = try remoteState(), let key = bench.profile?.state?.key {
            let unsharded = Workbench.shardKey(key)
            let objects: [S3Object]
            do { objects = try await remote.client.listObjectsV2(bucket: remote.bucket, prefix: unsharded.stem) } catch {
                throw RunnerError.io("cannot list the state objects s3://\(remote.bucket)/\(unsharded.stem)*: \(error.localizedDescription)")
            }
            for object in objects.sorted(by: { $0.key < $1.key }) {
                guard object.key.hasPrefix(unsharded.stem), object.key.hasSuffix(unsharded.suffix) else { continue }
                let tag = object.key.dropFirst(unsharded.stem.count).dropLast(unsharded.suffix.count)
                guard object.key == key || (tag.first == "." && Self.isShardTag(String(tag.dropFirst()))) else { continue }
                merge(try await S3State(client: remote.client, bucket: remote.bucket, key: object.key).load().state)
            }
            return merged
        }
        let prefix = "hookctl.\(bench.profileName)."
        let names = (try? FileManager.default.contentsOfDirectory(atPath: bench.root)) ?? []
        for name in names.sorted() where name.hasPrefix(prefix) && name.hasSuffix(".lock") {
            let tag = String(name.dropFirst(prefix.count).dropLast(".lock".count))
            guard tag.isEmpty || Self.isShardTag(tag) else { continue }
            let journal = (bench.root as NSString).appendingPathComponent(".hookctl/\(bench.profileName)\(tag.isEmpty ? "" : "." + tag).journal")
            let store = FileStateStore(path: (bench.root as NSString).appendingPathComponent(name), journalPath: journal, warn: { events(.warning($0)) })
            merge(try store.load())
        }
        return merged
    }

    /// `K-of-N`.
    static func isShardTag(_ tag: String) -> Bool {
        let parts = tag.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[1] == "of" && Shard(index: Int(parts[0]) ?? 0, count: Int(parts[2]) ?? 0) != nil
    }

    /// Whether `record`'s latest attempt came after `other`'s: a later attempt number, else a later service id.
    static func isLater(_ record: OrderRecord, than other: OrderRecord) -> Bool {
        if record.latest.number != other.latest.number { return record.latest.number > other.latest.number }
        return (record.id ?? -1) > (other.id ?? -1)
    }
}

extension Workbench {
    /// How long to wait for each of `keys`: `override` (`--timeout`), else its manifest's `wait.timeout`, else no limit.
    func waitTimeouts(for keys: [String], override: Duration?) -> [String: Duration] {
        let own = Dictionary(orders.map { ($0.key, $0.waitTimeout) }) { first, _ in first }
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
