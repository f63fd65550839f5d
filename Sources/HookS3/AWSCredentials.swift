import HookCore

/// Credentials that sign AWS Signature Version 4 requests (S3 and compatible servers).
public struct AWSCredentials: Sendable, Hashable {
    /// The access key id, e.g. `AKIDEXAMPLE`. It appears (by design) in the `Authorization` header's scope.
    public var accessKeyID: String
    /// The secret access key; only the signer reads it.
    public var secretAccessKey: Secret
    /// A session token for temporary credentials, sent as `x-amz-security-token`.
    public var sessionToken: Secret?

    /// Creates credentials.
    public init(accessKeyID: String, secretAccessKey: Secret, sessionToken: Secret? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

extension AWSCredentials: CustomStringConvertible {
    /// Shows neither key: `AWSCredentials(<redacted>)`.
    public var description: String { "AWSCredentials(\(Secret.placeholder))" }
}
