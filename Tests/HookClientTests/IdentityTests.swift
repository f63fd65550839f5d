import Foundation
import HookClient
import HookCore
import HookS3
import HookSandbox
import Testing

struct IdentityTests {
    static let users = [(name: "alice", password: "wonder land"), (name: "otpuser", password: "otp-pass")]
    static let sandbox = SandboxConfiguration(pace: .milliseconds(300), users: users, otps: ["otpuser": "123456"])

    @Test func `the demo DESP login reaches the service through the code and token exchanges`() async throws {
        try await Bench.with(Self.sandbox) { bench in
            let workflows = try await bench.client { try await $0.workflows(expandOptions: false) }
            #expect(workflows.contains { $0.name == "data-harvest" })
            #expect(try await bench.count("POST", "/realms/desp/protocol/openid-connect/token", status: 200) == 1)
            #expect(try await bench.dedlLogins() == 1)
        }
    }

    @Test func `an extra DESP user with a space in the password logs in`() async throws {
        try await Bench.with(Self.sandbox) { bench in
            let credentials = Credentials.desp(username: "alice", password: Secret("wonder land"), otp: nil)
            let workflows = try await bench.client(credentials) { try await $0.workflows(expandOptions: false) }
            #expect(!workflows.isEmpty)
        }
    }

    @Test func `a wrong password is invalid credentials with the page's message and is not retried`() async throws {
        try await Bench.with(Self.sandbox) { bench in
            let retries = Lines()
            let credentials = Credentials.desp(username: "alice", password: Secret("wrong"), otp: nil)
            let error = await clientError { _ = try await bench.client(credentials, onRetry: retries.append) { try await $0.workflows(expandOptions: false) } }
            #expect(error == .invalidCredentials("Invalid username or password."))
            #expect(retries.all.isEmpty)
            let observed35 = try await bench.count("POST", "/realms/desp/login-actions/authenticate")
            #expect(observed35 == 1)
            let observed36 = try await bench.count("GET", "/odata/v1/Workflows")
            #expect(observed36 == 0)
            let observed37 = try await bench.dedlLogins()
            #expect(observed37 == 0)
        }
    }

    @Test func `a user with an OTP needs it, logs in with it, and is refused with a wrong one`() async throws {
        try await Bench.with(Self.sandbox) { bench in
            let without = Credentials.desp(username: "otpuser", password: Secret("otp-pass"), otp: nil)
            let missing = await clientError { _ = try await bench.client(without) { try await $0.workflows(expandOptions: false) } }
            #expect(missing == .otpRequired)

            let right = Credentials.desp(username: "otpuser", password: Secret("otp-pass"), otp: Secret("123456"))
            let workflows = try await bench.client(right) { try await $0.workflows(expandOptions: false) }
            #expect(!workflows.isEmpty)

            let wrong = Credentials.desp(username: "otpuser", password: Secret("otp-pass"), otp: Secret("000000"))
            let refused = await clientError { _ = try await bench.client(wrong) { try await $0.workflows(expandOptions: false) } }
            #expect(refused == .invalidCredentials("Invalid authenticator code."))
        }
    }

    @Test func `the sandbox's service account and a static token both reach the service`() async throws {
        try await Bench.with(Self.sandbox) { bench in
            let account = Credentials.serviceAccount(clientID: "hookctl-ci", clientSecret: Secret("hookctl-ci-secret"))
            let token = try await bench.client(account) { service in
                #expect(try await service.workflow(named: "data-harvest") != nil)
                return try await bench.dedlLogins()
            }
            #expect(token == 1)
            #expect(try await bench.count("POST", "/realms/desp/protocol/openid-connect/token") == 0)
        }
    }

    @Test func `a static token is used as given, without any login`() async throws {
        try await Bench.with(Self.sandbox) { bench in
            let token = try await bench.serviceAccountToken()
            let before = try await bench.dedlLogins()
            let workflows = try await bench.client(.token(Secret(token))) { try await $0.workflows(expandOptions: true) }
            #expect(!workflows.isEmpty)
            #expect(try await bench.dedlLogins() == before)
        }
    }

    @Test func `a bad client secret is invalid credentials`() async throws {
        try await Bench.with(Self.sandbox) { bench in
            let account = Credentials.serviceAccount(clientID: "hookctl-ci", clientSecret: Secret("not-the-secret"))
            let error = await clientError { _ = try await bench.client(account) { try await $0.workflows(expandOptions: false) } }
            guard case .invalidCredentials(let message)? = error else {
                Issue.record("expected invalid credentials, got \(String(describing: error))")
                return
            }
            #expect(!message.contains("not-the-secret"))
            let observed88 = try await bench.count("GET", "/odata/v1/Workflows")
            #expect(observed88 == 0)
        }
    }

    @Test func `an invalid static token is unauthorized after exactly one more attempt`() async throws {
        try await Bench.with(Self.sandbox) { bench in
            let retries = Lines()
            let error = await clientError {
                _ = try await bench.client(.token(Secret("not.a.token")), onRetry: retries.append) { try await $0.workflows(expandOptions: false) }
            }
            guard case .unauthorized? = error else {
                Issue.record("expected unauthorized, got \(String(describing: error))")
                return
            }
            let observed102 = try await bench.count("GET", "/odata/v1/Workflows")
            #expect(observed102 == 2)
            #expect(retries.all.count == 1)
            #expect(retries.all.first?.contains("401") == true)
        }
    }

