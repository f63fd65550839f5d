import AsyncHTTPClient

/// Writes PRIVATE outputs with S3 PUTs (SigV4).
struct S3OutputUploader: OutputUploader {
    let httpClient: HTTPClient

    struct Unavailable: Error, CustomStringConvertible {
        var description: String { "S3 output is not available in this build" }
    }

    func put(endpoint: String, accessKey: String, secretKey: String, bucket: String, key: String, body: [UInt8]) async throws {
        throw Unavailable()
    }
}
