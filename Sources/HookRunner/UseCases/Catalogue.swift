import Foundation
import HookClient
import HookCore
import HookManifest

extension RunContext {
    /// The STAC version written, the one pystac's bundled schemas (and so offline validation) cover.
    static var stacVersion: String { "1.1.0" }
    static var fileExtension: String { "https://stac-extensions.github.io/file/v2.1.0/schema.json" }

    /// `outputs --stac DIR`: a static STAC catalogue of the completed products of the recorded orders (of the
    /// manifests named, else all): `DIR/catalog.json` and `DIR/<item>/<item>.json`. Each item's asset points at the
    /// archive under `archives` (default `downloads/`) when it is there as recorded, else at the S3 URI or the download
    /// URL, with `file:size` and `file:checksum` where known; its geometry and bbox are the input product's, from the
    /// source catalogue (DESP sources), where it has them. The same state and catalogue give the same bytes.
    /// - Returns: how many items were written.
    @discardableResult
    public func writeCatalogue(into folder: String, archives: String? = nil) async throws -> Int {
        let state = try await readState()
        let footprints = await sourceFootprints(state)
        let base = bench.profile?.serviceURL.map { $0.hasSuffix("/") ? $0 : $0 + "/" } ?? ""
        var links: [JSONValue] = [Self.link("root", "./catalog.json", type: "application/json")]
        var written = 0
        for key in recordedKeys(in: state) {
            guard let record = state.orders[key] else { continue }
            for outcome in record.outcomes where outcome.product.status == .completed {
                let product = outcome.product
                let id = Self.itemID(key: key, identifier: product.identifier)
                let itemFolder = (folder as NSString).appendingPathComponent(id)
                let local = (Self.archiveFolder(archives ?? bench.downloadsDirectory, key: key) as NSString).appendingPathComponent(product.identifier + ".zip")
                var asset: [String: JSONValue] = ["type": .string("application/zip"), "roles": .array([.string("data")])]
                if product.size != nil, FileWriter.size(of: local) == product.size {
                    asset["href"] = .string(Self.relativePath(from: itemFolder, to: local))
                } else if let output = product.output {
                    asset["href"] = .string(record.output == .temporary ? base + output : output)
                } else {
                    continue
                }
                if let size = product.size { asset["file:size"] = .integer(Int(size)) }
                // A multihash: 0x12 (SHA-256), 0x20 (32 bytes), then the digest.
                if let sha256 = product.sha256 { asset["file:checksum"] = .string("1220" + sha256) }
                var properties: [String: JSONValue] = [
                    "datetime": .string(Self.datetime(of: product)),
                    "hookctl:identifier": .string(product.identifier),
                    "hookctl:key": .string(key),
                    "hookctl:order_id": outcome.orderID.map { .integer($0) } ?? .null,
                    "hookctl:order_name": .string(record.attempts.first { $0.number == outcome.attempt }?.name ?? record.name),
                    "hookctl:workflow": .string(record.workflow),
                ]
                if let expires = product.expires { properties["expires"] = .string(expires.formatted(.iso8601)) }
                let footprint = footprints[key]?[product.identifier]
                var item: JSONValue = .object([
                    "type": .string("Feature"), "stac_version": .string(Self.stacVersion),
                    "stac_extensions": .array([.string(Self.fileExtension)]), "id": .string(id),
                    "geometry": footprint?.geometry ?? .null, "properties": .object(properties), "assets": .object(["archive": .object(asset)]),
                    "links": .array([
                        Self.link("root", "../catalog.json", type: "application/json"),
                        Self.link("parent", "../catalog.json", type: "application/json"),
                    ]),
                ])
                if footprint?.geometry != nil, let bbox = footprint?.bbox, case .object(var fields) = item {
                    fields["bbox"] = .array(bbox.map { .number($0) })
                    item = .object(fields)
                }
                try AtomicFile.write(CanonicalJSON.string(item), to: (itemFolder as NSString).appendingPathComponent(id + ".json"))
                links.append(Self.link("item", "./\(id)/\(id).json", type: "application/geo+json"))
                written += 1
            }
        }
        let catalogue: JSONValue = .object([
            "type": .string("Catalog"), "stac_version": .string(Self.stacVersion), "id": .string("hookctl-\(bench.profileName)"),
            "description": .string("Outputs of the orders recorded in hookctl.\(bench.profileName).lock"), "links": .array(links),
        ])
        try AtomicFile.write(CanonicalJSON.string(catalogue), to: (folder as NSString).appendingPathComponent("catalog.json"))
        return written
    }

    /// The source catalogue's footprint of each completed product, by order key and identifier, for the orders whose
    /// manifests were read (DESP and EXTERNAL STAC sources); none, with a warning, when the catalogue cannot be
    /// asked: the catalogue is still written, without footprints.
    func sourceFootprints(_ state: RunState) async -> [String: [String: CatalogueProduct]] {
        let wanted: [(order: Order, identifiers: [String])] = bench.orders.compactMap { order in
            guard let record = state.orders[order.key] else { return nil }
            let completed = record.outcomes.filter { $0.product.status == .completed }.map(\.product.identifier)
            return completed.isEmpty ? nil : (order, completed)
        }
        guard !wanted.isEmpty else { return [:] }
        do {
            let found = try await connector.withService { [environment] service in
                try await CatalogueProducts.lookUp(wanted, in: service, environment: environment)
            }
            var footprints: [String: [String: CatalogueProduct]] = [:]
            for (order, identifiers) in wanted {
                footprints[order.key] = found.products(of: order).filter { identifiers.contains($0.key) }
            }
            return footprints
        } catch {
            events(.warning("items are written without footprints: the source catalogue could not be asked (\(Runner<C>.describe(error)))"))
            return [:]
        }
    }

    private static func link(_ rel: String, _ href: String, type: String) -> JSONValue {
        .object(["rel": .string(rel), "href": .string(href), "type": .string(type)])
    }

    /// `<key>-<identifier>` with anything but letters, digits, `.`, `_` and `-` replaced: a file name and an id.
    static func itemID(key: String, identifier: String) -> String {
        String(
            "\(key)-\(identifier)".map { character in
                character.isASCII && (character.isLetter || character.isNumber || "._-".contains(character)) ? character : "-"
            })
    }

    /// The instant an item stands for: the sensing time in an Earth-observation product name
    /// (`..._20230910T050701_...`); else its completion, two weeks before its TEMPORARY expiry; else the Unix epoch,
    /// since STAC requires one and the lock file keeps no other.
    static func datetime(of product: ProductRecord) -> String {
        if let match = product.identifier.firstMatch(of: /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})/) {
            return "\(match.1)-\(match.2)-\(match.3)T\(match.4):\(match.5):\(match.6)Z"
        }
        if let expires = product.expires { return expires.addingTimeInterval(-14 * 86_400).formatted(.iso8601) }
        return "1970-01-01T00:00:00Z"
    }

    /// `target` relative to the folder `from` (both absolute or both relative to the same folder).
    static func relativePath(from folder: String, to target: String) -> String {
        let from = URL(fileURLWithPath: folder).standardizedFileURL.pathComponents
        let to = URL(fileURLWithPath: target).standardizedFileURL.pathComponents
        var common = 0
        while common < min(from.count, to.count), from[common] == to[common] { common += 1 }
        return (Array(repeating: "..", count: from.count - common) + to[common...]).joined(separator: "/")
    }
}
