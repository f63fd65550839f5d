/// Where an order's outputs go.
public enum StorageSpec: Hashable, Sendable {
    /// Service-held outputs, downloadable for two weeks.
    case temporary
    /// The user's S3 bucket.
    case `private`(PrivateStorage)

    /// `TEMPORARY` or `PRIVATE`, as the service spells it.
    public var typeName: String {
        switch self {
        case .temporary: "TEMPORARY"
        case .private: "PRIVATE"
        }
    }
}

/// PRIVATE storage: enough for the runner to list outputs in S3 (credentials stay references until resolved).
public struct PrivateStorage: Hashable, Sendable {
    /// Bucket name.
    public var bucket: String
    /// Key prefix (no leading or trailing `/`); default `dedl-<workflow>-<name>`.
    public var prefix: String
    /// S3 endpoint URL.
    public var endpoint: Template
    /// Access key reference.
    public var accessKey: Template
    /// Secret key reference.
    public var secretKey: Template

    /// `s3://bucket/prefix`, the `output_s3_path` option.
    public var s3Path: String { prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)" }
}
