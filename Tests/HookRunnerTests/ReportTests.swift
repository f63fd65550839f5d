import Foundation
import HookCore
import HookManifest
import Testing

@testable import HookRunner

struct ReportTests {
    static func state() -> RunState {
        var state = StateTests.sample()
        state.orders["b#2"]?.attempts[0].identifiers = ["S1A <bad> & \"odd\""]
        state.orders["b#2"]?.latest = Attempt(
            number: 2, name: "hookctl-b-2-x-r2", identifiers: ["S1A <bad> & \"odd\""], id: 8, status: "failed",
            message: "processing failed",
            products: [.init(id: 80, identifier: "S1A <bad> & \"odd\"", status: "failed", message: "product not found")])
        state.orders["c"] = OrderRecord(
            manifest: "c.yaml", workflow: "lai", labels: [:], digest: "x", body: BodyText(.null),
            attempts: [Attempt(number: 1, name: "n", identifiers: ["C"], id: 9, status: "in_progress")])
        return state
    }

    @Test func `report.json has SPEC's shape, sorted by key`() throws {
        let report = Report(state: Self.state())
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any])
        let orders = try #require(json["orders"] as? [[String: Any]])
        #expect(orders.map { $0["key"] as? String } == ["a", "b#2", "c"])
        for order in orders {
            #expect(Set(order.keys).isSuperset(of: ["key", "manifest", "name", "id", "workflow", "status", "products"]))
        }
        let product = try #require((orders[1]["products"] as? [[String: Any]])?.first)
        #expect(Set(product.keys).isSuperset(of: ["id", "status", "message", "output", "attempt"]))
        #expect(product["attempt"] as? Int == 2)
        #expect(orders[1]["name"] as? String == "hookctl-b-2-x-r2")
        #expect(orders[1]["id"] as? Int == 8)
        #expect(json["summary"] as? [String: Int] == ["completed": 1, "failed": 1, "in_progress": 1, "total": 3])
    }

    @Test func `the same state always gives the same bytes`() {
        #expect(Report(state: Self.state()).json == Report(state: Self.state()).json)
        #expect(Report(state: Self.state()).markdown == Report(state: Self.state()).markdown)
        #expect(Report(state: Self.state()).junit == Report(state: Self.state()).junit)
    }

    @Test func `junit has one case per order and the failure's messages, escaped`() {
        let junit = Report(state: Self.state(), timedOut: ["c"]).junit
        #expect(junit.contains(#"<testsuites name="hookctl" tests="3" failures="1" skipped="1">"#))
        #expect(junit.contains(#"<testcase classname="a.yaml" name="a"/>"#))
        #expect(junit.contains(#"<failure message="processing failed" type="failed">"#))
        #expect(junit.contains("S1A &lt;bad&gt; &amp; &quot;odd&quot;: failed: product not found (attempt 2)"))
        #expect(junit.contains(#"<skipped message="timed out while in_progress"/>"#))
    }

    @Test func `markdown lists failures with their status messages`() {
        let markdown = Report(state: Self.state()).markdown
        #expect(markdown.contains("| b#2 | lai | failed | 0/1 completed | 8 |"))
        #expect(markdown.contains("- **b#2** (`b.yaml`): processing failed"))
        #expect(markdown.contains("3 orders: 1 completed, 1 failed, 1 in_progress"))
    }

    @Test func `each identifier shows its latest outcome, and the order completes when all have`() throws {
        let order = PlanTests.desired("s2", identifiers: ["A", "B"])
        var record = PlanTests.record(
            order, status: "completed", id: 5,
            products: [
                ProductRecord(id: 1, identifier: "A", status: "completed"), ProductRecord(id: 2, identifier: "B", status: "failed"),
            ])
        record.attempts.append(
            Attempt(
                number: 2, name: order.name(attempt: 2), identifiers: ["B"], id: 6, status: "completed",
                products: [ProductRecord(id: 3, identifier: "B", status: "completed")]))
        let report = Report(state: RunState(orders: ["s2": record]))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any])
        let entry = try #require((json["orders"] as? [[String: Any]])?.first)
        #expect(entry["status"] as? String == "completed")
        #expect(entry["id"] as? Int == 6)
        let products = try #require(entry["products"] as? [[String: Any]])
        #expect(products.map { $0["identifier"] as? String } == ["A", "B"])
        #expect(products.map { $0["attempt"] as? Int } == [1, 2])
        #expect(products.map { $0["status"] as? String } == ["completed", "completed"])
        #expect(report.failures.isEmpty)
    }
}

struct TextTableTests {
    @Test func `columns are padded to their widest cell, two spaces apart, with no trailing spaces`() {
        let text = TextTable.render([["A", "BB", "C"], ["long", "x", ""], ["y", "zzz", "w"]])
        #expect(text == "A     BB   C\nlong  x\ny     zzz  w\n")
        #expect(TextTable.render([]) == "")
    }
}
