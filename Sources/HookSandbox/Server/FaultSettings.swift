import HookCore
import Synchronization

/// Faults that can change at run time (`POST /sandbox/faults`), with the generator that decides which call gets one.
struct FaultSettings: Sendable {
    var failRate: Double
    var throttleRate: Double
    var dropRate: Double
    var slowRate: Double
    var slowDelay: Duration
    var retryAfterSeconds: Int
    var tokenTTL: Duration
    var itemFailRate: Double
    var failingIdentifiers: Set<String>
    var lostResponseRate: Double
    /// `$value` answers 302 to the item's `DownloadLink` instead of serving the archive itself.
    var redirectDownloads = false
    /// Every submission is refused as over quota. The real service's answer was never recorded (HOOK-API 5): the
    /// sandbox answers 403 with a FastAPI `detail` that says so (inferred).
    var quotaExceeded = false

    init(_ configuration: SandboxConfiguration) {
        failRate = configuration.failRate
        throttleRate = configuration.throttleRate
        dropRate = configuration.dropRate
        slowRate = configuration.slowRate
        slowDelay = configuration.slowDelay
        retryAfterSeconds = configuration.retryAfterSeconds
        tokenTTL = configuration.tokenTTL
        itemFailRate = configuration.itemFailRate
        failingIdentifiers = configuration.failingIdentifiers
        lostResponseRate = configuration.lostResponseRate
    }

    var json: JSONValue {
        .ordered([
            ("failRate", .number(failRate)), ("throttleRate", .number(throttleRate)), ("dropRate", .number(dropRate)),
            ("slowRate", .number(slowRate)), ("slowSeconds", .number(slowDelay.seconds)),
            ("retryAfter", .integer(retryAfterSeconds)), ("tokenTTL", .number(tokenTTL.seconds)),
            ("itemFailRate", .number(itemFailRate)), ("lostResponseRate", .number(lostResponseRate)),
            ("failingIdentifiers", .array(failingIdentifiers.sorted().map { .string($0) })), ("redirectDownloads", .bool(redirectDownloads)),
            ("quotaExceeded", .bool(quotaExceeded)),
        ])
    }
}

/// What to do with one API call.
enum FaultDecision: Sendable, Equatable {
    case none
    case drop
    case throttle(retryAfter: Int)
    case fail(status: Int)
    case slow(Duration)
}

/// Decides, call by call, which `/odata/v1` call gets a fault. Repeatable for a seed and a sequence of calls.
final class FaultInjector: Sendable {
    private struct State {
        var settings: FaultSettings
        var generator: SeededGenerator
    }

    private let state: Mutex<State>

    init(_ configuration: SandboxConfiguration) {
        let seed = configuration.seed ?? UInt64.random(in: 0...UInt64.max)
        state = Mutex(State(settings: FaultSettings(configuration), generator: SeededGenerator(seed: seed)))
    }

    var settings: FaultSettings { state.withLock { $0.settings } }

    func update(_ change: (inout FaultSettings) -> Void) -> FaultSettings {
        state.withLock {
            change(&$0.settings)
            return $0.settings
        }
    }

    func reseed(_ seed: UInt64) { state.withLock { $0.generator = SeededGenerator(seed: seed) } }

    /// Whether an accepted order's answer is lost (the connection closes after the order was created).
    func decideLostResponse() -> Bool {
        state.withLock { s in
            guard s.settings.lostResponseRate > 0 else { return false }
            return s.generator.unit() < s.settings.lostResponseRate
        }
    }

    /// One draw per call; the first matching fault in the order drop, throttle, fail, slow wins.
    func decide() -> FaultDecision {
        state.withLock { s in
            let settings = s.settings
            if settings.dropRate <= 0, settings.throttleRate <= 0, settings.failRate <= 0, settings.slowRate <= 0 { return .none }
            let roll = s.generator.unit()
            var edge = settings.dropRate
            if roll < edge { return .drop }
            edge += settings.throttleRate
            if roll < edge { return .throttle(retryAfter: settings.retryAfterSeconds) }
            edge += settings.failRate
            if roll < edge { return .fail(status: [500, 502, 503][Int(s.generator.next() % 3)]) }
            edge += settings.slowRate
            if roll < edge { return .slow(settings.slowDelay) }
            return .none
        }
    }
}
