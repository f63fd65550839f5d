import ArgumentParser
import Foundation
import HookManifest
import HookRunner
import HookS3

struct Outputs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the outputs of completed orders, or download them.",
        discussion: """
            TEMPORARY storage: each product's archive URL at the service (`.../BatchOrder(N)/Product(M)/$value`,
            kept for two weeks). PRIVATE storage: the S3 objects under the order's prefix, with sizes (listed with
            the order's own accessKey/secretKey references, which must be set).
            With --download DIR, every archive or object is streamed into DIR/<order key>/ (files already there
            with the right size are skipped).

            Examples:
              hookctl outputs
              hookctl outputs --format json
              hookctl outputs manifests/s2.yaml --download data/
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Only the orders of these manifests (default: every recorded order).") var paths: [String] = []
    @Option(help: "Download every output into this folder.") var download: String?

    func run() async throws {
        let invocation = Invocation(global)
        let bench = try invocation.workbench(paths, strict: !paths.isEmpty)
        let state = try bench.stateStore(warn: invocation.console.warning).load()
        let keys = invocation.keys(paths, bench) ?? state.orders.keys.sorted()
        let storage = Dictionary(bench.workspace.orders.map { ($0.key, $0.storage) }) { first, _ in first }
        var listed: [OutputItem] = []
        for key in keys.sorted() {
            guard let record = state.orders[key], let id = record.id else { continue }
            switch OutputLocation(body: record.body.value) {
            case .temporary:
                let base = bench.profile?.serviceURL.map { $0.hasSuffix("/") ? $0 : $0 + "/" } ?? ""
                for outcome in record.outcomes where outcome.product.status == "completed" {
                    guard let orderID = outcome.orderID else { continue }
                    listed.append(OutputItem(key: key, orderID: orderID, productID: outcome.product.id,
                                             identifier: outcome.product.identifier,
                                             location: base + (outcome.product.output ?? ""), size: nil))
                }
            case .s3(let bucket, let prefix):
                guard case .private(let spec)? = storage[key] else {
                    invocation.console.warning("\(key): its manifest is not among the paths read; cannot list its S3 outputs")
                    continue
                }
                let client = try s3Client(spec, environment: invocation.environment, key: key)
                for object in try await client.listObjectsV2(bucket: bucket, prefix: prefix.isEmpty ? "" : prefix + "/") {
                    listed.append(OutputItem(key: key, orderID: id, productID: nil, identifier: nil,
                                             location: "s3://\(bucket)/\(object.key)", size: object.size, s3: client))
                }
            }
        }
        if let download {
            try await fetch(listed, into: download, invocation: invocation, bench: bench)
        } else if global.format == .json {
            invocation.console.output(CanonicalJSON.string(.array(listed.map(\.json))))
        } else {
            invocation.console.output(listed.map(\.line).joined(separator: "\n") + (listed.isEmpty ? "" : "\n"))
            if listed.isEmpty { invocation.console.info("No outputs: no recorded order has completed products.") }
        }
    }

    private func s3Client(_ spec: PrivateStorage, environment: [String: String], key: String) throws -> S3Client {
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

    private func fetch(_ items: [OutputItem], into folder: String, invocation: Invocation, bench: Workbench) async throws {
        let temporary = items.filter { $0.s3 == nil }
        for item in items where item.s3 != nil {
            guard let client = item.s3, let location = S3Location(item.location) else { continue }
            let target = (folder as NSString).appendingPathComponent(item.folderName + "/" + (location.prefix as NSString).lastPathComponent)
            if let size = item.size, (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int64) == size { continue }
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            _ = try await client.getObject(bucket: location.bucket, key: location.prefix, to: target)
            invocation.console.info("\(item.key): \(target)")
        }
        guard !temporary.isEmpty else { return }
        try await ServiceSession.with(invocation: invocation, bench: bench) { session in
            for item in temporary {
                guard let productID = item.productID, let identifier = item.identifier else { continue }
                let target = (folder as NSString).appendingPathComponent(item.folderName + "/" + identifier + ".zip")
                if FileManager.default.fileExists(atPath: target) { continue }
                try await session.orders.download(orderID: item.orderID, productID: productID, to: target,
                                                  progress: invocation.console.transferProgress(item.key))
                invocation.console.endStatus()
                invocation.console.info("\(item.key): \(target)")
            }
        }
    }
}

/// One output of one order.
private struct OutputItem {
    var key: String
    var orderID: Int
    var productID: Int?
    var identifier: String?
    var location: String
    var size: Int64?
    var s3: S3Client? = nil

    var folderName: String { key.replacingOccurrences(of: "#", with: "-") }

    var line: String {
        [key, identifier ?? "-", location, size.map { "\($0) bytes" } ?? ""].filter { !$0.isEmpty }.joined(separator: "  ")
    }

    var json: JSONValue {
        var fields: [String: JSONValue] = ["key": .string(key), "location": .string(location)]
        if let identifier { fields["identifier"] = .string(identifier) }
        if let size { fields["size"] = .integer(Int(size)) }
        return .object(fields)
    }
}
