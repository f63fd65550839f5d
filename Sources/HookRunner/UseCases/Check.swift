import Foundation
import HookCore
import HookManifest
import HookS3

/// One problem `check` found.
public struct CheckProblem: Sendable, Equatable {
    /// The order concerned, if one.
    public var key: String?
    public var message: String

    public var json: JSONValue { .object(["key": key.map { .string($0) } ?? .null, "message": .string(message)]) }
    public var line: String { (key.map { "\($0): " } ?? "") + message }
}

/// What `check` found: the manifests' diagnostics against the live catalogue, and the other problems.
public struct CheckResult: Sendable {
    /// Diagnostics of the manifests read against the service's workflow catalogue (unknown workflows and options,
    /// wrong types, missing required options), at their `path:line:column`.
    public var diagnostics: [Diagnostic]
    /// Problems without a position: identifiers not in their collection, buckets that refuse a write.
    public var problems: [CheckProblem]
    /// What `apply` would submit now: orders, items, and bytes where the catalogue gives sizes.
    public var volume: Volume

    public var hasProblems: Bool { !problems.isEmpty || diagnostics.contains { $0.severity == .error } }
}

extension RunContext {
    /// `check`: asks the service, submitting nothing: the login works (or the call fails as a run's would); the
    /// manifests are checked against the live workflow catalogue; every identifier of a DESP source is looked up in
    /// its collection, which also gives the bytes the run would order (held against `policy.maxBytes`); every
    /// PRIVATE bucket takes a probe object (written, then deleted).
    public func check() async throws -> CheckResult {
        let state = try await readState()
        // One session: an embedded sandbox is started once.
        let (live, products) = try await connector.withService { [self] service in
            let live = try Workbench(
                paths: bench.paths, projectFile: bench.workspace.projectFile, profile: bench.profileName, sandbox: embeddedSandbox,
                environment: environment, shard: bench.shard, catalogue: try await service.workflowCatalogue())
            let products = try await CatalogueProducts.lookUp(
                live.orders.map { ($0, $0.body.identifiers) }, in: service, environment: environment)
            return (live, products)
        }
        var problems: [CheckProblem] = []
        let orders = live.orders
        for order in orders {
            for identifier in order.body.identifiers where products.isMissing(identifier, of: order) {
                problems.append(CheckProblem(key: order.key, message: "\(identifier) is not in collection \(products.catalogueOf[order.key] ?? "")"))
            }
            if let reason = products.unchecked[order.key] { problems.append(CheckProblem(key: order.key, message: reason)) }
        }
        for order in orders {
            guard case .private(let spec) = order.storage else { continue }
            do {
                let client = try s3Client(spec, key: order.key)
                let probe = (spec.prefix.isEmpty ? "" : spec.prefix + "/") + ".hookctl-check-\(UUID().uuidString)"
                try await client.putObject(bucket: spec.bucket, key: probe, body: Array("hookctl check\n".utf8))
                try await client.deleteObject(bucket: spec.bucket, key: probe)
            } catch {
                problems.append(CheckProblem(key: order.key, message: "bucket \(spec.bucket) does not take a write: \(Runner<C>.describe(error))"))
            }
        }
        let plan = makePlan(desired: live.desiredOrders(), state: state, isRemoved: live.isRemoved)
        let volume = products.volume(of: submissions(plan, among: orders))
        let (breach, warning) = bytePolicy(volume)
        if let warning { events(.warning(warning)) }
        let breaches = policyBreaches(plan) + [breach].compactMap { $0 }
        problems += breaches.map { CheckProblem(key: nil, message: $0) }
        return CheckResult(
            diagnostics: live.workspace.diagnostics.filter { !bench.workspace.diagnostics.contains($0) },
            problems: problems.sorted { ($0.key ?? "", $0.message) < ($1.key ?? "", $1.message) }, volume: volume)
    }
}
