import Foundation
import HookClient
import HookCore
import HookManifest
import HookRunner
import HookS3
import HookSandbox
import Logging
import Synchronization

/// A connection to the Hook service of the profile in force, for the length of one command: an embedded sandbox is
/// started first when the profile (or `--sandbox`) asks for one, and stopped afterwards.
struct ServiceSession {
    let service: HookService
    let orders: any OrderService

    static func with<T: Sendable>(
        invocation: Invocation, bench: Workbench, _ body: (ServiceSession) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "hookctl")
        logger.logLevel = invocation.global.verbose ? .debug : .critical
        let console = invocation.console
        if bench.usesSandbox(forced: invocation.global.sandbox) {
            let login = sandboxLogin(invocation.environment)
            var sandboxLogger = logger
            sandboxLogger.logLevel = .critical
            let sandbox = try await RunningSandbox.start(
                SandboxConfiguration(users: [login], stateDirectory: URL(fileURLWithPath: bench.sandboxStateDirectory)),
                logger: sandboxLogger)
            console.detail("embedded sandbox at \(sandbox.baseURL.absoluteString)")
            let configuration = ServiceConfiguration(
                serviceURL: sandbox.serviceURL, identity: IdentityConfiguration(despURL: sandbox.despURL, dedlTokenURL: sandbox.dedlTokenURL),
                credentials: .desp(username: login.name, password: Secret(login.password), otp: nil))
            do {
                let catalogue = STACCatalogue(url: sandbox.baseURL.appendingPathComponent("stac"))
                let result = try await run(configuration, catalogue: catalogue, logger: logger, console: console, body)
                await sandbox.stop()
                return result
            } catch {
                await sandbox.stop()
                throw error
            }
        }
        let catalogue = STACCatalogue(url: URL(string: bench.profile?.catalogueURL ?? "") ?? defaultCatalogue)
        return try await run(try configuration(bench, environment: invocation.environment), catalogue: catalogue, logger: logger, console: console, body)
    }

    /// Where `check` looks products up when the profile names no `catalogueUrl`: the HDA STAC, as `destinelab` does.
    static let defaultCatalogue = URL(string: "https://hda.data.destination-earth.eu/stac")!

    private static func run<T: Sendable>(
        _ configuration: ServiceConfiguration, catalogue: STACCatalogue, logger: Logger, console: Console, _ body: (ServiceSession) async throws -> T
    ) async throws -> T {
        let retries = RetryTally()
        defer { if let summary = retries.summary { console.info(summary) } }
        let onRetry: @Sendable (String) -> Void = { message in
            retries.count(message)
            console.detail("retry: \(message)")
        }
        return try await HookService.with(configuration, logger: logger, onRetry: onRetry) { service in
            do {
                return try await body(ServiceSession(service: service, orders: ServiceAdapter(service: service, catalogue: catalogue)))
            } catch let error as ClientError {
                if case .unauthorized = error, console.verbose { console.detail(await service.verifyToken()) }
                throw error
            }
        }
    }

    /// The embedded sandbox's login: the DESP login of the environment when set (so manifests that default to it
    /// work), else the demo login.
    static func sandboxLogin(_ environment: [String: String]) -> (name: String, password: String) {
        guard let name = environment["DESP_USERNAME"], !name.isEmpty, let password = environment["DESP_PASSWORD"], !password.isEmpty
        else { return SandboxConfiguration.demoUser }
        return (name, password)
    }

    /// The client configuration of a remote profile, every reference resolved.
    static func configuration(_ bench: Workbench, environment: [String: String]) throws -> ServiceConfiguration {
        guard let profile = bench.profile else { throw RunnerError.noProjectFile }
        func resolve(_ template: Template) throws -> String {
            switch template.resolve(in: environment) {
            case .success(let value): return value
            case .failure(let unset): throw RunnerError.unsetVariables(user: "profile '\(profile.name)'", names: unset.names)
            }
        }
        guard let service = profile.serviceURL, let serviceURL = URL(string: service) else {
            throw RunnerError.profileIncomplete(profile: profile.name, missing: "serviceUrl")
        }
        let credentials: Credentials
        switch profile.auth {
        case .desp(let username, let password, let otp)?:
            let code = try otp.map(resolve).flatMap { $0.isEmpty ? nil : Secret($0) }
            credentials = .desp(username: try resolve(username), password: Secret(try resolve(password)), otp: code)
        case .serviceAccount(let clientID, let clientSecret)?:
            credentials = .serviceAccount(clientID: try resolve(clientID), clientSecret: Secret(try resolve(clientSecret)))
        case .token(let token)?:
            credentials = .token(Secret(try resolve(token)))
        case nil:
            throw RunnerError.profileIncomplete(profile: profile.name, missing: "auth")
        }
        return ServiceConfiguration(
            serviceURL: serviceURL,
            identity: IdentityConfiguration(
                despURL: profile.despURL.flatMap(URL.init(string:)),
                dedlTokenURL: profile.dedlTokenURL.flatMap(URL.init(string:))),
            credentials: credentials)
    }
}

/// The use cases' way to the service of the profile in force.
struct ProfileConnector: ServiceConnector {
    let invocation: Invocation
    let bench: Workbench

    func withService<T: Sendable>(_ work: @Sendable (any OrderService) async throws -> T) async throws -> T {
        try await ServiceSession.with(invocation: invocation, bench: bench) { try await work($0.orders) }
    }
}

/// Counts retried calls by reason, for the one line that tells a user what the run had to retry.
final class RetryTally: Sendable {
    private let reasons = Mutex<[String: Int]>([:])

    /// Takes a retry message (`METHOD path: reason; retry N in Ts`) and counts its reason.
    func count(_ message: String) {
        let afterPath = message.split(separator: ": ", maxSplits: 1).last.map(String.init) ?? message
        let reason = afterPath.split(separator: ";").first.map(String.init) ?? afterPath
        let label =
            switch reason {
            case "429": "429 throttled"
            case let code where code.count == 3 && code.hasPrefix("5"): "5xx"
            case let text where text.contains("Closed") || text.contains("closed") || text.contains("reset"): "dropped connection"
            default: reason
            }
        reasons.withLock { $0[label, default: 0] += 1 }
    }

    /// "retried 14 calls: 6 5xx, 5 429 throttled, 3 dropped connection", or nil when nothing was retried.
    var summary: String? {
        let counts = reasons.withLock { $0 }
        guard !counts.isEmpty else { return nil }
        let total = counts.values.reduce(0, +)
        let parts = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        return "retried \(total) call\(total == 1 ? "" : "s"): " + parts.joined(separator: ", ")
    }
}
