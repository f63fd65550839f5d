// Sequential status calls through HookClient, as the runner makes them: one token request (the sandbox's service
// account `hookctl-ci`), then `count` calls of `GET ProductionOrders?$filter=Id eq N`, one at a time. Prints the wall
// time and per-call latency percentiles;
// bench/client/run.sh counts token requests (from the sandbox's /sandbox/stats) and TCP connections (with `ss`).
// Usage: client-bench <sandbox base URL> <order id> [count]
import Foundation
import HookClient
import HookCore
import HookS3
import Logging

let arguments = CommandLine.arguments
guard arguments.count >= 3, let base = URL(string: arguments[1]), let orderID = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: client-bench <sandbox base URL> <order id> [count]\n".utf8))
    exit(2)
}
let count = arguments.count > 3 ? Int(arguments[3]) ?? 1000 : 1000
let configuration = ServiceConfiguration(
    serviceURL: base.appendingPathComponent("odata/v1/"),
    identity: IdentityConfiguration(despURL: base, dedlTokenURL: base.appendingPathComponent("auth/realms/dedl/protocol/openid-connect/token")),
    credentials: .serviceAccount(
        clientID: "hookctl-ci", clientSecret: Secret(ProcessInfo.processInfo.environment["BENCH_CLIENT_SECRET"] ?? "hookctl-ci-secret")))
var logger = Logger(label: "client-bench")
logger.logLevel = .error

let clock = ContinuousClock()
let latencies = try await HookService.with(configuration, logger: logger) { service in
    var latencies: [Duration] = []
    latencies.reserveCapacity(count)
    for _ in 0..<count {
        let start = clock.now
        let orders = try await service.productionOrders(filter: "Id eq \(orderID)")
        latencies.append(clock.now - start)
        guard orders.count == 1 else { fatalError("order \(orderID) not found") }
    }
    return latencies
}
func milliseconds(_ d: Duration) -> String { String(format: "%.3f", Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1e3) }
let sorted = latencies.sorted()
let total = latencies.reduce(Duration.zero, +)
print(
    "\(count) sequential status calls in \(milliseconds(total)) ms (first, with the token request: \(milliseconds(latencies[0])) ms; p50 \(milliseconds(sorted[count / 2])) ms, p99 \(milliseconds(sorted[count * 99 / 100])) ms)"
)
