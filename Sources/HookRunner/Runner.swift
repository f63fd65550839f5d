import Foundation
import HookManifest

/// Carries out plans: submits orders, waits for them, records every step in the state store.
/// All state changes happen on the caller's task; only the service calls run concurrently, so the lock file is
/// always written from one place, before and after each wave of submissions.
public struct Runner<C: Clock>: Sendable where C.Duration == Duration {
    public var service: any OrderService
    public var store: any StateStore
    public var clock: C
    public var events: @Sendable (RunEvent) -> Void
    /// Submissions in flight at once (`--concurrency`); orders being waited on are polled together regardless.
    public var concurrency: Int
    /// First pause between polls; it grows while nothing changes, up to `maxPollInterval`.
    public var pollInterval: Duration
    public var maxPollInterval: Duration
    /// How long a wait outlasts a service that cannot be polled (each poll already retried by the client) before it
    /// gives up with the service's error; state is saved and `wait` picks up from there.
    public var outageTolerance: Duration = .seconds(30 * 60)
    /// Crash-test hook (see `Failpoint`); nil in normal use.
    public var failpoint: Failpoint?

    public init(
        service: any OrderService, store: any StateStore, clock: C,
        concurrency: Int = 8, pollInterval: Duration = .seconds(1), maxPollInterval: Duration = .seconds(15),
        events: @escaping @Sendable (RunEvent) -> Void
    ) {
        self.service = service
        self.store = store
        self.clock = clock
        self.concurrency = max(1, concurrency)
        self.pollInterval = pollInterval
        self.maxPollInterval = maxPollInterval
        self.events = events
    }

    /// The result of `apply` or `wait`.
    public struct Outcome: Sendable {
        public var state: RunState
        /// Orders still unfinished when their wait deadline passed.
        public var timedOut: [String] = []
        /// Orders the service refused outright (nothing was created), with its reason.
        public var rejected: [String: String] = [:]
        /// How long each order that finished during this run was waited on, from the start of the wait.
        public var waited: [String: Duration] = [:]

        public init(state: RunState, timedOut: [String] = [], rejected: [String: String] = [:]) {
            self.state = state
            self.timedOut = timedOut
            self.rejected = rejected
        }
    }

    /// Submits what the plan says, then (unless `wait` is false) waits for the orders concerned.
    /// - Parameters:
    ///   - payloads: the resolved body (secrets included) by order key, for every item whose action submits and
    ///     every unfinished one (a `submitting` record may need submitting again).
    ///   - timeout: overrides every order's own wait timeout.
    ///   - cancelRemoved: cancel unfinished orders that the manifests no longer define before dropping them.
    public func apply(
        _ plan: [PlanItem], payloads: [String: [UInt8]], state initial: RunState, wait: Bool,
        timeout: Duration?, cancelRemoved: Bool
    ) async throws -> Outcome {
        var state = initial
        for item in plan where item.action == .remove {
            if cancelRemoved, let record = item.recorded, let id = record.id, !record.isFinished {
                try await service.cancel(orderID: id)
                events(.removed(key: item.key, cancelled: true))
            } else {
                events(.removed(key: item.key, cancelled: false))
            }
            state.orders[item.key] = nil
        }
        for item in plan where item.action.submits {
            guard let desired = item.desired else { continue }
            state.orders[item.key] = OrderRecord(
                manifest: desired.manifest, workflow: desired.workflow, labels: desired.labels, digest: desired.digest,
                body: desired.body, name: desired.name(attempt: item.attempt), attempt: item.attempt)
        }
        for item in plan where item.action == .keep || item.action == .resume {
            // Manifest-side facts that do not change the body (labels, a moved file) follow the manifest.
            guard let desired = item.desired, var record = state.orders[item.key] else { continue }
            record.labels = desired.labels
            record.manifest = desired.manifest
            state.orders[item.key] = record
        }
        try save(state, since: initial)
        let keys = plan.filter { $0.action != .remove && $0.action != .keep }.map(\.key)
        var rejected: [String: String] = [:]
        state = try await settle(keys, payloads: payloads, state: state, prior: initial.orders, rejected: &rejected)
        guard wait else { return Outcome(state: state, rejected: rejected) }
        var timeouts: [String: Duration] = [:]
        for item in plan { if let limit = timeout ?? item.desired?.timeout { timeouts[item.key] = limit } }
        var outcome = try await self.wait(
            for: keys.filter { rejected[$0] == nil }, payloads: payloads, state: state, timeouts: timeouts)
        outcome.rejected = rejected
        return outcome
    }

