import ArgumentParser
import Foundation
import HookManifest
import HookRunner

/// The commands that drive orders (apply, wait, status) share this: the project lock, the service, the runner,
/// interruption, reports and the exit code.
struct Execution {
    let invocation: Invocation
    let bench: Workbench
    /// How long to wait for another hookctl that holds the project lock (`--lock-timeout`).
    var lockTimeout: Duration? = nil

    var console: Console { invocation.console }

    /// `apply`: plan, submit, wait, report.
    /// - Parameter retryAll: a retry resubmits every identifier of the order, not only those that failed.
    /// - Parameter saved: `--plan FILE`: the plan must be the one made now from the same inputs, or nothing is done.
    func apply(
        wait: Bool, concurrency: Int, timeout: Duration?, cancelRemoved: Bool, timings: Bool, retryAll: Bool,
        saved: (path: String, plan: SavedPlan)? = nil
    ) async throws {
        try requireProject()
        let lock = try await ProjectLock(path: projectLockPath, wait: lockTimeout ?? .seconds(10))
        defer { withExtendedLifetime(lock) {} }
        let store = bench.stateStore(warn: console.warning)
        let state = try store.load()
        let desired = bench.desiredOrders(retryAll: retryAll)
        let plan = makePlan(desired: desired, state: state, isRemoved: bench.isRemoved)
        if let saved {
            let current = SavedPlan(
                plan: plan, desired: desired, state: state, profile: bench.profileName, definition: bench.profile,
                paths: saved.plan.paths, retryAll: retryAll, hookctl: Hookctl.version)
            if let change = saved.plan.change(to: current) { throw RunnerError.stalePlan(path: saved.path, change: change) }
        }
        let keys = plan.filter { $0.action != .remove }.map(\.key)
        // Every variable a submission needs is checked before anything is sent.
        let needed = plan.filter { $0.action.submits || ($0.action == .resume && $0.recorded?.id == nil) }.map(\.key)
        let bodies = try bench.bodies(for: Set(needed), environment: invocation.environment)
        for item in plan where item.action != .keep { console.detail("plan: \(item.key): \(item.summary)") }

        var outcome = Runner<ContinuousClock>.Outcome(state: state)
        if plan.allSatisfy({ $0.action == .keep }) && missingDownloads(plan: plan, state: state).isEmpty {
            console.info(plan.isEmpty ? "No orders." : "Nothing to do: every order is unchanged and completed.")
        } else {
            outcome = try await interruptible(store: store) { service in
                let runner = makeRunner(service, store, concurrency: concurrency)
                let result = try await runner.apply(plan, bodies: bodies, state: state, wait: wait, timeout: timeout,
                                                    cancelRemoved: cancelRemoved)
                try await download(plan: plan, state: result.state, service: service)
                return result
            }
        }
        // An order the service refused is not recorded (nothing was created), but the reports show it as failed, with
        // the service's reason, so that a CI view never shows it as absent.
        var reported = outcome.state
        for item in plan {
            guard let reason = outcome.rejected[item.key], let desired = item.desired, var attempt = item.newAttempt else { continue }
            attempt.status = "failed"
            attempt.message = "rejected by the service: \(reason)"
            if var record = reported.orders[item.key], record.digest == desired.digest {
                record.attempts.append(attempt)
                reported.orders[item.key] = record
            } else {
                reported.orders[item.key] = OrderRecord(
                    manifest: desired.manifest, workflow: desired.workflow, labels: desired.labels, digest: desired.digest,
                    body: BodyText(desired.body), attempts: [attempt])
            }
        }
        try finish(Report(state: reported, keys: keys, timedOut: Set(outcome.timedOut), timings: timings ? outcome.waited : nil),
                   store: store, rejected: outcome.rejected, waited: wait)
    }

    /// `wait`: wait for the recorded, unfinished orders of the manifests given (all recorded ones by default).
    func wait(keys requested: [String]?, timeout: Duration?, timings: Bool) async throws {
        try requireProject()
        let lock = try await ProjectLock(path: projectLockPath, wait: lockTimeout ?? .seconds(10))
        defer { withExtendedLifetime(lock) {} }
        let store = bench.stateStore(warn: console.warning)
        let state = try store.load()
        let keys = (requested ?? state.orders.keys.sorted()).filter { state.orders[$0] != nil }
        let open = keys.filter { !(state.orders[$0]?.isFinished ?? true) }
        var outcome = Runner<ContinuousClock>.Outcome(state: state)
        if !open.isEmpty {
            let bodies = try bench.bodies(
                for: Set(open.filter { state.orders[$0]?.id == nil }), matching: state, environment: invocation.environment)
            let ownTimeouts = Dictionary(bench.desiredOrders().map { ($0.key, $0.timeout) }) { first, _ in first }
            var timeouts: [String: Duration] = [:]
            for key in open { timeouts[key] = timeout ?? ownTimeouts[key] ?? nil }
            outcome = try await interruptible(store: store) { [timeouts] service in
                let runner = makeRunner(service, store)
                return try await runner.wait(for: open, bodies: bodies, state: state, timeouts: timeouts)
            }
        }
        try finish(Report(state: outcome.state, keys: keys, timedOut: Set(outcome.timedOut), timings: timings ? outcome.waited : nil),
                   store: store, rejected: outcome.rejected, waited: true)
    }

