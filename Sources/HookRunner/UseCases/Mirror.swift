import Foundation
import HookCore
import HookS3

extension RunContext {
    /// `outputs --mirror s3://BUCKET/PREFIX`: copies each TEMPORARY output that has not expired to
    /// `PREFIX/<key>/<identifier>.zip` through `client`, one at a time: fetched from the service into a temporary file,
    /// checked as a download is, uploaded (multipart when large), its size checked at the store, and its location
    /// recorded in the lock file. An output already mirrored there, with the recorded size, is skipped.
    /// - Returns: how many outputs were copied.
    @discardableResult
    public func mirrorOutputs(to target: S3Location, client: S3Client) async throws -> Int {
        try await locked {
            let store = bench.stateStore(warn: { events(.warning($0)) })
            let state = try store.load()
            let keys = recordedKeys(in: state)
            expiryWarnings(keys: keys, state: state)
            var pending: [(target: ArchiveTarget, key: String)] = []
            for archive in archiveTargets(keys: keys, state: state, folder: "") where !isExpired(archive.product) {
                let objectKey = [target.prefix, Self.archiveFolder("", key: archive.key), archive.product.identifier + ".zip"]
                    .filter { !$0.isEmpty }.joined(separator: "/")
                let location = "s3://\(target.bucket)/\(objectKey)"
                if archive.product.mirror == location, let size = archive.product.size,
                    try await client.objectSize(bucket: target.bucket, key: objectKey) == size
                {
                    continue
                }
                pending.append((archive, objectKey))
            }
            guard !pending.isEmpty else {
                try compact(store)
                return 0
            }
            let scratch = (bench.root as NSString).appendingPathComponent(".hookctl/mirror")
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            try await withService(store: store) { [pending] service in
                for (archive, objectKey) in pending {
                    let file = (scratch as NSString).appendingPathComponent(UUID().uuidString + ".zip")
                    defer { try? FileManager.default.removeItem(atPath: file) }
                    try await service.download(orderID: archive.orderID, productID: archive.productID, to: file) { [events] written, total in
                        events(.transfer(key: archive.key, written: written, total: total))
                    }
                    let check: ArchiveCheck
                    do {
                        check = try ArchiveCheck.verify(file)
                    } catch {
                        throw RunnerError.io("\(archive.key): \(archive.product.identifier): \(error); not mirrored")
                    }
                    try await client.upload(bucket: target.bucket, key: objectKey, fileAt: file, contentType: "application/zip")
                    let stored = try await client.objectSize(bucket: target.bucket, key: objectKey)
                    guard stored == check.size else {
                        throw RunnerError.io(
                            "\(archive.key): s3://\(target.bucket)/\(objectKey) holds \(stored.map(String.init) ?? "nothing") bytes, not the \(check.size) uploaded; not recorded as mirrored"
                        )
                    }
                    try record(archive, in: store) { product in
                        product.mirror = "s3://\(target.bucket)/\(objectKey)"
                        product.size = check.size
                        product.sha256 = check.sha256
                    }
                    events(.mirrored(key: archive.key, location: "s3://\(target.bucket)/\(objectKey)"))
                }
            }
            try compact(store)
            return pending.count
        }
    }

    /// Changes the product of `archive` in the state as `change` says, and records it.
    private func record(_ archive: ArchiveTarget, in store: FileStateStore, _ change: (inout ProductRecord) -> Void) throws {
        var state = try store.load()
        guard var record = state.orders[archive.key], let attempt = record.attempts.firstIndex(where: { $0.number == archive.attempt }),
            let product = record.attempts[attempt].products.firstIndex(where: { $0.identifier == archive.product.identifier })
        else { return }
        change(&record.attempts[attempt].products[product])
        state.orders[archive.key] = record
        try store.record([archive.key: record])
    }
}
