import AsyncHTTPClient
import Foundation
import HookCore
import NIOCore
import NIOHTTP1

/// The STAC API that products are found in (the HDA STAC for DESP sources; an embedded sandbox's own `/stac`):
/// item search by `ids` and `collections`, every page followed through `next` links.
///
/// A product's size is the sum of `file:size` over its assets with the `data` role; an item whose data assets
/// declare none has no known size (the HDA STAC's items are not recorded with sizes: HOOK-API.md has no evidence).
public struct STACCatalogue: Sendable {
    public let url: URL
    /// Identifiers per search request.
    let idsPerCall = 100

    /// A header that authorizes each search (an EXTERNAL source's catalogue sits behind its own login).
    let authorization: (name: String, value: Secret)?

    public init(url: URL, authorization: (name: String, value: Secret)? = nil) {
        self.url = url
        self.authorization = authorization
    }

    /// Which of `ids` the collection holds, with the size of each where the catalogue gives one.
    public func products(_ ids: [String], in collection: String) async throws -> [String: CatalogueProduct] {
        var found: [String: CatalogueProduct] = [:]
        for start in stride(from: 0, to: ids.count, by: idsPerCall) {
            let chunk = ids[start..<min(start + idsPerCall, ids.count)]
            var components = URLComponents(url: url.appendingPathComponent("search"), resolvingAgainstBaseURL: false)
            components?.queryItems = [
                URLQueryItem(name: "ids", value: chunk.joined(separator: ",")), URLQueryItem(name: "collections", value: collection),
                URLQueryItem(name: "limit", value: String(chunk.count)),
            ]
            var next = components?.url?.absoluteString
            var pages = 0
            while let page = next, pages < 100 {
                pages += 1
                let (features, nextLink) = try await search(page)
                for (id, product) in features { found[id] = product }
                next = nextLink
            }
        }
        return found
    }

    private func search(_ address: String) async throws -> (products: [(String, CatalogueProduct)], next: String?) {
        var request = HTTPClientRequest(url: address)
        request.headers.add(name: "Accept", value: "application/geo+json")
        if let authorization { request.headers.add(name: authorization.name, value: authorization.value.reveal()) }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        } catch {
            throw ClientError.unreachable(url: address, reason: "\(error)")
        }
        let body = try await response.body.collect(upTo: 16 << 20)
        guard response.status.code == 200 else {
            throw ClientError.unexpectedStatus(status: Int(response.status.code), detail: "STAC search \(address)")
        }
        guard case .object(let page)? = try? JSONReader.parse(Array(body.readableBytesView)), case .array(let features)? = page["features"]
        else {
            throw ClientError.decoding(what: "the STAC search answer", reason: "not a FeatureCollection")
        }
        var products: [(String, CatalogueProduct)] = []
        for case .object(let feature) in features {
            guard case .string(let id)? = feature["id"] else { continue }
            products.append((id, Self.product(feature)))
        }
        var next: String?
        if case .array(let links)? = page["links"] {
            for case .object(let link) in links where link["rel"] == .string("next") {
                if case .string(let href)? = link["href"] { next = href }
            }
        }
        return (products, next)
    }

    /// An item's size (its `data` assets' `file:size`), footprint and bounding box.
    static func product(_ feature: [String: JSONValue]) -> CatalogueProduct {
        var sizes: [Int64] = []
        if case .object(let assets)? = feature["assets"] {
            for case .object(let asset) in assets.values {
                guard case .array(let roles)? = asset["roles"], roles.contains(.string("data")), case .integer(let size)? = asset["file:size"] else { continue }
                sizes.append(Int64(size))
            }
        }
        var bbox: [Double]?
        if case .array(let values)? = feature["bbox"] {
            let numbers = values.compactMap { value -> Double? in
                switch value {
                case .integer(let i): Double(i)
                case .number(let d): d
                default: nil
                }
            }
            if numbers.count == values.count, numbers.count == 4 || numbers.count == 6 { bbox = numbers }
        }
        let geometry = feature["geometry"].flatMap { $0 == .null ? nil : $0 }
        return CatalogueProduct(size: sizes.isEmpty ? nil : sizes.reduce(0, +), geometry: geometry, bbox: bbox)
    }
}

/// A product found in a STAC catalogue.
public struct CatalogueProduct: Sendable, Equatable {
    /// Bytes of its data assets, when the catalogue says.
    public var size: Int64?
    /// Its footprint (a GeoJSON geometry) and bounding box, when the catalogue has them.
    public var geometry: JSONValue?
    public var bbox: [Double]?

    public init(size: Int64?, geometry: JSONValue? = nil, bbox: [Double]? = nil) {
        self.size = size
        self.geometry = geometry
        self.bbox = bbox
    }
}

extension STACCatalogue {
    /// The catalogue of an EXTERNAL source (SPEC 1: a STAC server behind OIDC), with a token fetched as the Hook
    /// service would: the `password` or `client_credentials` grant at the source's token URL, sent as `Bearer` in
    /// the source's header.
    public static func external(
        url: URL, tokenURL: URL, grantType: String, headerName: String, clientID: String, clientSecret: Secret, username: String,
        password: Secret
    ) async throws -> STACCatalogue {
        var fields = [("client_id", clientID), ("client_secret", clientSecret.reveal())]
        if grantType.uppercased() == "CLIENT_CREDENTIALS" {
            fields.append(("grant_type", "client_credentials"))
        } else {
            fields += [("grant_type", "password"), ("username", username), ("password", password.reveal())]
        }
        var request = HTTPClientRequest(url: tokenURL.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let form = fields.filter { !$0.1.isEmpty || $0.0 != "client_secret" }
            .map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: form))
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        } catch {
            throw ClientError.unreachable(url: tokenURL.absoluteString, reason: "\(error)")
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status.code == 200, case .object(let answer)? = try? JSONReader.parse(Array(body.readableBytesView)),
            case .string(let token)? = answer["access_token"]
        else {
            throw ClientError.unexpectedStatus(
                status: Int(response.status.code), detail: "login at the EXTERNAL source's token URL \(tokenURL.absoluteString)")
        }
        return STACCatalogue(url: url, authorization: (headerName, Secret("Bearer " + token)))
    }
}
