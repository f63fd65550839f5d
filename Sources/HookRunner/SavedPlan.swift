import Crypto
import Foundation
import HookCore
import HookManifest

/// A plan written by `plan --out` for `apply --plan` to carry out exactly, as `terraform plan -out` does: the orders
/// and what to do with each, with fingerprints of every input the plan was made from. `apply --plan` makes the plan
/// again from its own inputs and refuses, naming what changed, unless every fingerprint is the same.
public struct SavedPlan: Equatable, Sendable {
    /// The `format` a plan file carries, and the version of its layout this hookctl reads and writes.
    public static let format = "hookctl-plan"
    public static let formatVersion = 1

    /// The hookctl version that made the plan.
    public var hookctl: String
    /// The profile the plan was made for (its lock file, its service).
    public var profile: String
    /// The manifest paths as given to `plan` (empty: the default).
    public var paths: [String]
    /// `--retry-all` was given.
    public var retryAll: Bool
    /// SHA-256 of the state the plan compared with (the lock file with its journal replayed), in canonical form.
    public var lock: String
    /// With state in S3, the state object's location and the ETag the plan read (`s3://bucket/key#etag`, `#none` when
    /// there was no object).
    public var stateObject: String?
    /// SHA-256 of the profile's definition in the project file, references as written.
    public var profileDefinition: String
    /// SHA-256 per order key of what the manifests ask for it (body digest, manifest path, labels, wait, download).
    public var manifests: [String: String]
    /// The plan's lines.
    public var orders: [Entry]

    /// One line of a saved plan.
    public struct Entry: Equatable, Sendable {
        public var key: String
        public var action: String
        public var attempt: Int
        public var name: String
        public var identifiers: [String]
    }

    public init(
        plan: [PlanItem], desired: [DesiredOrder], state: RunState, profile: String, definition: Profile?,
        paths: [String], retryAll: Bool, hookctl: String
    ) {
        self.hookctl = hookctl
        self.profile = profile
        self.paths = paths
        self.retryAll = retryAll
        lock = Self.sha256(Array(RunStateCodec.encode(state).utf8))
        profileDefinition = Self.sha256(Array(Self.describe(definition).utf8))
        manifests = Dictionary(desired.map { ($0.key, Self.fingerprint($0)) }) { first, _ in first }
        orders = plan.map { item in
            Entry(
                key: item.key, action: item.action.rawValue, attempt: item.attempt,
                name: item.desired?.name(attempt: item.attempt) ?? item.recorded?.name ?? "", identifiers: item.identifiers)
        }
    }

    /// One line naming the first input that differs between this plan and `current` (the same plan made now), or
    /// nil when they are the same plan from the same inputs.
    public func change(to current: SavedPlan) -> String? {
        if hookctl != current.hookctl { return "it was made by hookctl \(hookctl), and this is \(current.hookctl)" }
        if profile != current.profile { return "it is for profile '\(profile)', not '\(current.profile)'" }
        if profileDefinition != current.profileDefinition { return "profile '\(profile)' changed in the project file since it was made" }
        if stateObject != current.stateObject {
            return "the state object \((stateObject ?? current.stateObject ?? "").prefix { $0 != "#" }) changed since it was made"
        }
        if lock != current.lock { return "the lock file (the recorded state of profile '\(profile)') changed since it was made" }
        if manifests != current.manifests {
            let keys = Set(manifests.keys).union(current.manifests.keys).filter { manifests[$0] != current.manifests[$0] }.sorted()
            let described = keys.prefix(3).map { key in
                manifests[key] == nil ? "\(key) (new)" : current.manifests[key] == nil ? "\(key) (gone)" : key
            }
            return "the manifests changed since it was made: \(described.joined(separator: ", "))\(keys.count > 3 ? " and \(keys.count - 3) more" : "")"
        }
        if retryAll != current.retryAll { return "it was made \(retryAll ? "with" : "without") --retry-all" }
        if orders != current.orders { return "its orders differ from the plan made now" }
        return nil
    }

    // MARK: - The file

