import Foundation
import HookCore
import NIOHTTP1
import Testing

@testable import HookSandbox

/// The routes the other suites do not reach.
struct RouteCoverageTests {
    @Test func `single production orders, the batch order list and the service root answer with their envelopes`() async throws {
        try await Harness.routed { h in
            let token = try await h.dedlToken()
            let id = try await h.submit(Harness.harvestBody(name: "cover"), token: token)
            for path in ["/odata/v1/ProductionOrders(\(id))", "/odata/v1/ProductionOrder(\(id))", "/odata/v1/ProductionOrders('\(id)')"] {
                let reply = try await h.get(path, token: token)
                #expect(reply.status == 200, "\(path)")
                #expect(reply.json?["@odata.context"]?.stringValue == "$metadata#ProductionOrder/$entity")
                #expect(reply.json?["value"]?["Id"] == .string(String(id)))
            }
            let list = try await h.get("/odata/v1/BatchOrder?$filter=WorkflowName%20eq%20'data-harvest'", token: token)
            #expect(list.json?["@odata.context"]?.stringValue == "#metadata/Odata.CSC.BatchOrder")
            #expect(list.json?["value"]?.arrayValue?.first?["Id"] == .integer(id))
            let root = try await h.get("/odata/v1/", token: token)
            #expect(root.status == 200)
            #expect(root.json?["value"]?.arrayValue?.isEmpty == false)
            #expect(try await h.get("/odata/v1/", token: nil).status == 401)
        }
    }

    @Test func `the DESP realm publishes its discovery document and keys`() async throws {
        try await Harness.routed { h in
            let configuration = try await h.get("/realms/desp/.well-known/openid-configuration")
            #expect(configuration.json?["issuer"]?.stringValue == h.base + "/realms/desp")
            #expect(configuration.json?["authorization_endpoint"]?.stringValue == h.base + "/realms/desp/protocol/openid-connect/auth")
            let keys = try await h.get("/realms/desp/protocol/openid-connect/certs")
            #expect(keys.json?["keys"]?.arrayValue?.first?["kty"]?.stringValue == "RSA")
        }
    }

    @Test func `a refresh token gives a new access token in its realm`() async throws {
        try await Harness.routed { h in
            let url = h.dedlTokenURL
            let first = try await h.postForm(url, [("grant_type", "password"), ("client_id", "hda-public"), ("username", "demo"), ("password", "demo")])
            let refresh = try #require(first.json?["refresh_token"]?.stringValue)
            let second = try await h.postForm(url, [("grant_type", "refresh_token"), ("client_id", "hda-public"), ("refresh_token", refresh)])
            #expect(second.status == 200)
            let token = try #require(second.json?["access_token"]?.stringValue)
            #expect(try await h.get("/odata/v1/Workflows", token: token).status == 200)
            let bad = try await h.postForm(url, [("grant_type", "refresh_token"), ("client_id", "hda-public"), ("refresh_token", "nope")])
            #expect(bad.status == 400)
            // A refresh token is not a bearer for the API (wrong audience).
            #expect(try await h.get("/odata/v1/Workflows", token: refresh).status == 401)
        }
    }

    @Test func `the sandbox index, faults and catalogue summary answer without a token`() async throws {
        try await Harness.routed(SandboxConfiguration(failRate: 0.25, seed: 1)) { h in
            let index = try await h.get("/sandbox")
            #expect(index.json?["service"]?.stringValue == h.base + "/odata/v1/")
            let faults = try await h.get("/sandbox/faults")
            #expect(faults.json?["failRate"] == .number(0.25))
            let catalogue = try await h.get("/sandbox/catalogue")
            let counts = try #require(catalogue.json?["collections"]?.arrayValue)
            #expect(counts.count == 4)
            #expect(counts.allSatisfy { ($0["items"]?.intValue ?? 0) >= 2 })
            let unknown = try await h.get("/nowhere")
            #expect(unknown.status == 404)
        }
    }
}
