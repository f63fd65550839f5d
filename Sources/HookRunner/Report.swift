import Foundation
import HookCore
import HookManifest

/// The run's results, built from the state alone, so the same state always gives the same bytes.
public struct Report: Sendable {
    public private(set) var orders: [(key: String, record: OrderRecord)]
    /// What each order's attempts come to, worked out once per order (every format needs it, some several times).
    private let derived: [Derived]
    /// Orders that timed out in this run (shown as such in the text formats; the JSON keeps the service status).
    public var timedOut: Set<String>
    /// With `--timings`: how long this run waited for each order. Reports carry times only when asked, since times
    /// make them differ from run to run.
    public var timings: [String: Duration]?

    public init(state: RunState, keys: [String]? = nil, timedOut: Set<String> = [], timings: [String: Duration]? = nil) {
        let chosen = keys.map(Set.init)
        orders = state.orders.filter { chosen?.contains($0.key) ?? true }.sorted { $0.key < $1.key }
            .map { (key: $0.key, record: $0.value) }
        derived = orders.map { Derived($0.record) }
        self.timedOut = timedOut
        self.timings = timings
    }

    /// An order's outcome per identifier and whether it succeeded (`OrderRecord.outcomes`, `isSuccessful`).
    private struct Derived: Sendable {
        var outcomes: [ProductOutcome]
        var isSuccessful: Bool
        var reportedStatus: OrderStatus

        init(_ record: OrderRecord) {
            outcomes = record.outcomes
            isSuccessful = record.isSuccessful(outcomes: outcomes)
            reportedStatus = isSuccessful ? .completed : record.status
        }
    }

    /// The orders with what their attempts come to, in report order.
    private var rows: some Sequence<(key: String, record: OrderRecord, derived: Derived)> {
        zip(orders, derived).lazy.map { (key: $0.0.key, record: $0.0.record, derived: $0.1) }
    }

    private func seconds(_ key: String) -> Double? {
        guard let duration = timings?[key] else { return nil }
        return ((Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18) * 1000).rounded() / 1000
    }

    /// Orders by status, plus `total`; `completed` and `failed` are always present.
    public var summary: [String: Int] {
        var counts = ["completed": 0, "failed": 0]
        for order in derived { counts[order.reportedStatus.rawValue, default: 0] += 1 }
        counts["total"] = orders.count
        return counts
    }

    /// Keys of orders that failed: a terminal status other than completed, or a completed order with failed items.
    public var failures: [String] {
        rows.filter { $0.record.isFinished && !$0.derived.isSuccessful }.map(\.key)
    }

    /// `report.json`: SPEC section 4's shape, canonical JSON.
    public var json: String {
        let items: [JSONValue] = rows.map { key, record, derived in
            var fields: [String: JSONValue] = [
                "id": record.id.map { .integer($0) } ?? .null,
                "key": .string(key),
                "labels": .object(record.labels.mapValues { .string($0) }),
                "manifest": .string(record.manifest),
                "message": record.message.map { .string($0) } ?? .null,
                "name": .string(record.name),
                "products": .array(derived.outcomes.map(\.jsonValue)),
                "status": .string(derived.reportedStatus.rawValue),
                "workflow": .string(record.workflow),
            ]
            if let seconds = seconds(key) { fields["waitedSeconds"] = .number(seconds) }
            return .object(fields)
        }
        return CanonicalJSON.string(.object(["orders": .array(items), "summary": .object(summary.mapValues { .integer($0) })]))
    }

