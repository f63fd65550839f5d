import Foundation
import HookManifest
import Testing

@testable import HookRunner

struct ReportTests {
    static func state() -> RunState {
        var state = StateTests.sample()
        state.orders["b#2"]?.status = "failed"
        state.orders["b#2"]?.id = 8
        state.orders["b#2"]?.message = "processing failed"
        state.orders["b#2"]?.products = [.init(id: 80, identifier: "S1A <bad> & \"odd\"", status: "failed", message: "product not found")]
        state.orders["c"] = OrderRecord(manifest: "c.yaml", workflow: "lai", labels: [:], digest: "x", body: .null, name: "n",
                                        attempt: 1, id: 9, status: "in_progress")
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
        #expect(Set(product.keys).isSuperset(of: ["id", "status", "message", "output"]))
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
        #expect(junit.contains("S1A &lt;bad&gt; &amp; &quot;odd&quot;: failed: product not found"))
        #expect(junit.contains(#"<skipped message="timed out while in_progress"/>"#))
    }

    @Test func `markdown lists failures with their status messages`() {
        let markdown = Report(state: Self.state()).markdown
        #expect(markdown.contains("| b#2 | lai | failed | 0/1 completed | 8 |"))
        #expect(markdown.contains("- **b#2** (`b.yaml`): processing failed"))
        #expect(markdown.contains("3 orders: 1 completed, 1 failed, 1 in_progress"))
    }
}
