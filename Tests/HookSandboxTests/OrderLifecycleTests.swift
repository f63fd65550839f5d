import Foundation
import HookCore
import NIOHTTP1
import Testing

@testable import HookSandbox

struct OrderLifecycleTests {
    @Test func `a data-harvest order is created queued and completes with a downloadable zip`() async throws {
        // A DESP source login whose password is not also its user name, so its absence can be checked by value.
        try await Harness.routed(SandboxConfiguration(pace: .milliseconds(400), users: [("source-user", "pw-not-demo")])) { h in
            let token = try await h.dedlToken()
            let created = try await h.post(
                "/odata/v1/BatchOrder/OData.CSC.Order",
                json: Harness.harvestBody(name: "Tutorial data-harvest - jess11", user: "source-user", password: "pw-not-demo"),
                token: token)
            #expect(created.status == 201)
            #expect(created.json?["@odata.context"]?.stringValue == "#metadata/Odata.CSC.BatchOrder")
            let value = try #require(created.json?["value"])
            #expect(value["Status"]?.stringValue == "queued")
            #expect(value["EstimatedDate"] == .null)
            #expect(value["Priority"] == .integer(1))
            #expect(value["WorkflowId"] == .integer(11))
            let options = try #require(value["WorkflowOptions"]?.arrayValue)
            #expect(options.prefix(2).map { $0["Name"]?.stringValue } == ["platform", "version"])
            let password = options.first { $0["Name"]?.stringValue == "desp_source_password" }?["Value"]?.stringValue
            #expect(password?.hasPrefix("gAAAAAB") == true)
            #expect(!created.text.contains("pw-not-demo"), "the password is echoed encrypted, never as written")
            let id = try #require(value["Id"]?.intValue)

            let listed = try await h.get("/odata/v1/ProductionOrders?$filter=id+eq+\(id)", token: token)
            #expect(listed.json?["@odata.context"]?.stringValue == "$metadata#ProductionOrder/$entity")
            let row = try #require(listed.json?["value"]?.arrayValue?.first)
            #expect(row["Id"] == .string(String(id)))
            #expect(row["InputProductReference"]?["Reference"]?.stringValue == Harness.notebookIdentifier)
            #expect(row["WorkflowOptions"]?.arrayValue?.contains { $0["Name"]?.stringValue == "desp_source_password" } == false)
            #expect(row["EstimatedDate"]?.stringValue != nil)

            #expect(try await h.waitForTerminal(id, token: token) == "completed")
            let done = try await h.get("/odata/v1/ProductionOrders?$filter=id%20eq%20\(id)", token: token)
            #expect(done.json?["value"]?.arrayValue?.first?["StatusMessage"]?.stringValue == "requested output product is available")

            let products = try await h.get("/odata/v1/BatchOrder(\(id))/Products", token: token)
            #expect(products.json?["@odata.context"]?.stringValue == "#metadata/OData.CSC.BatchorderItem")
            let item = try #require(products.json?["value"]?.arrayValue?.first)
            #expect(item["BatchOrderId"] == .integer(id))
            #expect(item["Status"]?.stringValue == "completed")
            #expect(item["StatusMessage"]?.stringValue == "Processing finished successfully")
            #expect(item["OutputUUID"] == .null)
            #expect(item["NotificationStatus"] == .null)
            let itemID = try #require(item["Id"]?.intValue)
            let link = try #require(item["DownloadLink"]?.stringValue)
            // An OpenStack Swift temporary URL, as the real service gives (HOOK-API 3.6), public and signed.
            #expect(link.hasPrefix(h.base + "/swift/v1/tmp-storage/"), "\(link)")
            #expect(
                link.dropFirst(h.base.count).wholeMatch(
                    of: /\/swift\/v1\/tmp-storage\/\d{8}_\d+_[A-Za-z0-9]{8}\.zip\?temp_url_sig=[0-9a-f]{40}&temp_url_expires=\d+/) != nil, "\(link)")
            #expect(link.contains("_\(itemID)_"))
            let size = try #require(item["ProcessedSize"]?.intValue)

            let archive = try await h.get(link)
            #expect(archive.status == 200)
            #expect(archive.header("Content-Type") == "application/zip")
            #expect(archive.header("Content-Length") == String(size))
            #expect(archive.body.count == size)
            #expect(archive.body.prefix(4) == [0x50, 0x4B, 0x03, 0x04])
            let again = try await h.get(link, token: token)
            #expect(again.body == archive.body)
            let viaValue = try await h.get("/odata/v1/BatchOrder(\(id))/Product(\(itemID))/%24value", token: token)
            #expect(viaValue.body == archive.body)
            let tampered = try await h.get(link.replacingOccurrences(of: "temp_url_expires=", with: "temp_url_expires=1"))
            #expect(tampered.status == 401)
            let unsigned = try await h.get(String(link.prefix { $0 != "?" }))
            #expect(unsigned.status == 401)

            let single = try await h.get("/odata/v1/BatchOrder(\(id))/Product(\(itemID))", token: token)
            #expect(single.json?["value"]?["Id"] == .integer(itemID))
            let batch = try await h.get("/odata/v1/BatchOrder(\(id))", token: token)
            #expect(batch.json?["value"]?["Status"]?.stringValue == "completed")
            #expect(batch.json?["value"]?["Summary"]?["done_order_items_count"] == .integer(1))
        }
    }

    @Test func `TEMPORARY outputs expire --temporary-ttl after completion: the link answers 401 and $value 404`() async throws {
        // 14 days by default: temp_url_expires is completion + 1,209,600 s.
        try await Harness.routed(SandboxConfiguration(pace: .milliseconds(200))) { h in
            let token = try await h.dedlToken()
            let id = try await h.submit(Harness.harvestBody(name: "kept"), token: token)
            #expect(try await h.waitForTerminal(id, token: token) == "completed")
            let item = try #require(try await h.get("/odata/v1/BatchOrder(\(id))/Products", token: token).json?["value"]?.arrayValue?.first)
            let link = try #require(item["DownloadLink"]?.stringValue)
            let completed = try #require(item["CompletedDate"]?.stringValue.flatMap { try? Date($0, strategy: .iso8601) })
            let expires = try #require(link.split(separator: "temp_url_expires=").last.flatMap { Int($0) })
            #expect(expires == Int(completed.timeIntervalSince1970) + 14 * 86_400)
            #expect(try await h.get(link).status == 200)
        }
        // A lifetime of zero: expired as soon as completed.
        try await Harness.routed(SandboxConfiguration(pace: .milliseconds(200), temporaryTTL: .zero)) { h in
            let token = try await h.dedlToken()
            let id = try await h.submit(Harness.harvestBody(name: "gone"), token: token)
            #expect(try await h.waitForTerminal(id, token: token) == "completed")
            let item = try #require(try await h.get("/odata/v1/BatchOrder(\(id))/Products", token: token).json?["value"]?.arrayValue?.first)
            let itemID = try #require(item["Id"]?.intValue)
            #expect(try await h.get(try #require(item["DownloadLink"]?.stringValue)).status == 401)
            let value = try await h.get("/odata/v1/BatchOrder(\(id))/Product(\(itemID))/$value", token: token)
            #expect(value.status == 404)
            #expect(value.json?["detail"]?.stringValue?.contains("has expired") == true, "\(value.text)")
        }
    }

    @Test func `ProductionOrder(N)/Product and its $value give the order's item and archive`() async throws {
        try await Harness.routed(SandboxConfiguration(pace: .milliseconds(200))) { h in
            let token = try await h.dedlToken()
            let id = try await h.submit(Harness.harvestBody(name: "sibling-routes"), token: token)
            #expect(try await h.waitForTerminal(id, token: token) == "completed")
            let item = try #require(try await h.get("/odata/v1/BatchOrder(\(id))/Products", token: token).json?["value"]?.arrayValue?.first)
            let itemID = try #require(item["Id"]?.intValue)
            let product = try await h.get("/odata/v1/ProductionOrder(\(id))/Product", token: token)
            #expect(product.status == 200)
            #expect(product.json?["value"]?["Id"] == .integer(itemID))
            let value = try await h.get("/odata/v1/ProductionOrder(\(id))/Product/$value", token: token)
            let viaBatch = try await h.get("/odata/v1/BatchOrder(\(id))/Product(\(itemID))/$value", token: token)
            #expect(value.status == 200 && value.body == viaBatch.body)
            #expect(try await h.get("/odata/v1/ProductionOrder(999999)/Product", token: token).status == 404)
            #expect(try await h.get("/odata/v1/ProductionOrder(\(id))/Product").status == 401)
            let rows = try await h.get("/sandbox/stats").json?["requests"]?.arrayValue ?? []
            #expect(rows.contains { $0["route"]?.stringValue == "/odata/v1/ProductionOrder({id})/Product/$value" && $0["status"] == .integer(200) })
        }
    }

    @Test func `range requests return the requested bytes of the archive`() async throws {
        try await Harness.routed(SandboxConfiguration(pace: .milliseconds(100))) { h in
            let token = try await h.dedlToken()
            let id = try await h.submit(Harness.harvestBody(), token: token)
            #expect(try await h.waitForTerminal(id, token: token) == "completed")
            let itemID = try #require(try await h.get("/odata/v1/BatchOrder(\(id))/Products", token: token).json?["value"]?.arrayValue?.first?["Id"]?.intValue)
            let path = "/odata/v1/BatchOrder(\(id))/Product(\(itemID))/%24value"
            let full = try await h.get(path, token: token)
            let part = try await h.get(path, token: token, headers: [("Range", "bytes=10-19")])
            #expect(part.status == 206)
            #expect(part.body == Array(full.body[10...19]))
            #expect(part.header("Content-Range") == "bytes 10-19/\(full.body.count)")
            let tail = try await h.get(path, token: token, headers: [("Range", "bytes=-5")])
            #expect(tail.body == Array(full.body.suffix(5)))
            let open = try await h.get(path, token: token, headers: [("Range", "bytes=\(full.body.count - 3)-")])
            #expect(open.body == Array(full.body.suffix(3)))
            let beyond = try await h.get(path, token: token, headers: [("Range", "bytes=\(full.body.count)-")])
            #expect(beyond.status == 416)
        }
    }

    @Test func `an unknown identifier fails its item with a clear message and the order fails`() async throws {
        try await Harness.routed(SandboxConfiguration(pace: .milliseconds(100))) { h in
            let token = try await h.dedlToken()
            let id = try await h.submit(Harness.harvestBody(identifiers: [Harness.notebookIdentifier, "S2A_NOPE"]), token: token)
            #expect(try await h.waitForTerminal(id, token: token) == "failed")
            let items = try #require(try await h.get("/odata/v1/BatchOrder(\(id))/Products", token: token).json?["value"]?.arrayValue)
            #expect(items.map { $0["Status"]?.stringValue } == ["completed", "failed"])
            #expect(items[1]["StatusMessage"]?.stringValue == "Product 'S2A_NOPE' not found in DESP collection 'EO.ESA.DAT.SENTINEL-2.MSI.L1C'")
            #expect(items[1]["DownloadLink"] == .null)
            let failedValue = try await h.get("/odata/v1/BatchOrder(\(id))/Product(\(try #require(items[1]["Id"]?.intValue)))/$value", token: token)
            #expect(failedValue.status == 404)
        }
    }

    @Test func `DESP credentials in the order must be a sandbox login`() async throws {
        try await Harness.routed(SandboxConfiguration(pace: .milliseconds(100))) { h in
            let token = try await h.dedlToken()
            let id = try await h.submit(Harness.harvestBody(password: "wrong"), token: token)
            #expect(try await h.waitForTerminal(id, token: token) == "failed")
            let row = try await h.get("/odata/v1/ProductionOrders?$filter=Id%20eq%20'\(id)'", token: token)
            #expect(row.json?["value"]?.arrayValue?.first?["StatusMessage"]?.stringValue?.contains("DESP authentication failed") == true)
        }
    }

    @Test(arguments: [
        ("lai", "EO.ESA.DAT.SENTINEL-2.MSI.L2A", "S2A_MSIL2A_20230910T050701_N0509_R019_T47VLH_20230910T083504.SAFE", "completed"),
        ("card_bs", "EO.ESA.DAT.SENTINEL-1.L1_GRD", "S1A_IW_GRDH_1SDV_20230910T050518_20230910T050543_050261_060D7F_1A2B.SAFE", "completed"),
        ("card_cohinf", "EO.ESA.DAT.SENTINEL-1.L1_SLC", "S1A_IW_SLC__1SDV_20230910T050517_20230910T050544_050261_060D7F_3C4D", "completed"),
        ("lai", "EO.ESA.DAT.SENTINEL-2.MSI.L1C", Harness.notebookIdentifier, "failed"),
        ("maja", "", Harness.notebookIdentifier, "completed"),
        ("copdem", "", "anything-at-all", "completed"),
    ])
    func `processing workflows accept catalogue products of their input type`(
        _ workflow: String, _ collection: String, _ identifier: String, _ expected: String
    ) async throws {
        try await Harness.routed(SandboxConfiguration(pace: .milliseconds(100))) { h in
            let token = try await h.dedlToken()
            var extra = ""
            if workflow == "card_cohinf" { extra = #",{"Name":"card_producttype","Value":"CARD_COH"},{"Name":"timespan","Value":24}"# }
            if workflow == "maja" { extra = #",{"Name":"input_type","Value":"TIMESPAN"},{"Name":"timespan","Value":18}"# }
            let source =
                collection.isEmpty
                ? ""
                : """
                ,{"Name":"source_type","Value":"DESP"},{"Name":"desp_source_username","Value":"demo"},{"Name":"desp_source_password","Value":"demo"},
                {"Name":"desp_source_collection","Value":"\(collection)"}
                """
            let body = """
                {"Name":"p","WorkflowName":"\(workflow)","IdentifierList":["\(identifier)"],"WorkflowOptions":[{"Name":"output_storage","Value":"TEMPORARY"}\(source)\(extra)]}
                """
            let id = try await h.submit(body, token: token)
            #expect(try await h.waitForTerminal(id, token: token) == expected)
        }
    }

    @Test func `the custom hook passes options the catalogue does not list, with their JSON types`() async throws {
        try await Harness.routed(SandboxConfiguration(pace: .milliseconds(100))) { h in
            let token = try await h.dedlToken()
            let body = """
                {"Name":"custom","WorkflowName":"dedl_hello_world","IdentifierList":["Custom Hook"],"WorkflowOptions":[
                {"Name":"output_storage","Value":"TEMPORARY"},{"Name":"source_s3_path","Value":"s3://in/input_file_location"},
                {"Name":"source_s3_endpoint_url","Value":"https://s3.example"},{"Name":"source_s3_access_key","Value":"AK"},
                {"Name":"source_s3_secret_key","Value":"SK"},{"Name":"label","Value":"20"},{"Name":"timespan","Value":24},
                {"Name":"threshold","Value":0.5},{"Name":"verbose","Value":true}]}
                """
            let id = try await h.submit(body, token: token)
            #expect(try await h.waitForTerminal(id, token: token) == "completed")
            let options = try await h.get("/odata/v1/ProductionOrders(\(id))", token: token).json?["value"]?["WorkflowOptions"]?.arrayValue ?? []
            #expect(options.first { $0["Name"]?.stringValue == "threshold" }?["Value"] == .number(0.5))
            #expect(options.first { $0["Name"]?.stringValue == "verbose" }?["Value"] == .bool(true))
            #expect(options.first { $0["Name"]?.stringValue == "label" }?["Value"] == .string("20"))
            #expect(!options.contains { $0["Name"]?.stringValue == "source_s3_secret_key" })
            // A listed option is still type-checked.
            let wrong = body.replacingOccurrences(of: #""Value":"s3://in/input_file_location""#, with: #""Value":5"#)
            #expect(try await h.post("/odata/v1/BatchOrder/OData.CSC.Order", json: wrong, token: token).status == 422)
        }
    }

    @Test func `a queued order is cancelled at once and stays cancelled`() async throws {
        try await Harness.routed(SandboxConfiguration(pace: .seconds(30))) { h in
            let token = try await h.dedlToken()
            let id = try await h.submit(Harness.harvestBody(), token: token)
            let cancelled = try await h.send(.POST, "/odata/v1/ProductionOrder(\(id))/OData.CSC.Cancel", token: token)
            #expect(cancelled.status == 200)
            #expect(cancelled.json?["value"]?["Status"]?.stringValue == "cancelled")
            let viaGet = try await h.get("/odata/v1/ProductionOrder(\(id))/OData.CSC.Cancel", token: token)
            #expect(viaGet.json?["value"]?["Status"]?.stringValue == "cancelled")
            let items = try await h.get("/odata/v1/BatchOrder(\(id))/Products", token: token)
            #expect(items.json?["value"]?.arrayValue?.first?["Status"]?.stringValue == "cancelled")
            let missing = try await h.send(.POST, "/odata/v1/ProductionOrder(999999)/OData.CSC.Cancel", token: token)
            #expect(missing.status == 404)
        }
    }

    @Test func `orders pass through queued and in_progress on their way`() async throws {
        let time = ManualTime(Date(timeIntervalSince1970: 1_700_000_000))
        try await Harness.routed(SandboxConfiguration(pace: .seconds(4)), time: time) { h in
            let token = try await h.dedlToken()
            let id = try await h.submit(Harness.harvestBody(), token: token)
            func status() async throws -> String? {
                try await h.get("/odata/v1/BatchOrder(\(id))", token: token).json?["value"]?["Status"]?.stringValue
            }
            #expect(try await status() == "queued")
            time.advance(bySeconds: 2)
            #expect(try await status() == "in_progress")
            #expect(try await h.waitForTerminal(id, token: token) == "completed")
        }
    }

    @Test func `with --max-running a user's extra orders wait queued for a slot, and their estimates grow with the queue`() throws {
        let store = OrderStore(directory: nil)
        let workflow = try #require(WorkflowCatalogue.named("data-harvest"))
        let draft = OrderDraft(name: "capped", workflow: workflow, identifiers: ["A"], options: [], priority: 1)
        let alice = TokenClaims(subject: "a", username: "alice", issuer: "x/realms/dedl", audiences: [], expiry: 0)
        let bob = TokenClaims(subject: "b", username: "bob", issuer: "x/realms/dedl", audiences: [], expiry: 0)
        let t0: Int64 = 1_000_000
        let schedule = OrderStore.Schedule(paceMs: 2000, maxRunning: 2)
        let orders = (0..<5).map { _ in store.submit(draft, owner: alice, schedule: schedule, now: t0) }
        // Two run at once: each pair starts when the pair before it is done.
        #expect(orders.map { $0.estimatedMs - t0 } == [2000, 2000, 3000, 3000, 4000])
        #expect(orders.map { $0.status(now: t0 + 1500) } == [.inProgress, .inProgress, .queued, .queued, .queued])
        #expect(orders.map { $0.status(now: t0 + 2500) } == [.inProgress, .inProgress, .inProgress, .inProgress, .queued])
        // Another user's orders do not wait for alice's.
        #expect(store.submit(draft, owner: bob, schedule: schedule, now: t0).estimatedMs == t0 + 2000)
        // Without a cap nothing waits.
        #expect(store.submit(draft, owner: alice, schedule: .init(paceMs: 2000), now: t0).estimatedMs == t0 + 2000)
    }

    @Test func `with --overrun-rate orders run past their EstimatedDate`() throws {
        let store = OrderStore(directory: nil)
        let workflow = try #require(WorkflowCatalogue.named("data-harvest"))
        let draft = OrderDraft(name: "late", workflow: workflow, identifiers: ["A", "B"], options: [], priority: 1)
        let owner = TokenClaims(subject: "s", username: "demo", issuer: "x/realms/dedl", audiences: [], expiry: 0)
        let t0: Int64 = 1_000_000
        let late = store.submit(draft, owner: owner, schedule: .init(paceMs: 2000, overrunRate: 1), now: t0)
        #expect(late.estimatedMs == t0 + 2000)
        #expect(late.doneMs == t0 + 3000)
        #expect(late.items.map { $0.doneMs.map { $0 - t0 } } == [2000, 3000])
        let onTime = store.submit(draft, owner: owner, schedule: .init(paceMs: 2000, overrunRate: 0), now: t0)
        #expect(onTime.doneMs == onTime.estimatedMs)
        // A share of them, repeatably for a seed.
        let some = (0..<200).map { _ in store.submit(draft, owner: owner, schedule: .init(paceMs: 2000, overrunRate: 0.25, seed: 7), now: t0) }
        let overran = some.filter { $0.doneMs > $0.estimatedMs }.count
        #expect((25...75).contains(overran), "\(overran) of 200")
    }

    @Test func `items of a multi-item order finish one after another`() throws {
        // Pure model check with a fixed clock (an HTTP poll cannot see the steps reliably on a loaded machine).
        let store = OrderStore(directory: nil)
        let workflow = try #require(WorkflowCatalogue.named("data-harvest"))
        let draft = OrderDraft(name: "multi", workflow: workflow, identifiers: ["A", "B", "C"], options: [], priority: 1)
        let owner = TokenClaims(subject: "s", username: "demo", issuer: "x/realms/dedl", audiences: [], expiry: 0)
        let t0: Int64 = 1_000_000
        let order = store.submit(draft, owner: owner, schedule: .init(paceMs: 3000), now: t0)
        #expect(store.takeDueWork(now: t0 + 1000, limit: 10).isEmpty)
        #expect(store.takeDueWork(now: t0 + 1500, limit: 10).count == 3)
        for item in order.items {
            store.record(orderID: order.id, itemID: item.id, outcome: .init(succeeded: true, message: "ok", recordedMs: t0 + 1600))
        }
        let stored = try #require(store.order(order.id, owner: nil))
        func statuses(at ms: Int64) -> [HookSandbox.OrderStatus] { stored.items.map { stored.status(of: $0, now: t0 + ms) } }
        #expect(stored.status(now: t0 + 100) == .queued)
        #expect(statuses(at: 1700) == [.inProgress, .inProgress, .inProgress])
        #expect(statuses(at: 2000) == [.completed, .inProgress, .inProgress])
        #expect(stored.status(now: t0 + 2000) == .inProgress)
        #expect(statuses(at: 2500) == [.completed, .completed, .inProgress])
        #expect(statuses(at: 3000) == [.completed, .completed, .completed])
        #expect(stored.status(now: t0 + 3000) == .completed)
        #expect(stored.summaryJSON(now: t0 + 2500)["done_order_items_count"] == .integer(2))
    }

    @Test func `unknown ids give 404 and non-integer ids FastAPI's 422`() async throws {
        try await Harness.routed { h in
            let token = try await h.dedlToken()
            let missing = try await h.get("/odata/v1/BatchOrder(424242)/Products", token: token)
            #expect(missing.status == 404)
            #expect(missing.json?["detail"]?.stringValue == "Batch order 424242 not found")
            let bad = try await h.get("/odata/v1/BatchOrder(abc)", token: token)
            #expect(bad.status == 422)
            #expect(bad.json?["detail"]?.arrayValue?.first?["type"]?.stringValue == "type_error.integer")
            let unknownRoute = try await h.get("/odata/v1/Nope", token: token)
            #expect(unknownRoute.status == 404)
            #expect(unknownRoute.text == #"{"detail":"Not Found"}"#)
            let wrongMethod = try await h.send(.DELETE, "/odata/v1/Workflows", token: token)
            #expect(wrongMethod.status == 405)
        }
    }

    @Test func `one user's orders are invisible to another`() async throws {
        try await Harness.routed(SandboxConfiguration(users: [("bob", "bob")])) { h in
            let demo = try await h.dedlToken()
            let bob = try await h.dedlToken(user: "bob", password: "bob")
            let id = try await h.submit(Harness.harvestBody(), token: demo)
            #expect(try await h.get("/odata/v1/BatchOrder(\(id))", token: bob).status == 404)
            #expect(try await h.get("/odata/v1/ProductionOrders", token: bob).json?["value"] == .array([]))
        }
    }
}
