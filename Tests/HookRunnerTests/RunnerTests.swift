import Foundation
import HookClient
import HookCore
import HookManifest
import Synchronization
import Testing

@testable import HookRunner

/// An in-memory stand-in for the service's narrow `OrderService` surface, to drive the runner's bookkeeping through
/// situations a real service produces only by bad luck (a lost answer, a refusal). The HTTP path is tested against
/// the sandbox in hookctlTests.
final class ScriptedService: OrderService {
    struct Order {
        var snapshot: OrderSnapshot
        var identifiers: [String]
        var polls = 0
    }
    struct Script {
        var orders: [Int: Order] = [:]
        var submissions = 0
        var nextID = 100
        /// Submissions whose answer is lost after the service created the order.
        var loseAnswers: Set<String> = []
        /// Lose the answer of every submission.
        var loseEveryAnswer = false
        var refuse: Set<String> = []
        var failNames: Set<String> = []
        /// Identifiers whose item fails, whatever order they are in (until removed from the set).
        var failIdentifiers: Set<String> = []
        var pollsToFinish = 2
        var neverFinish = false
        /// Status polls that fail as an unreachable service does, before polls answer again.
        var unavailablePolls = 0
        /// Submissions that fail as a refused login does (nothing created).
        var unauthorizedSubmissions = 0
        /// Body names that differed from the name the runner said it was sending.
        var mismatchedNames: [String] = []
        /// Name look-ups that fail as a refused login does.
        var failLookups = false
        /// When completed TEMPORARY outputs expire, if the service says.
        var expires: Date?
        /// Product ids downloaded, in order.
        var downloads: [Int] = []
        /// The `ProcessedSize` the service gives every completed item, if any.
        var processedSize: Int64?
        /// The source catalogue: collection -> identifier -> product (`check`, `apply` under `maxBytes`).
        var catalogue: [String: [String: CatalogueProduct]] = [:]
        /// The archive served for a product id.
        var archive: @Sendable (Int) -> [UInt8] = { TestZip.archive(["product-\($0).txt": Array("product \($0)\n".utf8)]) }
    }

    struct Unavailable: Error {}
    struct Unauthorized: Error, Sendable {}

    let script: Mutex<Script>
    init(_ script: Script = Script()) { self.script = Mutex(script) }

    /// The service's orders by name, as `/sandbox/orders` would list them.
    var orderNames: [String] { script.withLock { s in s.orders.keys.sorted().compactMap { s.orders[$0]?.snapshot.name } } }

    func products(_ identifiers: [String], in collection: String) async throws -> [String: CatalogueProduct] {
        let listed = script.withLock { $0.catalogue[collection] ?? [:] }
        return listed.filter { identifiers.contains($0.key) }
    }

