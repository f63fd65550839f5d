import Foundation
import HookCore
import HookManifest

/// What `apply` is asked to do.
public struct ApplyRequest: Sendable {
    /// Wait for the orders after submitting (`--no-wait` turns it off).
    public var wait = true
    /// Requests in flight at once (`--concurrency`).
    public var concurrency = 8
    /// Overrides every manifest's `wait.timeout` (`--timeout`).
    public var timeout: Duration?
    /// Cancel unfinished orders whose manifests are gone (`--cancel-removed`).
    public var cancelRemoved = false
    /// Put how long each order was waited on into the reports (`--timings`).
    public var timings = false
    /// A retry resubmits every identifier (`--retry-all`); a saved plan's own choice wins.
    public var retryAll = false
    /// `--plan FILE`: carry out exactly this plan, or nothing when any of its inputs changed.
    public var saved: (path: String, plan: SavedPlan)?

    public init() {}
}

extension RunContext {
    /// With a `maxBytes` policy, looks the sizes of what `plan` submits up in the source catalogues (SPEC 9: only
    /// then), says how much it is, and refuses a run over the limit before anything is sent.
    func holdToMaxBytes(_ plan: [PlanItem], service: any OrderService) async throws {
        guard bench.profile?.policy.maxBytes != nil else { return }
        let submissions = submissions(plan, among: bench.orders)
        guard !submissions.isEmpty else { return }
        let volume = try await CatalogueProducts.lookUp(submissions, in: service, environment: environment).volume(of: submissions)
        events(.volume(volume))
        let (breach, warning) = bytePolicy(volume)
        if let warning { events(.warning(warning)) }
        if let breach { throw RunnerError.policy([breach]) }
    }

    /// `apply`: plans, submits what changed, waits (unless asked not to), downloads what `download: true` asks for,
    /// writes the reports and folds the state into the lock file.
    public func apply(_ request: ApplyRequest) async throws -> RunResult {
        try requireProject()
        return try await locked {
            let store = bench.stateStore(warn: { events(.warning($0)) })
            let state = try store.load()
            let retryAll = request.saved?.plan.retryAll ?? request.retryAll
            let desired = bench.desiredOrders(retryAll: retryAll)
            let plan = makePlan(desired: desired, state: state, isRemoved: bench.isRemoved)
            if let saved = request.saved {
                var current = SavedPlan(
                    plan: plan, desired: desired, state: state, profile: bench.profileName, definition: bench.profile,
                    paths: saved.plan.paths, retryAll: retryAll, hookctl: hookctlVersion)
                current.stateObject = try await readStateVersion().object
                if let change = saved.plan.change(to: current) { throw RunnerError.stalePlan(path: saved.path, change: change) }
            }
            let breaches = policyBreaches(plan)
            guard breaches.isEmpty else { throw RunnerError.policy(breaches) }
            // Every variable a submission needs is checked before anything is sent.
            let needed = plan.filter { $0.action.submits || ($0.action == .resume && $0.recorded?.id == nil) }.map(\.key)
            let bodies = try bench.bodies(for: Set(needed), environment: environment)
            for item in plan where item.action != .keep { events(.planned(key: item.key, summary: item.summary)) }

            var outcome = Runner<C>.Outcome(state: state)
            // Orders whose manifests say `download: true` keep their archives under downloads/.
            let downloads = plan.filter { $0.desired?.download == true }.map(\.key)
            var archiveFailures: [String] = []
            var verified: [String: String] = [:]
            let nothingToDo =
                plan.allSatisfy { $0.action == .keep }
                && pendingArchives(keys: downloads, state: state, folder: bench.downloadsDirectory, verified: &verified).isEmpty
            if !nothingToDo {
                (outcome, archiveFailures) = try await withService(store: store) { [verified] service in
                    try await holdToMaxBytes(plan, service: service)
                    var result = try await runner(service, store, concurrency: request.concurrency).apply(
                        plan, bodies: bodies, state: state, wait: request.wait, timeout: request.timeout,
                        cancelRemoved: request.cancelRemoved)
                    var known = verified
                    let pending = pendingArchives(keys: downloads, state: result.state, folder: bench.downloadsDirectory, verified: &known)
                    let archives = try await fetchArchives(
                        pending, state: result.state, service: service, store: store, concurrency: request.concurrency)
                    result.state = archives.state
                    return (result, archives.failures)
                }
            }
            removeStale(keys: downloads, state: outcome.state, in: bench.downloadsDirectory)
            expiryWarnings(keys: downloads, state: outcome.state, kept: bench.downloadsDirectory)
            let report = Report(
                state: Self.withRejections(outcome.rejected, of: plan, in: outcome.state),
                keys: plan.filter { $0.action != .remove }.map(\.key), timedOut: Set(outcome.timedOut),
                timings: request.timings ? outcome.waited : nil)
            try report.write(to: bench.reportsDirectory, environment: environment)
            try compact(store)
            try Self.requireArchives(archiveFailures, events: events)
            var result = RunResult(report: report, rejected: outcome.rejected, waited: request.wait)
            result.nothingToDo = nothingToDo
            return result
        }
    }

    /// The state as the reports show it: an order the service refused is not recorded (nothing was created), but it
    /// is reported as failed with the service's reason, so that a CI view never shows it as absent.
    static func withRejections(_ rejected: [String: String], of plan: [PlanItem], in state: RunState) -> RunState {
        var reported = state
        for item in plan {
            guard let reason = rejected[item.key], let desired = item.desired, var attempt = item.newAttempt else { continue }
            attempt.status = .failed
            attempt.message = "rejected by the service: \(reason)"
            if var record = reported.orders[item.key], record.digest == desired.digest {
                record.attempts.append(attempt)
                reported.orders[item.key] = record
            } else {
                reported.orders[item.key] = OrderRecord(
                    manifest: desired.manifest, workflow: desired.workflow, labels: desired.labels, digest: desired.digest,
                    body: BodyText(desired.body), output: desired.output, attempts: [attempt])
            }
        }
        return reported
    }
}
