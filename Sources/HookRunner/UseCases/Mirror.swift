import Foundation
import HookCore
import HookS3

extension RunContext {
    /// `outputs --mirror s3://BUCKET/PREFIX --endpoint URL`: copies each TEMPORARY output that has not expired to
    /// `PREFIX/<key>/<identifier>.zip` as `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (region `AWS_REGION`, default
    /// `us-east-1`), one at a time: fetched from the service into a temporary file,
    /// checked as a download is, uploaded (multipart when large), its size checked at the store, and its location
    /// recorded in the lock file. An output already mirrored there, with the recorded size, is skipped.
    /// - Returns: how many outputs were copied.
    @discardableResult
    public func mirrorOutputs(to target: S3Location, endpoint: URL) async throws -> Int {
        guard let keyID = environment["AWS_ACCESS_KEY_ID"], !keyID.isEmpty, let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty else {
            throw RunnerError.io("--mirror needs $AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY, not set")
        }
        let region = environment["AWS_REGION"].flatMap { $0.isEmpty ? nil : $0 } ?? "us-east-1"
        let client = S3Client(
            configuration: S3Configuration(
                endpoint: endpoint, region: region, credentials: AWSCredentials(accessKeyID: keyID, secretAccessKey: Secret(secret))))
        return try await locked {
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
            try FileError.createFolder(scratch)
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
                    if var record = try store.load().orders[archive.key] {
                        record.changeProduct(of: archive) { product in
                            product.mirror = "s3://\(target.bucket)/\(objectKey)"
                            product.size = check.size
                            product.sha256 = check.sha256
                        }
                        try store.record([archive.key: record])
                    }
                    events(.mirrored(key: archive.key, location: "s3://\(target.bucket)/\(objectKey)"))
                }
            }
            try compact(store)
            return pending.count
        }
    }

}
