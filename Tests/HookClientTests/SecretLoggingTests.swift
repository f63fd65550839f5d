import Foundation
import HookClient
import HookS3
import HookSandbox
import Logging
import Synchronization
import Testing

/// Whatever the log level, no password, OTP or token reaches a log line.
struct SecretLoggingTests {
    final class Capture: LogHandler, @unchecked Sendable {
        static let lines = Mutex<[String]>([])
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            Self.lines.withLock { $0.append("\(event.level) \(event.message) \(event.metadata ?? [:]) \(metadata)") }
        }
    }

    @Test func `a full login and session logs nothing secret at trace level`() async throws {
        let password = "Tr4ce-Pa55-\(UInt16.random(in: 1000...9999))"
        let otp = "\(UInt32.random(in: 100_000...999_999))"
        let configuration = SandboxConfiguration(pace: .milliseconds(200), users: [(name: "tracer", password: password)],
                                                 otps: ["tracer": otp])
        let logger = Logger(label: "trace-test") { _ in Capture() }
        try await ClientHarness.with(configuration) { harness in
            try await harness.client(.desp(username: "tracer", password: Secret(password), otp: Secret(otp)), logger: logger) { service in
                _ = try await service.workflows(expandOptions: true)
                _ = try await service.productionOrders(filter: "Status eq 'queued'")
            }
        }
        let lines = Capture.lines.withLock { $0 }
        #expect(!lines.isEmpty, "the client logs its requests at debug level")
        for line in lines {
            #expect(!line.contains(password))
            #expect(!line.contains(otp))
            #expect(!line.contains("Bearer"))
            #expect(!line.contains("eyJ"), "a JWT in a log line: \(line)")
        }
    }
}
