import Foundation
import HookCore
import HookManifest

/// The lock file's content: what hookctl knows of every order it manages under one profile.
/// Canonical JSON on disk (sorted keys, two-space indent, final newline); no timestamps, durations or secrets.
public struct RunState: Equatable, Sendable {
    /// Entries by order key (`metadata.name`, or `name#N` for batch part N).
    public var orders: [String: OrderRecord] = [:]

    public init(orders: [String: OrderRecord] = [:]) { self.orders = orders }
}

/// One order as recorded: what was asked (manifest, digest, body) and every attempt made to get it done.
public struct OrderRecord: Equatable, Sendable {
    public var manifest: String
    public var workflow: String
    public var labels: [String: String]
    /// SHA-256 of the canonical body with every reference as written (`OrderBody.digest`).
    public var digest: String
    /// The body as rendered (secrets as references), kept so `plan` can show what changed.
    public var body: BodyText
    /// Where the body sends its outputs (it says so in its storage options).
    public var output: OutputLocation
    /// Every submission of this body, oldest first; never empty. Each was sent under its own name, so any of them
    /// can be found by name after a crash.
    public var attempts: [Attempt]

    public init(
        manifest: String, workflow: String, labels: [String: String], digest: String, body: BodyText,
        output: OutputLocation = .temporary, attempts: [Attempt]
    ) {
        self.manifest = manifest
        self.workflow = workflow
        self.labels = labels
        self.digest = digest
        self.body = body
        self.output = output
        self.attempts = attempts
    }

    /// The attempt made last: the one running, or the one whose outcome stands.
    public var latest: Attempt {
        get { attempts[attempts.count - 1] }
        set { attempts[attempts.count - 1] = newValue }
    }

    /// The latest attempt's name, id, status and message: what the service says of the order now.
    public var name: String { latest.name }
    public var id: Int? { latest.id }
    public var status: OrderStatus { latest.status }
    public var message: String? { latest.message }

    /// True once the latest attempt can no longer change.
    public var isFinished: Bool { latest.isFinished }

    /// Every identifier of the order, in the order first submitted.
    public var identifiers: [String] {
        var seen = Set<String>()
        return attempts.flatMap(\.identifiers).filter { seen.insert($0).inserted }
    }

    /// Each identifier's latest outcome: the product of the last finished attempt that included it (an attempt that
    /// finished without naming the item counts as a failure of it, with the attempt's status and message).
    public var outcomes: [ProductOutcome] {
        var latestByIdentifier: [String: ProductOutcome] = [:]
        for attempt in attempts where attempt.isFinished || !attempt.products.isEmpty {
            let products = Dictionary(attempt.products.map { ($0.identifier, $0) }) { first, _ in first }
            for identifier in attempt.identifiers {
                if let product = products[identifier] {
                    latestByIdentifier[identifier] = ProductOutcome(product: product, attempt: attempt.number, orderID: attempt.id)
                } else if attempt.isFinished {
                    let status = attempt.status == .completed ? .failed : attempt.status
                    latestByIdentifier[identifier] = ProductOutcome(
                        product: ProductRecord(id: nil, identifier: identifier, status: status, message: attempt.message),
                        attempt: attempt.number, orderID: attempt.id)
                }
            }
        }
        return identifiers.compactMap { latestByIdentifier[$0] }
    }

    /// Identifiers whose latest outcome is not `completed` (or that have none yet), in order.
    public var unfinishedIdentifiers: [String] { unfinishedIdentifiers(outcomes: outcomes) }

    /// `unfinishedIdentifiers` given `outcomes` (worked out once by callers that need both).
    func unfinishedIdentifiers(outcomes: [ProductOutcome]) -> [String] {
        let done = Set(outcomes.filter { $0.product.status == .completed }.map(\.product.identifier))
        return identifiers.filter { !done.contains($0) }
    }

    /// True when every identifier has completed in some attempt.
    public var isSuccessful: Bool { isSuccessful(outcomes: outcomes) }

    /// `isSuccessful` given `outcomes`.
    func isSuccessful(outcomes: [ProductOutcome]) -> Bool {
        isFinished && unfinishedIdentifiers(outcomes: outcomes).isEmpty && (!identifiers.isEmpty || status == .completed)
    }

    /// The order's status as reports give it: `completed` once every identifier has completed in some attempt, else
    /// the latest attempt's status as the service gave it.
    public var reportedStatus: OrderStatus { isSuccessful ? .completed : status }
}

/// One submission of an order's body: the name and identifiers it was sent with, and what the service made of it.
public struct Attempt: Equatable, Sendable {
    /// 1 for the first submission of this body, +1 for each retry.
    public var number: Int
    /// The order `Name` sent in the body: deterministic per (manifest, body, attempt number).
    public var name: String
    /// The `IdentifierList` sent: every identifier, or those a retry resubmits.
    public var identifiers: [String]
    /// The service's batch-order id; nil until the service has answered the submission.
    public var id: Int?
    /// The service's own status, or `submitting` until the service has answered.
    public var status: OrderStatus
    /// The service's status message for the order, when it gave one.
    public var message: String?
    /// The items, read once the attempt has finished.
    public var products: [ProductRecord]

    public init(
        number: Int, name: String, identifiers: [String], id: Int? = nil, status: OrderStatus = .submitting,
        message: String? = nil, products: [ProductRecord] = []
    ) {
        self.number = number
        self.name = name
        self.identifiers = identifiers
        self.id = id
        self.status = status
        self.message = message
        self.products = products
    }

    public var isFinished: Bool { status.isTerminal }
}

/// One item of an attempt: an input identifier and what became of it.
public struct ProductRecord: Equatable, Sendable {
    /// The service's item id; nil for an item the service never listed (its attempt failed as a whole).
    public var id: Int?
    public var identifier: String
    public var status: OrderStatus
    public var message: String?
    /// Where the output is: the `$value` route relative to the service root (TEMPORARY),
    /// or `s3://bucket/key` (PRIVATE).
    public var output: String?
    /// When a TEMPORARY output stops being downloadable (the service's `temp_url_expires`).
    public var expires: Date?
    /// The downloaded archive's SHA-256 (hex) and size, once it was downloaded and checked.
    public var sha256: String?
    public var size: Int64?
    /// `s3://bucket/key` of the copy `outputs --mirror` made of a TEMPORARY output.
    public var mirror: String?
    /// The service's `ProcessedSize` of the output, when it gives one: a downloaded archive of another size is kept
    /// with a warning (SPEC 8: the service never promised they match).
    public var processedSize: Int64?

    public init(
        id: Int?, identifier: String, status: OrderStatus, message: String? = nil, output: String? = nil, expires: Date? = nil,
        sha256: String? = nil, size: Int64? = nil, mirror: String? = nil, processedSize: Int64? = nil
    ) {
        self.processedSize = processedSize
        self.id = id
        self.identifier = identifier
        self.status = status
        self.message = message
        self.output = output
        self.expires = expires
        self.sha256 = sha256
        self.size = size
        self.mirror = mirror
    }
}

/// An identifier's latest outcome and the attempt (1-based) that produced it.
public struct ProductOutcome: Equatable, Sendable {
    public var product: ProductRecord
    public var attempt: Int
    /// The id of that attempt's order at the service.
    public var orderID: Int?
}
