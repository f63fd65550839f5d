import Foundation
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
        var orders: [Int: Order] = [:]
        var ids: [Int] = []  // ascending, submission order
        var pending: Set<Int> = []  // orders with items neither processed nor cancelled
        var nextOrderID = 25380
        var nextItemID = 34079
        var inWork: Set<Int> = []
        var dirty = false
        var lastWriteMs: Int64 = 0
    }

    private struct Snapshot: Codable {
        var version = 1
        var nextOrderID: Int
        var nextItemID: Int
        var orders: [Order]
        var catalogue: [CatalogueItem]
    }

    private let state = Mutex(State())
    private let file: URL?
    let catalogue: ProductCatalogue

    /// Loads the persisted state from `directory` (if any); a corrupt file is set aside, never fatal.
    init(directory: URL?) {
        file = directory?.appendingPathComponent("state.json")
        var added: [CatalogueItem] = []
        if let file, let data = try? Data(contentsOf: file) {
            if let snapshot = try? JSONDecoder().decode(Snapshot.self, from: data) {
                state.withLock { s in
                    for order in snapshot.orders {
                        s.orders[order.id] = order
                        s.ids.append(order.id)
                        if order.items.contains(where: { $0.outcome == nil && !$0.cancelled }) { s.pending.insert(order.id) }
                    }
                    s.ids.sort()
                    s.nextOrderID = max(snapshot.nextOrderID, (s.ids.last ?? 0) + 1)
                    s.nextItemID = snapshot.nextItemID
                }
                added = snapshot.catalogue
            } else {
                try? FileManager.default.moveItem(at: file, to: file.appendingPathExtension("corrupt-\(Int(Date().timeIntervalSince1970))"))
            }
        }
        catalogue = ProductCatalogue(added: added)
    }

    var count: Int { state.withLock { $0.orders.count } }

    /// Gives a validated draft its ids and keeps it.
    func submit(_ draft: OrderDraft, owner: TokenClaims, paceMs: Int64, now: Int64) -> Order {
        state.withLock { s in
            let id = s.nextOrderID
            s.nextOrderID += 1
            var items: [Order.Item] = []
            for identifier in draft.identifiers {
                items.append(.init(id: s.nextItemID, identifier: identifier))
                s.nextItemID += 1
            }
            let order = Order(
                id: id, name: draft.name, workflowName: draft.workflow.name, workflowID: draft.workflow.id,
                workflowDisplayName: draft.workflow.displayName, workflowVersion: draft.workflow.version,
                options: [.init(name: "platform", value: .string("dedl")), .init(name: "version", value: .string(draft.workflow.version))]
                    + draft.options,
                ownerID: owner.subject, ownerName: owner.username, priority: draft.priority, submittedMs: now, paceMs: paceMs,
                items: items)
            s.orders[id] = order
            s.ids.append(id)
            s.pending.insert(id)
            s.dirty = true
            return order
        }
    }

    /// One order, if it exists and belongs to `owner` (`nil` owner: any).
    func order(_ id: Int, owner: String?) -> Order? {
        state.withLock { s in
            guard let order = s.orders[id], owner == nil || order.ownerID == owner else { return nil }
            return order
        }
    }

    /// The orders of `owner` (`nil`: all), in submission order.
    func orders(owner: String?) -> [Order] {
        state.withLock { s in
            s.ids.compactMap { id in
                guard let order = s.orders[id], owner == nil || order.ownerID == owner else { return nil }
                return order
            }
        }
    }

    /// Cancels an order: items not yet started are cancelled, started ones finish.
    func cancel(_ id: Int, owner: String, now: Int64) -> Order? {
        state.withLock { s in
            guard var order = s.orders[id], order.ownerID == owner else { return nil }
            if order.status(now: now).isTerminal { return order }
            order.cancelRequestedMs = now
            if now < order.startMs {
                for i in order.items.indices where order.items[i].outcome == nil { order.items[i].cancelled = true }
                s.pending.remove(id)
            }
            s.orders[id] = order
            s.dirty = true
            return order
        }
    }

    /// Items whose processing time has come and that nobody works on yet; marks them as taken.
    func takeDueWork(now: Int64, limit: Int) -> [Work] {
        state.withLock { s in
            var work: [Work] = []
            for id in s.pending.sorted() {
                guard let order = s.orders[id], now >= order.startMs else { continue }
                for item in order.items where item.outcome == nil && !item.cancelled && !s.inWork.contains(item.id) {
                    s.inWork.insert(item.id)
                    work.append(Work(order: order, item: item))
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
            guard var order = s.orders[orderID], let index = order.items.firstIndex(where: { $0.id == itemID }) else { return }
            order.items[index].outcome = outcome
            s.orders[orderID] = order
            if !order.items.contains(where: { $0.outcome == nil && !$0.cancelled }) { s.pending.remove(orderID) }
            s.dirty = true
        }
    }

    func markDirty() { state.withLock { $0.dirty = true } }

    /// Writes the state file if anything changed since the last write; without `force`, at most once per
    /// `minimumIntervalMs` (a large state is not rewritten on every scheduler tick).
    func persistIfNeeded(force: Bool = false, minimumIntervalMs: Int64 = 500) throws {
        guard let file else { return }
        let now = Timestamp.nowMs
        let snapshot: Snapshot? = state.withLock { s in
            guard s.dirty, force || now - s.lastWriteMs >= minimumIntervalMs else { return nil }
            s.lastWriteMs = now
            s.dirty = false
            return Snapshot(nextOrderID: s.nextOrderID, nextItemID: s.nextItemID, orders: s.ids.compactMap { s.orders[$0] }, catalogue: [])
        }
        guard var snapshot else { return }
        snapshot.catalogue = catalogue.added
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            try StateFile.writeAtomically(try encoder.encode(snapshot), to: file)
        } catch {
            markDirty()
            throw error
        }
    }
}
