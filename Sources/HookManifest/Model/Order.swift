/// One order to submit: a validated manifest document, or one batch of it when `batchSize` splits it.
public struct Order: Hashable, Sendable {
    /// Unique key in the run: `metadata.name`, or `name#N` (N 1-based) when `batchSize` is set.
    public var key: String
    /// `metadata.name`.
    public var name: String
    /// Path of the manifest file, as given or found.
    public var manifestPath: String
    /// Where the document starts (its `apiVersion`/first key).
    public var location: SourceLocation
    /// `metadata.labels`.
    public var labels: [String: String]
    /// `spec.workflow`.
    public var workflow: String
    /// 1-based batch number (1 when not split).
    public var batchIndex: Int
    /// Number of batches of this manifest (1 when not split).
    public var batchCount: Int
    /// The order body to submit.
    public var body: OrderBody
    /// `spec.wait.timeout`, if given.
    public var waitTimeout: Duration?
    /// `spec.download`: fetch each product archive after completion (TEMPORARY only).
    public var download: Bool
    /// `spec.retry: all`: a retry resubmits every identifier (by default only those that failed).
    public var retryAll: Bool = false
    /// Output storage.
    public var storage: StorageSpec
    /// Source type, `DESP` or `EXTERNAL`.
    public var sourceType: String
}
