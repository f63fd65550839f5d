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

    public var hasProblems: Bool { !problems.isEmpty || diagnostics.contains { $0.severity == .error } }
}

extension RunContext {
    /// `check`: asks the service, submitting nothing: the login works (or the call fails as a run's would); the
    /// manifests are checked against the live workflow catalogue; every identifier of a DESP source is looked up in
    /// its collection; every PRIVATE bucket takes a probe object (written, then deleted).
    public func check() async throws -> CheckResult {
        // One session: an embedded sandbox is started once.
        let (live, missing) = try await connector.withService { [self] service in
            let live = try Workbench(
                paths: bench.paths, projectFile: bench.workspace.projectFile, profile: bench.profileName, sandbox: embeddedSandbox,
                environment: environment, shard: bench.shard, catalogue: try await service.workflowCatalogue())
            // Identifiers, by collection, each looked up once.
            var byCollection: [String: Set<String>] = [:]
            for order in live.orders where order.sourceType == "DESP" {
                guard let collection = Self.optionText(order, "desp_source_collection") else { continue }
                byCollection[collection, default: []].formUnion(order.body.identifiers)
            }
            var missing: [String: Set<String>] = [:]
            for (collection, identifiers) in byCollection.sorted(by: { $0.key < $1.key }) {
                missing[collection] = Set(try await service.missingIdentifiers(identifiers.sorted(), in: collection))
            }
            return (live, missing)
        }
        var problems: [CheckProblem] = []
        let orders = live.orders
        for order in orders where order.sourceType == "DESP" {
            guard let collection = Self.optionText(order, "desp_source_collection"), let absent = missing[collection] else { continue }
            for identifier in order.body.identifiers where absent.contains(identifier) {
                problems.append(CheckProblem(key: order.key, message: "\(identifier) is not in collection \(collection)"))
            }
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
        return CheckResult(
            diagnostics: live.workspace.diagnostics.filter { !bench.workspace.diagnostics.contains($0) },
            problems: problems.sorted { ($0.key ?? "", $0.message) < ($1.key ?? "", $1.message) })
    }

    /// A string option's value as written (references unresolved).
    static func optionText(_ order: Order, _ name: String) -> String? {
        guard case .string(let template)? = order.body.options.first(where: { $0.name == name })?.value else { return nil }
        return template.description
    }
}
