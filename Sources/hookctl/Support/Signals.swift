import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Thrown by `runInterruptibly` when SIGINT or SIGTERM stopped the work.
struct Interrupted: Error {}

/// Runs `work` so that SIGINT or SIGTERM cancels it instead of killing the process: the work stops at its next
/// suspension point (its state is saved as it goes) and `Interrupted` is thrown. A second signal exits at once.
func runInterruptibly<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
    let task = Task { try await work() }
    let signalled = SignalFlag()
    let sources = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler {
            if signalled.raise() { _exit(130) }
            task.cancel()
        }
        source.resume()
        return source
    }
    defer {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
    do {
        return try await task.value
    } catch {
        // Cancellation surfaces as whatever the interrupted call throws (CancellationError, a cancelled request...).
        if signalled.isRaised { throw Interrupted() }
        throw error
    }
}

/// Whether a signal arrived; shared between the signal handler and the waiting command.
private final class SignalFlag: Sendable {
    private let raised = Mutex(false)

    /// Raises the flag; returns whether it was already raised.
    func raise() -> Bool {
        raised.withLock { value in
            defer { value = true }
            return value
        }
    }

    var isRaised: Bool { raised.withLock { $0 } }
}
