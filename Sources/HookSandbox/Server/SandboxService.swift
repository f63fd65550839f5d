import AsyncHTTPClient
import Foundation
import HookCore
import Logging

/// Everything one running sandbox holds: orders, catalogue, keys, login sessions, faults and counters.
final class SandboxService: Sendable {
    let configuration: SandboxConfiguration
    let store: OrderStore
    let issuer: TokenIssuer
    let faults: FaultInjector
    let sessions = LoginSessions()
    let stats = RequestStats()
    let validator: OrderValidator
    let logins: [String: String]
    let serviceAccounts: [String: String]
    let seed: UInt64
    let logger: Logger
    /// Held while the sandbox runs when it has a state directory; released after the last state write.
    let stateLock: FileLock?

    var catalogue: ProductCatalogue { store.catalogue }

    init(configuration: SandboxConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        if let directory = configuration.stateDirectory {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw SandboxError.stateUnusable(path: directory.path, reason: "\(error.localizedDescription)")
            }
            do {
                stateLock = try FileLock(path: directory.appendingPathComponent("sandbox.lock").path)
            } catch is FileLock.Busy {
                throw SandboxError.stateInUse(path: directory.path)
            } catch {
                throw SandboxError.stateUnusable(path: directory.path, reason: "\(error)")
            }
        } else {
            stateLock = nil
        }
        store = OrderStore(directory: configuration.stateDirectory, now: configuration.now)
        issuer = try TokenIssuer(stateDirectory: configuration.stateDirectory, now: configuration.now)
        faults = FaultInjector(configuration)
        validator = OrderValidator(maxIdentifiers: configuration.maxIdentifiers)
        logins = configuration.logins
        serviceAccounts = Dictionary(configuration.serviceAccounts.map { ($0.clientID, $0.clientSecret) }, uniquingKeysWith: { _, b in b })
        seed = configuration.seed ?? 0x5EED
    }

    /// The sandbox's time (`SandboxConfiguration.now`) in milliseconds: what orders, links and logins are dated by.
    var nowMs: Int64 { Timestamp.ms(configuration.now()) }

    var paceMs: Int64 { max(0, configuration.pace.milliseconds) }
    var schedule: OrderStore.Schedule {
        OrderStore.Schedule(
            paceMs: paceMs, maxRunning: configuration.maxRunning, overrunRate: configuration.overrunRate, seed: configuration.seed ?? 0)
    }

    func makeScheduler() -> OrderScheduler {
        let (catalogue, logins, faults, seed, now) = (catalogue, logins, faults, seed, configuration.now)
        let tick = Duration.milliseconds(max(10, min(100, paceMs / 10)))
        return OrderScheduler(
            store: store,
            makeProcessor: { httpClient in
                ItemProcessor(
                    catalogue: catalogue, logins: logins, faults: faults, seed: seed, httpClient: httpClient,
                    uploader: S3OutputUploader(httpClient: httpClient))
            },
            now: { Timestamp.ms(now()) }, tick: tick, logger: logger, onStopped: { [stateLock] in stateLock?.release() })
    }

    /// A stable user id (`sub`) for a login name, shaped like Keycloak's UUIDs.
    static func subject(for username: String) -> String {
        var h1 = SeededGenerator.hash("sub:" + username)
        var h2 = SeededGenerator.mix(h1 ^ 0xA5A5)
        h1 = SeededGenerator.mix(h1)
        h2 = SeededGenerator.mix(h2)
        let hex = String(format: "%016llx%016llx", h1, h2)
        let c = Array(hex)
        return "\(String(c[0..<8]))-\(String(c[8..<12]))-4\(String(c[13..<16]))-a\(String(c[17..<20]))-\(String(c[20..<32]))"
    }
}
