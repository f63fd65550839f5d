import HookManifest
import Synchronization
import Testing

@testable import HookRunner

/// An in-memory stand-in for the service's narrow `OrderService` surface, to drive the runner's bookkeeping through
/// situations a real service produces only by bad luck (a lost answer, a refusal). The HTTP path is tested against
/// the sandbox in hookctlTests.
final class ScriptedService: OrderService {
    struct Order { var snapshot: OrderSnapshot; var polls = 0 }
    struct Script {
        var orders: [Int: Order] = [:]
        var submissions = 0
        var nextID = 100
        /// Submissions whose answer is lost after the service created the order.
        var loseAnswers: Set<String> = []
        var refuse: Set<String> = []
        var failNames: Set<String> = []
        var pollsToFinish = 2
        var neverFinish = false
        /// Status polls that fail as an unreachable service does, before polls answer again.
        var unavailablePolls = 0
    }

    struct Unavailable: Error {}

    let script: Mutex<Script>
    init(_ script: Script = Script()) { self.script = Mutex(script) }

    func submit(name: String, body: [UInt8]) async throws -> OrderSnapshot {
        try script.withLock { s in
            s.submissions += 1
            if s.refuse.contains(name) { throw OrderServiceError.rejected("option `resolution`: value is not a valid integer") }
            let snapshot = OrderSnapshot(id: s.nextID, name: name, status: "queued")
            s.orders[s.nextID] = Order(snapshot: snapshot)
            s.nextID += 1
            if s.loseAnswers.remove(name) != nil { throw OrderServiceError.outcomeUnknown("connection reset") }
            return snapshot
        }
    }

    func findOrders(named names: [String]) async throws -> [String: OrderSnapshot] {
        script.withLock { s in
            Dictionary(s.orders.values.map(\.snapshot).filter { names.contains($0.name) }.map { ($0.name, $0) }) { a, b in a.id > b.id ? a : b }
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
                    order.snapshot.status = order.polls >= s.pollsToFinish
                        ? (s.failNames.contains(order.snapshot.name) ? "failed" : "completed") : "in_progress"
                }
                s.orders[id] = order
                result[id] = order.snapshot
            }
            return result
        }
    }

    func products(orderID: Int, storage: OutputLocation) async throws -> [ProductRecord] {
        let status = script.withLock { $0.orders[orderID]?.snapshot.status ?? "failed" }
        return [ProductRecord(id: orderID * 10, identifier: "S2A_X.SAFE", status: status,
                              message: status == "failed" ? "product not found" : "Processing finished successfully",
                              output: "BatchOrder(\(orderID))/Product(\(orderID * 10))/$value")]
    }

    func cancel(orderID: Int) async throws {
        script.withLock { $0.orders[orderID]?.snapshot.status = "cancelled" }
    }

    func isTransient(_ error: any Error) -> Bool { error is Unavailable }

    func download(orderID: Int, productID: Int, to path: String, progress: @escaping @Sendable (Int64, Int64?) -> Void) async throws {}
}

final class MemoryStore: StateStore {
    let saved = Mutex<[RunState]>([])
    func load() throws -> RunState { saved.withLock { $0.last ?? RunState() } }
    func save(_ state: RunState) throws { saved.withLock { $0.append(state) } }
}

final class EventLog: Sendable {
    let events = Mutex<[RunEvent]>([])
    func record(_ event: RunEvent) { events.withLock { $0.append(event) } }
    var all: [RunEvent] { events.withLock { $0 } }
}

struct RunnerTests {
    static func run(
        _ service: ScriptedService, orders: [DesiredOrder], state: RunState = RunState(), timeout: Duration? = nil,
        store: MemoryStore = MemoryStore(), log: EventLog = EventLog()
    ) async throws -> Runner<ImmediateClock>.Outcome {
        let runner = Runner(service: service, store: store, clock: ImmediateClock(), concurrency: 2, events: log.record)
        let plan = makePlan(desired: orders, state: state) { _, _ in false }
        let payloads = Dictionary(uniqueKeysWithValues: orders.map { ($0.key, Array("{}".utf8)) })
        return try await runner.apply(plan, payloads: payloads, state: state, wait: true, timeout: timeout, cancelRemoved: false)
    }

    @Test func `apply submits each new order once and waits until all complete`() async throws {
        let service = ScriptedService()
        let store = MemoryStore()
        let orders = ["a", "b", "c"].map { PlanTests.desired($0) }
        let outcome = try await Self.run(service, orders: orders, store: store)
        #expect(service.script.withLock { $0.submissions } == 3)
        #expect(outcome.state.orders.values.allSatisfy { $0.isSuccessful })
        #expect(outcome.state.orders["a"]?.products.first?.output == "BatchOrder(100)/Product(1000)/$value")
        // Intent is written before the submissions' answers are.
        let first = try #require(store.saved.withLock { $0.first })
        #expect(first.orders.values.allSatisfy { $0.status == OrderRecord.submitting && $0.id == nil })
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
        _ = try await service.submit(name: order.name, body: [])  // reached the service; the process died before recording
        let state = RunState(orders: ["a": PlanTests.record(order, status: OrderRecord.submitting, id: nil)])
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
        let saved = try #require(store.saved.withLock { $0.last })
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
}
