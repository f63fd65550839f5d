import Foundation
import HookCore
import HookManifest
import HookS3

/// One output of one recorded order: a TEMPORARY product's archive at the service (its latest outcome, whatever its
/// status), or an object under a PRIVATE order's S3 prefix.
public struct OutputItem: Sendable {
    public var key: String
    public var orderID: Int
    public var productID: Int?
    public var identifier: String?
    /// The product's status (`completed`, `failed`...); an S3 object is there, so `completed`.
    public var status: OrderStatus
    /// The archive's URL, or the object's `s3://bucket/key`; nil when there is no output.
    public var location: String?
    public var size: Int64?
    /// When a TEMPORARY output stops being downloadable, if the service said.
    public var expires: Date?
    /// Whether it had expired when listed.
    public var expired = false
    /// The client that lists and reads a PRIVATE order's bucket.
    var s3: S3Client?

    /// The columns of `outputs`' text table, one row per output (`cells`).
    public static let header = ["ORDER", "IDENTIFIER", "STATUS", "LOCATION", "SIZE", "EXPIRES"]

    /// `outputs`' text row: key, identifier, status, location, size in bytes, expiry ("expired" once past).
    public var cells: [String] {
        let expiry = expires.map { (expired ? "expired " : "") + $0.formatted(.iso8601) }
        return [key, identifier ?? "-", status.rawValue, location ?? "-", size.map(String.init) ?? "-", expiry ?? "-"]
    }

    /// `outputs --format json`: one object per output.
    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "key": .string(key), "status": .string(status.rawValue), "location": location.map { .string($0) } ?? .null,
            "identifier": identifier.map { .string($0) } ?? .null,
        ]
        if let size { fields["size"] = .integer(Int(size)) }
        if let expires {
            fields["expires"] = .string(expires.formatted(.iso8601))
            fields["expired"] = .bool(expired)
        }
        return .object(fields)
    }
}

extension RunContext {
    /// `outputs`: the outputs of the recorded orders (of the manifests named, else all), with a warning for each
    /// TEMPORARY output that expires within 3 days or has expired. TEMPORARY products come from the state; PRIVATE
    /// objects are listed in S3 with the order's own storage references, which must be set.
    public func outputs() async throws -> [OutputItem] {
        let state = try await readState()
        let keys = recordedKeys(in: state)
        expiryWarnings(keys: keys, state: state)
        return try await outputs(of: keys, in: state)
    }

    private func outputs(of keys: [String], in state: RunState) async throws -> [OutputItem] {
        let storage = Dictionary(bench.workspace.orders.map { ($0.key, $0.storage) }) { first, _ in first }
        let base = bench.profile?.serviceURL.map { $0.hasSuffix("/") ? $0 : $0 + "/" } ?? ""
        var listed: [OutputItem] = []
        for key in keys {
            guard let record = state.orders[key], let id = record.id else { continue }
            switch record.output {
            case .temporary:
                for outcome in record.outcomes {
                    let product = outcome.product
                    listed.append(
                        OutputItem(
                            key: key, orderID: outcome.orderID ?? id, productID: product.id, identifier: product.identifier, status: product.status,
                            location: product.status == .completed ? product.output.map { base + $0 } : nil, size: product.size,
                            expires: product.expires, expired: isExpired(product)))
                }
            case .s3(let bucket, let prefix):
                guard case .private(let spec)? = storage[key] else {
                    events(.warning("\(key): its manifest is not among the paths read; cannot list its S3 outputs"))
                    continue
                }
                let client = try s3Client(spec, key: key)
                for object in try await client.listObjectsV2(bucket: bucket, prefix: prefix.isEmpty ? "" : prefix + "/") {
                    listed.append(
                        OutputItem(
                            key: key, orderID: id, productID: nil, identifier: nil, status: .completed,
                            location: "s3://\(bucket)/\(object.key)", size: object.size, s3: client))
                }
            }
        }
        return listed
    }

    /// What `outputs --download` did: files fetched, and files already there and verified (left as they were).
    public struct DownloadTally: Sendable, Equatable {
        public var fetched = 0
        public var current = 0
    }

    /// `outputs --download DIR`: TEMPORARY archives kept in step with the state under `DIR/<key>/<identifier>.zip`
    /// (checked, recorded with size and SHA-256, stale files removed, `concurrency` at a time); PRIVATE objects copied
    /// to `DIR/<key>/` unless a file of the same size is there.
    @discardableResult
    public func downloadOutputs(into folder: String, concurrency: Int = 8) async throws -> DownloadTally {
        try await locked {
            let store = bench.stateStore(warn: { events(.warning($0)) })
            let state = try store.load()
            let keys = recordedKeys(in: state)
            var tally = DownloadTally()
            for item in try await outputs(of: keys, in: state) where item.s3 != nil {
                guard let client = item.s3, let location = item.location.flatMap(S3Location.init) else { continue }
                let target = (Self.archiveFolder(folder, key: item.key) as NSString).appendingPathComponent((location.prefix as NSString).lastPathComponent)
                if let size = item.size, FileWriter.size(of: target) == size {
                    tally.current += 1
                    continue
                }
                try FileError.createFolder((target as NSString).deletingLastPathComponent)
                _ = try await client.getObject(bucket: location.bucket, key: location.prefix, to: target)
                events(.downloaded(key: item.key, path: bench.relative(target)))
                tally.fetched += 1
            }
            var failures: [String] = []
            var verified: [String: String] = [:]
            let pending = pendingArchives(keys: keys, state: state, folder: folder, verified: &verified)
            if !pending.isEmpty {
                failures = try await withService(store: store) { service in
                    try await fetchArchives(pending, state: state, service: service, store: store, concurrency: concurrency).failures
                }
            }
            removeStale(keys: keys, state: state, in: folder)
            expiryWarnings(keys: keys, state: state, kept: folder)
            try compact(store)
            try Self.requireArchives(failures, events: events)
            tally.fetched += pending.count
            tally.current += verified.count
            return tally
        }
    }

    /// An S3 client for a PRIVATE order's bucket, from its manifest's storage references.
    func s3Client(_ spec: PrivateStorage, key: String) throws -> S3Client {
        let unset = [spec.endpoint, spec.accessKey, spec.secretKey].flatMap { $0.unsetVariables(in: environment) }
        guard unset.isEmpty else {
            let names = UnresolvedVariables(names: unset).names.map { "$" + $0 }.joined(separator: ", ")
            throw RunnerError.io("\(key): listing its S3 outputs needs \(names), not set")
        }
        // Every variable is set (checked above), so each resolves.
        func resolve(_ template: Template) -> String { (try? template.resolve(in: environment).get()) ?? "" }
        let endpoint = resolve(spec.endpoint)
        guard let url = URL(string: endpoint) else { throw RunnerError.io("\(key): storage endpoint \(endpoint) is not a URL") }
        let credentials = AWSCredentials(accessKeyID: resolve(spec.accessKey), secretAccessKey: Secret(resolve(spec.secretKey)))
        return S3Client(configuration: S3Configuration(endpoint: url, credentials: credentials))
    }
}
