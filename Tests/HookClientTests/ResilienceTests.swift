import Foundation
import HookClient
import HookCore
import HookS3
import HookSandbox
import Testing

struct ResilienceTests {
    static let account = Credentials.serviceAccount(clientID: "hookctl-ci", clientSecret: Secret("hookctl-ci-secret"))

    @Test func `safe calls all succeed through 5xx, 429 and dropped connections, and the retries are reported`() async throws {
        let faults = SandboxConfiguration(pace: .milliseconds(200), failRate: 0.3, throttleRate: 0.1, dropRate: 0.05, retryAfterSeconds: 0, seed: 11)
        try await Bench.with(faults) { bench in
            let retries = Lines()
            let clock = ManualClock()
            try await bench.client(Self.account, clock: clock, onRetry: retries.append) { service in
                for index in 0..<30 {
                    switch index % 3 {
                    case 0: #expect(try await service.workflows(expandOptions: index % 2 == 0).count >= 10)
                    case 1: #expect(try await service.workflow(named: "data-harvest") != nil)
                    default: _ = try await service.productionOrders(filter: "startswith(Name,'none-')", pageSize: 50)
                    }
                }
            }
            let lines = retries.all
            #expect(lines.count >= 5)
            #expect(lines.contains { $0.contains(": 429;") })
            #expect(lines.contains { $0.contains(": 500;") || $0.contains(": 502;") || $0.contains(": 503;") || $0.contains(": 504;") })
            #expect(lines.allSatisfy { $0.hasPrefix("GET ") && $0.contains("retry ") })
            // Each retry paused once, on the client's clock: `Retry-After: 0`, or a backoff within the policy's 50 ms.
            #expect(clock.pauses.count == lines.count)
            #expect(clock.pauses.allSatisfy { $0 <= .milliseconds(50) })
            // No call gave up, and each answered exactly once.
            #expect(try await bench.count("GET", "/odata/v1/Workflows", status: 200) == 20)
            #expect(try await bench.count("GET", "/odata/v1/ProductionOrders", status: 200) == 10)
        }
    }

    @Test func `a submission under faults succeeds or is reported unknown, and is never sent twice`() async throws {
        let faults = SandboxConfiguration(pace: .seconds(30), failRate: 0.3, dropRate: 0.2, seed: 5)
        try await Bench.with(faults) { bench in
            let retries = Lines()
            var created: [String] = []
            var unknown = 0
            try await bench.client(Self.account, onRetry: retries.append) { service in
                for index in 0..<16 {
                    let name = "faulted-\(index)"
                    do {
                        let order = try await service.submitOrder(json: Bench.harvestOrder(name: name))
                        #expect(order.name == name)
                        created.append(name)
                    } catch ClientError.submissionOutcomeUnknown(let reason) {
                        #expect(!reason.isEmpty)
                        unknown += 1
                    }
                }
            }
            let accepted = try await bench.acceptedOrderNames()
            #expect(Set(accepted).count == accepted.count, "duplicates: \(accepted)")
            #expect(Set(created).isSubset(of: Set(accepted)))
            #expect(created.count + unknown == 16)
            #expect(unknown > 0)
            #expect(!created.isEmpty)
            #expect(!retries.all.contains { $0.hasPrefix("POST ") })
        }
    }

    @Test func `a 429's Retry-After is waited for, not the short backoff`() async throws {
        try await Bench.with(SandboxConfiguration(throttleRate: 1, retryAfterSeconds: 2)) { bench in
            var policy = RetryPolicy()
            policy.baseDelay = .milliseconds(1)
            policy.maxAttempts = 2
            let retries = Lines()
            let clock = ManualClock()
            let error = await clientError {
                _ = try await bench.client(Self.account, retry: policy, clock: clock, onRetry: retries.append) {
                    try await $0.workflows(expandOptions: false)
                }
            }
            #expect(error == .unexpectedStatus(status: 429, detail: errorDetailOf429(error)))
            #expect(retries.all.count == 1)
            #expect(retries.all.first?.contains("429; retry 1 in 2.0s") == true, "\(retries.all)")
            // The backoff alone would pause about 1 ms: the client waits the header's 2 s instead.
            #expect(clock.pauses == [.seconds(2)])
            let observed81 = try await bench.count("GET", "/odata/v1/Workflows", status: 429)
            #expect(observed81 == 2)
        }
    }

    @Test func `a service that is not listening is reported unreachable after a bounded number of attempts`() async throws {
        let sandbox = try await RunningSandbox.start(SandboxConfiguration(), logger: Bench.quietLogger)
        let bench = Bench(sandbox: sandbox)
        await sandbox.stop()
        // A call tries to connect three times (two pauses between); a login, once.
        for (credentials, pauses) in [(Credentials.token(Secret("static")), 2), (Bench.demo, 0), (Self.account, 0)] {
            let clock = ManualClock()
            let error = await clientError {
                _ = try await HookService.with(bench.configuration(credentials), logger: Bench.quietLogger, clock: clock) {
                    try await $0.workflows(expandOptions: false)
                }
            }
            guard case let .unreachable(url, _)? = error else {
                Issue.record("expected unreachable, got \(String(describing: error))")
                continue
            }
            #expect(url.hasPrefix(sandbox.baseURL.absoluteString))
            #expect(!url.contains("?"))
            #expect(clock.pauses.count == pauses)
        }
    }

    /// The detail of a 429 error, whatever the sandbox says (the test is about the status and the wait).
    private func errorDetailOf429(_ error: ClientError?) -> String {
        if case let .unexpectedStatus(_, detail)? = error { return detail }
        return "?"
    }
}
