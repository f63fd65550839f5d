import Foundation
import HookClient
import HookCore
import HookS3
import HookSandbox
import Logging
import Testing

struct SecretTests {
    let password = "pw-Zq81-secret"
    let otp = "918273"
    let clientSecret = "cs-Xy77-secret"
    let staticToken = "st-Kp55-token"

    /// Whether `text` shows any secret of these tests, or a bearer token.
    func leaks(_ text: String) -> [String] {
        [password, otp, clientSecret, staticToken, "Bearer ", "eyJ"].filter { text.contains($0) }
    }

    @Test func `no secret or token appears in retries, errors, or trace-level logs`() async throws {
        let clock = ManualClock()
        let configuration = SandboxConfiguration(
            pace: .milliseconds(100), failRate: 0.3, throttleRate: 0.1, dropRate: 0.05, retryAfterSeconds: 0, tokenTTL: .seconds(300),
            users: [(name: "carol", password: password)], otps: ["carol": otp],
            serviceAccounts: [(clientID: "ci", clientSecret: clientSecret)], seed: 3, now: { clock.date })
        try await Bench.with(configuration) { bench in
            let logs = Lines()
            let retries = Lines()
            var errors: [String] = []
            let logger = Bench.logger(capturingInto: logs)
            let carol = Credentials.desp(username: "carol", password: Secret(password), otp: Secret(otp))

            try await bench.client(carol, logger: logger, clock: clock, onRetry: retries.append) { service in
                for _ in 0..<8 { _ = try await service.workflows(expandOptions: true) }
                let order = try? await service.submitOrder(json: Bench.harvestOrder(name: "secret-check"))
                if let order { _ = try await service.products(batchOrderID: order.id) }
                clock.advance(by: .seconds(290))  // 10 s of the token's 300 left: the next call renews it
                _ = try await service.workflows(expandOptions: false)
            }
            try await bench.client(
                .serviceAccount(clientID: "ci", clientSecret: Secret(clientSecret)), logger: logger, clock: clock,
                onRetry: retries.append
            ) {
                _ = try await $0.productionOrders(filter: "startswith(Name,'x')")
            }

            let failing: [Credentials] = [
                .desp(username: "carol", password: Secret(password + "x"), otp: nil),
                .desp(username: "carol", password: Secret(password), otp: nil),
                .desp(username: "carol", password: Secret(password), otp: Secret(otp + "1")),
                .serviceAccount(clientID: "ci", clientSecret: Secret(clientSecret + "x")),
                .token(Secret(staticToken)),
            ]
            for credentials in failing {
                do {
                    _ = try await bench.client(credentials, logger: logger, clock: clock, onRetry: retries.append) {
                        try await $0.workflows(expandOptions: false)
                    }
                    Issue.record("expected a failure")
                } catch {
                    errors.append(error.localizedDescription)
                    errors.append(String(describing: error))
                    errors.append(String(reflecting: error))
                }
            }
            let configurationDump = [carol, .serviceAccount(clientID: "ci", clientSecret: Secret(clientSecret)), .token(Secret(staticToken))]
                .map { credentials -> String in
                    var dumped = ""
                    dump(bench.configuration(credentials), to: &dumped)
                    return dumped + String(describing: bench.configuration(credentials)) + String(reflecting: credentials)
                }

            #expect(try await bench.dedlLogins() == 3, "carol's token exchange and refresh, the service account's login")
            #expect(!logs.all.isEmpty, "the client logs at trace level")
            #expect(!retries.all.isEmpty, "the faults caused retries")
            #expect(errors.count == 15)
            for (label, lines) in [("log", logs.all), ("retry", retries.all), ("error", errors), ("dump", configurationDump)] {
                for line in lines {
                    #expect(leaks(line).isEmpty, "\(label) line shows a secret: \(line)")
                }
            }
        }
    }
}
