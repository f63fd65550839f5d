/// Looking orders up by name or id, in as few calls as the service allows: the OData `$filter`s are built here, so
/// callers never write OData.
extension HookService {
    /// The production orders named one of `names`, asked for `perCall` names per `$filter`. A name takes some 60
    /// encoded bytes: 40 keep the URL near 2.5 KB, far below common server limits (8 KB).
    public func productionOrders(named names: [String], perCall: Int = 40) async throws -> [ProductionOrder] {
        var found: [ProductionOrder] = []
        for start in stride(from: 0, to: names.count, by: perCall) {
            let chunk = names[start..<min(start + perCall, names.count)]
            found += try await productionOrders(filter: chunk.map { "Name eq '\(Self.quoted($0))'" }.joined(separator: " or "))
        }
        return found
    }

    /// The production orders with these ids, `perCall` ids per `$filter` (an id takes some 23 encoded bytes).
    public func productionOrders(ids: [Int], perCall: Int = 100) async throws -> [ProductionOrder] {
        var found: [ProductionOrder] = []
        for start in stride(from: 0, to: ids.count, by: perCall) {
            found += try await productionOrders(filter: ids[start..<min(start + perCall, ids.count)].map { "Id eq \($0)" }.joined(separator: " or "))
        }
        return found
    }
}
