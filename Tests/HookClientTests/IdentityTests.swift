import Foundation
import HookClient
import HookS3
import HookSandbox
import Testing

/// Every way a user logs in, against the sandbox's DESP and DEDL realms over HTTP.
struct IdentityTests {
    static let otpSandbox = SandboxConfiguration(
        pace: .milliseconds(300), users: [(name: "otpuser", password: "otp-pass-1")], otps: ["otpuser": "654321"])

    @Test func `a DESP user logs in through the form and the token exchange`() async throws {
        try await ClientHarness.with { harness in
            try await harness.client { service in
                let workflows = try await service.workflows(expandOptions: false)
                #expect(workflows.contains { $0.name == "data-harvest" })
            }
            #expect(try await harness.count(route: "/auth/realms/dedl/protocol/openid-connect/token") == 1)
        }
    }

    @Test func `a wrong password is a clear error with the realm's message, tried once`() async throws {
        try await ClientHarness.with { harness in
            let retries = RetryLog()
            let error = try await #require(throws: ClientError.self) {
                try await harness.client(.desp(username: "demo", password: Secret("not-the-Pa55word"), otp: nil), retries: retries) {
                    _ = try await $0.workflows(expandOptions: false)
                }
            }
            #expect(error == .invalidCredentials("Invalid username or password."))
            #expect(!(error.errorDescription ?? "").contains("not-the-Pa55word"))
            #expect(retries.all.isEmpty)
        }
    }

    @Test func `an OTP login needs the code, and refuses a wrong one`() async throws {
        try await ClientHarness.with(Self.otpSandbox) { harness in
            let missing = try await #require(throws: ClientError.self) {
                try await harness.client(.desp(username: "otpuser", password: Secret("otp-pass-1"), otp: nil)) {
                    _ = try await $0.workflows(expandOptions: false)
                }
            }
            #expect(missing == .otpRequired)
            let wrong = try await #require(throws: ClientError.self) {
                try await harness.client(.desp(username: "otpuser", password: Secret("otp-pass-1"), otp: Secret("111111"))) {
                    _ = try await $0.workflows(expandOptions: false)
                }
            }
            guard case .invalidCredentials = wrong else { Issue.record("expected invalid credentials, got \(wrong)"); return }
            try await harness.client(.desp(username: "otpuser", password: Secret("otp-pass-1"), otp: Secret("654321"))) { service in
                let workflows = try await service.workflows(expandOptions: false)
                #expect(workflows.count > 3)
            }
        }
    }

    @Test func `a service account logs in with client credentials; a bad secret is refused`() async throws {
        try await ClientHarness.with { harness in
            try await harness.client(.serviceAccount(clientID: "hookctl-ci", clientSecret: Secret("hookctl-ci-secret"))) { service in
                let lai = try await service.workflow(named: "lai")
                #expect(lai?.options?.isEmpty == false)
            }
            let error = try await #require(throws: ClientError.self) {
                try await harness.client(.serviceAccount(clientID: "hookctl-ci", clientSecret: Secret("wrong"))) {
                    _ = try await $0.workflows(expandOptions: false)
                }
            }
            guard case .invalidCredentials = error else { Issue.record("expected invalid credentials, got \(error)"); return }
        }
    }

    @Test func `short-lived tokens are renewed before they expire, not on every call`() async throws {
        var configuration = SandboxConfiguration(pace: .milliseconds(300))
        configuration.tokenTTL = .seconds(2)
        try await ClientHarness.with(configuration) { harness in
            let start = ContinuousClock.now
            try await harness.client { service in
                for _ in 0..<40 {
                    _ = try await service.productionOrders(filter: "Status eq 'queued'")
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            let elapsed = start.duration(to: .now)
            let logins = try await harness.count(route: "/auth/realms/dedl/protocol/openid-connect/token")
            #expect(logins >= 2, "a 2-second token must have been renewed over \(elapsed)")
            // A token lives 2 s (its `exp` is in whole seconds, so really 1-2 s) and is renewed with a fifth of its life
            // left: at most one login per 0.8 s (plus the first), however slow the machine, and far fewer than one a call.
            let bound = Int(Double(elapsed.components.seconds) / 0.8) + 3
            #expect(logins <= bound && logins < 40, "\(logins) logins for 40 calls in \(elapsed)")
            #expect(try await harness.count(route: "/odata/v1/ProductionOrders") == 40)
        }
    }

    @Test func `a refused static token gets one fresh attempt, never a loop`() async throws {
        try await ClientHarness.with { harness in
            let retries = RetryLog()
            let error = try await #require(throws: ClientError.self) {
                try await harness.client(.token(Secret("not.a.token")), retries: retries) { _ = try await $0.workflows(expandOptions: false) }
            }
            guard case .unauthorized = error else { Issue.record("expected unauthorized, got \(error)"); return }
            #expect(retries.all.count == 1)
            #expect(try await harness.count(route: "/odata/v1/Workflows") == 2)
            #expect(!retries.all.joined().contains("not.a.token"))
        }
    }
}
