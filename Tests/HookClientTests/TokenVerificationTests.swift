import Foundation
import HookClient
import HookCore
import HookS3
import HookSandbox
import Logging
import Testing

/// The JWKS check of `--verbose` diagnostics, against the sandbox's DEDL realm.
struct TokenVerificationTests {
    static func with(_ credentials: Credentials, _ body: (HookService) async throws -> Void) async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let sandbox = try await RunningSandbox.start(SandboxConfiguration(), logger: logger)
        let configuration = ServiceConfiguration(
            serviceURL: sandbox.serviceURL, identity: IdentityConfiguration(despURL: sandbox.despURL, dedlTokenURL: sandbox.dedlTokenURL),
            credentials: credentials)
        do {
            try await HookService.with(configuration, logger: logger) { try await body($0) }
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }

    @Test func `a token from the DESP login verifies against the realm's JWKS`() async throws {
        try await Self.with(.desp(username: "demo", password: Secret("demo"), otp: nil)) { service in
            let verdict = await service.verifyToken()
            #expect(verdict.hasPrefix("token verified against"), "\(verdict)")
            #expect(verdict.contains("/certs"))
        }
    }

    @Test func `a forged token fails the check, and the service refuses it once without looping`() async throws {
        let forged = "eyJhbGciOiJSUzI1NiIsImtpZCI6Im5vcGUifQ.eyJleHAiOjQxMDI0NDQ4MDAsInN1YiI6Im1hbGxvcnkifQ.c2lnbmF0dXJl"
        try await Self.with(.token(Secret(forged))) { service in
            let verdict = await service.verifyToken()
            #expect(verdict.hasPrefix("token check failed"), "\(verdict)")
            #expect(!verdict.contains(forged))
            let error = await #expect(throws: ClientError.self) { try await service.workflows(expandOptions: false) }
            guard case .unauthorized? = error else {
                Issue.record("expected unauthorized, got \(String(describing: error))")
                return
            }
        }
    }
}
