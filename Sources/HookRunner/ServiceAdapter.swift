import Foundation
import HookClient
import HookCore

/// `OrderService` over the real client: the runner's narrow needs mapped onto the client's calls, and its errors onto
/// what the runner must tell apart (not sent, refused, outcome unknown).
public struct ServiceAdapter: OrderService {
    let service: HookService
    /// Where products are looked up (`check`).
    let catalogue: STACCatalogue?

    public init(service: HookService, catalogue: STACCatalogue? = nil) {
        self.service = service
        self.catalogue = catalogue
    }

    public func workflowCatalogue() async throws -> [UInt8] { try await service.workflowCatalogueJSON() }

    public func products(_ identifiers: [String], in collection: String) async throws -> [String: CatalogueProduct] {
        guard let catalogue else { throw NotSupported() }
        return try await catalogue.products(identifiers, in: collection)
    }

    public func products(_ identifiers: [String], external: ExternalCatalogue) async throws -> [String: CatalogueProduct] {
        let catalogue = try await STACCatalogue.external(
            url: external.url, tokenURL: external.tokenURL, grantType: external.grantType, headerName: external.headerName,
            clientID: external.clientID, clientSecret: external.clientSecret, username: external.username, password: external.password)
        return try await catalogue.products(identifiers, in: external.collection)
    }

    public func submit(name: String, body: [UInt8]) async throws -> OrderSnapshot {
        do {
            let order = try await service.submitOrder(json: body)
            return OrderSnapshot(id: order.id, name: order.name, status: order.status, message: nil)
        } catch ClientError.submissionOutcomeUnknown(let reason) {
            throw OrderServiceError.outcomeUnknown(reason)
        } catch ClientError.rejected(_, let detail) {
            throw OrderServiceError.rejected(detail)
        } catch ClientError.decoding(_, let reason) {
            // The service answered 2xx: the order exists, only its answer could not be read.
            throw OrderServiceError.outcomeUnknown("unreadable answer: \(reason)")
        } catch let error as ClientError {
            // Login refused, never reached (a connection that could not even be opened), an answer that is no 5xx:
            // the service created nothing.
            throw NotSent(error)
        }
    }

    public func findOrders(named names: [String]) async throws -> [String: OrderSnapshot] {
        var found: [String: OrderSnapshot] = [:]
        for order in try await service.productionOrders(named: names) {
            if let seen = found[order.name], seen.id > order.id { continue }
            found[order.name] = OrderSnapshot(id: order.id, name: order.name, status: order.status, message: order.statusMessage)
        }
        return found
    }

    public func orders(ids: [Int]) async throws -> [Int: OrderSnapshot] {
        var result: [Int: OrderSnapshot] = [:]
        for order in try await service.productionOrders(ids: ids) {
            result[order.id] = OrderSnapshot(
                id: order.id, name: order.name, status: order.status, message: order.statusMessage,
                estimated: order.estimatedDate)
        }
        return result
    }

    public func products(orderID: Int, storage: OutputLocation) async throws -> [ProductRecord] {
        try await service.products(batchOrderID: orderID).map { item in
            let output: String?
            switch storage {
            case .temporary: output = item.status == .completed ? "BatchOrder(\(orderID))/Product(\(item.id))/$value" : nil
            case .s3(let bucket, let prefix): output = item.status == .completed ? "s3://\(bucket)/\(prefix)" : nil
            }
            return ProductRecord(
                id: item.id, identifier: item.inputProductReference, status: item.status,
                message: item.statusMessage, output: output, expires: storage == .temporary ? item.linkExpires : nil,
                processedSize: item.processedSize)
        }
    }

    public func cancel(orderID: Int) async throws {
        try await service.cancel(productionOrderID: orderID)
    }

    public func isTransient(_ error: any Error) -> Bool {
        switch error as? ClientError {
        case .unreachable?: true
        case .unexpectedStatus(let status, _)?: status == 429 || status >= 500
        default: false
        }
    }

    public func download(orderID: Int, productID: Int, to path: String, progress: @escaping @Sendable (Int64, Int64?) -> Void) async throws {
        try await service.downloadProduct(batchOrderID: orderID, productID: productID, to: URL(fileURLWithPath: path), progress: progress)
    }

    public func download(
        orderID: Int, productID: Int, to path: String, observer: any DownloadObserver, progress: @escaping @Sendable (Int64, Int64?) -> Void
    ) async throws -> Bool {
        try await service.downloadProduct(
            batchOrderID: orderID, productID: productID, to: URL(fileURLWithPath: path), observer: observer, progress: progress)
        return true
    }

}
