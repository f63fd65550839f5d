import HookCore
import HookManifest
import Testing

@testable import HookRunner

struct PlanTests {
    static func desired(
        _ key: String, digest: String = "d1", options: [String] = ["TEMPORARY"], identifiers: [String] = ["S2A_X.SAFE"],
        retryAll: Bool = false
    ) -> DesiredOrder {
        let body: JSONValue = .object([
            "Name": .string("hookctl-\(key)"), "WorkflowName": .string("data-harvest"),
            "IdentifierList": .array(identifiers.map { .string($0) }),
            "WorkflowOptions": .array(options.map { .object(["Name": .string("output_storage"), "Value": .string($0)]) }),
        ])
        return DesiredOrder(
            key: key, manifest: "\(key).yaml", workflow: "data-harvest", labels: [:], digest: digest,
            renderedBody: CanonicalJSON.bytes(body), identifiers: identifiers, name: "hookctl-\(key)-\(digest)", retryAll: retryAll)
    }

    /// A record of one attempt of `order` with every identifier; products default to one per identifier when the
    /// status is terminal (completed items for `completed`, failed ones otherwise).
    static func record(_ order: DesiredOrder, status: OrderStatus, id: Int? = 1, products: [ProductRecord]? = nil, attempt: Int = 1)
        -> OrderRecord
    {
        let items =
            products
            ?? (status.isTerminal
                ? order.identifiers.enumerated().map {
                    ProductRecord(id: $0.offset, identifier: $0.element, status: status == .completed ? .completed : .failed)
                }
                : [])
        return OrderRecord(
            manifest: order.manifest, workflow: order.workflow, labels: [:], digest: order.digest, body: BodyText(order.body),
            attempts: [
                Attempt(
                    number: attempt, name: order.name(attempt: attempt), identifiers: order.identifiers, id: id,
                    status: status, products: items)
            ])
    }

    @Test func `each recorded situation gets its action`() {
        let fresh = Self.desired("fresh")
        let done = Self.desired("done")
        let running = Self.desired("running")
        let failed = Self.desired("failed")
        let halfFailed = Self.desired("half-failed", identifiers: ["a", "b"])
        let changed = Self.desired("changed", digest: "d2", options: ["PRIVATE"])
        let pending = Self.desired("pending")
        var state = RunState()
        state.orders["done"] = Self.record(done, status: "completed")
        state.orders["running"] = Self.record(running, status: "in_progress")
        state.orders["failed"] = Self.record(failed, status: "failed")
        state.orders["half-failed"] = Self.record(
            halfFailed, status: "completed",
            products: [.init(id: 1, identifier: "a", status: "completed"), .init(id: 2, identifier: "b", status: "failed")])
        state.orders["changed"] = Self.record(Self.desired("changed"), status: "completed")
        state.orders["pending"] = Self.record(pending, status: OrderStatus.submitting, id: nil)
        state.orders["gone"] = Self.record(Self.desired("gone"), status: "completed")
        state.orders["elsewhere"] = Self.record(Self.desired("elsewhere"), status: "completed")

        let plan = makePlan(desired: [fresh, done, running, failed, halfFailed, changed, pending], state: state) { key, _ in key == "gone" }
        let actions = Dictionary(uniqueKeysWithValues: plan.map { ($0.key, $0.action) })
        #expect(
            actions == [
                "fresh": .create, "done": .keep, "running": .resume, "failed": .retry, "half-failed": .retry,
                "changed": .replace, "pending": .resume, "gone": .remove,
            ])
        #expect(plan.map(\.key) == plan.map(\.key).sorted())
        #expect(plan.first { $0.key == "failed" }?.attempt == 2)
        #expect(plan.first { $0.key == "changed" }?.attempt == 1)
        #expect(plan.first { $0.key == "half-failed" }?.identifiers == ["b"])
    }

    @Test func `a retry takes only the identifiers that did not complete, unless told to take all`() throws {
        let order = Self.desired("s2", identifiers: ["A", "B", "C", "D", "E"])
        let products = ["A", "B", "C", "D", "E"].enumerated().map { index, id in
            ProductRecord(id: index, identifier: id, status: ["B", "D"].contains(id) ? "failed" : "completed")
        }
        let state = RunState(orders: ["s2": Self.record(order, status: "completed", products: products)])
        let item = try #require(makePlan(desired: [order], state: state) { _, _ in false }.first)
        #expect(item.action == .retry)
        #expect(item.identifiers == ["B", "D"])
        #expect(item.summary == "retry 2 of 5 items: B, D")
        #expect(item.newAttempt == Attempt(number: 2, name: "hookctl-s2-d1-r2", identifiers: ["B", "D"]))

        var all = order
        all.retryAll = true
        let again = try #require(makePlan(desired: [all], state: state) { _, _ in false }.first)
        #expect(again.identifiers == ["A", "B", "C", "D", "E"])
        #expect(again.summary == "retry 5 of 5 items: A, B, C, D, E")
    }

    @Test func `an order is kept once every identifier has completed in some attempt`() throws {
        let order = Self.desired("s2", identifiers: ["A", "B"])
        var record = Self.record(
            order, status: "completed",
            products: [
                ProductRecord(id: 1, identifier: "A", status: "completed"), ProductRecord(id: 2, identifier: "B", status: "failed"),
            ])
        record.attempts.append(
            Attempt(
                number: 2, name: order.name(attempt: 2), identifiers: ["B"], id: 9, status: "completed",
                products: [ProductRecord(id: 3, identifier: "B", status: "completed")]))
        let item = try #require(makePlan(desired: [order], state: RunState(orders: ["s2": record])) { _, _ in false }.first)
        #expect(item.action == .keep)
        #expect(record.outcomes.map(\.attempt) == [1, 2])
        #expect(record.isSuccessful)
        // A retry that failed again leaves that identifier to retry, the other still completed from attempt 1.
        record.latest.products = [ProductRecord(id: 3, identifier: "B", status: "failed")]
        let next = try #require(makePlan(desired: [order], state: RunState(orders: ["s2": record])) { _, _ in false }.first)
        #expect(next.action == .retry)
        #expect(next.identifiers == ["B"])
        #expect(next.attempt == 3)
    }

    @Test func `an attempt that failed as a whole fails each of its identifiers`() {
        let order = Self.desired("s2", identifiers: ["A", "B"])
        let record = Self.record(order, status: "failed", products: [])
        #expect(record.outcomes.map(\.product.status) == ["failed", "failed"])
        #expect(record.unfinishedIdentifiers == ["A", "B"])
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