    /// Waits for the recorded orders `keys` to finish, polling them together; an order still unfinished after its
    /// timeout is given up on (it keeps running at the service; `wait` picks it up again later).
    public func wait(
        for keys: [String], payloads: [String: [UInt8]], state initial: RunState, timeouts: [String: Duration]
    ) async throws -> Outcome {
        let start = clock.now
        var state = initial
        var interval = pollInterval
        var timedOut: Set<String> = []
        var rejected: [String: String] = [:]
        var waited: [String: Duration] = [:]
        var outageStart: C.Instant?
        while true {
            let open = keys.filter { key in !timedOut.contains(key) && (state.orders[key].map { !$0.isFinished } ?? false) }
            let elapsed = start.duration(to: clock.now)
            for key in open where (timeouts[key].map { elapsed >= $0 } ?? false) {
                timedOut.insert(key)
                events(.timedOut(key: key))
            }
            let waiting = open.filter { !timedOut.contains($0) }
            if waiting.isEmpty { break }
            try await clock.sleep(for: interval)
            let before = state
            state = try await settle(waiting, payloads: payloads, state: state, prior: [:], rejected: &rejected)
            do {
                state = try await poll(waiting, state: state)
                outageStart = nil
            } catch where service.isTransient(error) {
                let since = outageStart ?? clock.now
                outageStart = since
                guard since.duration(to: clock.now) < outageTolerance else { throw error }
                interval = min(interval * 2, maxPollInterval)
                events(.warning("cannot get the orders' status (\(Self.describe(error))); still waiting, next try in \(interval)"))
                continue
            }
            for key in waiting where state.orders[key]?.isFinished == true { waited[key] = start.duration(to: clock.now) }
            try save(state, since: before)
            var counts: [String: Int] = [:]
            for key in keys { if let status = state.orders[key]?.status { counts[status, default: 0] += 1 } }
            events(.progress(counts))
            interval = state == before ? min(interval * 3 / 2, maxPollInterval) : pollInterval
        }
        var outcome = Outcome(state: state, timedOut: timedOut.sorted(), rejected: rejected)
        outcome.waited = waited
        return outcome
    }

