import Foundation
import HTTPTypes
import HookCore
import Hummingbird
import NIOCore

/// The STAC catalogue at `/stac` (landing page, collections, items, search).
extension SandboxRoutes {
    static let stacVersion = "1.0.0"
    /// Largest `offset` accepted (keeps `offset + limit` far from overflow).
    static let maxOffset = 100_000_000

    private func link(_ rel: String, _ href: String, type: String = "application/json") -> JSONValue {
        .ordered([("rel", .string(rel)), ("type", .string(type)), ("href", .string(href))])
    }

    func stacLanding(_ call: Call) -> Response {
        let base = call.baseURL + "/stac"
        return HTTPReply.json(
            .ordered([
                ("type", .string("Catalog")), ("id", .string("hookctl-sandbox")), ("title", .string("hookctl sandbox catalogue")),
                ("description", .string("Synthetic products for the hookctl sandbox (a local stand-in for the DEDL HDA STAC API).")),
                ("stac_version", .string(Self.stacVersion)),
                (
                    "conformsTo",
                    .array(
                        [
                            "https://api.stacspec.org/v1.0.0/core", "https://api.stacspec.org/v1.0.0/collections",
                            "https://api.stacspec.org/v1.0.0/item-search", "https://api.stacspec.org/v1.0.0/ogcapi-features",
                        ].map { .string($0) })
                ),
                (
                    "links",
                    .array(
                        [
                            link("self", base), link("root", base), link("data", base + "/collections"),
                            // Item search both ways, as the STAC API advertises it (a client picks POST only when listed).
                            .ordered([
                                ("rel", .string("search")), ("type", .string("application/geo+json")), ("href", .string(base + "/search")),
                                ("method", .string("GET")),
                            ]),
                            .ordered([
                                ("rel", .string("search")), ("type", .string("application/geo+json")), ("href", .string(base + "/search")),
                                ("method", .string("POST")),
                            ]),
                        ]
                            + ProductCatalogue.collections.map { link("child", base + "/collections/" + $0.id) })
                ),
            ]))
    }

    private func collectionJSON(_ c: CatalogueCollection, base: String) -> JSONValue {
        .ordered([
            ("type", .string("Collection")), ("id", .string(c.id)), ("stac_version", .string(Self.stacVersion)), ("title", .string(c.title)),
            ("description", .string("\(c.title) products (synthetic)")), ("license", .string("proprietary")),
            (
                "extent",
                .ordered([
                    ("spatial", .ordered([("bbox", .array([.array([-180, -90, 180, 90].map { .number($0) })]))])),
                    ("temporal", .ordered([("interval", .array([.array([.string("2014-04-03T00:00:00Z"), .null])]))])),
                ])
            ),
            ("summaries", .ordered([("platform", .array([.string(c.platform)])), ("productType", .array([.string(c.productType)]))])),
            (
                "links",
                .array([
                    link("self", base + "/collections/" + c.id), link("root", base),
                    link("items", base + "/collections/\(c.id)/items", type: "application/geo+json"),
                ])
            ),
        ])
    }

    private func itemJSON(_ item: CatalogueItem, base: String) -> JSONValue {
        let b = item.bbox.count == 4 ? item.bbox : [0, 0, 1, 1]
        let ring: JSONValue = .array([[b[0], b[1]], [b[2], b[1]], [b[2], b[3]], [b[0], b[3]], [b[0], b[1]]].map { .array($0.map { .number($0) }) })
        let itemURL = base + "/collections/\(FormData.escape(item.collection))/items/\(FormData.escape(item.id))"
        return .ordered([
            ("type", .string("Feature")), ("stac_version", .string(Self.stacVersion)), ("id", .string(item.id)), ("collection", .string(item.collection)),
            ("bbox", .array(b.map { .number($0) })), ("geometry", .ordered([("type", .string("Polygon")), ("coordinates", .array([ring]))])),
            ("properties", .ordered([("datetime", .string(item.datetime)), ("productType", .string(item.productType)), ("title", .string(item.id))])),
            (
                "assets",
                .ordered([
                    (
                        "downloadLink",
                        .ordered(
                            [
                                ("href", .string(itemURL + "/download")), ("type", .string("application/zip")),
                                ("title", .string("Product download (bearer token required)")),
                                ("roles", .array([.string("data")])),
                            ] + (item.size.map { [("file:size", JSONValue.integer($0))] } ?? []))
                    )
                ])
            ),
            (
                "links",
                .array([link("self", itemURL, type: "application/geo+json"), link("collection", base + "/collections/" + item.collection), link("root", base)])
            ),
        ])
    }

    func stacCollections(_ call: Call) -> Response {
        let base = call.baseURL + "/stac"
        return HTTPReply.json(
            .ordered([
                ("collections", .array(ProductCatalogue.collections.map { collectionJSON($0, base: base) })),
                ("links", .array([link("self", base + "/collections"), link("root", base)])),
            ]))
    }

