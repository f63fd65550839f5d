import HookCore

/// The state-file form of orders and catalogue additions: plain JSON written with the sandbox's own writer
/// (lean: no Codable intermediate trees for 10,000 orders).
extension Order {
    /// `scrubSecrets`: write secret option values as `****` (done for orders with nothing left to process, so
    /// passwords and keys stay on disk only while the scheduler may still need them after a restart).
    func stateJSON(scrubSecrets: Bool) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("id", .integer(id)), ("name", .string(name)), ("workflowName", .string(workflowName)), ("workflowID", .integer(workflowID)),
            ("workflowDisplayName", .string(workflowDisplayName)), ("workflowVersion", .string(workflowVersion)),
            (
                "options",
                .array(
                    options.map { option in
                        let value = scrubSecrets && WorkflowCatalogue.isSecret(option.name) ? JSONValue.string("****") : option.value
                        return .ordered([("name", .string(option.name)), ("value", value)])
                    })
            ),
            ("ownerID", .string(ownerID)), ("ownerName", .string(ownerName)), ("priority", .integer(priority)),
            ("submittedMs", .integer(Int(submittedMs))), ("paceMs", .integer(Int(paceMs))),
        ]
        if let cancelRequestedMs { pairs.append(("cancelRequestedMs", .integer(Int(cancelRequestedMs)))) }
        if queueDelayMs > 0 { pairs.append(("queueDelayMs", .integer(Int(queueDelayMs)))) }
        if overrunMs > 0 { pairs.append(("overrunMs", .integer(Int(overrunMs)))) }
        pairs.append(
            (
                "items",
                .array(
                    items.map { item in
                        var fields: [(String, JSONValue)] = [
                            ("id", .integer(item.id)), ("identifier", .string(item.identifier)), ("cancelled", .bool(item.cancelled)),
                        ]
                        if let done = item.doneMs { fields.append(("doneMs", .integer(Int(done)))) }
                        if let o = item.outcome {
                            fields.append(
                                (
                                    "outcome",
                                    .ordered([
                                        ("succeeded", .bool(o.succeeded)), ("message", .string(o.message)), ("processedName", .string(o.processedName)),
                                        ("size", .integer(o.size)), ("output", .string(o.output)), ("recordedMs", .integer(Int(o.recordedMs))),
                                    ])
                                ))
                        }
                        return .ordered(fields)
                    })
            ))
        return .ordered(pairs)
    }

    init?(stateJSON j: JSONValue) {
        guard let id = j["id"]?.intValue, let name = j["name"]?.stringValue, let workflowName = j["workflowName"]?.stringValue,
            let workflowID = j["workflowID"]?.intValue, let submitted = j["submittedMs"]?.intValue, let pace = j["paceMs"]?.intValue,
            let rawItems = j["items"]?.arrayValue
        else { return nil }
        var items: [Item] = []
        for raw in rawItems {
            guard let itemID = raw["id"]?.intValue, let identifier = raw["identifier"]?.stringValue else { return nil }
            var item = Item(id: itemID, identifier: identifier, cancelled: raw["cancelled"] == .bool(true), doneMs: raw["doneMs"]?.intValue.map(Int64.init))
            if let o = raw["outcome"] {
                item.outcome = Outcome(
                    succeeded: o["succeeded"] == .bool(true), message: o["message"]?.stringValue ?? "", processedName: o["processedName"]?.stringValue,
                    size: o["size"]?.intValue, output: o["output"]?.stringValue, recordedMs: Int64(o["recordedMs"]?.intValue ?? submitted))
            }
            items.append(item)
        }
        self.init(
            id: id, name: name, workflowName: workflowName, workflowID: workflowID,
            workflowDisplayName: j["workflowDisplayName"]?.stringValue ?? workflowName, workflowVersion: j["workflowVersion"]?.stringValue ?? "",
            options: (j["options"]?.arrayValue ?? []).compactMap { o in o["name"]?.stringValue.map { Option(name: $0, value: o["value"] ?? .null) } },
            ownerID: j["ownerID"]?.stringValue ?? "", ownerName: j["ownerName"]?.stringValue ?? "", priority: j["priority"]?.intValue ?? 1,
            submittedMs: Int64(submitted), paceMs: Int64(pace), cancelRequestedMs: j["cancelRequestedMs"]?.intValue.map(Int64.init), items: items,
            queueDelayMs: Int64(j["queueDelayMs"]?.intValue ?? 0), overrunMs: Int64(j["overrunMs"]?.intValue ?? 0))
    }
}

extension CatalogueItem {
    var stateJSON: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("id", .string(id)), ("collection", .string(collection)), ("productType", .string(productType)), ("datetime", .string(datetime)),
            ("bbox", .array(bbox.map { .number($0) })),
        ]
        if let size { pairs.append(("size", .integer(size))) }
        return .ordered(pairs)
    }

    init?(stateJSON j: JSONValue) {
        guard let id = j["id"]?.stringValue, let collection = j["collection"]?.stringValue, let type = j["productType"]?.stringValue else { return nil }
        self.init(
            id: id, collection: collection, productType: type, datetime: j["datetime"]?.stringValue ?? "2024-01-01T00:00:00.000Z",
            bbox: (j["bbox"]?.arrayValue ?? []).compactMap { v in
                switch v {
                case let .number(d): d
                case let .integer(i): Double(i)
                default: nil
                }
            },
            size: j["size"]?.intValue)
    }
}
