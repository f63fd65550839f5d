/// A request path matched to one of the sandbox's routes. `pattern` is what `/sandbox/stats` reports.
struct SandboxRoute: Sendable {
    enum Name: Sendable {
        case workflows, submitOrder, batchOrders, batchOrder, products, product, productValue
        case productionOrderProduct, productionOrderProductValue
        case productionOrders, productionOrder, cancel, serviceRoot
        case despAuth, despAuthenticate, despToken, despCerts, despConfiguration
        case dedlToken, dedlCerts, dedlConfiguration
        case stacLanding, stacCollections, stacCollection, stacItems, stacItem, stacDownload, stacSearch
        case sandboxOrders, sandboxStats, sandboxFaults, sandboxCatalogue, sandboxRoot
        case tempDownload
    }

    var name: Name
    var pattern: String
    /// Path arguments: ids in parentheses and STAC path segments, decoded.
    var arguments: [String]

    /// The service's calls and its temporary-storage downloads: what faults apply to.
    var isAPI: Bool { pattern.hasPrefix("/odata/v1") || name == .tempDownload }

    /// Splits a raw path into decoded segments, tolerating `//` and a trailing slash.
    static func segments(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map { FormData.unescape($0, plusIsSpace: false) }
    }

    /// `Name(arg)` -> ("Name", "arg"); quotes around the argument are removed.
    private static func call(_ segment: String) -> (String, String)? {
        guard segment.hasSuffix(")"), let open = segment.firstIndex(of: "(") else { return nil }
        var argument = String(segment[segment.index(after: open)..<segment.index(before: segment.endIndex)])
        if argument.count >= 2, argument.hasPrefix("'"), argument.hasSuffix("'") { argument = String(argument.dropFirst().dropLast()) }
        return (String(segment[..<open]), argument)
    }

    static func match(_ segments: [String]) -> SandboxRoute? {
        let s = segments
        if s.count >= 2, s[0] == "odata", s[1] == "v1" { return matchOData(Array(s.dropFirst(2))) }
        if s.first == "realms", s.count >= 2, s[1] == "desp" { return matchDESP(Array(s.dropFirst(2))) }
        if s.count >= 3, s[0] == "auth", s[1] == "realms", s[2] == "dedl" { return matchDEDL(Array(s.dropFirst(3))) }
        if s.first == "stac" { return matchSTAC(Array(s.dropFirst())) }
        if s.count == 4, s[0] == "swift", s[1] == "v1", s[2] == "tmp-storage" {
            return .init(name: .tempDownload, pattern: TempURL.folder + "{file}", arguments: [s[3]])
        }
        if s.first == "sandbox" {
            switch s.count {
            case 1: return .init(name: .sandboxRoot, pattern: "/sandbox", arguments: [])
            case 2:
                switch s[1] {
                case "orders": return .init(name: .sandboxOrders, pattern: "/sandbox/orders", arguments: [])
                case "stats": return .init(name: .sandboxStats, pattern: "/sandbox/stats", arguments: [])
                case "faults": return .init(name: .sandboxFaults, pattern: "/sandbox/faults", arguments: [])
                case "catalogue": return .init(name: .sandboxCatalogue, pattern: "/sandbox/catalogue", arguments: [])
                default: return nil
                }
            default: return nil
            }
        }
        return nil
    }

