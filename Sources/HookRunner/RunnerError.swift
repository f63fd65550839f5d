import Foundation
import HookManifest

/// Everything the runner reports as a failure of the command itself (exit 1), as one clear line.
public enum RunnerError: Error, Equatable, Sendable {
    case projectBusy(lock: String, holder: String?)
    case io(String)
    case unknownProfile(String, available: [String])
    case profileIncomplete(profile: String, missing: String)
    /// `user` is what needs them: "order KEY" or "profile 'NAME'".
    case unsetVariables(user: String, names: [String])
    case corruptState(path: String, reason: String)
    case noProjectFile
    /// `apply --plan FILE`: the file is not a usable plan.
    case badPlan(path: String, reason: String)
    /// `apply --plan FILE`: an input of the plan changed since it was made.
    case stalePlan(path: String, change: String)
    /// The run would submit more than the profile's policy allows: one line per breach.
    case policy([String])
}

extension RunnerError: LocalizedError {
    public var errorDescription: String? {
        switch self {
        case let .projectBusy(lock, holder):
            "another hookctl is working on this project (\(holder ?? "unknown process") holds \(lock)); try again when it finishes"
        case let .io(message):
            message
        case let .unknownProfile(name, available):
            "unknown profile '\(name)'" + (Suggestion.closest(to: name, in: available).map { "; did you mean '\($0)'?" } ?? "")
                + (available.isEmpty ? "" : " (profiles: \(available.joined(separator: ", ")))")
        case let .profileIncomplete(profile, missing):
            "profile '\(profile)' has no \(missing)"
        case let .unsetVariables(user, names):
            "\(user) needs \(names.map { "$" + $0 }.joined(separator: ", ")), which \(names.count == 1 ? "is" : "are") not set; nothing was submitted"
        case let .corruptState(path, reason):
            "cannot read state \(path): \(reason); fix or delete the file (it is JSON)"
        case .noProjectFile:
            "no project file (hookctl.yaml) found above the manifests; give one with --project"
        case let .badPlan(path, reason):
            "\(path): \(reason)"
        case let .policy(breaches):
            // One `error:` line per breach: the CLI prefixes the first.
            breaches.joined(separator: "\nerror: ") + "\nerror: nothing was submitted"
        case let .stalePlan(path, change):
            "\(path) is out of date: \(change); nothing was submitted (make it again with `hookctl plan --out \(path)`)"
        }
    }
}
