import Foundation
import Synchronization

/// One product of the sandbox's STAC catalogue.
struct CatalogueItem: Sendable, Equatable {
    var id: String
    var collection: String
    var productType: String
    var datetime: String
    var bbox: [Double]
    /// The size, in bytes, of the data file in this product's archives, when declared (else 16-48 KiB).
    var size: Int? = nil
}

extension CatalogueItem {
    /// A one-degree box inside the MGRS grid cell a Sentinel-2 name's tile (`_T47VLH_`) lies in: the UTM zone gives
    /// six degrees of longitude, the latitude band eight degrees (C..X without I and O, from 80°S), and the 100 km
    /// square's letters place the box within the cell. Coarser than the real 110 km tile, but on the right part of
    /// the globe, so `bbox` searches find it where a user looks (T47VLH: 96-102°E, 56-64°N).
    static func tileFootprint(_ identifier: String) -> [Double]? {
        guard let match = identifier.firstMatch(of: /_T(\d{2})([C-HJ-NP-X])([A-Z])([A-Z])_/), let zone = Int(match.1), (1...60).contains(zone)
        else { return nil }
        let bands = Array("CDEFGHJKLMNPQRSTUVWX")
        guard let band = bands.firstIndex(of: Character(String(match.2))) else { return nil }
        let column = Int(Character(String(match.3)).asciiValue ?? 65) - 65
        let row = Int(Character(String(match.4)).asciiValue ?? 65) - 65
        let west = Double((zone - 1) * 6 - 180 + column % 5)
        let south = Double(-80 + band * 8 + row % 7)
        return [west, south, west + 1, south + 1]
    }
}

/// A STAC collection of the catalogue.
struct CatalogueCollection: Sendable {
    var id: String
    var title: String
    var productType: String
    var platform: String
}

/// The products the sandbox knows: the DESP (HDA) catalogue `data-harvest` reads and `/stac` serves.
/// Sample Sentinel-1 GRD/SLC and Sentinel-2 L1C/L2A products are built in; more can be added in bulk.
final class ProductCatalogue: Sendable {
    static let collections: [CatalogueCollection] = [
        .init(id: "EO.ESA.DAT.SENTINEL-1.L1_GRD", title: "Sentinel-1 Level-1 GRD", productType: "IW_GRDH_1S", platform: "sentinel-1a"),
        .init(id: "EO.ESA.DAT.SENTINEL-1.L1_SLC", title: "Sentinel-1 Level-1 SLC", productType: "IW_SLC__1S", platform: "sentinel-1a"),
        .init(id: "EO.ESA.DAT.SENTINEL-2.MSI.L1C", title: "Sentinel-2 MSI Level-1C", productType: "S2MSI1C", platform: "sentinel-2a"),
        .init(id: "EO.ESA.DAT.SENTINEL-2.MSI.L2A", title: "Sentinel-2 MSI Level-2A", productType: "S2MSI2A", platform: "sentinel-2a"),
    ]

    /// The reference notebook's example product.
    static let notebookIdentifier = "S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T074321.SAFE"

    static let builtIn: [CatalogueItem] = [
        .init(
            id: notebookIdentifier, collection: "EO.ESA.DAT.SENTINEL-2.MSI.L1C", productType: "S2MSI1C", datetime: "2023-09-10T05:07:01.024Z",
            bbox: [98.999, 7.2, 100.0, 8.1]),
        .init(
            id: "S2B_MSIL1C_20230915T103629_N0509_R008_T32TQM_20230915T124012.SAFE", collection: "EO.ESA.DAT.SENTINEL-2.MSI.L1C", productType: "S2MSI1C",
            datetime: "2023-09-15T10:36:29.024Z", bbox: [11.66, 41.44, 13.0, 42.45]),
        .init(
            id: "S2A_MSIL1C_20240105T101411_N0510_R022_T33UUP_20240105T105844.SAFE", collection: "EO.ESA.DAT.SENTINEL-2.MSI.L1C", productType: "S2MSI1C",
            datetime: "2024-01-05T10:14:11.024Z", bbox: [13.53, 47.75, 15.0, 48.76]),
        .init(
            id: "S2B_MSIL1C_20240110T101319_N0510_R022_T33UUP_20240110T105917.SAFE", collection: "EO.ESA.DAT.SENTINEL-2.MSI.L1C", productType: "S2MSI1C",
            datetime: "2024-01-10T10:13:19.024Z", bbox: [13.53, 47.75, 15.0, 48.76]),
        .init(
            id: "S2A_MSIL1C_20240115T101401_N0510_R022_T33UUP_20240115T105902.SAFE", collection: "EO.ESA.DAT.SENTINEL-2.MSI.L1C", productType: "S2MSI1C",
            datetime: "2024-01-15T10:14:01.024Z", bbox: [13.53, 47.75, 15.0, 48.76]),
        .init(
            id: "S2A_MSIL2A_20230910T050701_N0509_R019_T47VLH_20230910T083504.SAFE", collection: "EO.ESA.DAT.SENTINEL-2.MSI.L2A", productType: "S2MSI2A",
            datetime: "2023-09-10T05:07:01.024Z", bbox: [98.999, 7.2, 100.0, 8.1]),
        .init(
            id: "S2B_MSIL2A_20230915T103629_N0509_R008_T32TQM_20230915T134513.SAFE", collection: "EO.ESA.DAT.SENTINEL-2.MSI.L2A", productType: "S2MSI2A",
            datetime: "2023-09-15T10:36:29.024Z", bbox: [11.66, 41.44, 13.0, 42.45]),
        .init(
            id: "S1A_IW_GRDH_1SDV_20230910T050518_20230910T050543_050261_060D7F_1A2B.SAFE", collection: "EO.ESA.DAT.SENTINEL-1.L1_GRD",
            productType: "IW_GRDH_1S", datetime: "2023-09-10T05:05:18.000Z", bbox: [98.1, 6.9, 101.2, 8.9]),
        .init(
            id: "S1A_IW_GRDH_1SDV_20231002T171244_20231002T171309_050589_06183C_9E1C.SAFE", collection: "EO.ESA.DAT.SENTINEL-1.L1_GRD",
            productType: "IW_GRDH_1S", datetime: "2023-10-02T17:12:44.000Z", bbox: [9.8, 44.1, 13.1, 46.0]),
        .init(
            id: "S1A_IW_SLC__1SDV_20230910T050517_20230910T050544_050261_060D7F_3C4D.SAFE", collection: "EO.ESA.DAT.SENTINEL-1.L1_SLC",
            productType: "IW_SLC__1S", datetime: "2023-09-10T05:05:17.000Z", bbox: [98.1, 6.9, 101.2, 8.9]),
        .init(
            id: "S1A_IW_SLC__1SDV_20230922T050518_20230922T050545_050436_061374_7E8F.SAFE", collection: "EO.ESA.DAT.SENTINEL-1.L1_SLC",
            productType: "IW_SLC__1S", datetime: "2023-09-22T05:05:18.000Z", bbox: [98.1, 6.9, 101.2, 8.9]),
    ]

