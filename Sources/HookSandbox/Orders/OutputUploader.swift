/// Writes a PRIVATE output object to the S3 endpoint named in an order.
protocol OutputUploader: Sendable {
    /// Stores `body` at `bucket/key`; throws with a clear message when the endpoint or credentials are bad.
    func put(endpoint: String, accessKey: String, secretKey: String, bucket: String, key: String, body: [UInt8]) async throws
}
