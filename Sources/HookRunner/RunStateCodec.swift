import Foundation
import HookManifest

/// The lock file's JSON shape: `{"orders": {KEY: {...}}, "version": 1}`, canonical (sorted keys, two-space indent).
enum RunStateCodec {
    static let version = 1

    static func encode(_ state: RunState) -> String {
        CanonicalJSON.string(.object(["orders": .object(state.orders.mapValues(encode)), "version": .integer(version)]))
    }

    private static func encode(_ record: OrderRecord) -> JSONValue {
        var fields: [String: JSONValue] = [
            "attempt": .integer(record.attempt),
            "body": record.body,
            "digest": .string(record.digest),
            "id": record.id.map { .integer($0) } ?? .null,
            "labels": .object(record.labels.mapValues { .string($0) }),
            "manifest": .string(record.manifest),
            "name": .string(record.name),
            "products": .array(record.products.map(\.jsonValue)),
            "status": .string(record.status),
            "workflow": .string(record.workflow),
        ]
        if let message = record.message { fields["message"] = .string(message) }
        return .object(fields)
    }


    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    static func decode(_ data: Data) throws -> RunState {
        let root: JSONValue
        do { root = try JSONReader.parse([UInt8](data)) } catch { throw Malformed(description: error.description) }
        guard case .object(let top) = root, case .object(let entries)? = top["orders"] else {
            throw Malformed(description: "no \"orders\" object")
        }
        var state = RunState()
        for (key, value) in entries {
            guard case .object(let fields) = value else { throw Malformed(description: "order \(key) is not an object") }
            state.orders[key] = try record(fields, key: key)
        }
        return state
    }

    private static func string(_ value: JSONValue?) -> String? {
        if case .string(let text) = value { text } else { nil }
    }

    private static func integer(_ value: JSONValue?) -> Int? {
        if case .integer(let number) = value { number } else { nil }
    }

    private static func record(_ f: [String: JSONValue], key: String) throws -> OrderRecord {
        func required(_ name: String) throws -> String {
            guard let value = string(f[name]) else { throw Malformed(description: "order \(key): \"\(name)\" is missing") }
            return value
        }
        var products: [ProductRecord] = []
        if case .array(let items)? = f["products"] {
            for item in items {
                guard case .object(let p) = item, let id = integer(p["id"]),
                    let identifier = string(p["identifier"]), let status = string(p["status"])
                else { throw Malformed(description: "order \(key): a product lacks id, identifier or status") }
                products.append(ProductRecord(id: id, identifier: identifier, status: status,
                                              message: string(p["message"]), output: string(p["output"])))
            }
        }
        var labels: [String: String] = [:]
        if case .object(let pairs)? = f["labels"] {
            for (name, value) in pairs { labels[name] = string(value) }
        }
        return OrderRecord(
            manifest: try required("manifest"), workflow: try required("workflow"), labels: labels,
            digest: try required("digest"), body: f["body"] ?? .null, name: try required("name"),
            attempt: integer(f["attempt"]) ?? 1, id: integer(f["id"]), status: try required("status"),
            message: string(f["message"]), products: products)
    }
}

extension ProductRecord {
    /// The product as the lock file and `report.json` write it.
    var jsonValue: JSONValue {
        .object([
            "id": .integer(id),
            "identifier": .string(identifier),
            "message": message.map { .string($0) } ?? .null,
            "output": output.map { .string($0) } ?? .null,
            "status": .string(status),
        ])
    }
}