    /// Most items one `POST /sandbox/catalogue` may add, and most the catalogue holds.
    static let maxAddedPerCall = 100_000
    static let maxItems = 1_000_000

    private struct State {
        var items: [String: [CatalogueItem]] = [:]  // by collection, in insertion order
        var index: [String: CatalogueItem] = [:]  // by id
        var added: [CatalogueItem] = []
    }

    private let state = Mutex(State())

    init(added: [CatalogueItem] = []) {
        state.withLock { s in
            for item in Self.builtIn + added { Self.insert(item, into: &s) }
            s.added = added
        }
    }

    private static func insert(_ item: CatalogueItem, into s: inout State) {
        guard s.index[item.id] == nil else { return }
        var item = item
        if let footprint = CatalogueItem.tileFootprint(item.id) { item.bbox = footprint }
        s.index[item.id] = item
        s.items[item.collection, default: []].append(item)
    }

    static func collection(_ id: String) -> CatalogueCollection? { collections.first { $0.id == id } }

    /// Items added at run time (persisted with the state).
    var added: [CatalogueItem] { state.withLock { $0.added } }

    /// Finds a product by identifier, with or without the `.SAFE` suffix; `collection` limits the search.
    func find(_ identifier: String, in collection: String? = nil) -> CatalogueItem? {
        state.withLock { s in
            for candidate in [identifier, identifier + ".SAFE", identifier.hasSuffix(".SAFE") ? String(identifier.dropLast(5)) : identifier] {
                if let item = s.index[candidate], collection == nil || item.collection == collection { return item }
            }
            return nil
        }
    }

    func items(in collection: String) -> [CatalogueItem] { state.withLock { $0.items[collection] ?? [] } }

    func allItems() -> [CatalogueItem] {
        state.withLock { s in Self.collections.flatMap { s.items[$0.id] ?? [] } }
    }

    /// Adds items (ignoring ids already present); returns how many were new.
    @discardableResult
    func add(_ newItems: [CatalogueItem]) -> Int {
        state.withLock { s in
            var count = 0
            for item in newItems where s.index[item.id] == nil && s.index.count < Self.maxItems {
                Self.insert(item, into: &s)
                s.added.append(item)
                count += 1
            }
            return count
        }
    }

    /// Deterministic product identifiers in the naming scheme of a collection, numbered from `start`.
    static func generate(collection: CatalogueCollection, count: Int, start: Int, prefix: String?, size: Int? = nil) -> [CatalogueItem] {
        (0..<count).map { i in
            let n = start + i
            let day = n % 28 + 1
            let month = (n / 28) % 12 + 1
            let stamp = String(format: "2024%02d%02dT%02d%02d%02d", month, day, n % 24, (n / 24) % 60, n % 60)
            let tile = String(format: "T%02dXX%@", n % 60 + 1, String(UnicodeScalar(UInt8(65 + n % 26))))
            let id: String
            switch collection.productType {
            case "S2MSI1C": id = "S2A_MSIL1C_\(stamp)_N0510_R\(String(format: "%03d", n % 143 + 1))_\(tile)_\(stamp).SAFE"
            case "S2MSI2A": id = "S2A_MSIL2A_\(stamp)_N0510_R\(String(format: "%03d", n % 143 + 1))_\(tile)_\(stamp).SAFE"
            case "IW_SLC__1S":
                id = "S1A_IW_SLC__1SDV_\(stamp)_\(stamp)_\(String(format: "%06d", n))_\(String(format: "%06X", n))_\(String(format: "%04X", n % 65536)).SAFE"
            default:
                id = "S1A_IW_GRDH_1SDV_\(stamp)_\(stamp)_\(String(format: "%06d", n))_\(String(format: "%06X", n))_\(String(format: "%04X", n % 65536)).SAFE"
            }
            let lon = Double(n % 360) - 180
            let lat = Double(n % 160) - 80
            return CatalogueItem(
                id: (prefix ?? "") + id, collection: collection.id, productType: collection.productType,
                datetime: String(format: "2024-%02d-%02dT%02d:%02d:%02d.000Z", month, day, n % 24, (n / 24) % 60, n % 60),
                bbox: [lon, lat, lon + 1, lat + 1], size: size)
        }
    }
}
