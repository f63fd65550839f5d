import Foundation

/// The system query options of one OData request (`$filter`, `$orderby`, `$top`, `$skip`, `$count`, `$expand`).
struct ODataQuery: Sendable {
    struct OrderKey: Sendable, Equatable {
        var property: String
        var descending: Bool
    }

    var filter: FilterExpression?
    var orderBy: [OrderKey] = []
    var top: Int?
    var skip: Int = 0
    var count = false
    var expand: [String] = []

    /// Reads the options from decoded query parameters; `properties` are the entity's filterable/sortable fields.
    static func parse(_ parameters: [(String, String)], properties: Set<String>) throws(FilterExpression.Invalid) -> ODataQuery {
        var query = ODataQuery()
        for (rawKey, value) in parameters {
            let key = rawKey.hasPrefix("$") ? String(rawKey.dropFirst()) : rawKey
            switch key.lowercased() {
            case "filter":
                query.filter = try FilterExpression.parse(value, properties: properties)
            case "orderby":
                query.orderBy = try parseOrderBy(value, properties: properties)
            case "top":
                guard let n = Int(value.trimmingSpaces()), n >= 0 else {
                    throw .init(message: "Invalid $top: '\(value.prefix(40))' is not a non-negative integer")
                }
                query.top = n
            case "skip":
                guard let n = Int(value.trimmingSpaces()), n >= 0 else {
                    throw .init(message: "Invalid $skip: '\(value.prefix(40))' is not a non-negative integer")
                }
                query.skip = n
            case "count":
                switch value.lowercased() {
                case "true": query.count = true
                case "false": query.count = false
                default: throw .init(message: "Invalid $count: '\(value.prefix(40))' (true or false)")
                }
            case "expand":
                query.expand = value.split(separator: ",").map { $0.trimmingSpaces() }
            default:
                continue  // other parameters are ignored, as FastAPI ignores unknown query parameters
            }
        }
        return query
    }

    private static func parseOrderBy(_ text: String, properties: Set<String>) throws(FilterExpression.Invalid) -> [OrderKey] {
        var keys: [OrderKey] = []
        for part in text.split(separator: ",") {
            let words = part.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard (1...2).contains(words.count) else { throw .init(message: "Invalid $orderby: '\(part.prefix(60))'") }
            var property = words[0]
            if !properties.contains(property), property.lowercased() == "id", properties.contains("Id") { property = "Id" }
            guard properties.contains(property) else {
                throw .init(message: "Invalid $orderby: unknown property '\(property.prefix(60))' (known: \(properties.sorted().joined(separator: ", ")))")
            }
            var descending = false
            if words.count == 2 {
                switch words[1].lowercased() {
                case "asc": descending = false
                case "desc": descending = true
                default: throw .init(message: "Invalid $orderby: '\(words[1].prefix(20))' is neither asc nor desc")
                }
            }
            keys.append(OrderKey(property: property, descending: descending))
        }
        guard !keys.isEmpty else { throw .init(message: "Invalid $orderby: empty") }
        return keys
    }

    /// Filters, sorts and pages `entities`; returns the page and the count before paging.
    /// `alreadyFiltered`: the caller applied `filter` itself (e.g. inside a store's lock).
    /// - Parameter unordered: without `$orderby`, entities are listed by this key: the real service lists `Workflows`
    ///   and `ProductionOrders` in no set order (HOOK-API 2.4), so the sandbox does not sort them either (a stable
    ///   order per `--seed`, so that paging without `$orderby` still sees each entity once).
    func apply<E>(
        to entities: [E], value: (E, String) -> FilterValue, maxPage: Int, alreadyFiltered: Bool = false, unordered: ((E) -> UInt64)? = nil
    ) -> (page: [E], total: Int, more: Bool) {
        var result = entities
        if let filter, !alreadyFiltered { result = result.filter { entity in filter.matches { value(entity, $0) } } }
        if orderBy.isEmpty, let unordered {
            result = result.map { (unordered($0), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
        } else if !orderBy.isEmpty {
            result.sort { a, b in
                for key in orderBy {
                    let x = value(a, key.property)
                    let y = value(b, key.property)
                    if x == y { continue }
                    let less = Self.less(x, y)
                    return key.descending ? !less : less
                }
                return false
            }
        }
        let total = result.count
        let start = min(skip, total)
        let limit = min(top ?? maxPage, maxPage)
        let end = min(start + limit, total)
        let more = top.map { $0 > maxPage && end < total } ?? (end < total)
        return (Array(result[start..<end]), total, more)
    }

    private static func less(_ a: FilterValue, _ b: FilterValue) -> Bool {
        switch (a, b) {
        case let (.number(x), .number(y)): return x < y
        case let (.string(x), .string(y)):
            if let i = Int(x), let j = Int(y) { return i < j }  // string ids sort numerically
            return x < y
        case (.null, _): return true
        default: return false
        }
    }
}