    /// `data-harvest` with the options a DESP source and TEMPORARY storage send.
    func workflowCatalogue() async throws -> [UInt8] {
        let options = ["output_storage", "source_type", "desp_source_username", "desp_source_password", "desp_source_collection"]
        let listed = options.map { #"{"Name":"\#($0)","Type":"str"}"# }.joined(separator: ",")
        return Array(#"{"value":[{"Name":"data-harvest","WorkflowOptions":[\#(listed)]}]}"#.utf8)
    }

    func submit(name: String, body: [UInt8]) async throws -> OrderSnapshot {
        guard case .object(let fields) = try JSONReader.parse(body), case .string(let sent)? = fields["Name"],
            case .array(let list)? = fields["IdentifierList"]
        else { throw OrderServiceError.rejected("not an order body") }
        let identifiers = list.compactMap { if case .string(let text) = $0 { text } else { nil } }
        return try script.withLock { s in
            if s.unauthorizedSubmissions > 0 {
                s.unauthorizedSubmissions -= 1
                throw NotSent(Unauthorized())
            }
            s.submissions += 1
            if sent != name { s.mismatchedNames.append(sent) }
            if s.refuse.contains(sent) { throw OrderServiceError.rejected("option `resolution`: value is not a valid integer") }
            let snapshot = OrderSnapshot(id: s.nextID, name: sent, status: "queued")
            s.orders[s.nextID] = Order(snapshot: snapshot, identifiers: identifiers)
            s.nextID += 1
            if s.loseEveryAnswer || s.loseAnswers.remove(sent) != nil { throw OrderServiceError.outcomeUnknown("connection reset") }
            return snapshot
        }
    }

    func findOrders(named names: [String]) async throws -> [String: OrderSnapshot] {
        try script.withLock { s in
            if s.failLookups { throw Unauthorized() }
            let found = s.orders.values.map(\.snapshot).filter { names.contains($0.name) }
            return Dictionary(found.map { ($0.name, $0) }) { a, b in a.id > b.id ? a : b }
        }
    }

    func orders(ids: [Int]) async throws -> [Int: OrderSnapshot] {
        try script.withLock { s in
            if s.unavailablePolls > 0 {
                s.unavailablePolls -= 1
                throw Unavailable()
            }
            var result: [Int: OrderSnapshot] = [:]
            for id in ids {
                guard var order = s.orders[id] else { continue }
                order.polls += 1
                if !s.neverFinish {
                    order.snapshot.status =
                        order.polls >= s.pollsToFinish
                        ? (s.failNames.contains(order.snapshot.name) ? "failed" : "completed") : "in_progress"
                }
                s.orders[id] = order
                result[id] = order.snapshot
            }
            return result
        }
    }

    func products(orderID: Int, storage: OutputLocation) async throws -> [ProductRecord] {
        script.withLock { s in
            guard let order = s.orders[orderID] else { return [] }
            return order.identifiers.enumerated().map { index, identifier in
                let failed = order.snapshot.status == "failed" || s.failIdentifiers.contains(identifier)
                return ProductRecord(
                    id: orderID * 10 + index, identifier: identifier, status: failed ? "failed" : "completed",
                    message: failed ? "product not found" : "Processing finished successfully",
                    output: failed ? nil : Self.output(storage, orderID: orderID, productID: orderID * 10 + index),
                    expires: failed || storage != .temporary ? nil : s.expires, processedSize: failed ? nil : s.processedSize)
            }
        }
    }

    /// Where a completed item's output is, as `ServiceAdapter` records it.
    static func output(_ storage: OutputLocation, orderID: Int, productID: Int) -> String {
        switch storage {
        case .temporary: "BatchOrder(\(orderID))/Product(\(productID))/$value"
        case .s3(let bucket, let prefix): "s3://\(bucket)/\(prefix)"
        }
    }

    func cancel(orderID: Int) async throws {
        script.withLock { $0.orders[orderID]?.snapshot.status = "cancelled" }
    }

    func isTransient(_ error: any Error) -> Bool { error is Unavailable }

    /// Writes the product's archive (`Script.archive`, by default a valid zip naming the product), as the client
    /// writes a download: whole, or not at all.
    func download(orderID: Int, productID: Int, to path: String, progress: @escaping @Sendable (Int64, Int64?) -> Void) async throws {
        let bytes = script.withLock { s in
            s.downloads.append(productID)
            return s.archive(productID)
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}

/// A store in memory that keeps every batch of changes it was given, and the state they add up to.
final class MemoryStore: StateStore {
    let current = Mutex(RunState())
    let batches = Mutex<[[String: OrderRecord?]]>([])
    init(_ state: RunState = RunState()) { current.withLock { $0 = state } }
    func load() throws -> RunState { current.withLock { $0 } }
    func record(_ changes: [String: OrderRecord?]) throws {
        batches.withLock { $0.append(changes) }
        current.withLock { state in for (key, record) in changes { state.orders[key] = record } }
    }
    func compact() throws {}
}

final class EventLog: Sendable {
    let events = Mutex<[RunEvent]>([])
    func record(_ event: RunEvent) { events.withLock { $0.append(event) } }
    var all: [RunEvent] { events.withLock { $0 } }
    var warnings: [String] { all.compactMap { if case .warning(let text) = $0 { text } else { nil } } }
}

struct RunnerTests {
    static func run(
        _ service: ScriptedService, orders: [DesiredOrder], state: RunState = RunState(), timeout: Duration? = nil,
        store: MemoryStore? = nil, log: EventLog = EventLog()
    ) async throws -> Runner<ImmediateClock>.Outcome {
        let runner = Runner(
            service: service, store: store ?? MemoryStore(state), clock: ImmediateClock(), concurrency: 2,
            events: log.record)
        let plan = makePlan(desired: orders, state: state) { _, _ in false }
        return try await runner.apply(plan, bodies: bodies(orders), state: state, wait: true, timeout: timeout, cancelRemoved: false)
    }

    /// Bodies as the CLI resolves them: the contract's members in order, with the first attempt's name.
    static func bodies(_ orders: [DesiredOrder]) -> [String: SubmissionBody] {
        Dictionary(
            uniqueKeysWithValues: orders.map { order in
                (
                    order.key,
                    SubmissionBody(
                        resolved: .orderedObject([
                            JSONMember("Name", .string(order.name)), JSONMember("WorkflowName", .string(order.workflow)),
                            JSONMember("IdentifierList", .array(order.identifiers.map { .string($0) })),
                            JSONMember("WorkflowOptions", .array([])),
                        ]))
                )
            })
    }

    @Test func `apply submits each new order once and waits until all complete`() async throws {
        let service = ScriptedService()
        let store = MemoryStore()
        let orders = ["a", "b", "c"].map { PlanTests.desired($0) }
        let outcome = try await Self.run(service, orders: orders, store: store)
        #expect(service.script.withLock { $0.submissions } == 3)
        #expect(outcome.state.orders.values.allSatisfy { $0.isSuccessful })
        // Which order gets which id depends on which concurrent submission is answered first: compare through ids.
        let a = try #require(outcome.state.orders["a"])
        let id = try #require(a.id)
        #expect(a.latest.products.first?.output == "BatchOrder(\(id))/Product(\(id * 10))/$value")
        #expect(Set(outcome.state.orders.values.compactMap(\.id)) == [100, 101, 102])
        // Each intent is recorded before its submission's answer is.
        let batches = store.batches.withLock { $0 }
        for key in ["a", "b", "c"] {
            let first = try #require(batches.first { $0[key] != nil }?[key] ?? nil)
            #expect(first.status == OrderStatus.submitting && first.id == nil)
        }
        #expect(store.current.withLock { $0 } == outcome.state)
    }

    @Test func `a lost answer is found by name and adopted, never submitted twice`() async throws {
        var script = ScriptedService.Script()
        script.loseAnswers = ["hookctl-a-d1"]
        let service = ScriptedService(script)
        let log = EventLog()
        let outcome = try await Self.run(service, orders: [PlanTests.desired("a")], log: log)
        #expect(service.script.withLock { $0.submissions } == 1)
        #expect(outcome.state.orders["a"]?.status == "completed")
        #expect(log.all.contains(.adopted(key: "a", name: "hookctl-a-d1", id: 100)))
    }

    @Test func `an order recorded as submitting after a crash is adopted on the next run`() async throws {
        let service = ScriptedService()
        let order = PlanTests.desired("a")
        // Reached the service; the process died before recording the answer.
        _ = try await service.submit(name: order.name, body: Self.bodies([order])["a"]!.bytes(name: order.name, identifiers: order.identifiers))
        let state = RunState(orders: ["a": PlanTests.record(order, status: OrderStatus.submitting, id: nil, products: [])])
        let outcome = try await Self.run(service, orders: [order], state: state)
        #expect(service.script.withLock { $0.submissions } == 1)
        #expect(outcome.state.orders["a"]?.id == 100)
    }

    @Test func `a wait outlasts a service that cannot be polled for a while, warning at each failed poll`() async throws {
        var script = ScriptedService.Script()
        script.unavailablePolls = 5
        let service = ScriptedService(script)
        let log = EventLog()
        let outcome = try await Self.run(service, orders: [PlanTests.desired("a")], log: log)
        #expect(outcome.state.orders["a"]?.status == "completed")
        let warnings = log.all.filter { if case .warning(let text) = $0 { text.contains("still waiting") } else { false } }
        #expect(warnings.count == 5)
        // Announced once each, though the first polls failed.
        #expect(log.all.filter { if case .statusChanged(_, _, "completed", _) = $0 { true } else { false } }.count == 1)
    }

    @Test func `a wait gives up on a service down longer than its tolerance, with the order still recorded`() async throws {
        var script = ScriptedService.Script()
        script.unavailablePolls = 10_000
        let store = MemoryStore()
        await #expect(throws: ScriptedService.Unavailable.self) {
            _ = try await Self.run(ScriptedService(script), orders: [PlanTests.desired("a")], store: store)
        }
        let saved = store.current.withLock { $0 }
        #expect(saved.orders["a"]?.id == 100)
        #expect(saved.orders["a"]?.isFinished == false)
    }

    @Test func `a refused order is reported and leaves no record`() async throws {
        var script = ScriptedService.Script()
        script.refuse = ["hookctl-bad-d1"]
        let outcome = try await Self.run(ScriptedService(script), orders: [PlanTests.desired("bad"), PlanTests.desired("good")])
        #expect(outcome.rejected == ["bad": "option `resolution`: value is not a valid integer"])
        #expect(outcome.state.orders["bad"] == nil)
        #expect(outcome.state.orders["good"]?.status == "completed")
    }

    @Test func `a failed order is retried under a new name`() async throws {
        var script = ScriptedService.Script()
        script.failNames = ["hookctl-a-d1"]
        let service = ScriptedService(script)
        let first = try await Self.run(service, orders: [PlanTests.desired("a")])
        #expect(first.state.orders["a"]?.status == "failed")
        let second = try await Self.run(service, orders: [PlanTests.desired("a")], state: first.state)
        #expect(second.state.orders["a"]?.name == "hookctl-a-d1-r2")
        #expect(second.state.orders["a"]?.status == "completed")
        #expect(service.script.withLock { $0.submissions } == 2)
    }

    @Test func `waiting gives up at the timeout with the order still recorded`() async throws {
        var script = ScriptedService.Script()
        script.neverFinish = true
        let log = EventLog()
        let outcome = try await Self.run(ScriptedService(script), orders: [PlanTests.desired("slow")], timeout: .seconds(30), log: log)
        #expect(outcome.timedOut == ["slow"])
        #expect(outcome.state.orders["slow"]?.status == "queued")
        #expect(outcome.state.orders["slow"]?.id == 100)
        #expect(log.all.contains(.timedOut(key: "slow")))
    }

    @Test func `a retry sends only the failed identifiers, under the name it records`() async throws {
        var script = ScriptedService.Script()
        script.failIdentifiers = ["B", "D"]
        let service = ScriptedService(script)
        let order = PlanTests.desired("a", identifiers: ["A", "B", "C", "D", "E"])
        let first = try await Self.run(service, orders: [order])
        #expect(first.state.orders["a"]?.unfinishedIdentifiers == ["B", "D"])
        service.script.withLock { $0.failIdentifiers = [] }
        let second = try await Self.run(service, orders: [order], state: first.state)
        let record = try #require(second.state.orders["a"])
        #expect(record.attempts.map(\.name) == ["hookctl-a-d1", "hookctl-a-d1-r2"])
        #expect(record.latest.identifiers == ["B", "D"])
        #expect(record.isSuccessful)
        #expect(record.outcomes.map(\.attempt) == [1, 2, 1, 2, 1])
        #expect(service.orderNames == ["hookctl-a-d1", "hookctl-a-d1-r2"])
        #expect(service.script.withLock { $0.orders[101]?.identifiers } == ["B", "D"])
        #expect(service.script.withLock { $0.mismatchedNames }.isEmpty)
    }

    @Test func `a retry whose answers are all lost is adopted by name, never sent twice`() async throws {
        var script = ScriptedService.Script()
        script.failNames = ["hookctl-a-d1"]
        let service = ScriptedService(script)
        let order = PlanTests.desired("a")
        let first = try await Self.run(service, orders: [order])
        #expect(first.state.orders["a"]?.status == "failed")
        service.script.withLock { $0.loseEveryAnswer = true }
        let log = EventLog()
        let second = try await Self.run(service, orders: [order], state: first.state, log: log)
        #expect(service.orderNames == ["hookctl-a-d1", "hookctl-a-d1-r2"])
        #expect(second.state.orders["a"]?.isSuccessful == true)
        #expect(log.all.contains(.adopted(key: "a", name: "hookctl-a-d1-r2", id: 101)))
    }

    @Test func `a submission the service never received leaves nothing recorded`() async throws {
        var script = ScriptedService.Script()
        script.unauthorizedSubmissions = 1
        let store = MemoryStore()
        await #expect(throws: ScriptedService.Unauthorized.self) {
            _ = try await Self.run(ScriptedService(script), orders: [PlanTests.desired("a")], store: store)
        }
        #expect(store.current.withLock { $0 } == RunState())
    }

    @Test func `a failed retry that never left keeps the earlier attempts`() async throws {
        var script = ScriptedService.Script()
        script.failNames = ["hookctl-a-d1"]
        let service = ScriptedService(script)
        let first = try await Self.run(service, orders: [PlanTests.desired("a")])
        service.script.withLock { $0.unauthorizedSubmissions = 1 }
        let store = MemoryStore(first.state)
        await #expect(throws: ScriptedService.Unauthorized.self) {
            _ = try await Self.run(service, orders: [PlanTests.desired("a")], state: first.state, store: store)
        }
        #expect(store.current.withLock { $0 } == first.state)
    }

    @Test func `the next poll waits for the service's estimates only when they all fall within two intervals`() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        func pause(_ offsets: [Double?]) -> Duration {
            Runner<ImmediateClock>.pause(
                interval: .seconds(1), estimates: offsets.map { $0.map { now.addingTimeInterval($0) } }, now: now)
        }
        #expect(pause([1.2, 1.5]) == .milliseconds(1600))
        #expect(pause([0.3, 0.5]) == .seconds(1), "estimates sooner than the interval: poll at the interval")
        #expect(pause([1.5, 2.5]) == .seconds(1), "the last estimate is more than two intervals away")
        #expect(pause([1.5, nil]) == .seconds(1), "an order without an estimate")
        #expect(pause([]) == .seconds(1))
    }

