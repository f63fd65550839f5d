import AsyncHTTPClient
import Foundation
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

    public init(url: URL) { self.url = url }

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

    private struct Page: Decodable {
        struct Feature: Decodable {
            struct Asset: Decodable {
                let roles: [String]?
                let size: Int64?
                enum CodingKeys: String, CodingKey {
                    case roles
                    case size = "file:size"
                }
            }
            let id: String
            let assets: [String: Asset]?
            var product: CatalogueProduct {
                let sizes = (assets ?? [:]).values.filter { $0.roles?.contains("data") == true }.compactMap(\.size)
                return CatalogueProduct(size: sizes.isEmpty ? nil : sizes.reduce(0, +))
            }
        }
        struct Link: Decodable {
            let rel: String
            let href: String
        }
        let features: [Feature]
        let links: [Link]?
    }

    private func search(_ address: String) async throws -> (products: [(String, CatalogueProduct)], next: String?) {
        var request = HTTPClientRequest(url: address)
        request.headers.add(name: "Accept", value: "application/geo+json")
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
        do {
            let page = try JSONDecoder().decode(Page.self, from: Data(body.readableBytesView))
            return (page.features.map { ($0.id, $0.product) }, page.links?.first { $0.rel == "next" }?.href)
        } catch {
            throw ClientError.decoding(what: "the STAC search answer", reason: "\(error)")
        }
    }
}

/// A product found in a STAC catalogue.
public struct CatalogueProduct: Sendable, Equatable {
    /// Bytes of its data assets, when the catalogue says.
    public var size: Int64?

    public init(size: Int64?) { self.size = size }
}
