import Foundation
import HookCore
import HookS3

/// The status values of orders and items on the wire.
enum OrderStatus: String, Sendable, Codable {
    case queued
    case inProgress = "in_progress"
    case completed
    case failed
    case cancelled

    var isTerminal: Bool { self == .completed || self == .failed || self == .cancelled }
}

/// An accepted batch order and its items, as the sandbox keeps (and persists) it.
/// Status is not stored: it follows from the clock (submission time and pace) and each item's recorded outcome.
struct Order: Sendable {
    struct Option: Sendable {
        var name: String
        var value: JSONValue
    }

    /// What processing an item produced.
    struct Outcome: Sendable {
        var succeeded: Bool
        var message: String
        var processedName: String?
        var size: Int?
        /// `s3://bucket/key` of a PRIVATE output.
        var output: String?
        var recordedMs: Int64
    }

    struct Item: Sendable {
        var id: Int
        var identifier: String
        var outcome: Outcome?
        var cancelled: Bool = false
        /// When this item's result shows; items of one order finish one after another within the pace.
        var doneMs: Int64? = nil
    }

    var id: Int
    var name: String
    var workflowName: String
    var workflowID: Int
    var workflowDisplayName: String
    var workflowVersion: String
    /// As accepted, with the `platform` and `version` options the service prepends.
    var options: [Option]
    var ownerID: String
    var ownerName: String
    var priority: Int
    var submittedMs: Int64
    var paceMs: Int64
    var cancelRequestedMs: Int64?
    var items: [Item]
    /// Time spent queued behind the owner's running orders (`--max-running`), before its own half pace of queueing.
    var queueDelayMs: Int64 = 0
    /// Time it runs past its `EstimatedDate` (`--overrun-rate`).
    var overrunMs: Int64 = 0

    var startMs: Int64 { submittedMs + paceMs / 2 + queueDelayMs }
    /// When it is really done.
    var doneMs: Int64 { submittedMs + paceMs + queueDelayMs + overrunMs }
    /// When the service says it will be done (`EstimatedDate`): an overrun is not foreseen.
    var estimatedMs: Int64 { submittedMs + paceMs + queueDelayMs }

    func option(_ name: String) -> JSONValue? { options.first { $0.name == name }?.value }
    func stringOption(_ name: String) -> String? { option(name)?.stringValue }

    var storage: String { stringOption("output_storage") ?? "TEMPORARY" }

    func status(of item: Item, now: Int64) -> OrderStatus {
        if item.cancelled { return .cancelled }
        if now < startMs { return .queued }
        guard let outcome = item.outcome, now >= (item.doneMs ?? doneMs) else { return .inProgress }
        return outcome.succeeded ? .completed : .failed
    }

    func completedMs(of item: Item) -> Int64? {
        guard let outcome = item.outcome else { return nil }
        return max(outcome.recordedMs, item.doneMs ?? doneMs)
    }

    /// The order's status: from its items' statuses.
    func status(now: Int64) -> OrderStatus {
        var queued = 0
        var running = 0
        var completed = 0
        var failed = 0
        var cancelled = 0
        for item in items {
            switch status(of: item, now: now) {
            case .queued: queued += 1
            case .inProgress: running += 1
            case .completed: completed += 1
            case .failed: failed += 1
            case .cancelled: cancelled += 1
            }
        }
        if cancelled == items.count { return .cancelled }
        if running > 0 { return .inProgress }
        if queued > 0 { return completed + failed > 0 ? .inProgress : .queued }
        if completed == items.count { return .completed }
        if failed > 0 { return .failed }
        return .cancelled
    }

    func statusMessage(now: Int64) -> String {
        switch status(now: now) {
        case .queued: return "request is queued for processing"
        case .inProgress: return "request is under processing"
        case .completed: return "requested output product is available"
        case .cancelled: return "request was cancelled"
        case .failed:
            let failures = items.filter { status(of: $0, now: now) == .failed }
            let first = failures.first?.outcome?.message ?? "processing failed"
            return items.count == 1 ? first : "\(failures.count) of \(items.count) items failed: \(first)"
        }
    }

    static func itemMessage(_ status: OrderStatus, outcome: Outcome?) -> String {
        switch status {
        case .queued: "request is queued for processing"
        case .inProgress: "request is under processing"
        case .completed: outcome?.message ?? "Processing finished successfully"
        case .failed: outcome?.message ?? "Processing failed"
        case .cancelled: "Processing cancelled"
        }
    }
}

/// Timestamps as the service writes them: UTC, millisecond precision, `Z`.
enum Timestamp {
    /// `2024-09-02T16:17:22.942Z` (civil-from-days; no Foundation formatter on the hot path).
    static func string(ms: Int64) -> String {
        let millis = Int(((ms % 1000) + 1000) % 1000)
        let totalSeconds = (ms - Int64(millis)) / 1000
        let days = Int(totalSeconds >= 0 ? totalSeconds / 86_400 : (totalSeconds - 86_399) / 86_400)
        let secondsOfDay = Int(totalSeconds - Int64(days) * 86_400)
        let (civilYear, civilMonth, civilDay) = SigV4Date.civil(fromDays: Int64(days))
        let (year, month, day) = (Int(civilYear), Int(civilMonth), Int(civilDay))
        var out: [UInt8] = []
        out.reserveCapacity(24)
        func put(_ value: Int, _ width: Int) {
            var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width)
            var v = value
            for i in stride(from: width - 1, through: 0, by: -1) {
                digits[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
            out += digits
        }
        put(year, 4)
        out.append(UInt8(ascii: "-"))
        put(month, 2)
        out.append(UInt8(ascii: "-"))
        put(day, 2)
        out.append(UInt8(ascii: "T"))
        put(secondsOfDay / 3600, 2)
        out.append(UInt8(ascii: ":"))
        put(secondsOfDay / 60 % 60, 2)
        out.append(UInt8(ascii: ":"))
        put(secondsOfDay % 60, 2)
        out.append(UInt8(ascii: "."))
        put(millis, 3)
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Milliseconds since 1970 of `date`: the unit every sandbox time is kept in.
    static func ms(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970 * 1000) }
}
