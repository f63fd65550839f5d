import Foundation
import HookCore
import NIOHTTP1
import Testing

@testable import HookSandbox

struct FaultTests {
    /// Statuses of `count` Workflows calls; a dropped connection shows as 0.
    private func statuses(_ h: Harness, token: String, count: Int) async throws -> [Int] {
        var result: [Int] = []
        for _ in 0..<count {
            do {
                result.append(try await h.get("/odata/v1/Workflows", token: token).status)
            } catch {
                result.append(0)
            }
        }
        return result
    }

    @Test func `the same seed gives the same faults, call by call`() async throws {
        let configuration = SandboxConfiguration(failRate: 0.2, throttleRate: 0.2, dropRate: 0.1, seed: 7)
        var runs: [[Int]] = []
        for _ in 0..<2 {
            try await Harness.with(configuration) { h in
                let token = try await h.dedlToken()
                runs.append(try await statuses(h, token: token, count: 40))
            }
        }
        #expect(runs[0] == runs[1])
        #expect(runs[0].contains(0))
        #expect(runs[0].contains(429))
        #expect(runs[0].contains { $0 >= 500 })
        #expect(runs[0].contains(200))
    }

    @Test func `throttled calls carry Retry-After and the sandbox routes are never faulted`() async throws {
        try await Harness.with(SandboxConfiguration(throttleRate: 1, retryAfterSeconds: 3)) { h in
            let token = try await h.dedlToken()
            let reply = try await h.get("/odata/v1/Workflows", token: token)
            #expect(reply.status == 429)
            #expect(reply.header("Retry-After") == "3")
            #expect(reply.json?["detail"]?.stringValue == "Too Many Requests")
            for path in ["/sandbox/orders", "/sandbox/stats", "/sandbox/faults", "/stac"] {
                #expect(try await h.get(path).status == 200)
            }
            let stats = try await h.get("/sandbox/stats")
            let rows = try #require(stats.json?["requests"]?.arrayValue)
            #expect(rows.contains { $0["route"]?.stringValue == "/odata/v1/Workflows" && $0["status"] == .integer(429) && $0["count"] == .integer(1) })
        }
    }

    @Test func `faults can be changed at run time and reset`() async throws {
        try await Harness.with { h in
            let token = try await h.dedlToken()
            #expect(try await h.get("/odata/v1/Workflows", token: token).status == 200)
            let set = try await h.post("/sandbox/faults", json: #"{"failRate": 1, "seed": 3}"#)
            #expect(set.status == 200)
            #expect(set.json?["failRate"] == .number(1))
            let failed = try await h.get("/odata/v1/Workflows", token: token)
            #expect([500, 502, 503].contains(failed.status))
            _ = try await h.post("/sandbox/faults", json: #"{"failRate": 0, "dropRate": 1}"#)
            await #expect(throws: (any Error).self) { _ = try await h.get("/odata/v1/Workflows", token: token) }
            _ = try await h.post("/sandbox/faults", json: #"{"dropRate": 0, "slowRate": 1, "slowSeconds": 0.2}"#)
            #expect(try await h.get("/odata/v1/Workflows", token: token).status == 200)
            _ = try await h.post("/sandbox/faults", json: #"{"slowRate": 0}"#)
            for bad in [#"{"failRate": 2}"#, #"{"nope": 1}"#, #"[1]"#, #"{"failingIdentifiers": [1]}"#, #"{"tokenTTL": 0}"#, "{"] {
                let reply = try await h.post("/sandbox/faults", json: bad)
                #expect(reply.status == 400, "\(bad)")
            }
        }
    }

    @Test func `items fail by identifier and by seeded rate`() async throws {
        let configuration = SandboxConfiguration(pace: .milliseconds(100), failingIdentifiers: [Harness.notebookIdentifier])
        try await Harness.with(configuration) { h in
            let token = try await h.dedlToken()
            let id = try await h.submit(Harness.harvestBody(), token: token)
            #expect(try await h.waitForTerminal(id, token: token) == "failed")
            let item = try await h.get("/odata/v1/BatchOrder(\(id))/Products", token: token).json?["value"]?.arrayValue?.first
            #expect(item?["StatusMessage"]?.stringValue?.contains("injected failure") == true)
            _ = try await h.post("/sandbox/faults", json: #"{"failingIdentifiers": [], "itemFailRate": 1}"#)
            let other = try await h.submit(Harness.harvestBody(), token: token)
            #expect(try await h.waitForTerminal(other, token: token) == "failed")
            _ = try await h.post("/sandbox/faults", json: #"{"itemFailRate": 0}"#)
            let fine = try await h.submit(Harness.harvestBody(), token: token)
            #expect(try await h.waitForTerminal(fine, token: token) == "completed")
        }
    }

    @Test func `a lost response leaves the order created, findable by name`() async throws {
        try await Harness.with(SandboxConfiguration(lostResponseRate: 1)) { h in
            let token = try await h.dedlToken()
            await #expect(throws: (any Error).self) {
                _ = try await h.post("/odata/v1/BatchOrder/OData.CSC.Order", json: Harness.harvestBody(name: "hookctl-lost-1"), token: token)
            }
            let found = try await h.get("/odata/v1/ProductionOrders?$filter=Name%20eq%20'hookctl-lost-1'", token: token)
            #expect(found.json?["value"]?.arrayValue?.count == 1)
            let inspected = try await h.get("/sandbox/orders")
            #expect(inspected.json?["value"]?.arrayValue?.count == 1)
            let settings = try await h.post("/sandbox/faults", json: #"{"lostResponseRate": 0}"#)
            #expect(settings.json?["lostResponseRate"] == .number(0))
            #expect(try await h.post("/odata/v1/BatchOrder/OData.CSC.Order", json: Harness.harvestBody(), token: token).status == 201)
        }
    }

    @Test func `a short token lifetime set at run time applies to new tokens`() async throws {
        try await Harness.with { h in
            _ = try await h.post("/sandbox/faults", json: #"{"tokenTTL": 5}"#)
            let reply = try await h.postForm(
                h.dedlTokenURL, [("grant_type", "password"), ("client_id", "hda-public"), ("username", "demo"), ("password", "demo")])
            #expect(reply.json?["expires_in"] == .integer(5))
        }
    }
}
