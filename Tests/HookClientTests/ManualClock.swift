import Foundation
import Synchronization

/// A clock that moves only when a test says so: `advance(by:)` moves it, and `sleep` returns at once, having recorded
/// the pause and moved the clock to its deadline. Retry pauses and token lifetimes then take no real time, and what a
/// test asserts does not depend on how fast the machine is.
final class ManualClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        /// Time since the clock was made.
        var offset: Duration

        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct State {
        var now = Instant(offset: .zero)
        var pauses: [Duration] = []
    }

    private let state = Mutex(State())
    /// The wall time the clock stands for when it is made.
    private let origin: Date

    init(origin: Date = Date()) {
        self.origin = origin
    }

    var now: Instant { state.withLock { $0.now } }
    var minimumResolution: Duration { .zero }

    /// Every pause asked of `sleep`, in order.
    var pauses: [Duration] { state.withLock { $0.pauses } }

    /// The wall time the clock stands for: a sandbox given `{ clock.date }` ages its tokens with the client.
    var date: Date {
        let (seconds, attoseconds) = now.offset.components
        return origin.addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
    }

    func advance(by duration: Duration) {
        state.withLock { $0.now = $0.now.advanced(by: duration) }
    }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        state.withLock { state in
            state.pauses.append(state.now.duration(to: deadline))
            state.now = max(state.now, deadline)
        }
    }
}
