import ArgumentParser
import Foundation
import HookSandbox
import Logging
import ServiceLifecycle
import UnixSignals

/// `hookctl sandbox`: runs the local Hook service (SPEC section 5) until SIGINT/SIGTERM.
struct Sandbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run the local Hook service (OData API, DESP/DEDL identity, STAC) until stopped.",
        discussion: Help.prose(
            """
            Serves on one port: /odata/v1/ (bearer token required), /realms/desp/ and /auth/realms/dedl/ (identity),
            /stac (catalogue) and /sandbox/ (inspection, faults, catalogue additions; no token). Log in as demo/demo.
            Stop with Ctrl-C (SIGINT) or SIGTERM; with --state the orders are kept for the next start.

            Examples:
              hookctl sandbox                # then: hookctl apply --profile local
              hookctl sandbox --port 9000 --pace 10 --state .sandbox-state
              hookctl sandbox --fail-rate 0.2 --throttle-rate 0.1 --drop-rate 0.05 \\
                --token-ttl 3 --seed 1
            """)
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Interface to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 = any free port).")
    var port = 8080

    @Option(help: "Seconds an order spends queued and then in progress (half each).")
    var pace: Double = 2

    @Option(help: "Fraction (0-1) of API calls answered with a 5xx.")
    var failRate: Double = 0

    @Option(help: "Fraction (0-1) of API calls answered 429 with Retry-After.")
    var throttleRate: Double = 0

    @Option(help: "Fraction (0-1) of API calls whose connection is closed without an answer.")
    var dropRate: Double = 0

    @Option(help: "Lifetime of issued access tokens, in seconds (300, as the real service's evidence suggests).")
    var tokenTtl: Double = 300

    @Option(help: "Seconds a completed TEMPORARY output stays downloadable (default 14 days, as the real service).")
    var temporaryTtl: Int = 14 * 86_400

    @Option(help: "Orders one user may have running at once; the rest wait queued (0 = no cap; the real service behaved like 5).")
    var maxRunning = 0

    @Option(help: "Fraction (0-1) of orders that run past their EstimatedDate.")
    var overrunRate = 0.0

    @Option(name: .customLong("user"), help: "An extra login, NAME:PASSWORD (repeatable; demo:demo always works).")
    var users: [String] = []

    @Option(name: .customLong("otp"), help: "NAME:CODE: the login NAME must also give this one-time password (the DESP OTP step; repeatable).")
    var otps: [String] = []

    @Option(help: "Seed that makes injected faults and failing items repeatable.")
    var seed: UInt64?

    @Option(help: "Directory to keep state in (orders, catalogue additions, signing key); default: start empty.")
    var state: String?

    func validate() throws {
        for (name, rate) in [("--fail-rate", failRate), ("--throttle-rate", throttleRate), ("--drop-rate", dropRate)] where !(0...1).contains(rate) {
            throw ValidationError("\(name) must be between 0 and 1")
        }
        guard failRate + throttleRate + dropRate <= 1 else { throw ValidationError("--fail-rate, --throttle-rate and --drop-rate add up to more than 1") }
        guard pace >= 0, pace <= 86_400 else { throw ValidationError("--pace must be between 0 and 86400 seconds") }
        guard tokenTtl >= 1, tokenTtl <= 30 * 86_400 else { throw ValidationError("--token-ttl must be between 1 and 2592000 seconds") }
        guard temporaryTtl >= 1 else { throw ValidationError("--temporary-ttl must be at least 1 second") }
        guard maxRunning >= 0 else { throw ValidationError("--max-running must be 0 (no cap) or more") }
        guard (0...1).contains(overrunRate) else { throw ValidationError("--overrun-rate must be between 0 and 1") }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        _ = try parsedUsers()
        _ = try parsedOTPs()
    }

    private func parsedUsers() throws -> [(name: String, password: String)] {
        try users.map { try Self.pair($0, flag: "--user", shape: "NAME:PASSWORD") }
    }

    private func parsedOTPs() throws -> [String: String] {
        Dictionary(try otps.map { try Self.pair($0, flag: "--otp", shape: "NAME:CODE") }) { _, last in last }
    }

    /// `NAME:VALUE`, split at the first colon (values may hold colons); only the name is ever echoed back.
    private static func pair(_ entry: String, flag: String, shape: String) throws -> (String, String) {
        guard let colon = entry.firstIndex(of: ":"), colon != entry.startIndex else {
            throw ValidationError("\(flag) must be \(shape), got '\(entry.prefix(while: { $0 != ":" }))'")
        }
        return (String(entry[..<colon]), String(entry[entry.index(after: colon)...]))
    }

    func run() async throws {
        var logger = Logger(label: "hookctl.sandbox")
        logger.logLevel = global.verbose ? .debug : (global.quiet ? .error : .notice)
        let configuration = SandboxConfiguration(
            host: host, port: port, pace: .milliseconds(Int64(pace * 1000)), failRate: failRate, throttleRate: throttleRate,
            dropRate: dropRate, tokenTTL: .milliseconds(Int64(tokenTtl * 1000)), users: try parsedUsers(), otps: try parsedOTPs(), seed: seed,
            stateDirectory: state.map { URL(fileURLWithPath: $0, isDirectory: true) }, temporaryTTL: .seconds(temporaryTtl),
            maxRunning: maxRunning, overrunRate: overrunRate)
        let quiet = global.quiet
        let server = try SandboxServer(configuration: configuration, logger: logger) { url in
            guard !quiet else { return }
            FileHandle.standardOutput.write(
                Data(
                    """
                    hookctl sandbox listening on \(url.absoluteString)
                      service:    \(url.absoluteString)/odata/v1/
                      DESP login: \(url.absoluteString)/realms/desp/protocol/openid-connect/auth  (demo / demo)
                      DEDL token: \(url.absoluteString)/auth/realms/dedl/protocol/openid-connect/token
                      STAC:       \(url.absoluteString)/stac
                      inspect:    \(url.absoluteString)/sandbox/orders, /sandbox/stats
                    Press Ctrl-C to stop.

                    """.utf8))
        }
        let group = ServiceGroup(configuration: .init(services: server.services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
