import Foundation
import HookCore
import HookManifest
import HookS3

/// One output of one recorded order: a TEMPORARY product's archive at the service, or an object under a PRIVATE
/// order's S3 prefix.
public struct OutputItem: Sendable {
    public var key: String
    public var orderID: Int
    public var productID: Int?
    public var identifier: String?
    /// The archive's URL, or the object's `s3://bucket/key`.
    public var location: String
    public var size: Int64?
    /// The client that lists and reads a PRIVATE order's bucket.
    var s3: S3Client?

    var folderName: String { key.replacingOccurrences(of: "#", with: "-") }

    /// `outputs`' text line: key, identifier, location, size.
    public var line: String {
        [key, identifier ?? "-", location, size.map { "\($0) bytes" } ?? ""].filter { !$0.isEmpty }.joined(separator: "  ")
    }

    /// `outputs --format json`: one object per output.
    public var json: JSONValue {
        var fields: [String: JSONValue] = ["key": .string(key), "location": .string(location)]
        if let identifier { fields["identifier"] = .string(identifier) }
        if let size { fields["size"] = .integer(Int(size)) }
        return .object(fields)
    }
}

extension RunContext {
    /// `outputs`: the outputs of the recorded orders (of the manifests named, else all). TEMPORARY products come from
    /// the state; PRIVATE objects are listed in S3 with the order's own storage references, which must be set.
    public func outputs() async throws -> [OutputItem] {
        let state = try bench.stateStore(warn: { events(.warning($0)) }).load()
        let storage = Dictionary(bench.workspace.orders.map { ($0.key, $0.storage) }) { first, _ in first }
        var listed: [OutputItem] = []
        for key in recordedKeys(in: state) {
            guard let record = state.orders[key], let id = record.id else { continue }
            switch record.output {
            case .temporary:
                let base = bench.profile?.serviceURL.map { $0.hasSuffix("/") ? $0 : $0 + "/" } ?? ""
                for outcome in record.outcomes where outcome.product.status == "completed" {
                    guard let orderID = outcome.orderID else { continue }
                    listed.append(
                        OutputItem(
                            key: key, orderID: orderID, productID: outcome.product.id,
                            identifier: outcome.product.identifier,
                            location: base + (outcome.product.output ?? ""), size: nil))
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
                            key: key, orderID: id, productID: nil, identifier: nil,
                            location: "s3://\(bucket)/\(object.key)", size: object.size, s3: client))
                }
            }
        }
        return listed
    }

    /// Streams every output into `folder/<key>/`: S3 objects with a file of the same size there are skipped, and so
    /// are archives already there.
    public func download(_ items: [OutputItem], into folder: String) async throws {
        for item in items where item.s3 != nil {
            guard let client = item.s3, let location = S3Location(item.location) else { continue }
            let target = (folder as NSString).appendingPathComponent(item.folderName + "/" + (location.prefix as NSString).lastPathComponent)
            if let size = item.size, (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int64) == size { continue }
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            _ = try await client.getObject(bucket: location.bucket, key: location.prefix, to: target)
            events(.downloaded(key: item.key, path: target))
        }
        let pending = items.compactMap { item -> PendingDownload? in
            guard item.s3 == nil, let productID = item.productID, let identifier = item.identifier else { return nil }
            let target = (folder as NSString).appendingPathComponent(item.folderName + "/" + identifier + ".zip")
            if FileManager.default.fileExists(atPath: target) { return nil }
            return PendingDownload(key: item.key, orderID: item.orderID, productID: productID, path: target)
        }
        guard !pending.isEmpty else { return }
        try await connector.withService { service in try await download(pending, from: service) }
    }

    /// An S3 client for a PRIVATE order's bucket, from its manifest's storage references.
    private func s3Client(_ spec: PrivateStorage, key: String) throws -> S3Client {
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
