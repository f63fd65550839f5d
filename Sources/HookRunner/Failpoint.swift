import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A crash-test hook: kills the process (SIGKILL, as `kill -9` would) the Nth time the runner passes a named point,
/// so tests can prove that no crash timing submits an order twice. The CLI sets it from `HOOKCTL_FAILPOINT=POINT:N`
/// (points: `before-submit`, `after-submit`, `after-record`); nothing else ever does.
public final class Failpoint: Sendable {
    public static let points: Set<String> = ["before-submit", "after-submit", "after-record"]
    let point: String
    private let remaining: Mutex<Int>

    /// Parses `POINT:N`; nil when the text does not name a known point.
    public init?(_ text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, Self.points.contains(String(parts[0])), let count = Int(parts[1]), count > 0 else { return nil }
        point = String(parts[0])
        remaining = Mutex(count)
    }

    func pass(_ name: String) {
        guard name == point else { return }
        let fire = remaining.withLock { count in
            count -= 1
            return count == 0
        }
        if fire { kill(getpid(), SIGKILL) }
    }
}
