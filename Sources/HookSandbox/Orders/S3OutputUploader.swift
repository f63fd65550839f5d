import AsyncHTTPClient
import Foundation
import HookCore
import HookS3

/// Writes PRIVATE outputs with S3 PUTs (SigV4), as the real service writes to the user's bucket.
struct S3OutputUploader: OutputUploader {
    let httpClient: HTTPClient

    struct BadEndpoint: Error, CustomStringConvertible {
        let endpoint: String
        var description: String { "`\(endpoint)` is not an S3 endpoint URL" }
    }

    func put(endpoint: String, accessKey: String, secretKey: String, bucket: String, key: String, body: [UInt8]) async throws {
        guard let url = URL(string: endpoint), url.scheme == "http" || url.scheme == "https" else { throw BadEndpoint(endpoint: endpoint) }
        let credentials = AWSCredentials(accessKeyID: accessKey, secretAccessKey: Secret(secretKey))
        let client = S3Client(
            configuration: S3Configuration(endpoint: url, credentials: credentials, requestTimeout: .seconds(20)),
            httpClient: httpClient)
        try await client.putObject(bucket: bucket, key: key, body: body, contentType: "application/zip")
    }
}
