import HookManifest

/// The lock file's content: what hookctl knows of every order it manages under one profile.
/// Canonical JSON on disk (sorted keys, two-space indent, final newline); no timestamps, durations or secrets.
public struct RunState: Equatable, Sendable {
    /// Entries by order key (`metadata.name`, or `name#N` for batch part N).
    public var orders: [String: OrderRecord] = [:]

    public init(orders: [String: OrderRecord] = [:]) { self.orders = orders }
}

/// One order as recorded: what was asked (manifest, digest, body) and what the service last said.
public struct OrderRecord: Equatable, Sendable {
    /// Statuses after which an order no longer changes.
    public static let terminalStatuses: Set<String> = ["completed", "failed", "cancelled"]
    /// The status recorded between writing the intent to submit and hearing the service's answer.
    public static let submitting = "submitting"

    public var manifest: String
    public var workflow: String
    public var labels: [String: String]
    /// SHA-256 of the canonical body with every reference as written (`OrderBody.digest`).
    public var digest: String
    /// The body as rendered (secrets as references), kept so `plan` can show what changed.
    public var body: JSONValue
    /// The order `Name` sent to the service; deterministic per (manifest, body, attempt).
    public var name: String
    /// 1 for the first submission of this body, +1 for each retry of a failed one.
    public var attempt: Int
    /// The service's batch-order id; nil until the service has answered the submission.
    public var id: Int?
    /// The service's own lowercase status string, or `submitting`.
    public var status: String
    /// The service's status message for the order, when it gave one.
    public var message: String?
    public var products: [ProductRecord]

    public init(
        manifest: String, workflow: String, labels: [String: String], digest: String, body: JSONValue, name: String,
        attempt: Int, id: Int? = nil, status: String = OrderRecord.submitting, message: String? = nil,
        products: [ProductRecord] = []
    ) {
        self.manifest = manifest
        self.workflow = workflow
        self.labels = labels
        self.digest = digest
        self.body = body
        self.name = name
        self.attempt = attempt
        self.id = id
        self.status = status
        self.message = message
        self.products = products
    }

    /// True once the order's status can no longer change.
    public var isFinished: Bool { Self.terminalStatuses.contains(status) }
    /// True when every product completed (an order whose items failed counts as failed).
    public var isSuccessful: Bool {
        status == "completed" && products.allSatisfy { $0.status == "completed" }
    }
}

/// One item of an order: an input identifier and what became of it.
public struct ProductRecord: Equatable, Sendable {
    public var id: Int
    public var identifier: String
    public var status: String
    public var message: String?
    /// Where the output is: the `$value` route relative to the service root (TEMPORARY),
    /// or `s3://bucket/key` (PRIVATE).
    public var output: String?

    public init(id: Int, identifier: String, status: String, message: String? = nil, output: String? = nil) {
        self.id = id
        self.identifier = identifier
        self.status = status
        self.message = message
        self.output = output
    }
}
