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

/// The products of some orders as their source catalogues list them: collection -> identifier -> product.
struct CatalogueProducts: Sendable {
    var byCollection: [String: [String: CatalogueProduct]] = [:]

    /// Looks every identifier of a DESP source up in its collection, each collection once.
    /// - Parameter wanted: each order with the identifiers that matter (all of them for `check`, those a run would
    ///   submit for `apply`).
    static func lookUp(_ wanted: [(order: Order, identifiers: [String])], in service: any OrderService) async throws -> CatalogueProducts {
        var identifiers: [String: Set<String>] = [:]
        for (order, ids) in wanted {
            guard let collection = order.collection else { continue }
            identifiers[collection, default: []].formUnion(ids)
        }
        var found = CatalogueProducts()
        for (collection, ids) in identifiers.sorted(by: { $0.key < $1.key }) {
            found.byCollection[collection] = try await service.products(ids.sorted(), in: collection)
        }
        return found
    }

    /// Whether `identifier` is known absent from `order`'s collection (false when it was not looked up).
    func isMissing(_ identifier: String, of order: Order) -> Bool {
        guard let collection = order.collection, let products = byCollection[collection] else { return false }
        return products[identifier] == nil
    }

    func volume(of wanted: [(order: Order, identifiers: [String])]) -> Volume {
        var volume = Volume()
        for (order, identifiers) in wanted where !identifiers.isEmpty {
            volume.orders += 1
            volume.items += identifiers.count
            let products = order.collection.flatMap { byCollection[$0] } ?? [:]
            for identifier in identifiers {
                if let size = products[identifier]?.size { volume.bytes += size } else { volume.unsized += 1 }
            }
        }
        return volume
    }
}

extension Order {
    /// The collection a DESP source's products are looked up in (EXTERNAL sources sit behind their own login).
    var collection: String? {
        guard sourceType == "DESP" else { return nil }
        return option("desp_source_collection")
    }

    /// A string option's value as written (references unresolved).
    func option(_ name: String) -> String? {
        guard case .string(let template)? = body.options.first(where: { $0.name == name })?.value else { return nil }
        return template.description
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
