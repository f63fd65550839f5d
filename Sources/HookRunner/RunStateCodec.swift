import Foundation
import HookCore
import HookManifest

/// The lock file's JSON shape: `{"orders": {KEY: {...}}, "version": 2}`, canonical (sorted keys, two-space indent).
/// Version 1 (one attempt per order, its fields inline) is read and upgraded; the next write is version 2.
enum RunStateCodec {
    static let version = 2
    /// The highest attempt number read: far beyond any real retry count, far below an overflow.
    static let maxAttempt = 1_000_000

    /// The lock file's text. Written out here rather than through one `JSONValue` so each body's text goes in as it
    /// is; the bytes are exactly `CanonicalJSON`'s for the same document.
    static func encode(_ state: RunState) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(state.orders.count * 2048 + 64)
        out.append(contentsOf: "{\n  \"orders\": ".utf8)
        if state.orders.isEmpty {
            out.append(contentsOf: "{}".utf8)
        } else {
            out.append(UInt8(ascii: "{"))
            let keys = state.orders.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (index, key) in keys.enumerated() {
                guard let record = state.orders[key] else { continue }
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: "\n    ".utf8)
                CanonicalJSON.writeString(key, into: &out)
                out.append(contentsOf: ": ".utf8)
                write(record, indent: 2, into: &out)
            }
            out.append(contentsOf: "\n  }".utf8)
        }
        out.append(contentsOf: ",\n  \"version\": \(version)\n}\n".utf8)
        return String(decoding: out, as: UTF8.self)
    }

    /// One order entry nested `indent` levels deep, its keys in canonical (sorted) order.
    private static func write(_ record: OrderRecord, indent: Int, into out: inout [UInt8]) {
        let pad = String(repeating: "  ", count: indent + 1)
        func member(_ name: String, first: Bool = false) {
            out.append(contentsOf: ((first ? "{\n" : ",\n") + pad + "\"\(name)\": ").utf8)
        }
        member("attempts", first: true)
        CanonicalJSON.write(.array(record.attempts.map(encode)), indent: indent + 1, into: &out)
        member("body")
        record.body.write(indent: indent + 1, into: &out)
        for (name, value) in (fields(record) + summary(record)).sorted(by: { $0.0 < $1.0 }) {
            member(name)
            CanonicalJSON.write(value, indent: indent + 1, into: &out)
        }
        out.append(contentsOf: ("\n" + String(repeating: "  ", count: indent) + "}").utf8)
    }

    /// The entry's own fields after `attempts` and `body`, in key order.
    private static func fields(_ record: OrderRecord) -> [(String, JSONValue)] {
        [
            ("digest", .string(record.digest)),
            ("labels", .object(record.labels.mapValues { .string($0) })),
            ("manifest", .string(record.manifest)),
            ("workflow", .string(record.workflow)),
        ]
    }

    /// What the entry says of the order as a whole, derived from its attempts (and so not read back): the latest
    /// attempt's name and id, and the order's status as `report.json` gives it (SPEC section 4 describes an entry so;
    /// each product's id, status and output are in the attempt that produced it).
    private static func summary(_ record: OrderRecord) -> [(String, JSONValue)] {
        [
            ("id", record.id.map { .integer($0) } ?? .null),
            ("name", .string(record.name)),
            ("status", .string(record.reportedStatus.rawValue)),
        ]
    }

    /// One journal record: the entry on one line, its body as a string holding the body's canonical text.
    static func journalLine(key: String, record: OrderRecord?) -> [UInt8] {
        let order: JSONValue =
            record.map { record in
                var members = Dictionary(uniqueKeysWithValues: fields(record))
                members["attempts"] = .array(record.attempts.map(encode))
                members["body"] = .string(record.body.text)
                return .object(members)
            } ?? .null
        return CanonicalJSON.line(.object(["key": .string(key), "order": order]))
    }

    private static func encode(_ attempt: Attempt) -> JSONValue {
        var fields: [String: JSONValue] = [
            "attempt": .integer(attempt.number),
            "id": attempt.id.map { .integer($0) } ?? .null,
            "identifiers": .array(attempt.identifiers.map { .string($0) }),
            "name": .string(attempt.name),
            "products": .array(attempt.products.map(\.jsonValue)),
            "status": .string(attempt.status.rawValue),
        ]
        if let message = attempt.message { fields["message"] = .string(message) }
        return .object(fields)
    }

    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    /// The state, and the version of the file it was read from.
    static func decode(_ bytes: [UInt8]) throws -> (RunState, version: Int) {
        var state = RunState()
        let pool = StringPool()
        let top: [String: JSONValue]
        do {
            // Entries are read one at a time: the whole file is never held as a tree.
            top = try JSONReader.parseObject(bytes, streaming: "orders") { key, value in
                guard case .object(let fields) = value else { throw Malformed(description: "order \(key) is not an object") }
                state.orders[key] = try record(fields, key: key, pool: pool)
            }
        } catch let error as JSONReader.Failure {
            throw Malformed(description: error.description)
        }
        guard case .object? = top["orders"] else { throw Malformed(description: "no \"orders\" object") }
        let version = integer(top["version"]) ?? 1
        guard (1...Self.version).contains(version) else {
            throw Malformed(description: "lock file version \(version) is newer than this hookctl reads (\(Self.version)); upgrade hookctl")
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
    /// - Parameters:
    ///   - pool: shares one copy of the texts many entries repeat (paths, statuses, messages).
    ///   - fromJournal: the journal writes the body as its canonical text, the lock file as an object.
    static func record(
        _ f: [String: JSONValue], key: String, pool: StringPool = StringPool(), fromJournal: Bool = false
    ) throws -> OrderRecord {
        func required(_ name: String, in fields: [String: JSONValue]) throws -> String {
            guard let value = string(fields[name]) else { throw Malformed(description: "order \(key): \"\(name)\" is missing") }
            return value
        }
        let body = f["body"] ?? .null
        let text: BodyText
        switch (body, fromJournal) {
        case (.string(let canonical), true): text = BodyText(canonical: canonical)
        case (.object, false), (.null, false): text = BodyText(body)
        default: throw Malformed(description: "order \(key): \"body\" is not \(fromJournal ? "a body's text" : "an object")")
        }
        var attempts: [Attempt] = []
        if case .array(let list)? = f["attempts"] {
            for case .object(let a) in list {
                let identifiers = strings(a["identifiers"])
                attempts.append(
                    Attempt(
                        number: integer(a["attempt"]) ?? attempts.count + 1, name: try required("name", in: a),
                        identifiers: identifiers, id: integer(a["id"]), status: OrderStatus(rawValue: pool(try required("status", in: a))),
                        message: pool(string(a["message"])),
                        products: try products(a["products"], key: key, identifiers: identifiers, pool: pool)))
            }
            guard !attempts.isEmpty else { throw Malformed(description: "order \(key): \"attempts\" is empty") }
        } else {
            var identifiers: [String] = []
            if case .object(let fields) = body { identifiers = strings(fields["IdentifierList"]) }
            attempts = [
                Attempt(
                    number: integer(f["attempt"]) ?? 1, name: try required("name", in: f), identifiers: identifiers,
                    id: integer(f["id"]), status: OrderStatus(rawValue: pool(try required("status", in: f))), message: pool(string(f["message"])),
                    products: try products(f["products"], key: key, identifiers: identifiers, pool: pool))
            ]
        }
        // Attempt numbers name the orders sent (`-rN`): each must be a plausible count, and each above the last.
        for (index, attempt) in attempts.enumerated()
        where !(1...Self.maxAttempt).contains(attempt.number) || (index > 0 && attempt.number <= attempts[index - 1].number) {
            throw Malformed(description: "order \(key): attempt number \(attempt.number) is out of order")
        }
        var labels: [String: String] = [:]
        if case .object(let pairs)? = f["labels"] {
            for (name, value) in pairs { labels[name] = string(value) }
        }
        return OrderRecord(
            manifest: pool(try required("manifest", in: f)), workflow: pool(try required("workflow", in: f)), labels: labels,
            digest: try required("digest", in: f), body: text,
            output: outputLocation(ofBody: fromJournal ? text.value : body), attempts: attempts)
    }

    /// Where a recorded body sends its outputs, read from its `output_storage` and `output_s3_path` options (the
    /// lock file keeps the body, not the manifest's storage).
    static func outputLocation(ofBody body: JSONValue) -> OutputLocation {
        guard case .object(let fields) = body, case .array(let options)? = fields["WorkflowOptions"] else { return .temporary }
        var values: [String: String] = [:]
        for case .object(let option) in options {
            if case .string(let name)? = option["Name"], case .string(let value)? = option["Value"] { values[name] = value }
        }
        guard values["output_storage"] == "PRIVATE", let path = values["output_s3_path"], path.hasPrefix("s3://") else {
            return .temporary
        }
        let rest = path.dropFirst("s3://".count)
        let bucket = rest.prefix { $0 != "/" }
        let prefix = rest.dropFirst(bucket.count).drop { $0 == "/" }
        return .s3(bucket: String(bucket), prefix: String(prefix))
    }

    private static func strings(_ value: JSONValue?) -> [String] {
        guard case .array(let items)? = value else { return [] }
        return items.compactMap(string)
    }

    /// An attempt's products; each identifier shares the attempt's copy of it.
    private static func products(_ value: JSONValue?, key: String, identifiers: [String], pool: StringPool) throws -> [ProductRecord] {
        guard case .array(let items)? = value else { return [] }
        let attempted = identifiers.count == 1 ? [:] : Dictionary(identifiers.map { ($0, $0) }) { first, _ in first }
        return try items.map { item in
            guard case .object(let p) = item, let identifier = string(p["identifier"]), let status = string(p["status"])
            else { throw Malformed(description: "order \(key): a product lacks its identifier or status") }
            let shared = identifiers.count == 1 && identifiers[0] == identifier ? identifiers[0] : attempted[identifier] ?? identifier
            var size: Int64?
            if let bytes = integer(p["size"]) { size = Int64(bytes) }
            return ProductRecord(
                id: integer(p["id"]), identifier: shared, status: OrderStatus(rawValue: pool(status)),
                message: pool(string(p["message"])), output: string(p["output"]),
                expires: string(p["expires"]).flatMap { try? Date($0, strategy: .iso8601) }, sha256: string(p["sha256"]), size: size,
                mirror: string(p["mirror"]), processedSize: integer(p["processedSize"]).map(Int64.init))
        }
    }
}

/// Hands out one copy of each text it is given, so texts repeated across thousands of entries are stored once.
final class StringPool {
    private var seen: Set<String> = []

    func callAsFunction(_ text: String) -> String {
        if let known = seen.firstIndex(of: text) { return seen[known] }
        seen.insert(text)
        return text
    }

    func callAsFunction(_ text: String?) -> String? { text.map { self($0) } }
}

extension ProductRecord {
    /// The product as the lock file writes it.
    var jsonValue: JSONValue {
        var fields: [String: JSONValue] = [
            "id": id.map { .integer($0) } ?? .null,
            "identifier": .string(identifier),
            "message": message.map { .string($0) } ?? .null,
            "output": output.map { .string($0) } ?? .null,
            "status": .string(status.rawValue),
        ]
        // Only what is known: a lock file without downloads or expiries reads as it always did.
        if let expires { fields["expires"] = .string(expires.formatted(.iso8601)) }
        if let sha256 { fields["sha256"] = .string(sha256) }
        if let size { fields["size"] = .integer(Int(size)) }
        if let mirror { fields["mirror"] = .string(mirror) }
        if let processedSize { fields["processedSize"] = .integer(Int(processedSize)) }
        return .object(fields)
    }
}
