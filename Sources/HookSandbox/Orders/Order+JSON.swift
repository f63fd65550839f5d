import Crypto
import Foundation
import HookCore

/// The wire shapes of orders and items (HOOK-API 3.3, 3.4, 3.6, 3.9), keys in captured order.
extension Order {
    /// Secrets as the create response echoes them: Fernet-looking ciphertext (`gAAAAAB…`), never the value.
    func encryptedLooking(_ name: String, _ value: JSONValue) -> JSONValue {
        let digest = SHA256.hash(data: Array("sandbox-fernet:\(id):\(name):".utf8) + value.compactBytes)
        var bytes = [UInt8](repeating: 0, count: 9) + Array(digest) + Array(SHA256.hash(data: Array(digest)))
        bytes[0] = 0x80
        // URL-safe base64 (`+` and `/` as `-` and `_`), byte by byte rather than through Foundation's string search.
        let text = Data(bytes).base64EncodedString().utf8.dropFirst(7).map {
            $0 == UInt8(ascii: "+") ? UInt8(ascii: "-") : $0 == UInt8(ascii: "/") ? UInt8(ascii: "_") : $0
        }
        return .string("gAAAAAB" + String(decoding: text, as: UTF8.self))
    }

    func optionsJSON(secrets: SecretDisplay) -> JSONValue {
        .array(
            options.compactMap { option in
                if WorkflowCatalogue.isSecret(option.name) {
                    switch secrets {
                    case .omitted: return nil
                    case .encrypted: return .ordered([("Name", .string(option.name)), ("Value", encryptedLooking(option.name, option.value))])
                    case .masked: return .ordered([("Name", .string(option.name)), ("Value", .string("****"))])
                    }
                }
                return .ordered([("Name", .string(option.name)), ("Value", option.value)])
            })
    }

    enum SecretDisplay { case omitted, encrypted, masked }

    /// The BatchOrder entity (create response and `GET BatchOrder(N)`); `Summary` only on GET.
    func batchOrderJSON(now: Int64, created: Bool) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("Name", .string(name)), ("Priority", .integer(priority)), ("WorkflowName", .string(workflowName)),
            ("NotificationEndpoint", .null), ("NotificationEpUsername", .null), ("NotificationStatus", .null),
            ("WorkflowOptions", optionsJSON(secrets: .encrypted)), ("Id", .integer(id)),
            ("Status", .string(created ? OrderStatus.queued.rawValue : status(now: now).rawValue)),
            ("SubmissionDate", .string(Timestamp.string(ms: submittedMs))),
            ("EstimatedDate", created ? .null : .string(Timestamp.string(ms: estimatedMs))), ("KeycloakUUID", .string(ownerID)),
            ("WorkflowId", .integer(workflowID)), ("WorkflowDisplayName", .string(workflowDisplayName)), ("WorkflowVersion", .string(workflowVersion)),
        ]
        if !created { pairs.append(("Summary", summaryJSON(now: now))) }
        return .ordered(pairs)
    }

    func summaryJSON(now: Int64) -> JSONValue {
        var counts: [OrderStatus: Int] = [:]
        var last = submittedMs
        for item in items {
            let s = status(of: item, now: now)
            counts[s, default: 0] += 1
            switch s {
            case .queued: break
            case .inProgress: last = max(last, startMs)
            case .completed, .failed: last = max(last, completedMs(of: item) ?? doneMs)
            case .cancelled: last = max(last, cancelRequestedMs ?? submittedMs)
            }
        }
        return .ordered([
            ("status", .string(status(now: now).rawValue)),
            ("processing_order_items_count", .integer(counts[.inProgress] ?? 0)), ("downloading_order_items_count", .integer(0)),
            ("done_order_items_count", .integer(counts[.completed] ?? 0)), ("already_done_order_items_count", .integer(0)),
            ("queued_order_items_count", .integer(counts[.queued] ?? 0)),
            ("failed_or_cancelled_order_items_count", .integer((counts[.failed] ?? 0) + (counts[.cancelled] ?? 0))),
            ("last_order_item_change_timestamp", .string(Timestamp.string(ms: last))),
        ])
    }

    /// The ProductionOrder entity (`GET ProductionOrders`): string Id, secrets omitted, first identifier as reference.
    func productionOrderJSON(now: Int64) -> JSONValue {
        .ordered([
            ("Id", .string(String(id))), ("Status", .string(status(now: now).rawValue)), ("StatusMessage", .string(statusMessage(now: now))),
            ("SubmissionDate", .string(Timestamp.string(ms: submittedMs))), ("Name", .string(name)),
            ("EstimatedDate", .string(Timestamp.string(ms: estimatedMs))),
            ("InputProductReference", .ordered([("Reference", .string(items.first?.identifier ?? "")), ("ContentDate", .null)])),
            ("WorkflowOptions", optionsJSON(secrets: .omitted)), ("WorkflowName", .string(workflowName)), ("WorkflowId", .integer(workflowID)),
            ("Priority", .integer(priority)), ("NotificationEndpoint", .null), ("NotificationEpUsername", .null), ("NotificationStatus", .null),
        ])
    }

    /// The public temporary URL of an item's archive, as the real service gives it (see `TempURL`).
    func downloadLink(_ item: Item, baseURL: String, lifetime: Duration) -> String {
        TempURL.link(baseURL: baseURL, orderID: id, itemID: item.id, completedMs: completedMs(of: item) ?? submittedMs, lifetime: lifetime)
    }

    /// Whether a completed item's TEMPORARY output is past its lifetime at `now`.
    func hasExpired(_ item: Item, now: Int64, lifetime: Duration) -> Bool {
        (completedMs(of: item) ?? submittedMs) + lifetime.components.seconds * 1000 <= now
    }

    /// The BatchorderItem entity (`GET BatchOrder(N)/Products`).
    /// - Parameter linkLifetime: how long a `DownloadLink` stays valid after completion (`--temporary-ttl`).
    func itemJSON(_ item: Item, now: Int64, baseURL: String, linkLifetime: Duration) -> JSONValue {
        let s = status(of: item, now: now)
        let done = s == .completed || s == .failed
        let completed = s == .completed
        return .ordered([
            ("Id", .integer(item.id)), ("BatchOrderId", .integer(id)), ("InputProductReference", .string(item.identifier)),
            ("SubmissionDate", .string(Timestamp.string(ms: submittedMs))), ("Status", .string(s.rawValue)),
            ("ProcessedName", completed ? .string(item.outcome?.processedName) : .null),
            ("ProcessedSize", completed ? .integer(item.outcome?.size) : .null), ("OutputUUID", .null),
            ("StatusMessage", .string(Order.itemMessage(s, outcome: item.outcome))),
            ("CompletedDate", done ? .string(completedMs(of: item).map { Timestamp.string(ms: $0) }) : .null),
            ("DownloadLink", completed && storage != "PRIVATE" ? .string(downloadLink(item, baseURL: baseURL, lifetime: linkLifetime)) : .null),
            ("NotificationStatus", .null),
        ])
    }

    /// `GET /sandbox/orders` entry: secrets masked.
    func inspectionJSON(now: Int64) -> JSONValue {
        .ordered([
            ("Id", .integer(id)), ("Name", .string(name)), ("WorkflowName", .string(workflowName)), ("Status", .string(status(now: now).rawValue)),
            ("IdentifierList", .array(items.map { .string($0.identifier) })),
            ("WorkflowOptions", optionsJSON(secrets: .masked)),
        ])
    }
}
