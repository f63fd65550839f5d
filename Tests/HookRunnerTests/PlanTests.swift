import HookManifest
import Testing

@testable import HookRunner

struct PlanTests {
    static func desired(_ key: String, digest: String = "d1", options: [String] = ["TEMPORARY"]) -> DesiredOrder {
        let body: JSONValue = .object([
            "Name": .string("hookctl-\(key)"), "WorkflowName": .string("data-harvest"),
            "WorkflowOptions": .array(options.map { .object(["Name": .string("output_storage"), "Value": .string($0)]) }),
        ])
        return DesiredOrder(key: key, manifest: "\(key).yaml", workflow: "data-harvest", labels: [:], digest: digest,
                            body: body, name: "hookctl-\(key)-\(digest)")
    }

    static func record(_ order: DesiredOrder, status: String, id: Int? = 1, products: [ProductRecord] = [], attempt: Int = 1)
        -> OrderRecord
    {
        OrderRecord(manifest: order.manifest, workflow: order.workflow, labels: [:], digest: order.digest, body: order.body,
                    name: order.name(attempt: attempt), attempt: attempt, id: id, status: status, products: products)
    }

    @Test func `each recorded situation gets its action`() {
        let fresh = Self.desired("fresh")
        let done = Self.desired("done")
        let running = Self.desired("running")
        let failed = Self.desired("failed")
        let halfFailed = Self.desired("half-failed")
        let changed = Self.desired("changed", digest: "d2", options: ["PRIVATE"])
        let pending = Self.desired("pending")
        var state = RunState()
        state.orders["done"] = Self.record(done, status: "completed", products: [.init(id: 1, identifier: "a", status: "completed")])
        state.orders["running"] = Self.record(running, status: "in_progress")
        state.orders["failed"] = Self.record(failed, status: "failed")
        state.orders["half-failed"] = Self.record(
            halfFailed, status: "completed",
            products: [.init(id: 1, identifier: "a", status: "completed"), .init(id: 2, identifier: "b", status: "failed")])
        state.orders["changed"] = Self.record(Self.desired("changed"), status: "completed")
        state.orders["pending"] = Self.record(pending, status: OrderRecord.submitting, id: nil)
        state.orders["gone"] = Self.record(Self.desired("gone"), status: "completed")
        state.orders["elsewhere"] = Self.record(Self.desired("elsewhere"), status: "completed")

        let plan = makePlan(desired: [fresh, done, running, failed, halfFailed, changed, pending], state: state) { key, _ in key == "gone" }
        let actions = Dictionary(uniqueKeysWithValues: plan.map { ($0.key, $0.action) })
        #expect(actions == [
            "fresh": .create, "done": .keep, "running": .resume, "failed": .retry, "half-failed": .retry,
            "changed": .replace, "pending": .resume, "gone": .remove,
        ])
        #expect(plan.map(\.key) == plan.map(\.key).sorted())
        #expect(plan.first { $0.key == "failed" }?.attempt == 2)
        #expect(plan.first { $0.key == "changed" }?.attempt == 1)
    }

    @Test func `a replaced body comes with a diff of what changed`() throws {
        let old = Self.desired("s2")
        let new = Self.desired("s2", digest: "d2", options: ["PRIVATE"])
        let state = RunState(orders: ["s2": Self.record(old, status: "completed")])
        let item = try #require(makePlan(desired: [new], state: state) { _, _ in false }.first)
        #expect(item.action == .replace)
        #expect(item.diff.contains(#"-       "Value": "TEMPORARY""#))
        #expect(item.diff.contains(#"+       "Value": "PRIVATE""#))
        #expect(item.diff.allSatisfy { !$0.contains("WorkflowName") })
    }

    @Test func `retries get their own deterministic order name`() {
        let order = Self.desired("s2")
        #expect(order.name(attempt: 1) == "hookctl-s2-d1")
        #expect(order.name(attempt: 3) == "hookctl-s2-d1-r3")
    }
}

struct LineDiffTests {
    @Test func `identical texts have no diff`() {
        #expect(LineDiff.lines(old: ["a", "b"], new: ["a", "b"]).isEmpty)
    }

    @Test func `far unchanged lines fold into an ellipsis`() {
        let old = (1...20).map(String.init)
        var new = old
        new[2] = "three"
        new[17] = "eighteen"
        let diff = LineDiff.lines(old: old, new: new, context: 1)
        #expect(diff == ["  2", "- 3", "+ three", "  4", "  ...", "  17", "- 18", "+ eighteen", "  19"])
    }
}
