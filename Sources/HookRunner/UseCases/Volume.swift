import Foundation
import HookClient
import HookCore
import HookManifest

/// How much some orders ask for (SPEC 9): orders and items, and bytes where the source catalogue gives sizes.
public struct Volume: Sendable, Equatable {
    public var orders = 0
    public var items = 0
    /// Bytes of the items whose size the catalogue gives.
    public var bytes: Int64 = 0
    /// Items whose size is not known (not in the catalogue, no size there, or a source hookctl cannot look up).
    public var unsized = 0

    public init() {}

    /// "3 orders, 12 items, 1.2 GB (2 items of unknown size)".
    public var summary: String {
        let size =
            unsized == items && items > 0
            ? "size unknown" : Self.text(bytes: bytes) + (unsized > 0 ? " (\(Self.count(unsized, "item")) of unknown size)" : "")
        return "\(Self.count(orders, "order")), \(Self.count(items, "item")), \(size)"
    }

    /// `{"orders", "items", "bytes", "unsized"}`; `bytes` is null when no item's size is known.
    public var json: JSONValue {
        .object([
            "orders": .integer(orders), "items": .integer(items), "bytes": unsized == items && items > 0 ? .null : .integer(Int(bytes)),
            "unsized": .integer(unsized),
        ])
    }

    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    /// Bytes in decimal units, as `maxBytes` is usually written: `512 B`, `20.5 MB`, `1.2 TB`.
    public static func text(bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}

/// The products of some orders as their source catalogues list them: a DESP source's collection in the profile's
/// catalogue, an EXTERNAL source's collection in its own catalogue (behind its own login).
struct CatalogueProducts: Sendable {
    /// Catalogue (a DESP collection, or an EXTERNAL source's URL and collection) -> identifier -> product.
    var byCatalogue: [String: [String: CatalogueProduct]] = [:]
    /// The catalogue each order's products were looked up in, by order key.
    var catalogueOf: [String: String] = [:]
    /// Orders whose catalogue could not be asked, and why (an unset variable, a catalogue type other than STAC).
    var unchecked: [String: String] = [:]

    /// Looks every identifier up in its source's catalogue, each catalogue once.
    /// - Parameter wanted: each order with the identifiers that matter (all of them for `check`, those a run would
    ///   submit for `apply`).
    static func lookUp(
        _ wanted: [(order: Order, identifiers: [String])], in service: any OrderService, environment: [String: String]
    ) async throws -> CatalogueProducts {
        var found = CatalogueProducts()
        var identifiers: [String: Set<String>] = [:]
        var externals: [String: ExternalCatalogue] = [:]
        for (order, ids) in wanted {
            let key: String
            if let collection = order.collection {
                key = collection
            } else if order.sourceType == "EXTERNAL" {
                switch order.externalCatalogue(environment) {
                case .success(let external):
                    key = "\(external.collection) at \(external.url.absoluteString)"
                    externals[key] = external
                case .failure(let error):
                    found.unchecked[order.key] = error.localizedDescription
                    continue
                }
            } else {
                continue
            }
            found.catalogueOf[order.key] = key
            identifiers[key, default: []].formUnion(ids)
        }
        for (key, ids) in identifiers.sorted(by: { $0.key < $1.key }) {
            found.byCatalogue[key] =
                if let external = externals[key] {
                    try await service.products(ids.sorted(), external: external)
                } else {
                    try await service.products(ids.sorted(), in: key)
                }
        }
        return found
    }

    /// Whether `identifier` is known absent from `order`'s catalogue (false when it was not looked up).
    func isMissing(_ identifier: String, of order: Order) -> Bool {
        guard let key = catalogueOf[order.key], let products = byCatalogue[key] else { return false }
        return products[identifier] == nil
    }

    /// The products found for an order, by identifier.
    func products(of order: Order) -> [String: CatalogueProduct] { catalogueOf[order.key].flatMap { byCatalogue[$0] } ?? [:] }