    /// `report.md`: a summary line, one table row per order, and the messages of what failed.
    public var markdown: String {
        var lines = ["# hookctl report", "", summaryLine, ""]
        let timed = timings != nil
        lines.append("| Order | Workflow | Status | Products | Id |" + (timed ? " Waited |" : ""))
        lines.append("|---|---|---|---|---|" + (timed ? "---|" : ""))
        for (key, record, derived) in rows {
            let outcomes = derived.outcomes
            let done = outcomes.filter { $0.product.status == "completed" }.count
            let products = outcomes.isEmpty ? "-" : "\(done)/\(outcomes.count) completed"
            let waited = timed ? " \(seconds(key).map { "\($0) s" } ?? "-") |" : ""
            lines.append(
                "| \(escape(key)) | \(escape(record.workflow)) | \(statusText(key, record, derived)) | \(products) | \(record.id.map(String.init) ?? "-") |"
                    + waited)
        }
        let failed = Set(failures)
        if !failed.isEmpty {
            lines += ["", "## Failures", ""]
            for (key, record, derived) in rows where failed.contains(key) {
                lines.append("- **\(escape(key))** (`\(record.manifest)`): \(escape(record.message ?? record.status.rawValue))")
                for outcome in derived.outcomes where outcome.product.status != "completed" {
                    let product = outcome.product
                    lines.append("  - `\(product.identifier)`: \(product.status)\(product.message.map { ": " + escape($0) } ?? "")\(attemptNote(outcome))")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `junit.xml`: one test case per order; failures carry the service's status messages.
    public var junit: String {
        let failed = Set(failures)
        let skipped = orders.filter { !$0.record.isFinished }.count
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<testsuites name="hookctl" tests="\#(orders.count)" failures="\#(failed.count)" skipped="\#(skipped)">"#,
            #"  <testsuite name="hookctl" tests="\#(orders.count)" failures="\#(failed.count)" skipped="\#(skipped)">"#,
        ]
        for (key, record, derived) in rows {
            let time = seconds(key).map { #" time="\#($0)""# } ?? ""
            let open = #"    <testcase classname="\#(xml(record.manifest))" name="\#(xml(key))"\#(time)"#
            if failed.contains(key) {
                let detail =
                    ([record.message ?? record.status.rawValue]
                    + derived.outcomes.filter { $0.product.status != .completed }
                    .map { "\($0.product.identifier): \($0.product.status)\($0.product.message.map { ": " + $0 } ?? "")\(attemptNote($0))" })
                    .joined(separator: "\n")
                lines.append(open + ">")
                lines.append(
                    #"      <failure message="\#(xml(record.message ?? record.status.rawValue))" type="\#(xml(record.status.rawValue))">\#(xml(detail))</failure>"#
                )
                lines.append("    </testcase>")
            } else if !record.isFinished {
                lines.append(open + ">")
                lines.append(#"      <skipped message="\#(xml(timedOut.contains(key) ? "timed out while \(record.status)" : record.status.rawValue))"/>"#)
                lines.append("    </testcase>")
            } else {
                lines.append(open + "/>")
            }
        }
        lines += ["  </testsuite>", "</testsuites>"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// A plain-text table for terminals.
    public var table: String {
        let header = ["ORDER", "WORKFLOW", "STATUS", "PRODUCTS", "ID"]
        let rows = rows.map { key, record, derived -> [String] in
            let outcomes = derived.outcomes
            let done = outcomes.filter { $0.product.status == "completed" }.count
            return [
                key, record.workflow, statusText(key, record, derived),
                outcomes.isEmpty ? "-" : "\(done)/\(outcomes.count)", record.id.map(String.init) ?? "-",
            ]
        }
        return TextTable.render([header] + rows) + "\n" + summaryLine + "\n"
    }

    /// "3 orders: 2 completed, 1 failed".
    public var summaryLine: String {
        let counts = summary.filter { $0.key != "total" && $0.value > 0 }.sorted { $0.key < $1.key }
            .map { "\($0.value) \($0.key)" }
        return "\(orders.count) order\(orders.count == 1 ? "" : "s")" + (counts.isEmpty ? "" : ": " + counts.joined(separator: ", "))
    }

    private func statusText(_ key: String, _ record: OrderRecord, _ derived: Derived) -> String {
        timedOut.contains(key) ? "\(record.status) (timed out)" : derived.reportedStatus.rawValue
    }

    /// " (attempt 2)" for an outcome of a retry; nothing for a first attempt's.
    private func attemptNote(_ outcome: ProductOutcome) -> String {
        outcome.attempt > 1 ? " (attempt \(outcome.attempt))" : ""
    }
}

private func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
}

private func xml(_ text: String) -> String { MarkupEntities.encode(text) }

extension ProductOutcome {
    /// A product as `report.json` writes it: the identifier's latest outcome and the attempt that produced it.
    var jsonValue: JSONValue {
        guard case .object(var fields) = product.jsonValue else { return product.jsonValue }
        fields["attempt"] = .integer(attempt)
        // Reports carry no instants (SPEC 4); `outputs` and `status` tell of expiry.
        fields["expires"] = nil
        return .object(fields)
    }
}
