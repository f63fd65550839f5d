import Foundation
import HookCore

/// Settings of a sandbox (SPEC section 5): where it listens, how fast orders move, which faults it injects,
/// who may log in, and where it keeps its state.
public struct SandboxConfiguration: Sendable {
    /// Interface to bind; `127.0.0.1` by default.
    public var host: String
    /// TCP port; `0` picks a free port.
    public var port: Int
    /// Time an order spends queued and then in progress (half each) before it completes or fails.
    public var pace: Duration
    /// Fraction (0...1) of `/odata/v1` calls answered with a 5xx.
    public var failRate: Double
    /// Fraction (0...1) of `/odata/v1` calls answered `429 Too Many Requests` with `Retry-After`.
    public var throttleRate: Double
    /// Fraction (0...1) of `/odata/v1` calls whose connection is closed without an answer.
    public var dropRate: Double
    /// Fraction (0...1) of `/odata/v1` calls answered only after `slowDelay`.
    public var slowRate: Double
    /// Delay of a slow answer.
    public var slowDelay: Duration
    /// Seconds sent in `Retry-After` with a 429.
    public var retryAfterSeconds: Int
    /// Lifetime of issued access tokens.
    public var tokenTTL: Duration
    /// Logins accepted by both identity realms, as (name, password). `demo`/`demo` is always present.
    public var users: [(name: String, password: String)]
    /// Users whose DESP login asks for a one-time password, by user name (the OTP they must enter).
    public var otps: [String: String]
    /// Service accounts accepted by the DEDL `client_credentials` grant, as (client id, client secret).
    public var serviceAccounts: [(clientID: String, clientSecret: String)]
    /// Fraction (0...1) of order items that fail by themselves (decided per item from the seed).
    public var itemFailRate: Double
    /// Input identifiers whose items always fail.
    public var failingIdentifiers: Set<String>
    /// Fraction (0...1) of accepted orders whose answer is lost: the order is created, then the connection closes
    /// without the 201 (tests that clients adopt orders by name instead of submitting twice).
    public var lostResponseRate: Double
    /// Makes injected faults and failing items repeatable.
    public var seed: UInt64?
    /// Where state (orders, catalogue additions, signing key) is persisted, atomically; `nil` keeps it in memory.
    public var stateDirectory: URL?
    /// Largest accepted request body, in bytes (larger bodies get 413).
    public var maxBodyBytes: Int
    /// Largest accepted `IdentifierList`.
    public var maxIdentifiers: Int
    /// Orders of one user running at once; the rest wait `queued` (0: no cap; the recorded service behaved like 5).
    public var maxRunning: Int
    /// Share (0...1) of orders that run past their `EstimatedDate`.
    public var overrunRate: Double
    /// How long a completed TEMPORARY output can be downloaded (`temp_url_expires` = completion + this); 14 days, as
    /// the real service.
    public var temporaryTTL: Duration
    /// The time tokens are issued (`iat`, `exp`) and checked at; tests pass one they move. Orders and login sessions
    /// follow the system clock.
    public var now: @Sendable () -> Date

    /// The demo login that is always accepted.
    public static let demoUser = (name: "demo", password: "demo")

    /// Creates a configuration; every argument has SPEC section 5's default.
    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        pace: Duration = .seconds(2),
        failRate: Double = 0,
        throttleRate: Double = 0,
        dropRate: Double = 0,
        slowRate: Double = 0,
        slowDelay: Duration = .seconds(2),
        retryAfterSeconds: Int = 1,
        tokenTTL: Duration = .seconds(300),
        users: [(name: String, password: String)] = [],
        otps: [String: String] = [:],
        serviceAccounts: [(clientID: String, clientSecret: String)] = [(clientID: "hookctl-ci", clientSecret: "hookctl-ci-secret")],
        itemFailRate: Double = 0,
        failingIdentifiers: Set<String> = [],
        lostResponseRate: Double = 0,
        seed: UInt64? = nil,
        stateDirectory: URL? = nil,
        maxBodyBytes: Int = 1 << 20,
        maxIdentifiers: Int = ServiceLimits.identifiersPerOrder,
        temporaryTTL: Duration = .seconds(14 * 86_400),
        maxRunning: Int = 0,
        overrunRate: Double = 0,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.host = host
        self.port = port
        self.pace = pace
        self.failRate = failRate
        self.throttleRate = throttleRate
        self.dropRate = dropRate
        self.slowRate = slowRate
        self.slowDelay = slowDelay
        self.retryAfterSeconds = retryAfterSeconds
        self.tokenTTL = tokenTTL
        self.users = users
        self.otps = otps
        self.serviceAccounts = serviceAccounts
        self.itemFailRate = itemFailRate
        self.failingIdentifiers = failingIdentifiers
        self.lostResponseRate = lostResponseRate
        self.seed = seed
        self.stateDirectory = stateDirectory
        self.maxBodyBytes = maxBodyBytes
        self.maxIdentifiers = maxIdentifiers
        self.temporaryTTL = temporaryTTL
        self.maxRunning = maxRunning
        self.overrunRate = overrunRate
        self.now = now
    }

    /// All logins, `demo`/`demo` first, later entries overriding earlier ones with the same name.
    var logins: [String: String] {
        var result = [Self.demoUser.name: Self.demoUser.password]
        for user in users { result[user.name] = user.password }
        return result
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }

    /// Whole milliseconds, clamped to ±10 years (configurations may hold absurd durations; arithmetic must not trap).
    var milliseconds: Int64 {
        let (s, atto) = components
        let limit: Int64 = 315_360_000_000
        guard s < limit / 1000, s > -limit / 1000 else { return s < 0 ? -limit : limit }
        return s * 1000 + atto / 1_000_000_000_000_000
    }
}