    static let account = Credentials.serviceAccount(clientID: "hookctl-ci", clientSecret: Secret("hookctl-ci-secret"))

    /// A sandbox whose tokens live `ttl` on `clock`'s time: they age as the client's clock is moved, not in real time.
    static func sandbox(on clock: ManualClock, ttl: Duration = .seconds(300)) -> SandboxConfiguration {
        SandboxConfiguration(pace: .milliseconds(300), tokenTTL: ttl, now: { clock.date })
    }

    @Test func `tokens are renewed before they expire, not fetched for every call`() async throws {
        let clock = ManualClock()
        try await Bench.with(Self.sandbox(on: clock)) { bench in
            try await bench.client(Self.account, clock: clock) { service in
                for _ in 0..<12 {
                    _ = try await service.workflows(expandOptions: false)
                    clock.advance(by: .seconds(250))
                }
            }
            // A 300 s token serves two calls 250 s apart: tokens are obtained at 0, 500, 1000, 1500, 2000 and 2500 s.
            #expect(try await bench.dedlLogins() == 6)
            #expect(try await bench.count("GET", "/odata/v1/Workflows", status: 200) == 12)
            #expect(try await bench.count("GET", "/odata/v1/Workflows", status: 401) == 0)
        }
    }

    @Test(arguments: [(ttl: 300, secondsLeft: 30), (ttl: 100, secondsLeft: 20)])
    func `a token is renewed once a fifth of its life, at most 30 s, is left`(ttl: Int, secondsLeft: Int) async throws {
        let clock = ManualClock()
        try await Bench.with(Self.sandbox(on: clock, ttl: .seconds(ttl))) { bench in
            try await bench.client(Self.account, clock: clock) { service in
                _ = try await service.workflows(expandOptions: false)
                clock.advance(by: .seconds(ttl - secondsLeft - 1))
                _ = try await service.workflows(expandOptions: false)
                #expect(try await bench.dedlLogins() == 1)
                clock.advance(by: .seconds(1))
                _ = try await service.workflows(expandOptions: false)
                #expect(try await bench.dedlLogins() == 2)
            }
        }
    }

    @Test func `a DESP user's tokens are renewed with the realm's refresh token, without logging in again`() async throws {
        let clock = ManualClock()
        try await Bench.with(Self.sandbox(on: clock)) { bench in
            try await bench.client(Bench.demo, clock: clock) { service in
                for _ in 0..<8 {
                    _ = try await service.workflows(expandOptions: false)
                    clock.advance(by: .seconds(250))
                }
            }
            // One login through the DESP form and code exchange, then the token exchange at the DEDL realm; the renewals
            // at 500, 1000 and 1500 s are one refresh each there (each refresh token lives 1800 s).
            #expect(try await bench.count("GET", "/realms/desp/protocol/openid-connect/auth") == 1)
            #expect(try await bench.count("POST", "/realms/desp/protocol/openid-connect/token") == 1)
            #expect(try await bench.dedlLogins() == 4)
            #expect(try await bench.count("GET", "/odata/v1/Workflows", status: 200) == 8)
        }
    }

    @Test func `a refresh token with 10 s or less left is not tried: the DESP user logs in again`() async throws {
        let clock = ManualClock()
        try await Bench.with(Self.sandbox(on: clock)) { bench in
            try await bench.client(Bench.demo, clock: clock) { service in
                _ = try await service.workflows(expandOptions: false)
                // The refresh token lives 1800 s: the sandbox would still take it now, the client does not offer it.
                clock.advance(by: .seconds(1790))
                _ = try await service.workflows(expandOptions: false)
            }
            #expect(try await bench.count("POST", "/realms/desp/protocol/openid-connect/token") == 2)
            #expect(try await bench.count("POST", "/auth/realms/dedl/protocol/openid-connect/token") == 2)
            #expect(try await bench.dedlLogins() == 2)
        }
    }

    @Test func `a token the service refuses triggers one fresh login and the call then succeeds`() async throws {
        // The client keeps a token while the sandbox restarts on the same port with another signing key: the cached
        // token (valid for an hour by its claims) is refused, the client logs in once more and carries on.
        let first = try await RunningSandbox.start(Self.sandbox, logger: Bench.quietLogger)
        let port = try #require(first.baseURL.port)
        let bench = Bench(sandbox: first)
        let retries = Lines()
        var second: RunningSandbox?
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("hookclient-state-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: state) }
        do {
            try await HookService.with(bench.configuration(), logger: Bench.quietLogger, onRetry: retries.append) { service in
                _ = try await service.workflows(expandOptions: false)
                #expect(try await bench.dedlLogins() == 1)
                await first.stop()
                // A fresh state directory gives the restarted sandbox its own signing key.
                var restarted = Self.sandbox
                restarted.port = port
                restarted.stateDirectory = state
                let sandbox = try await RunningSandbox.start(restarted, logger: Bench.quietLogger)
                second = sandbox
                #expect(try await service.workflow(named: "data-harvest") != nil)
                let again = Bench(sandbox: sandbox)
                #expect(try await again.dedlLogins() == 1)
                #expect(try await again.count("GET", "/odata/v1/Workflows", status: 401) == 1)
            }
        } catch {
            await first.stop()
            await second?.stop()
            throw error
        }
        await first.stop()
        await second?.stop()
        #expect(retries.all.filter { $0.contains("401") }.count == 1)
    }
}
