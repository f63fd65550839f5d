import Foundation
import HookCore
import HookManifest

extension RunContext {
    /// `plan`: what `apply` would do for each order (offline: the manifests and the state only).
    /// - Parameters:
    ///   - retryAll: plan retries of every identifier (`--retry-all`).
    ///   - out: save the plan there, with fingerprints of its inputs, for `apply --plan`.
    public func plan(retryAll: Bool, out: String? = nil) async throws -> [PlanItem] {
        let (state, stateObject) = try await readStateVersion()
        let desired = bench.desiredOrders(retryAll: retryAll)
        let plan = makePlan(desired: desired, state: state, isRemoved: bench.isRemoved)
        if let out {
            var saved = SavedPlan(
                plan: plan, desired: desired, state: state, profile: bench.profileName, definition: bench.profile,
                paths: bench.paths, retryAll: retryAll, hookctl: hookctlVersion)
            saved.stateObject = stateObject
            try AtomicFile.write(saved.json, to: out)
        }
        return plan
    }
}

extension RunContext {
    /// What in `plan` goes beyond the profile's policy (SPEC 9): orders and items the run would submit.
    public func policyBreaches(_ plan: [PlanItem]) -> [String] {
        guard let profile = bench.profile else { return [] }
        let submitting = plan.filter { $0.action.submits }
        let items = submitting.reduce(0) { $0 + $1.identifiers.count }
        var breaches: [String] = []
        if let most = profile.policy.maxOrders, submitting.count > most {
            breaches.append("this run would submit \(submitting.count) orders; profile '\(profile.name)' allows at most \(most) (policy.maxOrders)")
        }
        if let most = profile.policy.maxItems, items > most {
            breaches.append("this run would submit \(items) items; profile '\(profile.name)' allows at most \(most) (policy.maxItems)")
        }
        return breaches
    }
}

extension SavedPlan {
    /// Checks that a command line carrying out this plan (`apply --plan PATH`) asks for nothing the plan does not
    /// say: it carries its own paths, profile and retry choice, which the command line may only repeat.
    /// - Parameter profile: the profile named by `--profile` or `HOOKCTL_PROFILE`, if any.
    public func check(path: String, paths given: [String], profile: String?, retryAll: Bool) throws {
        if !given.isEmpty && given != paths {
            throw RunnerError.badPlan(
                path: path, reason: "it was made for \(paths.isEmpty ? "the default paths" : paths.joined(separator: " ")); give no paths with --plan")
        }
        if let profile, profile != self.profile {
            throw RunnerError.stalePlan(path: path, change: "it is for profile '\(self.profile)', not '\(profile)'")
        }
        if retryAll && !self.retryAll {
            throw RunnerError.badPlan(path: path, reason: "it was made without --retry-all; make it with `hookctl plan --retry-all --out \(path)`")
        }
    }
}
