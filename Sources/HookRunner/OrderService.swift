import Foundation
import HookClient
import HookCore
import HookManifest

/// What the runner needs from the Hook service. `ServiceAdapter` implements it over `HookClient.HookService`;
/// keeping the runner on this narrow surface keeps it free of HTTP, identity and decoding concerns.
public protocol OrderService: Sendable {
    /// Submits an order. Throws `OrderServiceError.outcomeUnknown` when the request may have reached the
    /// service without an answer (the runner then finds the order by name instead of submitting it again),
    /// `OrderServiceError.rejected` when the service refused it, and `NotSent` when it certainly created nothing
    /// (a refused login, a service that could not be reached); any other error may have left with the request.
    func submit(name: String, body: [UInt8]) async throws -> OrderSnapshot
    /// The orders whose `Name` is one of `names`, by name (the newest when the service holds several).
    func findOrders(named names: [String]) async throws -> [String: OrderSnapshot]
    /// The current status of the orders with these ids, in as few calls as the service allows.
    func orders(ids: [Int]) async throws -> [Int: OrderSnapshot]
    /// The items of one order.
    func products(orderID: Int, storage: OutputLocation) async throws -> [ProductRecord]
    /// Cancels an order that is not finished.
    func cancel(orderID: Int) async throws
    /// Whether a failure is the service being unavailable for a while (unreachable, 5xx or throttled after the client's
    /// own retries), which a long wait outlasts, rather than a refusal that waiting does not mend.
    func isTransient(_ error: any Error) -> Bool
    /// Streams a TEMPORARY product's archive to `path` (written whole or not at all), telling `progress` the bytes
    /// written so far and the total when known.
    func download(orderID: Int, productID: Int, to path: String, progress: @escaping @Sendable (Int64, Int64?) -> Void) async throws
    /// `download`, showing `observer` every byte of the file in order as it is written (to check it on the way).
    /// - Returns: whether it did; when not, the file must be read to be checked.
    func download(
        orderID: Int, productID: Int, to path: String, observer: any DownloadObserver, progress: @escaping @Sendable (Int64, Int64?) -> Void
    ) async throws -> Bool
    /// The service's workflow catalogue as it answers `GET Workflows?$expand=WorkflowOptions` (for `check`).
    func workflowCatalogue() async throws -> [UInt8]
    /// Which of `identifiers` the source catalogue's `collection` holds, with their sizes where it gives them (for
    /// `check`, and `apply` under a `maxBytes` policy).
    func products(_ identifiers: [String], in collection: String) async throws -> [String: CatalogueProduct]
    /// The same in an EXTERNAL source's own catalogue, logging in there first (for `check`).
    func products(_ identifiers: [String], external: ExternalCatalogue) async throws -> [String: CatalogueProduct]
}

/// What a service that cannot be asked answers (scripted services in tests).
public struct NotSupported: Error, Sendable {}

extension OrderService {
    public func workflowCatalogue() async throws -> [UInt8] { throw NotSupported() }
    public func products(_ identifiers: [String], in collection: String) async throws -> [String: CatalogueProduct] { throw NotSupported() }
    public func products(_ identifiers: [String], external: ExternalCatalogue) async throws -> [String: CatalogueProduct] { throw NotSupported() }
    public func download(
        orderID: Int, productID: Int, to path: String, observer: any DownloadObserver, progress: @escaping @Sendable (Int64, Int64?) -> Void
    ) async throws -> Bool {
        try await download(orderID: orderID, productID: productID, to: path, progress: progress)
        return false
    }
}

/// The service's view of an order at one moment.
public struct OrderSnapshot: Sendable, Equatable {
    public var id: Int
    public var name: String
    public var status: OrderStatus
    public var message: String?
    /// When the service expects the order to be done, if it says (a hint).
    public var estimated: Date?

    public init(id: Int, name: String, status: OrderStatus, message: String? = nil, estimated: Date? = nil) {
        self.id = id
        self.name = name
        self.status = status
        self.message = message
        self.estimated = estimated
    }
}

/// Where an order's outputs go, so product records can say where each output is.
public enum OutputLocation: Sendable, Equatable {
    case temporary
    /// `s3://bucket/prefix`.
    case s3(bucket: String, prefix: String)
}

extension OutputLocation {
    /// Where an order with this manifest storage sends its outputs.
    public init(_ storage: StorageSpec) {
        switch storage {
        case .temporary: self = .temporary
        case .private(let spec): self = .s3(bucket: spec.bucket, prefix: spec.prefix)
        }
    }
}

/// A submission that certainly created nothing, and why.
public struct NotSent: Error, Sendable {
    public let underlying: any Error & Sendable
    public init(_ underlying: any Error & Sendable) { self.underlying = underlying }
}

/// Failures of an `OrderService` that the runner treats specially.
public enum OrderServiceError: Error, Sendable, Equatable {
    /// The submission may or may not have reached the service.
    case outcomeUnknown(String)
    /// The service refused the order (it was not created), with its reason.
    case rejected(String)
}

/// An order body ready to send, every reference resolved (secrets included; never recorded or printed). Each attempt
/// sends it with its own `Name` and `IdentifierList`, so the name the service holds is the name recorded.
public struct SubmissionBody: Sendable {
    private let members: [JSONMember]

    /// - Parameter resolved: the body as `OrderBody.submissionValue(environment:)` gives it.
    public init(resolved: JSONValue) {
        if case .orderedObject(let members) = resolved { self.members = members } else { self.members = [] }
    }

    /// The bytes to POST for one attempt.
    public func bytes(name: String, identifiers: [String]) -> [UInt8] {
        var body = members.filter { $0.key != "Name" && $0.key != "IdentifierList" }
        let workflow = body.firstIndex { $0.key == "WorkflowName" }.map { $0 + 1 } ?? 0
        body.insert(JSONMember("IdentifierList", .array(identifiers.map { .string($0) })), at: workflow)
        body.insert(JSONMember("Name", .string(name)), at: 0)
        return CanonicalJSON.bytes(.orderedObject(body))
    }
}
