import Foundation
import HTTPTypes
import HookCore
import Hummingbird

/// `/sandbox/*`: inspection, faults and catalogue additions. No token, never faulted.
extension SandboxRoutes {
    func sandboxIndex(_ call: Call) -> Response {
        HTTPReply.json(
            .ordered([
                ("service", .string(call.baseURL + "/odata/v1/")), ("despURL", .string(call.baseURL)),
                ("dedlTokenURL", .string(call.baseURL + "/auth/realms/dedl/protocol/openid-connect/token")),
                ("stac", .string(call.baseURL + "/stac")), ("demoLogin", .ordered([("username", .string("demo")), ("password", .string("demo"))])),
                ("routes", .array(["/sandbox/orders", "/sandbox/stats", "/sandbox/faults", "/sandbox/catalogue"].map { .string($0) })),
            ]))
    }

    func sandboxOrders() -> Response {
        let now = service.nowMs
        return HTTPReply.json(.ordered([("value", .array(service.store.orders(owner: nil).map { $0.inspectionJSON(now: now) }))]))
    }

    func sandboxStats() -> Response {
        HTTPReply.json(.ordered([("orders", .integer(service.store.count)), ("requests", service.stats.json)]))
    }

    private func badRequest(_ message: String) -> ErrorAnswer { .detail(message, .badRequest) }

    private func rate(_ value: JSONValue?, _ name: String) throws(FaultInputError) -> Double? {
        guard let value else { return nil }
        let number: Double
        switch value {
        case let .integer(i): number = Double(i)
        case let .number(d): number = d
        default: throw FaultInputError(message: "\(name) must be a number between 0 and 1")
        }
        guard number >= 0, number <= 1 else { throw FaultInputError(message: "\(name) must be between 0 and 1") }
        return number
    }

    private func seconds(_ value: JSONValue?, _ name: String, max: Double) throws(FaultInputError) -> Duration? {
        guard let value else { return nil }
        let number: Double
        switch value {
        case let .integer(i): number = Double(i)
        case let .number(d): number = d
        default: throw FaultInputError(message: "\(name) must be a number of seconds")
        }
        guard number >= 0, number <= max else { throw FaultInputError(message: "\(name) must be between 0 and \(Int(max)) seconds") }
        return .milliseconds(Int64(number * 1000))
    }

    struct FaultInputError: Error {
        var message: String
    }