    @Test func `an adopted order that finished meanwhile gets its items and is not retried`() async throws {
        let service = ScriptedService()
        let order = PlanTests.desired("a", identifiers: ["A", "B"])
        // Sent by a run that died before recording the answer; the order finished since.
        _ = try await service.submit(name: order.name, body: Self.bodies([order])["a"]!.bytes(name: order.name, identifiers: order.identifiers))
        service.script.withLock { $0.orders[100]?.snapshot.status = "completed" }
        let state = RunState(orders: ["a": PlanTests.record(order, status: OrderStatus.submitting, id: nil, products: [])])
        let outcome = try await Self.run(service, orders: [order], state: state)
        let record = try #require(outcome.state.orders["a"])
        #expect(record.isSuccessful)
        #expect(record.latest.products.map(\.identifier) == ["A", "B"])
        #expect(service.script.withLock { $0.submissions } == 1)
    }

    @Test func `a run whose first call is refused records nothing, not even a dropped order`() async throws {
        var script = ScriptedService.Script()
        script.failLookups = true
        let gone = PlanTests.desired("gone")
        let state = RunState(orders: ["gone": PlanTests.record(gone, status: "completed")])
        let store = MemoryStore(state)
        let runner = Runner(service: ScriptedService(script), store: store, clock: ImmediateClock(), events: { _ in })
        let plan = makePlan(desired: [PlanTests.desired("new")], state: state) { key, _ in key == "gone" }
        #expect(plan.map(\.action) == [.remove, .create])
        await #expect(throws: ScriptedService.Unauthorized.self) {
            _ = try await runner.apply(
                plan, bodies: Self.bodies([PlanTests.desired("new")]), state: state, wait: true,
                timeout: nil, cancelRemoved: false)
        }
        #expect(store.current.withLock { $0 } == state)
        #expect(store.batches.withLock { $0 }.isEmpty)
    }
}
