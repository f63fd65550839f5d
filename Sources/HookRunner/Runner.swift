import Foundation
import HookCore
import HookManifest

/// Carries out plans: submits orders, waits for them, records every step in the state store.
/// All state changes happen on the caller's task; only the service calls run concurrently, so the store is always
/// written from one place, before and after each wave of submissions.
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
    ///   - bodies: the resolved body by order key, for every item whose action submits and every unfinished one
    ///     (an attempt still `submitting` may need sending again).
    ///   - timeout: overrides every order's own wait timeout.
    ///   - cancelRemoved: cancel unfinished orders that the manifests no longer define before dropping them.
    public func apply(
        _ plan: [PlanItem], bodies: [String: SubmissionBody], state initial: RunState, wait: Bool,
        timeout: Duration?, cancelRemoved: Bool
    ) async throws -> Outcome {
        var changes: [String: OrderRecord?] = [:]
        for item in plan where item.action == .remove {
            if cancelRemoved, let record = item.recorded, let id = record.id, !record.isFinished {
                try await service.cancel(orderID: id)
                events(.removed(key: item.key, cancelled: true))
            } else {
                events(.removed(key: item.key, cancelled: false))
            }
            changes[item.key] = .some(nil)
        }
        for item in plan where item.action == .keep || item.action == .resume {
            // Manifest-side facts that do not change the body (labels, a moved file) follow the manifest.
            guard let desired = item.desired, var record = initial.orders[item.key] else { continue }
            guard record.labels != desired.labels || record.manifest != desired.manifest else { continue }
            record.labels = desired.labels
            record.manifest = desired.manifest
            changes[item.key] = record
        }
        // New attempts are only intents until their wave is about to send them (nothing phantom is recorded).
        var intents: [String: OrderRecord] = [:]
        for item in plan {
            guard let desired = item.desired, let attempt = item.newAttempt else { continue }
            if item.action == .retry, var record = initial.orders[item.key] {
                record.labels = desired.labels
                record.manifest = desired.manifest
                record.attempts.append(attempt)
                intents[item.key] = record
            } else {
                intents[item.key] = OrderRecord(
                    manifest: desired.manifest, workflow: desired.workflow, labels: desired.labels,
                    digest: desired.digest, body: BodyText(desired.body), output: desired.output, attempts: [attempt])
            }
        }
        let keys = plan.filter { $0.action != .remove && $0.action != .keep }.map(\.key)
        var rejected: [String: String] = [:]
        let state = try await settle(
            keys, intents: intents, bodies: bodies, state: initial, alongside: changes, rejected: &rejected)
        guard wait else { return Outcome(state: state, rejected: rejected) }
        var timeouts: [String: Duration] = [:]
        for item in plan { if let limit = timeout ?? item.desired?.timeout { timeouts[item.key] = limit } }
        var outcome = try await self.wait(
            for: keys.filter { rejected[$0] == nil }, bodies: bodies, state: state, timeouts: timeouts)
        outcome.rejected.merge(rejected) { first, _ in first }
        return outcome
    }

    /// Waits for the recorded orders `keys` to finish, polling them together; an order still unfinished after its
    /// timeout is given up on (it keeps running at the service; `wait` picks it up again later).
    public func wait(
        for requested: [String], bodies: [String: SubmissionBody], state initial: RunState, timeouts: [String: Duration]
    ) async throws -> Outcome {
        let start = clock.now
        var state = initial
        // An attempt whose answer never came and that cannot be sent again (its manifest was not read, or now asks
        // for another body) is not waited on: it could never finish here.
        let stuck = Set(requested.filter { key in state.orders[key].map { $0.id == nil } ?? false && bodies[key] == nil })
        for key in stuck.sorted() {
            events(
                .warning(
                    "\(key): no answer was recorded for \(state.orders[key]?.name ?? key), and its manifest (as it was then) was not read, so it can be neither found nor sent again; `hookctl apply` with its manifest settles it"
                ))
        }
        let keys = requested.filter { !stuck.contains($0) }
        var interval = pollInterval
        var timedOut: Set<String> = []
        var rejected: [String: String] = [:]
        var waited: [String: Duration] = [:]
        var outageStart: C.Instant?
        var pause = interval
        var estimates: [String: Date] = [:]
        while true {
            let open = keys.filter { key in !timedOut.contains(key) && (state.orders[key].map { !$0.isFinished } ?? false) }
            let elapsed = start.duration(to: clock.now)
            for key in open where (timeouts[key].map { elapsed >= $0 } ?? false) {
                timedOut.insert(key)
                events(.timedOut(key: key))
            }
            let waiting = open.filter { !timedOut.contains($0) }
            if waiting.isEmpty { break }
            try await clock.sleep(for: pause)
            pause = interval
            let before = state
            do {
                state = try await settle(waiting, intents: [:], bodies: bodies, state: state, alongside: [:], rejected: &rejected)
                (state, estimates) = try await poll(waiting, state: state)
                outageStart = nil
            } catch  where service.isTransient(error) {
                let since = outageStart ?? clock.now
                outageStart = since
                guard since.duration(to: clock.now) < outageTolerance else { throw error }
                interval = min(interval * 2, maxPollInterval)
                pause = interval
                events(.warning("cannot get the orders' status (\(Self.describe(error))); still waiting, next try in \(interval)"))
                continue
            }
            for key in waiting where state.orders[key]?.isFinished == true { waited[key] = start.duration(to: clock.now) }
            let changed = try record(waiting, from: before, to: state)
            var counts: [String: Int] = [:]
            for key in keys { if let status = state.orders[key]?.status { counts[status.rawValue, default: 0] += 1 } }
            events(.progress(counts))
            interval = changed ? pollInterval : min(interval * 3 / 2, maxPollInterval)
            pause = Self.pause(interval: interval, estimates: waiting.filter { state.orders[$0]?.isFinished == false }.map { estimates[$0] })
        }
        var outcome = Outcome(state: state, timedOut: timedOut.sorted(), rejected: rejected)
        outcome.waited = waited
        return outcome
    }

    /// Gets the latest attempt of `keys` (and of each intent) an id: adopts orders the service already has under the
    /// attempt's name, and submits the others, `concurrency` at a time. An intent is recorded just before its wave
    /// leaves, results right after it; an attempt the service certainly did not create goes back to what was recorded
    /// before.
    /// - Parameters:
    ///   - intents: new attempts, by key: the record as it will be once the attempt is under way.
    ///   - alongside: other changes of the run (dropped orders, new labels), recorded once the service has answered
    ///     (so a run that cannot reach it leaves the state as it was).
    func settle(
        _ keys: [String], intents: [String: OrderRecord], bodies: [String: SubmissionBody], state initial: RunState,
        alongside: [String: OrderRecord?], rejected: inout [String: String]
    ) async throws -> RunState {
        var state = initial
        let pending =
            keys.filter { key in intents[key] == nil && state.orders[key].map { $0.id == nil } ?? false }
            + intents.keys
        guard !pending.isEmpty else {
            try record(alongside, into: &state)
            return state
        }
        func attempt(_ key: String) -> Attempt? { (intents[key] ?? state.orders[key])?.latest }
        // Any attempt may already be at the service under its name: a crash, a lost answer, another shard's run.
        let existing = try await service.findOrders(named: pending.compactMap { attempt($0)?.name })
        var adopted = alongside
        var finished: [(key: String, id: Int, output: OutputLocation)] = []
        var toSubmit: [String] = []
        for key in pending.sorted() {
            guard var record = intents[key] ?? state.orders[key] else { continue }
            if let found = existing[record.latest.name] {
                record.latest.id = found.id
                record.latest.status = found.status
                record.latest.message = found.message
                adopted[key] = record
                if record.isFinished { finished.append((key, found.id, record.output)) }
                events(.adopted(key: key, name: record.name, id: found.id))
            } else if bodies[key] != nil {
                toSubmit.append(key)
            }
        }
        // An adopted order may have finished meanwhile: its items are read now, as a poll would have.
        for (key, items) in try await products(of: finished) { adopted[key]??.latest.products = items }
        try record(adopted, into: &state)
        for wave in stride(from: 0, to: toSubmit.count, by: concurrency) {
            let keysOfWave = Array(toSubmit[wave..<min(wave + concurrency, toSubmit.count)])
            // What each key goes back to when its attempt was certainly not created: for a new attempt, the record
            // before it; for one recorded by an earlier run, the record without it.
            var prior: [String: OrderRecord?] = [:]
            var intended: [String: OrderRecord?] = [:]
            for key in keysOfWave {
                if let intent = intents[key] {
                    prior[key] = .some(state.orders[key])
                    intended[key] = .some(intent)
                } else if var record = state.orders[key] {
                    record.attempts.removeLast()
                    prior[key] = .some(record.attempts.isEmpty ? nil : record)
                }
            }
            try record(intended, into: &state)
            let results = try await withThrowingTaskGroup(of: (String, Result<OrderSnapshot, any Error>).self) { group in
                for key in keysOfWave {
                    guard let attempt = state.orders[key]?.latest, let body = bodies[key] else { continue }
                    failpoint?.pass("before-submit")
                    let payload = body.bytes(name: attempt.name, identifiers: attempt.identifiers)
                    group.addTask { [service, failpoint] in
                        do {
                            let order = try await service.submit(name: attempt.name, body: payload)
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
            var answered: [String: OrderRecord?] = [:]
            for (key, result) in results.sorted(by: { $0.0 < $1.0 }) {
                guard var record = state.orders[key] else { continue }
                switch result {
                case .success(let order):
                    record.latest.id = order.id
                    record.latest.status = order.status
                    record.latest.message = order.message
                    answered[key] = .some(record)
                    events(.submitted(key: key, name: record.name, id: order.id))
                case .failure(OrderServiceError.outcomeUnknown(let reason)):
                    // It may exist: the attempt stays recorded, and is looked up by name before anything is resent.
                    events(.outcomeUnknown(key: key, reason: reason))
                case .failure(OrderServiceError.rejected(let reason)):
                    if let before = prior[key] { answered[key] = .some(before) }
                    rejected[key] = reason
                case .failure(let error as NotSent):
                    // Refused login, unreachable service...: nothing was created. A new attempt is forgotten (one
                    // recorded by an earlier run stays, to be looked up again); the run stops after this wave.
                    if intents[key] != nil, let before = prior[key] { answered[key] = .some(before) }
                    firstError = firstError ?? error.underlying
                case .failure(let error):
                    // Anything else (an interruption mid-request...) may have left: the attempt stays recorded.
                    firstError = firstError ?? error
                }
            }
            try record(answered, into: &state)
            failpoint?.pass("after-record")
            if let firstError { throw firstError }
        }
        return state
    }

    /// How long to wait before the next poll: the interval, or a little longer when the service expects every order
    /// still waited on to be done within two intervals, until just after the last of those estimates (one poll then
    /// finds them all done instead of two finding half). Estimates are hints: one that passes unmet changes nothing.
    static func pause(interval: Duration, estimates: [Date?], now: Date = Date()) -> Duration {
        guard !estimates.isEmpty, estimates.allSatisfy({ $0 != nil }), let last = estimates.compactMap({ $0 }).max() else {
            return interval
        }
        let untilLast = Duration.milliseconds(Int64((last.timeIntervalSince(now) * 1000).rounded(.up)) + 100)
        return untilLast > interval && untilLast <= interval * 2 ? untilLast : interval
    }

    /// Refreshes the recorded orders `keys` once and records what changed.
    public func refresh(_ keys: [String], state initial: RunState) async throws -> RunState {
        let (state, _) = try await poll(keys, state: initial)
        try record(keys, from: initial, to: state)
        return state
    }

    /// One round of status for the latest attempts of `keys` that have an id, in as few calls as the service allows;
    /// an attempt's products are fetched once, when it finishes, `concurrency` at a time. Also returns when the
    /// service expects each order to be done, where it says.
    func poll(_ keys: [String], state initial: RunState) async throws -> (RunState, estimates: [String: Date]) {
        var state = initial
        var estimates: [String: Date] = [:]
        let ids = keys.compactMap { state.orders[$0]?.id }
        guard !ids.isEmpty else { return (state, estimates) }
        let snapshots = try await service.orders(ids: ids)
        var finished: [(key: String, id: Int, output: OutputLocation)] = []
        var changes: [RunEvent] = []
        for key in keys {
            guard var record = state.orders[key], let id = record.id, let snapshot = snapshots[id] else { continue }
            estimates[key] = snapshot.estimated
            let changed = snapshot.status != record.status
            if changed {
                changes.append(.statusChanged(key: key, from: record.status, to: snapshot.status, message: snapshot.message))
            }
            record.latest.status = snapshot.status
            record.latest.message = snapshot.message
            state.orders[key] = record
            // Items are read once per finish: an attempt found finished as it was recorded keeps its items.
            if record.isFinished && (changed || record.latest.products.isEmpty) {
                finished.append((key, id, record.output))
            }
        }
        for (key, items) in try await products(of: finished) { state.orders[key]?.latest.products = items }
        // Announced once the round has succeeded whole: a round that fails is repeated, not half-reported.
        changes.forEach(events)
        return (state, estimates)
    }

    /// The items of finished orders, by key, `concurrency` calls in flight: once that many have started, each start
    /// waits for an answer.
    private func products(of finished: [(key: String, id: Int, output: OutputLocation)]) async throws -> [String: [ProductRecord]] {
        guard !finished.isEmpty else { return [:] }
        return try await withThrowingTaskGroup(of: (String, [ProductRecord]).self) { group in
            var collected: [String: [ProductRecord]] = [:]
            for (started, order) in finished.enumerated() {
                if started >= concurrency, let (key, items) = try await group.next() { collected[key] = items }
                group.addTask { [service] in (order.key, try await service.products(orderID: order.id, storage: order.output)) }
            }
            for try await (key, items) in group { collected[key] = items }
            return collected
        }
    }

    /// An error as one line for a warning.
    static func describe(_ error: any Error) -> String {
        (error as? any LocalizedError)?.errorDescription ?? String(describing: error)
    }

    /// Applies `changes` to `state` and records them durably.
    private func record(_ changes: [String: OrderRecord?], into state: inout RunState) throws {
        guard !changes.isEmpty else { return }
        for (key, record) in changes { state.orders[key] = record }
        try store.record(changes)
    }

    /// Records the entries of `keys` that differ between `before` and `after`; returns whether any did.
    @discardableResult
    private func record(_ keys: [String], from before: RunState, to after: RunState) throws -> Bool {
        var changes: [String: OrderRecord?] = [:]
        for key in keys where before.orders[key] != after.orders[key] { changes[key] = after.orders[key] }
        try store.record(changes)
        return !changes.isEmpty
    }
}
