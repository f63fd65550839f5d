import Foundation
import HookClient
import HookCore
import HookS3
import HookSandbox
import Logging
import Synchronization
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Lines a test collects from callbacks running on other tasks.
final class Lines: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ line: String) { storage.withLock { $0.append(line) } }
    var all: [String] { storage.withLock { $0 } }
}

/// A `LogHandler` keeping every message (with its metadata) at every level.
struct CapturingLogHandler: LogHandler {
    let lines: Lines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        lines.append("\(event.level) \(event.message) \(merged) \(event.source)")
    }
}

/// A sandbox for one test, plus the client settings pointing at it.
struct Bench: Sendable {
    let sandbox: RunningSandbox

    static var quietLogger: Logger {
        var logger = Logger(label: "client-test")
        logger.logLevel = .critical
        return logger
    }

    static func logger(capturingInto lines: Lines) -> Logger {
        var logger = Logger(label: "client-test") { _ in CapturingLogHandler(lines: lines) }
        logger.logLevel = .trace
        return logger
    }

    /// Runs `body` against a fresh sandbox, stopping it afterwards (also when `body` throws).
    static func with(
        _ configuration: SandboxConfiguration = SandboxConfiguration(pace: .milliseconds(300)),
        _ body: (Bench) async throws -> Void
    ) async throws {
        let sandbox = try await RunningSandbox.start(configuration, logger: quietLogger)
        do {
            try await body(Bench(sandbox: sandbox))
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }

    /// A fast policy for tests: short pauses, bounded.
    static var fastRetry: RetryPolicy {
        var policy = RetryPolicy()
        policy.baseDelay = .milliseconds(5)
        policy.maxDelay = .milliseconds(50)
        policy.requestTimeout = .seconds(10)
        policy.totalBudget = .seconds(30)
        return policy
    }

    static let demo = Credentials.desp(username: "demo", password: Secret("demo"), otp: nil)

    func configuration(_ credentials: Credentials = Bench.demo, retry: RetryPolicy = Bench.fastRetry) -> ServiceConfiguration {
        ServiceConfiguration(
            serviceURL: sandbox.serviceURL,
            identity: IdentityConfiguration(despURL: sandbox.despURL, dedlTokenURL: sandbox.dedlTokenURL),
            credentials: credentials, retry: retry)
    }

    /// Runs `body` with a client of this sandbox.
    func client<T: Sendable>(
        _ credentials: Credentials = Bench.demo, retry: RetryPolicy = Bench.fastRetry,
        logger: Logger = Bench.quietLogger, clock: any Clock<Duration> = ContinuousClock(),
        onRetry: @escaping @Sendable (String) -> Void = { _ in },
        _ body: (HookService) async throws -> T
    ) async throws -> T {
        try await HookService.with(configuration(credentials, retry: retry), logger: logger, clock: clock, onRetry: onRetry, body)
    }

    /// The body of a plain request made outside the client (Foundation's URLSession).
    func send(_ request: URLRequest) async throws -> Data {
        try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, _, error in
                if let data { continuation.resume(returning: data) } else { continuation.resume(throwing: error ?? URLError(.badServerResponse)) }
            }.resume()
        }
    }

    /// A sandbox inspection route (never faulted), as JSON.
    func inspect(_ path: String) async throws -> [String: Any] {
        let data = try await send(URLRequest(url: URL(string: sandbox.baseURL.absoluteString + path)!))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// A DEDL token of the sandbox's service account, read straight from the token endpoint.
    func serviceAccountToken() async throws -> String {
        var request = URLRequest(url: sandbox.dedlTokenURL)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data("grant_type=client_credentials&client_id=hookctl-ci&client_secret=hookctl-ci-secret&scope=openid".utf8)
        let json = try #require(try JSONSerialization.jsonObject(with: try await send(request)) as? [String: Any])
        return try #require(json["access_token"] as? String)
    }

    /// How many requests `/sandbox/stats` counted for a method and route pattern (all statuses unless given).
    func count(_ method: String, _ route: String, status: Int? = nil) async throws -> Int {
        let rows = try #require(try await inspect("/sandbox/stats")["requests"] as? [[String: Any]])
        return rows.filter {
            $0["method"] as? String == method && $0["route"] as? String == route
                && (status == nil || ($0["status"] as? NSNumber)?.intValue == status)
        }.reduce(0) { $0 + (($1["count"] as? NSNumber)?.intValue ?? 0) }
    }

    /// Logins at the DEDL token endpoint (every flow ends there).
    func dedlLogins() async throws -> Int {
        try await count("POST", "/auth/realms/dedl/protocol/openid-connect/token", status: 200)
    }

    /// Names of the orders the sandbox accepted.
    func acceptedOrderNames() async throws -> [String] {
        let orders = try #require(try await inspect("/sandbox/orders")["value"] as? [[String: Any]])
        return orders.compactMap { $0["Name"] as? String }
    }

    static let identifier = "S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T074321.SAFE"

    /// A TEMPORARY + DESP data-harvest order.
    static func harvestOrder(name: String, identifiers: [String] = [identifier], extraOption: String = "") -> [UInt8] {
        let ids = identifiers.map { "\"\($0)\"" }.joined(separator: ",")
        return Array(
            """
            {"Name":"\(name)","WorkflowName":"data-harvest","IdentifierList":[\(ids)],"WorkflowOptions":[
            {"Name":"output_storage","Value":"TEMPORARY"},{"Name":"source_type","Value":"DESP"},
            {"Name":"desp_source_username","Value":"demo"},{"Name":"desp_source_password","Value":"demo"},
            {"Name":"desp_source_collection","Value":"EO.ESA.DAT.SENTINEL-2.MSI.L1C"}\(extraOption)]}
            """.utf8)
    }

    /// Polls the products of an order until all are terminal (bounded hang guard, not a timing assertion).
    static func waitForItems(_ service: HookService, order: Int, limit: Duration = .seconds(60)) async throws -> [BatchOrderItem] {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let items = try await service.products(batchOrderID: order)
            if !items.isEmpty, items.allSatisfy({ ["completed", "failed", "cancelled"].contains($0.status.rawValue) }) { return items }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("order \(order) did not finish within \(limit)")
        return []
    }
}

/// Runs `body` and returns the `ClientError` it throws (records an issue when it throws something else or nothing).
func clientError(sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void) async -> ClientError? {
    do {
        try await body()
        Issue.record("expected a ClientError, got success", sourceLocation: sourceLocation)
    } catch let error as ClientError {
        return error
    } catch {
        Issue.record("expected a ClientError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
