/// The clock HookClient measures and waits on, read as the time elapsed since it was handed over: a `Clock`'s
/// `Instant` has the clock's own type, which `HookService` and `TokenProvider`, not generic over the clock, cannot
/// store.
struct ServiceClock: Sendable {
    private let elapsed: @Sendable () -> Duration
    private let pause: @Sendable (Duration) async throws -> Void

    init<C: Clock<Duration>>(_ clock: C) {
        let origin = clock.now
        elapsed = { origin.duration(to: clock.now) }
        pause = { try await clock.sleep(for: $0) }
    }

    /// The time elapsed since this clock was made.
    var now: Duration { elapsed() }

    /// Waits `duration` on the clock (throws `CancellationError` when the task is cancelled).
    func sleep(for duration: Duration) async throws { try await pause(duration) }
}
