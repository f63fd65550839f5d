import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HookClient
import HookS3
import HookSandbox
import Logging
import Synchronization
import Testing

/// A sandbox and a client configured for it, for one test.
struct ClientHarness {
    let sandbox: RunningSandbox

    static var quiet: Logger {
        var logger = Logger(label: "client-test")
        logger.logLevel = .critical
        return logger
    }

    static func with(
        _ configuration: SandboxConfiguration = SandboxConfiguration(pace: .milliseconds(300)),
        _ body: (ClientHarness) async throws -> Void
    ) async throws {
        let sandbox = try await RunningSandbox.start(configuration, logger: quiet)
        do {
            try await body(ClientHarness(sandbox: sandbox))
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }

    func configuration(_ credentials: Credentials, retry: RetryPolicy = RetryPolicy()) -> ServiceConfiguration {
        ServiceConfiguration(
            serviceURL: sandbox.serviceURL,
            identity: IdentityConfiguration(despURL: sandbox.despURL, dedlTokenURL: sandbox.dedlTokenURL),
            credentials: credentials, retry: retry)
    }

    /// Runs `body` with a client logged in with `credentials`; retries are collected in `retries`.
    func client(
        _ credentials: Credentials = .desp(username: "demo", password: Secret("demo"), otp: nil), retry: RetryPolicy = RetryPolicy(),
        retries: RetryLog = RetryLog(), logger: Logger = ClientHarness.quiet, _ body: (HookService) async throws -> Void
    ) async throws {
        try await HookService.with(configuration(credentials, retry: retry), logger: logger, onRetry: retries.record) { try await body($0) }
    }

    /// The sandbox's `/sandbox/stats` count for a route pattern (all methods and statuses).
    func count(route: String) async throws -> Int {
        let (data, _) = try await URLSession.shared.data(from: sandbox.baseURL.appendingPathComponent("sandbox/stats"))
        let stats = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let rows = stats?["requests"] as? [[String: Any]] ?? []
        return rows.filter { ($0["route"] as? String) == route }.compactMap { $0["count"] as? Int }.reduce(0, +)
    }

    /// Names of every order the sandbox accepted.
    func acceptedNames() async throws -> [String] {
        let (data, _) = try await URLSession.shared.data(from: sandbox.baseURL.appendingPathComponent("sandbox/orders"))
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return (json?["value"] as? [[String: Any]] ?? []).compactMap { $0["Name"] as? String }
    }

    static func orderBody(name: String, identifier: String = "S2A_MSIL1C_20230910T050701_N0509_R019_T47VLH_20230910T074321.SAFE",
                          workflow: String = "data-harvest") -> [UInt8] {
        Array("""
            {"Name": "\(name)", "WorkflowName": "\(workflow)", "IdentifierList": ["\(identifier)"],
             "WorkflowOptions": [{"Name": "output_storage", "Value": "TEMPORARY"}, {"Name": "source_type", "Value": "DESP"},
               {"Name": "desp_source_username", "Value": "demo"}, {"Name": "desp_source_password", "Value": "demo"},
               {"Name": "desp_source_collection", "Value": "EO.ESA.DAT.SENTINEL-2.MSI.L1C"}]}
            """.utf8)
    }
}

/// The retry messages a client reported.
final class RetryLog: Sendable {
    private let messages = Mutex<[String]>([])
    var all: [String] { messages.withLock { $0 } }
    func record(_ message: String) { messages.withLock { $0.append(message) } }
}
