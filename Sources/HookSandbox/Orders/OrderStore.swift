import Foundation
import HookCore
import Synchronization

/// Every order the sandbox accepted, with id sequences and the work the scheduler has taken on.
/// Persisted (atomically) as `state.json` in the state directory when there is one.
final class OrderStore: Sendable {
    /// One item handed to the scheduler.
    struct Work: Sendable {
        var order: Order
        var item: Order.Item
    }

    private struct State {
        var list: [Order] = []  // submission order (ascending ids)
        var position: [Int: Int] = [:]  // id -> index in list
        var byName: [String: [Int]] = [:]  // name -> indices
        var pending: Set<Int> = []  // ids of orders with items neither processed nor cancelled
        var nextOrderID = 25380
        var nextItemID = 34079
        var inWork: Set<Int> = []
        var dirty = false
        /// When the state file was last written: real elapsed time, which paces disk writes whatever the sandbox's clock says.
        var lastWrite: ContinuousClock.Instant?

        mutating func append(_ order: Order) {
            position[order.id] = list.count
            byName[order.name, default: []].append(list.count)
            list.append(order)
            if order.items.contains(where: { $0.outcome == nil && !$0.cancelled }) { pending.insert(order.id) }
        }
    }

    private let state = Mutex(State())
    private let file: URL?
    let catalogue: ProductCatalogue

    /// Loads the persisted state from `directory` (if any); a corrupt file is set aside (named with `now`), never fatal.
    init(directory: URL?, now: () -> Date = Date.init) {
        file = directory?.appendingPathComponent("state.json")
        var added: [CatalogueItem] = []
        if let file, let data = try? Data(contentsOf: file) {
            if let json = try? JSONReader.parse(Array(data)), let orders = json["orders"]?.arrayValue {
                let loaded = orders.compactMap(Order.init(stateJSON:)).sorted { $0.id < $1.id }
                state.withLock { s in
                    for order in loaded where s.position[order.id] == nil { s.append(order) }
                    s.nextOrderID = max(json["nextOrderID"]?.intValue ?? 25380, (s.list.last?.id ?? 0) + 1)
                    let maxItem = s.list.flatMap { $0.items.map(\.id) }.max() ?? 0
                    s.nextItemID = max(json["nextItemID"]?.intValue ?? 34079, maxItem + 1)
                }
                added = (json["catalogue"]?.arrayValue ?? []).compactMap(CatalogueItem.init(stateJSON:))
            } else {
                try? FileManager.default.moveItem(at: file, to: file.appendingPathExtension("corrupt-\(Int(now().timeIntervalSince1970))"))
            }
        }
        catalogue = ProductCatalogue(added: added)
    }

    var count: Int { state.withLock { $0.list.count } }

    /// How orders are scheduled: the pace, the cap on one user's running orders and the share that overrun.
    struct Schedule: Sendable {
        var paceMs: Int64
        /// Orders of one owner running at once; the others wait `queued` (0: no cap).
        var maxRunning = 0
        /// Share (0...1) of orders that run past their `EstimatedDate`, by half a pace.
        var overrunRate = 0.0
        var seed: UInt64 = 0
    }

    /// Gives a validated draft its ids and keeps it. With a cap on running orders, it waits for the owner's
    /// `maxRunning`-th latest unfinished order to end (first come, first served; a cancellation does not move orders
    /// already scheduled).
    func submit(_ draft: OrderDraft, owner: TokenClaims, schedule: Schedule, now: Int64) -> Order {
        let paceMs = schedule.paceMs
        return state.withLock { s in
            let id = s.nextOrderID
            s.nextOrderID += 1
            var queueDelay: Int64 = 0
            if schedule.maxRunning > 0 {
                let busyUntil = s.list.lazy.filter { $0.ownerID == owner.subject && $0.cancelRequestedMs == nil && $0.doneMs > now }.map(\.doneMs)
                    .sorted()
                if busyUntil.count >= schedule.maxRunning {
                    queueDelay = max(0, busyUntil[busyUntil.count - schedule.maxRunning] - (now + paceMs / 2))
                }
            }
            var overrun: Int64 = 0
            if schedule.overrunRate > 0 {
                var generator = SeededGenerator(seed: schedule.seed ^ (UInt64(id) &* 0x9E37_79B9_7F4A_7C15))
                if Double(generator.next() % 1_000_000) / 1_000_000 < schedule.overrunRate { overrun = max(1, paceMs / 2) }
            }
            var items: [Order.Item] = []
            items.reserveCapacity(draft.identifiers.count)
            let count = Int64(draft.identifiers.count)
            let runMs = paceMs - paceMs / 2 + overrun
            for (k, identifier) in draft.identifiers.enumerated() {
                // All items start after half the pace (and any wait for a slot); they finish one after another, the
                // last when the order is done.
                let done = now + paceMs / 2 + queueDelay + runMs * (Int64(k) + 1) / count
                items.append(.init(id: s.nextItemID, identifier: identifier, doneMs: done))
                s.nextItemID += 1
            }
            let order = Order(
                id: id, name: draft.name, workflowName: draft.workflow.name, workflowID: draft.workflow.id,
                workflowDisplayName: draft.workflow.displayName, workflowVersion: draft.workflow.version,
                options: [.init(name: "platform", value: .string("dedl")), .init(name: "version", value: .string(draft.workflow.version))]
                    + draft.options,
                ownerID: owner.subject, ownerName: owner.username, priority: draft.priority, submittedMs: now, paceMs: paceMs,
                items: items, queueDelayMs: queueDelay, overrunMs: overrun)
            s.append(order)
            s.dirty = true
            return order
        }
    }