    func volume(of wanted: [(order: Order, identifiers: [String])]) -> Volume {
        var volume = Volume()
        for (order, identifiers) in wanted where !identifiers.isEmpty {
            volume.orders += 1
            volume.items += identifiers.count
            let products = products(of: order)
            for identifier in identifiers {
                if let size = products[identifier]?.size { volume.bytes += size } else { volume.unsized += 1 }
            }
        }
        return volume
    }
}

/// An EXTERNAL source's STAC catalogue and the login in front of it, every reference resolved.
public struct ExternalCatalogue: Sendable {
    public var url: URL
    public var collection: String
    public var tokenURL: URL
    public var grantType: String
    public var headerName: String
    public var clientID: String
    public var clientSecret: Secret
    public var username: String
    public var password: Secret
}

extension Order {
    /// The collection a DESP source's products are looked up in.
    var collection: String? {
        guard sourceType == "DESP" else { return nil }
        return option("desp_source_collection")
    }

    /// A string option's value as written (references unresolved).
    func option(_ name: String) -> String? {
        guard case .string(let template)? = body.options.first(where: { $0.name == name })?.value else { return nil }
        return template.description
    }

    /// An EXTERNAL source's catalogue and login from the order's `source_*` options, resolved in `environment`; or
    /// why it cannot be asked.
    func externalCatalogue(_ environment: [String: String]) -> Result<ExternalCatalogue, RunnerError> {
        var unset: [String] = []
        func value(_ name: String) -> String? {
            guard case .string(let template)? = body.options.first(where: { $0.name == name })?.value else { return nil }
            switch template.resolve(in: environment) {
            case .success(let text): return text
            case .failure(let error):
                unset += error.names
                return nil
            }
        }
        let type = value("source_catalogue_api_type") ?? "STAC"
        let url = value("source_catalogue_api_url").flatMap(URL.init(string:))
        let tokenURL = value("source_token_url").flatMap(URL.init(string:))
        let collection = value("source_catalogue_collection")
        let (clientID, clientSecret) = (value("source_client_id") ?? "", value("source_client_secret") ?? "")
        let (username, password) = (value("source_username") ?? "", value("source_password") ?? "")
        let grantType = value("source_grant_type") ?? "PASSWORD"
        let headerName = value("source_auth_header_name") ?? "Authorization"
        guard unset.isEmpty else {
            return .failure(.io("its identifiers were not looked up: \(Set(unset).sorted().map { "$" + $0 }.joined(separator: ", ")) not set"))
        }
        guard type.uppercased() == "STAC", let url, let tokenURL, let collection else {
            return .failure(.io("its identifiers were not looked up: only a STAC catalogue with a collection and a token URL can be asked"))
        }
        return .success(
            ExternalCatalogue(
                url: url, collection: collection, tokenURL: tokenURL, grantType: grantType, headerName: headerName, clientID: clientID,
                clientSecret: Secret(clientSecret), username: username, password: Secret(password)))
    }
}

extension RunContext {
    /// The profile's `maxBytes` (SPEC 9) against `volume`: the breach, if any, and a warning when some sizes are
    /// unknown and count 0; both nil without a `maxBytes`.
    func bytePolicy(_ volume: Volume) -> (breach: String?, warning: String?) {
        guard let profile = bench.profile, let most = profile.policy.maxBytes else { return (nil, nil) }
        let warning =
            volume.unsized > 0
            ? "\(Volume.count(volume.unsized, "item")) without a size in the catalogue \(volume.unsized == 1 ? "counts" : "count") as 0 bytes against policy.maxBytes"
            : nil
        guard volume.bytes > most else { return (nil, warning) }
        let breach =
            "this run would order \(Volume.text(bytes: volume.bytes)); profile '\(profile.name)' allows at most \(Volume.text(bytes: most)) (policy.maxBytes)"
        return (breach, warning)
    }

    /// What each order of `plan` would submit, with its manifest's order (removed orders submit nothing).
    func submissions(_ plan: [PlanItem], among orders: [Order]) -> [(order: Order, identifiers: [String])] {
        let byKey = Dictionary(orders.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        return plan.filter { $0.action.submits }.compactMap { item in byKey[item.key].map { ($0, item.identifiers) } }
    }
}
