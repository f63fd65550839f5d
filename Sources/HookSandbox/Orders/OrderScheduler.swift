import Logging
import ServiceLifecycle

/// The one scheduler of the sandbox: every tick it takes the items whose processing time has come, processes them
/// (concurrently, within the tick), records their outcomes and persists the state. No timer or task per order.
struct OrderScheduler: Service {
    let store: OrderStore
    let processor: ItemProcessor
    let tick: Duration
    let logger: Logger

    static let maxWorkPerTick = 32

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await runOnce()
                do { try await Task.sleep(for: tick) } catch { break }
            }
        }
        persist()
    }

    /// One pass: process due items, then persist. Also used to catch up right after a restart.
    func runOnce() async {
        let work = store.takeDueWork(now: Timestamp.nowMs, limit: Self.maxWorkPerTick)
        if !work.isEmpty {
            await withTaskGroup(of: Void.self) { group in
                for item in work {
                    group.addTask {
                        let outcome = await processor.process(item, now: { Timestamp.nowMs })
                        store.record(orderID: item.order.id, itemID: item.item.id, outcome: outcome)
                    }
                }
            }
        }
        persist()
    }

    func persist() {
        do { try store.persistIfNeeded() } catch { logger.error("cannot persist sandbox state: \(error)") }
    }
}