    /// One order, if it exists and belongs to `owner` (`nil` owner: any).
    func order(_ id: Int, owner: String?) -> Order? {
        state.withLock { s in
            guard let index = s.position[id], owner == nil || s.list[index].ownerID == owner else { return nil }
            return s.list[index]
        }
    }

    /// The orders of `owner` (`nil`: all) that `predicate` accepts, in submission order; evaluated in place.
    /// `id` or `name` narrow the candidates first (an equality in the `$filter`).
    func select(owner: String?, id: Int? = nil, name: String? = nil, where predicate: (borrowing Order) -> Bool = { _ in true }) -> [Order] {
        state.withLock { s in
            var result: [Order] = []
            func consider(_ index: Int) {
                guard owner == nil || s.list[index].ownerID == owner, predicate(s.list[index]) else { return }
                result.append(s.list[index])
            }
            if let id {
                if let index = s.position[id] { consider(index) }
            } else if let name {
                for index in s.byName[name] ?? [] { consider(index) }
            } else {
                for index in s.list.indices { consider(index) }
            }
            return result
        }
    }

    /// Runs `body` on the orders in place (under the store's lock, without copying them): `list` in submission
    /// order, `index(id)` and `indices(name)` to look orders up. Keep `body` short and free of I/O.
    func withOrders<R>(_ body: (_ list: [Order], _ index: (Int) -> Int?, _ indices: (String) -> [Int]) -> R) -> R {
        state.withLock { s in
            let position = s.position
            let byName = s.byName
            return body(s.list, { position[$0] }, { byName[$0] ?? [] })
        }
    }

    /// All orders of `owner` (`nil`: all), in submission order.
    func orders(owner: String?) -> [Order] { select(owner: owner) }

    /// Cancels an order: items not yet started are cancelled, started ones finish.
    func cancel(_ id: Int, owner: String, now: Int64) -> Order? {
        state.withLock { s in
            guard let index = s.position[id], s.list[index].ownerID == owner else { return nil }
            if s.list[index].status(now: now).isTerminal { return s.list[index] }
            s.list[index].cancelRequestedMs = now
            if now < s.list[index].startMs {
                for i in s.list[index].items.indices where s.list[index].items[i].outcome == nil { s.list[index].items[i].cancelled = true }
                s.pending.remove(id)
            }
            s.dirty = true
            return s.list[index]
        }
    }

    /// Items whose processing time has come and that nobody works on yet; marks them as taken.
    func takeDueWork(now: Int64, limit: Int) -> [Work] {
        state.withLock { s in
            var work: [Work] = []
            for id in s.pending.sorted() {
                guard let index = s.position[id], now >= s.list[index].startMs else { continue }
                for item in s.list[index].items where item.outcome == nil && !item.cancelled && !s.inWork.contains(item.id) {
                    s.inWork.insert(item.id)
                    work.append(Work(order: s.list[index], item: item))
                    if work.count >= limit { return work }
                }
            }
            return work
        }
    }

    /// Records what processing an item produced.
    func record(orderID: Int, itemID: Int, outcome: Order.Outcome) {
        state.withLock { s in
            s.inWork.remove(itemID)
            guard let index = s.position[orderID], let i = s.list[index].items.firstIndex(where: { $0.id == itemID }) else { return }
            s.list[index].items[i].outcome = outcome
            if !s.list[index].items.contains(where: { $0.outcome == nil && !$0.cancelled }) { s.pending.remove(orderID) }
            s.dirty = true
        }
    }

    func markDirty() { state.withLock { $0.dirty = true } }

    /// Writes the state file if anything changed since the last write; without `force`, at most once per
    /// `minimumInterval` (a large state is not rewritten on every scheduler tick).
    func persistIfNeeded(force: Bool = false, minimumInterval: Duration = .milliseconds(500)) throws {
        guard let file else { return }
        let now = ContinuousClock.now
        let snapshot: (orders: [Order], pending: Set<Int>, nextOrderID: Int, nextItemID: Int)? = state.withLock { s in
            guard s.dirty, force || s.lastWrite.map({ now - $0 >= minimumInterval }) ?? true else { return nil }
            s.lastWrite = now
            s.dirty = false
            return (s.list, s.pending, s.nextOrderID, s.nextItemID)
        }
        guard let snapshot else { return }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(snapshot.orders.count * 1024 + 1024)
        bytes += Array(#"{"version":2,"nextOrderID":\#(snapshot.nextOrderID),"nextItemID":\#(snapshot.nextItemID),"orders":["#.utf8)
        for (i, order) in snapshot.orders.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "\n"))
            bytes += order.stateJSON(scrubSecrets: !snapshot.pending.contains(order.id)).compactBytes
        }
        bytes += Array("],\"catalogue\":[".utf8)
        for (i, item) in catalogue.added.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "\n"))
            bytes += item.stateJSON.compactBytes
        }
        bytes += Array("]}\n".utf8)
        do {
            try AtomicFile.write(bytes, to: file.path, permissions: 0o600)
        } catch {
            markDirty()
            throw error
        }
    }
}