    func stacCollection(_ call: Call) throws -> Response {
        guard let c = ProductCatalogue.collection(call.parameter("collection_id")) else {
            throw ErrorAnswer.stac("NotFoundError", "Collection \(call.parameter("collection_id").prefix(200)) not found", status: .notFound)
        }
        return HTTPReply.json(collectionJSON(c, base: call.baseURL + "/stac"))
    }

    private func featureCollection(_ items: [CatalogueItem], limit: Int, offset: Int, base: String, selfURL: String, nextURL: String?) -> JSONValue {
        let end = min(items.count, offset + limit)
        let page = offset < items.count ? Array(items[offset..<end]) : []
        var links: [JSONValue] = [link("self", selfURL, type: "application/geo+json"), link("root", base)]
        if end < items.count, let nextURL { links.append(link("next", nextURL, type: "application/geo+json")) }
        return .ordered([
            ("type", .string("FeatureCollection")), ("features", .array(page.map { itemJSON($0, base: base) })),
            ("numberMatched", .integer(items.count)), ("numberReturned", .integer(page.count)), ("links", .array(links)),
        ])
    }

    private func paging(_ call: Call) -> (Int, Int)? {
        let limit = call.queryValue("limit").map { Int($0) } ?? 20
        let offset = call.queryValue("offset").map { Int($0) } ?? 0
        guard let limit, let offset, (1...10_000).contains(limit), (0...Self.maxOffset).contains(offset) else { return nil }
        return (limit, offset)
    }

    func stacItems(_ call: Call) throws -> Response {
        let id = call.parameter("collection_id")
        guard ProductCatalogue.collection(id) != nil else {
            throw ErrorAnswer.stac("NotFoundError", "Collection \(id.prefix(200)) not found", status: .notFound)
        }
        guard let (limit, offset) = paging(call) else {
            throw ErrorAnswer.stac("InvalidParameterValue", "limit must be 1..10000 and offset 0...\(Self.maxOffset)", status: .badRequest)
        }
        let base = call.baseURL + "/stac"
        let url = base + "/collections/\(FormData.escape(id))/items"
        return HTTPReply.json(
            featureCollection(
                service.catalogue.items(in: id), limit: limit, offset: offset, base: base,
                selfURL: url, nextURL: "\(url)?limit=\(limit)&offset=\(offset + limit)"),
            headers: [.contentType: "application/geo+json"])
    }

    func stacItem(_ call: Call) throws -> Response {
        let (collection, id) = (call.parameter("collection_id"), call.parameter("item_id"))
        guard let item = service.catalogue.find(id, in: collection), item.id == id || item.id == id + ".SAFE" || id == item.id + ".SAFE" else {
            throw ErrorAnswer.stac("NotFoundError", "Item \(id.prefix(200)) in collection \(collection.prefix(200)) not found", status: .notFound)
        }
        return HTTPReply.json(itemJSON(item, base: call.baseURL + "/stac"))
    }