    /// `POST /sandbox/faults`: change any of failRate, throttleRate, dropRate, slowRate, slowSeconds, retryAfter,
    /// tokenTTL (seconds), itemFailRate, failingIdentifiers, lostResponseRate, seed. Answers the settings in force.
    func updateFaults(_ call: Call) async throws -> Response {
        let bytes = try await body(call, limit: 1 << 20)
        guard let json = try? JSONReader.parse(bytes, keepingOrder: true), case .orderedObject(let members) = json else {
            throw badRequest("Body must be a JSON object")
        }
        let known: Set<String> = [
            "failRate", "throttleRate", "dropRate", "slowRate", "slowSeconds", "retryAfter", "tokenTTL", "itemFailRate", "failingIdentifiers",
            "lostResponseRate", "redirectDownloads", "quotaExceeded", "seed",
        ]
        if let unknown = members.first(where: { !known.contains($0.key) }) {
            throw badRequest("Unknown field '\(unknown.key.prefix(60))' (known: \(known.sorted().joined(separator: ", ")))")
        }
        do {
            let failRate = try rate(json["failRate"], "failRate")
            let throttleRate = try rate(json["throttleRate"], "throttleRate")
            let dropRate = try rate(json["dropRate"], "dropRate")
            let slowRate = try rate(json["slowRate"], "slowRate")
            let itemFailRate = try rate(json["itemFailRate"], "itemFailRate")
            let lostResponseRate = try rate(json["lostResponseRate"], "lostResponseRate")
            let slow = try seconds(json["slowSeconds"], "slowSeconds", max: 60)
            let ttl = try seconds(json["tokenTTL"], "tokenTTL", max: 86_400 * 30)
            var retryAfter: Int?
            if let value = json["retryAfter"] {
                guard let r = value.intValue, r >= 0, r <= 3600 else { throw FaultInputError(message: "retryAfter must be an integer 0...3600") }
                retryAfter = r
            }
            var failing: Set<String>?
            if let value = json["failingIdentifiers"] {
                guard let list = value.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                    throw FaultInputError(message: "failingIdentifiers must be a list of strings")
                }
                failing = Set(list.compactMap(\.stringValue))
            }
            if let value = json["seed"] {
                guard let s = value.intValue, s >= 0 else { throw FaultInputError(message: "seed must be a non-negative integer") }
                service.faults.reseed(UInt64(s))
            }
            var redirect: Bool?
            if let value = json["redirectDownloads"] {
                guard case let .bool(b) = value else { throw FaultInputError(message: "redirectDownloads must be true or false") }
                redirect = b
            }
            var quota: Bool?
            if let value = json["quotaExceeded"] {
                guard case let .bool(b) = value else { throw FaultInputError(message: "quotaExceeded must be true or false") }
                quota = b
            }
            if let ttl, ttl < .seconds(1) { throw FaultInputError(message: "tokenTTL must be at least 1 second") }
            let settings = service.faults.update { s in
                if let failRate { s.failRate = failRate }
                if let throttleRate { s.throttleRate = throttleRate }
                if let dropRate { s.dropRate = dropRate }
                if let slowRate { s.slowRate = slowRate }
                if let itemFailRate { s.itemFailRate = itemFailRate }
                if let lostResponseRate { s.lostResponseRate = lostResponseRate }
                if let slow { s.slowDelay = slow }
                if let ttl { s.tokenTTL = ttl }
                if let retryAfter { s.retryAfterSeconds = retryAfter }
                if let failing { s.failingIdentifiers = failing }
                if let redirect { s.redirectDownloads = redirect }
                if let quota { s.quotaExceeded = quota }
            }
            return HTTPReply.json(settings.json)
        } catch let error as FaultInputError {
            throw badRequest(error.message)
        }
    }

    func catalogueSummary() -> Response {
        HTTPReply.json(
            .ordered([
                (
                    "collections",
                    .array(
                        ProductCatalogue.collections.map { c in
                            .ordered([
                                ("id", .string(c.id)), ("productType", .string(c.productType)), ("items", .integer(service.catalogue.items(in: c.id).count)),
                            ])
                        })
                )
            ]))
    }

    /// `POST /sandbox/catalogue`: `{"collection": "...", "identifiers": [...]}` adds those products, and/or
    /// `{"collection": "...", "count": N, "prefix": "..."}` generates N products named like the collection's; `"size": B`
    /// makes the data file in their archives B bytes (streamed; for download benchmarks). Answers `{"added": N, "identifiers": [...]}` (the identifiers only when at most 1000).
    func addToCatalogue(_ call: Call) async throws -> Response {
        let bytes = try await body(call, limit: 16 << 20)
        guard let json = try? JSONReader.parse(bytes), json.isObject else { throw badRequest("Body must be a JSON object") }
        guard let collectionID = json["collection"]?.stringValue, let collection = ProductCatalogue.collection(collectionID) else {
            throw badRequest("'collection' must be one of: \(ProductCatalogue.collections.map(\.id).joined(separator: ", "))")
        }
        var size: Int?
        if let value = json["size"] {
            guard let bytes = value.intValue, (0...ProductArchive.maxDeclaredSize).contains(bytes) else {
                throw badRequest("'size' must be a number of bytes 0...\(ProductArchive.maxDeclaredSize)")
            }
            size = bytes
        }
        var items: [CatalogueItem] = []
        if let value = json["identifiers"] {
            guard let list = value.arrayValue, list.count <= ProductCatalogue.maxAddedPerCall,
                let ids = Optional(list.compactMap(\.stringValue)), ids.count == list.count,
                ids.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 512 && !$0.contains("/") })
            else { throw badRequest("'identifiers' must be a list of at most \(ProductCatalogue.maxAddedPerCall) non-empty strings without '/'") }
            items += ids.enumerated().map { i, id in
                CatalogueItem(
                    id: id, collection: collection.id, productType: collection.productType, datetime: "2024-01-01T00:00:00.000Z",
                    bbox: [Double(i % 360) - 180, 0, Double(i % 360) - 179, 1], size: size)
            }
        }
        if let value = json["count"] {
            guard let count = value.intValue, (0...ProductCatalogue.maxAddedPerCall).contains(count) else {
                throw badRequest("'count' must be an integer 0...\(ProductCatalogue.maxAddedPerCall)")
            }
            let prefix = json["prefix"]?.stringValue
            if let prefix, prefix.contains("/") || prefix.utf8.count > 100 { throw badRequest("'prefix' must be at most 100 characters without '/'") }
            let start = service.catalogue.items(in: collection.id).count
            items += ProductCatalogue.generate(collection: collection, count: count, start: start, prefix: prefix, size: size)
        }
        guard !items.isEmpty else { throw badRequest("Give 'identifiers' or 'count'") }
        let added = service.catalogue.add(items)
        service.store.markDirty()
        var pairs: [(String, JSONValue)] = [("collection", .string(collection.id)), ("added", .integer(added))]
        if items.count <= 1000 { pairs.append(("identifiers", .array(items.map { .string($0.id) }))) }
        return HTTPReply.json(.ordered(pairs), status: .created)
    }
}
