import Foundation
import HookManifest

/// The lock file's JSON shape: `{"orders": {KEY: {...}}, "version": 2}`, canonical (sorted keys, two-space indent).
/// Version 1 (one attempt per order, its fields inline) is read and upgraded; the next write is version 2.
enum RunStateCodec {
    static let version = 2

    static func encode(_ state: RunState) -> String {
        CanonicalJSON.string(.object(["orders": .object(state.orders.mapValues(encode)), "version": .integer(version)]))
    }

    static func encode(_ record: OrderRecord) -> JSONValue {
        .object([
            "attempts": .array(record.attempts.map(encode)),
            "body": record.body,
            "digest": .string(record.digest),
            "labels": .object(record.labels.mapValues { .string($0) }),
            "manifest": .string(record.manifest),
            "workflow": .string(record.workflow),
        ])
    }

    private static func encode(_ attempt: Attempt) -> JSONValue {
        var fields: [String: JSONValue] = [
            "attempt": .integer(attempt.number),
            "id": attempt.id.map { .integer($0) } ?? .null,
            "identifiers": .array(attempt.identifiers.map { .string($0) }),
            "name": .string(attempt.name),
            "products": .array(attempt.products.map(\.jsonValue)),
            "status": .string(attempt.status),
        ]
        if let message = attempt.message { fields["message"] = .string(message) }
        return .object(fields)
    }

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    /// The state, and the version of the file it was read from.
    static func decode(_ data: Data) throws -> (RunState, version: Int) {
        let root: JSONValue
        do { root = try JSONReader.parse([UInt8](data)) } catch { throw Malformed(description: error.description) }
        guard case .object(let top) = root, case .object(let entries)? = top["orders"] else {
            throw Malformed(description: "no \"orders\" object")
        }
        let version = integer(top["version"]) ?? 1
        guard (1...Self.version).contains(version) else {
            throw Malformed(description: "lock file version \(version) is newer than this hookctl reads (\(Self.version)); upgrade hookctl")
        }
        var state = RunState()
        for (key, value) in entries {
            guard case .object(let fields) = value else { throw Malformed(description: "order \(key) is not an object") }
            state.orders[key] = try record(fields, key: key)
        }
        return (state, version)
    }

    private static func string(_ value: JSONValue?) -> String? {
        if case .string(let text) = value { text } else { nil }
    }

    private static func integer(_ value: JSONValue?) -> Int? {
        if case .integer(let number) = value { number } else { nil }
    }

    /// One order entry, of either version: version 1 kept a single attempt's fields (`name`, `attempt`, `id`,
    /// `status`, `message`, `products`) in the entry itself, and its identifiers only in the body.
    static func record(_ f: [String: JSONValue], key: String) throws -> OrderRecord {
        func required(_ name: String, in fields: [String: JSONValue]) throws -> String {
            guard let value = string(fields[name]) else { throw Malformed(description: "order \(key): \"\(name)\" is missing") }
            return value
        }
        let body = f["body"] ?? .null
        var attempts: [Attempt] = []
        if case .array(let list)? = f["attempts"] {
            for case .object(let a) in list {
                attempts.append(Attempt(
                    number: integer(a["attempt"]) ?? attempts.count + 1, name: try required("name", in: a),
                    identifiers: strings(a["identifiers"]), id: integer(a["id"]), status: try required("status", in: a),
                    message: string(a["message"]), products: try products(a["products"], key: key)))
            }
            guard !attempts.isEmpty else { throw Malformed(description: "order \(key): \"attempts\" is empty") }
        } else {
            var identifiers: [String] = []
            if case .object(let fields) = body { identifiers = strings(fields["IdentifierList"]) }
            attempts = [Attempt(
                number: integer(f["attempt"]) ?? 1, name: try required("name", in: f), identifiers: identifiers,
                id: integer(f["id"]), status: try required("status", in: f), message: string(f["message"]),
                products: try products(f["products"], key: key))]
        }
        var labels: [String: String] = [:]
        if case .object(let pairs)? = f["labels"] {
            for (name, value) in pairs { labels[name] = string(value) }
        }
        return OrderRecord(
            manifest: try required("manifest", in: f), workflow: try required("workflow", in: f), labels: labels,
            digest: try required("digest", in: f), body: body, attempts: attempts)
    }

    private static func strings(_ value: JSONValue?) -> [String] {
        guard case .array(let items)? = value else { return [] }
        return items.compactMap(string)
    }

    private static func products(_ value: JSONValue?, key: String) throws -> [ProductRecord] {
        guard case .array(let items)? = value else { return [] }
        return try items.map { item in
            guard case .object(let p) = item, let identifier = string(p["identifier"]), let status = string(p["status"])
            else { throw Malformed(description: "order \(key): a product lacks its identifier or status") }
            return ProductRecord(id: integer(p["id"]), identifier: identifier, status: status,
                                 message: string(p["message"]), output: string(p["output"]))
        }
    }
}

extension ProductRecord {
    /// The product as the lock file writes it.
    var jsonValue: JSONValue {
        .object([
            "id": id.map { .integer($0) } ?? .null,
            "identifier": .string(identifier),
            "message": message.map { .string($0) } ?? .null,
            "output": output.map { .string($0) } ?? .null,
            "status": .string(status),
        ])
    }
}