    /// The product's (synthetic, deterministic) archive; a DEDL bearer token is required, as HDA downloads require one.
    func stacDownload(_ call: Call) async throws -> Response {
        let (collection, id) = (call.parameter("collection_id"), call.parameter("item_id"))
        guard let header = call.header(.authorization), header.lowercased().hasPrefix("bearer "),
            (try? await service.issuer.verify(String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces), realm: "dedl", audience: nil)) != nil
        else {
            throw ErrorAnswer.stac("Unauthorized", "A valid bearer token is required to download", status: .unauthorized)
        }
        guard let item = service.catalogue.find(id, in: collection) else {
            throw ErrorAnswer.stac("NotFoundError", "Item \(id.prefix(200)) in collection \(collection.prefix(200)) not found", status: .notFound)
        }
        let archive = ProductArchive(orderID: 0, itemID: 0, identifier: item.id, workflow: "stac", processedName: item.id, declaredSize: item.size)
        return archiveResponse(archive, filename: item.id, call: call)
    }

    func stacSearch(_ call: Call) async throws -> Response {
        var collections: [String] = call.queryValue("collections")?.split(separator: ",").map(String.init) ?? []
        var ids: [String] = call.queryValue("ids")?.split(separator: ",").map(String.init) ?? []
        var limit = call.queryValue("limit").flatMap { Int($0) } ?? 20
        var offset = call.queryValue("offset").flatMap { Int($0) } ?? 0
        var box: [Double]? = call.queryValue("bbox").map { $0.split(separator: ",").compactMap { Double($0) } }
        var datetime = call.queryValue("datetime")
        var postBody: JSONValue?
        if call.method == .post {
            let bytes = try await body(call, limit: 1 << 20)
            if !bytes.isEmpty {
                guard let json = try? JSONReader.parse(bytes, keepingOrder: true), json.isObject else {
                    throw ErrorAnswer.stac("InvalidParameterValue", "Body is not a JSON object", status: .badRequest)
                }
                collections = json["collections"]?.arrayValue?.compactMap(\.stringValue) ?? collections
                ids = json["ids"]?.arrayValue?.compactMap(\.stringValue) ?? ids
                limit = json["limit"]?.intValue ?? limit
                offset = json["offset"]?.intValue ?? offset
                box = json["bbox"]?.arrayValue.map { $0.compactMap(Self.number) } ?? box
                if let geometry = json["intersects"] { box = Self.envelope(geometry) ?? [] }
                datetime = json["datetime"]?.stringValue ?? datetime
                postBody = json
            }
        }
        // A 3-D box (6 numbers) is searched by its 2-D extent.
        if let b = box, b.count == 6 { box = [b[0], b[1], b[3], b[4]] }
        if let b = box, b.count != 4 || b[0] > b[2] || b[1] > b[3] {
            throw ErrorAnswer.stac("InvalidParameterValue", "bbox must be minx,miny,maxx,maxy (or a valid intersects geometry)", status: .badRequest)
        }
        var interval: ClosedRange<Date>?
        if let datetime {
            guard let range = Self.interval(datetime) else {
                throw ErrorAnswer.stac(
                    "InvalidParameterValue", "datetime must be an RFC 3339 instant or an interval start/end, either end open as `..`", status: .badRequest)
            }
            interval = range
        }
        guard (1...10_000).contains(limit), (0...Self.maxOffset).contains(offset) else {
            throw ErrorAnswer.stac("InvalidParameterValue", "limit must be 1..10000 and offset 0...\(Self.maxOffset)", status: .badRequest)
        }
        var items: [CatalogueItem]
        if !ids.isEmpty {
            items = ids.prefix(10_000).compactMap { service.catalogue.find($0) }
        } else {
            items = collections.isEmpty ? service.catalogue.allItems() : collections.flatMap { service.catalogue.items(in: $0) }
        }
        if !collections.isEmpty { items = items.filter { collections.contains($0.collection) } }
        if let b = box {
            items = items.filter { item in
                item.bbox.count == 4 && item.bbox[0] <= b[2] && b[0] <= item.bbox[2] && item.bbox[1] <= b[3] && b[1] <= item.bbox[3]
            }
        }
        if let interval { items = items.filter { Self.date($0.datetime).map(interval.contains) ?? false } }
        let base = call.baseURL + "/stac"
        var response = featureCollection(
            items, limit: limit, offset: offset, base: base, selfURL: base + "/search",
            nextURL: call.method == .get
                ? base + "/search?" + FormData.encode(call.query.filter { $0.0 != "offset" } + [("offset", String(offset + limit))]) : nil)
        // After a POST, the next page is another POST with the same body and the next offset (STAC API item search).
        if case .orderedObject(let fields)? = postBody, offset + limit < items.count, case .orderedObject(var members) = response {
            let body: JSONValue = .orderedObject(fields.filter { $0.key != "offset" } + [JSONMember("offset", .integer(offset + limit))])
            if let index = members.firstIndex(where: { $0.key == "links" }), case .array(var links) = members[index].value {
                links.append(
                    .ordered([
                        ("rel", .string("next")), ("href", .string(base + "/search")), ("type", .string("application/geo+json")),
                        ("method", .string("POST")), ("body", body),
                    ]))
                members[index].value = .array(links)
                response = .orderedObject(members)
            }
        }
        return HTTPReply.json(response, headers: [.contentType: "application/geo+json"])
    }

    static func number(_ value: JSONValue) -> Double? {
        switch value {
        case let .number(d): d
        case let .integer(i): Double(i)
        default: nil
        }
    }

    /// The 2-D extent of a GeoJSON geometry's coordinates (any type), or nil when it has none.
    static func envelope(_ geometry: JSONValue) -> [Double]? {
        var points: [(Double, Double)] = []
        func walk(_ value: JSONValue, depth: Int) {
            guard depth < 8, let list = value.arrayValue else { return }
            if list.count >= 2, let x = number(list[0]), let y = number(list[1]) {
                points.append((x, y))
            } else {
                for item in list { walk(item, depth: depth + 1) }
            }
        }
        walk(geometry["coordinates"] ?? .null, depth: 0)
        guard !points.isEmpty else { return nil }
        return [points.map(\.0).min()!, points.map(\.1).min()!, points.map(\.0).max()!, points.map(\.1).max()!]
    }

    /// `instant`, `start/end`, `../end`, `start/..`: the closed range of instants it names.
    static func interval(_ text: String) -> ClosedRange<Date>? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1: return date(parts[0]).map { $0...$0 }
        case 2:
            let start = parts[0] == ".." || parts[0].isEmpty ? Date.distantPast : date(parts[0])
            let end = parts[1] == ".." || parts[1].isEmpty ? Date.distantFuture : date(parts[1])
            guard let start, let end, start <= end else { return nil }
            return start...end
        default: return nil
        }
    }

    /// An RFC 3339 instant, with or without fractional seconds.
    static func date(_ text: String) -> Date? {
        (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))) ?? (try? Date(text, strategy: .iso8601))
    }
}