    private static func matchOData(_ s: [String]) -> SandboxRoute? {
        let p = "/odata/v1/"
        switch s.count {
        case 0: return .init(name: .serviceRoot, pattern: "/odata/v1/", arguments: [])
        case 1:
            if s[0] == "Workflows" { return .init(name: .workflows, pattern: p + "Workflows", arguments: []) }
            if s[0] == "ProductionOrders" { return .init(name: .productionOrders, pattern: p + "ProductionOrders", arguments: []) }
            if s[0] == "BatchOrder" { return .init(name: .batchOrders, pattern: p + "BatchOrder", arguments: []) }
            if let (name, id) = call(s[0]) {
                if name == "BatchOrder" { return .init(name: .batchOrder, pattern: p + "BatchOrder({id})", arguments: [id]) }
                if name == "ProductionOrders" || name == "ProductionOrder" {
                    return .init(name: .productionOrder, pattern: p + "\(name)({id})", arguments: [id])
                }
            }
        case 2:
            if s[0] == "BatchOrder", s[1] == "OData.CSC.Order" { return .init(name: .submitOrder, pattern: p + "BatchOrder/OData.CSC.Order", arguments: []) }
            if let (name, id) = call(s[0]) {
                if name == "BatchOrder", s[1] == "Products" { return .init(name: .products, pattern: p + "BatchOrder({id})/Products", arguments: [id]) }
                if name == "BatchOrder", let (child, item) = call(s[1]), child == "Product" || child == "Products" {
                    return .init(name: .product, pattern: p + "BatchOrder({id})/\(child)({id})", arguments: [id, item])
                }
                if name == "ProductionOrder" || name == "ProductionOrders", s[1] == "Product" {
                    return .init(name: .productionOrderProduct, pattern: p + "\(name)({id})/Product", arguments: [id])
                }
                if name == "ProductionOrder" || name == "ProductionOrders", s[1] == "OData.CSC.Cancel" {
                    return .init(name: .cancel, pattern: p + "\(name)({id})/OData.CSC.Cancel", arguments: [id])
                }
            }
        case 3:
            if let (name, id) = call(s[0]), name == "ProductionOrder" || name == "ProductionOrders", s[1] == "Product", s[2] == "$value" {
                return .init(name: .productionOrderProductValue, pattern: p + "\(name)({id})/Product/$value", arguments: [id])
            }
            if let (name, id) = call(s[0]), name == "BatchOrder", let (child, item) = call(s[1]), child == "Product" || child == "Products",
                s[2] == "$value"
            {
                return .init(name: .productValue, pattern: p + "BatchOrder({id})/\(child)({id})/$value", arguments: [id, item])
            }
        default: break
        }
        return nil
    }

    private static func matchDESP(_ s: [String]) -> SandboxRoute? {
        let p = "/realms/desp/"
        if s == ["protocol", "openid-connect", "auth"] { return .init(name: .despAuth, pattern: p + "protocol/openid-connect/auth", arguments: []) }
        if s == ["protocol", "openid-connect", "token"] { return .init(name: .despToken, pattern: p + "protocol/openid-connect/token", arguments: []) }
        if s == ["protocol", "openid-connect", "certs"] { return .init(name: .despCerts, pattern: p + "protocol/openid-connect/certs", arguments: []) }
        if s == ["login-actions", "authenticate"] { return .init(name: .despAuthenticate, pattern: p + "login-actions/authenticate", arguments: []) }
        if s == [".well-known", "openid-configuration"] {
            return .init(name: .despConfiguration, pattern: p + ".well-known/openid-configuration", arguments: [])
        }
        return nil
    }

    private static func matchDEDL(_ s: [String]) -> SandboxRoute? {
        let p = "/auth/realms/dedl/"
        if s == ["protocol", "openid-connect", "token"] { return .init(name: .dedlToken, pattern: p + "protocol/openid-connect/token", arguments: []) }
        if s == ["protocol", "openid-connect", "certs"] { return .init(name: .dedlCerts, pattern: p + "protocol/openid-connect/certs", arguments: []) }
        if s == [".well-known", "openid-configuration"] {
            return .init(name: .dedlConfiguration, pattern: p + ".well-known/openid-configuration", arguments: [])
        }
        return nil
    }

    private static func matchSTAC(_ s: [String]) -> SandboxRoute? {
        switch s.count {
        case 0: return .init(name: .stacLanding, pattern: "/stac", arguments: [])
        case 1:
            if s[0] == "collections" { return .init(name: .stacCollections, pattern: "/stac/collections", arguments: []) }
            if s[0] == "search" { return .init(name: .stacSearch, pattern: "/stac/search", arguments: []) }
        case 2 where s[0] == "collections": return .init(name: .stacCollection, pattern: "/stac/collections/{id}", arguments: [s[1]])
        case 3 where s[0] == "collections" && s[2] == "items":
            return .init(name: .stacItems, pattern: "/stac/collections/{id}/items", arguments: [s[1]])
        case 4 where s[0] == "collections" && s[2] == "items":
            return .init(name: .stacItem, pattern: "/stac/collections/{id}/items/{id}", arguments: [s[1], s[3]])
        case 5 where s[0] == "collections" && s[2] == "items" && s[4] == "download":
            return .init(name: .stacDownload, pattern: "/stac/collections/{id}/items/{id}/download", arguments: [s[1], s[3]])
        default: break
        }
        return nil
    }
}