    /// Gets every `submitting` record among `keys` an id: adopts orders the service already has under the
    /// record's name, and submits the others, `concurrency` at a time, saving state before and after each wave.
    /// - Parameter prior: what each record was before this run wrote its intent; a submission that created nothing
    ///   puts it back.
    func settle(
        _ keys: [String], payloads: [String: [UInt8]], state initial: RunState, prior: [String: OrderRecord],
        rejected: inout [String: String]
    ) async throws -> RunState {
        var state = initial
        let pending = keys.filter { state.orders[$0]?.id == nil }
        guard !pending.isEmpty else { return state }
        let names = pending.compactMap { state.orders[$0]?.name }
        let existing = try await service.findOrders(named: names)
        var toSubmit: [String] = []
        for key in pending {
            guard var record = state.orders[key] else { continue }
            if let found = existing[record.name] {
                record.id = found.id
                record.status = found.status
                record.message = found.message
                state.orders[key] = record
                events(.adopted(key: key, name: record.name, id: found.id))
            } else {
                toSubmit.append(key)
            }
        }
        try save(state, since: initial)
        for wave in stride(from: 0, to: toSubmit.count, by: concurrency) {
            let keysOfWave = Array(toSubmit[wave..<min(wave + concurrency, toSubmit.count)])
            let before = state
            let results = try await withThrowingTaskGroup(of: (String, Result<OrderSnapshot, any Error>).self) { group in
                for key in keysOfWave {
                    guard let record = state.orders[key], let payload = payloads[key] else { continue }
                    failpoint?.pass("before-submit")
                    group.addTask { [service, failpoint] in
                        do {
                            let order = try await service.submit(name: record.name, body: payload)
                            failpoint?.pass("after-submit")
                            return (key, .success(order))
                        } catch {
                            return (key, .failure(error))
                        }
                    }
                }
                var collected: [(String, Result<OrderSnapshot, any Error>)] = []
                for try await result in group { collected.append(result) }
                return collected
            }
            var firstError: (any Error)?
            for (key, result) in results.sorted(by: { $0.0 < $1.0 }) {
                guard var record = state.orders[key] else { continue }
                switch result {
                case .success(let order):
                    record.id = order.id
                    record.status = order.status
                    record.message = order.message
                    state.orders[key] = record
                    events(.submitted(key: key, name: record.name, id: order.id))
                case .failure(OrderServiceError.outcomeUnknown(let reason)):
                    events(.outcomeUnknown(key: key, reason: reason))
                case .failure(OrderServiceError.rejected(let reason)):
                    // Nothing was created: the record goes back to what it was before this run.
                    state.orders[key] = prior[key]
                    rejected[key] = reason
                case .failure(let error):
                    // Auth, unreachable service...: stop the run. The intent stays recorded, so the next run looks the
                    // order up by name before sending anything.
                    firstError = firstError ?? error
                }
            }
            try save(state, since: before)
            failpoint?.pass("after-record")
            if let firstError { throw firstError }
        }
        return state
    }

    /// Refreshes the recorded orders `keys` once and saves what changed.
    public func refresh(_ keys: [String], state initial: RunState) async throws -> RunState {
        let state = try await poll(keys, state: initial)
        try save(state, since: initial)
        return state
    }

    /// One round of status for the orders `keys` that have an id, in as few calls as the service allows; products
    /// are fetched once, when an order finishes, `concurrency` at a time.
    func poll(_ keys: [String], state initial: RunState) async throws -> RunState {
        var state = initial
        let ids = keys.compactMap { state.orders[$0]?.id }
        guard !ids.isEmpty else { return state }
        let snapshots = try await service.orders(ids: ids)
        var finished: [(key: String, id: Int, output: OutputLocation)] = []
        var changes: [RunEvent] = []
        for key in keys {
            guard var record = state.orders[key], let id = record.id, let snapshot = snapshots[id] else { continue }
            let changed = snapshot.status != record.status
            if changed {
                changes.append(.statusChanged(key: key, from: record.status, to: snapshot.status, message: snapshot.message))
            }
            record.status = snapshot.status
            record.message = snapshot.message
            state.orders[key] = record
            // Items are read once per finish: an order found finished as it was recorded keeps its items.
            if record.isFinished && (changed || record.products.isEmpty) { finished.append((key, id, OutputLocation(body: record.body))) }
        }
        for start in stride(from: 0, to: finished.count, by: concurrency) {
            let batch = finished[start..<min(start + concurrency, finished.count)]
            let products = try await withThrowingTaskGroup(of: (String, [ProductRecord]).self) { group in
                for order in batch {
                    group.addTask { [service] in (order.key, try await service.products(orderID: order.id, storage: order.output)) }
                }
                var collected: [String: [ProductRecord]] = [:]
                for try await (key, items) in group { collected[key] = items }
                return collected
            }
            for (key, items) in products { state.orders[key]?.products = items }
        }
        // Announced once the round has succeeded whole: a round that fails is repeated, not half-reported.
        changes.forEach(events)
        return state
    }

    /// An error as one line for a warning.
    static func describe(_ error: any Error) -> String {
        (error as? any LocalizedError)?.errorDescription ?? String(describing: error)
    }

    private func save(_ state: RunState, since before: RunState) throws {
        if state != before { try store.save(state) }
    }
}