    /// The plan file's text: canonical JSON.
    public var json: String {
        CanonicalJSON.string(
            .object([
                "format": .string(Self.format),
                "formatVersion": .integer(Self.formatVersion),
                "hookctl": .string(hookctl),
                "profile": .string(profile),
                "paths": .array(paths.map { .string($0) }),
                "retryAll": .bool(retryAll),
                "fingerprints": .object(
                    [
                        "lock": .string(lock),
                        "profile": .string(profileDefinition),
                        "manifests": .object(manifests.mapValues { .string($0) }),
                    ].merging(stateObject.map { ["stateObject": .string($0)] } ?? [:]) { first, _ in first }),
                "orders": .array(
                    orders.map { entry in
                        .object([
                            "key": .string(entry.key), "action": .string(entry.action), "attempt": .integer(entry.attempt),
                            "name": .string(entry.name), "identifiers": .array(entry.identifiers.map { .string($0) }),
                        ])
                    }),
            ]))
    }

    /// Reads a plan file.
    /// - Throws: `RunnerError.badPlan` when the file is not a hookctl plan, or one of another format version.
    public init(file path: String) throws {
        func bad(_ reason: String) -> RunnerError { .badPlan(path: path, reason: reason) }
        guard let data = FileManager.default.contents(atPath: path) else { throw bad("cannot read it") }
        guard case .object(let top)? = try? JSONReader.parse([UInt8](data)), case .string(Self.format)? = top["format"] else {
            throw bad("not a plan written by `hookctl plan --out`")
        }
        guard case .integer(let version)? = top["formatVersion"], version == Self.formatVersion else {
            throw bad("a plan of another format version than this hookctl reads (\(Self.formatVersion)); make it again with `hookctl plan --out`")
        }
        func string(_ value: JSONValue?) throws -> String {
            guard case .string(let text)? = value else { throw bad("it is damaged") }
            return text
        }
        func strings(_ value: JSONValue?) throws -> [String] {
            guard case .array(let items)? = value else { throw bad("it is damaged") }
            return try items.map { try string($0) }
        }
        guard case .object(let prints)? = top["fingerprints"], case .object(let manifestPrints)? = prints["manifests"],
            case .array(let entries)? = top["orders"], case .bool(let retryAll)? = top["retryAll"]
        else { throw bad("it is damaged") }
        hookctl = try string(top["hookctl"])
        profile = try string(top["profile"])
        paths = try strings(top["paths"])
        self.retryAll = retryAll
        lock = try string(prints["lock"])
        profileDefinition = try string(prints["profile"])
        stateObject = try prints["stateObject"].map { try string($0) }
        manifests = try manifestPrints.mapValues { try string($0) }
        orders = try entries.map { value in
            guard case .object(let e) = value, case .integer(let attempt)? = e["attempt"] else { throw bad("it is damaged") }
            return Entry(
                key: try string(e["key"]), action: try string(e["action"]), attempt: attempt,
                name: try string(e["name"]), identifiers: try strings(e["identifiers"]))
        }
    }

    // MARK: - Fingerprints

    private static func sha256(_ bytes: [UInt8]) -> String {
        Hex.string(SHA256.hash(data: bytes))
    }

    private static func fingerprint(_ order: DesiredOrder) -> String {
        let value: JSONValue = .object([
            "digest": .string(order.digest),
            "manifest": .string(order.manifest),
            "labels": .object(order.labels.mapValues { .string($0) }),
            "download": .bool(order.download),
            "timeout": order.timeout.map { .integer(Int($0.components.seconds)) } ?? .null,
            "retryAll": .bool(order.retryAll),
        ])
        return sha256(CanonicalJSON.bytes(value))
    }

    /// The profile as the project file defines it, every reference as written (never a secret's value).
    private static func describe(_ profile: Profile?) -> String {
        guard let profile else { return "none" }
        let auth: String
        switch profile.auth {
        case .desp(let username, let password, let otp)?: auth = "desp \(username) \(password) \(otp.map(\.description) ?? "-")"
        case .serviceAccount(let clientID, let clientSecret)?: auth = "service-account \(clientID) \(clientSecret)"
        case .token(let token)?: auth = "token \(token)"
        case nil: auth = "-"
        }
        return [
            profile.name, "\(profile.sandbox)", profile.serviceURL ?? "-", profile.despURL ?? "-",
            profile.dedlTokenURL ?? "-", auth,
        ].joined(separator: "\n")
    }
}