    /// `status`: one refresh of every recorded order from the service (finished ones too: the service is the truth),
    /// then the table; exits as a run would (3 if an order failed).
    func status(keys requested: [String]?) async throws {
        let lock = try await ProjectLock(path: projectLockPath, wait: lockTimeout ?? .seconds(10))
        defer { withExtendedLifetime(lock) {} }
        let store = bench.stateStore(warn: console.warning)
        let state = try store.load()
        let keys = (requested ?? state.orders.keys.sorted()).filter { state.orders[$0] != nil }
        let known = keys.filter { state.orders[$0]?.id != nil }
        var refreshed = state
        if !known.isEmpty {
            refreshed = try await interruptible(store: store) { service in
                let runner = makeRunner(service, store)
                return try await runner.refresh(known, state: state)
            }
        }
        try compact(store)
        let report = Report(state: refreshed, keys: keys)
        print(report: report)
        let code = ExitCode.of(report)
        if code != .done { throw code }
    }

    /// Prints the report in the format asked (a table by default).
    func print(report: Report) {
        switch invocation.global.format {
        case .json: console.output(report.json)
        case .markdown: console.output(report.markdown)
        case .junit: console.output(report.junit)
        case .table, .text, nil: console.output(report.table)
        }
    }

    /// Writes the reports, then the lock file (a journal left by an earlier command too), then exits as SPEC says.
    private func finish(_ report: Report, store: FileStateStore, rejected: [String: String], waited: Bool) throws {
        try invocation.writeReports(report, to: bench.reportsDirectory)
        try compact(store)
        if !invocation.global.quiet { print(report: report) }
        for (key, reason) in rejected.sorted(by: { $0.key < $1.key }) { console.error("\(key): rejected by the service: \(reason)") }
        if !rejected.isEmpty { throw ExitCode.error }
        guard waited else { return }
        let code = ExitCode.of(report)
        if code != .done { throw code }
    }

    /// Downloads the archives of completed orders whose manifests say `download: true` (skipping those present).
    private func download(plan: [PlanItem], state: RunState, service: any OrderService) async throws {
        for (key, id, product, path) in missingDownloads(plan: plan, state: state) {
            try await service.download(orderID: id, productID: product, to: path, progress: console.transferProgress(key))
            console.endStatus()
            console.event(.downloaded(key: key, path: bench.relative(path)))
        }
    }

    /// Archives that `download: true` asks for and that are not on disk yet: (order key, order id, product id, path).
    private func missingDownloads(plan: [PlanItem], state: RunState) -> [(String, Int, Int, String)] {
        var missing: [(String, Int, Int, String)] = []
        for item in plan where item.desired?.download == true {
            guard let record = state.orders[item.key], record.isSuccessful else { continue }
            let folder = (bench.downloadsDirectory as NSString).appendingPathComponent(item.key.replacingOccurrences(of: "#", with: "-"))
            for outcome in record.outcomes {
                guard let orderID = outcome.orderID, let productID = outcome.product.id else { continue }
                let path = (folder as NSString).appendingPathComponent(outcome.product.identifier + ".zip")
                if !FileManager.default.fileExists(atPath: path) { missing.append((item.key, orderID, productID, path)) }
            }
        }
        return missing
    }

    private func makeRunner(_ service: any OrderService, _ store: any StateStore, concurrency: Int = 8) -> Runner<ContinuousClock> {
        var runner = Runner(service: service, store: store, clock: ContinuousClock(), concurrency: concurrency, events: console.event)
        runner.failpoint = invocation.environment["HOOKCTL_FAILPOINT"].flatMap(Failpoint.init)
        return runner
    }

    private func requireProject() throws {
        if bench.workspace.projectFile == nil && !invocation.global.sandbox { throw RunnerError.noProjectFile }
    }

    private var projectLockPath: String {
        (bench.root as NSString).appendingPathComponent(".hookctl/\(bench.profileName).pid")
    }

    /// Folds what the command recorded (and any journal an earlier one left) into the lock file.
    private func compact(_ store: FileStateStore) throws {
        do { try store.compact() } catch {
            throw RunnerError.io("\(error.localizedDescription); the state is kept in \(bench.relative(store.journalPath)) until a command can write \(bench.relative(store.path))")
        }
    }

    /// Opens the service, runs `work` so that SIGINT/SIGTERM stop it with the state saved (exit 130), closes it.
    /// When the work fails or is interrupted, what it recorded is folded into the lock file before the error goes up.
    private func interruptible<T: Sendable>(
        store: FileStateStore, _ work: @escaping @Sendable (any OrderService) async throws -> T
    ) async throws -> T {
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await runInterruptibly { [invocation, bench] in
                try await ServiceSession.with(invocation: invocation, bench: bench) { session in
                    try await work(session.orders)
                }
            })
        } catch {
            outcome = .failure(error)
        }
        if case .failure = outcome {
            // The work's own error is the one to report; the journal still holds everything if this fails too.
            do { try store.compact() } catch { console.warning("\(error.localizedDescription); the journal keeps the state until the next command") }
        }
        switch outcome {
        case .success(let value):
            return value
        case .failure(is Interrupted):
            console.error("interrupted; state is saved in \(bench.relative(store.path)); `hookctl apply` or `hookctl wait` resumes")
            throw ExitCode.interrupted
        case .failure(let error):
            throw error
        }
    }
}
