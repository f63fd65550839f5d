import AsyncHTTPClient
import Logging
import NIOCore
import ServiceLifecycle

/// The one scheduler of the sandbox: every tick it takes the items whose processing time has come, processes them
/// (concurrently, within the tick), records their outcomes and persists the state. No timer or task per order.
/// It owns the HTTP client used for EXTERNAL sources and S3 outputs (no connection retries: a bad endpoint fails fast).
struct OrderScheduler: Service {
    let store: OrderStore
    let makeProcessor: @Sendable (HTTPClient) -> ItemProcessor
    /// The sandbox's time in milliseconds (`SandboxConfiguration.now`).
    let now: @Sendable () -> Int64
    let tick: Duration
    let logger: Logger
    /// Called after the last state write (releases the state directory's lock).
    var onStopped: @Sendable () -> Void = {}

    /// Items taken per tick (the rest wait for the next one) and processed at once within a tick.
    static let maxWorkPerTick = 4096
    static let concurrentItems = 32

    static func makeHTTPClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(15)))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func run() async throws {
        let httpClient = Self.makeHTTPClient()
        let processor = makeProcessor(httpClient)
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await runOnce(processor)
                do { try await Task.sleep(for: tick) } catch { break }
            }
        }
        persist(force: true)
        onStopped()
        try? await httpClient.shutdown()
    }

    /// One pass: process due items, then persist.
    func runOnce(_ processor: ItemProcessor) async {
        let work = store.takeDueWork(now: now(), limit: Self.maxWorkPerTick)
        if !work.isEmpty {
            await withTaskGroup(of: Void.self) { group in
                // At most `concurrentItems` in flight: once that many have started, each start waits for an end.
                for (started, item) in work.enumerated() {
                    if started >= Self.concurrentItems { await group.next() }
                    group.addTask {
                        let outcome = await processor.process(item, now: now)
                        store.record(orderID: item.order.id, itemID: item.item.id, outcome: outcome)
                    }
                }
            }
        }
        persist()
    }

    func persist(force: Bool = false) {
        do { try store.persistIfNeeded(force: force) } catch { logger.error("cannot persist sandbox state: \(error)") }
    }
}

extension OrderScheduler: CustomStringConvertible {
    var description: String { "OrderScheduler" }
}
