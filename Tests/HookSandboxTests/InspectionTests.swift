import Foundation
import NIOHTTP1
import Testing

@testable import HookSandbox

struct InspectionTests {
    @Test func `the sandbox lists accepted orders with secrets masked`() async throws {
        try await Harness.with { h in
            let token = try await h.dedlToken()
            // A password that is not also the user name, so its absence from the listing can be checked by value.
            let id = try await h.submit(Harness.harvestBody(name: "inspect-me", password: "pw-not-demo"), token: token)
            _ = try await h.post("/odata/v1/BatchOrder/OData.CSC.Order", json: #"{"Name":"bad"}"#, token: token)
            let reply = try await h.get("/sandbox/orders")
            let orders = try #require(reply.json?["value"]?.arrayValue)
            #expect(orders.count == 1)
            let order = try #require(orders.first)
            guard case let .object(pairs) = order else {
                Issue.record("not an object")
                return
            }
            #expect(pairs.map(\.0) == ["Id", "Name", "WorkflowName", "Status", "IdentifierList", "WorkflowOptions"])
            #expect(order["Id"] == .int(id))
            #expect(order["IdentifierList"] == .array([.string(Harness.notebookIdentifier)]))
            let password = order["WorkflowOptions"]?.arrayValue?.first { $0["Name"]?.stringValue == "desp_source_password" }
            #expect(password?["Value"]?.stringValue == "****")
            #expect(!reply.text.contains("pw-not-demo"))
        }
    }

    @Test func `stats count requests by method, route pattern and status`() async throws {
        try await Harness.with(SandboxConfiguration(pace: .milliseconds(50))) { h in
            let token = try await h.dedlToken()
            let id = try await h.submit(Harness.harvestBody(), token: token)
            _ = try await h.get("/odata/v1/BatchOrder(\(id))/Products", token: token)
            _ = try await h.get("/odata/v1/BatchOrder(\(id))/Products", token: token)
            _ = try await h.get("/odata/v1/BatchOrder(1)/Products", token: token)
            let stats = try await h.get("/sandbox/stats")
            #expect(stats.json?["orders"] == .int(1))
            let rows = try #require(stats.json?["requests"]?.arrayValue)
            func count(_ method: String, _ route: String, _ status: Int) -> Int? {
                rows.first { $0["method"]?.stringValue == method && $0["route"]?.stringValue == route && $0["status"] == .int(status) }?["count"]?.intValue
            }
            #expect(count("GET", "/odata/v1/BatchOrder({id})/Products", 200) == 2)
            #expect(count("GET", "/odata/v1/BatchOrder({id})/Products", 404) == 1)
            #expect(count("POST", "/odata/v1/BatchOrder/OData.CSC.Order", 201) == 1)
            #expect(count("POST", "/auth/realms/dedl/protocol/openid-connect/token", 200) == 1)
        }
    }

    @Test func `generated products can be added to the catalogue in bulk and ordered`() async throws {
        try await Harness.with(SandboxConfiguration(pace: .milliseconds(100))) { h in
            let added = try await h.post("/sandbox/catalogue", json: #"{"collection":"EO.ESA.DAT.SENTINEL-2.MSI.L1C","count":500}"#)
            #expect(added.status == 201)
            #expect(added.json?["added"] == .int(500))
            let ids = try #require(added.json?["identifiers"]?.arrayValue?.compactMap { $0.stringValue })
            #expect(Set(ids).count == 500)
            let named = try await h.post("/sandbox/catalogue", json: #"{"collection":"EO.ESA.DAT.SENTINEL-1.L1_GRD","identifiers":["MY_GRD_1","MY_GRD_2"]}"#)
            #expect(named.json?["added"] == .int(2))
            let item = try await h.get("/stac/collections/EO.ESA.DAT.SENTINEL-1.L1_GRD/items/MY_GRD_1")
            #expect(item.status == 200)
            let token = try await h.dedlToken()
            let id = try await h.submit(Harness.harvestBody(identifiers: Array(ids.prefix(50))), token: token)
            #expect(try await h.waitForTerminal(id, token: token) == "completed")
            for bad in [
                #"{"collection":"nope","count":1}"#, #"{"collection":"EO.ESA.DAT.SENTINEL-2.MSI.L1C","count":-1}"#,
                #"{"collection":"EO.ESA.DAT.SENTINEL-2.MSI.L1C"}"#,
                #"{"collection":"EO.ESA.DAT.SENTINEL-2.MSI.L1C","identifiers":["a/b"]}"#, "nope",
            ] {
                #expect(try await h.post("/sandbox/catalogue", json: bad).status == 400, "\(bad)")
            }
        }
    }

    @Test func `the STAC catalogue serves the landing page, collections, items and search`() async throws {
        try await Harness.with { h in
            let landing = try await h.get("/stac")
            #expect(landing.json?["type"]?.stringValue == "Catalog")
            let collections = try await h.get("/stac/collections")
            #expect(collections.json?["collections"]?.arrayValue?.count == 4)
            let collection = try await h.get("/stac/collections/EO.ESA.DAT.SENTINEL-2.MSI.L1C")
            #expect(collection.json?["id"]?.stringValue == "EO.ESA.DAT.SENTINEL-2.MSI.L1C")
            let items = try await h.get("/stac/collections/EO.ESA.DAT.SENTINEL-2.MSI.L1C/items?limit=2")
            #expect(items.json?["features"]?.arrayValue?.count == 2)
            #expect(items.json?["links"]?.arrayValue?.contains { $0["rel"]?.stringValue == "next" } == true)
            let item = try await h.get("/stac/collections/EO.ESA.DAT.SENTINEL-2.MSI.L1C/items/\(Harness.notebookIdentifier)")
            #expect(item.json?["id"]?.stringValue == Harness.notebookIdentifier)
            #expect(item.json?["type"]?.stringValue == "Feature")
            let href = try #require(item.json?["assets"]?["downloadLink"]?["href"]?.stringValue)
            #expect(try await h.get(href).status == 401)
            let download = try await h.get(href, token: try await h.dedlToken())
            #expect(download.status == 200)
            #expect(download.body.prefix(2) == [0x50, 0x4B])
            let missing = try await h.get("/stac/collections/EO.ESA.DAT.SENTINEL-2.MSI.L1C/items/NOPE")
            #expect(missing.status == 404)
            let search = try await h.get("/stac/search?ids=\(Harness.notebookIdentifier)")
            #expect(search.json?["features"]?.arrayValue?.count == 1)
            let posted = try await h.post("/stac/search", json: #"{"collections":["EO.ESA.DAT.SENTINEL-1.L1_SLC"],"limit":10}"#)
            #expect(posted.json?["features"]?.arrayValue?.count == 2)
            #expect(try await h.get("/stac/search?limit=0").status == 400)
        }
    }
}
