import Foundation

/// How bucket names are put into request URLs.
public enum S3AddressingStyle: String, Sendable, Codable {
    /// `https://endpoint/bucket/key` (MinIO, moto, most S3-compatible servers).
    case path
    /// `https://bucket.endpoint/key` (AWS default).
    case virtualHost
}

/// Where and as whom an ``S3Client`` talks.
public struct S3Configuration: Sendable {
    /// The endpoint, e.g. `https://s3.central.data.destination-earth.eu`; a path is kept as a prefix.
    public var endpoint: URL
    /// The signing region (`us-east-1` for most S3-compatible servers).
    public var region: String
    /// The signing credentials.
    public var credentials: AWSCredentials
    /// Path-style or virtual-host URLs.
    public var addressingStyle: S3AddressingStyle
    /// The deadline of one request without a streamed body (list, small put, error answers).
    public var requestTimeout: Duration

    /// Creates a configuration.
    public init(
        endpoint: URL, region: String = "us-east-1", credentials: AWSCredentials,
        addressingStyle: S3AddressingStyle = .path, requestTimeout: Duration = .seconds(60)
    ) {
        self.endpoint = endpoint
        self.region = region
        self.credentials = credentials
        self.addressingStyle = addressingStyle
        self.requestTimeout = requestTimeout
    }
}

/// A bucket and key prefix parsed from `s3://bucket/prefix`.
public struct S3Location: Sendable, Hashable, CustomStringConvertible {
    /// The bucket name.
    public var bucket: String
    /// The key prefix, without a leading `/` (may be empty).
    public var prefix: String

    /// Creates a location.
    public init(bucket: String, prefix: String) {
        self.bucket = bucket
        self.prefix = prefix
    }

    /// Parses `s3://bucket[/prefix]`; nil when the text is not such a URL or the bucket is empty.
    public init?(_ text: String) {
        guard text.lowercased().hasPrefix("s3://") else { return nil }
        let rest = text.dropFirst(5)
        let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bucket = parts.first, !bucket.isEmpty else { return nil }
        self.bucket = String(bucket)
        self.prefix = parts.count > 1 ? String(parts[1]) : ""
    }

    /// `s3://bucket/prefix`.
    public var description: String { prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)" }
}

/// One object of a bucket listing.
public struct S3Object: Sendable, Hashable, Codable {
    /// The object key.
    public var key: String
    /// The size in bytes.
    public var size: Int64
    /// The entity tag, without quotes, when the server gave one.
    public var eTag: String?
    /// The last-modified time as the server wrote it (ISO 8601).
    public var lastModified: String?

    /// Creates an object description.
    public init(key: String, size: Int64, eTag: String? = nil, lastModified: String? = nil) {
        self.key = key
        self.size = size
        self.eTag = eTag
        self.lastModified = lastModified
    }
}

/// One page of `ListObjectsV2`.
public struct S3ListPage: Sendable, Hashable {
    /// The objects of this page.
    public var objects: [S3Object]
    /// The token for the next page, when the listing is truncated.
    public var nextContinuationToken: String?
}
