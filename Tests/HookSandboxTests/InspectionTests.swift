import Foundation
import HookCore
import NIOHTTP1
import Testing

@testable import HookSandbox

struct InspectionTests {
    @Test func `the sandbox lists accepted orders with secrets masked`() async throws {
        try await Harness.routed { h in
            let token = try await h.dedlToken()
            // A password that is not also the user name, so its absence from the listing can be checked by value.
            let id = try await h.submit(Harness.harvestBody(name: "inspect-me", password: "pw-not-demo"), token: token)
            _ = try await h.post("/odata/v1/BatchOrder/OData.CSC.Order", json: #"{"Name":"bad"}"#, token: token)
            let reply = try await h.get("/sandbox/orders")
            let orders = try #require(reply.json?["value"]?.arrayValue)
            #expect(orders.count == 1)
            let order = try #require(orders.first)
            guard case .orderedObject(let members) = order else {
                Issue.record("not an object")
                return
            }
            #expect(members.map(\.key) == ["Id", "Name", "WorkflowName", "Status", "IdentifierList", "WorkflowOptions"])
            #expect(order["Id"] == .integer(id))
            #expect(order["IdentifierList"] == .array([.string(Harness.notebookIdentifier)]))
            let password = order["WorkflowOptions"]?.arrayValue?.first { $0["Name"]?.stringValue == "desp_source_password" }
            #expect(password?["Value"]?.stringValue == "****")
            #expect(!reply.text.contains("pw-not-demo"))
        }
    }

    @Test func `stats count requests by method, route pattern and status`() async throws {
        try await Harness.routed(SandboxConfiguration(pace: .milliseconds(50))) { h in
            let token = try await h.dedlToken()
            let id = try await h.submit(Harness.harvestBody(), token: token)
            _ = try await h.get("/odata/v1/BatchOrder(\(id))/Products", token: token)
            _ = try await h.get("/odata/v1/BatchOrder(\(id))/Products", token: token)
            _ = try await h.get("/odata/v1/BatchOrder(1)/Products", token: token)
            let stats = try await h.get("/sandbox/stats")
            #expect(stats.json?["orders"] == .integer(1))
            let rows = try #require(stats.json?["requests"]?.arrayValue)
            func count(_ method: String, _ route: String, _ status: Int) -> Int? {
                rows.first { $0["method"]?.stringValue == method && $0["route"]?.stringValue == route && $0["status"] == .integer(status) }?["count"]?.intValue
            }
            #expect(count("GET", "/odata/v1/BatchOrder({id})/Products", 200) == 2)
            #expect(count("GET", "/odata/v1/BatchOrder({id})/Products", 404) == 1)
            #expect(count("POST", "/odata/v1/BatchOrder/OData.CSC.Order", 201) == 1)
            #expect(count("POST", "/auth/realms/dedl/protocol/openid-connect/token", 200) == 1)
        }
    }

    @Test func `generated products can be added to the catalogue in bulk and ordered`() async throws {
        try await Harness.routed(SandboxConfiguration(pace: .milliseconds(100))) { h in
            let added = try await h.post("/sandbox/catalogue", json: #"{"collection":"EO.ESA.DAT.SENTINEL-2.MSI.L1C","count":500}"#)
            #expect(added.status == 201)
            #expect(added.json?["added"] == .integer(500))
            let ids = try #require(added.json?["identifiers"]?.arrayValue?.compactMap { $0.stringValue })
            #expect(Set(ids).count == 500)
            let named = try await h.post("/sandbox/catalogue", json: #"{"collection":"EO.ESA.DAT.SENTINEL-1.L1_GRD","identifiers":["MY_GRD_1","MY_GRD_2"]}"#)
            #expect(named.json?["added"] == .integer(2))
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
        try await Harness.routed { h in
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

    @Test func `STAC item search filters by bbox, intersects and datetime, and pages by next links, GET and POST`() async throws {
        try await Harness.routed { h in
            func ids(_ reply: Reply) -> [String] { reply.json?["features"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [] }
            // A box over Siberia finds the T47VLH tiles (band V: 56-64°N), not the Italian or Austrian ones.
            let siberia = ids(try await h.get("/stac/search?bbox=90,50,110,70&limit=100"))
            #expect(!siberia.isEmpty && siberia.allSatisfy { $0.contains("_T47VLH_") }, "\(siberia)")
            let italy = ids(try await h.post("/stac/search", json: #"{"bbox":[6,40,12,48],"limit":100}"#))
            #expect(italy.contains { $0.contains("_T32TQM_") } && !italy.contains { $0.contains("_T47VLH_") || $0.contains("_T33UUP_") }, "\(italy)")
            let polygon = #"{"intersects":{"type":"Polygon","coordinates":[[[90,50],[110,50],[110,70],[90,70],[90,50]]]},"limit":100}"#
            #expect(Set(ids(try await h.post("/stac/search", json: polygon))) == Set(siberia))
            // 2024 only; open-ended ranges too.
            let year = ids(try await h.get("/stac/search?datetime=2024-01-01T00:00:00Z/2024-12-31T23:59:59Z&limit=100"))
            #expect(!year.isEmpty && year.allSatisfy { $0.contains("_2024") }, "\(year)")
            #expect(Set(ids(try await h.get("/stac/search?datetime=2024-01-01T00:00:00Z/..&limit=100"))) == Set(year))
            #expect(try await h.get("/stac/search?datetime=yesterday").status == 400)
            #expect(try await h.get("/stac/search?bbox=10,10,5").status == 400)
            // GET pages follow `next` links; every item once.
            var all: [String] = []
            var next: String? = "/stac/search?limit=3"
            while let page = next {
                let reply = try await h.get(page.replacingOccurrences(of: h.base, with: ""))
                all += ids(reply)
                next = reply.json?["links"]?.arrayValue?.first { $0["rel"]?.stringValue == "next" }?["href"]?.stringValue
            }
            let everything = ids(try await h.get("/stac/search?limit=1000"))
            #expect(all == everything && Set(all).count == all.count)
            // POST pages: the next link carries the body with the next offset.
            let first = try await h.post("/stac/search", json: #"{"limit":2}"#)
            let link = try #require(first.json?["links"]?.arrayValue?.first { $0["rel"]?.stringValue == "next" })
            #expect(link["method"]?.stringValue == "POST")
            #expect(link["body"]?["offset"] == .integer(2))
        }
    }
}
